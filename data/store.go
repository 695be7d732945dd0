package data

import (
	"context"
	"time"
)

// AvailabilityService stores availability.
type AvailabilityService interface {
	// FindAvailability returns a professional's availability: grey with no
	// tabs when nothing was ever saved; ENOTFOUND when there is no such
	// professional.
	FindAvailability(ctx context.Context, professionalID string) (*Availability, error)
	// SaveAvailability stores the global colour and every week and dated
	// tab of a, all or nothing: « Valider » saves all tabs at once. Tabs
	// that a does not hold are left as they are.
	SaveAvailability(ctx context.Context, a *Availability) error
}

// CentralStore is everything the central service keeps. It is implemented on
// SQLite (the embedded default) and on PostgreSQL, and one contract test
// suite runs against both.
type CentralStore interface {
	ProfessionalService
	AvailabilityService
	RequestService
	AccountService
	SessionService
	AuditService
	CodeService
	CaptchaService
	ThrottleService
	SyncService
	PublicSearchService
	// DeleteProfessionalSessions ends every session of every account of the
	// professionals ids (DeleteAccountSessions of each of their accounts)
	// and says how many there were.
	DeleteProfessionalSessions(ctx context.Context, ids []string) (int, error)
	// InTx runs fn in one transaction: every store call made with the
	// context fn receives joins it, and an error from fn, or a panic, rolls
	// all of it back. A call of InTx inside fn joins the outer transaction.
	InTx(ctx context.Context, fn func(ctx context.Context) error) error
	// Ping checks that the database answers.
	Ping(ctx context.Context) error
	// Close releases the store.
	Close() error
}

// OutboxEntry is one local edit waiting to be sent to the central service.
type OutboxEntry struct {
	Seq       int64  // local order, set by the store
	ID        string // mutation ID (UUIDv7): the idempotency key
	Entity    string // "availability", "professional", "request"…
	Key       string // the record's key
	Payload   []byte // the mutation as the sync protocol encodes it
	CreatedAt time.Time
	Attempts  int
	LastError string
}

// RejectedMutation is a local edit the central service refused for good; it
// is kept to be shown to the user, with the reason.
type RejectedMutation struct {
	OutboxEntry
	Code       string
	Message    string
	RejectedAt time.Time
}

// LocalStore is the desktop's local copy: what its user may see, and the
// outbox of edits not yet acknowledged by the central service. Every edit
// writes the local rows and its outbox entries in one transaction.
type LocalStore interface {
	// SaveAvailability writes a to the local copy and appends out to the
	// outbox, in one transaction.
	SaveAvailability(ctx context.Context, a *Availability, out []OutboxEntry) error
	// FindAvailability reads the local copy (see AvailabilityService).
	FindAvailability(ctx context.Context, professionalID string) (*Availability, error)
	// SaveProfessional writes p to the local copy and appends out to the
	// outbox, in one transaction (out may be empty for a pulled copy).
	SaveProfessional(ctx context.Context, p *Professional, out []OutboxEntry) error
	// FindProfessionalByID reads the local copy; ENOTFOUND when absent.
	FindProfessionalByID(ctx context.Context, id string) (*Professional, error)
	// FindProfessionals searches the local copy (a Caf agent's register).
	FindProfessionals(ctx context.Context, f ProfessionalFilter) ([]*Professional, int, error)
	// FindRequestByID reads a request of the local copy (a Caf agent's);
	// ENOTFOUND when absent.
	FindRequestByID(ctx context.Context, id string) (*Request, error)
	// FindRequests searches the requests of the local copy, newest first,
	// and returns the page and the total count (see RequestService).
	FindRequests(ctx context.Context, f RequestFilter) ([]*Request, int, error)
	// PendingOutbox returns up to limit entries, oldest first.
	PendingOutbox(ctx context.Context, limit int) ([]OutboxEntry, error)
	// CountOutbox returns the number of entries waiting.
	CountOutbox(ctx context.Context) (int, error)
	// AckOutbox deletes acknowledged entries; unknown IDs are ignored.
	AckOutbox(ctx context.Context, ids ...string) error
	// FailOutbox records a failed attempt to send entry id, keeping it.
	FailOutbox(ctx context.Context, id, message string) error
	// RejectOutbox moves entry id out of the outbox into the rejected list.
	RejectOutbox(ctx context.Context, id, code, message string) error
	// FindRejected returns the rejected entries, newest first.
	FindRejected(ctx context.Context) ([]RejectedMutation, error)
	// SyncState reads a value of the sync state ("" when unset).
	SyncState(ctx context.Context, key string) (string, error)
	// SetSyncState writes a value of the sync state.
	SetSyncState(ctx context.Context, key, value string) error
	// InTx runs fn in one transaction (see CentralStore.InTx).
	InTx(ctx context.Context, fn func(ctx context.Context) error) error
	// Close releases the store.
	Close() error
}
