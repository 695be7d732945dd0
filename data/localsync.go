package data

import (
	"context"
	"time"
)

// SyncCursorKey is the sync-state key of the pull cursor: LocalSync writes
// it with each page it applies, and clears it when the scope is reset.
const SyncCursorKey = "cursor"

// PendingEdit is one local edit on its way to the outbox: the outbox entry
// (its payload is the mutation) and the new value of each field it changes
// (empty for an action on a request). The local copy protects those fields
// from pulls until the entry is acknowledged or refused.
type PendingEdit struct {
	Entry  OutboxEntry
	Fields map[string]string
}

// LocalConflict is a conflict record of the local copy, as the user is
// shown it: the service's conflict (see Conflict; its ID is the record's
// key) and whether she has seen it.
type LocalConflict struct {
	Conflict
	Seen bool
}

// LocalSync is the sync side of the desktop's local copy (DESIGN.md §3).
//
// The copy keeps the service's state of every record it holds (fields and
// their versions, as last pulled) apart from its local rows, which are that
// state with the pending local edits laid over it. So a pull never
// overwrites a field that still has an unacknowledged local edit, and once
// an edit is acknowledged or refused, its fields settle back to whatever the
// service holds (the edit's value when it won, the other one when it lost or
// was refused).
type LocalSync interface {
	// ApplyPulled applies one page of pulled records and stores cursor
	// (under SyncCursorKey), in one transaction: all or nothing. Fields
	// with a pending local edit keep their local value; tombstones
	// (Deleted) remove the local rows. A record whose field value is
	// invalid fails the whole page.
	ApplyPulled(ctx context.Context, records []Record, cursor string) error
	// SaveRecords applies records the service sent outside a pull (the
	// conflicts of a push result) like ApplyPulled, leaving the cursor.
	SaveRecords(ctx context.Context, records []Record) error
	// Settle brings the fields of acknowledged or refused edits back to
	// the service's state. Call it after a complete pull (has_more false),
	// when that state is current.
	Settle(ctx context.Context) error
	// FieldVersions returns the version of each field of a record as last
	// pulled; a field never pulled is absent (its base is 0).
	FieldVersions(ctx context.Context, entity, key string) (map[string]int64, error)
	// QueueEdits appends the edits to the outbox with the fields they
	// change, in ctx's transaction when there is one (see LocalStore.InTx):
	// callers write the local rows and queue the edits in one transaction.
	QueueEdits(ctx context.Context, edits []PendingEdit) error
	// ResetScope drops the local copy of the records and their versions and
	// clears the cursor (a resync), keeping the outbox, the rejected edits
	// and the rest of the sync state.
	ResetScope(ctx context.Context) error
	// FindConflicts returns the conflict records of the copy, newest first.
	FindConflicts(ctx context.Context) ([]LocalConflict, error)
	// CountConflicts returns how many conflict records were not seen yet.
	CountConflicts(ctx context.Context) (int, error)
	// MarkConflictsSeen records that the user saw those conflicts.
	MarkConflictsSeen(ctx context.Context, ids ...string) error
	// LocalError returns err, or, when it is a failure of the local file
	// that the user can act on (disk full, read-only file), an *Error with a
	// French message that says so and that nothing saved before is lost.
	LocalError(err error) error
}

// ConflictFromFields reads a conflict record's fields (see
// ConflictRecordFields); id is the record's key.
func ConflictFromFields(id string, f map[string]string) Conflict {
	at, _ := time.Parse(time.RFC3339, f["at"])
	return Conflict{ID: id, ProfessionalID: f["professional_id"], Entity: f["entity"], Key: f["key"],
		Field: f["field"], LostValue: f["lost_value"], KeptValue: f["kept_value"],
		LostBy: f["lost_by"], KeptBy: f["kept_by"], At: at}
}
