package client

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"testing"
	"time"

	"espacepro/data"
	"espacepro/data/sqlite"
	"espacepro/server/servertest"
	"espacepro/sync/wire"
)

// The convergence tests (DESIGN.md §6): several desktop copies edit offline
// for many rounds and sync now and then through a proxy that duplicates,
// drops and cuts requests; a copy is closed right after an edit and opened
// again; at the end every copy must equal the service, every acknowledged
// edit must be there or have been knowingly replaced, and every value lost
// to a concurrent edit must be in the conflict log.
//
// Each run logs its seed; replay one with
//
//	go test ./sync/client -run 'TestConvergence$' -convergence.seed=N
//
// (or ESPACEPRO_SEED=N; the same for TestConvergenceTwoInstancesPostgres,
// whose concurrent syncs make a replay close but not identical).

var convergenceSeed = flag.Uint64("convergence.seed", 0, "run the convergence tests with this seed only (also ESPACEPRO_SEED)")

const (
	convergenceRounds = 30
	leaEmail          = "lea.girard@example.fr"
	agentEmail        = "claire.moreau@caf92.example.fr"
	agentPassword     = "Glycine mauve au printemps"
)

// convergenceSeeds returns the seed asked for, or 1 and n random ones.
func convergenceSeeds(t *testing.T, n int) []uint64 {
	t.Helper()
	if *convergenceSeed != 0 {
		return []uint64{*convergenceSeed}
	}
	if v := os.Getenv("ESPACEPRO_SEED"); v != "" {
		s, err := strconv.ParseUint(v, 10, 64)
		must(t, err, "ESPACEPRO_SEED")
		return []uint64{s}
	}
	seeds := []uint64{1}
	for range n {
		seeds = append(seeds, 2+rand.Uint64N(1_000_000_000))
	}
	return seeds
}

func TestConvergence(t *testing.T) {
	for _, seed := range convergenceSeeds(t, 3) {
		t.Run(fmt.Sprintf("seed=%d", seed), func(t *testing.T) {
			t.Logf("replay: go test ./sync/client -run 'TestConvergence$' -convergence.seed=%d", seed)
			s := newSim(t, seed, false, servertest.OpenSQLite(t))
			s.run(convergenceRounds)
			s.settle()
			s.check()
			s.logStats()
		})
	}
}

// sim is one run: the service, four desktop copies and the model.
type sim struct {
	t          *testing.T
	seed       uint64
	rng        *rand.Rand
	cl         *cluster
	concurrent bool // the syncs of a round run at once

	pro, lea *data.Professional // the two childminders
	requests []string           // habilitation requests of the Caf
	initial  map[fieldRef]holder

	a, b, c, d *actor // her two computers, the other childminder's, the Caf agent's
	actors     []*actor

	mu    sync.Mutex
	stats map[string]int

	hookMu  sync.Mutex
	hookRng *rand.Rand // edits made while a sync runs
}

// actor is one desktop: a local file, the client on it, and its proxy.
type actor struct {
	name     string
	email    string
	password string
	proID    string // "" for the agent
	path     string
	clientID string
	cfg      Config
	skew     time.Duration // how far its clock is from the service's
	cl       *cluster
	local    *sqlite.Local
	c        *Client
	proxy    *faultProxy
}

func newSim(t *testing.T, seed uint64, concurrent bool, stores ...data.CentralStore) *sim {
	t.Helper()
	s := newWorld(t, seed, stores...)
	s.concurrent = concurrent
	s.a = s.newActor("A", amEmail, amPassword, s.pro.ID, 0, 0)
	s.b = s.newActor("B", amEmail, amPassword, s.pro.ID, 90*time.Second, 1)
	s.c = s.newActor("C", leaEmail, amPassword, s.lea.ID, -40*time.Second, 2)
	s.d = s.newActor("D", agentEmail, agentPassword, "", -3*time.Minute, 3)
	s.actors = []*actor{s.a, s.b, s.c, s.d}
	return s
}

