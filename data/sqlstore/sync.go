package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"hash/fnv"
	"slices"
	"strings"
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
	if len(changed) == 0 {
		return nil // a tombstone only
	}
	// The stamps of every changed field in one statement (ChangedFields
	// names each field once, as an upsert of several rows needs).
	a := s.author(ctx)
	stamp := a.Stamp.String()
	args := make([]any, 0, 6*len(changed))
	for _, f := range changed {
		args = append(args, entity, key, f, seq, stamp, a.By)
	}
	if _, err := s.Exec(ctx, `INSERT INTO field_stamps (entity, key, field, version, stamp, by_name) VALUES `+
		strings.TrimSuffix(strings.Repeat("(?, ?, ?, ?, ?, ?), ", len(changed)), ", ")+`
		ON CONFLICT (entity, key, field) DO UPDATE SET
		version = excluded.version, stamp = excluded.stamp, by_name = excluded.by_name`, args...); err != nil {
		return s.wrap(err, "versions des champs", "")
	}
	return nil
}

// SaveAvailabilityOver stores a over before, the state the caller read in
// ctx's transaction (see data.SyncService): SaveAvailability without its
// reads.
func (s *Store) SaveAvailabilityOver(ctx context.Context, caf string, before, a *data.Availability) error {
	if err := ValidateAvailability(a); err != nil {
		return err
	}
	if before == nil || before.ProfessionalID != a.ProfessionalID {
		return fmt.Errorf("sqlstore: SaveAvailabilityOver: the state before is not of %s", a.ProfessionalID)
	}
	return s.InTx(ctx, func(ctx context.Context) error {
		if err := s.WriteAvailability(ctx, a); err != nil {
			return err
		}
		return s.recordAvailability(ctx, caf, before, a)
	})
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
	return queryOne(ctx, s, scanConflict, conflictNotFound(),
		`SELECT `+conflictColumns+` FROM conflict_log WHERE id = ?`, id)
}

// conflictColumns are the columns scanConflict reads, in its order.
const conflictColumns = `id, caf_code, professional_id, entity, key, field, lost_value, kept_value,
	lost_by, kept_by, at`

// conflictNotFound is FindConflict's answer when there is none.
func conflictNotFound() error { return data.Errorf(data.ENOTFOUND, "Conflit introuvable.") }

// scanConflict reads a row of conflictColumns.
func scanConflict(rows *sql.Rows) (*data.Conflict, error) {
	var c data.Conflict
	var at int64
	err := rows.Scan(&c.ID, &c.CafCode, &c.ProfessionalID, &c.Entity, &c.Key, &c.Field,
		&c.LostValue, &c.KeptValue, &c.LostBy, &c.KeptBy, &at)
	c.At = fromMillis(at)
	return &c, err
}

// inChunk is the most values one IN list of ReadRecords holds; a longer
// list is read in several queries.
const inChunk = 1024

// inList returns the placeholders « (?, ?, …) » of an IN list of vals and
// its arguments. The list is padded, with copies of its last value, to the
// next power of two (8 at least), so that the statements of every page
// have a handful of distinct texts: PostgreSQL's driver prepares and caches
// statements by text, and the store keeps each text's rebound form.
func inList(vals []string) (string, []any) {
	if len(vals) == 0 {
		return "(NULL)", nil // matches nothing
	}
	n := 8
	for n < len(vals) {
		n *= 2
	}
	args := make([]any, n)
	for i := range args {
		args[i] = vals[min(i, len(vals)-1)]
	}
	return "(" + strings.TrimSuffix(strings.Repeat("?, ", n), ", ") + ")", args
}

// chunks splits vals into slices of at most inChunk values.
func chunks(vals []string) [][]string {
	var out [][]string
	for len(vals) > inChunk {
		out = append(out, vals[:inChunk])
		vals = vals[inChunk:]
	}
	if len(vals) > 0 {
		out = append(out, vals)
	}
	return out
}

// eachRow runs query (whose « %s » markers are replaced by the IN lists of
// lists, in order, after the leading args) and calls scan on each row.
func (s *Store) eachRow(ctx context.Context, what, query string, args []any, lists [][]string, scan func(*sql.Rows) error) error {
	marks := make([]any, len(lists))
	for i, l := range lists {
		var more []any
		marks[i], more = inList(l)
		args = append(args, more...)
	}
	rows, err := s.Query(ctx, fmt.Sprintf(query, marks...), args...)
	if err != nil {
		return s.wrap(err, what, "")
	}
	defer rows.Close()
	for rows.Next() {
		if err := scan(rows); err != nil {
			return err
		}
	}
	return s.wrap(rows.Err(), what, "")
}

