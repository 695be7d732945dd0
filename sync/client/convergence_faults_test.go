package client

import (
	"context"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"espacepro/data"
	"espacepro/server/servertest"
	"espacepro/sync/wire"
)

// TestSyncFaults: the failures a desktop meets in the middle of a sync
// (DESIGN.md §3, §6). Each leaves a clear French message, loses nothing,
// applies nothing twice, and the next sync completes.
func TestSyncFaults(t *testing.T) {
	t.Run("duplicate push at once", testDuplicatePushAtOnce)
	t.Run("push answer lost, then the copy closed", testPushAnswerLostThenClosed)
	t.Run("pull answer cut", testPullAnswerCut)
	t.Run("session expires between push and pull", testSessionExpiresBetweenPushAndPull)
	t.Run("session expires between two push batches", testSessionExpiresBetweenPushBatches)
	t.Run("session expires between two pull pages", testSessionExpiresBetweenPullPages)
	t.Run("service restarts during a push", testRestartDuringPush)
	t.Run("service restarts between pull pages", testRestartBetweenPullPages)
	t.Run("disk full", testDiskFull)
	t.Run("read-only file", testReadOnlyFile)
}

// faultWorld is the seeded service on SQLite, without desktops.
func faultWorld(t *testing.T) *sim { return newWorld(t, 1, servertest.OpenSQLite(t)) }

// computer opens a desktop copy of her account (or the agent's, when
// agent) on url; with url "", through a fault proxy of its own.
func (s *sim) computer(name, url string, cfg Config, agent bool) *actor {
	var proxy *faultProxy
	if url == "" {
		proxy = s.cl.startProxy(name, 1)
		url = proxy.url()
	}
	cfg.ServerURL = url
	email, password, proID := amEmail, amPassword, s.pro.ID
	if agent {
		email, password, proID = agentEmail, agentPassword, ""
	}
	a := startActor(s.t, s.cl, name, email, password, proID, cfg, "")
	a.proxy = proxy
	return a
}

func (s *sim) mustSync(a *actor) Report {
	s.t.Helper()
	rep, err := a.c.Sync(context.Background())
	if err != nil {
		s.t.Fatalf("%s: Sync: %v", a.name, err)
	}
	return rep
}

// setWeek sets fields of a week through the client, as « Valider » does,
// and registers the mutations.
func (s *sim) setWeek(a *actor, monday data.Date, fields map[string]string) {
	s.t.Helper()
	av, err := a.local.FindAvailability(context.Background(), a.proID)
	must(s.t, err, "FindAvailability")
	w, ok := av.WeekOf(monday)
	if !ok {
		w = data.Week{Monday: monday, Grid: data.NewWeekGrid()}
	}
	for k, v := range fields {
		must(s.t, w.SetField(k, v), "SetField")
	}
	must(s.t, a.c.SaveAvailability(context.Background(), &data.Availability{ProfessionalID: a.proID, Global: av.Global,
		Weeks: []data.Week{w}}), a.name+" SaveAvailability")
	must(s.t, a.collect(), "collect")
}

// pendingIDs returns the IDs of the mutations in a copy's outbox.
func pendingIDs(t *testing.T, a *actor) []string {
	t.Helper()
	entries, err := a.local.PendingOutbox(context.Background(), 0)
	must(t, err, "PendingOutbox")
	var ids []string
	for _, e := range entries {
		ids = append(ids, e.ID)
	}
	return ids
}

// appliedOnce: the service recorded one answer for each mutation, and the
// transaction of a field edit never ran a second time (an action run twice
// is refused by its request's state the second time: the audit log tells).
func (s *sim) appliedOnce(ids []string) {
	s.t.Helper()
	o := s.cl.obs
	o.mu.Lock()
	defer o.mu.Unlock()
	for _, id := range ids {
		fieldEdit := o.muts[id] != nil && o.muts[id].Action == ""
		if n := len(o.results[id]); n != 1 || (fieldEdit && o.dupSaves[id] != 0) {
			s.t.Errorf("mutation %s: %d answers recorded, %d more runs refused at the end", id, n, o.dupSaves[id])
		}
	}
}

