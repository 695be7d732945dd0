package chromium_test

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"math"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	cdplog "github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
	"github.com/chromedp/chromedp/remote"

	"espacepro/data"
	"espacepro/server/servertest"
)

// chromiumPath is Debian's Chromium.
const chromiumPath = "/usr/bin/chromium"

// The colours the page gives, as the browser computes them (see
// server/static/public.css): the test checks that each colour goes with its
// value, and that each meets WCAG 2.2 AA.
const (
	green     = "rgb(24, 117, 60)"
	red       = "rgb(206, 5, 0)"
	white     = "rgb(255, 255, 255)"
	greyRing  = "rgb(102, 102, 102)"
	cellAvail = "rgb(184, 254, 201)"
	cellBusy  = "rgb(255, 233, 233)"
	cellOff   = "rgb(238, 238, 238)"
)

// The test clock's today (servertest.Epoch) is Monday 2 March 2026 in Paris.
var (
	week0  = data.Date{Year: 2026, Month: time.March, Day: 2}
	week1  = week0.AddDays(7)
	week2  = week0.AddDays(14)
	sept1  = data.Date{Year: 2026, Month: time.September, Day: 1}
	asked  = "2026-03-18" // a Wednesday of week2
	places = 2
)

// seeded is one professional the test stores and what the page must show.
type seeded struct {
	p        *data.Professional
	a        *data.Availability
	dot      string                   // the global colour's mark
	label    string                   // its word
	informed map[data.Date]data.Week  // the weeks whose grid parents see
	dated    map[data.Date]data.Dated // the dated tabs parents see
}

func sampleGrid(seed int) data.WeekGrid {
	var g data.WeekGrid
	for d := range g {
		for s := range g[d] {
			g[d][s] = data.SlotStates[(2*d+s+seed)%3]
		}
	}
	return g
}

var agrement = 0

func childminder(t *testing.T, last, first string, h data.Habilitation) *data.Professional {
	t.Helper()
	agrement++
	return &data.Professional{Kind: data.KindChildminder, Department: "92", CafCode: "921",
		AgrementNumber: fmt.Sprintf("92-E2E-%03d", agrement), Civility: data.CivilityMme, LastName: last, FirstName: first,
		Address: data.Address{Number: strconv.Itoa(agrement), StreetType: "rue", StreetName: "de Sèvres", PostalCode: "92100",
			CommuneINSEE: "92012", CommuneName: "Boulogne-Billancourt"},
		Phone: fmt.Sprintf("0600000%03d", agrement), Email: fmt.Sprintf("e2e%d@jamais-publie.example", agrement),
		PlacesAgreed: 3, Listing: data.Listed, Habilitation: h}
}

// seed stores the professionals of Boulogne-Billancourt the test searches,
// and returns them in the order of the page.
func seed(t *testing.T, env *servertest.Env) (order []*seeded, hidden *data.Professional) {
	t.Helper()
	ctx := context.Background()
	add := func(p *data.Professional, a *data.Availability, dot, label string) *seeded {
		t.Helper()
		env.SeedProfessional(t, p)
		s := &seeded{p: p, dot: dot, label: label, informed: map[data.Date]data.Week{}, dated: map[data.Date]data.Dated{}}
		if a != nil {
			a.ProfessionalID = p.ID
			if err := env.Store.SaveAvailability(ctx, a); err != nil {
				t.Fatal(err)
			}
			s.a = a
		}
		return s
	}
	creche := childminder(t, "", "", data.HabilitationActive)
	creche.Kind, creche.Civility, creche.AgrementNumber, creche.StructureName = data.KindStructure, "", "", "Crèche Les Petits Pas"
	structure := add(creche, &data.Availability{Global: data.ColourGreen,
		Weeks: []data.Week{{Monday: week0, Use: true, Grid: sampleGrid(3)}}}, green, "Disponibilités")
	structure.informed[week0] = structure.a.Weeks[0]

	martin := add(childminder(t, "Martin", "Sophie", data.HabilitationActive), &data.Availability{Global: data.ColourGreen,
		Weeks: []data.Week{
			{Monday: week0, Use: true, Grid: sampleGrid(0), Places: &places},
			{Monday: week1, Use: false, Grid: sampleGrid(1)},
			{Monday: week2, Use: true, Grid: sampleGrid(2)},
		},
		Dated: []data.Dated{{Date: sept1, Use: true, Days: data.WeekDays{'D', 'N', 'T', 'D', 'D', 'T', 'T'}}},
	}, green, "Disponibilités")
	martin.informed[week0], martin.informed[week2] = martin.a.Weeks[0], martin.a.Weeks[2]
	martin.dated[sept1] = martin.a.Dated[0]

	everywhere := func(c data.Colour) *data.Availability {
		return &data.Availability{Global: c, Weeks: []data.Week{{Monday: week0, Use: true, Grid: sampleGrid(4)}}}
	}
	dubois := add(childminder(t, "Dubois", "Chloé", data.HabilitationActive), everywhere(data.ColourRed), red, "Aucune disponibilité")
	thomas := add(childminder(t, "Thomas", "Léa", data.HabilitationActive), everywhere(data.ColourGrey), white, "Non renseigné")
	robert := add(childminder(t, "Robert", "Zoé", data.HabilitationActive), nil, white, "Non renseigné")
	hidden = add(childminder(t, "Durand", "Isabelle", data.HabilitationSuspended), everywhere(data.ColourGreen), "", "").p
	return []*seeded{structure, dubois, martin, robert, thomas}, hidden
}

