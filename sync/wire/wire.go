// Package wire holds the JSON messages of the central service's API, shared
// by the server and its clients (the desktop's sync client, the command-line
// client, the tests), with their conversions to and from the domain types.
package wire

import (
	"time"

	"espacepro/data"
)

// Error is the body of every error answer.
type Error struct {
	Code    string            `json:"code"`
	Message string            `json:"message"`
	Fields  map[string]string `json:"fields,omitempty"`
}

// Err turns an error answer back into the domain's error.
func (e *Error) Err() error {
	return &data.Error{Code: e.Code, Message: e.Message, Fields: e.Fields}
}

// Address is a postal address.
type Address struct {
	Number       string `json:"street_number,omitempty"`
	StreetType   string `json:"street_type,omitempty"`
	StreetName   string `json:"street_name"`
	PostalCode   string `json:"postal_code"`
	CommuneINSEE string `json:"commune_insee,omitempty"`
	CommuneName  string `json:"commune"`
}

func addressOf(a data.Address) Address {
	return Address{a.Number, a.StreetType, a.StreetName, a.PostalCode, a.CommuneINSEE, a.CommuneName}
}

// Domain returns the domain's address.
func (a Address) Domain() data.Address {
	return data.Address{Number: a.Number, StreetType: a.StreetType, StreetName: a.StreetName,
		PostalCode: a.PostalCode, CommuneINSEE: a.CommuneINSEE, CommuneName: a.CommuneName}
}

// Professional is a childminder's or a structure's fiche as a Caf agent, or
// the person herself, sees it.
type Professional struct {
	ID             string    `json:"id"`
	Kind           string    `json:"kind"`
	Department     string    `json:"department"`
	CafCode        string    `json:"caf"`
	AgrementNumber string    `json:"agrement_number,omitempty"`
	Civility       string    `json:"civility,omitempty"`
	LastName       string    `json:"last_name,omitempty"`
	FirstName      string    `json:"first_name,omitempty"`
	StructureName  string    `json:"structure_name,omitempty"`
	Address        Address   `json:"address"`
	Phone          string    `json:"phone,omitempty"`
	Email          string    `json:"email,omitempty"`
	PlacesAgreed   int       `json:"places_agreed"`
	AgrementDate   string    `json:"agrement_date,omitempty"`
	Capacity       int       `json:"capacity,omitempty"`
	OpeningHours   string    `json:"opening_hours,omitempty"`
	Listing        string    `json:"listing"`
	Habilitation   string    `json:"habilitation"`
	CreatedAt      time.Time `json:"created_at"`
	UpdatedAt      time.Time `json:"updated_at"`
}

// ProfessionalOf converts a domain professional.
func ProfessionalOf(p *data.Professional) *Professional {
	return &Professional{ID: p.ID, Kind: string(p.Kind), Department: p.Department, CafCode: p.CafCode,
		AgrementNumber: p.AgrementNumber, Civility: string(p.Civility), LastName: p.LastName,
		FirstName: p.FirstName, StructureName: p.StructureName, Address: addressOf(p.Address),
		Phone: p.Phone, Email: p.Email, PlacesAgreed: p.PlacesAgreed, AgrementDate: p.AgrementDate.String(),
		Capacity: p.Capacity, OpeningHours: p.OpeningHours, Listing: string(p.Listing),
		Habilitation: string(p.Habilitation), CreatedAt: p.CreatedAt, UpdatedAt: p.UpdatedAt}
}

// Domain returns the domain's professional.
func (p *Professional) Domain() (*data.Professional, error) {
	d, err := data.ParseDate(p.AgrementDate)
	if p.AgrementDate == "" {
		d, err = data.Date{}, nil
	}
	if err != nil {
		return nil, err
	}
	return &data.Professional{ID: p.ID, Kind: data.Kind(p.Kind), Department: p.Department, CafCode: p.CafCode,
		AgrementNumber: p.AgrementNumber, Civility: data.Civility(p.Civility), LastName: p.LastName,
		FirstName: p.FirstName, StructureName: p.StructureName, Address: p.Address.Domain(),
		Phone: p.Phone, Email: p.Email, PlacesAgreed: p.PlacesAgreed, AgrementDate: d,
		Capacity: p.Capacity, OpeningHours: p.OpeningHours, Listing: data.Listing(p.Listing),
		Habilitation: data.Habilitation(p.Habilitation), CreatedAt: p.CreatedAt, UpdatedAt: p.UpdatedAt}, nil
}

