package server_test

// Black-box tests of the parents' search: the page and its JSON twin over
// real HTTPS, on professionals in every state the rules tell apart. The
// expectations are written by hand from the rules of SPEC §5 and §7, not
// computed with data.PublicView, so that a wrong rule fails here.

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"golang.org/x/net/html"

	"espacepro/data"
	"espacepro/server"
	"espacepro/server/servertest"
	"espacepro/sync/wire"
)

// The dates of the test clock (servertest.Epoch, Monday 2 March 2026 in
// Paris): the four weeks, then 1 September 2026 and 1 January 2027.
var publicTabDates = []string{"2026-03-02", "2026-03-09", "2026-03-16", "2026-03-23", "2026-09-01", "2027-01-01"}

// publicCase is one seeded professional and what parents must see of her.
type publicCase struct {
	key      string // how the test names her
	prof     *data.Professional
	avail    *data.Availability // nil: never saved
	visible  bool
	colour   data.Colour
	informed [6]bool // per tab of publicTabDates
}

// publicSeed is what seedPublicSearch stores.
type publicSeed struct {
	cases  map[string]*publicCase
	order  []string // the keys of Boulogne's results, in the order of the page
	emails []string
}

func date(s string) data.Date {
	d, err := data.ParseDate(s)
	if err != nil {
		panic(err)
	}
	return d
}

// grid returns a week holding the three values, different for each seed.
func grid(seed int) data.WeekGrid {
	var g data.WeekGrid
	for d := range g {
		for s := range g[d] {
			g[d][s] = data.SlotStates[(d+2*s+seed)%3]
		}
	}
	return g
}

func days(seed int) data.WeekDays {
	var w data.WeekDays
	for d := range w {
		w[d] = data.SlotStates[(d+seed)%3]
	}
	return w
}

// usedEverywhere returns an availability of that colour whose every tab
// says « Utiliser les informations ci-dessous ».
func usedEverywhere(id string, c data.Colour) *data.Availability {
	a := &data.Availability{ProfessionalID: id, Global: c}
	for i, d := range publicTabDates[:4] {
		a.Weeks = append(a.Weeks, data.Week{Monday: date(d), Use: true, Grid: grid(i)})
	}
	for i, d := range publicTabDates[4:] {
		a.Dated = append(a.Dated, data.Dated{Date: date(d), Use: true, Days: days(i)})
	}
	return a
}

var publicAgrement = 0

// publicPerson returns a childminder of that commune, routed to her Caf as
// an import would.
func publicPerson(t testing.TB, last, first, pc, commune string, l data.Listing, h data.Habilitation) *data.Professional {
	t.Helper()
	route, err := data.DefaultReference().Route(pc, commune)
	if err != nil {
		t.Fatal(err)
	}
	publicAgrement++
	return &data.Professional{Kind: data.KindChildminder, Department: route.Department.Code, CafCode: route.Caf.Code,
		AgrementNumber: fmt.Sprintf("%s-T%05d", route.Department.Code, publicAgrement), Civility: data.CivilityMme,
		LastName: last, FirstName: first,
		Address: data.Address{Number: "7", StreetType: "rue", StreetName: "des Tilleuls", PostalCode: pc,
			CommuneINSEE: route.Commune.INSEE, CommuneName: route.Commune.Name},
		Phone: fmt.Sprintf("06%08d", 10000000+publicAgrement), PlacesAgreed: 1 + publicAgrement%4,
		Email:        strings.ToLower(fmt.Sprintf("%s.%d@jamais-publie.example", first, publicAgrement)),
		AgrementDate: data.Date{Year: 2020, Month: 5, Day: 4}, Listing: l, Habilitation: h}
}

// seedPublicSearch stores professionals of Boulogne-Billancourt in every
// case the rules tell apart, and a few elsewhere.
func seedPublicSearch(t testing.TB, env *servertest.Env) publicSeed {
	t.Helper()
	ctx := context.Background()
	seed := publicSeed{cases: map[string]*publicCase{}}
	add := func(key string, p *data.Professional, build func(id string) *data.Availability, visible bool, c data.Colour, informed [6]bool) {
		t.Helper()
		env.SeedProfessional(t, p)
		pc := &publicCase{key: key, prof: p, visible: visible, colour: c, informed: informed}
		if build != nil {
			pc.avail = build(p.ID)
			if err := env.Store.SaveAvailability(ctx, pc.avail); err != nil {
				t.Fatalf("%s: SaveAvailability: %v", key, err)
			}
		}
		seed.cases[key] = pc
		seed.emails = append(seed.emails, p.Email)
	}
	const pc, boulogne = "92100", "Boulogne-Billancourt"
	active, listed := data.HabilitationActive, data.Listed
	none := [6]bool{}

	// Green, some tabs used: their detail; a past week is not shown.
	add("green-used", publicPerson(t, "Martin", "Sophie", pc, boulogne, listed, active), func(id string) *data.Availability {
		return &data.Availability{ProfessionalID: id, Global: data.ColourGreen,
			Weeks: []data.Week{
				{Monday: date("2026-02-23"), Use: true, Grid: grid(9)},
				{Monday: date("2026-03-02"), Use: true, Grid: grid(0), Places: data.PlacesOf(2)},
				{Monday: date("2026-03-09"), Use: false, Grid: grid(1)},
				{Monday: date("2026-03-16"), Use: true, Grid: grid(2)},
			},
			Dated: []data.Dated{
				{Date: date("2026-09-01"), Use: true, Days: days(1), Places: data.PlacesOf(1)},
				{Date: date("2027-01-01"), Use: false, Days: days(2)},
			}}
	}, true, data.ColourGreen, [6]bool{true, false, true, false, true, false})
	// Green, no tab used: « non renseignées » everywhere.
	add("green-unused", publicPerson(t, "Bernard", "Nathalie", pc, boulogne, listed, active), func(id string) *data.Availability {
		a := usedEverywhere(id, data.ColourGreen)
		for i := range a.Weeks {
			a.Weeks[i].Use = false
		}
		for i := range a.Dated {
			a.Dated[i].Use = false
		}
		return a
	}, true, data.ColourGreen, none)
	// Red or grey: no detail, whatever the tabs say.
	add("red", publicPerson(t, "Dubois", "Chloé", pc, boulogne, listed, active), func(id string) *data.Availability {
		return usedEverywhere(id, data.ColourRed)
	}, true, data.ColourRed, none)
	add("grey", publicPerson(t, "Thomas", "Léa", pc, boulogne, listed, active), func(id string) *data.Availability {
		return usedEverywhere(id, data.ColourGrey)
	}, true, data.ColourGrey, none)
	// Never entered anything: grey.
	add("never", publicPerson(t, "Robert", "Zoé", pc, boulogne, listed, active), nil, true, data.ColourGrey, none)
	// Listed without an active habilitation: found, but her old green is
	// not kept up to date, so grey.
	add("not-habilitated", publicPerson(t, "Petit", "Marie", pc, boulogne, listed, data.HabilitationNone), func(id string) *data.Availability {
		return usedEverywhere(id, data.ColourGreen)
	}, true, data.ColourGrey, none)
	// Hidden: suspended, delisted, revoked.
	add("suspended", publicPerson(t, "Durand", "Isabelle", pc, boulogne, listed, data.HabilitationSuspended), func(id string) *data.Availability {
		return usedEverywhere(id, data.ColourGreen)
	}, false, "", none)
	add("delisted", publicPerson(t, "Leroy", "Sylvie", pc, boulogne, data.Delisted, data.HabilitationExpired), func(id string) *data.Availability {
		return usedEverywhere(id, data.ColourGreen)
	}, false, "", none)
	add("revoked", publicPerson(t, "Moreau", "Catherine", pc, boulogne, listed, data.HabilitationRevoked), nil, false, "", none)

	// A structure, green with its current week used.
	creche := publicPerson(t, "", "", pc, boulogne, listed, active)
	creche.Kind, creche.Civility, creche.AgrementNumber = data.KindStructure, "", ""
	creche.StructureName, creche.Capacity, creche.OpeningHours = "Crèche Les Petits Pas", 30, "Du lundi au vendredi, 7 h 30 – 19 h"
	creche.Email = "direction@petits-pas.jamais-publie.example"
	add("structure", creche, func(id string) *data.Availability {
		a := usedEverywhere(id, data.ColourGreen)
		a.Weeks, a.Dated = a.Weeks[:1], nil
		return a
	}, true, data.ColourGreen, [6]bool{true})

	// Elsewhere: Cergy and Pontoise share 95000; Versailles does not.
	add("cergy", publicPerson(t, "Simon", "Anaïs", "95000", "Cergy", listed, active), nil, true, data.ColourGrey, none)
	add("pontoise", publicPerson(t, "Laurent", "Maëlle", "95000", "Pontoise", listed, data.HabilitationRequested), nil, true, data.ColourGrey, none)
	add("versailles", publicPerson(t, "Girard", "Céline", "78000", "Versailles", listed, active), nil, true, data.ColourGrey, none)

	seed.order = []string{"structure", "green-unused", "red", "green-used", "not-habilitated", "never", "grey"}
	return seed
}

