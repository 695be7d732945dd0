package data

import "context"

// PublicListing is one professional as the parents' search reads her: the
// fiche fields parents may see and her whole availability. PublicView then
// says what of the availability is shown.
type PublicListing struct {
	// Professional holds only what parents may see, plus what PublicView
	// and Today need: ID, Kind, Department, CafCode, Civility, names,
	// Address, Phone, PlacesAgreed, Capacity, OpeningHours, Listing,
	// Habilitation and UpdatedAt. Email is never set; neither are the
	// agrément number and date.
	Professional *Professional
	// Availability is everything she saved: the global colour and every week
	// and dated tab, ordered by date; nil when she never saved anything.
	Availability *Availability
}

// PublicSearchService reads the central store for the parents' search
// (SPEC §7), which must answer quickly for a whole country: a search reads
// one page of professionals, never every one of a commune, in a few queries
// whatever their number, never one per professional.
//
// Both methods select the same professionals: those of the communes of the
// INSEE codes given whom parents may find (VisibleToParents: listed,
// neither suspended nor revoked). No communes (or only empty codes) selects
// none. The two calls are not one snapshot: a change that commits between
// them may make a page hold one professional fewer than the count
// promised, or one the count did not include, which a public page cached
// for a minute accepts.
type PublicSearchService interface {
	// CountPublicListings returns how many professionals the search selects,
	// counting at most atMost of them (all of them when atMost <= 0): a
	// search that finds more than a page can show stops counting there.
	CountPublicListings(ctx context.Context, communeINSEEs []string, atMost int) (int, error)
	// FindPublicListings returns one page of the professionals the search
	// selects, with their whole availability: structures first, then
	// childminders, each ordered by name (a structure's name, a
	// childminder's last then first name, compared as NormalizeName does),
	// then by ID, so that pages never overlap nor skip anyone; it skips the
	// first offset of them and returns at most limit (no limit when
	// limit <= 0).
	FindPublicListings(ctx context.Context, communeINSEEs []string, offset, limit int) ([]PublicListing, error)
}

// ParentLabel returns the word that names c for parents next to its colour,
// so that the colour is never the only sign: « Disponibilités », « Aucune
// disponibilité », « Non renseigné ».
func (c Colour) ParentLabel() string {
	switch c {
	case ColourGreen:
		return "Disponibilités"
	case ColourRed:
		return "Aucune disponibilité"
	default:
		return "Non renseigné"
	}
}

// ParentSentence returns the seed's sentence of c (see Sentence) as parents
// read it, about the professional rather than to her.
func (c Colour) ParentSentence() string {
	switch c {
	case ColourGreen:
		return "A des disponibilités sur les périodes proposées."
	case ColourRed:
		return "N'a aucune disponibilité sur les périodes proposées."
	default:
		return "N'a pas renseigné ses disponibilités."
	}
}
