package main

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"runtime"
	"strings"
	"sync/atomic"
	"time"

	"espacepro/data"
	"espacepro/sync/wire"

	"github.com/google/uuid"
)

// searchesPerAddress is how many searches one client makes from one
// loopback address before it opens a new connection from another: the
// service's politeness limit allows PublicBurst (60) calls at once per
// address, and parents come from many addresses.
const searchesPerAddress = 50

// searchPhase: (a) the trivial handler, then the parents' search by
// commune, communes drawn with the weight of their childminders.
func (b *bench) searchPhase(ctx context.Context) error {
	b.progress("ceiling (a): trivial handler over the same HTTPS…")
	trivialURL, stop, err := b.bareServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		w.Write([]byte("{\"status\":\"ok\"}\n"))
	}))
	if err != nil {
		return err
	}
	trivial, err := runLoad(ctx, b.cfg.clients, b.cfg.duration, func(ctx context.Context, i int) (op, error) {
		c := newClient(b.fp, false)
		return func(ctx context.Context) error {
			return call(ctx, c, "GET", trivialURL+"/", "", nil, http.StatusOK, nil)
		}, nil
	})
	stop()
	if err != nil {
		return err
	}
	b.progress("  %s", trivial)

	b.progress("search: GET /api/v1/public/search?commune=…")
	var bytesRead, listings, found [2]int64
	search, err := runLoad(ctx, b.cfg.clients, b.cfg.duration, func(ctx context.Context, i int) (op, error) {
		c := newClient(b.fp, true)
		r := rand.New(rand.NewPCG(uint64(i), 7))
		n := 0
		return func(ctx context.Context) error {
			insee := b.plan.communes[r.IntN(len(b.plan.communes))]
			if n++; n%searchesPerAddress == 0 {
				c.CloseIdleConnections()
			}
			var res struct {
				Total    int               `json:"total"`
				Listings []json.RawMessage `json:"listings"`
			}
			if i == 0 { // one client decodes its answers, to tell their size
				var raw json.RawMessage
				if err := call(ctx, c, "GET", b.url+"/api/v1/public/search?commune="+insee, "", nil, http.StatusOK, &raw); err != nil {
					return err
				}
				json.Unmarshal(raw, &res)
				bytesRead[0] += int64(len(raw))
				bytesRead[1]++
				listings[0] += int64(len(res.Listings))
				found[0] += int64(res.Total)
				return nil
			}
			return call(ctx, c, "GET", b.url+"/api/v1/public/search?commune="+insee, "", nil, http.StatusOK, nil)
		}, nil
	})
	if err != nil {
		return err
	}
	b.progress("  %s", search)
	avg := ""
	if bytesRead[1] > 0 {
		n := float64(bytesRead[1])
		avg = fmt.Sprintf("; an answer: %.0f professionals found on average, the first page of %.0f sent, %.0f kB of JSON",
			float64(found[0])/n, float64(listings[0])/n, float64(bytesRead[0])/n/1e3)
	}
	b.rows = append(b.rows, row{
		phase:   "Parents' search by commune (`GET /api/v1/public/search?commune=`)",
		figure:  search.String() + avg,
		ceiling: "(a) trivial handler, same HTTPS server config: " + trivial.String(),
		ratio:   ratio(search.rate() / trivial.rate()),
	})
	return nil
}

// login opens a session and returns its token.
func (b *bench) login(ctx context.Context, c *http.Client, email string) (string, error) {
	body, _ := json.Marshal(wire.LoginRequest{Email: email, Password: benchPassword})
	var res wire.LoginResponse
	if err := call(ctx, c, "POST", b.url+"/api/v1/session", "", body, http.StatusCreated, &res); err != nil {
		return "", err
	}
	return res.Token, nil
}

// pull reads a whole scope from the empty cursor.
func (b *bench) pullAll(ctx context.Context, c *http.Client, token string, each func(wire.Record)) error {
	cursor := ""
	for {
		var page wire.PullResponse
		q := url.Values{"protocol": {"1"}, "since": {cursor}, "limit": {fmt.Sprint(b.cfg.pullLimit)}}
		if err := call(ctx, c, "GET", b.url+"/api/v1/sync/pull?"+q.Encode(), token, nil, http.StatusOK, &page); err != nil {
			return err
		}
		for _, r := range page.Records {
			each(r)
		}
		cursor = page.Cursor
		if !page.HasMore {
			return nil
		}
	}
}