// settled: the copies have nothing left to send and equal the service.
func (s *sim) settled(actors ...*actor) {
	s.t.Helper()
	for range 2 {
		for _, a := range actors {
			if _, err := a.sync(); err != nil { // a session that ended meanwhile is opened again
				s.t.Fatalf("%s: Sync: %v", a.name, err)
			}
		}
	}
	for _, a := range actors {
		if n, _ := a.local.CountOutbox(context.Background()); n != 0 {
			s.t.Errorf("%s: %d edits left", a.name, n)
		}
		if a.proID != "" {
			s.compareProfessional(a, a.proID)
		}
	}
}

// wantMessage checks a failed sync or edit: its code, a French message
// holding each part, and the status the UI shows.
func wantMessage(t *testing.T, a *actor, err error, code string, parts ...string) {
	t.Helper()
	if data.ErrorCode(err) != code {
		t.Fatalf("%s: error %v, want code %s", a.name, err, code)
	}
	msg := data.ErrorMessage(err)
	servertest.WantFrench(t, a.name+" message", msg)
	for _, p := range parts {
		if !strings.Contains(msg, p) {
			t.Errorf("%s: message %q does not say %q", a.name, msg, p)
		}
	}
}

// rendezvous holds the first look-up of each mutation, once done, until a
// second one is done too (or a few seconds pass): two copies of one push
// then both pass the "already applied?" check before either applies it.
type rendezvous struct {
	mu    sync.Mutex
	calls map[string]int
	ready map[string]chan struct{}
	met   map[string]bool
}

func newRendezvous(ids []string) *rendezvous {
	r := &rendezvous{calls: map[string]int{}, ready: map[string]chan struct{}{}, met: map[string]bool{}}
	for _, id := range ids {
		r.ready[id] = make(chan struct{})
	}
	return r
}

func (r *rendezvous) lookup(id string) {
	r.mu.Lock()
	ch, ok := r.ready[id]
	if !ok {
		r.mu.Unlock()
		return
	}
	r.calls[id]++
	n := r.calls[id]
	if n == 2 {
		r.met[id] = true
		close(ch)
	}
	r.mu.Unlock()
	if n == 1 {
		select {
		case <-ch:
		case <-time.After(3 * time.Second):
		}
	}
}

// testDuplicatePushAtOnce: two copies of one push reach the service at the
// same moment (a retry while the first try still runs, or a proxy that
// repeats it), both past the "already applied?" check. Field edits apply
// once; an action is done once and both answers agree.
func testDuplicatePushAtOnce(t *testing.T) {
	s := faultWorld(t)
	ctx := context.Background()
	a := s.computer("A", "", Config{}, false)
	d := s.computer("D", "", Config{}, true)
	s.mustSync(a)
	s.mustSync(d)
	req := s.requests[0]
	must(t, d.c.RequestAction(ctx, req, wire.ActionLetterSent, map[string]string{"send_mail": "false"}), "letter sent")
	s.mustSync(d)

	s.setWeek(a, testMonday, map[string]string{"c00": "D", "use": "1"})
	s.setWeek(a, testMonday.AddDays(7), map[string]string{"c01": "N"})
	must(t, d.c.RequestAction(ctx, req, wire.ActionAgreement, nil), "agreement")
	// A letter may be sent again: only the lock keeps it from being
	// recorded twice.
	must(t, d.c.RequestAction(ctx, s.requests[1], wire.ActionLetterSent, map[string]string{"send_mail": "false"}), "letter sent")
	must(t, d.collect(), "collect")
	ids := append(pendingIDs(t, a), pendingIDs(t, d)...)
	rv := newRendezvous(ids)
	s.cl.obs.mu.Lock()
	s.cl.obs.onLookup = rv.lookup
	s.cl.obs.mu.Unlock()
	a.proxy.planFaults(faultPushTwiceRace)
	d.proxy.planFaults(faultPushTwiceRace)
	var wg sync.WaitGroup
	reps := make([]Report, 2)
	errs := make([]error, 2)
	for i, x := range []*actor{a, d} {
		wg.Add(1)
		go func() { defer wg.Done(); reps[i], errs[i] = x.c.Sync(ctx) }()
	}
	wg.Wait()
	s.cl.obs.mu.Lock()
	s.cl.obs.onLookup = nil
	s.cl.obs.mu.Unlock()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("Sync %d: %v", i, err)
		}
	}
	for _, id := range ids {
		if !rv.met[id] {
			t.Errorf("mutation %s: the two copies did not meet at the check (the test did not race)", id)
		}
	}
	s.appliedOnce(ids)
	for _, x := range []*actor{a, d} {
		x.proxy.mu.Lock()
		raced := x.proxy.raced
		x.proxy.mu.Unlock()
		var answers [2]wire.PushResponse
		for i, ans := range raced {
			if ans == nil || ans.status != http.StatusOK {
				t.Fatalf("%s: answer %d to the doubled push: %+v", x.name, i, ans)
			}
			answers[i] = decodePush(t, ans)
		}
		for i := range answers[0].Results {
			r0, r1 := answers[0].Results[i], answers[1].Results[i]
			if r0.Status != wire.StatusApplied || r1.Status != r0.Status || r1.Code != r0.Code {
				t.Errorf("%s: the two copies of %s were answered %s %s and %s %s", x.name, r0.ID, r0.Status, r0.Code, r1.Status, r1.Code)
			}
		}
	}
	if rej, _ := d.local.FindRejected(ctx); len(rej) != 0 {
		t.Errorf("the agent's copy shows the applied action as refused: %+v", rej)
	}
	for _, x := range []struct{ request, action string }{{req, "request.agreement"}, {s.requests[1], "request.letter"}} {
		entries, _, err := s.cl.store().FindAudit(ctx, data.AuditFilter{TargetID: x.request, Action: x.action})
		must(t, err, "FindAudit")
		if len(entries) != 1 {
			t.Errorf("%s was recorded %d times", x.action, len(entries))
		}
	}
	s.settled(a, d)
}

