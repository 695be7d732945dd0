package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"hash/fnv"
	"sync"

	"espacepro/data"

	"github.com/google/uuid"
)

// DisableChangeLog stops the store from recording changes: the desktop's
// local copy keeps the service's versions, not its own.
func (s *Store) DisableChangeLog() { s.untracked = true }

// author returns who makes the writes of ctx.
func (s *Store) author(ctx context.Context) data.ChangeAuthor {
	if a, ok := data.ChangeAuthorFrom(ctx); ok {
		return a
	}
	return data.ChangeAuthor{Stamp: data.HLC{Wall: s.now().UnixMilli(), Node: "service"}, By: "service"}
}

// nextSeq takes the next number of a Caf's sequence. The counter row stays
// locked until the transaction ends, so numbers commit in order.
func (s *Store) nextSeq(ctx context.Context, caf string) (int64, error) {
	var seq int64
	err := s.QueryRow(ctx, `INSERT INTO seq_counters (caf_code, value) VALUES (?, 1)
		ON CONFLICT (caf_code) DO UPDATE SET value = seq_counters.value + 1 RETURNING value`, caf).Scan(&seq)
	return seq, s.wrap(err, "numérotation des changements", "")
}

// recordChange logs a write of a record in ctx's transaction: a change in
// its Caf's sequence and the stamp of each field whose value differs
// between before and after.
func (s *Store) recordChange(ctx context.Context, caf, professionalID, entity, key string, before, after map[string]string, deleted bool) error {
	if s.untracked {
		return nil
	}
	changed := data.ChangedFields(before, after)
	if len(changed) == 0 && !deleted {
		return nil
	}
	seq, err := s.nextSeq(ctx, caf)
	if err != nil {
		return err
	}
	if _, err := s.Exec(ctx, `INSERT INTO change_log (caf_code, seq, professional_id, entity, key, deleted)
		VALUES (?, ?, ?, ?, ?, ?)`, caf, seq, professionalID, entity, key, deleted); err != nil {
		return s.wrap(err, "journal des changements", "")
	}
	a := s.author(ctx)
	for _, f := range changed {
		if _, err := s.Exec(ctx, `INSERT INTO field_stamps (entity, key, field, version, stamp, by_name)
			VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (entity, key, field) DO UPDATE SET
			version = excluded.version, stamp = excluded.stamp, by_name = excluded.by_name`,
			entity, key, f, seq, a.Stamp.String(), a.By); err != nil {
			return s.wrap(err, "versions des champs", "")
		}
	}
	return nil
}

// LockProfessional locks the row of professional id until the end of ctx's
// transaction, so that the read, merge and write of a sync mutation on her
// records is not raced by another one (PostgreSQL's read committed lets two
// transactions read the same state and write over each other; a guarded
// update would refuse the second edit instead of merging it). On SQLite,
// whose write transactions take the write lock as they begin, and outside
// a transaction, it does nothing. A missing professional is no error.
func (s *Store) LockProfessional(ctx context.Context, id string) error {
	if _, inTx := ctx.Value(txKey{}).(*sql.Tx); !inTx || s.dialect.Name != "postgres" {
		return nil
	}
	var got string
	err := s.QueryRow(ctx, `SELECT id FROM professionals WHERE id = ? FOR UPDATE`, id).Scan(&got)
	if errors.Is(err, sql.ErrNoRows) {
		return nil
	}
	return s.wrap(err, "verrouillage de la fiche", "")
}

// LockMutation keeps other runs of mutation id out until release is called:
// the copies of one push that reach the service at the same time (a retry
// while the first try still runs, on this instance or another) then apply
// it once, one after the other. On PostgreSQL it is a session advisory
// lock, on a connection of its own (released with it, and by the server
// if the process dies), so that the mutation's own transactions and mails
// run outside it; on SQLite, served by one process, a lock in memory.
func (s *Store) LockMutation(ctx context.Context, id string) (release func(), err error) {
	if s.dialect.Name != "postgres" {
		return mutationLocks.lock(mutationLockKey{s.db, id}), nil
	}
	conn, err := s.db.Conn(ctx)
	if err != nil {
		return nil, s.wrap(err, "verrouillage de la modification", "")
	}
	h := fnv.New64a()
	h.Write([]byte("mutation:" + id))
	key := int64(h.Sum64())
	if _, err := conn.ExecContext(ctx, `SELECT pg_advisory_lock($1)`, key); err != nil {
		conn.Close()
		return nil, s.wrap(err, "verrouillage de la modification", "")
	}
	return func() {
		_, _ = conn.ExecContext(context.Background(), `SELECT pg_advisory_unlock($1)`, key)
		conn.Close()
	}, nil
}

type mutationLockKey struct {
	db *sql.DB
	id string
}

// keyedMutex is a mutex per key, kept while someone holds or waits for it.
type keyedMutex struct {
	mu sync.Mutex
	m  map[mutationLockKey]*keyedEntry
}