// publicSearchJSON calls the JSON twin and decodes its answer.
type publicAnswer struct {
	Query     string         `json:"query"`
	Total     int            `json:"total"`
	Page      int            `json:"page"`
	Pages     int            `json:"pages"`
	Date      string         `json:"date"`
	DateNote  string         `json:"date_note"`
	Today     string         `json:"today"`
	Communes  []wire.Commune `json:"communes"`
	Choices   []wire.Commune `json:"choices"`
	Truncated bool           `json:"truncated"`
	Listings  []struct {
		ID             string                  `json:"id"`
		Kind           string                  `json:"kind"`
		KindLabel      string                  `json:"kind_label"`
		Name           string                  `json:"name"`
		Address        wire.Address            `json:"address"`
		Phone          string                  `json:"phone"`
		PlacesAgreed   int                     `json:"places_agreed"`
		Capacity       int                     `json:"capacity"`
		OpeningHours   string                  `json:"opening_hours"`
		ColourLabel    string                  `json:"colour_label"`
		ColourSentence string                  `json:"colour_sentence"`
		Availability   wire.PublicAvailability `json:"availability"`
		DateTab        *int                    `json:"date_tab"`
	} `json:"listings"`
}

// emailLike finds anything shaped like an e-mail address.
var emailLike = regexp.MustCompile(`[\w.+-]+@[\w-]+(\.[\w-]+)+`)

// bodies keeps every answer of a test, to look for e-mail addresses.
type bodies []string

// get calls the service a second after the call before, so that the
// politeness limit (one call a second) never answers; TestPublicSearchRateLimit
// tests it.
func (b *bodies) get(t *testing.T, env *servertest.Env, path string, status int) *servertest.Response {
	t.Helper()
	env.Clock.Advance(time.Second)
	r := env.Do(t, "GET", path, "", nil)
	*b = append(*b, string(r.Body))
	if r.Status != status {
		t.Fatalf("GET %s: %d, want %d; body: %.2000s", path, r.Status, status, r.Body)
	}
	return r
}

func (b *bodies) search(t *testing.T, env *servertest.Env, query string) publicAnswer {
	t.Helper()
	var a publicAnswer
	b.get(t, env, "/api/v1/public/search?"+query, http.StatusOK).Decode(t, &a)
	return a
}

func TestPublicSearchSQLite(t *testing.T) {
	runPublicSearch(t, servertest.OpenSQLite(t))
}

func TestPublicSearchPostgres(t *testing.T) {
	runPublicSearch(t, servertest.OpenPostgres(t))
}

