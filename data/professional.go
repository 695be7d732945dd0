package data

import (
	"context"
	"strings"
	"time"
)

// Kind says whether a professional is a childminder or a structure.
type Kind string

// The two kinds of professional.
const (
	KindChildminder Kind = "assistant_maternel" // assistant(e) maternel(le)
	KindStructure   Kind = "structure"          // crèche, micro-crèche, EAJE: a legal entity
)

// Valid reports whether k is one of the two kinds.
func (k Kind) Valid() bool { return k == KindChildminder || k == KindStructure }

// Listing says whether a professional is on her département's current PMI
// list. A delisted professional is hidden from parents and cannot log in,
// but is never deleted: a later list brings her back with her data.
type Listing string

// The two listing states.
const (
	Listed   Listing = "listed"
	Delisted Listing = "delisted"
)

// Habilitation is the state of a professional's right to update her
// availability.
type Habilitation string

// The habilitation states.
const (
	HabilitationNone      Habilitation = "none"      // never asked
	HabilitationRequested Habilitation = "requested" // a request is being handled by the Caf
	HabilitationActive    Habilitation = "active"    // she may log in and update
	HabilitationSuspended Habilitation = "suspended" // the Caf suspended it; may be reactivated
	HabilitationRevoked   Habilitation = "revoked"   // the Caf withdrew it for good
	HabilitationExpired   Habilitation = "expired"   // no longer valid (delisted, agrément ended)
)

// Valid reports whether h is a known state.
func (h Habilitation) Valid() bool {
	switch h {
	case HabilitationNone, HabilitationRequested, HabilitationActive,
		HabilitationSuspended, HabilitationRevoked, HabilitationExpired:
		return true
	}
	return false
}

// Label returns the French label of h.
func (h Habilitation) Label() string {
	switch h {
	case HabilitationNone:
		return "aucune"
	case HabilitationRequested:
		return "demandée"
	case HabilitationActive:
		return "active"
	case HabilitationSuspended:
		return "suspendue"
	case HabilitationRevoked:
		return "retirée"
	case HabilitationExpired:
		return "expirée"
	}
	return string(h)
}

// Address is a postal address as the seed's form asks for it.
type Address struct {
	Number       string // N° de voie
	StreetType   string // Type de voie (rue, avenue…)
	StreetName   string // Nom de voie
	PostalCode   string
	CommuneINSEE string // INSEE code of the commune, e.g. 92012
	CommuneName  string
}

// Line returns « 12 rue des Lilas ».
func (a Address) Line() string {
	return strings.Join(strings.Fields(a.Number+" "+a.StreetType+" "+a.StreetName), " ")
}

// Professional is a childminder or a structure known to a Caf, with her
// fiche, listing and habilitation states.
type Professional struct {
	ID             string
	Kind           Kind
	Department     string // "92", "2A", "974"
	CafCode        string // "921", "201", "974"
	AgrementNumber string // identifies a childminder within her département
	Civility       Civility
	LastName       string
	FirstName      string
	StructureName  string // a structure's name; empty for a childminder
	Address        Address
	Phone          string // normalised, see NormalizePhone
	Email          string // never published
	PlacesAgreed   int    // nombre de places agréées
	AgrementDate   Date
	Capacity       int    // a structure's capacity
	OpeningHours   string // a structure's opening hours, free text
	Listing        Listing
	Habilitation   Habilitation
	CreatedAt      time.Time
	UpdatedAt      time.Time
}

// DisplayName returns the name shown to people: the structure's name, or
// « Prénom NOM » for a childminder.
func (p *Professional) DisplayName() string {
	if p.Kind == KindStructure && p.StructureName != "" {
		return p.StructureName
	}
	return strings.TrimSpace(p.FirstName + " " + strings.ToUpper(p.LastName))
}

// VisibleToParents reports whether parents may find p at all: she is on the
// current list and her habilitation is neither suspended nor revoked.
func (p *Professional) VisibleToParents() bool {
	return p.Listing == Listed && p.Habilitation != HabilitationSuspended && p.Habilitation != HabilitationRevoked
}