type keyedEntry struct {
	mu    sync.Mutex
	users int
}

var mutationLocks = &keyedMutex{m: map[mutationLockKey]*keyedEntry{}}

func (k *keyedMutex) lock(key mutationLockKey) (release func()) {
	k.mu.Lock()
	e := k.m[key]
	if e == nil {
		e = &keyedEntry{}
		k.m[key] = e
	}
	e.users++
	k.mu.Unlock()
	e.mu.Lock()
	return func() {
		e.mu.Unlock()
		k.mu.Lock()
		if e.users--; e.users == 0 {
			delete(k.m, key)
		}
		k.mu.Unlock()
	}
}

// FieldStamps returns the stamps of the fields of one record.
func (s *Store) FieldStamps(ctx context.Context, entity, key string) (map[string]data.FieldStamp, error) {
	rows, err := s.Query(ctx, `SELECT field, version, stamp, by_name FROM field_stamps WHERE entity = ? AND key = ?`, entity, key)
	if err != nil {
		return nil, s.wrap(err, "versions des champs", "")
	}
	defer rows.Close()
	out := map[string]data.FieldStamp{}
	for rows.Next() {
		var field, stamp string
		var fs data.FieldStamp
		if err := rows.Scan(&field, &fs.Version, &stamp, &fs.By); err != nil {
			return nil, fmt.Errorf("sqlstore: scan field stamp: %w", err)
		}
		if fs.Stamp, err = data.ParseHLC(stamp); err != nil {
			return nil, err
		}
		out[field] = fs
	}
	return out, rows.Err()
}

// Changes returns up to limit changes of a Caf after since, in order.
func (s *Store) Changes(ctx context.Context, caf, professionalID string, since int64, limit int) ([]data.Change, error) {
	var w where
	w.add("caf_code = ?", caf)
	w.add("seq > ?", since)
	if professionalID != "" {
		w.add("professional_id = ?", professionalID)
	}
	return queryList(ctx, s, func(rows *sql.Rows) (data.Change, error) {
		var c data.Change
		err := rows.Scan(&c.Seq, &c.Entity, &c.Key, &c.ProfessionalID, &c.Deleted)
		return c, err
	}, s.page(`SELECT seq, entity, key, professional_id, deleted FROM change_log`+w.String()+` ORDER BY seq`, 0, limit), w.args...)
}

// MutationResult returns the answer recorded for a mutation.
func (s *Store) MutationResult(ctx context.Context, id string) (string, error) {
	var result string
	err := s.QueryRow(ctx, `SELECT result FROM mutations_applied WHERE id = ?`, id).Scan(&result)
	return result, s.wrap(err, "Modification inconnue.", "")
}

// SaveMutationResult records the answer to a mutation.
func (s *Store) SaveMutationResult(ctx context.Context, id, clientID, accountID, result string) error {
	_, err := s.Exec(ctx, `INSERT INTO mutations_applied (id, client_id, account_id, result, applied_at)
		VALUES (?, ?, ?, ?, ?)`, id, clientID, accountID, result, millis(s.now()))
	return s.wrap(err, "enregistrement de la modification", "Modification déjà appliquée.")
}

// AppendConflict stores a conflict and logs it as a change of its Caf.
func (s *Store) AppendConflict(ctx context.Context, c *data.Conflict) error {
	if c.ID == "" {
		id, err := uuid.NewV7()
		if err != nil {
			return err
		}
		c.ID = id.String()
	}
	if c.At.IsZero() {
		c.At = s.now()
	}
	return s.InTx(ctx, func(ctx context.Context) error {
		if _, err := s.Exec(ctx, `INSERT INTO conflict_log (id, caf_code, professional_id, entity, key, field,
			lost_value, kept_value, lost_by, kept_by, at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			c.ID, c.CafCode, c.ProfessionalID, c.Entity, c.Key, c.Field, c.LostValue, c.KeptValue,
			c.LostBy, c.KeptBy, millis(c.At)); err != nil {
			return s.wrap(err, "journal des conflits", "")
		}
		return s.recordChange(ctx, c.CafCode, c.ProfessionalID, "conflict", c.ID, nil, data.ConflictRecordFields(c), false)
	})
}

// FindConflict returns ENOTFOUND when there is none.
func (s *Store) FindConflict(ctx context.Context, id string) (*data.Conflict, error) {
	return queryOne(ctx, s, func(rows *sql.Rows) (*data.Conflict, error) {
		var c data.Conflict
		var at int64
		err := rows.Scan(&c.ID, &c.CafCode, &c.ProfessionalID, &c.Entity, &c.Key, &c.Field,
			&c.LostValue, &c.KeptValue, &c.LostBy, &c.KeptBy, &at)
		c.At = fromMillis(at)
		return &c, err
	}, data.Errorf(data.ENOTFOUND, "Conflit introuvable."), `SELECT id, caf_code, professional_id, entity, key,
		field, lost_value, kept_value, lost_by, kept_by, at FROM conflict_log WHERE id = ?`, id)
}
