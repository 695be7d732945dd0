package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"espacepro/data"

	"github.com/mattn/go-sqlite3"
)

// The sync side of the local copy (data.LocalSync). The service's state of
// each record is kept in sync_records; the local rows are that state with
// the pending edits of outbox_fields laid over it, rebuilt ("materialized")
// whenever either changes. Records whose professional is not in the copy
// yet (a page may bring a week before its fiche) wait in sync_records and
// are materialized when she arrives.

var _ data.LocalSync = (*Local)(nil)

// Entity names of the sync protocol (sync/wire, which this package may not
// import: it sits below sync).
const (
	entityProfessional = "professional"
	entityAvailability = "availability"
	entityWeek         = "week"
	entityDated        = "dated"
	entityRequest      = "request"
	entityConflict     = "conflict"
)

// recordRef names one record.
type recordRef struct{ entity, key string }

// overlay holds the pending local value of each field, by record.
type overlay map[recordRef]map[string]string

// serverState is the service's state of one record.
type serverState struct {
	Fields   map[string]string
	Versions map[string]int64
}

// ApplyPulled applies one page of pulled records and stores the cursor, in
// one transaction.
func (l *Local) ApplyPulled(ctx context.Context, records []data.Record, cursor string) error {
	return l.LocalError(l.core.InTx(ctx, func(ctx context.Context) error {
		if err := l.applyRecords(ctx, records); err != nil {
			return err
		}
		return l.SetSyncState(ctx, data.SyncCursorKey, cursor)
	}))
}

// SaveRecords applies records sent outside a pull, leaving the cursor.
func (l *Local) SaveRecords(ctx context.Context, records []data.Record) error {
	return l.LocalError(l.core.InTx(ctx, func(ctx context.Context) error {
		return l.applyRecords(ctx, records)
	}))
}

// entityRank orders a page so that a fiche comes before her availability
// and the requests that name her.
func entityRank(entity string) int {
	switch entity {
	case entityProfessional:
		return 0
	case entityAvailability, entityWeek, entityDated:
		return 1
	case entityRequest:
		return 2
	}
	return 3
}

func (l *Local) applyRecords(ctx context.Context, records []data.Record) error {
	pend, err := l.pendingFields(ctx)
	if err != nil {
		return err
	}
	states := newRecordStates(l)
	if err := states.load(ctx, records); err != nil {
		return err
	}
	order := make([]int, len(records))
	for i := range order {
		order[i] = i
	}
	sort.SliceStable(order, func(a, b int) bool {
		return entityRank(records[order[a]].Entity) < entityRank(records[order[b]].Entity)
	})
	for _, i := range order {
		r := &records[i]
		if err := l.applyRecord(ctx, r, pend, states); err != nil {
			return fmt.Errorf("sqlite: pulled %s %q: %w", r.Entity, r.Key, err)
		}
	}
	return nil
}

// applyRecord stores the service's state of one record, then rebuilds its
// local row.
func (l *Local) applyRecord(ctx context.Context, r *data.Record, pend overlay, states *recordStates) error {
	if r.Entity == "" || r.Key == "" {
		return data.Errorf(data.EINVALID, "Enregistrement reçu sans type ou sans clé.")
	}
	ref := recordRef{r.Entity, r.Key}
	if r.Deleted {
		if err := states.remove(ctx, ref); err != nil {
			return err
		}
		if ref.entity == entityProfessional {
			return l.dropProfessional(ctx, ref.key, states)
		}
		return l.materialize(ctx, ref, pend, states)
	}
	st, err := states.get(ctx, ref)
	if err != nil {
		return err
	}
	if st == nil {
		// A copy: the state may change with a later record of the page.
		st = &serverState{Fields: maps.Clone(r.Fields), Versions: maps.Clone(r.Versions)}
		if st.Fields == nil {
			st.Fields = map[string]string{}
		}
		if st.Versions == nil {
			st.Versions = map[string]int64{}
		}
	} else {
		maps.Copy(st.Fields, r.Fields)
		maps.Copy(st.Versions, r.Versions)
	}
	parent, err := parentOf(ref, st.Fields)
	if err != nil {
		return err
	}
	if err := states.put(ctx, ref, parent, st); err != nil {
		return err
	}
	return l.materialize(ctx, ref, pend, states)
}

