package sqlite

import (
	"context"
	"encoding/json"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
	"unicode/utf8"

	"espacepro/data"
)

func openLocal(t *testing.T) *Local {
	t.Helper()
	l, err := OpenLocal(context.Background(), filepath.Join(t.TempDir(), "local.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	return l
}

const (
	proID   = "0190c3a8-0000-7000-8000-000000000001"
	otherID = "0190c3a8-0000-7000-8000-000000000002"
	reqID   = "0190c3a8-0000-7000-8000-0000000000aa"
)

var (
	monday = data.Date{Year: 2026, Month: 3, Day: 2}
	sept   = data.Date{Year: 2026, Month: 9, Day: 1}
)

func sampleProfessional(id, agrement string) *data.Professional {
	return &data.Professional{ID: id, Kind: data.KindChildminder, Department: "92", CafCode: "921",
		AgrementNumber: agrement, Civility: data.CivilityMme, LastName: "Martin", FirstName: "Sophie",
		Address: data.Address{Number: "12", StreetType: "rue", StreetName: "de Billancourt",
			PostalCode: "92100", CommuneINSEE: "92012", CommuneName: "Boulogne-Billancourt"},
		Phone: "0611223344", PlacesAgreed: 3, Listing: data.Listed, Habilitation: data.HabilitationActive}
}

// record returns a pulled record whose every field has version v.
func record(entity, key string, fields map[string]string, v int64) data.Record {
	r := data.Record{Entity: entity, Key: key, Fields: fields, Versions: map[string]int64{}}
	for k := range fields {
		r.Versions[k] = v
	}
	return r
}

func professionalRecord(id, agrement string, v int64) data.Record {
	return record("professional", id, data.ProfessionalFields(sampleProfessional(id, agrement)), v)
}

func weekRecord(id string, v int64, set map[string]string) data.Record {
	w := data.Week{Monday: monday, Grid: data.NewWeekGrid()}
	f := w.Fields()
	for k, val := range set {
		f[k] = val
	}
	return record("week", data.WeekKey(id, monday), f, v)
}

func datedRecord(id string, v int64, set map[string]string) data.Record {
	x := data.Dated{Date: sept, Days: data.NewWeekDays()}
	f := x.Fields()
	for k, val := range set {
		f[k] = val
	}
	return record("dated", data.DatedKey(id, sept), f, v)
}

func requestRecord(id, professionalID string, v int64) data.Record {
	r := &data.Request{ID: id, Kind: data.KindChildminder, Civility: data.CivilityMme, LastName: "Martin",
		FirstName: "Sophie", Department: "92", CafCode: "921", State: data.RequestReceived,
		ProfessionalID: professionalID, Match: data.MatchAuto, Email: "sophie@example.org",
		CreatedAt: time.Date(2026, 2, 1, 9, 0, 0, 0, time.UTC)}
	return record("request", id, data.RequestFields(r), v)
}

func must(t *testing.T, err error, what string) {
	t.Helper()
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}

func cursorOf(t *testing.T, l *Local) string {
	t.Helper()
	c, err := l.SyncState(context.Background(), data.SyncCursorKey)
	must(t, err, "SyncState")
	return c
}

func weekOf(t *testing.T, l *Local, id string) (data.Week, bool) {
	t.Helper()
	a, err := l.FindAvailability(context.Background(), id)
	must(t, err, "FindAvailability")
	return a.WeekOf(monday)
}

// queueWeekEdit saves a local edit of cells of the week, as the sync client
// does: the local row and the outbox entry with its fields, in one
// transaction.
func queueWeekEdit(t *testing.T, l *Local, n int, id string, set map[string]string) data.OutboxEntry {
	t.Helper()
	ctx := context.Background()
	a, err := l.FindAvailability(ctx, id)
	must(t, err, "FindAvailability")
	w, ok := a.WeekOf(monday)
	if !ok {
		w = data.Week{Monday: monday, Grid: data.NewWeekGrid()}
	}
	for k, v := range set {
		must(t, w.SetField(k, v), "SetField")
	}
	a.Weeks = []data.Week{w}
	a.Dated = nil
	e := data.OutboxEntry{ID: "0190c3a8-1111-7000-8000-00000000000" + string(rune('0'+n)), Entity: "week",
		Key: data.WeekKey(id, monday), Payload: []byte(`{}`)}
	must(t, l.InTx(ctx, func(ctx context.Context) error {
		if err := l.SaveAvailability(ctx, a, nil); err != nil {
			return err
		}
		return l.QueueEdits(ctx, []data.PendingEdit{{Entry: e, Fields: set}})
	}), "queue edit")
	return e
}

func TestApplyPulledPage(t *testing.T) {
	ctx := context.Background()
	l := openLocal(t)
	page := []data.Record{
		// Children first: the page is applied parents first whatever its order.
		weekRecord(proID, 5, map[string]string{"use": "1", "c00": "D", "places": "2"}),
		datedRecord(proID, 6, map[string]string{"use": "1", "d3": "N"}),
		record("availability", proID, map[string]string{"global": "green"}, 7),
		requestRecord(reqID, proID, 8),
		professionalRecord(proID, "92-2019-0147", 4),
	}
	must(t, l.ApplyPulled(ctx, page, "921:x:8"), "ApplyPulled")

	p, err := l.FindProfessionalByID(ctx, proID)
	must(t, err, "FindProfessionalByID")
	if p.LastName != "Martin" || p.Phone != "0611223344" || p.Habilitation != data.HabilitationActive {
		t.Errorf("professional = %+v", p)
	}
	a, err := l.FindAvailability(ctx, proID)
	must(t, err, "FindAvailability")
	if a.Global != data.ColourGreen {
		t.Errorf("global = %s, want green", a.Global)
	}
	w, ok := a.WeekOf(monday)
	if !ok || !w.Use || w.Grid[0][0] != data.Available || w.Grid[0][1] != data.NotWorked || data.FormatPlaces(w.Places) != "2" {
		t.Errorf("week = %+v (found %v)", w, ok)
	}
	x, ok := a.DatedOf(sept)
	if !ok || !x.Use || x.Days[3] != data.Unavailable {
		t.Errorf("dated = %+v (found %v)", x, ok)
	}
	r, err := l.FindRequestByID(ctx, reqID)
	must(t, err, "FindRequestByID")
	if r.ProfessionalID != proID || r.State != data.RequestReceived || r.Email != "sophie@example.org" {
		t.Errorf("request = %+v", r)
	}
	v, err := l.FieldVersions(ctx, "week", data.WeekKey(proID, monday))
	must(t, err, "FieldVersions")
	if v["c00"] != 5 || v["use"] != 5 || len(v) != 51 {
		t.Errorf("week versions = %v", v)
	}
	if v, _ := l.FieldVersions(ctx, "week", data.WeekKey(otherID, monday)); len(v) != 0 {
		t.Errorf("versions of an unknown record = %v, want none", v)
	}
	if c := cursorOf(t, l); c != "921:x:8" {
		t.Errorf("cursor = %q", c)
	}

	// A later page changes one field: the others keep their values.
	must(t, l.ApplyPulled(ctx, []data.Record{{Entity: "week", Key: data.WeekKey(proID, monday),
		Fields: map[string]string{"c01": "N"}, Versions: map[string]int64{"c01": 9}}}, "921:x:9"), "ApplyPulled 2")
	if w, _ := weekOf(t, l, proID); w.Grid[0][0] != data.Available || w.Grid[0][1] != data.Unavailable {
		t.Errorf("week after a partial record: %s", w.Grid.Encode())
	}
	v, _ = l.FieldVersions(ctx, "week", data.WeekKey(proID, monday))
	if v["c01"] != 9 || v["c00"] != 5 {
		t.Errorf("versions after a partial record: c00 %d c01 %d", v["c00"], v["c01"])
	}
}

func TestApplyPulledChildrenWaitForTheirProfessional(t *testing.T) {
	ctx := context.Background()
	l := openLocal(t)
	must(t, l.ApplyPulled(ctx, []data.Record{
		weekRecord(proID, 5, map[string]string{"c00": "D"}),
		record("availability", proID, map[string]string{"global": "red"}, 6),
		requestRecord(reqID, proID, 7),
	}, "c1"), "page 1")
	if _, err := l.FindProfessionalByID(ctx, proID); data.ErrorCode(err) != data.ENOTFOUND {
		t.Fatalf("professional before her record: %v", err)
	}
	r, err := l.FindRequestByID(ctx, reqID)
	must(t, err, "request before its professional")
	if r.ProfessionalID != "" {
		t.Errorf("request names %q before she is in the copy", r.ProfessionalID)
	}
	must(t, l.ApplyPulled(ctx, []data.Record{professionalRecord(proID, "92-2019-0147", 8)}, "c2"), "page 2")
	a, err := l.FindAvailability(ctx, proID)
	must(t, err, "FindAvailability")
	if w, ok := a.WeekOf(monday); !ok || w.Grid[0][0] != data.Available || a.Global != data.ColourRed {
		t.Errorf("availability after her fiche arrived: %+v", a)
	}
	if r, _ := l.FindRequestByID(ctx, reqID); r.ProfessionalID != proID {
		t.Errorf("request names %q, want %s", r.ProfessionalID, proID)
	}
}

func TestApplyPulledKeepsPendingFields(t *testing.T) {
	ctx := context.Background()
	l := openLocal(t)
	must(t, l.ApplyPulled(ctx, []data.Record{professionalRecord(proID, "92-2019-0147", 1),
		weekRecord(proID, 2, nil)}, "c2"), "first pull")
	e := queueWeekEdit(t, l, 1, proID, map[string]string{"c00": "D"})

	// Someone else changed c00 and c01 meanwhile.
	must(t, l.ApplyPulled(ctx, []data.Record{weekRecord(proID, 3, map[string]string{"c00": "N", "c01": "N"})}, "c3"), "pull")
	w, _ := weekOf(t, l, proID)
	if w.Grid[0][0] != data.Available {
		t.Errorf("pending c00 overwritten by the pull: %c", w.Grid[0][0])
	}
	if w.Grid[0][1] != data.Unavailable {
		t.Errorf("c01 not pulled: %c", w.Grid[0][1])
	}
	v, _ := l.FieldVersions(ctx, "week", data.WeekKey(proID, monday))
	if v["c00"] != 3 {
		t.Errorf("version of c00 = %d, want the pulled 3", v["c00"])
	}
	// Settle leaves a field alone while its edit waits.
	must(t, l.Settle(ctx), "Settle")
	if w, _ := weekOf(t, l, proID); w.Grid[0][0] != data.Available {
		t.Errorf("Settle overwrote a pending field")
	}

	// Acknowledged, the edit lost (the service kept N, so no newer version
	// comes back): after the next complete pull, the cell settles to N.
	must(t, l.AckOutbox(ctx, e.ID), "AckOutbox")
	must(t, l.ApplyPulled(ctx, nil, "c3"), "empty pull")
	must(t, l.Settle(ctx), "Settle")
	if w, _ := weekOf(t, l, proID); w.Grid[0][0] != data.Unavailable {
		t.Errorf("c00 after a lost edit settled: %c, want N", w.Grid[0][0])
	}
}

func TestSettleAfterRefusal(t *testing.T) {
	ctx := context.Background()
	l := openLocal(t)
	must(t, l.ApplyPulled(ctx, []data.Record{professionalRecord(proID, "92-2019-0147", 1)}, "c1"), "pull")
	// A week the service never had, edited offline and refused: it goes.
	e := queueWeekEdit(t, l, 1, proID, map[string]string{"use": "1", "c00": "D"})
	if _, ok := weekOf(t, l, proID); !ok {
		t.Fatal("edited week not in the local copy")
	}
	must(t, l.RejectOutbox(ctx, e.ID, "forbidden", "Refusé."), "RejectOutbox")
	if _, ok := weekOf(t, l, proID); !ok {
		t.Fatal("week gone before the pull completed")
	}
	must(t, l.Settle(ctx), "Settle")
	if w, ok := weekOf(t, l, proID); ok {
		t.Errorf("refused week still in the copy: %+v", w)
	}

	// A week the service has: a refused edit settles back to its value.
	must(t, l.ApplyPulled(ctx, []data.Record{weekRecord(proID, 4, map[string]string{"c10": "N"})}, "c4"), "pull")
	e = queueWeekEdit(t, l, 2, proID, map[string]string{"c10": "D"})
	must(t, l.RejectOutbox(ctx, e.ID, "forbidden", "Refusé."), "RejectOutbox")
	must(t, l.Settle(ctx), "Settle")
	if w, _ := weekOf(t, l, proID); w.Grid[1][0] != data.Unavailable {
		t.Errorf("c10 after refusal = %c, want the service's N", w.Grid[1][0])
	}
	rej, err := l.FindRejected(ctx)
	must(t, err, "FindRejected")
	if len(rej) != 2 {
		t.Errorf("%d rejected, want 2", len(rej))
	}
}

func TestApplyPulledFailingPageLeavesNothing(t *testing.T) {
	ctx := context.Background()
	l := openLocal(t)
	must(t, l.ApplyPulled(ctx, []data.Record{professionalRecord(proID, "92-2019-0147", 1)}, "c1"), "pull")
	bad := []data.Record{
		record("availability", proID, map[string]string{"global": "green"}, 2),
		professionalRecord(otherID, "92-2019-0148", 3),
		weekRecord(proID, 4, map[string]string{"c33": "X"}),
	}
	err := l.ApplyPulled(ctx, bad, "c4")
	if data.ErrorCode(err) != data.EINVALID || !strings.Contains(data.ErrorMessage(err), "c33") {
		t.Fatalf("ApplyPulled of an invalid cell: %v, want EINVALID naming c33", err)
	}
	if c := cursorOf(t, l); c != "c1" {
		t.Errorf("cursor = %q after a failed page, want c1", c)
	}
	if a, _ := l.FindAvailability(ctx, proID); a.Global != data.ColourGrey {
		t.Errorf("global = %s after a failed page", a.Global)
	}
	if _, err := l.FindProfessionalByID(ctx, otherID); data.ErrorCode(err) != data.ENOTFOUND {
		t.Errorf("professional of a failed page: %v", err)
	}
	if v, _ := l.FieldVersions(ctx, "availability", proID); len(v) != 0 {
		t.Errorf("versions of a failed page: %v", v)
	}
	for _, r := range []data.Record{
		record("week", proID+"/2026-03-03", map[string]string{"use": "1"}, 5),        // not a Monday
		record("availability", proID, map[string]string{"global": "blue"}, 5),        // unknown colour
		record("professional", otherID, map[string]string{"kind": "alien"}, 5),       // unknown kind
		record("dated", "no-date-key", map[string]string{"use": "1"}, 5),             // bad key
		record("request", reqID, map[string]string{"kind": "assistant_maternel"}, 5), // no state
	} {
		if err := l.ApplyPulled(ctx, []data.Record{r}, "c5"); data.ErrorCode(err) != data.EINVALID {
			t.Errorf("ApplyPulled %s %s %v: %v, want EINVALID", r.Entity, r.Key, r.Fields, err)
		}
	}
	if c := cursorOf(t, l); c != "c1" {
		t.Errorf("cursor = %q after failed pages, want c1", c)
	}
}

func TestApplyPulledTombstones(t *testing.T) {
	ctx := context.Background()
	l := openLocal(t)
	must(t, l.ApplyPulled(ctx, []data.Record{
		professionalRecord(proID, "92-2019-0147", 1),
		record("availability", proID, map[string]string{"global": "green"}, 2),
		weekRecord(proID, 3, map[string]string{"use": "1"}),
		datedRecord(proID, 4, nil),
		requestRecord(reqID, proID, 5),
	}, "c5"), "pull")
	must(t, l.ApplyPulled(ctx, []data.Record{{Entity: "week", Key: data.WeekKey(proID, monday), Deleted: true}}, "c6"), "week tombstone")
	a, err := l.FindAvailability(ctx, proID)
	must(t, err, "FindAvailability")
	if _, ok := a.WeekOf(monday); ok {
		t.Error("week still there after its tombstone")
	}
	if _, ok := a.DatedOf(sept); !ok || a.Global != data.ColourGreen {
		t.Errorf("a week's tombstone touched the rest: %+v", a)
	}
	if v, _ := l.FieldVersions(ctx, "week", data.WeekKey(proID, monday)); len(v) != 0 {
		t.Errorf("versions of a deleted week: %v", v)
	}

	must(t, l.ApplyPulled(ctx, []data.Record{{Entity: "professional", Key: proID, Deleted: true}}, "c7"), "professional tombstone")
	if _, err := l.FindProfessionalByID(ctx, proID); data.ErrorCode(err) != data.ENOTFOUND {
		t.Errorf("professional after her tombstone: %v", err)
	}
	if r, err := l.FindRequestByID(ctx, reqID); err != nil || r.ProfessionalID != "" {
		t.Errorf("request after its professional's tombstone: %+v, %v", r, err)
	}
	must(t, l.ApplyPulled(ctx, []data.Record{{Entity: "request", Key: reqID, Deleted: true}}, "c8"), "request tombstone")
	if _, err := l.FindRequestByID(ctx, reqID); data.ErrorCode(err) != data.ENOTFOUND {
		t.Errorf("request after its tombstone: %v", err)
	}
	// She comes back: her old availability does not resurrect with her.
	must(t, l.ApplyPulled(ctx, []data.Record{professionalRecord(proID, "92-2019-0147", 9)}, "c9"), "back")
	if a, _ := l.FindAvailability(ctx, proID); a.Global != data.ColourGrey || len(a.Dated) != 0 {
		t.Errorf("availability resurrected: %+v", a)
	}
}

func TestResetScope(t *testing.T) {
	ctx := context.Background()
	l := openLocal(t)
	must(t, l.ApplyPulled(ctx, []data.Record{
		professionalRecord(proID, "92-2019-0147", 1),
		record("availability", proID, map[string]string{"global": "green"}, 2),
		weekRecord(proID, 3, nil),
		requestRecord(reqID, proID, 4),
	}, "c4"), "pull")
	e := queueWeekEdit(t, l, 1, proID, map[string]string{"c00": "D"})
	must(t, l.SetSyncState(ctx, "client_id", "me"), "SetSyncState")

	must(t, l.ResetScope(ctx), "ResetScope")
	if _, err := l.FindProfessionalByID(ctx, proID); data.ErrorCode(err) != data.ENOTFOUND {
		t.Errorf("professional after reset: %v", err)
	}
	if _, err := l.FindRequestByID(ctx, reqID); data.ErrorCode(err) != data.ENOTFOUND {
		t.Errorf("request after reset: %v", err)
	}
	if v, _ := l.FieldVersions(ctx, "week", data.WeekKey(proID, monday)); len(v) != 0 {
		t.Errorf("versions after reset: %v", v)
	}
	if c := cursorOf(t, l); c != "" {
		t.Errorf("cursor after reset = %q", c)
	}
	if id, _ := l.SyncState(ctx, "client_id"); id != "me" {
		t.Errorf("client_id after reset = %q", id)
	}
	out, err := l.PendingOutbox(ctx, 0)
	must(t, err, "PendingOutbox")
	if len(out) != 1 || out[0].ID != e.ID {
		t.Fatalf("outbox after reset: %v", out)
	}
	// Pulled again from the start, the week comes back with the pending cell.
	must(t, l.ApplyPulled(ctx, []data.Record{weekRecord(proID, 3, nil), professionalRecord(proID, "92-2019-0147", 1)}, "c4"), "pull again")
	if w, ok := weekOf(t, l, proID); !ok || w.Grid[0][0] != data.Available {
		t.Errorf("pending cell after the rebuild: %+v (found %v)", w, ok)
	}
}

func TestLocalConflicts(t *testing.T) {
	ctx := context.Background()
	l := openLocal(t)
	at := func(s string) map[string]string {
		return map[string]string{"entity": "week", "key": data.WeekKey(proID, monday), "field": "c00",
			"lost_value": "D", "kept_value": "N", "lost_by": "Sophie Martin", "kept_by": "Sophie Martin (autre poste)",
			"at": s, "professional_id": proID}
	}
	must(t, l.ApplyPulled(ctx, []data.Record{
		record("conflict", "k1", at("2026-03-02T08:00:00Z"), 5),
		record("conflict", "k2", at("2026-03-02T09:00:00Z"), 6),
	}, "c6"), "pull")
	must(t, l.SaveRecords(ctx, []data.Record{{Entity: "conflict", Key: "k3", Fields: at("2026-03-02T10:00:00Z")}}), "SaveRecords")
	if c := cursorOf(t, l); c != "c6" {
		t.Errorf("SaveRecords moved the cursor to %q", c)
	}
	list, err := l.FindConflicts(ctx)
	must(t, err, "FindConflicts")
	if len(list) != 3 || list[0].ID != "k3" || list[2].ID != "k1" {
		t.Fatalf("conflicts = %+v", list)
	}
	c := list[1]
	if c.Field != "c00" || c.LostValue != "D" || c.KeptValue != "N" || c.KeptBy != "Sophie Martin (autre poste)" ||
		c.ProfessionalID != proID || !c.At.Equal(time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)) || c.Seen {
		t.Errorf("conflict = %+v", c)
	}
	n, err := l.CountConflicts(ctx)
	must(t, err, "CountConflicts")
	if n != 3 {
		t.Errorf("%d unseen conflicts, want 3", n)
	}
	must(t, l.MarkConflictsSeen(ctx, "k1", "k3", "k3"), "MarkConflictsSeen")
	if n, _ := l.CountConflicts(ctx); n != 1 {
		t.Errorf("%d unseen conflicts, want 1", n)
	}
	list, _ = l.FindConflicts(ctx)
	if !list[0].Seen || list[1].Seen || !list[2].Seen {
		t.Errorf("seen flags: %v %v %v", list[0].Seen, list[1].Seen, list[2].Seen)
	}
}

func TestQueueEditsWritesOutboxAndFields(t *testing.T) {
	ctx := context.Background()
	l := openLocal(t)
	payload, _ := json.Marshal(map[string]any{"id": "m1"})
	edits := []data.PendingEdit{
		{Entry: data.OutboxEntry{ID: "m1", Entity: "availability", Key: proID, Payload: payload}, Fields: map[string]string{"global": "red"}},
		{Entry: data.OutboxEntry{ID: "m2", Entity: "request", Key: reqID, Payload: payload}},
	}
	must(t, l.QueueEdits(ctx, edits), "QueueEdits")
	if edits[0].Entry.Seq == 0 || edits[1].Entry.Seq <= edits[0].Entry.Seq {
		t.Errorf("seqs %d, %d", edits[0].Entry.Seq, edits[1].Entry.Seq)
	}
	pend, err := l.pendingFields(ctx)
	must(t, err, "pendingFields")
	if pend[recordRef{"availability", proID}]["global"] != "red" || len(pend) != 1 {
		t.Errorf("pending fields = %v", pend)
	}
	// A second edit of the same ID is refused with nothing written.
	err = l.QueueEdits(ctx, []data.PendingEdit{{Entry: data.OutboxEntry{ID: "m3", Entity: "availability", Key: proID, Payload: payload},
		Fields: map[string]string{"global": "green"}}, edits[0]})
	if data.ErrorCode(err) != data.ECONFLICT {
		t.Errorf("QueueEdits of a known ID: %v", err)
	}
	if pend, _ := l.pendingFields(ctx); pend[recordRef{"availability", proID}]["global"] != "red" {
		t.Errorf("a refused QueueEdits left fields: %v", pend)
	}
	must(t, l.AckOutbox(ctx, "m1"), "AckOutbox")
	if pend, _ := l.pendingFields(ctx); len(pend) != 0 {
		t.Errorf("pending after ack: %v", pend)
	}
}

func TestLocalErrorDiskFullAndReadOnly(t *testing.T) {
	ctx := context.Background()
	l := openLocal(t)
	must(t, l.ApplyPulled(ctx, []data.Record{professionalRecord(proID, "92-2019-0147", 1)}, "c1"), "pull")
	db := l.core.DB()
	db.SetMaxOpenConns(1) // the pragmas below hold for one connection
	var pages int
	must(t, db.QueryRow(`PRAGMA page_count`).Scan(&pages), "page_count")
	must2 := func(_ any, err error) { must(t, err, "pragma") }
	must2(db.Exec(`PRAGMA max_page_count = ` + strconv.Itoa(pages)))
	big := map[string]string{}
	for i := 0; i < 200; i++ {
		big["x"+strconv.Itoa(i)] = strings.Repeat("é", 500)
	}
	err := l.ApplyPulled(ctx, []data.Record{record("conflict", "big", big, 2)}, "c2")
	if data.ErrorCode(err) != data.EUNAVAILABLE || !strings.Contains(data.ErrorMessage(err), "disque plein") ||
		!strings.Contains(data.ErrorMessage(err), "rien de ce qui était déjà enregistré n'est perdu") {
		t.Errorf("disk full: %v", err)
	}
	if c := cursorOf(t, l); c != "c1" {
		t.Errorf("cursor after disk full = %q", c)
	}
	must2(db.Exec(`PRAGMA max_page_count = 1073741823`))
	must2(db.Exec(`PRAGMA query_only = ON`))
	err = l.QueueEdits(ctx, []data.PendingEdit{{Entry: data.OutboxEntry{ID: "m1", Entity: "availability", Key: proID, Payload: []byte("{}")}}})
	if data.ErrorCode(err) != data.EUNAVAILABLE || !strings.Contains(data.ErrorMessage(err), "lecture seule") {
		t.Errorf("read-only: %v", err)
	}
	must2(db.Exec(`PRAGMA query_only = OFF`))
	if err := l.LocalError(data.Errorf(data.EINVALID, "x")); data.ErrorCode(err) != data.EINVALID {
		t.Errorf("LocalError changed a domain error: %v", err)
	}
}

// FuzzApplyPulled feeds pages of records as a service could send them: a
// page applies whole or not at all, and never panics.
func FuzzApplyPulled(f *testing.F) {
	for _, page := range [][]data.Record{
		{professionalRecord(proID, "92-2019-0147", 1), weekRecord(proID, 2, map[string]string{"c00": "D"})},
		{record("availability", proID, map[string]string{"global": "green"}, 3), requestRecord(reqID, proID, 4)},
		{{Entity: "week", Key: data.WeekKey(proID, monday), Deleted: true}, datedRecord(proID, 5, nil)},
		{record("conflict", "k", map[string]string{"at": "x"}, 6), {Entity: "professional", Key: proID, Deleted: true}},
	} {
		b, _ := json.Marshal(page)
		f.Add(b)
	}
	ctx := context.Background()
	l, err := OpenLocal(ctx, filepath.Join(f.TempDir(), "local.db"))
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(func() { l.Close() })
	n := 0
	f.Fuzz(func(t *testing.T, b []byte) {
		var page []data.Record
		if json.Unmarshal(b, &page) != nil {
			return
		}
		before, err := l.SyncState(ctx, data.SyncCursorKey)
		if err != nil {
			t.Fatal(err)
		}
		n++
		cursor := "c" + strconv.Itoa(n)
		err = l.ApplyPulled(ctx, page, cursor)
		after, _ := l.SyncState(ctx, data.SyncCursorKey)
		if err != nil && after != before {
			t.Fatalf("failed page (%v) moved the cursor from %q to %q", err, before, after)
		}
		if err == nil && after != cursor {
			t.Fatalf("applied page left the cursor at %q, want %q", after, cursor)
		}
	})
}

// agentCopyPages returns the pages a Caf agent's first pull brings for n
// childminders: her fiche, her global colour and a week of hers, in the
// service's order, pageSize records a page.
func agentCopyPages(n, pageSize int) [][]data.Record {
	var all []data.Record
	for i := range n {
		id := "0190c3a8-0000-7000-8000-" + strconv.FormatInt(int64(100000000000+i), 10)
		v := int64(3*i + 1)
		all = append(all, professionalRecord(id, "92-"+strconv.Itoa(100000+i), v),
			record("availability", id, map[string]string{"global": "green"}, v+1),
			weekRecord(id, v+2, map[string]string{"use": "1", "c00": "D", "c13": "N", "places": "2"}))
	}
	var pages [][]data.Record
	for len(all) > 0 {
		k := min(pageSize, len(all))
		pages = append(pages, all[:k])
		all = all[k:]
	}
	return pages
}

// BenchmarkApplyPulledAgentCopy applies a Caf agent's first pull (2,000
// childminders, 6,000 records in pages of 500) into a fresh local copy.
func BenchmarkApplyPulledAgentCopy(b *testing.B) {
	ctx := context.Background()
	pages := agentCopyPages(2000, 500)
	var cpu time.Duration
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		l, err := OpenLocal(ctx, filepath.Join(b.TempDir(), "local"+strconv.Itoa(i)+".db"))
		if err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		before := cpuTime()
		for k, page := range pages {
			if err := l.ApplyPulled(ctx, page, "c"+strconv.Itoa(k)); err != nil {
				b.Fatal(err)
			}
		}
		if err := l.Settle(ctx); err != nil {
			b.Fatal(err)
		}
		cpu += cpuTime() - before
		b.StopTimer()
		l.Close()
	}
	b.ReportMetric(float64(b.Elapsed().Milliseconds())/float64(b.N), "ms/copy")
	b.ReportMetric(float64(cpu.Milliseconds())/float64(b.N), "cpu-ms/copy")
}