// dateRef is a week or dated tab asked for: its professional and date.
type dateRef struct {
	id  string
	day data.Date
}

// ReadRecords reads a page's records in bulk (see data.SyncService).
func (s *Store) ReadRecords(ctx context.Context, refs []data.RecordRef) (*data.SyncRecords, error) {
	out := &data.SyncRecords{Professionals: map[string]*data.Professional{}, Globals: map[string]data.Colour{},
		Weeks: map[string]data.Week{}, Dated: map[string]data.Dated{}, Requests: map[string]*data.Request{},
		Conflicts: map[string]*data.Conflict{}, Versions: map[data.RecordRef]map[string]int64{}}
	// The keys asked for, by entity, each once and in the order asked.
	keys := map[string][]string{}
	seen := map[data.RecordRef]bool{}
	var owners []string // of availability, weeks and dated tabs
	seenOwner := map[string]bool{}
	weeks, dated := map[dateRef]string{}, map[dateRef]string{}
	for _, r := range refs {
		if seen[r] {
			continue
		}
		seen[r] = true
		keys[r.Entity] = append(keys[r.Entity], r.Key)
		owner := r.Key
		switch r.Entity {
		case "professional", "request", "conflict", "availability":
		case "week", "dated":
			id, day, err := data.SplitDateKey(r.Key)
			if err != nil {
				return nil, err
			}
			owner = id
			if r.Entity == "week" {
				weeks[dateRef{id, day}] = r.Key
			} else {
				dated[dateRef{id, day}] = r.Key
			}
		default:
			return nil, fmt.Errorf("sqlstore: unknown entity %q", r.Entity)
		}
		if r.Entity != "professional" && r.Entity != "request" && r.Entity != "conflict" && !seenOwner[owner] {
			seenOwner[owner] = true
			owners = append(owners, owner)
		}
	}
	for _, list := range chunks(keys["professional"]) {
		err := s.eachRow(ctx, "lecture des professionnels", `SELECT `+professionalColumns+` FROM professionals WHERE id IN %s`,
			nil, [][]string{list}, func(rows *sql.Rows) error {
				p, err := scanProfessional(rows)
				if err == nil {
					out.Professionals[p.ID] = p
				}
				return err
			})
		if err != nil {
			return nil, err
		}
	}
	for _, id := range keys["professional"] {
		if out.Professionals[id] == nil {
			return nil, professionalNotFound()
		}
	}
	// The global colour of each owner, and that the owner exists.
	for _, list := range chunks(owners) {
		err := s.eachRow(ctx, "lecture des disponibilités", `SELECT p.id, a.global FROM professionals p
			LEFT JOIN availability a ON a.professional_id = p.id WHERE p.id IN %s`,
			nil, [][]string{list}, func(rows *sql.Rows) error {
				var id string
				var global sql.NullString
				if err := rows.Scan(&id, &global); err != nil {
					return fmt.Errorf("sqlstore: scan availability: %w", err)
				}
				out.Globals[id] = data.ColourGrey
				if global.Valid {
					out.Globals[id] = data.Colour(global.String)
				}
				return nil
			})
		if err != nil {
			return nil, err
		}
	}
	for _, id := range owners {
		if _, ok := out.Globals[id]; !ok {
			return nil, professionalNotFound()
		}
	}
	if err := s.readTabs(ctx, weeks, `SELECT professional_id, monday, use_detail, grid, places
		FROM availability_weeks WHERE professional_id IN %s AND monday IN %s`, "lecture des semaines",
		func(key string, day data.Date, use bool, cells string, places data.Places) error {
			grid, err := data.DecodeWeekGrid(cells)
			out.Weeks[key] = data.Week{Monday: day, Use: use, Grid: grid, Places: places}
			return err
		}); err != nil {
		return nil, err
	}
	if err := s.readTabs(ctx, dated, `SELECT professional_id, day, use_detail, days, places
		FROM availability_dated WHERE professional_id IN %s AND day IN %s`, "lecture des disponibilités datées",
		func(key string, day data.Date, use bool, cells string, places data.Places) error {
			days, err := data.DecodeWeekDays(cells)
			out.Dated[key] = data.Dated{Date: day, Use: use, Days: days, Places: places}
			return err
		}); err != nil {
		return nil, err
	}
	for _, list := range chunks(keys["request"]) {
		err := s.eachRow(ctx, "lecture des demandes", `SELECT `+requestColumns+` FROM requests WHERE id IN %s`,
			nil, [][]string{list}, func(rows *sql.Rows) error {
				r, err := scanRequest(rows)
				if err == nil {
					out.Requests[r.ID] = r
				}
				return err
			})
		if err != nil {
			return nil, err
		}
	}
	for _, id := range keys["request"] {
		if out.Requests[id] == nil {
			return nil, requestNotFound()
		}
	}
	for _, list := range chunks(keys["conflict"]) {
		err := s.eachRow(ctx, "journal des conflits", `SELECT `+conflictColumns+` FROM conflict_log WHERE id IN %s`,
			nil, [][]string{list}, func(rows *sql.Rows) error {
				c, err := scanConflict(rows)
				if err == nil {
					out.Conflicts[c.ID] = c
				}
				return err
			})
		if err != nil {
			return nil, err
		}
	}
	for _, id := range keys["conflict"] {
		if out.Conflicts[id] == nil {
			return nil, conflictNotFound()
		}
	}
	// The versions of the fields, one query per entity.
	entities := make([]string, 0, len(keys))
	for e := range keys {
		entities = append(entities, e)
	}
	slices.Sort(entities)
	for _, entity := range entities {
		for _, list := range chunks(keys[entity]) {
			err := s.eachRow(ctx, "versions des champs", `SELECT key, field, version FROM field_stamps
				WHERE entity = ? AND key IN %s`, []any{entity}, [][]string{list}, func(rows *sql.Rows) error {
				var key, field string
				var version int64
				if err := rows.Scan(&key, &field, &version); err != nil {
					return fmt.Errorf("sqlstore: scan field stamp: %w", err)
				}
				ref := data.RecordRef{Entity: entity, Key: key}
				if out.Versions[ref] == nil {
					out.Versions[ref] = map[string]int64{}
				}
				out.Versions[ref][field] = version
				return nil
			})
			if err != nil {
				return nil, err
			}
		}
	}
	return out, nil
}