// parentOf returns the professional a record belongs to (availability,
// week, dated) or names (a request, a conflict).
func parentOf(ref recordRef, fields map[string]string) (string, error) {
	switch ref.entity {
	case entityAvailability:
		return ref.key, nil
	case entityWeek, entityDated:
		id, _, err := data.SplitDateKey(ref.key)
		return id, err
	case entityRequest, entityConflict:
		return fields["professional_id"], nil
	}
	return "", nil
}

// serverRecord returns the service's state of a record, nil when the copy
// has none.
func (l *Local) serverRecord(ctx context.Context, ref recordRef) (*serverState, error) {
	var fields, versions string
	err := l.core.QueryRow(ctx, `SELECT fields, versions FROM sync_records WHERE entity = ? AND key = ?`,
		ref.entity, ref.key).Scan(&fields, &versions)
	if err == sql.ErrNoRows {
		return nil, nil
	} else if err != nil {
		return nil, fmt.Errorf("sqlite: sync record: %w", err)
	}
	return decodeState(ref, fields, versions)
}

// decodeState reads the stored form of a record's state.
func decodeState(ref recordRef, fields, versions string) (*serverState, error) {
	st := &serverState{}
	if err := json.Unmarshal([]byte(fields), &st.Fields); err != nil {
		return nil, fmt.Errorf("sqlite: sync record %s %s: %w", ref.entity, ref.key, err)
	}
	if err := json.Unmarshal([]byte(versions), &st.Versions); err != nil {
		return nil, fmt.Errorf("sqlite: sync record %s %s: %w", ref.entity, ref.key, err)
	}
	if st.Fields == nil {
		st.Fields = map[string]string{}
	}
	if st.Versions == nil {
		st.Versions = map[string]int64{}
	}
	return st, nil
}

// recordStates is the service's state of the records one transaction
// works on (sync_records), kept for that transaction only: a page's
// records are read in a few queries before the first is applied, and a
// state the transaction wrote is not read back. Every change of
// sync_records in the transaction goes through it (put, remove,
// forgetAvailability), so that what it holds is what the table holds.
type recordStates struct {
	l *Local
	// known is the decoded state of a record; nil when the copy has none.
	known map[recordRef]*serverState
	// stored is the stored form (fields, versions) of a record read in
	// bulk, decoded when first asked for (so that a damaged record fails
	// the page when it is applied, as if read alone).
	stored map[recordRef][2]string
}

// newRecordStates returns an empty cache for one transaction of l.
func newRecordStates(l *Local) *recordStates {
	return &recordStates{l: l, known: map[recordRef]*serverState{}, stored: map[recordRef][2]string{}}
}

// get returns the state of ref, nil when the copy has none. The state is
// the cache's own: a caller that changes it must put it back.
func (s *recordStates) get(ctx context.Context, ref recordRef) (*serverState, error) {
	if st, ok := s.known[ref]; ok {
		return st, nil
	}
	var st *serverState
	var err error
	if raw, ok := s.stored[ref]; ok {
		st, err = decodeState(ref, raw[0], raw[1])
	} else {
		st, err = s.l.serverRecord(ctx, ref)
	}
	if err != nil {
		return nil, err
	}
	delete(s.stored, ref)
	s.known[ref] = st
	return st, nil
}

// loadChunk is the most keys one query of load asks for.
const loadChunk = 512

// load reads the states of the records of a page: one query per entity
// (and per loadChunk keys).
func (s *recordStates) load(ctx context.Context, records []data.Record) error {
	var entities []string
	keys := map[string][]string{}
	for i := range records {
		ref := recordRef{records[i].Entity, records[i].Key}
		if ref.entity == "" || ref.key == "" {
			continue // refused when applied
		}
		if _, ok := s.known[ref]; ok {
			continue
		}
		if _, ok := s.stored[ref]; ok {
			continue
		}
		s.known[ref] = nil // unless read below
		if keys[ref.entity] == nil {
			entities = append(entities, ref.entity)
		}
		keys[ref.entity] = append(keys[ref.entity], ref.key)
	}
	for _, entity := range entities {
		list := keys[entity]
		for len(list) > 0 {
			chunk := list[:min(len(list), loadChunk)]
			list = list[len(chunk):]
			if err := s.loadKeys(ctx, entity, chunk); err != nil {
				return err
			}
		}
	}
	return nil
}