// testPushAnswerLostThenClosed: the service applies a push but its answer
// never arrives (nor that of the client's own retry); the computer is then
// turned off before the next sync. Reopened, the copy sends the edits
// again, and the service answers from its record without applying them
// twice.
func testPushAnswerLostThenClosed(t *testing.T) {
	s := faultWorld(t)
	ctx := context.Background()
	a := s.computer("A", "", Config{}, false)
	s.mustSync(a)
	s.setWeek(a, testMonday, map[string]string{"c00": "D", "places": "2"})
	s.setWeek(a, testMonday.AddDays(7), map[string]string{"c01": "N"})
	ids := pendingIDs(t, a)
	a.proxy.planFaults(faultPushLost, faultPushLost)
	_, err := a.c.Sync(ctx)
	wantUnreachable(t, a, err)
	if got := pendingIDs(t, a); len(got) != len(ids) {
		t.Fatalf("outbox after the lost answers: %v, want %v", got, ids)
	}
	if got := s.serverFields(wire.EntityWeek, data.WeekKey(s.pro.ID, testMonday))["c00"]; got != "D" {
		t.Errorf("the service did not apply the push: c00 %s", got)
	}
	a.kill(t)
	if got := pendingIDs(t, a); len(got) != len(ids) {
		t.Fatalf("outbox after the restart: %v, want %v", got, ids)
	}
	if rep := s.mustSync(a); rep.Pushed != len(ids) || rep.Conflicts != 0 {
		t.Errorf("sync after the restart: %+v", rep)
	}
	s.appliedOnce(ids)
	s.settled(a)
}