// spkiHash returns the base64 SHA-256 of the service certificate's public
// key, the form --ignore-certificate-errors-spki-list takes: Chromium then
// trusts exactly that certificate, and no other error is ignored.
func spkiHash(env *servertest.Env) string {
	sum := sha256.Sum256(env.Server.Certificate().RawSubjectPublicKeyInfo)
	return base64.StdEncoding.EncodeToString(sum[:])
}

// browserProcess is a running Chromium and the file of what it prints.
type browserProcess struct {
	cmd    *exec.Cmd
	output string
	wsURL  string
}

// log returns the end of what Chromium printed, for a failure message.
func (b *browserProcess) log() string {
	text, _ := os.ReadFile(b.output)
	return string(text[max(0, len(text)-4000):])
}

// startChromium starts a headless Chromium that trusts the key of that
// hash, on a DevTools port it chooses, and stops it when the test ends.
func startChromium(t *testing.T, spki string) *browserProcess {
	t.Helper()
	if _, err := os.Stat(chromiumPath); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("%s is missing: `make test` installs it (scripts/install-deps.sh browser)", chromiumPath)
		}
		t.Skipf("%s is missing: run scripts/install-deps.sh browser", chromiumPath)
	}
	dir := t.TempDir()
	profile := filepath.Join(dir, "profile")
	b := &browserProcess{output: filepath.Join(dir, "chromium.log")}
	b.cmd = exec.Command(chromiumPath, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
		"--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync",
		"--user-data-dir="+profile, "--ignore-certificate-errors-spki-list="+spki,
		"--remote-debugging-address=127.0.0.1", "--remote-debugging-port=0",
		"--lang=fr-FR", "--window-size=1280,1024", "about:blank")
	b.cmd.Env = append(os.Environ(), "HOME="+dir, "XDG_CONFIG_HOME="+filepath.Join(dir, "config"),
		"XDG_CACHE_HOME="+filepath.Join(dir, "cache"), "LANG=fr_FR.UTF-8")
	// A file, not a pipe: Wait must not wait for Chromium's children, which
	// inherit it.
	out, err := os.Create(b.output)
	if err != nil {
		t.Fatal(err)
	}
	defer out.Close()
	b.cmd.Stdout, b.cmd.Stderr = out, out
	if err := b.cmd.Start(); err != nil {
		t.Fatalf("start %s: %v", chromiumPath, err)
	}
	done := make(chan error, 1)
	go func() { done <- b.cmd.Wait() }()
	t.Cleanup(func() {
		// SIGTERM lets Chromium close its own children; SIGKILL if it hangs.
		b.cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			b.cmd.Process.Kill()
			<-done
		}
	})
	// Chromium writes its port and browser path to DevToolsActivePort.
	deadline := time.Now().Add(30 * time.Second)
	for {
		if text, err := os.ReadFile(filepath.Join(profile, "DevToolsActivePort")); err == nil {
			if lines := strings.Fields(string(text)); len(lines) == 2 {
				b.wsURL = "ws://127.0.0.1:" + lines[0] + lines[1]
				return b
			}
		}
		select {
		case err := <-done:
			done <- err
			t.Fatalf("chromium stopped (%v) before it opened its DevTools port:\n%s", err, b.log())
		case <-time.After(50 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			b.cmd.Process.Kill()
			t.Fatalf("chromium wrote no DevToolsActivePort in 30 s:\n%s", b.log())
		}
	}
}

