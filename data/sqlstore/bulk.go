package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"slices"
	"strings"
	"sync"

	"espacepro/data"

	"github.com/google/uuid"
)

// The bulk writes (a PMI list of 50,000 childminders) leave the rows,
// change log and field stamps that as many single writes would, with a few
// multi-row statements per chunk of records instead of some per record.
const (
	// bulkChunk is the most professionals one chunk writes: one INSERT of
	// their fiches (28 values each), one sequence reservation per Caf, one
	// statement of their field stamps.
	bulkChunk = 256
	// bulkRows is the most rows of change_log (6 values each) one INSERT
	// writes. Statements stay far below SQLite's 32,766 and PostgreSQL's
	// 65,535 parameters.
	bulkRows = 1024
)

// valuesKey names a multi-row statement: its head, its tail, the width of
// a row and the number of rows.
type valuesKey struct {
	head, tail  string
	width, rows int
}

// valuesTexts caches the texts of multi-row statements. Statements are cut
// in powers of two rows (insertMany), so there are few of them (the store
// also keeps each one's rebound form).
var valuesTexts sync.Map // valuesKey → string

// valuesText returns « head (?, …), (?, …) tail » for rows rows of width
// values.
func valuesText(k valuesKey) string {
	if v, ok := valuesTexts.Load(k); ok {
		return v.(string)
	}
	row := "(" + strings.TrimSuffix(strings.Repeat("?, ", k.width), ", ") + ")"
	var b strings.Builder
	b.Grow(len(k.head) + len(k.tail) + k.rows*(len(row)+2))
	b.WriteString(k.head)
	b.WriteString(" VALUES ")
	for i := range k.rows {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(row)
	}
	b.WriteString(k.tail)
	valuesTexts.Store(k, b.String())
	return b.String()
}

// bulkWriter runs the statements of one bulk write, each prepared once in
// its transaction and reused (SQLite then compiles a multi-row statement
// once, not once a chunk).
type bulkWriter struct {
	s     *Store
	tx    *sql.Tx
	stmts map[string]*sql.Stmt
}

// bulk returns the writer of ctx's transaction; close it when done.
func (s *Store) bulk(ctx context.Context) *bulkWriter {
	tx, _ := ctx.Value(txKey{}).(*sql.Tx)
	return &bulkWriter{s: s, tx: tx, stmts: map[string]*sql.Stmt{}}
}

// close releases the prepared statements.
func (w *bulkWriter) close() {
	for _, st := range w.stmts {
		st.Close()
	}
}

// exec runs query (« ? » placeholders) with args.
func (w *bulkWriter) exec(ctx context.Context, query string, args ...any) (sql.Result, error) {
	if w.tx == nil {
		return w.s.Exec(ctx, query, args...)
	}
	st := w.stmts[query]
	if st == nil {
		var err error
		if st, err = w.tx.PrepareContext(ctx, w.s.rebind(query)); err != nil {
			return nil, err
		}
		w.stmts[query] = st
	}
	return st.ExecContext(ctx, args...)
}

// insertMany inserts the rows of args (width values each) with « head
// VALUES … tail » statements, each of a power of two rows up to most (a
// power of two).
func (w *bulkWriter) insertMany(ctx context.Context, what, conflict, head, tail string, width, most int, args []any) error {
	for n := len(args) / width; n > 0; {
		k := most
		for k > n {
			k /= 2
		}
		if _, err := w.exec(ctx, valuesText(valuesKey{head, tail, width, k}), args[:k*width]...); err != nil {
			return w.s.wrap(err, what, conflict)
		}
		args, n = args[k*width:], n-k
	}
	return nil
}

// withSavepoint runs fn in a savepoint of ctx's transaction: when fn
// fails, what it wrote is undone and the transaction can go on (on
// PostgreSQL a failed statement otherwise aborts it).
func (s *Store) withSavepoint(ctx context.Context, fn func() error) (failed bool, err error) {
	if _, err := s.Exec(ctx, `SAVEPOINT bulk_write`); err != nil {
		return false, s.wrap(err, "point de reprise", "")
	}
	if ferr := fn(); ferr != nil {
		if _, err := s.Exec(ctx, `ROLLBACK TO SAVEPOINT bulk_write`); err != nil {
			return true, s.wrap(err, "point de reprise", "")
		}
		_, err := s.Exec(ctx, `RELEASE SAVEPOINT bulk_write`)
		return true, s.wrap(err, "point de reprise", "")
	}
	_, err = s.Exec(ctx, `RELEASE SAVEPOINT bulk_write`)
	return false, s.wrap(err, "point de reprise", "")
}