// testPullAnswerCut: a pull page that stops mid-body, or whose JSON is cut
// though the HTTP answer is complete, is not applied, and the cursor stays
// where it was.
func testPullAnswerCut(t *testing.T) {
	s := faultWorld(t)
	ctx := context.Background()
	a := s.computer("A", "", Config{}, false)
	b := s.computer("B", s.cl.insts[0].url(), Config{}, false)
	s.mustSync(a)
	s.mustSync(b)
	for _, f := range []struct {
		kind faultKind
		code string
		msg  string
	}{{faultPullCut, data.EUNAVAILABLE, "n'est pas joignable"}, {faultPullGarbled, data.EINTERNAL, "réponse illisible"}} {
		s.setWeek(b, testMonday, map[string]string{"c00": convStates[int(f.kind)%3], "places": strconv.Itoa(int(f.kind))})
		s.mustSync(b)
		cursor, _ := a.local.SyncState(ctx, data.SyncCursorKey)
		before, err := a.local.FindAvailability(ctx, s.pro.ID)
		must(t, err, "FindAvailability")
		a.proxy.planFaults(f.kind, f.kind)
		_, err = a.c.Sync(ctx)
		a.proxy.clearFaults()
		wantMessage(t, a, err, f.code, f.msg, "cet ordinateur")
		if now, _ := a.local.SyncState(ctx, data.SyncCursorKey); now != cursor {
			t.Errorf("%s: cursor %q → %q", faultNames[f.kind], cursor, now)
		}
		after, err := a.local.FindAvailability(ctx, s.pro.ID)
		must(t, err, "FindAvailability")
		if d := diffRecords(availabilityRecords(before), availabilityRecords(after)); d != "" {
			t.Errorf("%s: part of the page was applied: %s", faultNames[f.kind], d)
		}
		s.mustSync(a)
		s.compareProfessional(a, s.pro.ID)
	}
	s.settled(a, b)
}

func decodePush(t *testing.T, a *answer) wire.PushResponse {
	t.Helper()
	var res wire.PushResponse
	if err := json.Unmarshal(plainBody(a), &res); err != nil {
		t.Fatalf("push answer: %v", err)
	}
	return res
}

// expireOn makes the session idle for 31 minutes as soon as the service
// has answered the n-th request to path (before the answer goes out).
func (s *sim) expireOn(a *actor, path string, n int) *atomic.Bool {
	var seen atomic.Int32
	fired := &atomic.Bool{}
	a.proxy.setBeforeAnswer(func(p string, _ *wire.PullResponse) {
		if p == path && seen.Add(1) == int32(n) {
			s.cl.clock.Advance(31 * time.Minute)
			fired.Store(true)
		}
	})
	return fired
}

// wantSessionOver: the sync stopped on the expired session, with its
// message and status.
func wantSessionOver(t *testing.T, a *actor, err error) {
	t.Helper()
	wantMessage(t, a, err, data.EUNAUTHORIZED)
	if data.ErrorMessage(err) != MsgSessionOver {
		t.Errorf("%s: message %q, want %q", a.name, data.ErrorMessage(err), MsgSessionOver)
	}
	if st := a.c.State(); !st.SessionOver || st.LoggedIn || st.LastError != MsgSessionOver {
		t.Errorf("%s: status %+v", a.name, st)
	}
}

func testSessionExpiresBetweenPushAndPull(t *testing.T) {
	s := faultWorld(t)
	ctx := context.Background()
	a := s.computer("A", "", Config{}, false)
	s.mustSync(a)
	s.setWeek(a, testMonday, map[string]string{"c00": "D", "c01": "N"})
	s.setWeek(a, testMonday.AddDays(7), map[string]string{"use": "1"})
	ids := pendingIDs(t, a)
	fired := s.expireOn(a, pushPath, 1)
	cursor, _ := a.local.SyncState(ctx, data.SyncCursorKey)
	rep, err := a.c.Sync(ctx)
	a.proxy.setBeforeAnswer(nil)
	if !fired.Load() {
		t.Fatal("the session did not expire during the sync")
	}
	wantSessionOver(t, a, err)
	if rep.Pushed != len(ids) || a.c.State().Pending != 0 {
		t.Errorf("report %+v, status %+v: the push went through before the session ended", rep, a.c.State())
	}
	if after, _ := a.local.SyncState(ctx, data.SyncCursorKey); after != cursor {
		t.Errorf("cursor moved from %q to %q without a pull", cursor, after)
	}
	if got := s.serverFields(wire.EntityWeek, data.WeekKey(s.pro.ID, testMonday)); got["c00"] != "D" || got["c01"] != "N" {
		t.Errorf("the service does not hold the pushed week: %v", got)
	}
	if got := cellOf(t, (&localCopy{a.local}).availability(t, s.pro.ID), "c00"); got != "D" {
		t.Errorf("the copy shows c00 %s", got)
	}
	must(t, a.login(), "login again")
	rep = s.mustSync(a)
	if rep.Pushed != 0 || rep.Pulled == 0 {
		t.Errorf("sync after the login: %+v", rep)
	}
	s.appliedOnce(ids)
	s.settled(a)
}

