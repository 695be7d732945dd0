package server_test

import (
	"net/http"
	"testing"
	"time"

	"espacepro/data"
	"espacepro/server/servertest"
	"espacepro/sync/wire"
)

type syncWorld struct {
	*servertest.Env
	helene           *data.Professional
	am, agent, other string // tokens
}

func newSyncWorld(t *testing.T) *syncWorld {
	t.Helper()
	w := &syncWorld{Env: servertest.Start(t, servertest.OpenSQLite(t))}
	boulogne := data.Address{Number: "12", StreetType: "rue", StreetName: "de Billancourt", PostalCode: "92100", CommuneINSEE: "92012", CommuneName: "Boulogne-Billancourt"}
	ajaccio := data.Address{Number: "9", StreetType: "cours", StreetName: "Napoléon", PostalCode: "20000", CommuneINSEE: "2A004", CommuneName: "Ajaccio"}
	w.helene = listed("92", "921", "92-2019-0042", "Lefèvre", "Hélène", boulogne)
	w.SeedActive(t, w.helene, "helene@example.fr", "Hortensia bleue sous la pluie")
	w.SeedActive(t, listed("2A", "201", "2A-2018-0057", "Santoni", "Marie", ajaccio), "marie@example.fr", "Hortensia bleue sous la pluie")
	w.CreateAgent(t, "921", agent921Email, "Claire", "Moreau", agentPassword)
	w.am = w.Login(t, "helene@example.fr", "Hortensia bleue sous la pluie").Token
	w.other = w.Login(t, "marie@example.fr", "Hortensia bleue sous la pluie").Token
	w.agent = w.Login(t, agent921Email, agentPassword).Token
	return w
}

func (w *syncWorld) pull(t *testing.T, token, cursor string) wire.PullResponse {
	t.Helper()
	var res wire.PullResponse
	w.Want(t, http.StatusOK, "GET", "/api/v1/sync/pull?protocol=1&limit=1000&since="+cursor, token, nil, &res)
	return res
}

func (w *syncWorld) push(t *testing.T, token string, ms ...wire.Mutation) wire.PushResponse {
	t.Helper()
	var res wire.PushResponse
	w.Want(t, http.StatusOK, "POST", "/api/v1/sync/push", token, wire.PushRequest{Protocol: 1, ClientID: "poste", Mutations: ms}, &res)
	if len(res.Results) != len(ms) {
		t.Fatalf("%d results for %d mutations", len(res.Results), len(ms))
	}
	return res
}

func find(res wire.PullResponse, entity, key string) *wire.Record {
	for i := range res.Records {
		if res.Records[i].Entity == entity && res.Records[i].Key == key {
			return &res.Records[i]
		}
	}
	return nil
}

func stampAt(node string, d time.Duration) string {
	return data.HLC{Wall: servertest.Epoch.Add(d).UnixMilli(), Node: node}.String()
}