// loggedChange is one write of a record for recordChanges: the arguments
// of recordChange. fresh: the record is new, no stamp of it exists yet.
type loggedChange struct {
	fresh                            bool
	caf, professionalID, entity, key string
	before, after                    map[string]string
	deleted                          bool
}

// reserveSeq takes the next n numbers of a Caf's sequence at once and
// returns the first. The counter row stays locked until the transaction
// ends, as with nextSeq.
func (s *Store) reserveSeq(ctx context.Context, caf string, n int64) (int64, error) {
	var last int64
	err := s.QueryRow(ctx, `INSERT INTO seq_counters (caf_code, value) VALUES (?, ?)
		ON CONFLICT (caf_code) DO UPDATE SET value = seq_counters.value + excluded.value RETURNING value`,
		caf, n).Scan(&last)
	return last - n + 1, s.wrap(err, "numérotation des changements", "")
}

// recordChanges logs writes as that many recordChange calls would, in
// order: the same sequence numbers, change-log rows and field stamps, with
// one sequence reservation per Caf, multi-row inserts of the change log and
// insertStamps. The stamps of fresh records are inserted, the others
// upserted (a stamp of a fresh record found in the table fails the insert:
// the caller's savepoint then lets it write them one by one).
func (s *Store) recordChanges(ctx context.Context, w *bulkWriter, changes []loggedChange) error {
	if s.untracked || len(changes) == 0 {
		return nil
	}
	type logged struct {
		c      *loggedChange
		fields []string
	}
	list := make([]logged, 0, len(changes))
	count := map[string]int64{}
	var cafs []string
	for i := range changes {
		c := &changes[i]
		fields := data.ChangedFields(c.before, c.after)
		if len(fields) == 0 && !c.deleted {
			continue // recordChange logs nothing
		}
		if count[c.caf] == 0 {
			cafs = append(cafs, c.caf)
		}
		count[c.caf]++
		list = append(list, logged{c, fields})
	}
	next := make(map[string]int64, len(cafs))
	for _, caf := range cafs {
		first, err := s.reserveSeq(ctx, caf, count[caf])
		if err != nil {
			return err
		}
		next[caf] = first
	}
	logArgs := make([]any, 0, 6*len(list))
	// The stamps, in waves: a record stamped twice in changes is stamped
	// again by a later statement, as its second recordChange would.
	var waves [][]stampedRecord
	wave := map[[2]string]int{}
	for _, l := range list {
		c := l.c
		seq := next[c.caf]
		next[c.caf]++
		logArgs = append(logArgs, c.caf, seq, c.professionalID, c.entity, c.key, c.deleted)
		if len(l.fields) == 0 {
			continue
		}
		rec := [2]string{c.entity, c.key}
		i := wave[rec]
		wave[rec]++
		if i == len(waves) {
			waves = append(waves, nil)
		}
		a := s.author(ctx)
		waves[i] = append(waves[i], stampedRecord{entity: c.entity, key: c.key, fields: l.fields, version: seq,
			stamp: a.Stamp.String(), by: a.By, fresh: c.fresh && i == 0})
	}
	if err := w.insertMany(ctx, "journal des changements", "", `INSERT INTO change_log (caf_code, seq,
		professional_id, entity, key, deleted)`, "", 6, bulkRows, logArgs); err != nil {
		return err
	}
	for _, records := range waves {
		if err := w.insertStamps(ctx, records); err != nil {
			return err
		}
	}
	return nil
}

// stampedRecord is the stamp of the changed fields of one record: a row of
// field_stamps per field, all of the same version, stamp and author.
// fresh: no stamp of the record exists yet.
type stampedRecord struct {
	entity, key string
	fields      []string
	version     int64
	stamp, by   string
	fresh       bool
}

// stampFields is the most field names one stamp statement tells apart (the
// bits of its masks); maxStampRecords the most records it stamps;
// stampUpsert the tail of the statement that stamps records stamped before.
const (
	stampFields     = 63
	maxStampRecords = bulkChunk
	stampUpsert     = ` ON CONFLICT (entity, key, field) DO UPDATE SET
		version = excluded.version, stamp = excluded.stamp, by_name = excluded.by_name`
)

