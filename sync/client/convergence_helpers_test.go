package client

import (
	"bytes"
	"compress/gzip"
	"context"
	"crypto/tls"
	"crypto/x509"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log"
	"log/slog"
	"math/rand/v2"
	"net"
	"net/http"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"espacepro/data"
	"espacepro/data/postgres"
	"espacepro/data/sqlite"
	"espacepro/data/sqlstore"
	"espacepro/server"
	"espacepro/server/mail"
	"espacepro/server/mail/mailtest"
	"espacepro/server/servertest"
	"espacepro/sync/wire"
)

// The machinery of the convergence and fault tests: instances of the real
// central service that share one certificate and can be stopped and
// restarted on the same port, a store wrapper that records what the
// service decided inside its own transactions, and a TLS proxy on loopback
// that forwards each request to an instance and injects network faults.

// cluster is one or more instances of the central service over one
// database (one store, or one store per instance on one PostgreSQL), with
// one certificate, one test clock and one SMTP server.
type cluster struct {
	t           *testing.T
	obs         *observations
	stores      []*observedStore
	clock       *servertest.Clock
	pauses      *servertest.Pauses
	mail        *mailtest.Server
	log         *servertest.LogBuffer
	logger      *slog.Logger
	certFile    string
	keyFile     string
	fingerprint string
	insts       []*instance
	// env drives the service through instance 0 with servertest's helpers
	// (seeding, agent accounts, habilitation requests).
	env *servertest.Env
}

// instance is one running service; stop and start keep its address.
type instance struct {
	cl      *cluster
	store   data.CentralStore
	dataDir string
	mu      sync.Mutex
	addr    string
	srv     *server.Server
	cancel  context.CancelFunc
	done    chan error
}

// newCluster starts one instance per store; all present the same
// certificate, so that a client pinned to it may reach any of them.
func newCluster(t *testing.T, stores ...data.CentralStore) *cluster {
	t.Helper()
	dir := t.TempDir()
	cl := &cluster{t: t, obs: newObservations(), clock: servertest.NewClock(servertest.Epoch),
		pauses: &servertest.Pauses{}, mail: mailtest.Start(t), log: &servertest.LogBuffer{},
		certFile: filepath.Join(dir, "cert.pem"), keyFile: filepath.Join(dir, "key.pem")}
	cl.logger = slog.New(slog.NewTextHandler(cl.log, &slog.HandlerOptions{Level: slog.LevelInfo}))
	must(t, server.GenerateCertificate(cl.certFile, cl.keyFile, time.Now()), "certificate")
	pair, err := tls.LoadX509KeyPair(cl.certFile, cl.keyFile)
	must(t, err, "load certificate")
	leaf, err := x509.ParseCertificate(pair.Certificate[0])
	must(t, err, "parse certificate")
	cl.fingerprint = server.Fingerprint(leaf)
	t.Cleanup(func() {
		for _, in := range cl.insts {
			in.stop()
		}
		if t.Failed() {
			l := cl.log.String()
			if len(l) > 20000 {
				l = "…" + l[len(l)-20000:]
			}
			t.Logf("service log (end):\n%s", l)
		}
	})
	for _, s := range stores {
		observed := &observedStore{CentralStore: s, obs: cl.obs}
		cl.stores = append(cl.stores, observed)
		in := &instance{cl: cl, store: observed, dataDir: t.TempDir(), addr: "127.0.0.1:0"}
		in.start()
		cl.insts = append(cl.insts, in)
	}
	in := cl.insts[0]
	cl.env = &servertest.Env{Server: in.srv, Service: in.srv.Service(), Store: cl.stores[0], URL: in.url(),
		Client: servertest.PinnedClient(cl.fingerprint), Mail: cl.mail, Clock: cl.clock, Pauses: cl.pauses, Log: cl.log}
	t.Cleanup(cl.env.Client.CloseIdleConnections)
	return cl
}

// store returns the (observed) store of instance 0, to read the service's
// state behind its back.
func (cl *cluster) store() data.CentralStore { return cl.stores[0] }

func (in *instance) url() string {
	in.mu.Lock()
	defer in.mu.Unlock()
	return "https://" + in.addr
}