func testSessionExpiresBetweenPushBatches(t *testing.T) {
	s := faultWorld(t)
	ctx := context.Background()
	a := s.computer("A", "", Config{PushBatch: 1}, false)
	s.mustSync(a)
	s.setWeek(a, testMonday, map[string]string{"c00": "D"})
	s.setWeek(a, testMonday.AddDays(7), map[string]string{"c00": "N"})
	s.setWeek(a, testMonday.AddDays(14), map[string]string{"c00": "D"})
	ids := pendingIDs(t, a)
	s.expireOn(a, pushPath, 1)
	rep, err := a.c.Sync(ctx)
	a.proxy.setBeforeAnswer(nil)
	wantSessionOver(t, a, err)
	if rep.Pushed != 1 || rep.Pending != 2 {
		t.Errorf("report %+v: one batch of one edit should have gone, two wait", rep)
	}
	must(t, a.login(), "login again")
	if rep := s.mustSync(a); rep.Pushed != 2 || rep.Pending != 0 {
		t.Errorf("sync after the login: %+v", rep)
	}
	s.appliedOnce(ids)
	s.settled(a)
}

func testSessionExpiresBetweenPullPages(t *testing.T) {
	s := faultWorld(t)
	ctx := context.Background()
	a := s.computer("A", "", Config{PullLimit: 1}, false)
	b := s.computer("B", s.cl.insts[0].url(), Config{}, false)
	s.mustSync(a)
	s.mustSync(b)
	for i := range 4 {
		s.setWeek(b, testMonday.AddDays(7*i), map[string]string{"c0" + strconv.Itoa(i): "D"})
	}
	s.mustSync(b)
	cursor, _ := a.local.SyncState(ctx, data.SyncCursorKey)
	s.expireOn(a, pullPath, 1)
	rep, err := a.c.Sync(ctx)
	a.proxy.setBeforeAnswer(nil)
	wantSessionOver(t, a, err)
	after, _ := a.local.SyncState(ctx, data.SyncCursorKey)
	if rep.Pulled != 1 || after == cursor {
		t.Errorf("report %+v, cursor %q → %q: the page received before the session ended is kept", rep, cursor, after)
	}
	must(t, a.login(), "login again")
	s.mustSync(a)
	s.settled(a, b)
}

// restartableRelay puts a TCP relay on the instance's port, which stays
// the same across restarts: the desktop keeps its address.
func (s *sim) restartableRelay() *relay {
	return startRelay(s.t, strings.TrimPrefix(s.cl.insts[0].url(), "https://"))
}

// wantUnreachable: the sync stopped because the service was gone, with
// its message and status.
func wantUnreachable(t *testing.T, a *actor, err error) {
	t.Helper()
	wantMessage(t, a, err, data.EUNAVAILABLE, "n'est pas joignable", "enregistrées sur cet ordinateur")
	if !isUnreachable(err) {
		t.Errorf("%s: %v is not the « not reachable » error", a.name, err)
	}
	if st := a.c.State(); st.Online || !strings.HasPrefix(st.LastError, MsgUnreachable) {
		t.Errorf("%s: status %+v", a.name, st)
	}
}

func testRestartDuringPush(t *testing.T) {
	s := faultWorld(t)
	ctx := context.Background()
	in := s.cl.insts[0]
	rl := s.restartableRelay()
	a := s.computer("A", rl.url(), Config{}, false)
	s.mustSync(a)
	s.setWeek(a, testMonday, map[string]string{"c00": "D", "use": "1"})
	s.setWeek(a, testMonday.AddDays(7), map[string]string{"c01": "N"})
	s.setWeek(a, testSept.Monday(), map[string]string{"c02": "D"})
	ids := pendingIDs(t, a)
	// The service goes down as it records the first mutation: the
	// connection drops before any answer; the handler still commits.
	stopped := make(chan struct{})
	var once sync.Once
	s.cl.obs.setOnResult(func(string) {
		once.Do(func() {
			rl.setDown(true)
			go func() { in.stop(); close(stopped) }()
		})
	})
	rep, err := a.c.Sync(ctx)
	s.cl.obs.setOnResult(nil)
	wantUnreachable(t, a, err)
	if rep.Pushed != 0 || a.c.State().Pending != len(ids) {
		t.Errorf("report %+v, status %+v: no answer came, so every edit must wait", rep, a.c.State())
	}
	if got := cellOf(t, (&localCopy{a.local}).availability(t, s.pro.ID), "c00"); got != "D" {
		t.Errorf("the copy shows c00 %s", got)
	}
	<-stopped
	if _, err := a.c.Sync(ctx); !isUnreachable(err) {
		t.Errorf("Sync while the service is down: %v", err)
	}
	in.start()
	rl.setDown(false)
	rep = s.mustSync(a)
	if rep.Pushed != len(ids) || rep.Pending != 0 {
		t.Errorf("sync after the restart: %+v", rep)
	}
	s.appliedOnce(ids)
	s.settled(a)
}

