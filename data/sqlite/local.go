package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"espacepro/data"
	"espacepro/data/sqlstore"
)

// Local is the desktop's local copy. It holds the central schema (so that
// one code path reads and writes the user's rows on both sides) and its own
// tables: the outbox, the rejected edits and the sync state.
type Local struct {
	core *sqlstore.Store
}

var _ data.LocalStore = (*Local)(nil)

// localStmtCache is how many prepared statements each connection of the
// local copy keeps: the few statements a pulled page runs for each of its
// records (and the screens' reads) are prepared once, not once a record.
// Texts built on the fly (a search's paging) come and go in it.
const localStmtCache = 128

// OpenLocal opens (creating it if needed) the local copy at path and brings
// its schema up to date.
func OpenLocal(ctx context.Context, path string) (*Local, error) {
	db, err := open(path, localStmtCache)
	if err != nil {
		return nil, err
	}
	for _, m := range []struct{ dir, table string }{
		{"migrations/central", "schema_migrations"},
		{"migrations/local", "local_migrations"},
	} {
		if _, err := sqlstore.Migrate(ctx, db, migrations, m.dir, m.table); err != nil {
			db.Close()
			return nil, fmt.Errorf("sqlite: %s: %w", path, err)
		}
	}
	core := sqlstore.New(db, Dialect)
	core.DisableChangeLog()
	return &Local{core: core}, nil
}

// SetNow replaces the clock, for tests.
func (l *Local) SetNow(now func() time.Time) { l.core.Now = now }

// Close closes the database.
func (l *Local) Close() error { return l.core.Close() }

// InTx runs fn in one transaction.
func (l *Local) InTx(ctx context.Context, fn func(ctx context.Context) error) error {
	return l.core.InTx(ctx, fn)
}

// SaveAvailability writes a and appends out, in one transaction. The
// professional's row must be in the local copy.
func (l *Local) SaveAvailability(ctx context.Context, a *data.Availability, out []data.OutboxEntry) error {
	return l.core.InTx(ctx, func(ctx context.Context) error {
		if err := l.core.SaveAvailability(ctx, a); err != nil {
			return err
		}
		return l.appendOutbox(ctx, out)
	})
}

// FindAvailability reads the local copy.
func (l *Local) FindAvailability(ctx context.Context, professionalID string) (*data.Availability, error) {
	return l.core.FindAvailability(ctx, professionalID)
}

// SaveProfessional inserts or replaces p in the local copy, keeping its ID
// and times (they come from the central service), and appends out, in one
// transaction.
func (l *Local) SaveProfessional(ctx context.Context, p *data.Professional, out []data.OutboxEntry) error {
	if p.ID == "" {
		return data.Errorf(data.EINVALID, "Fiche sans identifiant : elle doit venir du service central.")
	}
	return l.core.InTx(ctx, func(ctx context.Context) error {
		if err := l.core.InsertProfessional(ctx, p, true); err != nil {
			return err
		}
		return l.appendOutbox(ctx, out)
	})
}

// FindProfessionalByID reads the local copy.
func (l *Local) FindProfessionalByID(ctx context.Context, id string) (*data.Professional, error) {
	return l.core.FindProfessionalByID(ctx, id)
}

// FindProfessionals searches the local copy.
func (l *Local) FindProfessionals(ctx context.Context, f data.ProfessionalFilter) ([]*data.Professional, int, error) {
	return l.core.FindProfessionals(ctx, f)
}

func (l *Local) appendOutbox(ctx context.Context, out []data.OutboxEntry) error {
	now := l.core.Now().UTC()
	for i := range out {
		e := &out[i]
		if e.ID == "" || e.Entity == "" {
			return data.Errorf(data.EINVALID, "Modification locale sans identifiant.")
		}
		if e.CreatedAt.IsZero() {
			e.CreatedAt = now
		}
		err := l.core.QueryRow(ctx, `INSERT INTO outbox (id, entity, key, payload, created_at)
			VALUES (?, ?, ?, ?, ?) RETURNING seq`, e.ID, e.Entity, e.Key, e.Payload,
			e.CreatedAt.UnixMilli()).Scan(&e.Seq)
		if Dialect.IsUniqueViolation(err) {
			return data.Errorf(data.ECONFLICT, "Modification locale déjà enregistrée.")
		} else if err != nil {
			return fmt.Errorf("sqlite: outbox: %w", err)
		}
	}
	return nil
}

const outboxColumns = `seq, id, entity, key, payload, created_at, attempts, last_error`