// start runs the instance on its address (a new port the first time).
func (in *instance) start() {
	in.mu.Lock()
	defer in.mu.Unlock()
	if in.srv != nil {
		return
	}
	cl := in.cl
	sender, err := mail.NewSMTPSender(cl.mail.Config(), cl.logger)
	if err != nil {
		cl.t.Fatalf("mail sender: %v", err)
	}
	srv, err := server.New(server.Config{DataDir: in.dataDir, Addr: in.addr, TLSCertFile: cl.certFile,
		TLSKeyFile: cl.keyFile, Store: in.store, Mail: sender, Logger: cl.logger, ShutdownTimeout: 10 * time.Second})
	if err != nil {
		cl.t.Fatalf("server.New: %v", err)
	}
	srv.Service().Now = cl.clock.Now
	srv.Service().Pause = cl.pauses.Pause
	var ln net.Listener
	for try := 0; ; try++ { // the port of a stopped instance may take a moment to free
		if ln, err = srv.Listen(); err == nil || try == 50 {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	if err != nil {
		cl.t.Fatalf("listen on %s again: %v", in.addr, err)
	}
	in.addr = ln.Addr().String()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- srv.Run(ctx, ln) }()
	in.srv, in.cancel, in.done = srv, cancel, done
}

// stop shuts the instance down (requests in flight finish first).
func (in *instance) stop() {
	in.mu.Lock()
	defer in.mu.Unlock()
	if in.srv == nil {
		return
	}
	in.cancel()
	if err := <-in.done; err != nil {
		in.cl.t.Errorf("server.Run: %v", err)
	}
	in.srv = nil
}

// restart stops the instance and starts it again on the same port, with
// the same certificate and store.
func (in *instance) restart() {
	in.stop()
	in.start()
}

// Observations ---------------------------------------------------------------

// mutationInfo is a mutation a client queued, with who made it.
type mutationInfo struct {
	wire.Mutation
	actor string
}

// resultObs is what the service's store held right after the service
// recorded a mutation's answer, inside the mutation's own transaction: the
// stamps of the fields the mutation edits.
type resultObs struct {
	status string
	stamps map[string]data.FieldStamp
	seq    int // order among the answers recorded
}

// pageObs is one pull page the service answered.
type pageObs struct {
	proxy   string
	since   string
	cursor  string
	resync  bool
	records []data.Record
	hasMore bool
}

// observations is what the tests saw of the service: the mutations queued,
// the answers the service recorded (with the field stamps of that moment),
// the conflicts it appended and the pull pages it served.
type observations struct {
	mu        sync.Mutex
	muts      map[string]*mutationInfo
	order     []string // mutation IDs as first seen
	results   map[string][]resultObs
	dupSaves  map[string]int // answers refused as already recorded
	conflicts []data.Conflict
	pages     []pageObs
	seq       int
	// onResult, when set, is called after the service recorded a
	// mutation's answer (in its transaction, before the commit); onLookup
	// when the service looks up a mutation's answer; onChanges when it
	// reads the change log for a pull.
	//
	// onLookup runs after the look-up, so that a test can hold two
	// copies of one push until both have looked.
	onResult  func(id string)
	onLookup  func(id string)
	onChanges func()
}

func newObservations() *observations {
	return &observations{muts: map[string]*mutationInfo{}, results: map[string][]resultObs{}, dupSaves: map[string]int{}}
}

// register records mutations queued by actor (known ones are skipped).
func (o *observations) register(actor string, ms ...wire.Mutation) {
	o.mu.Lock()
	defer o.mu.Unlock()
	for _, m := range ms {
		if _, ok := o.muts[m.ID]; ok {
			continue
		}
		o.muts[m.ID] = &mutationInfo{Mutation: m, actor: actor}
		o.order = append(o.order, m.ID)
	}
}

func (o *observations) mutation(id string) *mutationInfo {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.muts[id]
}

func (o *observations) setOnResult(f func(id string)) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.onResult = f
}

// observedStore is the central store as the service sees it, recording
// what the service decides in its transactions. It changes nothing.
type observedStore struct {
	data.CentralStore
	obs *observations
}

func (o *observations) hooks() (onLookup func(string), onChanges func()) {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.onLookup, o.onChanges
}

// MutationResult lets a test hold the service right after it looked up
// whether a mutation was applied.
func (s *observedStore) MutationResult(ctx context.Context, id string) (string, error) {
	res, err := s.CentralStore.MutationResult(ctx, id)
	if hook, _ := s.obs.hooks(); hook != nil {
		hook(id)
	}
	return res, err
}

// Changes lets a test act when the service reads the change log.
func (s *observedStore) Changes(ctx context.Context, caf, professionalID string, since int64, limit int) ([]data.Change, error) {
	if _, hook := s.obs.hooks(); hook != nil {
		hook()
	}
	return s.CentralStore.Changes(ctx, caf, professionalID, since, limit)
}