// cpuTime is the CPU time the process used so far (user and system, all
// threads: the garbage collector's too).
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// TestStoredFormIsJSON checks that the stored form of a record's fields and
// versions is json.Marshal's, byte for byte, whatever the strings hold.
func TestStoredFormIsJSON(t *testing.T) {
	strs := []string{"", "plain", "Hélène Lefèvre", "a\"b", `back\slash`, "<b>&amp;</b>", "tab\there\n",
		"\x00\x1f", "line\u2028sep\u2029", "bad\xffutf8", "\xc3", "emoji 😀", "\ufffd", "'quote'", "/slash/"}
	for i, k := range strs {
		fields := map[string]string{}
		versions := map[string]int64{}
		for j, v := range strs {
			fields[k+strconv.Itoa(j)] = v
			versions[v+strconv.Itoa(i)] = int64(j*1000003 - 500)
		}
		want, _ := json.Marshal(fields)
		got, exact := appendStringMap(nil, fields, sortedNames(fields))
		if string(got) != string(want) {
			t.Errorf("fields:\n got %s\nwant %s", got, want)
		}
		if exact {
			t.Errorf("fields with invalid UTF-8 said exact")
		}
		want, _ = json.Marshal(versions)
		got, _ = appendVersionMap(nil, versions, nil)
		if string(got) != string(want) {
			t.Errorf("versions:\n got %s\nwant %s", got, want)
		}
		// The versions of some, all or other fields than the record's.
		for _, vs := range []map[string]int64{versions, {k + "3": 3, k + "0": 0}, {}, {k + "1": 1, "zz": 2}} {
			names := sortedNames(fields)
			want, _ = json.Marshal(vs)
			got, _ = appendVersionMap(nil, vs, namesIn(names, vs))
			if string(got) != string(want) {
				t.Errorf("versions:\n got %s\nwant %s", got, want)
			}
		}
		if n := namesIn(sortedNames(fields), map[string]int64{k + "3": 3, k + "0": 0}); len(n) != 2 || n[0] != k+"0" {
			t.Errorf("namesIn = %q", n)
		}
	}
	for _, s := range strs {
		_, exact := appendStringMap(nil, map[string]string{"k": s}, []string{"k"})
		if want := utf8.ValidString(s); exact != want {
			t.Errorf("exact of %q = %v, want %v", s, exact, want)
		}
	}
	for _, m := range []map[string]string{nil, {}} {
		want, _ := json.Marshal(m)
		if got, _ := appendStringMap(nil, m, nil); string(got) != string(want) {
			t.Errorf("%#v: got %s, want %s", m, got, want)
		}
	}
	if got, _ := appendVersionMap(nil, nil, nil); string(got) != "null" {
		t.Errorf("nil versions: %s", got)
	}
}

