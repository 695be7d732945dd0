package storetest

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"espacepro/data"
)

// testAudit runs the audit log subtests of the central store.
func testAudit(t *testing.T, open func(t *testing.T) data.CentralStore) {
	t.Run("AppendSetsIDAndAt", func(t *testing.T) {
		s, ctx := open(t), testContext(t)
		before := time.Now().Add(-time.Second)
		var last int64
		var entries []*data.AuditEntry
		for i := range 3 {
			e := &data.AuditEntry{
				ActorID:    "compte-1",
				ActorName:  "françoise.lemaitre@caf92.example.fr",
				CafCode:    "921",
				Action:     "request.refuse",
				TargetKind: "request",
				TargetID:   fmt.Sprint("demande-", i),
				Detail:     "Motif : « numéro d'agrément inconnu » — Hélène N'Diaye, Œillet",
			}
			must(t, s.AppendAudit(ctx, e), "AppendAudit")
			if e.ID <= last {
				t.Errorf("AppendAudit set ID %d after %d: IDs must increase", e.ID, last)
			}
			last = e.ID
			if e.At.Before(before) {
				t.Errorf("AppendAudit set At %s: want the current time", showTime(e.At))
			}
			entries = append(entries, e)
		}
		given := &data.AuditEntry{At: time.Date(2025, time.December, 31, 23, 59, 59, 456789000, paris), ActorName: "administrateur (ligne de commande)", Action: "agent.create", TargetKind: "account", TargetID: "compte-2"}
		must(t, s.AppendAudit(ctx, given), "AppendAudit with a time")
		if given.ID <= last {
			t.Errorf("AppendAudit set ID %d after %d: IDs must increase", given.ID, last)
		}
		list, total, err := s.FindAudit(ctx, data.AuditFilter{})
		must(t, err, "FindAudit")
		want := []*data.AuditEntry{entries[2], entries[1], entries[0], given}
		if total != len(want) || len(list) != len(want) {
			t.Fatalf("FindAudit returned %d entries (total %d), want %d", len(list), total, len(want))
		}
		for i := range want {
			wantEqual(t, fmt.Sprintf("audit entry %d", i), want[i], list[i])
		}
	})

	t.Run("FindAudit", func(t *testing.T) {
		s, ctx := open(t), testContext(t)
		t0 := time.Date(2026, time.March, 2, 9, 0, 0, 0, paris)
		at := func(min int) time.Time { return t0.Add(time.Duration(min) * time.Minute) }
		e := []*data.AuditEntry{
			{At: at(0), ActorID: "agent-1", ActorName: "a1@caf92.example.fr", CafCode: "921", Action: "request.letter", TargetKind: "request", TargetID: "req-1"},
			{At: at(10), ActorID: "agent-1", ActorName: "a1@caf92.example.fr", CafCode: "921", Action: "request.validate", TargetKind: "request", TargetID: "req-1"},
			{At: at(20), ActorID: "agent-2", ActorName: "a2@caf64.example.fr", CafCode: "641", Action: "request.validate", TargetKind: "request", TargetID: "req-2"},
			{At: at(30), ActorID: "", ActorName: "administrateur (ligne de commande)", CafCode: "", Action: "agent.create", TargetKind: "account", TargetID: "agent-2"},
			{At: at(40), ActorID: "agent-1", ActorName: "a1@caf92.example.fr", CafCode: "921", Action: "import.apply", TargetKind: "import", TargetID: "liste-pmi-92.csv", Detail: "12 nouvelles, 3 retirées"},
			// Same time as the previous one: the higher ID is the newer.
			{At: at(40), ActorID: "agent-1", ActorName: "a1@caf92.example.fr", CafCode: "921", Action: "professional.suspend", TargetKind: "professional", TargetID: "req-1"},
		}
		// Appended out of time order: the list follows At, not the order
		// of appending.
		for _, i := range []int{3, 0, 2, 1, 4, 5} {
			must(t, s.AppendAudit(ctx, e[i]), "AppendAudit %d", i)
		}
		cases := []struct {
			name string
			f    data.AuditFilter
			want []*data.AuditEntry
		}{
			{"NoFilter", data.AuditFilter{}, []*data.AuditEntry{e[5], e[4], e[3], e[2], e[1], e[0]}},
			{"CafCode921", data.AuditFilter{CafCode: "921"}, []*data.AuditEntry{e[5], e[4], e[1], e[0]}},
			{"CafCode641", data.AuditFilter{CafCode: "641"}, []*data.AuditEntry{e[2]}},
			{"ActorID", data.AuditFilter{ActorID: "agent-2"}, []*data.AuditEntry{e[2]}},
			{"TargetID", data.AuditFilter{TargetID: "req-1"}, []*data.AuditEntry{e[5], e[1], e[0]}},
			{"TargetIDAccount", data.AuditFilter{TargetID: "agent-2"}, []*data.AuditEntry{e[3]}},
			{"Action", data.AuditFilter{Action: "request.validate"}, []*data.AuditEntry{e[2], e[1]}},
			{"ActionUnknown", data.AuditFilter{Action: "request"}, nil},
			{"SinceInclusive", data.AuditFilter{Since: at(20)}, []*data.AuditEntry{e[5], e[4], e[3], e[2]}},
			{"UntilExclusive", data.AuditFilter{Until: at(20)}, []*data.AuditEntry{e[1], e[0]}},
			{"SinceUntil", data.AuditFilter{Since: at(10), Until: at(40)}, []*data.AuditEntry{e[3], e[2], e[1]}},
			{"SinceUntilInUTC", data.AuditFilter{Since: at(10).UTC(), Until: at(30).UTC()}, []*data.AuditEntry{e[2], e[1]}},
			{"SinceBetweenMinutes", data.AuditFilter{Since: at(10).Add(time.Second)}, []*data.AuditEntry{e[5], e[4], e[3], e[2]}},
			{"CafSinceUntil", data.AuditFilter{CafCode: "921", Since: at(5), Until: at(41)}, []*data.AuditEntry{e[5], e[4], e[1]}},
			{"ActorAndAction", data.AuditFilter{ActorID: "agent-1", Action: "request.validate"}, []*data.AuditEntry{e[1]}},
		}
		for _, c := range cases {
			list, total, err := s.FindAudit(ctx, c.f)
			if err != nil {
				t.Errorf("%s: FindAudit(%+v): %v", c.name, c.f, err)
				continue
			}
			wantAudit(t, c.name, list, total, len(c.want), c.want...)
		}
		all := []*data.AuditEntry{e[5], e[4], e[3], e[2], e[1], e[0]}
		pages := []struct {
			offset, limit int
			want          []*data.AuditEntry
		}{
			{0, 4, all[0:4]}, {4, 4, all[4:6]}, {6, 4, nil}, {1, 2, all[1:3]}, {5, 0, all[5:6]},
		}
		for _, pg := range pages {
			list, total, err := s.FindAudit(ctx, data.AuditFilter{Offset: pg.offset, Limit: pg.limit})
			if err != nil {
				t.Errorf("FindAudit(offset %d, limit %d): %v", pg.offset, pg.limit, err)
				continue
			}
			wantAudit(t, fmt.Sprintf("offset %d, limit %d", pg.offset, pg.limit), list, total, len(all), pg.want...)
		}
		list, total, err := s.FindAudit(ctx, data.AuditFilter{CafCode: "921", Offset: 1, Limit: 2})
		must(t, err, "FindAudit(Caf 921, offset 1, limit 2)")
		wantAudit(t, "Caf 921, offset 1, limit 2", list, total, 4, e[4], e[1])
		list, _, err = s.FindAudit(ctx, data.AuditFilter{TargetID: "liste-pmi-92.csv"})
		must(t, err, "FindAudit(TargetID)")
		if len(list) == 1 {
			wantEqual(t, "audit entry of the import", e[4], list[0])
		}
	})
}

// wantAudit checks that list holds want in that order and that total is
// wantTotal.
func wantAudit(t testing.TB, what string, list []*data.AuditEntry, total, wantTotal int, want ...*data.AuditEntry) {
	t.Helper()
	same := len(list) == len(want)
	for i := 0; same && i < len(list); i++ {
		same = list[i] != nil && list[i].ID == want[i].ID
	}
	if !same || total != wantTotal {
		t.Errorf("%s: got %s (total %d), want %s (total %d)", what, auditNames(list), total, auditNames(want), wantTotal)
	}
}

func auditNames(list []*data.AuditEntry) string {
	names := make([]string, len(list))
	for i, e := range list {
		if e == nil {
			names[i] = "<nil>"
			continue
		}
		names[i] = fmt.Sprintf("#%d %s %s@%s", e.ID, e.Action, e.TargetID, e.At.UTC().Format("15:04:05"))
	}
	return "[" + strings.Join(names, ", ") + "]"
}