func scanOutbox(rows *sql.Rows, extra ...any) (data.OutboxEntry, error) {
	var e data.OutboxEntry
	var created int64
	dest := append([]any{&e.Seq, &e.ID, &e.Entity, &e.Key, &e.Payload, &created, &e.Attempts, &e.LastError}, extra...)
	if err := rows.Scan(dest...); err != nil {
		return e, fmt.Errorf("sqlite: scan outbox: %w", err)
	}
	e.CreatedAt = time.UnixMilli(created).UTC()
	return e, nil
}

// PendingOutbox returns up to limit entries, oldest first; all of them when
// limit is 0.
func (l *Local) PendingOutbox(ctx context.Context, limit int) ([]data.OutboxEntry, error) {
	if limit <= 0 {
		limit = -1 // SQLite: no limit
	}
	rows, err := l.core.Query(ctx, `SELECT `+outboxColumns+` FROM outbox ORDER BY seq LIMIT ?`, limit)
	if err != nil {
		return nil, fmt.Errorf("sqlite: outbox: %w", err)
	}
	defer rows.Close()
	var list []data.OutboxEntry
	for rows.Next() {
		e, err := scanOutbox(rows)
		if err != nil {
			return nil, err
		}
		list = append(list, e)
	}
	return list, rows.Err()
}

// CountOutbox returns the number of entries waiting.
func (l *Local) CountOutbox(ctx context.Context) (int, error) {
	var n int
	err := l.core.QueryRow(ctx, `SELECT COUNT(*) FROM outbox`).Scan(&n)
	return n, err
}

// AckOutbox deletes acknowledged entries.
func (l *Local) AckOutbox(ctx context.Context, ids ...string) error {
	return l.core.InTx(ctx, func(ctx context.Context) error {
		for _, id := range ids {
			if _, err := l.core.Exec(ctx, `DELETE FROM outbox WHERE id = ?`, id); err != nil {
				return fmt.Errorf("sqlite: outbox ack: %w", err)
			}
		}
		return nil
	})
}

// FailOutbox records a failed attempt to send entry id.
func (l *Local) FailOutbox(ctx context.Context, id, message string) error {
	res, err := l.core.Exec(ctx, `UPDATE outbox SET attempts = attempts + 1, last_error = ? WHERE id = ?`, message, id)
	if err != nil {
		return fmt.Errorf("sqlite: outbox: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return outboxNotFound()
	}
	return nil
}

func outboxNotFound() error { return data.Errorf(data.ENOTFOUND, "Modification locale introuvable.") }

// RejectOutbox moves entry id into the rejected list.
func (l *Local) RejectOutbox(ctx context.Context, id, code, message string) error {
	return l.core.InTx(ctx, func(ctx context.Context) error {
		res, err := l.core.Exec(ctx, `INSERT INTO rejected (id, seq, entity, key, payload, created_at,
			attempts, last_error, code, message, rejected_at)
			SELECT id, seq, entity, key, payload, created_at, attempts, last_error, ?, ?, ?
			FROM outbox WHERE id = ?`, code, message, l.core.Now().UTC().UnixMilli(), id)
		if err != nil {
			return fmt.Errorf("sqlite: reject: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return outboxNotFound()
		}
		_, err = l.core.Exec(ctx, `DELETE FROM outbox WHERE id = ?`, id)
		return err
	})
}

// FindRejected returns the rejected entries, newest first.
func (l *Local) FindRejected(ctx context.Context) ([]data.RejectedMutation, error) {
	rows, err := l.core.Query(ctx, `SELECT `+outboxColumns+`, code, message, rejected_at
		FROM rejected ORDER BY rejected_at DESC, seq DESC`)
	if err != nil {
		return nil, fmt.Errorf("sqlite: rejected: %w", err)
	}
	defer rows.Close()
	var list []data.RejectedMutation
	for rows.Next() {
		var r data.RejectedMutation
		var at int64
		if r.OutboxEntry, err = scanOutbox(rows, &r.Code, &r.Message, &at); err != nil {
			return nil, err
		}
		r.RejectedAt = time.UnixMilli(at).UTC()
		list = append(list, r)
	}
	return list, rows.Err()
}

// SyncState reads a value of the sync state ("" when unset).
func (l *Local) SyncState(ctx context.Context, key string) (string, error) {
	var v string
	err := l.core.QueryRow(ctx, `SELECT value FROM sync_state WHERE key = ?`, key).Scan(&v)
	if err == sql.ErrNoRows {
		return "", nil
	}
	return v, err
}

// SetSyncState writes a value of the sync state.
func (l *Local) SetSyncState(ctx context.Context, key, value string) error {
	_, err := l.core.Exec(ctx, `INSERT INTO sync_state (key, value) VALUES (?, ?)
		ON CONFLICT (key) DO UPDATE SET value = excluded.value`, key, value)
	return err
}