func TestSyncPushPull(t *testing.T) {
	w := newSyncWorld(t)
	first := w.pull(t, w.am, "")
	if p := find(first, "professional", w.helene.ID); p == nil || p.Fields["last_name"] != "Lefèvre" || p.Versions["last_name"] == 0 {
		t.Fatalf("her fiche is not in her first pull: %+v", first.Records)
	}
	for _, r := range first.Records {
		if r.Key != w.helene.ID && r.Entity == "professional" {
			t.Fatalf("another professional in her copy: %s", r.Key)
		}
	}
	monday := data.Today(servertest.Epoch, "92").Monday()
	week := data.WeekKey(w.helene.ID, monday)
	m1 := wire.Mutation{ID: "m1", ClientID: "poste-a", Seq: 1, Entity: "week", Key: week, HLC: stampAt("poste-a", time.Minute),
		Fields: map[string]wire.FieldEdit{"use": {Value: "1"}, "c00": {Value: "D"}, "c01": {Value: "N"}}}
	res := w.push(t, w.am, m1)
	if res.Results[0].Status != "applied" || res.ServerHLC == "" {
		t.Fatalf("push: %+v", res)
	}
	// Sent twice (a retry after a cut connection): applied once.
	before, _ := w.Store.Changes(t.Context(), "921", "", 0, 1000)
	if again := w.push(t, w.am, m1); again.Results[0].Status != "applied" {
		t.Fatalf("retry: %+v", again)
	}
	if after, _ := w.Store.Changes(t.Context(), "921", "", 0, 1000); len(after) != len(before) {
		t.Fatalf("a retried mutation was applied again: %d → %d changes", len(before), len(after))
	}
	next := w.pull(t, w.am, first.Cursor)
	rec := find(next, "week", week)
	if rec == nil || rec.Fields["c00"] != "D" || rec.Fields["c01"] != "N" || rec.Fields["use"] != "1" || rec.Versions["c00"] == 0 {
		t.Fatalf("the week is not pulled back: %+v", next.Records)
	}
	a, _ := w.Store.FindAvailability(t.Context(), w.helene.ID)
	if wk, ok := a.WeekOf(monday); !ok || wk.Grid[0][0] != data.Available || !wk.Use {
		t.Fatalf("the week is not stored: %+v", a.Weeks)
	}

	// Two computers: different cells both survive; the same cell keeps the
	// later edit and logs the other. (Stamps ahead of the service's clock
	// are clamped to it: move it on first.)
	w.Clock.Advance(10 * time.Minute)
	base := rec.Versions["c00"]
	w.push(t, w.am,
		wire.Mutation{ID: "b1", ClientID: "poste-b", Entity: "week", Key: week, HLC: stampAt("poste-b", 3*time.Minute),
			Fields: map[string]wire.FieldEdit{"c00": {Value: "N", Base: base}, "c10": {Value: "D", Base: rec.Versions["c10"]}}})
	r2 := w.push(t, w.am,
		wire.Mutation{ID: "c1", ClientID: "poste-c", Entity: "week", Key: week, HLC: stampAt("poste-c", 2*time.Minute),
			Fields: map[string]wire.FieldEdit{"c00": {Value: "T", Base: base}, "c20": {Value: "D", Base: rec.Versions["c20"]}}})
	if len(r2.Results[0].Conflicts) != 1 || r2.Results[0].Conflicts[0].Fields["lost_value"] != "T" {
		t.Fatalf("the earlier edit of c00 should lose and be logged: %+v", r2.Results[0])
	}
	a, _ = w.Store.FindAvailability(t.Context(), w.helene.ID)
	wk, _ := a.WeekOf(monday)
	if wk.Grid[0][0] != data.Unavailable || wk.Grid[1][0] != data.Available || wk.Grid[2][0] != data.Available {
		t.Fatalf("merge: c00=%c c10=%c c20=%c", wk.Grid[0][0], wk.Grid[1][0], wk.Grid[2][0])
	}
	conflicts := w.pull(t, w.am, next.Cursor)
	n := 0
	for _, r := range conflicts.Records {
		if r.Entity == "conflict" {
			n++
			if r.Fields["field"] != "c00" || r.Fields["kept_value"] != "N" || r.Fields["lost_by"] == "" {
				t.Errorf("conflict record %+v", r.Fields)
			}
		}
	}
	if n != 1 {
		t.Fatalf("%d conflict records pulled", n)
	}
	// The agent's copy holds the whole Caf, the conflict included.
	ag := w.pull(t, w.agent, "")
	if find(ag, "week", week) == nil || find(ag, "professional", w.helene.ID) == nil {
		t.Fatal("the agent's first pull misses her Caf's records")
	}
}