// pushPhase: (b) the bare « save one week » handler, then sync pushes:
// each client is one childminder who logged in and pulled her copy once,
// then saves her current week again and again, a few cells changed each
// time, as one mutation with the versions she pulled.
func (b *bench) pushPhase(ctx context.Context) error {
	b.progress("ceiling (b): bare « save one week » handler…")
	bare, err := b.bareSaveWeek(ctx)
	if err != nil {
		return err
	}
	b.progress("  %s", bare)

	b.progress("sync push: POST /api/v1/sync/push, one week's edits…")
	var conflicts atomic.Int64
	push, err := runLoad(ctx, b.cfg.clients, b.cfg.duration, func(ctx context.Context, i int) (op, error) {
		acc := b.pushers[i%len(b.pushers)]
		c := newClient(b.fp, false)
		token, err := b.login(ctx, c, acc.Email)
		if err != nil {
			return nil, err
		}
		monday := data.Today(time.Now(), acc.Department).Monday()
		key := data.WeekKey(acc.ProfessionalID, monday)
		var week *wire.Record
		err = b.pullAll(ctx, c, token, func(r wire.Record) {
			if r.Entity == wire.EntityWeek && r.Key == key {
				week = &r
			}
		})
		if err != nil {
			return nil, err
		}
		if week == nil {
			return nil, fmt.Errorf("%s: no week %s in her pull", acc.Email, key)
		}
		clientID := uuid.NewString()
		clock := data.HLC{Node: clientID}
		r := rand.New(rand.NewPCG(uint64(i), 11))
		seq := int64(0)
		return func(ctx context.Context) error {
			fields := map[string]wire.FieldEdit{}
			for len(fields) < 3 {
				f := data.CellField(r.IntN(data.DaysPerWeek), r.IntN(data.SlotsPerDay))
				if _, ok := fields[f]; ok {
					continue
				}
				next := string(rune(data.SlotState(week.Fields[f][0]).Next()))
				fields[f] = wire.FieldEdit{Value: next, Base: week.Versions[f]}
			}
			id, err := uuid.NewV7()
			if err != nil {
				return err
			}
			seq++
			clock = clock.Tick(time.Now())
			body, _ := json.Marshal(wire.PushRequest{Protocol: wire.ProtocolVersion, ClientID: clientID, Mutations: []wire.Mutation{{
				ID: id.String(), ClientID: clientID, Seq: seq, Entity: wire.EntityWeek, Key: key, Fields: fields, HLC: clock.String()}}})
			var res wire.PushResponse
			if err := call(ctx, c, "POST", b.url+"/api/v1/sync/push", token, body, http.StatusOK, &res); err != nil {
				return err
			}
			if len(res.Results) != 1 || res.Results[0].Status != wire.StatusApplied {
				return fmt.Errorf("push answered %+v", res.Results)
			}
			if len(res.Results[0].Conflicts) > 0 {
				conflicts.Add(1)
			}
			for f, e := range fields {
				week.Fields[f] = e.Value
			}
			return nil
		}, nil
	})
	if err != nil {
		return err
	}
	b.progress("  %s", push)
	n := conflicts.Load()
	fig := push.String() + "; one mutation of 3 cells each, every client another childminder of another Caf"
	if n > 0 {
		fig += fmt.Sprintf("; %d pushes logged a conflict", n)
	}
	b.rows = append(b.rows, row{
		phase:   "Sync push of one week's edits (`POST /api/v1/sync/push`)",
		figure:  fig,
		ceiling: fmt.Sprintf("(b) bare « save one week » handler (decode, `Week.Validate`, one %s upsert): %s", b.bareDB(), bare),
		ratio:   ratio(push.rate() / bare.rate()),
	})
	return nil
}

// pullResult is what the child process that pulls reports.
type pullResult struct {
	Seconds   float64 `json:"seconds"`
	Pages     int     `json:"pages"`
	Records   int     `json:"records"`
	GzipBytes int64   `json:"gzip_bytes"`
	JSONBytes int64   `json:"json_bytes"`
	PeakHeap  uint64  `json:"peak_heap"`
	Error     string  `json:"error,omitempty"`
}