// newWorld starts the service on the stores and seeds it, without
// desktops.
func newWorld(t *testing.T, seed uint64, stores ...data.CentralStore) *sim {
	t.Helper()
	s := &sim{t: t, seed: seed, rng: rand.New(rand.NewPCG(seed, 0x5eed)), cl: newCluster(t, stores...),
		stats: map[string]int{}, hookRng: rand.New(rand.NewPCG(seed, 0x400c))}
	s.seedWorld()
	return s
}

// seedWorld stores the two childminders with their accounts, the agent,
// and listed childminders who asked for a habilitation.
func (s *sim) seedWorld() {
	t, env := s.t, s.cl.env
	s.pro = testProfessional()
	s.pro.ID = ""
	env.SeedActive(t, s.pro, amEmail, amPassword)
	s.lea = testProfessional()
	s.lea.ID, s.lea.AgrementNumber, s.lea.LastName, s.lea.FirstName, s.lea.Phone = "", "92-2020-0001", "Girard", "Léa", "0622334455"
	env.SeedActive(t, s.lea, leaEmail, amPassword)
	env.CreateAgent(t, "921", agentEmail, "Claire", "Moreau", agentPassword)
	names := [][2]string{{"Bernard", "Inès"}, {"Petit", "Chloé"}, {"Durand", "Manon"}, {"Leroy", "Camille"}, {"Moreau", "Julie"}}
	for i, n := range names {
		p := testProfessional()
		p.ID, p.LastName, p.FirstName = "", n[0], n[1]
		p.AgrementNumber = fmt.Sprintf("92-2017-%04d", 10+i)
		p.Phone = fmt.Sprintf("06400000%02d", i)
		p.Listing, p.Habilitation = data.Listed, data.HabilitationNone
		env.SeedProfessional(t, p)
		email := fmt.Sprintf("demande%d@example.fr", i)
		a := p.Address
		sub := env.Submit(t, wire.RequestForm{Kind: string(p.Kind), Civility: string(p.Civility), LastName: p.LastName,
			FirstName: p.FirstName, AgrementNumber: p.AgrementNumber, StreetNumber: a.Number, StreetType: a.StreetType,
			StreetName: a.StreetName, PostalCode: a.PostalCode, Commune: a.CommuneName, Phone: "06 12 34 56 7" + strconv.Itoa(i),
			Email: email, EmailConfirm: email})
		s.requests = append(s.requests, sub.ID)
	}
	s.initial = map[fieldRef]holder{}
	for _, id := range []string{s.pro.ID, s.lea.ID} {
		for _, entity := range []string{wire.EntityProfessional, wire.EntityAvailability} {
			fields := s.serverFields(entity, id)
			stamps, err := s.cl.store().FieldStamps(context.Background(), entity, id)
			must(t, err, "FieldStamps")
			for f, v := range fields {
				st := stamps[f]
				s.initial[fieldRef{entity, id, f}] = holder{version: st.Version, value: v, node: st.Stamp.Node, stamp: st.Stamp}
			}
		}
	}
}

func (s *sim) newActor(name, email, password, proID string, skew time.Duration, idx int) *actor {
	proxy := s.cl.startProxy(name, s.seed+uint64(idx))
	cfg := Config{ServerURL: proxy.url(), PushBatch: 3, PullLimit: 4}
	if proID == "" {
		cfg.PullLimit = 5
	}
	a := startActor(s.t, s.cl, name, email, password, proID, cfg, fmt.Sprintf("%08x-0000-7000-8000-%012x", s.seed&0xffffffff, idx+1))
	a.proxy, a.skew = proxy, skew
	return a
}

// startActor opens a desktop copy with a client of cfg (the service's
// certificate pinned, one quick retry) and logs it in.
func startActor(t *testing.T, cl *cluster, name, email, password, proID string, cfg Config, clientID string) *actor {
	t.Helper()
	cfg.Fingerprint, cfg.Retries, cfg.RetryWait, cfg.Timeout = cl.fingerprint, 1, time.Millisecond, 30*time.Second
	a := &actor{name: name, email: email, password: password, proID: proID, cl: cl, cfg: cfg,
		path: filepath.Join(t.TempDir(), name+".db"), clientID: clientID}
	a.open(t)
	t.Cleanup(a.close)
	must(t, a.login(), name+" login")
	return a
}

