package ui

import (
	"context"
	"slices"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"espacepro/data"
	"espacepro/sync/client"
	"espacepro/sync/wire"
)

// auditSpy records the queries the audit screen makes.
type auditSpy struct {
	*fakeService
	queries []client.AuditQuery
}

func (f *auditSpy) Audit(ctx context.Context, q client.AuditQuery) (*wire.Page[wire.AuditEntry], error) {
	f.queries = append(f.queries, q)
	return f.fakeService.Audit(ctx, q)
}

// seedAudit fills the fake with a few entries of the log of the Caf of the
// Hauts-de-Seine, newest first.
func seedAudit(f *fakeService) *fakeService {
	f.pros["pro-dupont"] = marieDupont(data.HabilitationSuspended)
	f.requests = []*data.Request{{ID: "req-0001", FirstName: "Jeanne", LastName: "Martin"}}
	f.audit = []wire.AuditEntry{
		{ID: 3, At: time.Date(2026, 3, 12, 13, 5, 0, 0, time.UTC), ActorName: "agent@caf92.fr",
			Action: "professional.suspend", TargetKind: "professional", TargetID: "pro-dupont", Detail: "Agrément suspendu par la PMI"},
		{ID: 2, At: time.Date(2026, 3, 10, 8, 0, 0, 0, time.UTC), ActorName: "agent@caf92.fr",
			Action: "request.validate", TargetKind: "request", TargetID: "req-0001"},
		{ID: 1, At: time.Date(2026, 1, 2, 23, 30, 0, 0, time.UTC), ActorName: "service",
			Action: "future.action", TargetKind: "import", TargetID: "0123456789abcdef"},
	}
	return f
}

// newAuditTest opens the audit log on svc in a test window, dates shown
// in Paris time.
func newAuditTest(t *testing.T, svc Service) (*auditScreen, fyne.Window) {
	t.Helper()
	w := newSizedWindow(t, "audit", 1200, 600)
	s := newAuditScreen(svc, w)
	s.loc = paris
	s.reload()
	w.SetContent(s.content)
	return s, w
}

// auditRow returns the cells of row i of the audit table.
func auditRow(s *auditScreen, i int) []string {
	var out []string
	for col := 0; col < 5; col++ {
		out = append(out, s.cell(s.entries[i], col))
	}
	return out
}

func TestAuditListsEntriesWithFrenchLabels(t *testing.T) {
	f := seedAudit(newFakeService())
	s, w := newAuditTest(t, f)

	for i, want := range [][]string{
		{"12/03/2026 14:05", "agent@caf92.fr", "Habilitation suspendue", "Marie DUPONT", "Agrément suspendu par la PMI"},
		{"10/03/2026 09:00", "agent@caf92.fr", "Demande validée, compte créé", "Demande de Jeanne MARTIN", ""},
		{"03/01/2026 00:30", "service", "future.action", "Import 89abcdef", ""},
	} {
		if got := auditRow(s, i); !slices.Equal(got, want) {
			t.Errorf("row %d = %q, want %q", i, got, want)
		}
	}
	assertShows(t, w, "Date", "Agent", "Action", "Sur", "Détail", "1–3 sur 3")

	s.table.Select(widget.TableCellID{Row: 0, Col: 4})
	assertShowsWrapped(t, w, "12/03/2026 14:05 — agent@caf92.fr — Habilitation suspendue — Marie DUPONT Agrément suspendu par la PMI")
}

func TestAuditLabelsEveryServerAction(t *testing.T) {
	for _, a := range auditActions {
		if auditActionLabel(a) == a {
			t.Errorf("%s has no French label", a)
		}
	}
	if got := auditActionLabel("professional.revoke"); got != "Habilitation révoquée" {
		t.Errorf("professional.revoke = %q", got)
	}
}

func TestAuditActionFilter(t *testing.T) {
	spy := &auditSpy{fakeService: seedAudit(newFakeService())}
	s, _ := newAuditTest(t, spy)
	s.action.SetSelected("Habilitation suspendue")
	q := spy.queries[len(spy.queries)-1]
	if q.Action != "professional.suspend" || q.Offset != 0 || q.Limit != auditPageSize {
		t.Errorf("query = %+v", q)
	}
}

func TestAuditDateRange(t *testing.T) {
	spy := &auditSpy{fakeService: seedAudit(newFakeService())}
	s, _ := newAuditTest(t, spy)
	test.Type(s.since, "01/03/2026")
	test.Type(s.until, "31/03/2026")
	test.Tap(s.filterButton)
	q := spy.queries[len(spy.queries)-1]
	if !q.Since.Equal(time.Date(2026, 3, 1, 0, 0, 0, 0, time.Local)) || !q.Until.Equal(time.Date(2026, 3, 31, 0, 0, 0, 0, time.Local)) {
		t.Errorf("query = %v → %v, want 01/03/2026 → 31/03/2026 (the last day included)", q.Since, q.Until)
	}
}

func TestAuditDateFilterRejectsAnImpossibleDate(t *testing.T) {
	spy := &auditSpy{fakeService: seedAudit(newFakeService())}
	s, w := newAuditTest(t, spy)
	before := len(spy.queries)

	test.Type(s.since, "31/02/2026")
	test.Tap(s.filterButton)

	want := "Date « 31/02/2026 » invalide : le format attendu est JJ/MM/AAAA."
	if !s.sinceError.Visible() || s.sinceError.Text != want {
		t.Errorf("error next to « Du » = %q (visible %v)", s.sinceError.Text, s.sinceError.Visible())
	}
	if s.untilError.Visible() {
		t.Error("the error shows next to « Au »")
	}
	assertShowsWrapped(t, w, want)
	if len(spy.queries) != before {
		t.Error("the log was asked with an impossible date")
	}

	s.since.SetText("15/03/2026")
	s.until.SetText("01/03/2026")
	test.Tap(s.filterButton)
	if s.sinceError.Visible() || s.untilError.Text != "La date de fin est avant la date de début." {
		t.Errorf("errors = %q, %q", s.sinceError.Text, s.untilError.Text)
	}
	if len(spy.queries) != before {
		t.Error("the log was asked with an empty range")
	}
}

func TestAuditOffline(t *testing.T) {
	for _, err := range []error{
		data.Errorf(data.EUNAVAILABLE, client.MsgUnreachable),
		data.Errorf(data.EUNAUTHORIZED, client.MsgNotLoggedIn),
	} {
		f := seedAudit(newFakeService())
		f.fail["Audit"] = err
		s, w := newAuditTest(t, f)
		assertShowsWrapped(t, w, "Le journal est sur le serveur : connectez-vous pour le consulter.")
		if len(s.entries) != 0 {
			t.Error("entries shown while offline")
		}

		delete(f.fail, "Audit")
		s.reload()
		if len(s.entries) != 3 || s.message.Visible() {
			t.Errorf("after reconnection: %d entries, message %q", len(s.entries), s.message.Text)
		}
	}
}

func TestAuditGolden(t *testing.T) {
	_, w := newAuditTest(t, seedAudit(newFakeService()))
	test.AssertRendersToMarkup(t, "agent_audit.xml", w.Canvas())
}
