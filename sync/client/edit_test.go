package client

import (
	"context"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"espacepro/data"
	"espacepro/data/sqlite"
	"espacepro/sync/wire"
)

const testPro = "0190c3a8-0000-7000-8000-000000000001"

var (
	testMonday = data.Date{Year: 2026, Month: 3, Day: 2}
	testSept   = data.Date{Year: 2026, Month: 9, Day: 1}
)

func openTestLocal(t *testing.T) *sqlite.Local {
	t.Helper()
	l, err := sqlite.OpenLocal(context.Background(), filepath.Join(t.TempDir(), "local.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	return l
}

// offlineClient returns a client of a server that is never called.
func offlineClient(t *testing.T, l Local) *Client {
	t.Helper()
	c, err := New(Config{ServerURL: "https://127.0.0.1:1", Fingerprint: strings.Repeat("00", 32)}, l)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	c.Now = func() time.Time { now = now.Add(time.Millisecond); return now }
	return c
}

func testProfessional() *data.Professional {
	return &data.Professional{ID: testPro, Kind: data.KindChildminder, Department: "92", CafCode: "921",
		AgrementNumber: "92-2019-0147", Civility: data.CivilityMme, LastName: "Martin", FirstName: "Sophie",
		Address: data.Address{Number: "12", StreetType: "rue", StreetName: "de Billancourt",
			PostalCode: "92100", CommuneINSEE: "92012", CommuneName: "Boulogne-Billancourt"},
		Phone: "0611223344", PlacesAgreed: 3, Listing: data.Listed, Habilitation: data.HabilitationActive}
}

func versioned(entity, key string, fields map[string]string, v int64) data.Record {
	r := data.Record{Entity: entity, Key: key, Fields: fields, Versions: map[string]int64{}}
	for k := range fields {
		r.Versions[k] = v
	}
	return r
}

// seedPulled fills the copy as a pull would: her fiche (version 2), a
// global colour (version 3) and the current week (version 7).
func seedPulled(t *testing.T, l Local) {
	t.Helper()
	w := data.Week{Monday: testMonday, Grid: data.NewWeekGrid()}
	must(t, l.ApplyPulled(context.Background(), []data.Record{
		versioned("professional", testPro, data.ProfessionalFields(testProfessional()), 2),
		versioned("availability", testPro, map[string]string{"global": "red"}, 3),
		versioned("week", data.WeekKey(testPro, testMonday), w.Fields(), 7),
	}, "c7"), "seed")
}

func must(t *testing.T, err error, what string) {
	t.Helper()
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}

// outbox decodes the pending mutations.
func outbox(t *testing.T, l Local) []wire.Mutation {
	t.Helper()
	entries, err := l.PendingOutbox(context.Background(), 0)
	must(t, err, "PendingOutbox")
	var out []wire.Mutation
	for _, e := range entries {
		var m wire.Mutation
		must(t, json.Unmarshal(e.Payload, &m), "decode payload")
		if m.ID != e.ID || m.Entity != e.Entity || m.Key != e.Key {
			t.Errorf("entry %s/%s/%s holds mutation %s/%s/%s", e.ID, e.Entity, e.Key, m.ID, m.Entity, m.Key)
		}
		out = append(out, m)
	}
	return out
}

func TestSaveAvailabilityBuildsOneMutationPerChangedRecord(t *testing.T) {
	ctx := context.Background()
	l := openTestLocal(t)
	seedPulled(t, l)
	c := offlineClient(t, l)

	a, err := l.FindAvailability(ctx, testPro)
	must(t, err, "FindAvailability")
	a.Global = data.ColourGreen
	a.Weeks[0].Grid[0][0] = data.Available
	a.Weeks[0].Grid[4][6] = data.Unavailable
	next := data.Week{Monday: testMonday.AddDays(7), Use: true, Grid: data.NewWeekGrid(), Places: data.PlacesOf(2)}
	next.Grid[1][0] = data.Available
	a.Weeks = append(a.Weeks, next)
	a.Dated = []data.Dated{{Date: testSept, Days: data.NewWeekDays()}} // as new: no change
	must(t, c.SaveAvailability(ctx, a), "SaveAvailability")

	muts := outbox(t, l)
	if len(muts) != 3 {
		t.Fatalf("%d mutations, want 3 (global, week, new week): %+v", len(muts), muts)
	}
	want := []struct {
		entity, key string
		fields      map[string]wire.FieldEdit
	}{
		{"availability", testPro, map[string]wire.FieldEdit{"global": {Value: "green", Base: 3}}},
		{"week", data.WeekKey(testPro, testMonday), map[string]wire.FieldEdit{"c00": {Value: "D", Base: 7}, "c46": {Value: "N", Base: 7}}},
		{"week", data.WeekKey(testPro, testMonday.AddDays(7)), map[string]wire.FieldEdit{
			"use": {Value: "1"}, "places": {Value: "2"}, "c10": {Value: "D"}}},
	}
	var prev data.HLC
	for i, m := range muts {
		w := want[i]
		if m.Entity != w.entity || m.Key != w.key {
			t.Errorf("mutation %d is %s %s, want %s %s", i, m.Entity, m.Key, w.entity, w.key)
		}
		if len(m.Fields) != len(w.fields) {
			t.Errorf("mutation %d fields %v, want %v", i, m.Fields, w.fields)
		}
		for k, fe := range w.fields {
			if m.Fields[k] != fe {
				t.Errorf("mutation %d field %s = %+v, want %+v", i, k, m.Fields[k], fe)
			}
		}
		if m.ClientID != c.ClientID() || m.Seq != int64(i+1) || m.Action != "" {
			t.Errorf("mutation %d: client %s seq %d action %q", i, m.ClientID, m.Seq, m.Action)
		}
		h, err := data.ParseHLC(m.HLC)
		must(t, err, "ParseHLC")
		if h.Node != c.ClientID() || (i > 0 && !prev.Before(h)) {
			t.Errorf("mutation %d stamp %s after %s", i, m.HLC, prev)
		}
		prev = h
	}
	got, err := l.FindAvailability(ctx, testPro)
	must(t, err, "FindAvailability")
	if got.Global != data.ColourGreen || len(got.Weeks) != 2 || got.Weeks[0].Grid[4][6] != data.Unavailable {
		t.Errorf("local copy after the save: %+v", got)
	}
	if s := c.State(); s.Pending != 3 {
		t.Errorf("status pending %d, want 3", s.Pending)
	}

	// Saving the same again changes nothing and queues nothing.
	must(t, c.SaveAvailability(ctx, got), "SaveAvailability again")
	if n := len(outbox(t, l)); n != 3 {
		t.Errorf("%d mutations after an unchanged save, want 3", n)
	}
	// A second edit of a pending cell takes the next sequence number and the
	// same base: the service knows the first came from this copy.
	got.Weeks[0].Grid[0][0] = data.Unavailable
	must(t, c.SaveAvailability(ctx, got), "SaveAvailability 3")
	muts = outbox(t, l)
	if last := muts[len(muts)-1]; last.Seq != 4 || last.Fields["c00"] != (wire.FieldEdit{Value: "N", Base: 7}) || len(last.Fields) != 1 {
		t.Errorf("second edit of c00: %+v", last)
	}
}

func TestSaveAvailabilityInvalidWritesNothing(t *testing.T) {
	ctx := context.Background()
	l := openTestLocal(t)
	seedPulled(t, l)
	c := offlineClient(t, l)
	a, _ := l.FindAvailability(ctx, testPro)
	a.Global = data.ColourGreen
	a.Weeks = append(a.Weeks, data.Week{Monday: testMonday.AddDays(1), Grid: data.NewWeekGrid()}) // a Tuesday
	if err := c.SaveAvailability(ctx, a); data.ErrorCode(err) != data.EINVALID {
		t.Fatalf("SaveAvailability of a Tuesday week: %v", err)
	}
	if n := len(outbox(t, l)); n != 0 {
		t.Errorf("%d mutations queued by a refused save", n)
	}
	if got, _ := l.FindAvailability(ctx, testPro); got.Global != data.ColourRed {
		t.Errorf("global %s after a refused save", got.Global)
	}
	if seq, _ := l.SyncState(ctx, keySeq); seq != "" {
		t.Errorf("sequence %q moved by a refused save", seq)
	}
}

func TestSaveFicheSendsOnlyEditableChangedFields(t *testing.T) {
	ctx := context.Background()
	l := openTestLocal(t)
	seedPulled(t, l)
	c := offlineClient(t, l)
	p := testProfessional()
	p.Phone = "06 11 22 33 55"
	p.LastName = "Dupont" // not hers to change: ignored
	must(t, c.SaveFiche(ctx, p), "SaveFiche")
	muts := outbox(t, l)
	if len(muts) != 1 || muts[0].Entity != "professional" || len(muts[0].Fields) != 1 ||
		muts[0].Fields["phone"] != (wire.FieldEdit{Value: "0611223355", Base: 2}) {
		t.Fatalf("mutations %+v", muts)
	}
	got, _ := l.FindProfessionalByID(ctx, testPro)
	if got.Phone != "0611223355" || got.LastName != "Martin" {
		t.Errorf("local fiche: phone %s, last name %s", got.Phone, got.LastName)
	}
	p.Phone = "12"
	if err := c.SaveFiche(ctx, p); data.ErrorCode(err) != data.EINVALID {
		t.Errorf("SaveFiche of a bad phone: %v", err)
	}
	if n := len(outbox(t, l)); n != 1 {
		t.Errorf("%d mutations after a refused fiche", n)
	}
}

func TestRequestActionQueuesAnAction(t *testing.T) {
	ctx := context.Background()
	l := openTestLocal(t)
	c := offlineClient(t, l)
	must(t, c.RequestAction(ctx, "req-1", wire.ActionRefuse, map[string]string{"reason": "Hors département"}), "RequestAction")
	muts := outbox(t, l)
	if len(muts) != 1 || muts[0].Entity != "request" || muts[0].Key != "req-1" || muts[0].Action != wire.ActionRefuse ||
		muts[0].Args["reason"] != "Hors département" || len(muts[0].Fields) != 0 {
		t.Fatalf("mutations %+v", muts)
	}
	if err := c.RequestAction(ctx, "req-1", "delete", nil); data.ErrorCode(err) != data.EINVALID {
		t.Errorf("unknown action: %v", err)
	}
}

func TestEditsOfAnotherProfessionalRefused(t *testing.T) {
	ctx := context.Background()
	l := openTestLocal(t)
	seedPulled(t, l)
	c := offlineClient(t, l)
	acc, _ := json.Marshal(wire.Account{ID: "acc", Email: "x@example.org", Role: string(data.RoleChildminder), ProfessionalID: "someone-else"})
	must(t, l.SetSyncState(ctx, keyAccount, string(acc)), "SetSyncState")
	a, _ := l.FindAvailability(ctx, testPro)
	a.Global = data.ColourGreen
	if err := c.SaveAvailability(ctx, a); data.ErrorCode(err) != data.EFORBIDDEN {
		t.Errorf("SaveAvailability of another professional: %v", err)
	}
	if err := c.RequestAction(ctx, "req-1", wire.ActionAgreement, nil); data.ErrorCode(err) != data.EFORBIDDEN {
		t.Errorf("RequestAction by a childminder: %v", err)
	}
	if n := len(outbox(t, l)); n != 0 {
		t.Errorf("%d mutations queued", n)
	}
}

func TestClockFollowsTheService(t *testing.T) {
	ctx := context.Background()
	l := openTestLocal(t)
	seedPulled(t, l)
	c := offlineClient(t, l)
	future := data.HLC{Wall: time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC).UnixMilli(), Logical: 4, Node: "service"}
	must(t, c.observe(ctx, future.String()), "observe")
	a, _ := l.FindAvailability(ctx, testPro)
	a.Global = data.ColourGreen
	must(t, c.SaveAvailability(ctx, a), "SaveAvailability")
	h, err := data.ParseHLC(outbox(t, l)[0].HLC)
	must(t, err, "ParseHLC")
	if !future.Before(h) || h.Node != c.ClientID() {
		t.Errorf("edit stamped %s, not after the service's %s", h, future)
	}
	// The client ID is made once and kept by the copy.
	c2 := offlineClient(t, l)
	if c2.ClientID() != c.ClientID() || c.ClientID() == "" {
		t.Errorf("client IDs %q then %q", c.ClientID(), c2.ClientID())
	}
}