// Request is a habilitation request as a Caf agent sees it.
type Request struct {
	ID             string    `json:"id"`
	Kind           string    `json:"kind"`
	Civility       string    `json:"civility,omitempty"`
	LastName       string    `json:"last_name"`
	FirstName      string    `json:"first_name"`
	StructureName  string    `json:"structure_name,omitempty"`
	AgrementNumber string    `json:"agrement_number,omitempty"`
	Address        Address   `json:"address"`
	Phone          string    `json:"phone"`
	Email          string    `json:"email"`
	Department     string    `json:"department"`
	CafCode        string    `json:"caf"`
	State          string    `json:"state"`
	StateLabel     string    `json:"state_label"`
	RefusalReason  string    `json:"refusal_reason,omitempty"`
	ProfessionalID string    `json:"professional_id,omitempty"`
	Match          string    `json:"match,omitempty"`
	CreatedAt      time.Time `json:"created_at"`
	UpdatedAt      time.Time `json:"updated_at"`
}

// RequestOf converts a domain request.
func RequestOf(r *data.Request) *Request {
	return &Request{ID: r.ID, Kind: string(r.Kind), Civility: string(r.Civility), LastName: r.LastName,
		FirstName: r.FirstName, StructureName: r.StructureName, AgrementNumber: r.AgrementNumber,
		Address: addressOf(r.Address), Phone: r.Phone, Email: r.Email, Department: r.Department,
		CafCode: r.CafCode, State: string(r.State), StateLabel: r.State.Label(), RefusalReason: r.RefusalReason,
		ProfessionalID: r.ProfessionalID, Match: string(r.Match), CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt}
}

// RequestForm is what the habilitation request form sends.
type RequestForm struct {
	Kind           string `json:"kind"`
	Civility       string `json:"civility"`
	LastName       string `json:"last_name"`
	FirstName      string `json:"first_name"`
	StructureName  string `json:"structure_name,omitempty"`
	AgrementNumber string `json:"agrement_number,omitempty"`
	StreetNumber   string `json:"street_number,omitempty"`
	StreetType     string `json:"street_type,omitempty"`
	StreetName     string `json:"street_name"`
	PostalCode     string `json:"postal_code"`
	Commune        string `json:"commune"`
	Phone          string `json:"phone"`
	Email          string `json:"email"`
	EmailConfirm   string `json:"email_confirm"`
	CaptchaID      string `json:"captcha_id"`
	CaptchaAnswer  string `json:"captcha_answer"`
}

// Domain returns the domain's form (without the captcha).
func (f *RequestForm) Domain() data.RequestForm {
	return data.RequestForm{Kind: data.Kind(f.Kind), Civility: f.Civility, LastName: f.LastName,
		FirstName: f.FirstName, StructureName: f.StructureName, AgrementNumber: f.AgrementNumber,
		StreetNumber: f.StreetNumber, StreetType: f.StreetType, StreetName: f.StreetName,
		PostalCode: f.PostalCode, Commune: f.Commune, Phone: f.Phone, Email: f.Email, EmailConfirm: f.EmailConfirm}
}

// SubmitResponse answers a habilitation request.
type SubmitResponse struct {
	ID       string `json:"id"`
	Caf      Caf    `json:"caf"`
	Matched  bool   `json:"matched"`
	MailSent bool   `json:"mail_sent"`
	Message  string `json:"message"`
}

// Caf names a Caf.
type Caf struct {
	Code string `json:"code"`
	Name string `json:"name"`
}

// Captcha is an issued captcha.
type Captcha struct {
	ID       string `json:"id"`
	ImageURL string `json:"image_url"`
	AudioURL string `json:"audio_url"`
}

// Commune is a commune offered for a postal code.
type Commune struct {
	INSEE       string   `json:"insee"`
	Name        string   `json:"name"`
	Department  string   `json:"department"`
	PostalCodes []string `json:"postal_codes"`
}

// LoginRequest opens a session.
type LoginRequest struct {
	Email    string `json:"email"`
	Password string `json:"password"`
}

// Account is the logged-in account, without any secret.
type Account struct {
	ID             string `json:"id"`
	Email          string `json:"email"`
	Role           string `json:"role"`
	FirstName      string `json:"first_name"`
	LastName       string `json:"last_name"`
	CafCode        string `json:"caf,omitempty"`
	ProfessionalID string `json:"professional_id,omitempty"`
	Disabled       bool   `json:"disabled,omitempty"`
}

// AccountOf converts a domain account, leaving every secret out.
func AccountOf(a *data.Account) *Account {
	return &Account{ID: a.ID, Email: a.Email, Role: string(a.Role), FirstName: a.FirstName,
		LastName: a.LastName, CafCode: a.CafCode, ProfessionalID: a.ProfessionalID, Disabled: a.Disabled}
}

// LoginResponse is the answer to a successful login.
type LoginResponse struct {
	Token              string        `json:"token,omitempty"`
	MustChangePassword bool          `json:"must_change_password"`
	Account            *Account      `json:"account"`
	Professional       *Professional `json:"professional,omitempty"`
	IdleTimeout        int           `json:"idle_timeout_seconds"`
}

// PasswordChange sets a new password; the answer is a LoginResponse with a
// new token (every other session ends).
type PasswordChange struct {
	CurrentPassword string `json:"current_password"`
	NewPassword     string `json:"new_password"`
}

