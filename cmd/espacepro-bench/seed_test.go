package main

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"espacepro/data"
	"espacepro/data/postgres"
	"espacepro/data/postgres/pgtest"
	"espacepro/data/sqlite"
	"espacepro/data/sqlstore"
)

// The bulk seed writes exactly the rows the store's own methods write: the
// same fiches, availability and weeks, the same change log in the same
// order, the same field stamps and sequence counters. Only the generated
// IDs and the times differ, so rows are compared with each professional's
// ID replaced by her agrément number and without the times.
func TestSeedBulkMatchesStore(t *testing.T) {
	pl := smallPlan(t)
	for _, db := range []string{"sqlite", "postgres"} {
		t.Run(db, func(t *testing.T) {
			open := openTestStore(t, db)
			viaStore, viaBulk := open(), open()
			ctx := context.Background()
			a, err := seedStore(ctx, viaStore, pl, func(int) {})
			if err != nil {
				t.Fatal(err)
			}
			b, err := seedBulk(ctx, viaBulk, pl, func(int) {})
			if err != nil {
				t.Fatal(err)
			}
			if len(a.active) != len(b.active) {
				t.Errorf("active childminders in %d Caf through the store, %d in bulk", len(a.active), len(b.active))
			}
			want, got := dump(t, viaStore), dump(t, viaBulk)
			for table := range want {
				if !slices.Equal(want[table], got[table]) {
					t.Errorf("%s: %d rows through the store, %d in bulk; first difference:\n%s", table,
						len(want[table]), len(got[table]), firstDifference(want[table], got[table]))
				}
			}
			if len(want["field_stamps"]) < 20*len(pl.slots) {
				t.Errorf("only %d field stamps for %d childminders", len(want["field_stamps"]), len(pl.slots))
			}
		})
	}
}

// smallPlan is a plan of a few hundred childminders, a third of them in
// Caf PullCaf, written in three batches.
func smallPlan(t *testing.T) *plan {
	batch := seedBatch
	seedBatch = 250
	t.Cleanup(func() { seedBatch = batch })
	full, err := makePlan(data.DefaultReference(), 600, 200)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []string{PullCaf} {
		if full.byCaf[c] != 200 {
			t.Fatalf("Caf %s holds %d childminders, want 200", c, full.byCaf[c])
		}
	}
	return full
}

// openTestStore returns a function that opens new, empty stores on db.
func openTestStore(t *testing.T, db string) func() *sqlstore.Store {
	if db == "sqlite" {
		n := 0
		return func() *sqlstore.Store {
			n++
			s, err := sqlite.OpenCentral(context.Background(), filepath.Join(t.TempDir(), fmt.Sprintf("central%d.db", n)))
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { s.Close() })
			return s
		}
	}
	return func() *sqlstore.Store {
		s, err := postgres.Open(context.Background(), pgtest.FreshSchema(t))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		return s
	}
}

// dump reads the seeded tables as sorted lines, professionals' IDs replaced
// by their agrément numbers, times left out.
func dump(t *testing.T, s *sqlstore.Store) map[string][]string {
	t.Helper()
	ctx := context.Background()
	names := map[string]string{}
	rows, err := s.Query(ctx, `SELECT id, department, agrement_number FROM professionals`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var id, dept, number string
		if err := rows.Scan(&id, &dept, &number); err != nil {
			t.Fatal(err)
		}
		names[id] = "<" + dept + "/" + number + ">"
	}
	rows.Close()
	anon := func(v string) string { // a professional's ID, or a key that starts with it
		if len(v) >= 36 {
			if name, ok := names[v[:36]]; ok {
				return name + v[36:]
			}
		}
		return v
	}
	queries := map[string]string{
		"professionals": `SELECT id, kind, department, caf_code, agrement_number, civility, last_name, first_name,
			structure_name, street_number, street_type, street_name, postal_code, commune_insee, commune_name, phone,
			email, places_agreed, agrement_date, capacity, opening_hours, listing, habilitation, sort_last, sort_first,
			search_text FROM professionals`,
		"availability":       `SELECT professional_id, global FROM availability`,
		"availability_weeks": `SELECT professional_id, monday, use_detail, grid, places FROM availability_weeks`,
		"change_log":         `SELECT caf_code, seq, professional_id, entity, key, deleted FROM change_log`,
		"field_stamps":       `SELECT entity, key, field, version, by_name, stamp FROM field_stamps`,
		"seq_counters":       `SELECT caf_code, value FROM seq_counters`,
	}
	out := map[string][]string{}
	for table, q := range queries {
		rows, err := s.Query(ctx, q)
		if err != nil {
			t.Fatal(err)
		}
		cols, _ := rows.Columns()
		for rows.Next() {
			vals := make([]any, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			if err := rows.Scan(ptrs...); err != nil {
				t.Fatal(err)
			}
			parts := make([]string, len(vals))
			for i, v := range vals {
				if b, ok := v.([]byte); ok {
					v = string(b)
				}
				parts[i] = anon(fmt.Sprint(v))
				if cols[i] == "stamp" { // an HLC: only its node is the same
					parts[i] = parts[i][strings.LastIndexByte(parts[i], '-')+1:]
				}
			}
			out[table] = append(out[table], strings.Join(parts, " | "))
		}
		if err := rows.Err(); err != nil {
			t.Fatal(err)
		}
		rows.Close()
		slices.Sort(out[table])
	}
	return out
}

func firstDifference(a, b []string) string {
	for i := range min(len(a), len(b)) {
		if a[i] != b[i] {
			return "store: " + a[i] + "\nbulk:  " + b[i]
		}
	}
	return "(one is a prefix of the other)"
}
