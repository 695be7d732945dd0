package data

import (
	"context"
	"time"
)

// Role says what an account may do.
type Role string

// The four roles.
const (
	RoleChildminder Role = "assistant_maternel" // an assistant(e) maternel(le)
	RoleStructure   Role = "structure"          // a crèche or other structure
	RoleAgent       Role = "agent_caf"          // a Caf agent: her own Caf only
	RoleAdmin       Role = "administrateur"     // national administrator
)

// Valid reports whether r is a known role.
func (r Role) Valid() bool {
	return r == RoleChildminder || r == RoleStructure || r == RoleAgent || r == RoleAdmin
}

// IsProfessional reports whether r is the role of a childminder or a
// structure, whose account is tied to a Professional.
func (r Role) IsProfessional() bool { return r == RoleChildminder || r == RoleStructure }

// Account is a person who can log in. Only the hash of a password is ever
// stored; nothing in an Account is ever shown to a Caf but the name, e-mail
// and states.
type Account struct {
	ID                string
	Email             string // normalised (see NormalizeEmail); unique
	Role              Role
	ProfessionalID    string // for a childminder or a structure
	CafCode           string // the Caf of an agent, or of the professional
	FirstName         string
	LastName          string
	PasswordHash      string    // argon2id or bcrypt, in its encoded form
	PasswordGenerated bool      // the password was generated: it only lets its owner set a new one
	PasswordExpiresAt time.Time // a generated password's end of validity; zero for none
	Disabled          bool
	FailedLogins      int
	LockedUntil       time.Time
	LastLoginAt       time.Time
	CreatedAt         time.Time
	UpdatedAt         time.Time
}

// Validate checks an account before it is stored.
func (a *Account) Validate() error {
	f := FieldErrors{}
	if err := ValidateEmail(a.Email); err != nil {
		f.Add("email", ErrorMessage(err))
	} else if a.Email != NormalizeEmail(a.Email) {
		f.Add("email", "L'adresse électronique doit être enregistrée en minuscules.")
	}
	if !a.Role.Valid() {
		f.Add("role", "Rôle inconnu.")
	}
	if a.Role.IsProfessional() && a.ProfessionalID == "" {
		f.Add("professional_id", "Un compte professionnel doit être rattaché à une fiche.")
	}
	if a.Role == RoleAgent && a.CafCode == "" {
		f.Add("caf", "Un agent doit être rattaché à une Caf.")
	}
	return f.Err()
}

// AccountFilter selects accounts. Zero fields do not filter.
type AccountFilter struct {
	CafCode        string
	ProfessionalID string
	Role           Role
	Offset, Limit  int
}

// AccountService stores accounts.
type AccountService interface {
	// CreateAccount stores a new account; ID and times are set. An e-mail
	// already used gives ECONFLICT.
	CreateAccount(ctx context.Context, a *Account) error
	// UpdateAccount replaces the stored account a.ID, guarded like
	// UpdateProfessional by a.UpdatedAt.
	UpdateAccount(ctx context.Context, a *Account) error
	// FindAccountByID returns ENOTFOUND when there is none.
	FindAccountByID(ctx context.Context, id string) (*Account, error)
	// FindAccountByEmail looks the normalised address up; ENOTFOUND when
	// there is none.
	FindAccountByEmail(ctx context.Context, email string) (*Account, error)
	// FindAccounts returns the accounts matching f, by e-mail, and the total.
	FindAccounts(ctx context.Context, f AccountFilter) ([]*Account, int, error)
}

// Session lengths (SPEC §4, ASVS §7.3 L2).
const (
	SessionIdle     = 30 * time.Minute
	SessionAbsolute = 12 * time.Hour
)

// Session is a logged-in session. Its ID is the hash of the token the client
// holds: the token itself is never stored.
type Session struct {
	ID         string // hex SHA-256 of the bearer token
	AccountID  string
	CreatedAt  time.Time
	LastSeenAt time.Time
	// Restricted: opened with a generated password, the session only lets
	// its owner set a new password (ASVS 6.4.1).
	Restricted bool
}

// Expired reports whether s is over at now: 30 minutes without use, or 12
// hours after it began.
func (s *Session) Expired(now time.Time) bool {
	return now.Sub(s.LastSeenAt) >= SessionIdle || now.Sub(s.CreatedAt) >= SessionAbsolute
}

// SessionService stores sessions; shared by every instance of the service.
type SessionService interface {
	// CreateSession stores s.
	CreateSession(ctx context.Context, s *Session) error
	// FindSession returns ENOTFOUND when there is none (expired or not).
	FindSession(ctx context.Context, id string) (*Session, error)
	// TouchSession records a use of session id at time at.
	TouchSession(ctx context.Context, id string, at time.Time) error
	// DeleteSession ends one session; no error when it is already gone.
	DeleteSession(ctx context.Context, id string) error
	// DeleteAccountSessions ends every session of an account (logout
	// everywhere, password change) and says how many there were.
	DeleteAccountSessions(ctx context.Context, accountID string) (int, error)
	// DeleteExpiredSessions removes the sessions over at now.
	DeleteExpiredSessions(ctx context.Context, now time.Time) (int, error)
}