// fiche is what the browser shows of one professional.
type fiche struct {
	ID        string `json:"id"`
	Colour    string `json:"colour"`
	Name      string `json:"name"`
	Global    string `json:"global"`
	Dot       string `json:"dot"`
	DotBorder string `json:"dotBorder"`
	None      bool   `json:"none"`
	Tabs      []struct {
		Date     string `json:"date"`
		Informed bool   `json:"informed"`
		Asked    bool   `json:"asked"`
		Open     bool   `json:"open"`
		Text     string `json:"text"`
		Cells    [][]struct {
			State   string `json:"state"`
			Text    string `json:"text"`
			Bg      string `json:"bg"`
			Fg      string `json:"fg"`
			Visible bool   `json:"visible"`
		} `json:"cells"`
	} `json:"tabs"`
}

// readResults reads the results as the browser renders them: data, words
// and computed colours.
const readResults = `[...document.querySelectorAll("article.fiche")].map(a => {
  const dot = a.querySelector("[data-global] .pastille");
  return {
    id: a.dataset.id, colour: a.dataset.colour,
    name: a.querySelector("[data-name]").textContent.trim(),
    global: a.querySelector("[data-global]").textContent.replace(/\s+/g, " ").trim(),
    dot: getComputedStyle(dot).backgroundColor, dotBorder: getComputedStyle(dot).borderTopColor,
    none: a.querySelector('[data-informed="none"]') !== null,
    tabs: [...a.querySelectorAll("[data-tab]")].map(t => ({
      date: t.dataset.tab, informed: t.dataset.informed === "true", asked: t.hasAttribute("data-asked"),
      open: t.open === true, text: t.textContent.replace(/\s+/g, " ").trim(),
      cells: [...t.querySelectorAll("tbody tr")].map(r => [...r.querySelectorAll("td")].map(td => ({
        state: td.dataset.state, text: td.textContent.trim(), bg: getComputedStyle(td).backgroundColor,
        fg: getComputedStyle(td).color, visible: td.checkVisibility() }))),
    })),
  };
})`