func (a *actor) now() time.Time { return a.cl.clock.Now().Add(a.skew) }

// open opens the local file and a client on it (its ID is set on the first
// opening, so that a seed replays the same tie-breaks).
func (a *actor) open(t *testing.T) {
	t.Helper()
	ctx := context.Background()
	l, err := sqlite.OpenLocal(ctx, a.path)
	must(t, err, a.name+" OpenLocal")
	if id, err := l.SyncState(ctx, keyClientID); a.clientID != "" && (err != nil || id == "") {
		must(t, l.SetSyncState(ctx, keyClientID, a.clientID), "client ID")
	}
	c, err := New(a.cfg, l)
	must(t, err, a.name+" New")
	c.Now = a.now
	a.local, a.c = l, c
}

func (a *actor) close() {
	if a.c != nil {
		a.c.Close()
		a.local.Close()
		a.c, a.local = nil, nil
	}
}

func (a *actor) login() error {
	_, err := a.c.Login(context.Background(), a.email, a.password)
	return err
}

// kill closes the client and its file right after an edit (as the
// computer going off), then opens them again as the app would.
func (a *actor) kill(t *testing.T) {
	t.Helper()
	a.close()
	a.open(t)
	must(t, a.login(), a.name+" login after the restart")
}

// sync runs one Sync; after a session ended, it logs in and tries again.
func (a *actor) sync() (Report, error) {
	ctx := context.Background()
	rep, err := a.c.Sync(ctx)
	if data.ErrorCode(err) == data.EUNAUTHORIZED {
		if lerr := a.login(); lerr != nil {
			return rep, lerr
		}
		rep, err = a.c.Sync(ctx)
	}
	return rep, err
}

// collect registers the mutations of the outbox with the model.
func (a *actor) collect() error {
	entries, err := a.local.PendingOutbox(context.Background(), 0)
	if err != nil {
		return fmt.Errorf("%s: PendingOutbox: %w", a.name, err)
	}
	var ms []wire.Mutation
	for _, e := range entries {
		var m wire.Mutation
		if err := json.Unmarshal(e.Payload, &m); err != nil {
			return fmt.Errorf("%s: outbox payload: %w", a.name, err)
		}
		ms = append(ms, m)
	}
	a.cl.obs.register(a.name, ms...)
	return nil
}

func (s *sim) count(what string, n int) {
	s.mu.Lock()
	s.stats[what] += n
	s.mu.Unlock()
}

// Edits ----------------------------------------------------------------------

var (
	convMondays = []data.Date{testMonday, {Year: 2026, Month: 3, Day: 9}}
	convDates   = []data.Date{testSept, {Year: 2027, Month: 1, Day: 1}}
	// A few cells only, so that the two computers often edit the same one.
	convCells   = []string{"c00", "c01", "c02", "c10", "c11", "c35"}
	convColours = []data.Colour{data.ColourGrey, data.ColourRed, data.ColourGreen}
	convStates  = []string{"D", "N", "T"}
)

// edit makes one random edit as the actor's screens would.
func (s *sim) edit(rng *rand.Rand, a *actor) error {
	if a.proID == "" {
		return s.agentAction(rng, a)
	}
	var err error
	if rng.IntN(6) == 0 {
		var p *data.Professional
		if p, err = a.local.FindProfessionalByID(context.Background(), a.proID); err != nil {
			return fmt.Errorf("%s: fiche: %w", a.name, err)
		}
		p.Phone = fmt.Sprintf("06%08d", rng.IntN(100_000_000))
		if err = a.c.SaveFiche(context.Background(), p); err != nil {
			return fmt.Errorf("%s: SaveFiche: %w", a.name, err)
		}
		s.count("edits: fiche", 1)
	} else if err = s.editAvailability(rng, a); err != nil {
		return err
	}
	return a.collect()
}

