package client

import (
	"context"
	"encoding/json"
	"espacepro/sync/wire"
	"io"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"espacepro/data"
	"espacepro/server/servertest"
)

// These tests drive the client against the real central service
// (servertest: HTTPS on loopback, SQLite store, test clock), through a TCP
// relay that the test can cut, as a network would.

const (
	amEmail    = "sophie.martin@example.fr"
	amPassword = "Hortensia bleue sous la pluie"
)

// relay forwards TCP connections to the service until it is cut.
type relay struct {
	ln     net.Listener
	target string
	mu     sync.Mutex
	down   bool
	conns  map[net.Conn]bool
}

func startRelay(t *testing.T, target string) *relay {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	must(t, err, "relay listen")
	r := &relay{ln: ln, target: target, conns: map[net.Conn]bool{}}
	go r.serve()
	t.Cleanup(func() { ln.Close(); r.setDown(true) })
	return r
}

func (r *relay) url() string { return "https://" + r.ln.Addr().String() }

func (r *relay) serve() {
	for {
		in, err := r.ln.Accept()
		if err != nil {
			return
		}
		r.mu.Lock()
		if r.down {
			r.mu.Unlock()
			in.Close()
			continue
		}
		out, err := net.Dial("tcp", r.target)
		if err != nil {
			r.mu.Unlock()
			in.Close()
			continue
		}
		r.conns[in], r.conns[out] = true, true
		r.mu.Unlock()
		go r.pipe(in, out)
		go r.pipe(out, in)
	}
}

func (r *relay) pipe(dst, src net.Conn) {
	io.Copy(dst, src)
	dst.Close()
	src.Close()
	r.mu.Lock()
	delete(r.conns, dst)
	delete(r.conns, src)
	r.mu.Unlock()
}

// setDown cuts (or restores) the network: open connections are closed and
// new ones refused.
func (r *relay) setDown(down bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.down = down
	if down {
		for c := range r.conns {
			c.Close()
		}
	}
}

// service is a running central service with one active childminder.
type service struct {
	*servertest.Env
	relay *relay
	pro   *data.Professional
}

func startService(t *testing.T) *service {
	t.Helper()
	env := servertest.Start(t, servertest.OpenSQLite(t))
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("service log:\n%s", env.Log.String())
		}
	})
	p := testProfessional()
	p.ID = ""
	env.SeedActive(t, p, amEmail, amPassword)
	return &service{Env: env, relay: startRelay(t, strings.TrimPrefix(env.URL, "https://")), pro: p}
}

// client returns a logged-in client of the service with its own local copy,
// whose clock is the service's test clock.
func (s *service) client(t *testing.T, cfg Config) (*Client, *localCopy) {
	t.Helper()
	l := &localCopy{Local: openTestLocal(t)}
	cfg.ServerURL, cfg.Fingerprint = s.relay.url(), s.Server.Fingerprint()
	cfg.Retries, cfg.RetryWait = 1, time.Millisecond
	c, err := New(cfg, l)
	must(t, err, "New")
	t.Cleanup(c.Close)
	c.Now = s.Clock.Now
	res, err := c.Login(context.Background(), amEmail, amPassword)
	must(t, err, "Login")
	if res.Account.ProfessionalID != s.pro.ID || res.MustChangePassword {
		t.Fatalf("login answer %+v", res)
	}
	return c, l
}

// localCopy is a client's local copy, with the helpers of the tests.
type localCopy struct{ Local }

func (l *localCopy) availability(t *testing.T, id string) *data.Availability {
	t.Helper()
	a, err := l.FindAvailability(context.Background(), id)
	must(t, err, "FindAvailability")
	return a
}

func (l *localCopy) pending(t *testing.T) int {
	t.Helper()
	n, err := l.CountOutbox(context.Background())
	must(t, err, "CountOutbox")
	return n
}

// setCell sets cells of the current week through the client, as the
// availability screen's « Valider » does.
func setCell(t *testing.T, c *Client, l *localCopy, id string, cells map[string]string) {
	t.Helper()
	a := l.availability(t, id)
	w, ok := a.WeekOf(testMonday)
	if !ok {
		w = data.Week{Monday: testMonday, Grid: data.NewWeekGrid()}
	}
	for k, v := range cells {
		must(t, w.SetField(k, v), "SetField")
	}
	a.Weeks, a.Dated = []data.Week{w}, nil
	must(t, c.SaveAvailability(context.Background(), a), "SaveAvailability")
}

