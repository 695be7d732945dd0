package data

import (
	"context"
	"time"
)

// AuditEntry is one line of the append-only audit log: who did what, when,
// on whom. It never holds a password, token or captcha answer.
type AuditEntry struct {
	ID         int64
	At         time.Time
	ActorID    string // account ID; empty for the system or the command line
	ActorName  string // e-mail or « administrateur (ligne de commande) »
	CafCode    string // the Caf the action concerns; empty for national actions
	Action     string // e.g. "request.validate", "import.apply", "agent.create"
	TargetKind string // "request", "professional", "account", "import"…
	TargetID   string
	Detail     string // free text: counts, a refusal reason, a file name
}

// AuditFilter selects audit entries. Zero fields do not filter.
type AuditFilter struct {
	CafCode       string
	ActorID       string
	TargetID      string
	Action        string
	Since, Until  time.Time // Since inclusive, Until exclusive
	Offset, Limit int
}

// AuditService appends to and reads the audit log. There is no way to change
// or delete an entry: the stores refuse it too.
type AuditService interface {
	// AppendAudit stores e; ID is set, and At when zero.
	AppendAudit(ctx context.Context, e *AuditEntry) error
	// FindAudit returns entries matching f, newest first, and the total.
	FindAudit(ctx context.Context, f AuditFilter) ([]*AuditEntry, int, error)
}