func runPublicSearch(t *testing.T, store data.CentralStore) {
	env := servertest.Start(t, store)
	seed := seedPublicSearch(t, env)
	var all bodies
	defer func() {
		for _, b := range all {
			for _, e := range seed.emails {
				if strings.Contains(b, e) {
					t.Errorf("an answer shows the e-mail address %s", e)
				}
			}
			if m := emailLike.FindString(b); m != "" {
				t.Errorf("an answer holds an e-mail address: %s", m)
			}
		}
	}()

	t.Run("JSON", func(t *testing.T) {
		a := all.search(t, env, "q=Boulogne-Billancourt")
		wantBoulogne(t, seed, a)
		if a.Today != "2026-03-02" || len(a.Communes) != 1 || a.Communes[0].INSEE != "92012" || len(a.Choices) != 0 || a.Truncated {
			t.Errorf("today %s, communes %v, choices %v, truncated %v", a.Today, a.Communes, a.Choices, a.Truncated)
		}
		for _, q := range []string{"q=92100", "q=boulogne+billancourt", "q=Boulogne-Billancourt+(92100)", "q=BOULOGNE%20BILLANCOURT", "commune=92012", "q=Nimporte&commune=92012"} {
			wantBoulogne(t, seed, all.search(t, env, q))
		}
	})

	t.Run("PageSaysWhatJSONSays", func(t *testing.T) {
		for _, q := range []string{"q=Boulogne-Billancourt", "q=92100&date=18/03/2026", "q=Boulogne-Billancourt&date=2026-09-03", "q=95000"} {
			a := all.search(t, env, q)
			page := all.get(t, env, "/recherche?"+q, http.StatusOK)
			wantPageMatches(t, q, a, parsePage(t, page.Body))
		}
	})

	t.Run("Page", func(t *testing.T) {
		home := all.get(t, env, "/", http.StatusOK)
		body := string(home.Body)
		for _, want := range []string{`<html lang="fr">`, `href="#contenu"`, `id="contenu"`, `<label for="q">`, `<label for="date">`,
			`action="/recherche"`, `list="communes"`, `<datalist id="communes">`} {
			if !strings.Contains(body, want) {
				t.Errorf("the home page lacks %s", want)
			}
		}
		if strings.Contains(body, `class="fiche"`) {
			t.Error("the home page lists professionals without a search")
		}
		if ct := home.Header.Get("Content-Type"); ct != "text/html; charset=utf-8" {
			t.Errorf("Content-Type %q", ct)
		}
		if csp := home.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "script-src 'self'") {
			t.Errorf("Content-Security-Policy %q", csp)
		}
		page := parsePage(t, all.get(t, env, "/recherche?q=Boulogne-Billancourt", http.StatusOK).Body)
		for _, key := range []string{"suspended", "delisted", "revoked"} {
			p := seed.cases[key].prof
			if strings.Contains(page.text, p.LastName) || strings.Contains(page.text, strings.ToUpper(p.LastName)) {
				t.Errorf("the page names %s, who is %s", p.DisplayName(), key)
			}
		}
		for _, words := range []string{"Disponibilités", "Aucune disponibilité", "Non renseigné", "disponibilités non renseignées",
			"Disponible", "Non disponible", "Non travaillé", "Avant 6 heures", "Après 23 heures", "Lundi", "Dimanche", "Crèche Les Petits Pas"} {
			if !strings.Contains(page.text, words) {
				t.Errorf("the page never says « %s »", words)
			}
		}
		for _, f := range []string{"/static/public.css", "/static/suggest.js"} {
			r := all.get(t, env, f, http.StatusOK)
			if len(r.Body) == 0 || r.Header.Get("ETag") == "" {
				t.Errorf("%s: %d bytes, ETag %q", f, len(r.Body), r.Header.Get("ETag"))
			}
		}
		all.get(t, env, "/static/absent.css", http.StatusNotFound)
	})

	t.Run("Pages", func(t *testing.T) {
		var want []string
		for i := range 2*server.PublicPageSize + 5 {
			p := publicPerson(t, "Page"+string(rune('a'+i/26))+string(rune('a'+i%26)), "Nadia", "92000", "Nanterre", data.Listed, data.HabilitationActive)
			env.SeedProfessional(t, p)
			want = append(want, p.ID)
		}
		var got []string
		for page := 1; page <= 3; page++ {
			a := all.search(t, env, fmt.Sprintf("q=Nanterre&page=%d", page))
			if a.Total != len(want) || a.Pages != 3 || a.Page != page {
				t.Fatalf("page %d: total %d, pages %d, page %d", page, a.Total, a.Pages, a.Page)
			}
			for _, l := range a.Listings {
				got = append(got, l.ID)
			}
			doc := parsePage(t, all.get(t, env, fmt.Sprintf("/recherche?q=Nanterre&page=%d", page), http.StatusOK).Body)
			wantPageMatches(t, fmt.Sprint("Nanterre page ", page), a, doc)
			if doc.current != fmt.Sprint("Page ", page) || (page > 1) != (doc.prev != "") || (page < 3) != (doc.next != "") {
				t.Errorf("page %d: current %q, previous %q, next %q", page, doc.current, doc.prev, doc.next)
			}
		}
		if strings.Join(got, " ") != strings.Join(want, " ") {
			t.Errorf("the three pages list %d professionals, not the %d in order", len(got), len(want))
		}
		for q, page := range map[string]int{"page=0": 1, "page=abc": 1, "page=-2": 1, "page=99": 3} {
			if a := all.search(t, env, "q=92000&"+q); a.Page != page || len(a.Listings) == 0 {
				t.Errorf("%s: page %d with %d listings, want page %d", q, a.Page, len(a.Listings), page)
			}
		}
	})

	t.Run("Truncated", func(t *testing.T) {
		// One more than a search shows, and two more: one hidden (never
		// counted), one beyond the last shown.
		var want []string
		err := env.Store.InTx(context.Background(), func(ctx context.Context) error {
			for i := range server.PublicMaxListings + 2 {
				p := publicPerson(t, fmt.Sprintf("Tronc%04d", i), "Inès", "92700", "Colombes", data.Listed, data.HabilitationActive)
				if i == 500 {
					p.Habilitation = data.HabilitationSuspended
				}
				if err := env.Store.CreateProfessional(ctx, p); err != nil {
					return err
				}
				if p.VisibleToParents() {
					want = append(want, p.ID)
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		const pages = (server.PublicMaxListings + server.PublicPageSize - 1) / server.PublicPageSize
		for q, page := range map[string]int{"": 1, "&page=2": 2, fmt.Sprintf("&page=%d", pages): pages, "&page=9999": pages} {
			a := all.search(t, env, "q=92700"+q)
			if a.Total != server.PublicMaxListings || !a.Truncated || a.Pages != pages || a.Page != page {
				t.Fatalf("%s: total %d, truncated %v, pages %d, page %d; want %d, true, %d, %d", q, a.Total, a.Truncated, a.Pages, a.Page,
					server.PublicMaxListings, pages, page)
			}
			start := (page - 1) * server.PublicPageSize
			w := want[start:min(start+server.PublicPageSize, server.PublicMaxListings)]
			var got []string
			for _, l := range a.Listings {
				got = append(got, l.ID)
			}
			if strings.Join(got, " ") != strings.Join(w, " ") {
				t.Errorf("%s: page %d lists %d professionals %v, want %d %v", q, page, len(got), got, len(w), w)
			}
		}
		doc := parsePage(t, all.get(t, env, fmt.Sprintf("/recherche?q=92700&page=%d", pages), http.StatusOK).Body)
		a := all.search(t, env, fmt.Sprintf("q=92700&page=%d", pages))
		wantPageMatches(t, "Colombes, last page", a, doc)
	})

	t.Run("Neighbours", func(t *testing.T) {
		a := all.search(t, env, "q=Cergy")
		if len(a.Communes) < 2 || a.Communes[0].INSEE != "95127" {
			t.Fatalf("communes of Cergy: %v", a.Communes)
		}
		ids := map[string]bool{}
		for _, l := range a.Listings {
			ids[l.ID] = true
		}
		if !ids[seed.cases["cergy"].prof.ID] || !ids[seed.cases["pontoise"].prof.ID] || ids[seed.cases["versailles"].prof.ID] || len(ids) != 2 {
			t.Errorf("Cergy's search found %v: want her and her neighbour of Pontoise (95000), not Versailles", a.Listings)
		}
		if a := all.search(t, env, "q=95000"); len(a.Listings) != 2 {
			t.Errorf("95000 found %d professionals, want 2", len(a.Listings))
		}
	})

	t.Run("SeveralCommunes", func(t *testing.T) {
		a := all.search(t, env, "q=Sainte-Colombe")
		if len(a.Choices) < 10 || len(a.Listings) != 0 || len(a.Communes) != 0 {
			t.Fatalf("Sainte-Colombe: %d choices, %d communes, %d listings; want the list to choose from", len(a.Choices), len(a.Communes), len(a.Listings))
		}
		for _, c := range a.Choices {
			if c.Name != "Sainte-Colombe" {
				t.Errorf("choice %s %s is not a Sainte-Colombe", c.INSEE, c.Name)
			}
		}
		page := all.get(t, env, "/recherche?q=Sainte-Colombe", http.StatusOK)
		doc := parsePage(t, page.Body)
		if len(doc.choices) != len(a.Choices) {
			t.Fatalf("the page offers %d communes, the JSON %d", len(doc.choices), len(a.Choices))
		}
		// Following a choice searches that commune.
		link, err := url.Parse(doc.choices[0])
		if err != nil || link.Query().Get("commune") != a.Choices[0].INSEE {
			t.Fatalf("first choice links to %q, want commune=%s", doc.choices[0], a.Choices[0].INSEE)
		}
		chosen := parsePage(t, all.get(t, env, link.String(), http.StatusOK).Body)
		if !strings.Contains(chosen.heading, "Sainte-Colombe") || chosen.heading == "" {
			t.Errorf("after the choice the heading reads %q", chosen.heading)
		}
		// A start of names lists them too.
		if a := all.search(t, env, "q=Boulogne"); len(a.Choices) < 5 || len(a.Listings) != 0 {
			t.Errorf("Boulogne: %d choices, %d listings", len(a.Choices), len(a.Listings))
		}
	})

	t.Run("Date", func(t *testing.T) {
		green := seed.cases["green-used"].prof.ID
		for _, c := range []struct {
			date string
			tab  int // want date_tab of the green listing; -1: none
			note string
		}{
			{"02/03/2026", 0, ""},
			{"2026-03-08", 0, ""},
			{"09/03/2026", 1, ""},
			{"18/03/2026", 2, ""},
			{"29/03/2026", 3, ""},
			{"03/09/2026", 4, ""},
			{"01/01/2027", 5, ""},
			{"15/05/2026", -1, "Aucune disponibilité n'est publiée pour le 15/05/2026"},
			{"08/09/2026", -1, "Aucune disponibilité n'est publiée pour le 08/09/2026"},
			{"01/02/2020", -1, "La date du 01/02/2020 est passée"},
		} {
			a := all.search(t, env, "q=92100&date="+url.QueryEscape(c.date))
			if !strings.HasPrefix(a.DateNote, c.note) || (c.note == "") != (a.DateNote == "") {
				t.Errorf("date %s: note %q, want %q…", c.date, a.DateNote, c.note)
			}
			for _, l := range a.Listings {
				if l.ID != green {
					continue
				}
				if got := -1; l.DateTab != nil {
					got = *l.DateTab
					if got != c.tab {
						t.Errorf("date %s: date_tab %d, want %d", c.date, got, c.tab)
					}
				} else if c.tab != -1 {
					t.Errorf("date %s: no date_tab, want %d", c.date, c.tab)
				}
			}
		}
		r := all.get(t, env, "/api/v1/public/search?q=92100&date=31/02/2026", http.StatusUnprocessableEntity)
		servertest.WantError(t, r, http.StatusUnprocessableEntity, data.EINVALID, "date")
		page := all.get(t, env, "/recherche?q=92100&date=demain", http.StatusUnprocessableEntity)
		if doc := parsePage(t, page.Body); !strings.Contains(doc.alert, "Date") || doc.invalid != "date" {
			t.Errorf("bad date: alert %q, invalid field %q", doc.alert, doc.invalid)
		}
	})

	t.Run("Errors", func(t *testing.T) {
		for _, c := range []struct {
			query  string
			status int
			code   string
		}{
			{"q=Zzzyville-sur-Mer", http.StatusNotFound, data.ENOTFOUND},
			{"q=99999", http.StatusNotFound, data.ENOTFOUND},
			{"q=921", http.StatusUnprocessableEntity, data.EINVALID},
			{"q=", http.StatusUnprocessableEntity, data.EINVALID},
			{"q=" + strings.Repeat("Saint-", 30), http.StatusUnprocessableEntity, data.EINVALID},
			{"", http.StatusUnprocessableEntity, data.EINVALID},
		} {
			r := all.get(t, env, "/api/v1/public/search?"+c.query, c.status)
			servertest.WantError(t, r, c.status, c.code, "q")
			if cc := r.Header.Get("Cache-Control"); cc != "no-store" {
				t.Errorf("%s: an error is cached (%q)", c.query, cc)
			}
			page := all.get(t, env, "/recherche?"+c.query, c.status)
			doc := parsePage(t, page.Body)
			servertest.WantFrench(t, "page alert for "+c.query, doc.alert)
			if doc.invalid != "q" || len(doc.listings) != 0 {
				t.Errorf("%s: invalid field %q, %d listings", c.query, doc.invalid, len(doc.listings))
			}
		}
		r := all.get(t, env, "/api/v1/public/search?commune=99999", http.StatusNotFound)
		servertest.WantError(t, r, http.StatusNotFound, data.ENOTFOUND, "")
		doc := parsePage(t, all.get(t, env, "/recherche?q=Zzzyville-sur-Mer", http.StatusNotFound).Body)
		if !strings.Contains(doc.alert, "Aucune commune ne s'appelle « Zzzyville-sur-Mer »") {
			t.Errorf("unknown commune: the page says %q", doc.alert)
		}
	})

	t.Run("Suggestions", func(t *testing.T) {
		var list []wire.Commune
		all.get(t, env, "/api/v1/public/communes?q=boulogne-b", http.StatusOK).Decode(t, &list)
		if len(list) == 0 || list[0].INSEE != "92012" {
			t.Errorf("suggestions for boulogne-b: %v", list)
		}
		all.get(t, env, "/api/v1/public/communes?q=s", http.StatusOK).Decode(t, &list)
		if len(list) != server.PublicSuggestions {
			t.Errorf("suggestions for s: %d, want %d", len(list), server.PublicSuggestions)
		}
		if r := all.get(t, env, "/api/v1/public/communes", http.StatusOK); strings.TrimSpace(string(r.Body)) != "[]" {
			t.Errorf("no query: %s, want []", r.Body)
		}
	})

	t.Run("ETag", func(t *testing.T) {
		for _, path := range []string{"/api/v1/public/search?q=92100", "/recherche?q=92100"} {
			first := all.get(t, env, path, http.StatusOK)
			etag := first.Header.Get("ETag")
			if !strings.HasPrefix(etag, `"`) || first.Header.Get("Cache-Control") != "public, max-age=60" {
				t.Fatalf("%s: ETag %q, Cache-Control %q", path, etag, first.Header.Get("Cache-Control"))
			}
			if again := all.get(t, env, path, http.StatusOK); again.Header.Get("ETag") != etag {
				t.Errorf("%s: the same answer has another ETag", path)
			}
			for _, inm := range []string{etag, "W/" + etag, `"autre", ` + etag, "*"} {
				env.Clock.Advance(time.Second)
				r := conditionalGet(t, env, path, inm)
				if r.Status != http.StatusNotModified || len(r.Body) != 0 || r.Header.Get("ETag") != etag {
					t.Errorf("%s If-None-Match %s: %d, %d bytes, ETag %q; want 304 without a body", path, inm, r.Status, len(r.Body), r.Header.Get("ETag"))
				}
			}
			env.Clock.Advance(time.Second)
			if r := conditionalGet(t, env, path, `"autre"`); r.Status != http.StatusOK || len(r.Body) == 0 {
				t.Errorf("%s with another ETag: %d", path, r.Status)
			}
		}
		// A change makes another answer, with another ETag.
		path := "/api/v1/public/search?q=92100"
		etag := all.get(t, env, path, http.StatusOK).Header.Get("ETag")
		a := usedEverywhere(seed.cases["red"].prof.ID, data.ColourGreen)
		if err := env.Store.SaveAvailability(context.Background(), a); err != nil {
			t.Fatal(err)
		}
		env.Clock.Advance(time.Second)
		r := conditionalGet(t, env, path, etag)
		all = append(all, string(r.Body))
		if r.Status != http.StatusOK || r.Header.Get("ETag") == etag {
			t.Errorf("after a change: %d, ETag %q (was %q)", r.Status, r.Header.Get("ETag"), etag)
		}
		red := seed.cases["red"]
		red.avail, red.colour, red.informed = a, data.ColourGreen, [6]bool{true, true, true, true, true, true}
		wantBoulogne(t, seed, all.search(t, env, "q=92100"))
	})
}

// conditionalGet sends a GET with If-None-Match.
func conditionalGet(t *testing.T, env *servertest.Env, path, ifNoneMatch string) *servertest.Response {
	t.Helper()
	req, err := http.NewRequest("GET", env.URL+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("If-None-Match", ifNoneMatch)
	resp, err := env.Client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return &servertest.Response{Method: "GET", Path: path, Status: resp.StatusCode, Header: resp.Header, Body: b}
}

// wantBoulogne checks an answer for Boulogne-Billancourt against the seed.
func wantBoulogne(t *testing.T, seed publicSeed, a publicAnswer) {
	t.Helper()
	var got, want []string
	for _, l := range a.Listings {
		got = append(got, l.ID)
	}
	for _, k := range seed.order {
		want = append(want, seed.cases[k].prof.ID)
	}
	if strings.Join(got, " ") != strings.Join(want, " ") {
		names := map[string]string{}
		for k, c := range seed.cases {
			names[c.prof.ID] = k
		}
		var g []string
		for _, id := range got {
			g = append(g, names[id])
		}
		t.Fatalf("%q found %v, want %v", a.Query, g, seed.order)
	}
	labels := map[data.Colour][2]string{
		data.ColourGreen: {"Disponibilités", "A des disponibilités sur les périodes proposées."},
		data.ColourRed:   {"Aucune disponibilité", "N'a aucune disponibilité sur les périodes proposées."},
		data.ColourGrey:  {"Non renseigné", "N'a pas renseigné ses disponibilités."},
	}
	for i, l := range a.Listings {
		c := seed.cases[seed.order[i]]
		p := c.prof
		if l.Name != p.DisplayName() || l.Kind != string(p.Kind) || l.Phone != data.FormatPhone(p.Phone) ||
			l.Address.PostalCode != "92100" || l.Address.CommuneName != "Boulogne-Billancourt" || l.Address.StreetName != p.Address.StreetName {
			t.Errorf("%s: fiche %+v", c.key, l)
		}
		if p.Kind == data.KindStructure {
			if l.Capacity != 30 || l.OpeningHours != p.OpeningHours || l.KindLabel != "Structure d'accueil" {
				t.Errorf("%s: capacity %d, hours %q, label %q", c.key, l.Capacity, l.OpeningHours, l.KindLabel)
			}
		} else if l.PlacesAgreed != p.PlacesAgreed || l.KindLabel != "Assistante maternelle" {
			t.Errorf("%s: places %d (want %d), label %q", c.key, l.PlacesAgreed, p.PlacesAgreed, l.KindLabel)
		}
		av := l.Availability
		if av.Colour != string(c.colour) || l.ColourLabel != labels[c.colour][0] || l.ColourSentence != labels[c.colour][1] {
			t.Errorf("%s: colour %s « %s » « %s », want %s", c.key, av.Colour, l.ColourLabel, l.ColourSentence, c.colour)
		}
		if len(av.Tabs) != len(publicTabDates) {
			t.Errorf("%s: %d tabs, want %d", c.key, len(av.Tabs), len(publicTabDates))
			continue
		}
		for j, tab := range av.Tabs {
			if tab.Date != publicTabDates[j] || tab.Informed != c.informed[j] {
				t.Errorf("%s: tab %d is %s informed %v, want %s informed %v", c.key, j, tab.Date, tab.Informed, publicTabDates[j], c.informed[j])
				continue
			}
			wantTabDetail(t, c, tab)
		}
	}
}

// wantTabDetail checks that an informed tab shows exactly what was saved,
// and an uninformed one nothing.
func wantTabDetail(t *testing.T, c *publicCase, tab wire.PublicTab) {
	t.Helper()
	if !tab.Informed {
		if tab.Grid != nil || tab.Days != "" || tab.Places != nil {
			t.Errorf("%s: tab %s is not informed but shows %v %q %v", c.key, tab.Date, tab.Grid, tab.Days, tab.Places)
		}
		return
	}
	d := date(tab.Date)
	if w, ok := c.avail.WeekOf(d); ok {
		enc := w.Grid.Encode()
		if strings.Join(tab.Grid, "") != enc || tab.Kind != "week" || data.FormatPlaces(tab.Places) != data.FormatPlaces(w.Places) {
			t.Errorf("%s: week %s shows %v (places %q), saved %s (places %q)", c.key, tab.Date, tab.Grid,
				data.FormatPlaces(tab.Places), enc, data.FormatPlaces(w.Places))
		}
		return
	}
	if x, ok := c.avail.DatedOf(d); ok {
		if tab.Days != x.Days.Encode() || tab.Kind != "dated" || data.FormatPlaces(tab.Places) != data.FormatPlaces(x.Places) {
			t.Errorf("%s: %s shows %q, saved %q", c.key, tab.Date, tab.Days, x.Days.Encode())
		}
		return
	}
	t.Errorf("%s: tab %s is informed but was never saved", c.key, tab.Date)
}

// --- the page, parsed ----------------------------------------------------

// parsedPage is what a parent reads on the page, found through its data-
// attributes.
type parsedPage struct {
	text     string // all the text
	heading  string // the results' heading
	alert    string // the error message
	invalid  string // the field marked aria-invalid
	choices  []string
	listings []parsedListing
	dateNote string
	// the pagination: the current page's link text, the previous and next
	// pages' addresses
	current, prev, next string
}

type parsedListing struct {
	id, kind, colour, name, address, phone, places, global string
	noneInformed                                           bool
	tabs                                                   []parsedTab // in the order of the page
}

type parsedTab struct {
	date, kind     string
	informed       bool
	asked, open    bool
	text           string
	rows           [][]string // data-state letters, row by row
	labels         [][]string // the cells' text
	heads, rowHead []string
}

func parsePage(t *testing.T, body []byte) parsedPage {
	t.Helper()
	root, err := html.Parse(strings.NewReader(string(body)))
	if err != nil {
		t.Fatalf("the page does not parse: %v", err)
	}
	var p parsedPage
	p.text = textOf(root)
	walk(root, func(n *html.Node) bool {
		switch {
		case n.Data == "h2" && attr(n, "id") == "resultats-titre":
			p.heading = textOf(n)
		case n.Data == "div" && attr(n, "role") == "alert":
			p.alert = strings.TrimSpace(textOf(n))
		case n.Data == "input" && attr(n, "aria-invalid") == "true":
			p.invalid = attr(n, "name")
		case n.Data == "a" && hasAttr(n, "data-insee"):
			p.choices = append(p.choices, attr(n, "href"))
		case n.Data == "a" && attr(n, "aria-current") == "page":
			p.current = textOf(n)
		case n.Data == "a" && attr(n, "rel") == "prev":
			p.prev = attr(n, "href")
		case n.Data == "a" && attr(n, "rel") == "next":
			p.next = attr(n, "href")
		case n.Data == "p" && hasAttr(n, "data-date-note"):
			p.dateNote = textOf(n)
		case n.Data == "article" && hasAttr(n, "data-id"):
			p.listings = append(p.listings, parseListing(n))
			return false
		}
		return true
	})
	return p
}

func parseListing(n *html.Node) parsedListing {
	l := parsedListing{id: attr(n, "data-id"), kind: attr(n, "data-kind"), colour: attr(n, "data-colour")}
	walk(n, func(c *html.Node) bool {
		switch {
		case hasAttr(c, "data-name"):
			l.name = textOf(c)
		case hasAttr(c, "data-address"):
			l.address = textOf(c)
		case hasAttr(c, "data-phone"):
			l.phone = textOf(c)
		case hasAttr(c, "data-places"):
			l.places = textOf(c)
		case hasAttr(c, "data-global"):
			l.global = textOf(c)
		case attr(c, "data-informed") == "none":
			l.noneInformed = true
		case hasAttr(c, "data-tab"):
			l.tabs = append(l.tabs, parseTab(c))
			return false
		}
		return true
	})
	return l
}

func parseTab(n *html.Node) parsedTab {
	tab := parsedTab{date: attr(n, "data-tab"), kind: attr(n, "data-tab-kind"), informed: attr(n, "data-informed") == "true",
		asked: hasAttr(n, "data-asked"), open: hasAttr(n, "open"), text: textOf(n)}
	walk(n, func(c *html.Node) bool {
		switch {
		case c.Data == "th" && attr(c, "scope") == "col":
			tab.heads = append(tab.heads, textOf(c))
		case c.Data == "tr" && c.Parent != nil && c.Parent.Data == "tbody":
			var letters, labels []string
			for cell := c.FirstChild; cell != nil; cell = cell.NextSibling {
				if cell.Type != html.ElementNode {
					continue
				}
				if cell.Data == "th" && attr(cell, "scope") == "row" {
					tab.rowHead = append(tab.rowHead, textOf(cell))
				}
				if cell.Data == "td" {
					letters = append(letters, attr(cell, "data-state"))
					labels = append(labels, textOf(cell))
				}
			}
			tab.rows, tab.labels = append(tab.rows, letters), append(tab.labels, labels)
			return false
		}
		return true
	})
	return tab
}

// wantPageMatches checks that the page says what the JSON says, listing by
// listing, tab by tab and cell by cell.
func wantPageMatches(t *testing.T, query string, a publicAnswer, p parsedPage) {
	t.Helper()
	if len(p.listings) != len(a.Listings) {
		t.Fatalf("%s: the page lists %d professionals, the JSON %d", query, len(p.listings), len(a.Listings))
	}
	if (a.DateNote == "") != (p.dateNote == "") || !strings.Contains(p.dateNote, a.DateNote) {
		t.Errorf("%s: page note %q, JSON note %q", query, p.dateNote, a.DateNote)
	}
	labels := map[string]string{"D": "Disponible", "N": "Non disponible", "T": "Non travaillé"}
	for i, l := range a.Listings {
		h := p.listings[i]
		where := query + ": " + l.Name
		if h.id != l.ID || h.kind != l.Kind || h.colour != l.Availability.Colour || h.name != l.Name || h.phone != l.Phone {
			t.Errorf("%s: page %+v, JSON %s %s %s %s %s", where, h, l.ID, l.Kind, l.Availability.Colour, l.Name, l.Phone)
		}
		if !strings.Contains(h.global, l.ColourLabel) || !strings.Contains(h.global, l.ColourSentence) {
			t.Errorf("%s: the page says %q, JSON %s « %s »", where, h.global, l.ColourLabel, l.ColourSentence)
		}
		if !strings.Contains(h.address, l.Address.StreetName) || !strings.Contains(h.address, l.Address.PostalCode+" "+l.Address.CommuneName) {
			t.Errorf("%s: address %q", where, h.address)
		}
		if l.Kind == string(data.KindChildminder) && h.places != fmt.Sprint(l.PlacesAgreed) {
			t.Errorf("%s: places %q, JSON %d", where, h.places, l.PlacesAgreed)
		}
		byDate := map[string]parsedTab{}
		for _, tab := range h.tabs {
			byDate[tab.date] = tab
		}
		informed := 0
		for j, tab := range l.Availability.Tabs {
			asked := l.DateTab != nil && *l.DateTab == j
			pt, shown := byDate[tab.Date]
			if tab.Informed {
				informed++
			}
			switch {
			case !shown && !h.noneInformed:
				t.Errorf("%s: the page does not show the tab %s", where, tab.Date)
			case !shown:
			case pt.informed != tab.Informed || pt.kind != tab.Kind || pt.asked != asked:
				t.Errorf("%s: tab %s on the page informed %v kind %s asked %v, JSON %v %s %v", where, tab.Date, pt.informed, pt.kind, pt.asked, tab.Informed, tab.Kind, asked)
			case !tab.Informed:
				if !strings.Contains(pt.text, data.NotInformed) || len(pt.rows) != 0 {
					t.Errorf("%s: tab %s is not informed, the page says %q", where, tab.Date, pt.text)
				}
			default:
				wantCells(t, where+" "+tab.Date, tab, pt, labels)
			}
		}
		if h.noneInformed != (informed == 0) {
			t.Errorf("%s: the page says nothing is informed: %v, the JSON has %d tabs informed", where, h.noneInformed, informed)
		}
		if l.DateTab != nil && l.Availability.Tabs[*l.DateTab].Informed && (len(h.tabs) == 0 || !h.tabs[0].asked || !h.tabs[0].open) {
			t.Errorf("%s: the tab holding the date is not first and open", where)
		}
	}
}

// wantCells compares a tab's table with the JSON's letters: rows are the
// slots (or one row for a dated tab), columns the days.
func wantCells(t *testing.T, where string, tab wire.PublicTab, pt parsedTab, labels map[string]string) {
	t.Helper()
	var want [][]string
	if tab.Kind == "week" {
		for slot := range data.SlotsPerDay {
			var row []string
			for d := range data.DaysPerWeek {
				row = append(row, tab.Grid[d][slot:slot+1])
			}
			want = append(want, row)
		}
		if strings.Join(pt.rowHead, "|") != strings.Join(data.SlotLabels[:], "|") {
			t.Errorf("%s: row headers %v", where, pt.rowHead)
		}
	} else {
		want = [][]string{strings.Split(tab.Days, "")}
	}
	if fmt.Sprint(pt.rows) != fmt.Sprint(want) {
		t.Errorf("%s: the page's cells %v, the JSON's %v", where, pt.rows, want)
	}
	for i, row := range pt.rows {
		for j, letter := range row {
			if pt.labels[i][j] != labels[letter] {
				t.Errorf("%s: cell %d,%d is %s but reads %q", where, i, j, letter, pt.labels[i][j])
			}
		}
	}
	if len(pt.heads) != data.DaysPerWeek+1 || !strings.HasPrefix(pt.heads[1], "Lundi") || !strings.HasPrefix(pt.heads[7], "Dimanche") {
		t.Errorf("%s: column headers %v", where, pt.heads)
	}
	if tab.Places != nil && !strings.Contains(pt.text, fmt.Sprint(*tab.Places)+" place") {
		t.Errorf("%s: %d places announced, the page says %q", where, *tab.Places, pt.text)
	}
}

func walk(n *html.Node, visit func(*html.Node) bool) {
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		if c.Type == html.ElementNode && !visit(c) {
			continue
		}
		walk(c, visit)
	}
}

func attr(n *html.Node, key string) string {
	for _, a := range n.Attr {
		if a.Key == key {
			return a.Val
		}
	}
	return ""
}

func hasAttr(n *html.Node, key string) bool {
	for _, a := range n.Attr {
		if a.Key == key {
			return true
		}
	}
	return false
}

// textOf returns the text of n, spaces collapsed.
func textOf(n *html.Node) string {
	var b strings.Builder
	var rec func(*html.Node)
	rec = func(n *html.Node) {
		if n.Type == html.TextNode {
			b.WriteString(n.Data)
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			rec(c)
		}
	}
	rec(n)
	return strings.Join(strings.Fields(b.String()), " ")
}

// --- the politeness limit ------------------------------------------------

func TestPublicSearchRateLimit(t *testing.T) {
	env := servertest.Start(t, servertest.OpenSQLite(t))
	paths := []string{"/api/v1/public/communes?q=pa", "/api/v1/public/search?q=92100", "/recherche?q=92100", "/"}
	for i := range server.PublicBurst {
		if r := env.Do(t, "GET", paths[i%len(paths)], "", nil); r.Status != http.StatusOK {
			t.Fatalf("call %d of the burst: %s", i+1, r)
		}
	}
	// Files are not counted.
	env.Want(t, http.StatusOK, "GET", "/static/public.css", "", nil, nil)
	for _, path := range paths {
		r := env.Do(t, "GET", path, "", nil)
		if r.Status != http.StatusTooManyRequests || r.Header.Get("Retry-After") != "1" {
			t.Fatalf("%s past the burst: %d, Retry-After %q; want 429 and 1", path, r.Status, r.Header.Get("Retry-After"))
		}
		if strings.HasPrefix(path, "/api/") {
			servertest.WantError(t, r, http.StatusTooManyRequests, data.ERATELIMIT, "")
		} else if doc := parsePage(t, r.Body); !strings.Contains(doc.alert, "Trop de recherches") {
			t.Errorf("%s: the page says %q", path, doc.alert)
		}
	}
	// A token comes back each second.
	env.Clock.Advance(1500 * time.Millisecond)
	env.Want(t, http.StatusOK, "GET", "/api/v1/public/search?q=92100", "", nil, nil)
	if r := env.Do(t, "GET", "/api/v1/public/search?q=92100", "", nil); r.Status != http.StatusTooManyRequests {
		t.Errorf("second call after 1.5 s: %d, want 429", r.Status)
	}
	env.Clock.Advance(time.Minute)
	for i := range server.PublicBurst {
		if r := env.Do(t, "GET", "/api/v1/public/communes?q=pa", "", nil); r.Status != http.StatusOK {
			t.Fatalf("call %d after a minute: %d, want 200: the bucket refills to its burst", i+1, r.Status)
		}
	}
}

// --- fuzzing ---------------------------------------------------------------

// FuzzPublicSearch sends any query to the page and to its JSON twin: the
// answer is always one the document allows (200, 404 or 422, never a 500 or
// a panic), the JSON always reads, and no e-mail address ever shows.
func FuzzPublicSearch(f *testing.F) {
	store := servertest.OpenSQLite(f)
	srv, err := server.New(server.Config{DataDir: f.TempDir(), Store: store,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		f.Fatal(err)
	}
	p := publicPerson(f, "Martin", "Sophie", "92100", "Boulogne-Billancourt", data.Listed, data.HabilitationActive)
	if err := store.CreateProfessional(context.Background(), p); err != nil {
		f.Fatal(err)
	}
	if err := store.SaveAvailability(context.Background(), usedEverywhere(p.ID, data.ColourGreen)); err != nil {
		f.Fatal(err)
	}
	for _, seed := range [][4]string{
		{"Boulogne-Billancourt", "", "", ""}, {"92100", "", "18/03/2026", "2"}, {"Sainte-Colombe", "", "", ""},
		{"", "92012", "2026-09-01", ""}, {"Paris (75015)", "", "", "0"}, {"st etienne", "", "31/02/2026", ""},
		{"9", "2A004", "demain", "-1"}, {"%", "' OR 1=1 --", "<script>", "99999999999999999999"},
	} {
		f.Add(seed[0], seed[1], seed[2], seed[3])
	}
	calls := 0
	h := srv.Handler()
	f.Fuzz(func(t *testing.T, q, commune, date, page string) {
		v := url.Values{"q": {q}, "commune": {commune}, "date": {date}, "page": {page}}
		for _, path := range []string{"/api/v1/public/search?", "/recherche?"} {
			calls++
			req := httptest.NewRequest("GET", path+v.Encode(), nil)
			req.RemoteAddr = fmt.Sprintf("10.%d.%d.%d:4242", calls>>16&255, calls>>8&255, calls&255) // one bucket each
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			switch rec.Code {
			case http.StatusOK, http.StatusNotFound, http.StatusUnprocessableEntity:
			default:
				t.Fatalf("%s%s: %d %s", path, v.Encode(), rec.Code, rec.Body)
			}
			body := rec.Body.String()
			if strings.Contains(body, p.Email) || emailLike.MatchString(body) {
				t.Fatalf("%s%s shows an e-mail address", path, v.Encode())
			}
			if strings.HasPrefix(path, "/api/") && !json.Valid(rec.Body.Bytes()) {
				t.Fatalf("%s%s: not JSON: %s", path, v.Encode(), body)
			}
		}
	})
}

// --- benchmark -------------------------------------------------------------

// BenchmarkPublicSearch measures a search of a commune of 400 childminders
// (one in six with a green availability and its four weeks), in a store of
// 5,000: what the store reads (the count and one page), then the JSON and
// the page over HTTPS.
func BenchmarkPublicSearch(b *testing.B) {
	b.Run("SQLite", func(b *testing.B) { benchPublicSearch(b, servertest.OpenSQLite(b)) })
	b.Run("Postgres", func(b *testing.B) { benchPublicSearch(b, servertest.OpenPostgres(b)) })
}

func benchPublicSearch(b *testing.B, store data.CentralStore) {
	env := servertest.Start(b, store)
	ctx := context.Background()
	communes := []struct{ pc, name string }{{"92100", "Boulogne-Billancourt"}, {"92000", "Nanterre"}, {"92700", "Colombes"}}
	err := store.InTx(ctx, func(ctx context.Context) error {
		for i := range 5000 {
			c := communes[min(i%12, 2)] // 5000/12 ≈ 417 in Boulogne, 417 in Nanterre
			p := publicPerson(b, fmt.Sprintf("Nom%04d", i), "Prénom", c.pc, c.name, data.Listed, data.HabilitationActive)
			if i%50 == 0 {
				p.Habilitation = data.HabilitationSuspended
			}
			if err := store.CreateProfessional(ctx, p); err != nil {
				return err
			}
			if (i/12)%6 == 0 {
				if err := store.SaveAvailability(ctx, usedEverywhere(p.ID, data.ColourGreen)); err != nil {
					return err
				}
			}
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	boulogne := []string{"92012"}
	total, err := store.CountPublicListings(ctx, boulogne, server.PublicMaxListings+1)
	if err != nil || total < 300 {
		b.Fatalf("CountPublicListings: %d, %v", total, err)
	}
	// What a search reads of the store: the count, then one page (the
	// first, or the last).
	for name, offset := range map[string]int{"FindPublicListings": 0, "FindPublicListingsLastPage": (total - 1) / server.PublicPageSize * server.PublicPageSize} {
		b.Run(name, func(b *testing.B) {
			for b.Loop() {
				if _, err := store.CountPublicListings(ctx, boulogne, server.PublicMaxListings+1); err != nil {
					b.Fatal(err)
				}
				list, err := store.FindPublicListings(ctx, boulogne, offset, server.PublicPageSize)
				if err != nil || len(list) == 0 {
					b.Fatal(len(list), err)
				}
			}
		})
	}
	for name, path := range map[string]string{"JSON": "/api/v1/public/search?q=92100", "Page": "/recherche?q=92100"} {
		b.Run(name, func(b *testing.B) {
			for b.Loop() {
				env.Clock.Advance(time.Minute) // keep clear of the politeness limit
				r := env.Do(b, "GET", path, "", nil)
				if r.Status != http.StatusOK {
					b.Fatalf("%s", r)
				}
				b.SetBytes(int64(len(r.Body)))
			}
		})
	}
}