// CanLogIn returns nil when p's habilitation lets her log in, else an
// EHABILITATION error whose French message says why and what to do.
func (p *Professional) CanLogIn() error {
	if p.Listing != Listed {
		return Errorf(EHABILITATION, "Vous n'êtes plus inscrit(e) sur la liste transmise par la PMI de votre département : votre habilitation n'est plus valable. Rapprochez-vous de la Caf de votre département.")
	}
	switch p.Habilitation {
	case HabilitationActive:
		return nil
	case HabilitationSuspended:
		return Errorf(EHABILITATION, "Votre habilitation est suspendue par votre Caf. Contactez la Caf de votre département pour la faire réactiver.")
	case HabilitationRevoked:
		return Errorf(EHABILITATION, "Votre habilitation a été retirée par votre Caf. Contactez la Caf de votre département si vous pensez qu'il s'agit d'une erreur.")
	case HabilitationExpired:
		return Errorf(EHABILITATION, "Votre habilitation n'est plus valable. Faites une nouvelle demande d'habilitation en ligne.")
	default:
		return Errorf(EHABILITATION, "Vous n'êtes pas encore habilité(e). Faites votre demande d'habilitation en ligne ; si elle est en cours, attendez la validation de votre Caf.")
	}
}

// Validate checks a professional's fiche before it is stored; messages are
// per field (keys as in the request form).
func (p *Professional) Validate(ref *Reference) error {
	f := FieldErrors{}
	if !p.Kind.Valid() {
		f.Add("kind", "Choisissez assistant(e) maternel(le) ou structure.")
	}
	if p.Kind == KindStructure {
		if strings.TrimSpace(p.StructureName) == "" {
			f.Add("structure_name", "Indiquez le nom de la structure.")
		}
	} else {
		validatePerson(f, p.Civility, p.LastName, p.FirstName)
	}
	validateAddress(f, ref, &p.Address)
	if p.Phone != "" {
		if n, err := NormalizePhone(p.Phone); err != nil {
			f.Add("phone", ErrorMessage(err))
		} else {
			p.Phone = n
		}
	}
	if p.Email != "" {
		if err := ValidateEmail(p.Email); err != nil {
			f.Add("email", ErrorMessage(err))
		}
	}
	if p.PlacesAgreed < 0 || p.PlacesAgreed > MaxPlaces {
		f.Add("places_agreed", "Nombre de places agréées invalide.")
	}
	if !p.Listing.valid() {
		f.Add("listing", "État d'inscription inconnu.")
	}
	if !p.Habilitation.Valid() {
		f.Add("habilitation", "État d'habilitation inconnu.")
	}
	return f.Err()
}

func (l Listing) valid() bool { return l == Listed || l == Delisted }

// ProfessionalFilter selects professionals. Zero fields do not filter.
type ProfessionalFilter struct {
	CafCode        string
	Department     string
	PostalCode     string
	CommuneINSEE   string
	AgrementNumber string
	Name           string // matches last name, first name or structure name, ignoring case and accents
	Kind           Kind
	Listing        Listing
	Habilitation   Habilitation
	Offset, Limit  int // Limit 0 means no limit
}

// ProfessionalService stores professionals.
type ProfessionalService interface {
	// CreateProfessional stores a new professional; ID and times are set.
	CreateProfessional(ctx context.Context, p *Professional) error
	// UpdateProfessional replaces the stored fiche and states of p.ID. When
	// p.UpdatedAt is set, the row must not have changed since it was read
	// (ECONFLICT otherwise): no concurrent update is silently lost.
	UpdateProfessional(ctx context.Context, p *Professional) error
	// WriteProfessionals writes professionals in one transaction (ctx's when
	// it has one) as CreateProfessional of each whose ID is empty, and
	// UpdateProfessional of each other, in turn would: the same rows, IDs
	// and times set, guards, change log (numbered in each Caf's sequence in
	// the order of ps) and field stamps, with a few statements per hundred
	// professionals (and one UPDATE per update). It returns how many were
	// written before the first that failed: on error, ps[n] (when
	// n < len(ps)) failed with the error her own call would give, and the
	// transaction must be rolled back (without ctx's, nothing is written).
	WriteProfessionals(ctx context.Context, ps []*Professional) (n int, err error)
	// FindProfessionalByID returns ENOTFOUND when there is none.
	FindProfessionalByID(ctx context.Context, id string) (*Professional, error)
	// FindProfessionalByAgrement finds a childminder by département and
	// agrément number; ENOTFOUND when there is none.
	FindProfessionalByAgrement(ctx context.Context, dept, number string) (*Professional, error)
	// FindProfessionals returns the page of professionals matching f, ordered
	// by name, and the total number matching.
	FindProfessionals(ctx context.Context, f ProfessionalFilter) ([]*Professional, int, error)
}