// SaveMutationResult records the answer and, for field edits, the stamps of
// the mutation's fields as the mutation's transaction leaves them.
func (s *observedStore) SaveMutationResult(ctx context.Context, id, clientID, accountID, result string) error {
	err := s.CentralStore.SaveMutationResult(ctx, id, clientID, accountID, result)
	if data.ErrorCode(err) == data.ECONFLICT {
		s.obs.mu.Lock()
		s.obs.dupSaves[id]++
		s.obs.mu.Unlock()
	}
	if err != nil {
		return err
	}
	var r wire.PushResult
	_ = json.Unmarshal([]byte(result), &r)
	ob := resultObs{status: r.Status}
	if m := s.obs.mutation(id); m != nil && len(m.Fields) > 0 && r.Status == wire.StatusApplied {
		all, err := s.CentralStore.FieldStamps(ctx, m.Entity, m.Key)
		if err != nil {
			return err
		}
		ob.stamps = map[string]data.FieldStamp{}
		for f := range m.Fields {
			ob.stamps[f] = all[f]
		}
	}
	s.obs.mu.Lock()
	s.obs.seq++
	ob.seq = s.obs.seq
	s.obs.results[id] = append(s.obs.results[id], ob)
	hook := s.obs.onResult
	s.obs.mu.Unlock()
	if hook != nil {
		hook(id)
	}
	return nil
}

// AppendConflict records each conflict the service appends.
func (s *observedStore) AppendConflict(ctx context.Context, c *data.Conflict) error {
	if err := s.CentralStore.AppendConflict(ctx, c); err != nil {
		return err
	}
	s.obs.mu.Lock()
	s.obs.conflicts = append(s.obs.conflicts, *c)
	s.obs.mu.Unlock()
	return nil
}

// Fault proxy ------------------------------------------------------------------

// faultKind is a network fault the proxy injects into one request.
type faultKind int

const (
	faultNone          faultKind = iota
	faultRefuse                  // the request never reaches the service: the connection drops
	faultPushTwice               // the push is sent twice in a row; the client gets the second answer
	faultPushTwiceRace           // the push is sent twice at once
	faultPushLost                // the service applies the push, its answer is lost (connection drops)
	faultPullCut                 // a pull page's answer stops mid-body (connection drops)
	faultPullGarbled             // a pull page's answer is complete for HTTP but its JSON is cut
)

var faultNames = map[faultKind]string{faultRefuse: "refused", faultPushTwice: "push twice",
	faultPushTwiceRace: "push twice at once", faultPushLost: "push answer lost",
	faultPullCut: "pull cut mid-body", faultPullGarbled: "pull JSON cut"}

const (
	pushPath = "/api/v1/sync/push"
	pullPath = "/api/v1/sync/pull"
)

func (k faultKind) appliesTo(path string) bool {
	switch k {
	case faultRefuse:
		return path == pushPath || path == pullPath
	case faultPushTwice, faultPushTwiceRace, faultPushLost:
		return path == pushPath
	case faultPullCut, faultPullGarbled:
		return path == pullPath
	}
	return false
}

// faultProxy is an HTTPS server on loopback, with the service's own
// certificate, that forwards every request to an instance of the cluster
// and injects the faults planned for it.
type faultProxy struct {
	name string
	cl   *cluster
	ln   net.Listener
	srv  *http.Server
	hc   *http.Client

	mu       sync.Mutex
	rng      *rand.Rand
	plan     []faultKind
	injected map[faultKind]int
	// beforeAnswer, when set, is called once the service answered and
	// before the answer goes to the client.
	beforeAnswer func(path string, page *wire.PullResponse)
	// raced holds the two answers of the last push sent twice at once.
	raced [2]*answer
}

func (cl *cluster) startProxy(name string, seed uint64) *faultProxy {
	t := cl.t
	t.Helper()
	pair, err := tls.LoadX509KeyPair(cl.certFile, cl.keyFile)
	must(t, err, "proxy certificate")
	ln, err := tls.Listen("tcp", "127.0.0.1:0", &tls.Config{Certificates: []tls.Certificate{pair}, MinVersion: tls.VersionTLS12})
	must(t, err, "proxy listen")
	p := &faultProxy{name: name, cl: cl, ln: ln, rng: rand.New(rand.NewPCG(seed, 7)), injected: map[faultKind]int{},
		hc: &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{
			TLSClientConfig:     &tls.Config{InsecureSkipVerify: true}, // loopback, to our own instances
			DisableCompression:  true,                                  // answers pass as they are
			MaxIdleConnsPerHost: 16,
		}}}
	p.srv = &http.Server{Handler: p, ErrorLog: log.New(io.Discard, "", 0)}
	go p.srv.Serve(ln)
	t.Cleanup(func() {
		p.srv.Close()
		p.hc.CloseIdleConnections()
	})
	return p
}