// insertStamps writes the stamps of records, each record once: the stamps
// of fresh records are inserted, the others upserted. A statement binds one
// row per record, its fields as a mask over the list of the field names
// (itself bound once), and joins the two: some 20 times fewer values to
// bind than one row per field.
func (w *bulkWriter) insertStamps(ctx context.Context, records []stampedRecord) error {
	// The names, sorted; the one at pos is bit pos%stampFields of the
	// masks of statement group pos/stampFields.
	pos := map[string]int{}
	var names []string
	for _, r := range records {
		for _, f := range r.fields {
			if _, ok := pos[f]; !ok {
				pos[f] = 0
				names = append(names, f)
			}
		}
	}
	slices.Sort(names)
	for i, f := range names {
		pos[f] = i
	}
	for g := 0; g*stampFields < len(names); g++ {
		group := names[g*stampFields : min(len(names), (g+1)*stampFields)]
		// The group's names, padded to a power of two with a name no
		// mask selects.
		size := 8
		for size < len(group)+1 {
			size *= 2
		}
		universe := make([]any, 0, 2*size)
		for i, f := range group {
			universe = append(universe, f, int64(1)<<i)
		}
		for len(universe) < 2*size {
			universe = append(universe, "", int64(0))
		}
		var fresh, upsert []any
		for _, r := range records {
			var mask int64
			for _, f := range r.fields {
				if p := pos[f]; p/stampFields == g {
					mask |= int64(1) << (p % stampFields)
				}
			}
			if mask == 0 {
				continue
			}
			row := []any{r.entity, r.key, r.version, r.stamp, r.by, mask}
			if r.fresh {
				fresh = append(fresh, row...)
			} else {
				upsert = append(upsert, row...)
			}
		}
		for _, part := range []struct {
			args []any
			tail string
		}{{fresh, ""}, {upsert, stampUpsert}} {
			for n := len(part.args) / 6; n > 0; {
				k := maxStampRecords
				for k > n {
					k /= 2
				}
				args := append(part.args[:k*6:k*6], universe...)
				if _, err := w.exec(ctx, stampsText(k, size, part.tail), args...); err != nil {
					return w.s.wrap(err, "versions des champs", "")
				}
				part.args, n = part.args[k*6:], n-k
			}
		}
	}
	return nil
}

// stampsKey names a stamp statement: its number of records and of names,
// and its tail.
type stampsKey struct {
	records, names int
	tail           string
}

// stampsTexts caches the texts of stamp statements (few: both numbers are
// powers of two).
var stampsTexts sync.Map // stampsKey → string

// stampsText returns the stamp statement of records rows (entity, key,
// version, stamp, by, mask) and names rows (field name, its bit), whose
// tail is "" or stampUpsert. (The WHERE clause also keeps SQLite from
// reading the tail's ON as a join's.)
func stampsText(records, names int, tail string) string {
	k := stampsKey{records, names, tail}
	if v, ok := stampsTexts.Load(k); ok {
		return v.(string)
	}
	var b strings.Builder
	b.WriteString(`INSERT INTO field_stamps (entity, key, field, version, stamp, by_name)
		SELECT r.column1, r.column2, f.column1, r.column3, r.column4, r.column5 FROM (VALUES `)
	for i := range records {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString("(?, ?, CAST(? AS BIGINT), ?, ?, CAST(? AS BIGINT))")
	}
	b.WriteString(") r, (VALUES ")
	for i := range names {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString("(?, CAST(? AS BIGINT))")
	}
	b.WriteString(") f WHERE (r.column6 & f.column2) <> 0")
	b.WriteString(tail)
	stampsTexts.Store(k, b.String())
	return b.String()
}

// WriteProfessionals creates and updates professionals as CreateProfessional
// and UpdateProfessional of each in turn would (see
// data.ProfessionalService), a chunk at a time: one read of the fiches
// updated, one INSERT of the new fiches, a guarded UPDATE of each other,
// one sequence reservation per Caf, one INSERT of the change log and a few
// of the field stamps. When a chunk fails (an agrément number taken, a
// fiche changed since read…), its writes are undone and it is written
// again one professional at a time, to fail on the one that fails with
// the error she gives.
func (s *Store) WriteProfessionals(ctx context.Context, ps []*data.Professional) (int, error) {
	done := 0
	err := s.InTx(ctx, func(ctx context.Context) error {
		w := s.bulk(ctx)
		defer w.close()
		for done < len(ps) {
			// A chunk updates each professional once: the second update
			// of one reads what the first wrote.
			end := done
			ids := make(map[string]bool, bulkChunk)
			for end < len(ps) && end-done < bulkChunk && (ps[end].ID == "" || !ids[ps[end].ID]) {
				ids[ps[end].ID] = true
				end++
			}
			n, err := s.writeChunk(ctx, w, ps[done:end])
			done += n
			if err != nil {
				return err
			}
		}
		return nil
	})
	return done, err
}