// editAvailability reads the copy, changes one or two tabs and saves them,
// as « Valider » does.
func (s *sim) editAvailability(rng *rand.Rand, a *actor) error {
	av, err := a.local.FindAvailability(context.Background(), a.proID)
	if err != nil {
		return fmt.Errorf("%s: FindAvailability: %w", a.name, err)
	}
	out := &data.Availability{ProfessionalID: a.proID, Global: av.Global}
	for n := 1 + rng.IntN(2); n > 0; n-- {
		switch k := rng.IntN(6); {
		case k == 0:
			out.Global = convColours[rng.IntN(len(convColours))]
		case k <= 3:
			monday := convMondays[rng.IntN(len(convMondays))]
			w, ok := out.WeekOf(monday)
			if !ok {
				if w, ok = av.WeekOf(monday); !ok {
					w = data.Week{Monday: monday, Grid: data.NewWeekGrid()}
				}
			}
			for i := 1 + rng.IntN(3); i > 0; i-- {
				if err := w.SetField(s.randomField(rng, convCells[rng.IntN(len(convCells))])); err != nil {
					return err
				}
			}
			out.Weeks = putWeek(out.Weeks, w)
		default:
			day := convDates[rng.IntN(len(convDates))]
			x, ok := out.DatedOf(day)
			if !ok {
				if x, ok = av.DatedOf(day); !ok {
					x = data.Dated{Date: day, Days: data.NewWeekDays()}
				}
			}
			for i := 1 + rng.IntN(2); i > 0; i-- {
				if err := x.SetField(s.randomField(rng, data.DayField(rng.IntN(3)))); err != nil {
					return err
				}
			}
			out.Dated = putDated(out.Dated, x)
		}
	}
	if err := a.c.SaveAvailability(context.Background(), out); err != nil {
		return fmt.Errorf("%s: SaveAvailability: %w", a.name, err)
	}
	s.count("edits: availability", 1)
	return nil
}

// randomField returns a field of a tab and a new value: mostly the cell
// given, sometimes « use » or the number of places.
func (s *sim) randomField(rng *rand.Rand, cell string) (string, string) {
	switch k := rng.IntN(10); {
	case k < 7:
		return cell, convStates[rng.IntN(len(convStates))]
	case k == 7:
		return "use", strconv.Itoa(rng.IntN(2))
	case k == 8 && rng.IntN(3) == 0:
		return "places", ""
	default:
		return "places", strconv.Itoa(rng.IntN(1000))
	}
}

func putWeek(list []data.Week, w data.Week) []data.Week {
	for i := range list {
		if list[i].Monday == w.Monday {
			list[i] = w
			return list
		}
	}
	return append(list, w)
}

func putDated(list []data.Dated, x data.Dated) []data.Dated {
	for i := range list {
		if list[i].Date == x.Date {
			list[i] = x
			return list
		}
	}
	return append(list, x)
}

// agentAction prepares an action on a request, offline.
func (s *sim) agentAction(rng *rand.Rand, a *actor) error {
	id := s.requests[rng.IntN(len(s.requests))]
	var action string
	var args map[string]string
	switch k := rng.IntN(10); {
	case k < 4:
		action, args = wire.ActionLetterSent, map[string]string{"send_mail": "false"}
	case k < 7:
		action = wire.ActionAgreement
	case k < 9:
		action = wire.ActionValidate
	default:
		action, args = wire.ActionRefuse, map[string]string{"reason": "Le dossier est incomplet."}
	}
	if err := a.c.RequestAction(context.Background(), id, action, args); err != nil {
		return fmt.Errorf("%s: RequestAction: %w", a.name, err)
	}
	s.count("edits: request actions", 1)
	return a.collect()
}

// Rounds -------------------------------------------------------------------------

var roundFaults = []faultKind{faultRefuse, faultPushTwice, faultPushTwiceRace, faultPushLost, faultPullCut, faultPullGarbled}

// run plays rounds: each actor may edit (and be killed right after), some
// actors sync through faults, the others stay offline; the clock moves.
func (s *sim) run(rounds int) {
	for range rounds {
		s.round()
	}
}