func TestPublicPageInChromium(t *testing.T) {
	env := servertest.Start(t, servertest.OpenSQLite(t))
	order, hidden := seed(t, env)
	proc := startChromium(t, spkiHash(env))

	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	allocCtx, cancelAlloc := remote.NewAllocator(ctx, proc.wsURL, remote.NoModifyURL)
	defer cancelAlloc()
	tab, cancelTab := chromedp.NewContext(allocCtx)
	defer cancelTab()

	var mu sync.Mutex
	var problems []string
	if err := chromedp.Listen(tab, func(ev any) {
		mu.Lock()
		defer mu.Unlock()
		switch e := ev.(type) {
		case *runtime.EventExceptionThrown:
			problems = append(problems, "exception: "+e.ExceptionDetails.Text)
		case *cdplog.EventEntryAdded:
			if e.Entry.Level == cdplog.EntryLevelError {
				problems = append(problems, fmt.Sprintf("console: %s (%s)", e.Entry.Text, e.Entry.URL))
			}
		}
	}); err != nil {
		t.Fatalf("chromedp: %v\n%s", err, proc.log())
	}
	run := func(what string, steps ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		if err := chromedp.Do(tab, steps...); err != nil {
			t.Fatalf("%s: %v", what, err)
		}
	}

	// The page, over HTTPS with exactly our certificate trusted.
	run("open the page", chromedp.Navigate(env.URL+"/"), chromedp.WaitVisible(chromedp.ID("q")))
	if lang := evaluate[string](t, tab, `document.documentElement.lang`); lang != "fr" {
		t.Errorf("lang = %q, want fr", lang)
	}
	// The first Tab reaches the skip link.
	run("press Tab", chromedp.KeyEvent(kb.Tab))
	if focused := evaluate[string](t, tab, `document.activeElement.className + " " + document.activeElement.getAttribute("href")`); focused != "evitement #contenu" {
		t.Errorf("the first Tab focuses %q, want the skip link", focused)
	}

	// The suggestions come as she types.
	run("type a commune", chromedp.Click(chromedp.ID("q")), chromedp.SendKeys(chromedp.ID("q"), "boulogne-b"))
	options, err := chromedp.Run(tab, chromedp.Poll[[]string](
		`document.querySelectorAll("#communes option").length > 0 && [...document.querySelectorAll("#communes option")].map(o => o.value)`,
		chromedp.WithPollingTimeout(15*time.Second)))
	if err != nil || len(options) == 0 || options[0] != "Boulogne-Billancourt (92100)" {
		t.Fatalf("suggestions for boulogne-b: %v, %v", options, err)
	}

	// She takes the suggestion, gives a date, and sends the form.
	run("fill in and send the form",
		chromedp.SetValue(chromedp.ID("q"), options[0]),
		chromedp.SetValue(chromedp.ID("date"), asked),
		chromedp.Click(chromedp.CSS(`form.recherche button[type="submit"]`)),
		chromedp.WaitVisible(chromedp.ID("resultats-titre")),
	)
	search := evaluate[string](t, tab, `location.search`)
	if v, err := url.ParseQuery(strings.TrimPrefix(search, "?")); err != nil || v.Get("q") != options[0] || v.Get("date") != asked {
		t.Errorf("the form sent %q", search)
	}
	if h := evaluate[string](t, tab, `document.getElementById("resultats-titre").textContent`); h != "5 résultats à Boulogne-Billancourt (92100)" {
		t.Errorf("heading %q", h)
	}

	results := evaluate[[]fiche](t, tab, readResults)
	if len(results) != len(order) {
		t.Fatalf("the page shows %d professionals, want %d", len(results), len(order))
	}
	for i, s := range order {
		checkFiche(t, s, results[i])
	}
	for _, f := range results {
		if f.ID == hidden.ID {
			t.Errorf("%s is suspended but shown", hidden.DisplayName())
		}
	}
	if shot := os.Getenv("ESPACEPRO_E2E_SCREENSHOT"); shot != "" {
		png, err := chromedp.Run(tab, chromedp.FullScreenshot(100))
		if err != nil {
			t.Fatalf("screenshot: %v", err)
		}
		if err := os.WriteFile(shot, png, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	mu.Lock()
	defer mu.Unlock()
	for _, p := range problems {
		t.Errorf("the browser reported: %s", p)
	}
}

// checkFiche compares what the browser shows of one professional with what
// the test stored.
func checkFiche(t *testing.T, s *seeded, f fiche) {
	t.Helper()
	who := s.p.DisplayName()
	if f.ID != s.p.ID || f.Name != who {
		t.Errorf("expected %s (%s), the page shows %s (%s)", who, s.p.ID, f.Name, f.ID)
		return
	}
	if !strings.Contains(f.Global, s.label) {
		t.Errorf("%s: the page says %q, want « %s »", who, f.Global, s.label)
	}
	if f.Dot != s.dot {
		t.Errorf("%s: global mark %s, want %s (%s)", who, f.Dot, s.dot, s.label)
	}
	if s.dot == white && f.DotBorder != greyRing {
		t.Errorf("%s: grey mark ring %s, want %s", who, f.DotBorder, greyRing)
	}
	mark := f.Dot
	if s.dot == white {
		mark = f.DotBorder
	}
	if c := contrast(t, mark, white); c < 3 {
		t.Errorf("%s: the colour mark %s has a contrast of %.2f on white, want 3 at least", who, mark, c)
	}
	if len(s.informed)+len(s.dated) == 0 {
		if !f.None || len(f.Tabs) != 0 {
			t.Errorf("%s: nothing is informed, but the page shows %d tabs (none %v)", who, len(f.Tabs), f.None)
		}
		return
	}
	if len(f.Tabs) != 6 {
		t.Fatalf("%s: %d tabs on the page, want 6", who, len(f.Tabs))
	}
	for j, tab := range f.Tabs {
		d, err := data.ParseDate(tab.Date)
		if err != nil {
			t.Fatal(err)
		}
		w, isWeek := s.informed[d]
		x, isDated := s.dated[d]
		switch {
		case !isWeek && !isDated:
			if tab.Informed || len(tab.Cells) != 0 || !strings.Contains(tab.Text, data.NotInformed) {
				t.Errorf("%s: tab %s should read « %s », reads %q", who, tab.Date, data.NotInformed, tab.Text)
			}
		case isWeek:
			checkCells(t, who+" "+tab.Date, tab.Cells, func(slot, day int) data.SlotState { return w.Grid[day][slot] }, data.SlotsPerDay, tab.Open)
			if w.Places != nil && !strings.Contains(tab.Text, fmt.Sprintf("%d places disponibles", *w.Places)) {
				t.Errorf("%s: week %s announces %d places, the page says %q", who, tab.Date, *w.Places, tab.Text)
			}
		default:
			checkCells(t, who+" "+tab.Date, tab.Cells, func(_, day int) data.SlotState { return x.Days[day] }, 1, tab.Open)
		}
		// The week of the date asked for comes first, open.
		if want := d == week2; tab.Asked != want || (want && j != 0) {
			t.Errorf("%s: tab %s is at %d, marked as holding the date asked for: %v", who, tab.Date, j, tab.Asked)
		}
		if d == week2 && isWeek && !tab.Open {
			t.Errorf("%s: the tab of the date asked for is closed", who)
		}
	}
}

// checkCells compares a table's cells with the stored values: the value,
// its word, its colour, and the contrast of the word on the colour.
func checkCells(t *testing.T, where string, cells [][]struct {
	State   string `json:"state"`
	Text    string `json:"text"`
	Bg      string `json:"bg"`
	Fg      string `json:"fg"`
	Visible bool   `json:"visible"`
}, want func(row, day int) data.SlotState, rows int, open bool) {
	t.Helper()
	colours := map[data.SlotState]string{data.Available: cellAvail, data.Unavailable: cellBusy, data.NotWorked: cellOff}
	if len(cells) != rows {
		t.Errorf("%s: %d rows, want %d", where, len(cells), rows)
		return
	}
	for r, row := range cells {
		if len(row) != data.DaysPerWeek {
			t.Errorf("%s: row %d has %d cells", where, r, len(row))
			continue
		}
		for d, c := range row {
			v := want(r, d)
			if c.State != string(rune(v)) || c.Text != v.Label() || c.Bg != colours[v] || c.Visible != open {
				t.Errorf("%s: cell %d,%d shows %s « %s » on %s (visible %v), stored %c « %s » on %s (visible %v)",
					where, r, d, c.State, c.Text, c.Bg, c.Visible, v, v.Label(), colours[v], open)
			}
			if ratio := contrast(t, c.Fg, c.Bg); ratio < 4.5 {
				t.Errorf("%s: « %s » %s on %s has a contrast of %.2f, want 4.5 at least", where, c.Text, c.Fg, c.Bg, ratio)
			}
		}
	}
}

// evaluate runs a script in the page and decodes its value.
func evaluate[T any](t *testing.T, ctx context.Context, script string) T {
	t.Helper()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](script))
	if err != nil {
		t.Fatalf("evaluate %.60s…: %v", script, err)
	}
	return v
}

var rgbRE = regexp.MustCompile(`^rgba?\((\d+), (\d+), (\d+)`)

// contrast returns the WCAG 2 contrast ratio of two CSS rgb() colours.
func contrast(t *testing.T, a, b string) float64 {
	t.Helper()
	la, lb := luminance(t, a), luminance(t, b)
	return (math.Max(la, lb) + 0.05) / (math.Min(la, lb) + 0.05)
}

func luminance(t *testing.T, css string) float64 {
	t.Helper()
	m := rgbRE.FindStringSubmatch(css)
	if m == nil {
		t.Fatalf("colour %q is not rgb()", css)
	}
	var l [3]float64
	for i := range l {
		v, _ := strconv.Atoi(m[i+1])
		c := float64(v) / 255
		if c <= 0.04045 {
			l[i] = c / 12.92
		} else {
			l[i] = math.Pow((c+0.055)/1.055, 2.4)
		}
	}
	return 0.2126*l[0] + 0.7152*l[1] + 0.0722*l[2]
}