// loadKeys reads the stored states of the records of entity with keys.
func (s *recordStates) loadKeys(ctx context.Context, entity string, keys []string) error {
	marks, args := inList(keys)
	rows, err := s.l.core.Query(ctx, `SELECT key, fields, versions FROM sync_records
		WHERE entity = ? AND key IN `+marks, append([]any{entity}, args...)...)
	if err != nil {
		return fmt.Errorf("sqlite: sync records: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		ref := recordRef{entity: entity}
		var raw [2]string
		if err := rows.Scan(&ref.key, &raw[0], &raw[1]); err != nil {
			return fmt.Errorf("sqlite: sync records: %w", err)
		}
		delete(s.known, ref)
		s.stored[ref] = raw
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("sqlite: sync records: %w", err)
	}
	return nil
}

// inList returns the placeholders « (?, ?, …) » of an IN list of vals and
// its arguments, padded with copies of the last value to the next power of
// two (8 at least): a page's queries have a handful of distinct texts, which
// the connection's statement cache keeps prepared.
func inList(vals []string) (string, []any) {
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

// put stores st as the state of ref, which belongs to or names parent.
func (s *recordStates) put(ctx context.Context, ref recordRef, parent string, st *serverState) error {
	names := sortedNames(st.Fields)
	fields, exact := appendStringMap(nil, st.Fields, names)
	versions, exactVersions := appendVersionMap(nil, st.Versions, namesIn(names, st.Versions))
	if _, err := s.l.core.Exec(ctx, `INSERT INTO sync_records (entity, key, parent, fields, versions)
		VALUES (?, ?, ?, ?, ?) ON CONFLICT (entity, key) DO UPDATE SET parent = excluded.parent,
		fields = excluded.fields, versions = excluded.versions`,
		ref.entity, ref.key, parent, string(fields), string(versions)); err != nil {
		return fmt.Errorf("sqlite: sync record: %w", err)
	}
	if !exact || !exactVersions {
		// JSON stored invalid UTF-8 as U+FFFD: keep what a read would give.
		var err error
		if st, err = decodeState(ref, string(fields), string(versions)); err != nil {
			return err
		}
	}
	delete(s.stored, ref)
	s.known[ref] = st
	return nil
}

// The stored form of a record's fields and versions is what json.Marshal
// makes of their maps (names in order, encoding/json's escaping), written
// here without reflection: a Caf's first pull stores tens of thousands of
// records of up to 51 fields.

// namesIn returns the names of m in order, taken from names (sorted) when
// they hold all of them (a record's versions name some or all of its
// fields); nil when they do not.
func namesIn(names []string, m map[string]int64) []string {
	if len(m) > len(names) {
		return nil
	}
	if len(m) == len(names) {
		for _, name := range names {
			if _, ok := m[name]; !ok {
				return nil
			}
		}
		return names
	}
	in := make([]string, 0, len(m))
	for _, name := range names {
		if _, ok := m[name]; ok {
			in = append(in, name)
		}
	}
	if len(in) != len(m) {
		return nil
	}
	return in
}

// appendStringMap appends the JSON object of m, whose names in order are
// names, to b. exact is false when a name or value is not valid UTF-8 (JSON
// holds U+FFFD instead).
func appendStringMap(b []byte, m map[string]string, names []string) (_ []byte, exact bool) {
	if m == nil {
		return append(b, "null"...), true
	}
	b = slices.Grow(b, 16*len(names))
	exact = true
	b = append(b, '{')
	for i, name := range names {
		if i > 0 {
			b = append(b, ',')
		}
		var ok1, ok2 bool
		b, ok1 = appendJSONString(b, name)
		b = append(b, ':')
		b, ok2 = appendJSONString(b, m[name])
		exact = exact && ok1 && ok2
	}
	return append(b, '}'), exact
}

// appendVersionMap appends the JSON object of m to b, as appendStringMap;
// names may be nil (m's names are then sorted here).
func appendVersionMap(b []byte, m map[string]int64, names []string) (_ []byte, exact bool) {
	if m == nil {
		return append(b, "null"...), true
	}
	if names == nil {
		names = make([]string, 0, len(m))
		for k := range m {
			names = append(names, k)
		}
		sort.Strings(names)
	}
	b = slices.Grow(b, 12*len(names))
	exact = true
	b = append(b, '{')
	for i, name := range names {
		if i > 0 {
			b = append(b, ',')
		}
		var ok bool
		b, ok = appendJSONString(b, name)
		exact = exact && ok
		b = append(b, ':')
		b = strconv.AppendInt(b, m[name], 10)
	}
	return append(b, '}'), exact
}

// appendJSONString appends s as a JSON string, escaped as encoding/json
// escapes it; ok is false when s is not valid UTF-8.
func appendJSONString(b []byte, s string) (_ []byte, ok bool) {
	if plainJSON(s) {
		b = append(b, '"')
		b = append(b, s...)
		return append(b, '"'), true
	}
	q, _ := json.Marshal(s) // a string always encodes
	return append(b, q...), utf8.ValidString(s)
}

// plainJSON reports whether encoding/json writes s as it is between its
// quotes: valid UTF-8 without control characters, « " », « \ », the HTML
// characters « < > & », U+2028 or U+2029.
func plainJSON(s string) bool {
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c < 0x20 || c == '"' || c == '\\' || c == '<' || c == '>' || c == '&' {
				return false
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if (r == utf8.RuneError && size == 1) || r == '\u2028' || r == '\u2029' {
			return false
		}
		i += size
	}
	return true
}

// remove deletes the state of ref.
func (s *recordStates) remove(ctx context.Context, ref recordRef) error {
	if _, err := s.l.core.Exec(ctx, `DELETE FROM sync_records WHERE entity = ? AND key = ?`, ref.entity, ref.key); err != nil {
		return fmt.Errorf("sqlite: sync record: %w", err)
	}
	delete(s.stored, ref)
	s.known[ref] = nil
	return nil
}

// forgetAvailability records that the availability records of professional
// id (global, weeks, dated tabs) were deleted from sync_records.
func (s *recordStates) forgetAvailability(id string) {
	gone := func(ref recordRef) bool {
		switch ref.entity {
		case entityAvailability, entityWeek, entityDated:
			parent, err := parentOf(ref, nil)
			return err == nil && parent == id
		}
		return false
	}
	for ref := range s.stored {
		if gone(ref) {
			delete(s.stored, ref)
			s.known[ref] = nil
		}
	}
	for ref := range s.known {
		if gone(ref) {
			s.known[ref] = nil
		}
	}
}

// pendingFields returns the value of every field of the outbox, the latest
// edit of a field winning.
func (l *Local) pendingFields(ctx context.Context) (overlay, error) {
	rows, err := l.core.Query(ctx, `SELECT entity, key, field, value FROM outbox_fields
		WHERE outbox_id IS NOT NULL ORDER BY seq`)
	if err != nil {
		return nil, fmt.Errorf("sqlite: pending fields: %w", err)
	}
	defer rows.Close()
	pend := overlay{}
	for rows.Next() {
		var ref recordRef
		var field, value string
		if err := rows.Scan(&ref.entity, &ref.key, &field, &value); err != nil {
			return nil, fmt.Errorf("sqlite: pending fields: %w", err)
		}
		if pend[ref] == nil {
			pend[ref] = map[string]string{}
		}
		pend[ref][field] = value
	}
	return pend, rows.Err()
}

// materialize rebuilds the local row of a record from the service's state
// and the pending edits; with neither, the row goes. A fiche is never
// removed here (only by a tombstone: she may come from the login answer,
// before any pull), and a record whose professional is not in the copy
// waits.
func (l *Local) materialize(ctx context.Context, ref recordRef, pend overlay, states *recordStates) error {
	st, err := states.get(ctx, ref)
	if err != nil {
		return err
	}
	over := pend[ref]
	if st == nil && len(over) == 0 {
		return l.deleteLocal(ctx, ref)
	}
	// The writers below only read fields: without pending edits, they read
	// the service's state itself.
	var fields map[string]string
	switch {
	case len(over) == 0:
		fields = st.Fields
	case st == nil:
		fields = maps.Clone(over)
	default:
		fields = maps.Clone(st.Fields)
		maps.Copy(fields, over)
	}
	switch ref.entity {
	case entityProfessional:
		if st == nil {
			return nil
		}
		return l.writeProfessional(ctx, ref.key, fields, pend, states)
	case entityAvailability:
		return l.writeGlobal(ctx, ref.key, fields)
	case entityWeek:
		return l.writeWeek(ctx, ref.key, fields)
	case entityDated:
		return l.writeDated(ctx, ref.key, fields)
	case entityRequest:
		return l.writeRequest(ctx, ref.key, fields)
	}
	return nil // conflicts (and entities of a later protocol) live in sync_records only
}

// sortedNames returns the field names in order, so that the first invalid
// field reported is always the same.
func sortedNames(fields map[string]string) []string {
	names := make([]string, 0, len(fields))
	for k := range fields {
		names = append(names, k)
	}
	sort.Strings(names)
	return names
}

func (l *Local) writeProfessional(ctx context.Context, id string, fields map[string]string, pend overlay, states *recordStates) error {
	p := &data.Professional{ID: id}
	for _, name := range sortedNames(fields) {
		if err := data.SetProfessionalField(p, name, fields[name]); err != nil {
			return err
		}
	}
	now := l.core.Now().UTC()
	var created int64
	err := l.core.QueryRow(ctx, `SELECT created_at FROM professionals WHERE id = ?`, id).Scan(&created)
	isNew := err == sql.ErrNoRows
	switch {
	case isNew:
		p.CreatedAt = now
	case err != nil:
		return fmt.Errorf("sqlite: professional: %w", err)
	case created != 0:
		p.CreatedAt = time.UnixMilli(created).UTC()
	}
	p.UpdatedAt = now
	if err := l.core.InsertProfessional(ctx, p, true); err != nil {
		return err
	}
	if isNew {
		return l.materializeChildren(ctx, id, pend, states)
	}
	return nil
}

// materializeChildren rebuilds the records that waited for professional id:
// her availability and the requests that name her.
func (l *Local) materializeChildren(ctx context.Context, id string, pend overlay, states *recordStates) error {
	rows, err := l.core.Query(ctx, `SELECT entity, key FROM sync_records WHERE parent = ?
		AND entity IN ('availability', 'week', 'dated', 'request')`, id)
	if err != nil {
		return fmt.Errorf("sqlite: waiting records: %w", err)
	}
	seen := map[recordRef]bool{}
	var refs []recordRef
	for rows.Next() {
		var ref recordRef
		if err := rows.Scan(&ref.entity, &ref.key); err != nil {
			rows.Close()
			return fmt.Errorf("sqlite: waiting records: %w", err)
		}
		seen[ref] = true
		refs = append(refs, ref)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	for ref := range pend {
		if parent, err := parentOf(ref, nil); err == nil && parent == id && !seen[ref] && ref.entity != entityRequest {
			refs = append(refs, ref)
		}
	}
	for _, ref := range refs {
		if err := l.materialize(ctx, ref, pend, states); err != nil {
			return err
		}
	}
	return nil
}

func (l *Local) professionalExists(ctx context.Context, id string) (bool, error) {
	var n int
	if err := l.core.QueryRow(ctx, `SELECT COUNT(*) FROM professionals WHERE id = ?`, id).Scan(&n); err != nil {
		return false, fmt.Errorf("sqlite: professional: %w", err)
	}
	return n > 0, nil
}

// localGlobal returns the global colour of the local copy (grey when none).
func (l *Local) localGlobal(ctx context.Context, id string) (data.Colour, error) {
	var g data.Colour
	err := l.core.QueryRow(ctx, `SELECT global FROM availability WHERE professional_id = ?`, id).Scan(&g)
	if err == sql.ErrNoRows {
		return data.ColourGrey, nil
	}
	return g, err
}

func (l *Local) writeGlobal(ctx context.Context, id string, fields map[string]string) error {
	g := data.ColourGrey
	for _, name := range sortedNames(fields) {
		if name != "global" {
			return data.Errorf(data.EINVALID, "Champ « %s » inconnu pour une disponibilité globale.", name)
		}
		if g = data.Colour(fields[name]); !g.Valid() {
			return data.Errorf(data.EINVALID, "Disponibilité globale « %s » inconnue.", g)
		}
	}
	if ok, err := l.professionalExists(ctx, id); !ok || err != nil {
		return err
	}
	return l.core.WriteAvailability(ctx, &data.Availability{ProfessionalID: id, Global: g})
}

func (l *Local) writeWeek(ctx context.Context, key string, fields map[string]string) error {
	return l.writeTab(ctx, key, func(day data.Date, a *data.Availability) error {
		w := data.Week{Monday: day, Grid: data.NewWeekGrid()}
		if err := setFields(fields, w.SetField); err != nil {
			return err
		}
		a.Weeks = []data.Week{w}
		return w.Validate()
	})
}

func (l *Local) writeDated(ctx context.Context, key string, fields map[string]string) error {
	return l.writeTab(ctx, key, func(day data.Date, a *data.Availability) error {
		x := data.Dated{Date: day, Days: data.NewWeekDays()}
		if err := setFields(fields, x.SetField); err != nil {
			return err
		}
		a.Dated = []data.Dated{x}
		return x.Validate()
	})
}

// writeTab writes the week or dated tab of record key, which build makes
// from the key's date into a: checked, and only once her fiche is in the
// copy (until then the record waits).
func (l *Local) writeTab(ctx context.Context, key string, build func(day data.Date, a *data.Availability) error) error {
	id, day, err := data.SplitDateKey(key)
	if err != nil {
		return err
	}
	a := &data.Availability{ProfessionalID: id}
	if err := build(day, a); err != nil {
		return err
	}
	if ok, err := l.professionalExists(ctx, id); !ok || err != nil {
		return err
	}
	if a.Global, err = l.localGlobal(ctx, id); err != nil {
		return err
	}
	return l.core.WriteAvailability(ctx, a)
}

// setFields sets each field through set, in name order, so that the first
// invalid field reported is always the same.
func setFields(fields map[string]string, set func(name, value string) error) error {
	for _, name := range sortedNames(fields) {
		if err := set(name, fields[name]); err != nil {
			return err
		}
	}
	return nil
}

// writeRequest upserts a request with its own ID. The professional it names
// is kept only when she is in the copy (else it is filled in when she
// arrives, see materializeChildren).
func (l *Local) writeRequest(ctx context.Context, id string, fields map[string]string) error {
	r := data.RequestFromFields(id, fields)
	if !r.Kind.Valid() || !r.State.Valid() || r.CafCode == "" {
		return data.Errorf(data.EINVALID, "Demande d'habilitation reçue invalide (type, état ou Caf).")
	}
	professional := sql.NullString{}
	if r.ProfessionalID != "" {
		ok, err := l.professionalExists(ctx, r.ProfessionalID)
		if err != nil {
			return err
		}
		professional = sql.NullString{String: r.ProfessionalID, Valid: ok}
	}
	a := r.Address
	search := data.NormalizeName(r.LastName + " " + r.FirstName + " " + r.StructureName)
	_, err := l.core.Exec(ctx, `INSERT INTO requests (id, kind, civility, last_name, first_name,
		structure_name, agrement_number, street_number, street_type, street_name, postal_code,
		commune_insee, commune_name, phone, email, department, caf_code, state, refusal_reason,
		professional_id, match_kind, search_text, created_at, updated_at)
		VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)
		ON CONFLICT (id) DO UPDATE SET kind=excluded.kind, civility=excluded.civility,
		last_name=excluded.last_name, first_name=excluded.first_name,
		structure_name=excluded.structure_name, agrement_number=excluded.agrement_number,
		street_number=excluded.street_number, street_type=excluded.street_type,
		street_name=excluded.street_name, postal_code=excluded.postal_code,
		commune_insee=excluded.commune_insee, commune_name=excluded.commune_name,
		phone=excluded.phone, email=excluded.email, department=excluded.department,
		caf_code=excluded.caf_code, state=excluded.state, refusal_reason=excluded.refusal_reason,
		professional_id=excluded.professional_id, match_kind=excluded.match_kind,
		search_text=excluded.search_text, created_at=excluded.created_at, updated_at=excluded.updated_at`,
		id, r.Kind, r.Civility, r.LastName, r.FirstName, r.StructureName, r.AgrementNumber,
		a.Number, a.StreetType, a.StreetName, a.PostalCode, a.CommuneINSEE, a.CommuneName,
		r.Phone, r.Email, r.Department, r.CafCode, r.State, r.RefusalReason, professional,
		r.Match, search, unixMillis(r.CreatedAt), l.core.Now().UnixMilli())
	if err != nil {
		return fmt.Errorf("sqlite: request: %w", err)
	}
	return nil
}

// unixMillis is the stored form of a time: Unix milliseconds, 0 for zero.
func unixMillis(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixMilli()
}

// deleteLocal removes the local row of a record the service no longer has
// (a fiche excepted, see materialize).
func (l *Local) deleteLocal(ctx context.Context, ref recordRef) error {
	var query string
	var args []any
	switch ref.entity {
	case entityAvailability:
		query, args = `DELETE FROM availability WHERE professional_id = ?`, []any{ref.key}
	case entityWeek, entityDated:
		id, d, err := data.SplitDateKey(ref.key)
		if err != nil {
			return err
		}
		query = `DELETE FROM availability_weeks WHERE professional_id = ? AND monday = ?`
		if ref.entity == entityDated {
			query = `DELETE FROM availability_dated WHERE professional_id = ? AND day = ?`
		}
		args = []any{id, d.String()}
	case entityRequest:
		query, args = `DELETE FROM requests WHERE id = ?`, []any{ref.key}
	default:
		return nil
	}
	if _, err := l.core.Exec(ctx, query, args...); err != nil {
		return fmt.Errorf("sqlite: delete %s: %w", ref.entity, err)
	}
	return nil
}

// dropProfessional removes a fiche that left the scope, with her
// availability; requests that named her keep their own data.
func (l *Local) dropProfessional(ctx context.Context, id string, states *recordStates) error {
	for _, q := range []string{
		`DELETE FROM availability_weeks WHERE professional_id = ?`,
		`DELETE FROM availability_dated WHERE professional_id = ?`,
		`DELETE FROM availability WHERE professional_id = ?`,
		`UPDATE requests SET professional_id = NULL WHERE professional_id = ?`,
		`DELETE FROM sync_records WHERE parent = ? AND entity IN ('availability', 'week', 'dated')`,
		`DELETE FROM professionals WHERE id = ?`,
	} {
		if _, err := l.core.Exec(ctx, q, id); err != nil {
			return fmt.Errorf("sqlite: drop professional: %w", err)
		}
	}
	states.forgetAvailability(id)
	return nil
}

// Settle rebuilds the records of acknowledged or refused edits from the
// service's state, then forgets those edits.
func (l *Local) Settle(ctx context.Context) error {
	return l.LocalError(l.core.InTx(ctx, func(ctx context.Context) error {
		rows, err := l.core.Query(ctx, `SELECT DISTINCT entity, key FROM outbox_fields WHERE outbox_id IS NULL`)
		if err != nil {
			return fmt.Errorf("sqlite: settle: %w", err)
		}
		var refs []recordRef
		for rows.Next() {
			var ref recordRef
			if err := rows.Scan(&ref.entity, &ref.key); err != nil {
				rows.Close()
				return fmt.Errorf("sqlite: settle: %w", err)
			}
			refs = append(refs, ref)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		if len(refs) == 0 {
			return nil
		}
		pend, err := l.pendingFields(ctx)
		if err != nil {
			return err
		}
		states := newRecordStates(l)
		for _, ref := range refs {
			if err := l.materialize(ctx, ref, pend, states); err != nil {
				return fmt.Errorf("sqlite: settle %s %q: %w", ref.entity, ref.key, err)
			}
		}
		_, err = l.core.Exec(ctx, `DELETE FROM outbox_fields WHERE outbox_id IS NULL`)
		return err
	}))
}

// FieldVersions returns the versions of a record's fields as last pulled.
func (l *Local) FieldVersions(ctx context.Context, entity, key string) (map[string]int64, error) {
	st, err := l.serverRecord(ctx, recordRef{entity, key})
	if err != nil || st == nil {
		return map[string]int64{}, err
	}
	return st.Versions, nil
}

// QueueEdits appends the edits to the outbox with the fields they change.
func (l *Local) QueueEdits(ctx context.Context, edits []data.PendingEdit) error {
	return l.LocalError(l.core.InTx(ctx, func(ctx context.Context) error {
		entries := make([]data.OutboxEntry, len(edits))
		for i := range edits {
			entries[i] = edits[i].Entry
		}
		if err := l.appendOutbox(ctx, entries); err != nil {
			return err
		}
		for i, e := range edits {
			edits[i].Entry.Seq, edits[i].Entry.CreatedAt = entries[i].Seq, entries[i].CreatedAt
			for _, name := range sortedNames(e.Fields) {
				if _, err := l.core.Exec(ctx, `INSERT INTO outbox_fields (outbox_id, seq, entity, key, field, value)
					VALUES (?, ?, ?, ?, ?, ?)`, e.Entry.ID, entries[i].Seq, e.Entry.Entity, e.Entry.Key,
					name, e.Fields[name]); err != nil {
					return fmt.Errorf("sqlite: outbox fields: %w", err)
				}
			}
		}
		return nil
	}))
}

// ResetScope drops the local copy of the records, their versions and the
// cursor, keeping the outbox, the rejected edits and the sync identity.
func (l *Local) ResetScope(ctx context.Context) error {
	return l.LocalError(l.core.InTx(ctx, func(ctx context.Context) error {
		for _, q := range []string{
			`DELETE FROM requests`,
			`DELETE FROM availability_weeks`,
			`DELETE FROM availability_dated`,
			`DELETE FROM availability`,
			`DELETE FROM professionals`,
			`DELETE FROM sync_records`,
			`DELETE FROM outbox_fields WHERE outbox_id IS NULL`,
		} {
			if _, err := l.core.Exec(ctx, q); err != nil {
				return fmt.Errorf("sqlite: reset scope: %w", err)
			}
		}
		return l.SetSyncState(ctx, data.SyncCursorKey, "")
	}))
}

// FindConflicts returns the conflict records, newest first.
func (l *Local) FindConflicts(ctx context.Context) ([]data.LocalConflict, error) {
	rows, err := l.core.Query(ctx, `SELECT r.key, r.fields, s.key IS NOT NULL FROM sync_records r
		LEFT JOIN conflicts_seen s ON s.key = r.key WHERE r.entity = 'conflict'`)
	if err != nil {
		return nil, fmt.Errorf("sqlite: conflicts: %w", err)
	}
	defer rows.Close()
	var list []data.LocalConflict
	for rows.Next() {
		var key, fields string
		var seen bool
		if err := rows.Scan(&key, &fields, &seen); err != nil {
			return nil, fmt.Errorf("sqlite: conflicts: %w", err)
		}
		var f map[string]string
		if err := json.Unmarshal([]byte(fields), &f); err != nil {
			return nil, fmt.Errorf("sqlite: conflict %s: %w", key, err)
		}
		list = append(list, data.LocalConflict{Conflict: data.ConflictFromFields(key, f), Seen: seen})
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	sort.SliceStable(list, func(i, j int) bool {
		if !list[i].At.Equal(list[j].At) {
			return list[i].At.After(list[j].At)
		}
		return list[i].ID > list[j].ID
	})
	return list, nil
}

// CountConflicts returns how many conflict records were not seen yet.
func (l *Local) CountConflicts(ctx context.Context) (int, error) {
	var n int
	err := l.core.QueryRow(ctx, `SELECT COUNT(*) FROM sync_records r WHERE r.entity = 'conflict'
		AND NOT EXISTS (SELECT 1 FROM conflicts_seen s WHERE s.key = r.key)`).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("sqlite: conflicts: %w", err)
	}
	return n, nil
}

// MarkConflictsSeen records that the user saw those conflicts.
func (l *Local) MarkConflictsSeen(ctx context.Context, ids ...string) error {
	return l.LocalError(l.core.InTx(ctx, func(ctx context.Context) error {
		now := l.core.Now().UnixMilli()
		for _, id := range ids {
			if _, err := l.core.Exec(ctx, `INSERT INTO conflicts_seen (key, seen_at) VALUES (?, ?)
				ON CONFLICT (key) DO NOTHING`, id, now); err != nil {
				return fmt.Errorf("sqlite: conflicts seen: %w", err)
			}
		}
		return nil
	}))
}

// French messages of the local file's failures the user can act on.
const (
	msgDiskFull = "L'ordinateur n'a plus de place pour enregistrer les données d'Espace professionnel (disque plein) : " +
		"la dernière opération n'a pas été enregistrée, mais rien de ce qui était déjà enregistré n'est perdu. " +
		"Libérez de la place sur le disque puis recommencez."
	msgReadOnly = "Le fichier de données d'Espace professionnel est en lecture seule : " +
		"la dernière opération n'a pas été enregistrée, mais rien de ce qui était déjà enregistré n'est perdu. " +
		"Vérifiez les droits sur le dossier des données (ou demandez à votre service informatique) puis recommencez."
)

// LocalError turns a disk-full or read-only failure of the local file into
// an EUNAVAILABLE error with a French message; other errors are returned
// as they are.
func (l *Local) LocalError(err error) error {
	var e sqlite3.Error
	if err == nil || !errors.As(err, &e) {
		return err
	}
	var de *data.Error
	if errors.As(err, &de) {
		return err // already explained
	}
	switch e.Code {
	case sqlite3.ErrFull:
		return fmt.Errorf("%w: %w", data.Errorf(data.EUNAVAILABLE, "%s", msgDiskFull), err)
	case sqlite3.ErrReadonly:
		return fmt.Errorf("%w: %w", data.Errorf(data.EUNAVAILABLE, "%s", msgReadOnly), err)
	}
	return err
}

// FindRequestByID reads a request of the local copy (a Caf agent's);
// ENOTFOUND when absent.
func (l *Local) FindRequestByID(ctx context.Context, id string) (*data.Request, error) {
	return l.core.FindRequestByID(ctx, id)
}

// FindRequests searches the requests of the local copy.
func (l *Local) FindRequests(ctx context.Context, f data.RequestFilter) ([]*data.Request, int, error) {
	return l.core.FindRequests(ctx, f)
}
