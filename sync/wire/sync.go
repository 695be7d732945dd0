package wire

import "espacepro/data"

// The sync protocol between the desktop's local copy and the central
// service (DESIGN.md §3). Every edit is a Mutation kept in the desktop's
// outbox until the service acknowledges it; the service's state comes back
// as Records, pulled by a cursor.
//
// Entities and their fields (every value is a string on the wire):
//
//	availability  key = professional ID        fields: global (grey|red|green)
//	week          key = professional ID/Monday fields: use (0|1), places ("" or a number),
//	              (Monday as 2006-01-02)              c<day><slot> for day, slot in 0..6 (D|N|T)
//	dated         key = professional ID/date   fields: use, places, d<day> for day in 0..6 (D|N|T)
//	professional  key = professional ID        fields: see data.ProfessionalFields; a professional
//	                                           edits only data.EditableFields(her kind)
//	request       key = request ID             fields: see RequestFields (read-only); a Caf
//	                                           agent acts on it with Action mutations
//	conflict      key = conflict ID            fields: see ConflictFields (read-only)
//
// A field's version is the service's sequence number at its last change; a
// mutation gives, for each field, the version it was read at (its base).

// ProtocolVersion is the version of this protocol. A client that speaks an
// older one is answered EUPGRADE ("upgrade_required", 426).
const ProtocolVersion = 1

// Entity names.
const (
	EntityAvailability = "availability"
	EntityWeek         = "week"
	EntityDated        = "dated"
	EntityProfessional = "professional"
	EntityRequest      = "request"
	EntityConflict     = "conflict"
)

// Request actions a Caf agent can prepare offline.
const (
	ActionMatch      = "match"       // args: professional_id
	ActionLetterSent = "letter_sent" // args: send_mail ("true"/"false")
	ActionAgreement  = "agreement"
	ActionValidate   = "validate"
	ActionRefuse     = "refuse" // args: reason
)

// FieldEdit is the new value of one field and the version it was read at
// (0 when the client never saw the field).
type FieldEdit struct {
	Value string `json:"value"`
	Base  int64  `json:"base"`
}

// Mutation is one edit made on a desktop: field edits of one record, or an
// action on it. Its ID is its idempotency key: sent twice, it applies once.
type Mutation struct {
	ID       string               `json:"id"`        // UUIDv7
	ClientID string               `json:"client_id"` // the desktop copy that made it
	Seq      int64                `json:"seq"`       // that copy's own order
	Entity   string               `json:"entity"`
	Key      string               `json:"key"`
	Fields   map[string]FieldEdit `json:"fields,omitempty"`
	Action   string               `json:"action,omitempty"`
	Args     map[string]string    `json:"args,omitempty"`
	// HLC is the hybrid-logical-clock stamp of the edit (see data.HLC):
	// when two edits of one field conflict, the later stamp wins.
	HLC string `json:"hlc"`
}

// PushRequest sends mutations, oldest first.
type PushRequest struct {
	Protocol  int        `json:"protocol"`
	ClientID  string     `json:"client_id"`
	Mutations []Mutation `json:"mutations"`
}

// Push result statuses.
const (
	StatusApplied  = "applied"  // applied now, or already applied before (a retry)
	StatusRejected = "rejected" // can never apply: Code and Message say why; drop it from the outbox and show it
)

// PushResult answers one mutation.
type PushResult struct {
	ID      string `json:"id"`
	Status  string `json:"status"`
	Code    string `json:"code,omitempty"`
	Message string `json:"message,omitempty"`
	// Conflicts lists the values this mutation's fields lost or replaced
	// (they are in the conflict log too).
	Conflicts []Record `json:"conflicts,omitempty"`
}

// PushResponse answers a PushRequest, one result per mutation, in order.
type PushResponse struct {
	Results []PushResult `json:"results"`
	// ServerHLC is the service's clock: the client moves its own past it.
	ServerHLC string `json:"server_hlc"`
}

// Record is the service's current state of one record in the caller's
// scope: its fields and their versions, or a tombstone.
type Record = data.Record

// PullResponse is one page of changes after a cursor:
// GET /api/v1/sync/pull?protocol=1&since=CURSOR&limit=N.
type PullResponse struct {
	Records []Record `json:"records"`
	// Cursor is where the next pull starts; the client stores it in the
	// same transaction that applies the page.
	Cursor  string `json:"cursor"`
	HasMore bool   `json:"has_more"`
	// Resync: the caller's scope changed (or the cursor is not of it): the
	// client drops its copy of the scope and pulls again from the empty
	// cursor. Records is then empty.
	Resync    bool   `json:"resync,omitempty"`
	ServerHLC string `json:"server_hlc"`
}

// ConflictFields are the fields of a conflict record: what was lost, what
// was kept, and who made each edit.
var ConflictFields = []string{"entity", "key", "field", "lost_value", "kept_value", "lost_by", "kept_by", "at", "professional_id"}