func (p *faultProxy) url() string { return "https://" + p.ln.Addr().String() }

// planFaults queues faults for the next matching requests.
func (p *faultProxy) planFaults(kinds ...faultKind) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.plan = append(p.plan, kinds...)
}

// clearFaults drops the faults not injected yet.
func (p *faultProxy) clearFaults() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.plan = nil
}

func (p *faultProxy) setBeforeAnswer(f func(path string, page *wire.PullResponse)) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.beforeAnswer = f
}

// take returns the first planned fault that applies to path, removing it.
func (p *faultProxy) take(path string) faultKind {
	p.mu.Lock()
	defer p.mu.Unlock()
	for i, k := range p.plan {
		if k.appliesTo(path) {
			p.plan = append(p.plan[:i], p.plan[i+1:]...)
			p.injected[k]++
			return k
		}
	}
	return faultNone
}

// backend picks the instance of a request: one at random among those of
// the cluster.
func (p *faultProxy) backend() string {
	p.mu.Lock()
	i := p.rng.IntN(len(p.cl.insts))
	p.mu.Unlock()
	return p.cl.insts[i].url()
}

// answer is an instance's answer, read whole.
type answer struct {
	status int
	header http.Header
	body   []byte
}

func (p *faultProxy) forward(r *http.Request, body []byte) (*answer, error) {
	req, err := http.NewRequestWithContext(r.Context(), r.Method, p.backend()+r.URL.RequestURI(), bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	for k, vs := range r.Header {
		req.Header[k] = vs
	}
	resp, err := p.hc.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, err
	}
	return &answer{status: resp.StatusCode, header: resp.Header, body: b}, nil
}

// ServeHTTP forwards one request, with its planned fault.
func (p *faultProxy) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		panic(http.ErrAbortHandler)
	}
	path := r.URL.Path
	if path == pushPath {
		var req wire.PushRequest
		if json.Unmarshal(body, &req) == nil {
			p.cl.obs.register(p.name, req.Mutations...)
		}
	}
	kind := p.take(path)
	var ans *answer
	switch kind {
	case faultRefuse:
		panic(http.ErrAbortHandler)
	case faultPushTwice:
		if _, err := p.forward(r, body); err != nil {
			panic(http.ErrAbortHandler)
		}
		ans, err = p.forward(r, body)
	case faultPushTwiceRace:
		var wg sync.WaitGroup
		answers, errs := make([]*answer, 2), make([]error, 2)
		for i := range 2 {
			wg.Add(1)
			go func() { defer wg.Done(); answers[i], errs[i] = p.forward(r, body) }()
		}
		wg.Wait()
		ans, err = answers[1], errs[1]
		p.mu.Lock()
		p.raced = [2]*answer{answers[0], answers[1]}
		p.mu.Unlock()
	default:
		ans, err = p.forward(r, body)
	}
	if err != nil {
		panic(http.ErrAbortHandler) // the instance is down: as a refused connection
	}
	var page *wire.PullResponse
	if path == pullPath && ans.status == http.StatusOK {
		page = p.observePull(r, ans)
	}
	p.mu.Lock()
	before := p.beforeAnswer
	p.mu.Unlock()
	if before != nil {
		before(path, page)
	}
	switch kind {
	case faultPushLost:
		panic(http.ErrAbortHandler)
	case faultPullCut:
		copyHeader(w.Header(), ans.header)
		w.Header().Set("Content-Length", strconv.Itoa(len(ans.body)))
		w.WriteHeader(ans.status)
		w.Write(ans.body[:len(ans.body)/2])
		if f, ok := w.(http.Flusher); ok {
			f.Flush()
		}
		panic(http.ErrAbortHandler)
	case faultPullGarbled:
		plain := plainBody(ans)
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		w.WriteHeader(ans.status)
		w.Write(plain[:len(plain)*2/3])
		return
	}
	copyHeader(w.Header(), ans.header)
	w.Header().Set("Content-Length", strconv.Itoa(len(ans.body)))
	w.WriteHeader(ans.status)
	w.Write(ans.body)
}