// pullPhase: the first pull of Caf PullCaf by its agent, in a child
// process (so that its peak heap is the client's alone), then (c) the raw
// scan of the same rows.
func (b *bench) pullPhase(ctx context.Context) error {
	b.progress("first pull of Caf %s (%d childminders), %d records a page…", PullCaf, b.plan.byCaf[PullCaf], b.cfg.pullLimit)
	c := newClient(b.fp, false)
	token, err := b.login(ctx, c, b.agent.Email)
	if err != nil {
		return err
	}
	c.CloseIdleConnections()
	var res pullResult
	err = b.child(ctx, []string{childPullCommand, "--url", b.url, "--fp", b.fp, "--limit", fmt.Sprint(b.cfg.pullLimit)},
		[]string{"ESPACEPRO_BENCH_TOKEN=" + token}, &res)
	if err != nil {
		return fmt.Errorf("pull: %w", err)
	}
	took := time.Duration(res.Seconds * float64(time.Second))
	b.progress("  %s, %d pages, %d records, %s gzip (%s JSON), client peak heap %s",
		ms(took), res.Pages, res.Records, mb(float64(res.GzipBytes)), mb(float64(res.JSONBytes)), mb(float64(res.PeakHeap)))

	b.progress("ceiling (c): raw scan of the Caf's rows + JSON + gzip…")
	scan, err := b.rawScan(ctx, PullCaf)
	if err != nil {
		return err
	}
	b.progress("  %s, %d records, %s gzip", ms(scan.took), scan.records, mb(float64(scan.gzipBytes)))
	b.rows = append(b.rows, row{
		phase: fmt.Sprintf("First pull of a Caf of %s childminders (agent of Caf %s, `GET /api/v1/sync/pull`, %d records a page)", num(float64(b.plan.byCaf[PullCaf])), PullCaf, b.cfg.pullLimit),
		figure: fmt.Sprintf("**%s**, %d pages, %s records (%s records/s), %s on the wire (gzip; %s of JSON), client peak heap %s (a page decoded at a time)",
			ms(took), res.Pages, num(float64(res.Records)), num(float64(res.Records)/took.Seconds()), mb(float64(res.GzipBytes)),
			mb(float64(res.JSONBytes)), mb(float64(res.PeakHeap))),
		ceiling: fmt.Sprintf("(c) raw SQL scan of the same rows (fiches, availability, weeks, field versions: %s records) + JSON + gzip, in process: %s, %s",
			num(float64(scan.records)), ms(scan.took), mb(float64(scan.gzipBytes))),
		ratio: ratio(scan.took.Seconds() / took.Seconds()),
	})
	return nil
}

// loginPhase: (e) argon2id alone on every core, then logins of distinct
// accounts (no failure, so the throttles never step in).
func (b *bench) loginPhase(ctx context.Context) error {
	b.progress("ceiling (e): argon2id verifications on %d cores…", runtime.GOMAXPROCS(0))
	verifies, err := argon2Ceiling(b.hash, min(b.cfg.duration, 5*time.Second))
	if err != nil {
		return err
	}
	b.progress("  %s verifications/s", num(verifies))
	b.progress("login: POST /api/v1/session…")
	login, err := runLoad(ctx, b.cfg.clients, b.cfg.duration, func(ctx context.Context, i int) (op, error) {
		acc := b.pushers[i%len(b.pushers)]
		c := newClient(b.fp, false)
		return func(ctx context.Context) error {
			_, err := b.login(ctx, c, acc.Email)
			return err
		}, nil
	})
	if err != nil {
		return err
	}
	b.progress("  %s", login)
	b.rows = append(b.rows, row{
		phase:   "Login (`POST /api/v1/session`, argon2id m=19 MiB t=2, distinct accounts)",
		figure:  login.String(),
		ceiling: fmt.Sprintf("(e) `password.Verify` alone on %d goroutines: %s/s", runtime.GOMAXPROCS(0), num(verifies)),
		ratio:   ratio(login.rate() / verifies),
	})
	return nil
}

// importResult is what the child process that imports reports.
type importResult struct {
	PreviewSeconds float64        `json:"preview_seconds"`
	ApplySeconds   float64        `json:"apply_seconds"`
	Counts         map[string]int `json:"counts"`
	PeakRSS        uint64         `json:"peak_rss"`
	PeakHeap       uint64         `json:"peak_heap"`
	FileBytes      int            `json:"file_bytes"`
	Error          string         `json:"error,omitempty"`
}

