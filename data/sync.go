package data

import (
	"context"
	"time"
)

// ChangeAuthor says who makes the writes of a context: the stamp and name
// written as each changed field's author. Without one, the store stamps
// its writes with its own clock and the name "service".
type ChangeAuthor struct {
	Stamp HLC
	By    string // « Prénom Nom (poste …) », « Caf des Hauts-de-Seine »…
}

type changeAuthorKey struct{}

// WithChangeAuthor returns ctx with the author of its writes.
func WithChangeAuthor(ctx context.Context, a ChangeAuthor) context.Context {
	return context.WithValue(ctx, changeAuthorKey{}, a)
}

// ChangeAuthorFrom returns the author set by WithChangeAuthor.
func ChangeAuthorFrom(ctx context.Context) (ChangeAuthor, bool) {
	a, ok := ctx.Value(changeAuthorKey{}).(ChangeAuthor)
	return a, ok
}

// FieldStamp is what the service knows of a field's last change.
type FieldStamp struct {
	Version int64 // the Caf's sequence number of the change
	Stamp   HLC
	By      string
}

// Change is one entry of the change log: a record of a Caf written at
// sequence number Seq.
type Change struct {
	Seq            int64
	Entity, Key    string
	ProfessionalID string
	Deleted        bool
}

// RecordRef names one record of the sync protocol: its entity
// ("professional", "availability", "week", "dated", "request", "conflict")
// and its key.
type RecordRef struct {
	Entity, Key string
}

// SyncRecords is the state of a set of records read at once (see
// SyncService.ReadRecords).
type SyncRecords struct {
	Professionals map[string]*Professional // by ID
	// Globals holds the global colour of each professional whose
	// availability, week or dated tab was asked for (grey when none was
	// ever saved), by professional ID.
	Globals   map[string]Colour
	Weeks     map[string]Week  // by WeekKey
	Dated     map[string]Dated // by DatedKey
	Requests  map[string]*Request
	Conflicts map[string]*Conflict
	// Versions holds the version of each field of each record that has
	// field stamps (see FieldStamp.Version).
	Versions map[RecordRef]map[string]int64
}

// Conflict is a value that an edit overwrote, or that lost to a later edit
// of the same field: it is kept and shown to the people involved.
type Conflict struct {
	ID             string
	CafCode        string
	ProfessionalID string
	Entity, Key    string
	Field          string
	LostValue      string
	KeptValue      string
	LostBy, KeptBy string
	At             time.Time
}

// SyncService is the store's side of the sync protocol. Every write of a
// professional, her availability or a request records a Change in its
// Caf's sequence and the FieldStamp of each changed field, in the write's
// own transaction.
type SyncService interface {
	// FieldStamps returns the stamps of the fields of one record.
	FieldStamps(ctx context.Context, entity, key string) (map[string]FieldStamp, error)
	// ReadRecords reads the current state of the records refs name (a
	// page of the change log) and the versions of their fields, with a
	// few queries whatever their number: one per kind of record, not one
	// per record. A professional, request or conflict that does not
	// exist, or the professional of an availability, week or dated tab,
	// is ENOTFOUND, as their Find methods say; a week or dated tab never
	// saved is only absent from its map.
	ReadRecords(ctx context.Context, refs []RecordRef) (*SyncRecords, error)
	// Changes returns up to limit changes of a Caf after sequence since,
	// in order; only those of one professional when professionalID is set.
	Changes(ctx context.Context, cafCode, professionalID string, since int64, limit int) ([]Change, error)
	// MutationResult returns the answer recorded for mutation id,
	// ENOTFOUND when it was never applied.
	MutationResult(ctx context.Context, id string) (string, error)
	// SaveMutationResult records the answer to mutation id.
	SaveMutationResult(ctx context.Context, id, clientID, accountID, result string) error
	// AppendConflict stores c (ID and At set when empty) and records it as a
	// change of its Caf, so that it syncs to the people involved.
	AppendConflict(ctx context.Context, c *Conflict) error
	// FindConflict returns ENOTFOUND when there is none.
	FindConflict(ctx context.Context, id string) (*Conflict, error)
	// SaveAvailabilityOver stores a as AvailabilityService.SaveAvailability
	// does (checks, rows, change log), over the state the caller already
	// read in ctx's transaction, her records locked (LockProfessional):
	// before is that availability (it must hold the tabs a holds, if
	// saved), caf her Caf. It spares reading them a second time.
	SaveAvailabilityOver(ctx context.Context, caf string, before, a *Availability) error
	// LockProfessional locks a professional's records until the end of
	// ctx's transaction, so that the read, merge and write of a sync
	// mutation is not raced by another (a no-op where write transactions
	// already exclude each other).
	LockProfessional(ctx context.Context, id string) error
	// LockMutation keeps the other runs of mutation id out until release
	// is called, across every instance of the service.
	LockMutation(ctx context.Context, id string) (release func(), err error)
}

// ConflictRecordFields returns the fields of a conflict record.
func ConflictRecordFields(c *Conflict) map[string]string {
	return map[string]string{"entity": c.Entity, "key": c.Key, "field": c.Field,
		"lost_value": c.LostValue, "kept_value": c.KeptValue, "lost_by": c.LostBy, "kept_by": c.KeptBy,
		"at": c.At.UTC().Format(time.RFC3339Nano), "professional_id": c.ProfessionalID}
}