// readTabs reads the weeks or dated tabs asked for (by professional and
// date, each with its record key) with query, whose two IN lists take the
// professionals and the dates of a chunk: rows of a professional and date
// not asked for (the lists' cross product) are skipped.
func (s *Store) readTabs(ctx context.Context, asked map[dateRef]string, query, what string,
	add func(key string, day data.Date, use bool, cells string, places data.Places) error) error {
	if len(asked) == 0 {
		return nil
	}
	refs := make([]dateRef, 0, len(asked))
	for r := range asked {
		refs = append(refs, r)
	}
	// Sorted by professional, so that a chunk holds few of them.
	slices.SortFunc(refs, func(a, b dateRef) int {
		if c := strings.Compare(a.id, b.id); c != 0 {
			return c
		}
		return strings.Compare(a.day.String(), b.day.String())
	})
	for start := 0; start < len(refs); start += inChunk {
		chunk := refs[start:min(len(refs), start+inChunk)]
		var ids, days []string
		seenID, seenDay := map[string]bool{}, map[string]bool{}
		for _, r := range chunk {
			if d := r.day.String(); !seenDay[d] {
				seenDay[d] = true
				days = append(days, d)
			}
			if !seenID[r.id] {
				seenID[r.id] = true
				ids = append(ids, r.id)
			}
		}
		err := s.eachRow(ctx, what, query, nil, [][]string{ids, days}, func(rows *sql.Rows) error {
			var id, day, cells string
			var use bool
			var places sql.NullInt64
			if err := rows.Scan(&id, &day, &use, &cells, &places); err != nil {
				return fmt.Errorf("sqlstore: scan tab: %w", err)
			}
			d, err := data.ParseDate(day)
			if err != nil {
				return err
			}
			key, ok := asked[dateRef{id, d}]
			if !ok {
				return nil
			}
			return add(key, d, use, cells, placesOf(places))
		})
		if err != nil {
			return err
		}
	}
	return nil
}