func (s *sim) round() {
	t := s.t
	for _, a := range s.actors {
		if s.rng.Float64() >= 0.6 {
			continue
		}
		for n := 1 + s.rng.IntN(2); n > 0; n-- {
			must(t, s.edit(s.rng, a), "edit")
		}
		if s.rng.Float64() < 0.08 {
			a.kill(t)
			s.count("kills (closed after a local commit, before the push)", 1)
		}
	}
	var syncing []*actor
	planned := map[*actor]bool{}
	for _, a := range s.actors {
		if s.rng.Float64() >= 0.5 {
			continue
		}
		syncing = append(syncing, a)
		if a.proID != "" && s.rng.Float64() < 0.3 {
			s.editDuringPull(a)
		}
		if s.rng.Float64() < 0.4 {
			k := roundFaults[s.rng.IntN(len(roundFaults))]
			n := 1 + s.rng.IntN(2) // two: the client's own retry fails too
			for range n {
				a.proxy.planFaults(k)
			}
			planned[a] = true
		}
	}
	s.syncAll(syncing, planned)
	for _, a := range s.actors {
		a.proxy.clearFaults()
		a.proxy.setBeforeAnswer(nil)
		s.checkPendingShown(a)
	}
	s.cl.clock.Advance(time.Duration(1+s.rng.IntN(90)) * time.Second)
}

// editDuringPull makes the user edit while her sync runs: once the service
// has answered the first pull page that brings her records, before the
// client applies it, she changes a field of one of those records, so that
// the page meets an edit still waiting in the outbox.
func (s *sim) editDuringPull(a *actor) {
	var once sync.Once
	a.proxy.setBeforeAnswer(func(path string, page *wire.PullResponse) {
		if page == nil || len(page.Records) == 0 {
			return
		}
		once.Do(func() {
			s.hookMu.Lock()
			defer s.hookMu.Unlock()
			rec := page.Records[s.hookRng.IntN(len(page.Records))]
			if err := s.editRecord(s.hookRng, a, rec); err != nil {
				s.t.Errorf("edit during a sync: %v", err)
			}
			s.count("edits made during a pull", 1)
		})
	})
}

// editRecord changes one field of a record of hers, as her screens would.
func (s *sim) editRecord(rng *rand.Rand, a *actor, rec data.Record) error {
	ctx := context.Background()
	switch rec.Entity {
	case wire.EntityProfessional:
		p, err := a.local.FindProfessionalByID(ctx, a.proID)
		if err != nil {
			return err
		}
		p.Phone = fmt.Sprintf("07%08d", rng.IntN(100_000_000))
		if err := a.c.SaveFiche(ctx, p); err != nil {
			return err
		}
	case wire.EntityAvailability, wire.EntityWeek, wire.EntityDated:
		av, err := a.local.FindAvailability(ctx, a.proID)
		if err != nil {
			return err
		}
		out := &data.Availability{ProfessionalID: a.proID, Global: av.Global}
		_, day, _ := data.SplitDateKey(rec.Key)
		switch rec.Entity {
		case wire.EntityAvailability:
			out.Global = convColours[rng.IntN(len(convColours))]
		case wire.EntityWeek:
			w, ok := av.WeekOf(day)
			if !ok {
				w = data.Week{Monday: day, Grid: data.NewWeekGrid()}
			}
			if err := w.SetField(s.randomField(rng, convCells[rng.IntN(len(convCells))])); err != nil {
				return err
			}
			out.Weeks = []data.Week{w}
		default:
			x, ok := av.DatedOf(day)
			if !ok {
				x = data.Dated{Date: day, Days: data.NewWeekDays()}
			}
			if err := x.SetField(s.randomField(rng, data.DayField(rng.IntN(3)))); err != nil {
				return err
			}
			out.Dated = []data.Dated{x}
		}
		if err := a.c.SaveAvailability(ctx, out); err != nil {
			return err
		}
	default:
		return nil
	}
	return a.collect()
}

// syncAll syncs the actors, one after the other or all at once. A sync may
// fail only when a fault was planned for it, and then only as the network
// or a garbled answer explains.
func (s *sim) syncAll(actors []*actor, planned map[*actor]bool) {
	one := func(a *actor) {
		rep, err := a.sync()
		s.count("syncs", 1)
		switch {
		case err == nil:
			s.count("pushed", rep.Pushed)
			s.count("pulled records", rep.Pulled)
		case planned[a] && (data.ErrorCode(err) == data.EUNAVAILABLE || data.ErrorCode(err) == data.EINTERNAL):
			s.count("syncs failed by a fault", 1)
			if st := a.c.State(); st.LastError == "" || st.LastError != data.ErrorMessage(err) {
				s.t.Errorf("%s: status after a failed sync: %+v (error %v)", a.name, st, err)
			}
		default:
			s.t.Errorf("%s: Sync: %v (faults planned: %v)", a.name, err, planned[a])
		}
	}
	if !s.concurrent {
		for _, a := range actors {
			one(a)
		}
		return
	}
	var wg sync.WaitGroup
	for _, a := range actors {
		wg.Add(1)
		go func() { defer wg.Done(); one(a) }()
	}
	wg.Wait()
}