// TestApplyPulledInvalidUTF8 checks that a record's state holding invalid
// UTF-8 reads back as JSON stored it, also within the page that brought it.
func TestApplyPulledInvalidUTF8(t *testing.T) {
	ctx := context.Background()
	l := openLocal(t)
	r := professionalRecord(proID, "92-2019-0147", 1)
	r.Fields["first_name"] = "So\xffphie"
	again := data.Record{Entity: "professional", Key: proID, Fields: map[string]string{"phone": "0699887766"},
		Versions: map[string]int64{"phone": 2}}
	must(t, l.ApplyPulled(ctx, []data.Record{r, again}, "c1"), "ApplyPulled")
	p, err := l.FindProfessionalByID(ctx, proID)
	must(t, err, "FindProfessionalByID")
	if p.FirstName != "So\ufffdphie" || p.Phone != "0699887766" {
		t.Errorf("professional = %q %q", p.FirstName, p.Phone)
	}
}

// TestApplyPulledPageReadsWhatItWrote checks a page that names a record
// twice, and one whose fiche's tombstone drops the availability records it
// names later: each record builds on the state the page left, not on the
// state read before it began.
func TestApplyPulledPageReadsWhatItWrote(t *testing.T) {
	ctx := context.Background()
	l := openLocal(t)
	must(t, l.ApplyPulled(ctx, []data.Record{
		professionalRecord(proID, "92-2019-0147", 1),
		record("availability", proID, map[string]string{"global": "green"}, 2),
		weekRecord(proID, 3, map[string]string{"use": "1", "c00": "D"}),
	}, "c3"), "first pull")
	key := data.WeekKey(proID, monday)
	must(t, l.ApplyPulled(ctx, []data.Record{
		{Entity: "week", Key: key, Fields: map[string]string{"c01": "N"}, Versions: map[string]int64{"c01": 5}},
		{Entity: "week", Key: key, Fields: map[string]string{"c02": "T"}, Versions: map[string]int64{"c02": 6}},
		{Entity: "professional", Key: proID, Deleted: true},
		record("availability", proID, map[string]string{"global": "red"}, 7),
	}, "c7"), "page with a tombstone")
	v, err := l.FieldVersions(ctx, "week", key)
	must(t, err, "FieldVersions")
	if len(v) != 2 || v["c01"] != 5 || v["c02"] != 6 {
		t.Errorf("week versions after her tombstone = %v, want c01 and c02 only", v)
	}
	must(t, l.ApplyPulled(ctx, []data.Record{professionalRecord(proID, "92-2019-0147", 8)}, "c8"), "she comes back")
	a, err := l.FindAvailability(ctx, proID)
	must(t, err, "FindAvailability")
	w, ok := a.WeekOf(monday)
	if !ok || w.Grid[0][0] == data.Available || w.Grid[0][1] != data.Unavailable || w.Grid[0][2] == data.Available ||
		a.Global != data.ColourRed {
		t.Errorf("availability = %s %+v (found %v), want the page's c01 and c02 only, red", a.Global, w, ok)
	}

	// The same record twice in a page: the second builds on the first.
	must(t, l.ApplyPulled(ctx, []data.Record{
		{Entity: "week", Key: key, Fields: map[string]string{"c10": "D"}, Versions: map[string]int64{"c10": 9}},
		{Entity: "week", Key: key, Fields: map[string]string{"c11": "D"}, Versions: map[string]int64{"c11": 10}},
	}, "c10"), "record twice")
	if w, _ := weekOf(t, l, proID); w.Grid[1][0] != data.Available || w.Grid[1][1] != data.Available || w.Grid[0][1] != data.Unavailable {
		t.Errorf("week after a record twice: %s", w.Grid.Encode())
	}
	v, _ = l.FieldVersions(ctx, "week", key)
	if len(v) != 4 || v["c10"] != 9 || v["c11"] != 10 {
		t.Errorf("versions after a record twice = %v", v)
	}
}