// PasswordForgot asks for a code by mail.
type PasswordForgot struct {
	Email string `json:"email"`
}

// PasswordReset sets a new password with a mailed code.
type PasswordReset struct {
	Email       string `json:"email"`
	Code        string `json:"code"`
	NewPassword string `json:"new_password"`
}

// Message is an answer that only says something.
type Message struct {
	Message string `json:"message"`
}

// Page is one page of a list.
type Page[T any] struct {
	Total  int `json:"total"`
	Offset int `json:"offset"`
	Items  []T `json:"items"`
}

// Match ties a request to a professional.
type Match struct {
	ProfessionalID string `json:"professional_id"`
}

// LetterSent records the letter; with SendMail the service mails it.
type LetterSent struct {
	SendMail bool `json:"send_mail"`
}

// Reason carries the reason of a refusal, a suspension or a revocation.
type Reason struct {
	Reason string `json:"reason"`
}

// ValidateResponse answers a validation: the account created (never its
// password, which only the person receives).
type ValidateResponse struct {
	Request  *Request `json:"request"`
	Account  *Account `json:"account"`
	MailSent bool     `json:"mail_sent"`
}

// AuditEntry is one line of the audit log.
type AuditEntry struct {
	ID         int64     `json:"id"`
	At         time.Time `json:"at"`
	ActorID    string    `json:"actor_id,omitempty"`
	ActorName  string    `json:"actor"`
	CafCode    string    `json:"caf,omitempty"`
	Action     string    `json:"action"`
	TargetKind string    `json:"target_kind,omitempty"`
	TargetID   string    `json:"target_id,omitempty"`
	Detail     string    `json:"detail,omitempty"`
}

// AuditEntryOf converts a domain audit entry.
func AuditEntryOf(e *data.AuditEntry) AuditEntry {
	return AuditEntry{e.ID, e.At, e.ActorID, e.ActorName, e.CafCode, e.Action, e.TargetKind, e.TargetID, e.Detail}
}

// ImportChange is one change of a PMI list import.
type ImportChange struct {
	Kind         string        `json:"kind"`
	Line         int           `json:"line,omitempty"`
	Professional *Professional `json:"professional,omitempty"`
	Before       *Professional `json:"before,omitempty"`
	Fields       []string      `json:"fields,omitempty"`
	Reason       string        `json:"reason,omitempty"`
}

// ImportPreview is what an import would do (or, after apply, did).
type ImportPreview struct {
	Caf        string            `json:"caf"`
	File       string            `json:"file"`
	SHA256     string            `json:"sha256"`
	Format     string            `json:"format"`
	Encoding   string            `json:"encoding,omitempty"`
	Columns    map[string]string `json:"columns,omitempty"`
	Counts     map[string]int    `json:"counts"`
	Changes    []ImportChange    `json:"changes"`
	NeedsForce bool              `json:"needs_force"`
	Warning    string            `json:"warning,omitempty"`
	Applied    bool              `json:"applied"`
}

// PublicTab is one weekly or dated tab as parents see it.
type PublicTab struct {
	Label    string   `json:"label"`
	Date     string   `json:"date"`
	Kind     string   `json:"kind"` // "week" or "dated"
	Informed bool     `json:"informed"`
	Grid     []string `json:"grid,omitempty"` // a week: 7 days of 7 letters (D, N, T)
	Days     string   `json:"days,omitempty"` // a dated tab: 7 letters, Monday first
	Places   *int     `json:"places,omitempty"`
}

// PublicAvailability is exactly what parents see of a professional.
type PublicAvailability struct {
	Colour string      `json:"colour"`
	Tabs   []PublicTab `json:"tabs"`
}

// PublicAvailabilityOf converts the domain's public view.
func PublicAvailabilityOf(v data.PublicAvailability) PublicAvailability {
	out := PublicAvailability{Colour: string(v.Colour), Tabs: []PublicTab{}}
	for _, t := range v.Tabs {
		pt := PublicTab{Label: t.Label, Date: t.Date.String(), Kind: "week", Informed: t.Informed, Places: t.Places}
		if t.Kind == data.TabDated {
			pt.Kind = "dated"
		}
		if t.Grid != nil {
			enc := t.Grid.Encode()
			for d := 0; d < data.DaysPerWeek; d++ {
				pt.Grid = append(pt.Grid, enc[d*data.SlotsPerDay:(d+1)*data.SlotsPerDay])
			}
		}
		if t.Days != nil {
			pt.Days = t.Days.Encode()
		}
		out.Tabs = append(out.Tabs, pt)
	}
	return out
}

// ProfessionalFile is what the register shows of one professional: her
// fiche, her requests, her habilitation history and what parents see.
type ProfessionalFile struct {
	Professional *Professional      `json:"professional"`
	Requests     []*Request         `json:"requests"`
	History      []AuditEntry       `json:"history"`
	Public       PublicAvailability `json:"public"`
	Visible      bool               `json:"visible_to_parents"`
}
