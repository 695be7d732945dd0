package ui

import (
	"bufio"
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"espacepro/data"
	"espacepro/data/sqlite"
	"espacepro/server/servertest"
	"espacepro/sync/client"
)

// The desktop app with a Caf agent's local copy of 10,000 childminders:
// the first login and full pull into a fresh copy, the agent's home and
// register, and the memory it all takes. The central service is the real
// one (servertest) in the same process, over HTTPS on loopback; the app is
// the real window on the real sync client and SQLite local copy, driven by
// Fyne's test driver (no GPU rendering).
//
//	go test ./ui -run '^$' -bench AgentCopy10000 -benchtime 1x
//
// Figures (b.ReportMetric):
//
//	pull-ms         the first Sync of the first login: the whole copy pulled
//	first-login-ms  « Se connecter » tapped → the home shown with the copy
//	                pulled and the register's first page loaded
//	relogin-ms      « Se connecter » again on the filled copy (logout first)
//	page-ms         mean time of a register page (first, next, name search);
//	                first-page-ms, next-page-ms and search-ms apart
//	heap-MB/sys-MB  Go HeapInuse and Sys after runtime.GC(), the whole process
//	                (the in-process service included)
//	app-heap-MB     HeapInuse after GC minus the same before the first login
//	copy-MB         the local copy's files (database and WAL)
//	rss-MB          VmRSS at the end of the setup
//	rss-peak-MB     VmHWM, reset after the seed: the peak of the login, pull
//	                and register (service included, the seed excluded)
//
// ns/op is one register page (next page, back to the first every 20).

// benchAgentEmail and benchAgentPassword are the Caf agent's.
const (
	benchAgentEmail    = "agent.bench@caf92.exemple.fr"
	benchAgentPassword = "Registre-Hauts-de-Seine-2026"
	benchChildminders  = 10000
)

// Names and streets the generator draws from.
var (
	benchLastNames = []string{"Martin", "Bernard", "Thomas", "Petit", "Robert", "Richard", "Durand", "Dubois",
		"Moreau", "Laurent", "Simon", "Michel", "Lefebvre", "Leroy", "Roux", "David", "Bertrand", "Morel",
		"Fournier", "Girard", "Bonnet", "Dupont", "Lambert", "Fontaine", "Rousseau", "Vincent", "Muller",
		"Lefèvre", "Faure", "André", "Mercier", "Blanc", "Guérin", "Boyer", "Garnier", "Chevalier"}
	benchFirstNames = []string{"Marie", "Nathalie", "Isabelle", "Sylvie", "Catherine", "Sandrine", "Valérie",
		"Christine", "Stéphanie", "Céline", "Sophie", "Nadia", "Fatima", "Aurélie", "Hélène", "Émilie"}
	benchStreets = []string{"de la République", "Victor Hugo", "Jean Jaurès", "de la Gare", "Pasteur",
		"du Général de Gaulle", "des Écoles", "de l'Église", "Gambetta", "du Moulin"}
)

// benchLetters names i with letters only (names may not hold digits).
func benchLetters(i int) string {
	s := ""
	for {
		s = string(rune('a'+i%26)) + s
		if i /= 26; i == 0 {
			return s
		}
	}
}

// benchCommunes returns the communes that Caf caf serves.
func benchCommunes(b *testing.B, ref *data.Reference, caf string) []data.Commune {
	var out []data.Commune
	for _, c := range ref.Communes() {
		if len(c.PostalCodes) == 0 {
			continue
		}
		if k, err := ref.CafOfCommune(c); err == nil && k.Code == caf {
			out = append(out, c)
		}
	}
	if len(out) == 0 {
		b.Fatalf("no commune of Caf %s in the reference data", caf)
	}
	return out
}