func testRestartBetweenPullPages(t *testing.T) {
	s := faultWorld(t)
	ctx := context.Background()
	in := s.cl.insts[0]
	rl := s.restartableRelay()
	a := s.computer("A", rl.url(), Config{PullLimit: 2}, false)
	b := s.computer("B", "", Config{}, false) // through a proxy: it stays up
	s.mustSync(a)
	s.mustSync(b)
	for i := range 5 {
		s.setWeek(b, testMonday.AddDays(7*i), map[string]string{"c1" + strconv.Itoa(i): "N"})
	}
	s.mustSync(b)
	cursor, _ := a.local.SyncState(ctx, data.SyncCursorKey)
	stopped := make(chan struct{})
	var reads atomic.Int32
	s.cl.obs.mu.Lock()
	s.cl.obs.onChanges = func() {
		if reads.Add(1) == 2 { // the second page is asked for
			rl.setDown(true)
			go func() { in.stop(); close(stopped) }()
		}
	}
	s.cl.obs.mu.Unlock()
	rep, err := a.c.Sync(ctx)
	s.cl.obs.mu.Lock()
	s.cl.obs.onChanges = nil
	s.cl.obs.mu.Unlock()
	wantUnreachable(t, a, err)
	after, _ := a.local.SyncState(ctx, data.SyncCursorKey)
	if rep.Pulled == 0 || after == cursor {
		t.Errorf("report %+v, cursor %q → %q: the first page is kept", rep, cursor, after)
	}
	<-stopped
	in.start()
	rl.setDown(false)
	s.mustSync(a)
	if next, _ := a.local.SyncState(ctx, data.SyncCursorKey); next == after {
		t.Error("the cursor did not move on after the restart")
	}
	s.settled(a, b)
}

// bigAvailability is a save of many fully filled weeks: more than the
// pages a local file has free.
func bigAvailability(id string, global data.Colour, state data.SlotState) *data.Availability {
	a := &data.Availability{ProfessionalID: id, Global: global}
	for i := range 24 {
		w := data.Week{Monday: testMonday.AddDays(7 * (i + 3)), Use: true, Places: data.PlacesOf(i)}
		w.Grid.Fill(state)
		a.Weeks = append(a.Weeks, w)
	}
	return a
}