func copyHeader(dst, src http.Header) {
	for k, vs := range src {
		if k == "Content-Length" || k == "Connection" || k == "Transfer-Encoding" {
			continue
		}
		dst[k] = vs
	}
}

// plainBody returns the answer's body without its gzip encoding.
func plainBody(a *answer) []byte {
	if a.header.Get("Content-Encoding") != "gzip" {
		return a.body
	}
	zr, err := gzip.NewReader(bytes.NewReader(a.body))
	if err != nil {
		return a.body
	}
	b, err := io.ReadAll(zr)
	if err != nil {
		return a.body
	}
	return b
}

// observePull records a pull page the service answered, and returns it.
func (p *faultProxy) observePull(r *http.Request, a *answer) *wire.PullResponse {
	var res wire.PullResponse
	if err := json.Unmarshal(plainBody(a), &res); err != nil {
		p.cl.t.Errorf("%s: the service's pull answer does not decode: %v", p.name, err)
		return nil
	}
	p.cl.obs.mu.Lock()
	defer p.cl.obs.mu.Unlock()
	p.cl.obs.pages = append(p.cl.obs.pages, pageObs{proxy: p.name, since: r.URL.Query().Get("since"),
		cursor: res.Cursor, resync: res.Resync, records: res.Records, hasMore: res.HasMore})
	return &res
}

// faultCount returns how many faults of each kind were injected.
func (p *faultProxy) faultCount() map[faultKind]int {
	p.mu.Lock()
	defer p.mu.Unlock()
	out := map[faultKind]int{}
	for k, n := range p.injected {
		out[k] = n
	}
	return out
}

// cursorSeq reads the sequence number at the end of a cursor
// ("caf:who:seq"); 0 for the empty cursor.
func cursorSeq(cursor string) (int64, error) {
	if cursor == "" {
		return 0, nil
	}
	i := strings.LastIndexByte(cursor, ':')
	if i < 0 {
		return 0, fmt.Errorf("cursor %q", cursor)
	}
	return strconv.ParseInt(cursor[i+1:], 10, 64)
}

// Local file ---------------------------------------------------------------------

// localDB returns the database handle of a local copy, to simulate a full
// disk or a read-only file with SQLite's own pragmas (as data/sqlite's
// tests do) while the client works on it. The copy does not export it (the
// product has no use for it), so the test reads the unexported field: if
// the field is renamed, this fails loudly rather than testing nothing.
func localDB(t *testing.T, l *sqlite.Local) *sql.DB {
	t.Helper()
	f := reflect.ValueOf(l).Elem().FieldByName("core")
	if !f.IsValid() || f.Type() != reflect.TypeOf((*sqlstore.Store)(nil)) {
		t.Fatal("sqlite.Local has no core *sqlstore.Store field any more: update localDB")
	}
	return (*sqlstore.Store)(f.UnsafePointer()).DB()
}

// pragma runs a pragma on the local copy's only connection.
func pragma(t *testing.T, db *sql.DB, p string) {
	t.Helper()
	if _, err := db.Exec("PRAGMA " + p); err != nil {
		t.Fatalf("PRAGMA %s: %v", p, err)
	}
}

// isUnreachable reports whether err is EUNAVAILABLE with the
// "unreachable" message.
func isUnreachable(err error) bool {
	var de *data.Error
	return errors.As(err, &de) && de.Code == data.EUNAVAILABLE && strings.HasPrefix(de.Message, MsgUnreachable)
}

// openPostgresStores opens n stores on one new, empty schema of the test
// database, as n instances of the service would.
func openPostgresStores(t *testing.T, url string, n int) []data.CentralStore {
	t.Helper()
	admin, err := sql.Open("pgx", url)
	must(t, err, "postgres")
	t.Cleanup(func() { admin.Close() })
	schema := fmt.Sprintf("conv_%d_%d", time.Now().UnixNano(), rand.IntN(1000))
	if _, err := admin.Exec(`CREATE SCHEMA ` + schema); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { admin.Exec(`DROP SCHEMA ` + schema + ` CASCADE`) })
	sep := "?"
	if strings.Contains(url, "?") {
		sep = "&"
	}
	var stores []data.CentralStore
	for range n {
		s, err := postgres.Open(context.Background(), url+sep+"search_path="+schema)
		must(t, err, "postgres.Open")
		t.Cleanup(func() { s.Close() })
		stores = append(stores, s)
	}
	return stores
}