// benchChildminder makes the i-th childminder of Caf 921: listed, active,
// in one of its communes (round robin), with a global colour and a current
// week of random cells. The same on every run.
func benchChildminder(i int, communes []data.Commune, monday data.Date) (*data.Professional, *data.Availability) {
	r := rand.New(rand.NewPCG(uint64(i), 0x6573706163))
	c := communes[i%len(communes)]
	p := &data.Professional{
		Kind:           data.KindChildminder,
		Department:     c.Department,
		CafCode:        "921",
		AgrementNumber: fmt.Sprintf("%s-%06d", c.Department, i+1),
		Civility:       data.CivilityMme,
		LastName:       benchLastNames[r.IntN(len(benchLastNames))] + "-" + strings.ToUpper(benchLetters(i % 676)[:1]) + benchLetters(i % 676)[1:],
		FirstName:      benchFirstNames[r.IntN(len(benchFirstNames))],
		Address: data.Address{Number: fmt.Sprint(1 + r.IntN(120)), StreetType: "rue",
			StreetName: benchStreets[r.IntN(len(benchStreets))], PostalCode: c.PostalCodes[0],
			CommuneINSEE: c.INSEE, CommuneName: c.Name},
		Phone:        fmt.Sprintf("06%08d", i),
		PlacesAgreed: 1 + r.IntN(4),
		AgrementDate: data.Date{Year: 2005 + r.IntN(20), Month: time.Month(1 + r.IntN(12)), Day: 1 + r.IntN(28)},
		Listing:      data.Listed,
		Habilitation: data.HabilitationActive,
	}
	if i%3 == 0 {
		p.Email = fmt.Sprintf("am%d@exemple.fr", i)
	}
	global := data.ColourGreen
	if r.IntN(10) < 3 {
		global = data.ColourRed
	}
	w := data.Week{Monday: monday, Use: true}
	for d := range w.Grid {
		for t := range w.Grid[d] {
			w.Grid[d][t] = data.SlotStates[r.IntN(len(data.SlotStates))]
		}
	}
	if r.IntN(2) == 0 {
		w.Places = data.PlacesOf(r.IntN(4))
	}
	return p, &data.Availability{Global: global, Weeks: []data.Week{w}}
}

