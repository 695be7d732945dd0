package sqlstore

import (
	"context"
	"database/sql"
	"fmt"

	"espacepro/data"
)

// AppendAudit stores e; ID is set, and At when zero.
func (s *Store) AppendAudit(ctx context.Context, e *data.AuditEntry) error {
	if e.Action == "" {
		return data.Errorf(data.EINVALID, "Entrée de journal sans action.")
	}
	if e.At.IsZero() {
		e.At = s.now()
	}
	e.At = e.At.UTC().Truncate(1e6)
	err := s.QueryRow(ctx, `INSERT INTO audit (at, actor_id, actor_name, caf_code, action,
		target_kind, target_id, detail) VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		millis(e.At), e.ActorID, e.ActorName, e.CafCode, e.Action, e.TargetKind, e.TargetID,
		e.Detail).Scan(&e.ID)
	return s.wrap(err, "écriture du journal", "")
}

// FindAudit returns entries matching f, newest first, and the total.
func (s *Store) FindAudit(ctx context.Context, f data.AuditFilter) ([]*data.AuditEntry, int, error) {
	var w where
	if f.CafCode != "" {
		w.add("caf_code = ?", f.CafCode)
	}
	if f.ActorID != "" {
		w.add("actor_id = ?", f.ActorID)
	}
	if f.TargetID != "" {
		w.add("target_id = ?", f.TargetID)
	}
	if f.Action != "" {
		w.add("action = ?", f.Action)
	}
	if !f.Since.IsZero() {
		w.add("at >= ?", millis(f.Since))
	}
	if !f.Until.IsZero() {
		w.add("at < ?", millis(f.Until))
	}
	return findPage(ctx, s, scanAudit, `id, at, actor_id, actor_name, caf_code, action,
		target_kind, target_id, detail`, "audit", &w, "at DESC, id DESC", f.Offset, f.Limit)
}

func scanAudit(rows *sql.Rows) (*data.AuditEntry, error) {
	var e data.AuditEntry
	var at int64
	err := rows.Scan(&e.ID, &at, &e.ActorID, &e.ActorName, &e.CafCode, &e.Action,
		&e.TargetKind, &e.TargetID, &e.Detail)
	if err != nil {
		return nil, fmt.Errorf("sqlstore: scan audit: %w", err)
	}
	e.At = fromMillis(at)
	return &e, nil
}