func TestSyncRefusals(t *testing.T) {
	w := newSyncWorld(t)
	monday := data.Today(servertest.Epoch, "92").Monday()
	week := data.WeekKey(w.helene.ID, monday)
	stamp := stampAt("x", time.Minute)
	fiche := find(w.pull(t, w.am, ""), "professional", w.helene.ID)
	res := w.push(t, w.am,
		wire.Mutation{ID: "bad", Entity: "week", Key: week, HLC: stamp, Fields: map[string]wire.FieldEdit{"c00": {Value: "X"}}},
		wire.Mutation{ID: "tuesday", Entity: "week", Key: data.WeekKey(w.helene.ID, monday.AddDays(1)), HLC: stamp, Fields: map[string]wire.FieldEdit{"c00": {Value: "D"}}},
		wire.Mutation{ID: "fiche", Entity: "professional", Key: w.helene.ID, HLC: stamp, Fields: map[string]wire.FieldEdit{"last_name": {Value: "Autre"}}},
		wire.Mutation{ID: "good", Entity: "week", Key: week, HLC: stamp, Fields: map[string]wire.FieldEdit{"c00": {Value: "D"}}},
		wire.Mutation{ID: "phone", Entity: "professional", Key: w.helene.ID, HLC: stamp, Fields: map[string]wire.FieldEdit{"phone": {Value: "07 11 22 33 44", Base: fiche.Versions["phone"]}}},
	)
	want := []string{"rejected:invalid", "rejected:invalid", "rejected:forbidden", "applied:", "applied:"}
	for i, r := range res.Results {
		if got := r.Status + ":" + r.Code; got != want[i] {
			t.Errorf("mutation %s: %s (%s), want %s", r.ID, got, r.Message, want[i])
		}
		if r.Status == "rejected" && r.Message == "" {
			t.Errorf("rejection without a French message: %+v", r)
		}
	}
	if p, _ := w.Store.FindProfessionalByID(t.Context(), w.helene.ID); p.Phone != "0711223344" || p.LastName != "Lefèvre" {
		t.Errorf("fiche after push: %s %s", p.LastName, p.Phone)
	}
	// Someone else's records.
	r := w.push(t, w.other, wire.Mutation{ID: "intrus", Entity: "week", Key: week, HLC: stamp, Fields: map[string]wire.FieldEdit{"c00": {Value: "N"}}})
	if r.Results[0].Code != data.EFORBIDDEN {
		t.Errorf("another childminder edited her week: %+v", r.Results[0])
	}
	r = w.push(t, w.agent, wire.Mutation{ID: "agent", Entity: "availability", Key: w.helene.ID, HLC: stamp, Fields: map[string]wire.FieldEdit{"global": {Value: "red"}}})
	if r.Results[0].Code != data.EFORBIDDEN {
		t.Errorf("an agent edited a childminder's availability: %+v", r.Results[0])
	}
	if p := w.pull(t, w.other, ""); find(p, "week", week) != nil || find(p, "professional", w.helene.ID) != nil {
		t.Error("another Caf's childminder pulled her records")
	}
	// Protocol and cursor checks.
	resp := w.Do(t, "POST", "/api/v1/sync/push", w.am, wire.PushRequest{Protocol: 99})
	servertest.WantError(t, resp, http.StatusUpgradeRequired, data.EUPGRADE, "")
	if p := w.pull(t, w.am, "201:*:5"); !p.Resync || len(p.Records) != 0 {
		t.Errorf("a cursor of another scope: %+v", p)
	}
	resp = w.Do(t, "GET", "/api/v1/sync/pull?protocol=1", "", nil)
	servertest.WantError(t, resp, http.StatusUnauthorized, data.EUNAUTHORIZED, "")
}

// An agent prepares the workflow offline; it travels as action mutations.
func TestSyncAgentActions(t *testing.T) {
	w := newSyncWorld(t)
	nathalie := listed("92", "921", "92-2015-1290", "Martin", "Nathalie",
		data.Address{Number: "3", StreetType: "allée", StreetName: "des Œillets", PostalCode: "92000", CommuneINSEE: "92050", CommuneName: "Nanterre"})
	w.SeedProfessional(t, nathalie)
	sub := w.Submit(t, requestForm(nathalie, "nathalie@example.fr"))
	pulled := w.pull(t, w.agent, "")
	if find(pulled, "request", sub.ID) == nil {
		t.Fatal("the agent's pull misses her Caf's request")
	}
	stamp := stampAt("poste-agent", time.Minute)
	res := w.push(t, w.agent,
		wire.Mutation{ID: "a1", Entity: "request", Key: sub.ID, Action: "letter_sent", HLC: stamp},
		wire.Mutation{ID: "a2", Entity: "request", Key: sub.ID, Action: "agreement", HLC: stamp},
		wire.Mutation{ID: "a3", Entity: "request", Key: sub.ID, Action: "validate", HLC: stamp},
		wire.Mutation{ID: "a4", Entity: "request", Key: sub.ID, Action: "agreement", HLC: stamp},
	)
	for i, want := range []string{"applied", "applied", "applied", "rejected"} {
		if res.Results[i].Status != want {
			t.Errorf("action %d: %+v", i, res.Results[i])
		}
	}
	w.WaitMail(t, "nathalie@example.fr", "")
	next := w.pull(t, w.agent, pulled.Cursor)
	if r := find(next, "request", sub.ID); r == nil || r.Fields["state"] != "validee" {
		t.Fatalf("the validated request is not pulled: %+v", r)
	}
	if r := w.push(t, w.am, wire.Mutation{ID: "am", Entity: "request", Key: sub.ID, Action: "refuse", Args: map[string]string{"reason": "x"}, HLC: stamp}); r.Results[0].Code != data.EFORBIDDEN {
		t.Errorf("a childminder acted on a request: %+v", r.Results[0])
	}
}

// requestForm is the habilitation request of a listed professional.
func requestForm(p *data.Professional, email string) wire.RequestForm {
	a := p.Address
	return wire.RequestForm{Kind: string(p.Kind), Civility: string(p.Civility), LastName: p.LastName,
		FirstName: p.FirstName, StreetNumber: a.Number, StreetType: a.StreetType, StreetName: a.StreetName,
		PostalCode: a.PostalCode, Commune: a.CommuneName, Phone: "06 12 34 56 78", Email: email, EmailConfirm: email}
}