// seedAgentCaf stores n childminders of Caf 921 with their availability
// through the store, in one transaction.
func seedAgentCaf(b *testing.B, env *servertest.Env, n int) {
	ref := data.DefaultReference()
	communes := benchCommunes(b, ref, "921")
	monday := data.Today(env.Clock.Now(), "92").Monday()
	err := env.Store.InTx(context.Background(), func(ctx context.Context) error {
		for i := range n {
			p, a := benchChildminder(i, communes, monday)
			if i < 10 { // the generator's output is valid (checking all would be slow)
				if err := p.Validate(ref); err != nil {
					return fmt.Errorf("childminder %d: %w", i, err)
				}
			}
			if err := env.Store.CreateProfessional(ctx, p); err != nil {
				return fmt.Errorf("childminder %d: %w", i, err)
			}
			a.ProfessionalID = p.ID
			if err := env.Store.SaveAvailability(ctx, a); err != nil {
				return fmt.Errorf("availability %d: %w", i, err)
			}
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
}

// timedClient is the real client, timing its syncs.
type timedClient struct {
	*client.Client
	syncs []timedSync
}

// timedSync is one Sync's duration and what it pulled.
type timedSync struct {
	took   time.Duration
	pulled int
	err    error
}

// Sync runs the client's Sync and records it.
func (c *timedClient) Sync(ctx context.Context) (client.Report, error) {
	start := time.Now()
	rep, err := c.Client.Sync(ctx)
	c.syncs = append(c.syncs, timedSync{took: time.Since(start), pulled: rep.Pulled, err: err})
	return rep, err
}

// procStatusMB returns a field of /proc/self/status (VmRSS, VmHWM) in MB,
// or -1 when it cannot be read.
func procStatusMB(field string) float64 {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return -1
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		name, rest, ok := strings.Cut(sc.Text(), ":")
		if !ok || name != field {
			continue
		}
		kb, err := strconv.ParseFloat(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 64)
		if err != nil {
			return -1
		}
		return kb / 1024
	}
	return -1
}

// heapAfterGC returns HeapInuse and Sys in MB after a collection.
func heapAfterGC() (heap, sys float64) {
	runtime.GC()
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return float64(m.HeapInuse) / 1e6, float64(m.Sys) / 1e6
}

// filesMB returns the total size of the files in MB (absent ones count 0).
func filesMB(paths ...string) float64 {
	var n int64
	for _, p := range paths {
		if fi, err := os.Stat(p); err == nil {
			n += fi.Size()
		}
	}
	return float64(n) / 1e6
}

// ms returns d in milliseconds.
func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// findObject returns the first object under o that match accepts.
func findObject[T fyne.CanvasObject](b *testing.B, o fyne.CanvasObject, what string, match func(T) bool) T {
	for _, obj := range test.LaidOutObjects(o) {
		if x, ok := obj.(T); ok && match(x) {
			return x
		}
	}
	b.Fatalf("no %s in the register", what)
	var zero T
	return zero
}

// registerControls are the register's widgets an agent uses to page.
type registerControls struct {
	search       *widget.Entry
	searchButton *widget.Button
	next         *widget.Button
	table        *widget.Table
	window       fyne.Window
}

// rows returns the number of rows of the page shown.
func (r *registerControls) rows() int { n, _ := r.table.Length(); return n }

// cell returns the text of a cell of the page shown.
func (r *registerControls) cell(row, col int) string {
	l := widget.NewLabel("")
	r.table.UpdateCell(widget.TableCellID{Row: row, Col: col}, l)
	return l.Text
}

// shows reports whether the window shows a text containing s.
func (r *registerControls) shows(s string) bool {
	for _, t := range texts(r.window) {
		if strings.Contains(t, s) {
			return true
		}
	}
	return false
}

// BenchmarkAgentCopy10000 measures the desktop app of a Caf agent whose
// Caf holds 10,000 childminders: see the figures above.
func BenchmarkAgentCopy10000(b *testing.B) {
	// The central service and its 10,000 childminders.
	seedStart := time.Now()
	env := servertest.Start(b, servertest.OpenSQLite(b))
	seedAgentCaf(b, env, benchChildminders)
	env.CreateAgent(b, "921", benchAgentEmail, "Claire", "Agent", benchAgentPassword)
	b.Logf("seed: %d childminders of Caf 921 in %v; VmHWM so far %.0f MB", benchChildminders,
		time.Since(seedStart).Round(time.Millisecond), procStatusMB("VmHWM"))

	// The app: a fresh local copy, the real client.
	dir := b.TempDir()
	copyPath := filepath.Join(dir, "copie.db")
	a := test.NewTempApp(b)
	var tc *timedClient
	connect := func(set Settings) (Service, error) {
		local, err := sqlite.OpenLocal(context.Background(), copyPath)
		if err != nil {
			return nil, err
		}
		b.Cleanup(func() { local.Close() })
		c, err := client.New(client.Config{ServerURL: set.ServerURL, Fingerprint: set.Fingerprint,
			Timeout: time.Minute}, local)
		if err != nil {
			return nil, err
		}
		b.Cleanup(c.Close)
		c.Now = env.Clock.Now
		tc = &timedClient{Client: c}
		return tc, nil
	}

	baseHeap, _ := heapAfterGC()
	peakReset := os.WriteFile("/proc/self/clear_refs", []byte("5"), 0) == nil
	if !peakReset {
		b.Logf("could not reset VmHWM: rss-peak-MB includes the seed")
	}

	u := newAppUI(a, Config{Settings: Settings{ServerURL: env.URL, Fingerprint: env.Server.Fingerprint()},
		Connect: connect, Now: env.Clock.Now, SyncEvery: -1})
	b.Cleanup(u.window.Close)
	u.window.Resize(fyne.NewSize(1200, 760))
	u.start()
	if u.login == nil {
		b.Fatalf("no login screen; the window shows %q", texts(u.window))
	}

	// First login: login, home, first pull of the whole copy, register
	// reloaded.
	start := time.Now()
	typeLogin(u, benchAgentEmail, benchAgentPassword)
	firstLogin := time.Since(start)
	if u.home == nil || u.home.tabs == nil {
		b.Fatalf("the agent's home is not shown; the window shows %q", texts(u.window))
	}
	if len(tc.syncs) != 1 || tc.syncs[0].err != nil {
		b.Fatalf("syncs at the first login: %+v", tc.syncs)
	}
	pull := tc.syncs[0]
	if pull.pulled < benchChildminders {
		b.Fatalf("the first pull brought %d records for %d childminders", pull.pulled, benchChildminders)
	}

	// Everyday login on the filled copy.
	test.Tap(u.home.logout)
	if u.login == nil {
		b.Fatalf("no login screen after the logout; the window shows %q", texts(u.window))
	}
	start = time.Now()
	typeLogin(u, benchAgentEmail, benchAgentPassword)
	relogin := time.Since(start)
	if u.home == nil || u.home.tabs == nil {
		b.Fatalf("the agent's home is not shown again; the window shows %q", texts(u.window))
	}

	// The register tab.
	u.home.tabs.SelectIndex(1)
	reg := u.home.tabs.Items[1].Content
	rc := &registerControls{
		window: u.window,
		search: findObject(b, reg, "search entry", func(e *widget.Entry) bool { return e.PlaceHolder == "Nom ou n° d'agrément" }),
		searchButton: findObject(b, reg, "« Rechercher » button", func(x *widget.Button) bool {
			return x.Text == "Rechercher"
		}),
		next:  findObject(b, reg, "« Suivant » button", func(x *widget.Button) bool { return x.Text == "Suivant" }),
		table: findObject(b, reg, "table", func(*widget.Table) bool { return true }),
	}
	total := frenchNumber(benchChildminders)

	var pages []time.Duration
	timed := func(f func()) time.Duration {
		start := time.Now()
		f()
		d := time.Since(start)
		pages = append(pages, d)
		return d
	}
	first := timed(func() { test.Tap(rc.searchButton) })
	if rc.rows() != registerPageSize || !rc.shows("1–50 sur "+total) {
		b.Fatalf("first page: %d rows; the window shows %q", rc.rows(), texts(u.window))
	}
	var next time.Duration
	const nexts = 5
	for i := range nexts {
		next += timed(func() { test.Tap(rc.next) })
		if want := fmt.Sprintf("%d–%d sur %s", 50*(i+1)+1, 50*(i+2), total); !rc.shows(want) {
			b.Fatalf("page %d: the window does not show %q: %q", i+2, want, texts(u.window))
		}
	}
	next /= nexts
	rc.search.SetText("")
	test.Type(rc.search, "martin")
	search := timed(func() { test.Tap(rc.searchButton) })
	if rc.rows() == 0 || rc.rows() > registerPageSize || !strings.HasPrefix(rc.cell(0, 0), "Martin-") || rc.shows("sur "+total) {
		b.Fatalf("the name search found nothing; the window shows %q", texts(u.window))
	}
	var sum time.Duration
	for _, d := range pages {
		sum += d
	}

	// Memory, with the home and the register shown.
	heap, sys := heapAfterGC()
	rss, peak := procStatusMB("VmRSS"), procStatusMB("VmHWM")
	copyMB := filesMB(copyPath, copyPath+"-wal")
	b.Logf("pull: %d records in %v; copy %.1f MB (database %.1f MB, WAL %.1f MB)", pull.pulled,
		pull.took.Round(time.Millisecond), copyMB, filesMB(copyPath), filesMB(copyPath+"-wal"))

	// ns/op: one register page.
	rc.search.SetText("")
	test.Tap(rc.searchButton)
	n := 0
	for b.Loop() {
		if n++; n%20 == 0 || rc.next.Disabled() {
			test.Tap(rc.searchButton)
		} else {
			test.Tap(rc.next)
		}
	}
	if rc.rows() != registerPageSize {
		b.Fatalf("%d rows after paging", rc.rows())
	}

	b.ReportMetric(ms(pull.took), "pull-ms")
	b.ReportMetric(float64(pull.pulled), "records")
	b.ReportMetric(ms(firstLogin), "first-login-ms")
	b.ReportMetric(ms(relogin), "relogin-ms")
	b.ReportMetric(ms(sum)/float64(len(pages)), "page-ms")
	b.ReportMetric(ms(first), "first-page-ms")
	b.ReportMetric(ms(next), "next-page-ms")
	b.ReportMetric(ms(search), "search-ms")
	b.ReportMetric(heap, "heap-MB")
	b.ReportMetric(heap-baseHeap, "app-heap-MB")
	b.ReportMetric(sys, "sys-MB")
	b.ReportMetric(copyMB, "copy-MB")
	b.ReportMetric(rss, "rss-MB")
	b.ReportMetric(peak, "rss-peak-MB")
}