func cellOf(t *testing.T, a *data.Availability, field string) string {
	t.Helper()
	w, ok := a.WeekOf(testMonday)
	if !ok {
		return "(no week)"
	}
	return w.Fields()[field]
}

func (s *service) stored(t *testing.T) *data.Availability {
	t.Helper()
	a, err := s.Store.FindAvailability(context.Background(), s.pro.ID)
	must(t, err, "store FindAvailability")
	return a
}

func mustSync(t *testing.T, c *Client) Report {
	t.Helper()
	rep, err := c.Sync(context.Background())
	if err != nil {
		t.Fatalf("Sync: %v", err)
	}
	return rep
}

func TestSyncOfflineThenOnline(t *testing.T) {
	ctx := context.Background()
	s := startService(t)
	var states []Status
	var mu sync.Mutex
	c, l := s.client(t, Config{OnChange: func(st Status) { mu.Lock(); states = append(states, st); mu.Unlock() }})
	rep := mustSync(t, c)
	if rep.Pulled == 0 || rep.Pushed != 0 {
		t.Errorf("first sync: %+v", rep)
	}
	p, err := l.FindProfessionalByID(ctx, s.pro.ID)
	if err != nil || p.LastName != "Martin" || p.Habilitation != data.HabilitationActive {
		t.Fatalf("her fiche in the copy: %+v, %v", p, err)
	}

	// The network goes; she edits and validates.
	s.relay.setDown(true)
	a := l.availability(t, s.pro.ID)
	a.Global = data.ColourGreen
	must(t, c.SaveAvailability(ctx, a), "SaveAvailability global")
	setCell(t, c, l, s.pro.ID, map[string]string{"use": "1", "c00": "D", "c16": "N"})
	_, err = c.Sync(ctx)
	if data.ErrorCode(err) != data.EUNAVAILABLE || !strings.HasPrefix(data.ErrorMessage(err), MsgUnreachable) {
		t.Fatalf("Sync offline: %v", err)
	}
	st := c.State()
	if st.Online || st.Pending != 2 || st.LastError == "" || !st.LoggedIn || st.SessionOver {
		t.Errorf("status offline: %+v", st)
	}
	if l.pending(t) != 2 {
		t.Errorf("outbox after a failed sync: %d, want 2", l.pending(t))
	}
	entries, _ := l.PendingOutbox(ctx, 0)
	if entries[0].Attempts == 0 || entries[0].LastError == "" {
		t.Errorf("failed attempt not recorded: %+v", entries[0])
	}
	if got := s.stored(t); got.Global != data.ColourGrey {
		t.Errorf("service has %s before the push", got.Global)
	}

	// The network is back.
	s.relay.setDown(false)
	rep = mustSync(t, c)
	if rep.Pushed != 2 || len(rep.Rejected) != 0 || rep.Pending != 0 {
		t.Errorf("sync back online: %+v", rep)
	}
	got := s.stored(t)
	if got.Global != data.ColourGreen || cellOf(t, got, "c00") != "D" || cellOf(t, got, "c16") != "N" || cellOf(t, got, "use") != "1" {
		t.Errorf("service's availability: %+v", got)
	}
	local := l.availability(t, s.pro.ID)
	if local.Global != data.ColourGreen || cellOf(t, local, "c00") != "D" {
		t.Errorf("local availability after the sync: %+v", local)
	}
	v, _ := l.FieldVersions(ctx, "week", data.WeekKey(s.pro.ID, testMonday))
	if v["c00"] == 0 {
		t.Errorf("c00 has no version after the pull: %v", v)
	}
	st = c.State()
	if !st.Online || st.Pending != 0 || st.LastError != "" || st.LastSuccess.IsZero() {
		t.Errorf("status after the sync: %+v", st)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(states) == 0 || states[len(states)-1] != st {
		t.Errorf("OnChange not told the last status")
	}
}

func TestSyncTwoComputersOfOneChildminder(t *testing.T) {
	ctx := context.Background()
	s := startService(t)
	c1, l1 := s.client(t, Config{})
	c2, l2 := s.client(t, Config{})
	setCell(t, c1, l1, s.pro.ID, map[string]string{"use": "1"}) // the week exists on both
	mustSync(t, c1)
	mustSync(t, c2)

	// Different cells of the same week, both offline: both survive.
	setCell(t, c1, l1, s.pro.ID, map[string]string{"c00": "D"})
	s.Clock.Advance(time.Minute)
	setCell(t, c2, l2, s.pro.ID, map[string]string{"c01": "N"})
	mustSync(t, c1)
	rep := mustSync(t, c2)
	mustSync(t, c1)
	if rep.Conflicts != 0 {
		t.Errorf("edits of different cells made %d conflicts", rep.Conflicts)
	}
	for name, a := range map[string]*data.Availability{"service": s.stored(t), "copy 1": l1.availability(t, s.pro.ID), "copy 2": l2.availability(t, s.pro.ID)} {
		if cellOf(t, a, "c00") != "D" || cellOf(t, a, "c01") != "N" {
			t.Errorf("%s: c00 %s c01 %s, want D and N", name, cellOf(t, a, "c00"), cellOf(t, a, "c01"))
		}
	}

	// The same cell: the later edit wins, the other is in both conflict logs
	// and its computer shows the kept value.
	setCell(t, c1, l1, s.pro.ID, map[string]string{"c02": "D"})
	s.Clock.Advance(time.Minute)
	setCell(t, c2, l2, s.pro.ID, map[string]string{"c02": "N"})
	rep1 := mustSync(t, c1)
	rep2 := mustSync(t, c2)
	mustSync(t, c1)
	if rep1.Conflicts != 0 || rep2.Conflicts != 1 {
		t.Errorf("conflicts reported: %d then %d, want 0 then 1", rep1.Conflicts, rep2.Conflicts)
	}
	for name, a := range map[string]*data.Availability{"service": s.stored(t), "copy 1": l1.availability(t, s.pro.ID), "copy 2": l2.availability(t, s.pro.ID)} {
		if cellOf(t, a, "c02") != "N" {
			t.Errorf("%s: c02 %s, want the later N", name, cellOf(t, a, "c02"))
		}
	}
	for name, l := range map[string]*localCopy{"copy 1": l1, "copy 2": l2} {
		list, err := l.FindConflicts(ctx)
		must(t, err, "FindConflicts")
		if len(list) != 1 || list[0].Field != "c02" || list[0].LostValue != "D" || list[0].KeptValue != "N" ||
			list[0].Key != data.WeekKey(s.pro.ID, testMonday) {
			t.Errorf("%s: conflicts %+v", name, list)
		}
	}
	if st := c1.State(); st.Conflicts != 1 {
		t.Errorf("status of copy 1: %d conflicts, want 1", st.Conflicts)
	}
	list, err := c1.Conflicts(ctx)
	must(t, err, "Conflicts")
	must(t, c1.MarkConflictsSeen(ctx, list[0].ID), "MarkConflictsSeen")
	if st := c1.State(); st.Conflicts != 0 {
		t.Errorf("status of copy 1 once seen: %d conflicts, want 0", st.Conflicts)
	}
}

// TestNewWeekFromTwoComputers: two computers fill in different cells of a
// week the service does not have yet. Both cells survive; no value was
// lost, so there should be no conflict record either.
func TestNewWeekFromTwoComputers(t *testing.T) {
	s := startService(t)
	c1, l1 := s.client(t, Config{})
	c2, l2 := s.client(t, Config{})
	mustSync(t, c1)
	mustSync(t, c2)
	setCell(t, c1, l1, s.pro.ID, map[string]string{"c00": "D"})
	s.Clock.Advance(time.Minute)
	setCell(t, c2, l2, s.pro.ID, map[string]string{"c01": "N"})
	mustSync(t, c1)
	rep := mustSync(t, c2)
	mustSync(t, c1)
	for name, a := range map[string]*data.Availability{"service": s.stored(t), "copy 1": l1.availability(t, s.pro.ID), "copy 2": l2.availability(t, s.pro.ID)} {
		if cellOf(t, a, "c00") != "D" || cellOf(t, a, "c01") != "N" {
			t.Errorf("%s: c00 %s c01 %s, want D and N", name, cellOf(t, a, "c00"), cellOf(t, a, "c01"))
		}
	}
	if rep.Conflicts != 0 {
		t.Errorf("filling different cells of a new week from two computers made %d conflict record(s)", rep.Conflicts)
	}
}

func TestPullKeepsPendingEdits(t *testing.T) {
	ctx := context.Background()
	s := startService(t)
	c1, l1 := s.client(t, Config{})
	c2, l2 := s.client(t, Config{})
	mustSync(t, c1)
	mustSync(t, c2)

	setCell(t, c1, l1, s.pro.ID, map[string]string{"c03": "D"}) // pending on copy 1
	s.Clock.Advance(time.Minute)
	setCell(t, c2, l2, s.pro.ID, map[string]string{"c03": "N", "c04": "D"})
	mustSync(t, c2)

	// Copy 1 pulls before it pushes: c04 arrives, c03 stays hers.
	var rep Report
	must(t, c1.pull(ctx, c1.sessionToken(), &rep, map[string]bool{}), "pull")
	a := l1.availability(t, s.pro.ID)
	if cellOf(t, a, "c03") != "D" || cellOf(t, a, "c04") != "D" {
		t.Errorf("copy 1 after the pull: c03 %s (want her pending D), c04 %s (want D)", cellOf(t, a, "c03"), cellOf(t, a, "c04"))
	}
	if l1.pending(t) != 1 {
		t.Errorf("outbox %d after the pull", l1.pending(t))
	}
	// Her edit is older: pushed, it loses, and the copy settles to N.
	rep = mustSync(t, c1)
	if rep.Pushed != 1 || rep.Conflicts != 1 {
		t.Errorf("sync of the older edit: %+v", rep)
	}
	if got := cellOf(t, l1.availability(t, s.pro.ID), "c03"); got != "N" {
		t.Errorf("copy 1 c03 = %s after its edit lost, want N", got)
	}
	if got := cellOf(t, s.stored(t), "c03"); got != "N" {
		t.Errorf("service c03 = %s", got)
	}
}

func TestSessionEndsMidSync(t *testing.T) {
	ctx := context.Background()
	s := startService(t)
	var l *localCopy
	fired := false
	var c *Client
	c, l = s.client(t, Config{PullLimit: 1, OnChange: func(st Status) {
		// Once the first page is in the copy, the session times out.
		if l == nil || fired || !st.Online {
			return
		}
		if cur, _ := l.SyncState(ctx, data.SyncCursorKey); cur != "" {
			fired = true
			s.Clock.Advance(31 * time.Minute)
		}
	}})
	setCell(t, c, l, s.pro.ID, map[string]string{"use": "1", "c05": "D"})
	a := l.availability(t, s.pro.ID)
	a.Global = data.ColourGreen
	must(t, c.SaveAvailability(ctx, a), "SaveAvailability")

	rep, err := c.Sync(ctx)
	if data.ErrorCode(err) != data.EUNAUTHORIZED || data.ErrorMessage(err) != MsgSessionOver {
		t.Fatalf("Sync as the session ends: %v (report %+v)", err, rep)
	}
	if !fired || rep.Pushed != 2 || rep.Pulled == 0 {
		t.Errorf("report %+v (fired %v)", rep, fired)
	}
	st := c.State()
	if !st.SessionOver || st.LoggedIn || st.LastError != MsgSessionOver {
		t.Errorf("status: %+v", st)
	}
	cursor, _ := l.SyncState(ctx, data.SyncCursorKey)
	if cursor == "" {
		t.Error("the pages applied before the 401 were lost")
	}

	// An edit made meanwhile waits; a sync without session says so.
	setCell(t, c, l, s.pro.ID, map[string]string{"c06": "N"})
	if _, err := c.Sync(ctx); data.ErrorCode(err) != data.EUNAUTHORIZED {
		t.Errorf("Sync without a session: %v", err)
	}
	if l.pending(t) != 1 {
		t.Errorf("outbox %d, want 1", l.pending(t))
	}
	if _, err := c.Login(ctx, amEmail, amPassword); err != nil {
		t.Fatalf("Login again: %v", err)
	}
	if st := c.State(); st.SessionOver || !st.LoggedIn {
		t.Errorf("status after login: %+v", st)
	}
	rep = mustSync(t, c)
	if rep.Pushed != 1 || rep.Pending != 0 {
		t.Errorf("sync after login: %+v", rep)
	}
	got := s.stored(t)
	if got.Global != data.ColourGreen || cellOf(t, got, "c05") != "D" || cellOf(t, got, "c06") != "N" {
		t.Errorf("service after all: %+v", got)
	}
	if after, _ := l.SyncState(ctx, data.SyncCursorKey); after == cursor {
		t.Error("cursor did not move on")
	}

	// The session ends before the push: nothing is sent, nothing lost.
	setCell(t, c, l, s.pro.ID, map[string]string{"c20": "D"})
	s.Clock.Advance(31 * time.Minute)
	if _, err := c.Sync(ctx); data.ErrorCode(err) != data.EUNAUTHORIZED || !c.State().SessionOver {
		t.Errorf("Sync after the session ended: %v", err)
	}
	if l.pending(t) != 1 {
		t.Errorf("outbox %d after a 401 push, want 1", l.pending(t))
	}
	_, err = c.Login(ctx, amEmail, amPassword)
	must(t, err, "Login")
	if rep := mustSync(t, c); rep.Pushed != 1 {
		t.Errorf("sync: %+v", rep)
	}
}

func TestSyncRejectedEditSettlesBack(t *testing.T) {
	ctx := context.Background()
	s := startService(t)
	c, l := s.client(t, Config{})
	mustSync(t, c)
	// A childminder may change her phone, not a structure's name. The app
	// no longer offers it (data.EditableFields), but an older version
	// queued such an edit: the service refuses it.
	p, err := l.FindProfessionalByID(ctx, s.pro.ID)
	must(t, err, "FindProfessionalByID")
	p.Phone = "0699887766"
	must(t, c.SaveFiche(ctx, p), "SaveFiche")
	p, _ = l.FindProfessionalByID(ctx, s.pro.ID)
	p.StructureName = "Les Petits Loups"
	m := wire.Mutation{ID: "older-app", ClientID: c.ClientID(), Seq: 99, Entity: wire.EntityProfessional, Key: p.ID,
		Fields: map[string]wire.FieldEdit{"structure_name": {Value: p.StructureName}},
		HLC:    data.HLC{Wall: s.Clock.Now().UnixMilli(), Node: c.ClientID()}.String()}
	payload, _ := json.Marshal(m)
	must(t, l.InTx(ctx, func(ctx context.Context) error {
		if err := l.SaveProfessional(ctx, p, nil); err != nil {
			return err
		}
		return l.QueueEdits(ctx, []data.PendingEdit{{Entry: data.OutboxEntry{ID: m.ID, Entity: m.Entity, Key: m.Key, Payload: payload},
			Fields: map[string]string{"structure_name": p.StructureName}}})
	}), "queue an edit as an older app did")
	if got, _ := l.FindProfessionalByID(ctx, s.pro.ID); got.StructureName != "Les Petits Loups" {
		t.Fatalf("local fiche before the sync: %+v", got)
	}
	rep := mustSync(t, c)
	if rep.Pushed != 1 || len(rep.Rejected) != 1 || rep.Rejected[0].Code != data.EFORBIDDEN || rep.Rejected[0].Message == "" {
		t.Fatalf("report %+v", rep)
	}
	rej, err := l.FindRejected(ctx)
	must(t, err, "FindRejected")
	if len(rej) != 1 || rej[0].Code != data.EFORBIDDEN || c.State().Rejected != 1 || l.pending(t) != 0 {
		t.Errorf("rejected %+v, status %+v", rej, c.State())
	}
	// The refused edit settled back to the service's fiche; the phone,
	// which the service accepted, stays.
	got, _ := l.FindProfessionalByID(ctx, s.pro.ID)
	if got.StructureName != "" || got.Phone != "0699887766" {
		t.Errorf("local fiche after the refusal: phone %s structure %q", got.Phone, got.StructureName)
	}
	stored, err := s.Store.FindProfessionalByID(ctx, s.pro.ID)
	must(t, err, "store FindProfessionalByID")
	if stored.Phone != "0699887766" {
		t.Errorf("service phone %s", stored.Phone)
	}
}

func TestSyncResync(t *testing.T) {
	ctx := context.Background()
	s := startService(t)
	c, l := s.client(t, Config{})
	mustSync(t, c)
	setCell(t, c, l, s.pro.ID, map[string]string{"c00": "D"})
	// A cursor of another scope (as after a move to another Caf).
	must(t, l.SetSyncState(ctx, data.SyncCursorKey, "201:*:12"), "SetSyncState")
	rep := mustSync(t, c)
	if !rep.Resynced || rep.Pushed != 1 {
		t.Errorf("report %+v", rep)
	}
	if p, err := l.FindProfessionalByID(ctx, s.pro.ID); err != nil || cellOf(t, l.availability(t, p.ID), "c00") != "D" {
		t.Errorf("copy after the resync: %v", err)
	}
}

func TestLoginThenUnlockOffline(t *testing.T) {
	ctx := context.Background()
	s := startService(t)
	c, l := s.client(t, Config{})
	// Wrong password online: the service's French message.
	if _, err := c.Login(ctx, amEmail, "mauvais mot de passe"); data.ErrorCode(err) != data.EUNAUTHORIZED {
		t.Errorf("Login with a wrong password: %v", err)
	}
	s.relay.setDown(true)
	c2, err := New(Config{ServerURL: s.relay.url(), Fingerprint: s.Server.Fingerprint(), Retries: -1}, l)
	must(t, err, "New")
	acc, err := c2.Unlock(ctx, amEmail, amPassword)
	if err != nil || acc.ProfessionalID != s.pro.ID {
		t.Fatalf("Unlock offline: %+v, %v", acc, err)
	}
	if _, err := c2.Unlock(ctx, amEmail, "mauvais mot de passe"); data.ErrorCode(err) != data.EUNAUTHORIZED {
		t.Errorf("Unlock with a wrong password: %v", err)
	}
	// Offline edits work after an unlock.
	a := l.availability(t, s.pro.ID)
	a.Global = data.ColourRed
	must(t, c2.SaveAvailability(ctx, a), "SaveAvailability offline")
	if c2.State().Pending != 1 {
		t.Errorf("status %+v", c2.State())
	}
	// The verifier is a hash, never the password.
	v, _ := l.SyncState(ctx, keyVerifier)
	if strings.Contains(v, amPassword) || !strings.HasPrefix(v, "$argon2id$") {
		t.Errorf("verifier %q", v)
	}
}

func TestLoginOfAnotherAccountKeepsPendingEdits(t *testing.T) {
	ctx := context.Background()
	s := startService(t)
	other := testProfessional()
	other.ID, other.AgrementNumber, other.FirstName = "", "92-2020-0001", "Léa"
	s.SeedActive(t, other, "lea@example.fr", amPassword)
	c, l := s.client(t, Config{})
	mustSync(t, c)
	setCell(t, c, l, s.pro.ID, map[string]string{"c00": "D"})
	_, err := c.Login(ctx, "lea@example.fr", amPassword)
	if data.ErrorCode(err) != data.EFORBIDDEN || !strings.Contains(data.ErrorMessage(err), amEmail) {
		t.Fatalf("Login of another account over pending edits: %v", err)
	}
	if l.pending(t) != 1 {
		t.Errorf("outbox %d", l.pending(t))
	}
	mustSync(t, c) // still Sophie's session
	if _, err := c.Login(ctx, "lea@example.fr", amPassword); err != nil {
		t.Fatalf("Login of another account once sent: %v", err)
	}
	mustSync(t, c)
	if _, err := l.FindProfessionalByID(ctx, s.pro.ID); data.ErrorCode(err) != data.ENOTFOUND {
		t.Errorf("the first account's fiche is still in the copy: %v", err)
	}
	if _, err := l.FindProfessionalByID(ctx, other.ID); err != nil {
		t.Errorf("the new account's fiche: %v", err)
	}
	if _, err := c.Unlock(ctx, amEmail, amPassword); err == nil {
		t.Error("the first account still unlocks the copy")
	}
}