// settle stops the faults, then every actor syncs twice, then once more:
// that last pass must find nothing to do.
func (s *sim) settle() {
	t := s.t
	for _, a := range s.actors {
		a.proxy.clearFaults()
	}
	for pass := range 3 {
		for _, a := range s.actors {
			rep, err := a.sync()
			if err != nil {
				t.Fatalf("%s: Sync once the faults stopped (pass %d): %v", a.name, pass+1, err)
			}
			if pass == 2 && (rep.Pushed != 0 || rep.Pulled != 0 || len(rep.Rejected) != 0 || rep.Pending != 0) {
				t.Errorf("%s: the last sync still had work: %+v", a.name, rep)
			}
		}
	}
}

func (s *sim) logStats() {
	faults := map[string]int{}
	for _, a := range s.actors {
		for k, n := range a.proxy.faultCount() {
			faults[faultNames[k]] += n
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.cl.obs.mu.Lock()
	defer s.cl.obs.mu.Unlock()
	s.stats["mutations"] = len(s.cl.obs.order)
	s.stats["conflicts"] = len(s.cl.obs.conflicts)
	s.stats["pull pages served"] = len(s.cl.obs.pages)
	s.t.Logf("seed %d: %v; faults injected: %v", s.seed, s.stats, faults)
}

// TestConvergenceTwoInstancesPostgres runs the same world on two instances
// of the service over one PostgreSQL database: every request of every copy
// goes to one of them at random, the syncs of a round run at once, and a
// storm of concurrent pushes meets an agent pulling page after page.
func TestConvergenceTwoInstancesPostgres(t *testing.T) {
	url := servertest.PostgresURL(t)
	for _, seed := range convergenceSeeds(t, 1) {
		t.Run(fmt.Sprintf("seed=%d", seed), func(t *testing.T) {
			t.Logf("replay: go test ./sync/client -run 'TestConvergenceTwoInstancesPostgres$' -convergence.seed=%d", seed)
			s := newSim(t, seed, true, openPostgresStores(t, url, 2)...)
			s.run(convergenceRounds)
			s.storm(12)
			s.settle()
			s.check()
			s.logStats()
		})
	}
}

// storm: the three childminder copies edit and sync as fast as they can,
// all at once, while the agent syncs in a loop with its small pages; once
// they stop, the agent syncs once more and its copy must equal the service
// (and checkPages verifies that no page it got skipped a change).
func (s *sim) storm(n int) {
	t := s.t
	for _, a := range s.actors {
		a.proxy.clearFaults()
	}
	var wg sync.WaitGroup
	for i, a := range []*actor{s.a, s.b, s.c} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rng := rand.New(rand.NewPCG(s.seed, uint64(100+i)))
			for range n {
				if err := s.edit(rng, a); err != nil {
					t.Errorf("storm: %v", err)
					return
				}
				if _, err := a.sync(); err != nil {
					t.Errorf("storm: %s: Sync: %v", a.name, err)
				}
			}
		}()
	}
	stop, done := make(chan struct{}), make(chan struct{})
	pulls := 0
	go func() {
		defer close(done)
		for {
			select {
			case <-stop:
				return
			default:
			}
			if _, err := s.d.sync(); err != nil {
				t.Errorf("storm: D: Sync: %v", err)
				return
			}
			pulls++
		}
	}()
	wg.Wait()
	close(stop)
	<-done
	s.count("agent syncs during the storm", pulls)
	if _, err := s.d.sync(); err != nil {
		t.Fatalf("D: Sync after the storm: %v", err)
	}
	s.checkAgentCopy(s.d)
}