// writeChunk writes a chunk of professionals, each updated once, and
// returns how many were written before the first that failed.
func (s *Store) writeChunk(ctx context.Context, w *bulkWriter, chunk []*data.Professional) (int, error) {
	// Those before the first that is not valid, or not found.
	n := len(chunk)
	var stop error // the error of chunk[n]
	for i, p := range chunk {
		if err := checkProfessional(p); err != nil {
			n, stop = i, err
			break
		}
	}
	var before map[string]*data.Professional
	if !s.untracked {
		var err error
		if before, err = s.professionalsByID(ctx, chunk[:n]); err != nil {
			return 0, err
		}
		for i, p := range chunk[:n] {
			if p.ID != "" && before[p.ID] == nil {
				n, stop = i, professionalNotFound()
				break
			}
		}
	}
	// The state written of each: a new one with her ID and times, an
	// update with its new updated_at (written back on success only, as a
	// chunk may be written twice).
	next := make([]data.Professional, n)
	for i, p := range chunk[:n] {
		next[i] = *p
		if p.ID != "" {
			continue
		}
		id, err := uuid.NewV7()
		if err != nil {
			return 0, err
		}
		now := s.now()
		next[i].ID, next[i].CreatedAt, next[i].UpdatedAt = id.String(), now, now
	}
	done := func(i int) {
		p := chunk[i]
		p.ID, p.CreatedAt, p.UpdatedAt = next[i].ID, next[i].CreatedAt, next[i].UpdatedAt
	}
	switch n {
	case 0:
		return 0, stop
	case 1: // the single write
		if chunk[0].ID == "" {
			if err := s.InsertProfessional(ctx, &next[0], false); err != nil {
				return 0, err
			}
			done(0)
		} else if err := s.UpdateProfessional(ctx, chunk[0]); err != nil {
			return 0, err
		}
		return n, stop
	}
	failed, err := s.withSavepoint(ctx, func() error { return s.writeProfessionals(ctx, w, chunk[:n], next, before) })
	switch {
	case err != nil:
		return 0, err
	case failed:
		for i, p := range chunk[:n] {
			if p.ID == "" {
				if err := s.InsertProfessional(ctx, &next[i], false); err != nil {
					return i, err
				}
				done(i)
			} else if err := s.UpdateProfessional(ctx, p); err != nil {
				return i, err
			}
		}
	default:
		for i := range chunk[:n] {
			done(i)
		}
	}
	return n, stop
}

// writeProfessionals writes the new state next of each professional of
// chunk (new when its ID is empty, an update of the fiche before otherwise)
// and logs the changes in their order. The new fiches are inserted before
// the others are updated, which changes nothing but the order of rows no
// reader sees (a number freed by an update and taken by a later creation
// fails the chunk, which is then written one by one).
func (s *Store) writeProfessionals(ctx context.Context, w *bulkWriter, chunk []*data.Professional,
	next []data.Professional, before map[string]*data.Professional) error {
	var args []any
	changes := make([]loggedChange, 0, len(chunk))
	for i, p := range chunk {
		q := &next[i]
		if p.ID == "" {
			args = append(args, q.ID)
			args = append(args, professionalArgs(q)...)
			args = append(args, millis(q.CreatedAt), millis(q.UpdatedAt))
			changes = append(changes, loggedChange{fresh: true, caf: q.CafCode, professionalID: q.ID,
				entity: "professional", key: q.ID, after: data.ProfessionalFields(q)})
			continue
		}
		old := before[p.ID]
		if old == nil {
			continue // untracked
		}
		fields := data.ProfessionalFields(old)
		if old.CafCode != q.CafCode {
			// She moved to another Caf: the old one's copies drop her.
			changes = append(changes, loggedChange{caf: old.CafCode, professionalID: q.ID, entity: "professional",
				key: q.ID, deleted: true})
			fields = nil
		}
		changes = append(changes, loggedChange{caf: q.CafCode, professionalID: q.ID, entity: "professional",
			key: q.ID, before: fields, after: data.ProfessionalFields(q)})
	}
	if err := w.insertMany(ctx, "création du professionnel", agrementConflict, `INSERT INTO professionals (id,
		kind, department, caf_code, agrement_number, civility, last_name, first_name, structure_name,
		street_number, street_type, street_name, postal_code, commune_insee, commune_name, phone, email,
		places_agreed, agrement_date, capacity, opening_hours, listing, habilitation, sort_last,
		sort_first, search_text, created_at, updated_at)`, "", 28, bulkChunk, args); err != nil {
		return err
	}
	var updates []any
	for i, p := range chunk {
		if p.ID != "" {
			q := &next[i]
			q.UpdatedAt = s.stamp(p.UpdatedAt)
			updates = append(updates, q.ID, millis(p.UpdatedAt))
			updates = append(updates, professionalArgs(q)...)
			updates = append(updates, millis(q.UpdatedAt))
		}
	}
	if err := w.updateFiches(ctx, updates); err != nil {
		return err
	}
	return s.recordChanges(ctx, w, changes)
}