// importPhase: a PMI list of importRows childminders for Caf importCaf,
// previewed then applied through the service (as `espacepro-server import`
// does), in a child process for its peak memory; then (d) a bare bulk
// insert of the same rows.
func (b *bench) importPhase(ctx context.Context) error {
	b.progress("PMI import of %d rows for Caf %s (which holds %d childminders)…", b.cfg.importRows, b.cfg.importCaf, b.plan.byCaf[b.cfg.importCaf])
	var res importResult
	err := b.child(ctx, []string{childImportCommand, "--db", b.cfg.db, "--caf", b.cfg.importCaf,
		"--rows", fmt.Sprint(b.cfg.importRows), "--dir", b.dir}, []string{"ESPACEPRO_BENCH_DSN=" + b.dsn}, &res)
	if err != nil {
		return fmt.Errorf("import: %w", err)
	}
	total := res.PreviewSeconds + res.ApplySeconds
	var counts []string
	for _, k := range []string{"new", "updated", "relisted", "unchanged", "delisted", "rejected"} {
		if res.Counts[k] > 0 {
			counts = append(counts, fmt.Sprintf("%s %s", num(float64(res.Counts[k])), k))
		}
	}
	b.progress("  preview %.1f s, apply %.1f s (%s), peak RSS %s", res.PreviewSeconds, res.ApplySeconds, strings.Join(counts, ", "), mb(float64(res.PeakRSS)))

	b.progress("ceiling (d): bare bulk insert of the same rows…")
	bulkTook, err := b.bulkInsert(ctx)
	if err != nil {
		return err
	}
	b.progress("  %s", ms(bulkTook))
	b.rows = append(b.rows, row{
		phase: fmt.Sprintf("PMI import of %s rows (%s of CSV) for Caf %s (`PreviewImport` then `ApplyImport`)", num(float64(b.cfg.importRows)), mb(float64(res.FileBytes)), b.cfg.importCaf),
		figure: fmt.Sprintf("**%.1f s** (preview %.1f s, apply %.1f s; %s), %s rows/s, peak RSS %s, peak heap %s (HeapAlloc, garbage included)",
			total, res.PreviewSeconds, res.ApplySeconds, strings.Join(counts, ", "), num(float64(b.cfg.importRows)/total),
			mb(float64(res.PeakRSS)), mb(float64(res.PeakHeap))),
		ceiling: fmt.Sprintf("(d) bare %s insert of the same %s rows, one transaction, one prepared statement: %s", b.bareDB(), num(float64(b.cfg.importRows)), ms(bulkTook)),
		ratio:   ratio(bulkTook.Seconds() / total),
	})
	return nil
}

// child runs this program again with args and reads its JSON answer.
func (b *bench) child(ctx context.Context, args, env []string, out any) error {
	exe, err := os.Executable()
	if err != nil {
		return err
	}
	cmd := exec.CommandContext(ctx, exe, args...)
	cmd.Env = append(os.Environ(), env...)
	cmd.Stderr = b.stderr
	stdout, err := cmd.Output()
	if err != nil {
		return fmt.Errorf("%s: %w", args[0], err)
	}
	if err := json.Unmarshal(stdout, out); err != nil {
		return fmt.Errorf("%s answered %q: %w", args[0], stdout, err)
	}
	var e struct {
		Error string `json:"error"`
	}
	json.Unmarshal(stdout, &e)
	if e.Error != "" {
		return fmt.Errorf("%s: %s", args[0], e.Error)
	}
	return nil
}

// sampleHeap samples this process's heap every 10 ms until stop is called;
// peak returns the highest HeapAlloc seen.
func sampleHeap() (stop func(), peak func() uint64) {
	done := make(chan struct{})
	result := make(chan uint64, 1)
	go func() {
		var m runtime.MemStats
		var top uint64
		t := time.NewTicker(10 * time.Millisecond)
		defer t.Stop()
		for {
			runtime.ReadMemStats(&m)
			top = max(top, m.HeapAlloc)
			select {
			case <-done:
				result <- top
				return
			case <-t.C:
			}
		}
	}()
	var v uint64
	got := false
	return func() { close(done) }, func() uint64 {
		if !got {
			v, got = <-result, true
		}
		return v
	}
}
