package data

import (
	"context"
	"strings"
	"time"
)

// RequestState is the state of a habilitation request (SPEC §3).
type RequestState string

// The states of a request: reçue → courrier envoyé → accord reçu → validée,
// or refusée with a reason.
const (
	RequestReceived  RequestState = "recue"
	RequestLetter    RequestState = "courrier_envoye"
	RequestAgreement RequestState = "accord_recu"
	RequestValidated RequestState = "validee"
	RequestRefused   RequestState = "refusee"
)

// Valid reports whether s is a known state.
func (s RequestState) Valid() bool {
	switch s {
	case RequestReceived, RequestLetter, RequestAgreement, RequestValidated, RequestRefused:
		return true
	}
	return false
}

// Label returns the French label of s.
func (s RequestState) Label() string {
	switch s {
	case RequestReceived:
		return "Reçue"
	case RequestLetter:
		return "Courrier envoyé"
	case RequestAgreement:
		return "Accord reçu"
	case RequestValidated:
		return "Validée"
	case RequestRefused:
		return "Refusée"
	}
	return string(s)
}

// Final reports whether no action can follow s.
func (s RequestState) Final() bool { return s == RequestValidated || s == RequestRefused }

// CanMoveTo reports whether a request in state s may move to state to.
// A letter may be sent again (a lost letter), and a request may be refused at
// any point before it ends.
func (s RequestState) CanMoveTo(to RequestState) bool {
	if s.Final() {
		return false
	}
	switch to {
	case RequestLetter:
		return s == RequestReceived || s == RequestLetter
	case RequestAgreement:
		return s == RequestLetter
	case RequestValidated:
		return s == RequestAgreement
	case RequestRefused:
		return true
	}
	return false
}

// Match says how a request was tied to a listed professional.
type Match string

// The ways a request is matched.
const (
	MatchNone  Match = ""      // not matched: flagged for the Caf
	MatchAuto  Match = "auto"  // by agrément number, or name and address
	MatchAgent Match = "agent" // by an agent, by hand
)

// Request is a habilitation request.
type Request struct {
	ID             string
	Kind           Kind
	Civility       Civility
	LastName       string
	FirstName      string
	StructureName  string
	AgrementNumber string // optional; helps the automatic match
	Address        Address
	Phone          string
	Email          string
	Department     string
	CafCode        string
	State          RequestState
	RefusalReason  string
	ProfessionalID string // the listed professional it was matched to
	Match          Match
	CreatedAt      time.Time
	UpdatedAt      time.Time
}

// DisplayName returns the structure's name or « Prénom NOM ».
func (r *Request) DisplayName() string {
	if r.Kind == KindStructure && r.StructureName != "" {
		return r.StructureName
	}
	return strings.TrimSpace(r.FirstName + " " + strings.ToUpper(r.LastName))
}

// RequestForm is what a person types in the habilitation request form.
type RequestForm struct {
	Kind           Kind
	Civility       string
	LastName       string
	FirstName      string
	StructureName  string
	AgrementNumber string
	StreetNumber   string
	StreetType     string
	StreetName     string
	PostalCode     string
	Commune        string
	Phone          string
	Email          string
	EmailConfirm   string
}

// Validate checks every field of the form, each with its own French message,
// and returns the request it describes, routed to the Caf of its commune.
// Field keys: kind, civility, last_name, first_name, structure_name,
// agrement_number, street_number, street_type, street_name, postal_code,
// commune, phone, email, email_confirm.
func (f RequestForm) Validate(ref *Reference) (*Request, error) {
	errs := FieldErrors{}
	r := &Request{
		Kind:           f.Kind,
		LastName:       strings.TrimSpace(f.LastName),
		FirstName:      strings.TrimSpace(f.FirstName),
		StructureName:  strings.TrimSpace(f.StructureName),
		AgrementNumber: strings.TrimSpace(f.AgrementNumber),
		Address: Address{
			Number:      strings.TrimSpace(f.StreetNumber),
			StreetType:  strings.TrimSpace(f.StreetType),
			StreetName:  strings.TrimSpace(f.StreetName),
			PostalCode:  strings.TrimSpace(f.PostalCode),
			CommuneName: strings.TrimSpace(f.Commune),
		},
		Email: strings.TrimSpace(f.Email),
		State: RequestReceived,
	}
	if !f.Kind.Valid() {
		errs.Add("kind", "Choisissez : assistant(e) maternel(le) ou structure.")
	}
	if c, err := ParseCivility(f.Civility); err != nil {
		if f.Kind != KindStructure || strings.TrimSpace(f.Civility) != "" {
			errs.Add("civility", "Choisissez votre civilité : M ou Mme.")
		}
	} else {
		r.Civility = c
	}
	if f.Kind == KindStructure {
		validateName(errs, "last_name", r.LastName, "Indiquez le nom de la personne à contacter.")
		validateName(errs, "first_name", r.FirstName, "Indiquez le prénom de la personne à contacter.")
		if r.StructureName == "" {
			errs.Add("structure_name", "Indiquez le nom de la structure.")
		} else if len([]rune(r.StructureName)) > 150 {
			errs.Add("structure_name", "Nom de structure trop long (150 caractères au plus).")
		}
	} else {
		validateName(errs, "last_name", r.LastName, "Indiquez votre nom.")
		validateName(errs, "first_name", r.FirstName, "Indiquez votre prénom.")
	}
	if len(r.AgrementNumber) > 30 {
		errs.Add("agrement_number", "N° d'agrément trop long (30 caractères au plus).")
	}
	validateAddress(errs, ref, &r.Address)
	if strings.TrimSpace(f.Phone) == "" {
		errs.Add("phone", "Indiquez un numéro de téléphone où vous contacter.")
	} else if n, err := NormalizePhone(f.Phone); err != nil {
		errs.Add("phone", ErrorMessage(err))
	} else {
		r.Phone = n
	}
	if err := ValidateEmail(r.Email); err != nil {
		errs.Add("email", ErrorMessage(err))
	} else if NormalizeEmail(f.EmailConfirm) != NormalizeEmail(r.Email) {
		errs.Add("email_confirm", "Les deux adresses électroniques ne sont pas identiques : vérifiez-les.")
	}
	if c, ok := ref.Commune(r.Address.CommuneINSEE); ok {
		if caf, err := ref.CafOfCommune(c); err != nil {
			errs.Add("commune", ErrorMessage(err))
		} else {
			r.Department, r.CafCode = c.Department, caf.Code
		}
	}
	if err := errs.Err(); err != nil {
		return nil, err
	}
	return r, nil
}

// RequestFilter selects requests. Zero fields do not filter.
type RequestFilter struct {
	CafCode        string
	ProfessionalID string
	State          RequestState
	Unmatched      bool   // only requests not matched to a listed professional
	Name           string // matches names, ignoring case and accents
	Offset, Limit  int
}

// RequestService stores habilitation requests.
type RequestService interface {
	// CreateRequest stores a new request; ID and times are set.
	CreateRequest(ctx context.Context, r *Request) error
	// UpdateRequest replaces the stored request r.ID, guarded like
	// UpdateProfessional by r.UpdatedAt.
	UpdateRequest(ctx context.Context, r *Request) error
	// FindRequestByID returns ENOTFOUND when there is none.
	FindRequestByID(ctx context.Context, id string) (*Request, error)
	// FindRequests returns the page of requests matching f, newest first, and
	// the total number matching.
	FindRequests(ctx context.Context, f RequestFilter) ([]*Request, int, error)
}