// errNotAllUpdated fails a multi-row UPDATE that found a row changed since
// read, or missing: the chunk is then written one by one, to fail on it
// as UpdateProfessional does.
var errNotAllUpdated = errors.New("sqlstore: a fiche changed since read, or missing")

// updateFiches runs the guarded UPDATEs of fiches, a multi-row statement
// of at most bulkChunk of them, each of a power of two: args hold, for each
// fiche, its ID, the updated_at read (0: no guard), professionalArgs and
// the new updated_at. Each must update its row (see guardedUpdate).
func (w *bulkWriter) updateFiches(ctx context.Context, args []any) error {
	const width = 28
	for n := len(args) / width; n > 0; {
		k := bulkChunk
		for k > n {
			k /= 2
		}
		res, err := w.exec(ctx, updateFichesText(k), args[:k*width]...)
		if err != nil {
			return w.s.wrap(err, "mise à jour du professionnel", agrementConflict)
		}
		if done, err := res.RowsAffected(); err != nil {
			return err
		} else if done != int64(k) {
			return errNotAllUpdated
		}
		args, n = args[k*width:], n-k
	}
	return nil
}

// updateFichesTexts caches the texts of updateFiches, by number of rows.
var updateFichesTexts sync.Map // int → string

// updateFichesText returns the guarded UPDATE of rows fiches. The values
// of the numeric columns are cast: PostgreSQL types the other values of a
// VALUES list as text.
func updateFichesText(rows int) string {
	if v, ok := updateFichesTexts.Load(rows); ok {
		return v.(string)
	}
	var b strings.Builder
	b.WriteString(`UPDATE professionals SET kind = u.column3, department = u.column4, caf_code = u.column5,
		agrement_number = u.column6, civility = u.column7, last_name = u.column8, first_name = u.column9,
		structure_name = u.column10, street_number = u.column11, street_type = u.column12,
		street_name = u.column13, postal_code = u.column14, commune_insee = u.column15,
		commune_name = u.column16, phone = u.column17, email = u.column18, places_agreed = u.column19,
		agrement_date = u.column20, capacity = u.column21, opening_hours = u.column22,
		listing = u.column23, habilitation = u.column24, sort_last = u.column25,
		sort_first = u.column26, search_text = u.column27, updated_at = u.column28
		FROM (VALUES `)
	for i := range rows {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(`(?, CAST(? AS BIGINT), ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?,
			CAST(? AS INTEGER), ?, CAST(? AS INTEGER), ?, ?, ?, ?, ?, ?, CAST(? AS BIGINT))`)
	}
	b.WriteString(`) u WHERE professionals.id = u.column1
		AND (u.column2 = 0 OR professionals.updated_at = u.column2)`)
	updateFichesTexts.Store(rows, b.String())
	return b.String()
}

// professionalsByID reads the stored fiches of those of ps that have an ID.
func (s *Store) professionalsByID(ctx context.Context, ps []*data.Professional) (map[string]*data.Professional, error) {
	var ids []string
	for _, p := range ps {
		if p.ID != "" {
			ids = append(ids, p.ID)
		}
	}
	out := make(map[string]*data.Professional, len(ps))
	for _, list := range chunks(ids) {
		err := s.eachRow(ctx, "lecture des professionnels", `SELECT `+professionalColumns+` FROM professionals WHERE id IN %s`,
			nil, [][]string{list}, func(rows *sql.Rows) error {
				p, err := scanProfessional(rows)
				if err == nil {
					out[p.ID] = p
				}
				return err
			})
		if err != nil {
			return nil, err
		}
	}
	return out, nil
}

// DeleteProfessionalSessions ends every session of the accounts of the
// professionals ids (see data.CentralStore).
func (s *Store) DeleteProfessionalSessions(ctx context.Context, ids []string) (int, error) {
	total := 0
	for _, list := range chunks(ids) {
		marks, args := inList(list)
		n, err := s.deleteCount(ctx, `DELETE FROM sessions WHERE account_id IN
			(SELECT id FROM accounts WHERE professional_id IN `+marks+`)`, args...)
		if err != nil {
			return total, err
		}
		total += n
	}
	return total, nil
}