func testDiskFull(t *testing.T) {
	s := faultWorld(t)
	ctx := context.Background()
	url := s.cl.insts[0].url()
	a := s.computer("A", url, Config{}, false)
	b := s.computer("B", url, Config{}, false)
	s.mustSync(a)
	s.mustSync(b)
	s.setWeek(a, testMonday, map[string]string{"c00": "D"}) // saved before the disk fills
	ids := pendingIDs(t, a)
	db := localDB(t, a.local)
	db.SetMaxOpenConns(1) // the pragmas hold for one connection
	var pages int
	must(t, db.QueryRow(`PRAGMA page_count`).Scan(&pages), "page_count")
	pragma(t, db, "max_page_count = "+strconv.Itoa(pages))

	// An edit that needs room fails, says so, and leaves the copy as it was.
	before, err := a.local.FindAvailability(ctx, s.pro.ID)
	must(t, err, "FindAvailability")
	err = a.c.SaveAvailability(ctx, bigAvailability(s.pro.ID, data.ColourGreen, data.Available))
	wantMessage(t, a, err, data.EUNAVAILABLE, "disque plein", "rien de ce qui était déjà enregistré n'est perdu")
	after, err := a.local.FindAvailability(ctx, s.pro.ID)
	must(t, err, "FindAvailability")
	if d := diffRecords(availabilityRecords(before), availabilityRecords(after)); d != "" {
		t.Errorf("the failed edit changed the copy: %s", d)
	}
	if got := pendingIDs(t, a); len(got) != 1 || got[0] != ids[0] {
		t.Errorf("outbox after the failed edit: %v, want %v", got, ids)
	}

	// A sync whose pull needs room fails the same way; what it pushed is
	// acknowledged, and its cursor stays where it was.
	must(t, b.c.SaveAvailability(ctx, bigAvailability(s.pro.ID, data.ColourRed, data.Unavailable)), "B's big edit")
	must(t, b.collect(), "collect")
	s.mustSync(b)
	cursor, _ := a.local.SyncState(ctx, data.SyncCursorKey)
	_, err = a.c.Sync(ctx)
	wantMessage(t, a, err, data.EUNAVAILABLE, "disque plein", "rien de ce qui était déjà enregistré n'est perdu")
	if st := a.c.State(); st.LastError != data.ErrorMessage(err) {
		t.Errorf("status %+v", st)
	}
	if now, _ := a.local.SyncState(ctx, data.SyncCursorKey); now != cursor {
		t.Errorf("cursor moved from %q to %q though the page was not applied", cursor, now)
	}
	if got := s.serverFields(wire.EntityWeek, data.WeekKey(s.pro.ID, testMonday))["c00"]; got != "D" {
		t.Errorf("the edit saved before the disk filled did not reach the service: c00 %s", got)
	}

	// Room is back: the edit can be made again and the syncs complete.
	pragma(t, db, "max_page_count = 1073741823")
	must(t, a.c.SaveAvailability(ctx, bigAvailability(s.pro.ID, data.ColourGreen, data.Available)), "the edit again")
	must(t, a.collect(), "collect")
	s.mustSync(a)
	s.appliedOnce(append(ids, pendingIDs(t, b)...))
	s.settled(a, b)
}

func testReadOnlyFile(t *testing.T) {
	s := faultWorld(t)
	ctx := context.Background()
	a := s.computer("A", s.cl.insts[0].url(), Config{}, false)
	s.mustSync(a)
	s.setWeek(a, testMonday, map[string]string{"c00": "D"}) // saved before the file turned read-only
	ids := pendingIDs(t, a)
	db := localDB(t, a.local)
	db.SetMaxOpenConns(1)
	pragma(t, db, "query_only = ON")

	av, err := a.local.FindAvailability(ctx, s.pro.ID)
	must(t, err, "FindAvailability")
	av.Global = data.ColourGreen
	err = a.c.SaveAvailability(ctx, av)
	wantMessage(t, a, err, data.EUNAVAILABLE, "lecture seule", "rien de ce qui était déjà enregistré n'est perdu")

	// The push reaches the service, but the copy cannot record the answer:
	// the edit stays in the outbox.
	_, err = a.c.Sync(ctx)
	wantMessage(t, a, err, data.EUNAVAILABLE, "lecture seule")
	if got := pendingIDs(t, a); len(got) != 1 {
		t.Errorf("outbox after the read-only sync: %v", got)
	}
	if got := s.serverFields(wire.EntityWeek, data.WeekKey(s.pro.ID, testMonday))["c00"]; got != "D" {
		t.Errorf("the service did not get the edit: c00 %s", got)
	}

	// Writable again: the edit goes once more, is answered from the record
	// (not applied twice), and the copy settles.
	pragma(t, db, "query_only = OFF")
	if rep := s.mustSync(a); rep.Pushed != 1 || rep.Pending != 0 {
		t.Errorf("sync once writable: %+v", rep)
	}
	s.appliedOnce(ids)
	s.settled(a)
}

func diffRecords(want, got map[[2]string]map[string]string) string {
	var out []string
	for k, f := range want {
		if d := diffFields(f, got[k]); d != "" {
			out = append(out, k[0]+" "+k[1]+": "+d)
		}
	}
	for k := range got {
		if _, ok := want[k]; !ok {
			out = append(out, k[0]+" "+k[1]+": new")
		}
	}
	return strings.Join(out, "; ")
}
