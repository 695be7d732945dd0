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
// (SPEC §7), which must answer quickly for a whole country: a few queries
// for a whole search, never one per professional.
type PublicSearchService interface {
	// FindPublicListings returns the professionals of the communes of those
	// INSEE codes whom parents may find (VisibleToParents: listed, neither
	// suspended nor revoked), structures first, then childminders, each
	// ordered by name (a structure's name, a childminder's last then first
	// name, compared as NormalizeName does), at most limit of them (no
	// limit when limit <= 0). No communes gives none.
	FindPublicListings(ctx context.Context, communeINSEEs []string, limit int) ([]PublicListing, error)
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
