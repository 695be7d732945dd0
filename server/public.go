package server

import (
	"bytes"
	"context"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"encoding/json"
	"html/template"
	"io/fs"
	"math"
	"mime"
	"net/http"
	"net/netip"
	"net/url"
	"path"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"

	"espacepro/data"
	"espacepro/sync/wire"
)

// The parents' search (SPEC §7): the page at « / » and « /recherche », and
// its JSON twin « /api/v1/public/search ». Both answers come from one
// function, Service.publicSearch, and what parents may see of each
// professional from one function, data.PublicView.

// Limits of the public search.
const (
	// PublicMaxListings is the most professionals one search finds; a
	// search that finds more says so (Truncated).
	PublicMaxListings = 1000
	// PublicPageSize is the number of professionals of one page of results:
	// a page stays light (some 30 kB, 600 kB when every one shows her four
	// weeks) and quick to render.
	PublicPageSize = 30
	// PublicSuggestions is the number of communes the search box suggests.
	PublicSuggestions = 10
	// PublicMaxAge is how long a browser or a proxy may keep an answer.
	PublicMaxAge = 60 * time.Second
	// PublicRate and PublicBurst are the politeness limit of one client
	// address: PublicBurst calls at once, then PublicRate calls a second.
	PublicRate  = 1.0
	PublicBurst = 60
)

//go:embed templates/*.html
var templateFS embed.FS

//go:embed static
var staticFS embed.FS

// publicTemplate is the page (public.html, each result in fiche.html); it
// is parsed once, at start-up.
var publicTemplate = template.Must(template.New("public.html").Funcs(template.FuncMap{
	"join":        strings.Join,
	"notInformed": func() string { return data.NotInformed },
	"maxListings": func() int { return PublicMaxListings },
}).ParseFS(templateFS, "templates/*.html"))

// --- the result, built once for the page and the JSON ---------------------

// publicResult is the answer of a parents' search. Its JSON is the answer of
// GET /api/v1/public/search; the page renders the same value.
type publicResult struct {
	Query     string          `json:"query"`               // what was searched, as typed (or the commune chosen)
	Date      string          `json:"date,omitempty"`      // the date asked for, ISO
	DateNote  string          `json:"date_note,omitempty"` // French: why no tab shows that date
	Today     string          `json:"today"`               // ISO, in the zone of the communes searched
	Communes  []wire.Commune  `json:"communes"`            // the communes searched: the one asked for, then its neighbours of the same postal code
	Choices   []wire.Commune  `json:"choices"`             // several communes answer to the name: the person chooses, nothing is searched
	Total     int             `json:"total"`               // professionals found (at most PublicMaxListings)
	Page      int             `json:"page"`                // this page of Listings, from 1
	Pages     int             `json:"pages"`               // pages of PublicPageSize; 0 when nothing was found
	Listings  []publicListing `json:"listings"`
	Truncated bool            `json:"truncated"` // more than PublicMaxListings were found

	asked publicQuery // to link the other pages
}

// publicListing is one professional as parents see her: never an e-mail.
type publicListing struct {
	ID             string                  `json:"id"`
	Kind           string                  `json:"kind"`
	KindLabel      string                  `json:"kind_label"` // « Assistante maternelle », « Structure d'accueil »…
	Name           string                  `json:"name"`
	Address        wire.Address            `json:"address"`
	Phone          string                  `json:"phone,omitempty"` // « 06 12 34 56 78 »
	PlacesAgreed   int                     `json:"places_agreed"`
	Capacity       int                     `json:"capacity,omitempty"`
	OpeningHours   string                  `json:"opening_hours,omitempty"`
	ColourLabel    string                  `json:"colour_label"`    // « Disponibilités », « Aucune disponibilité », « Non renseigné »
	ColourSentence string                  `json:"colour_sentence"` // the seed's sentence, for parents
	Availability   wire.PublicAvailability `json:"availability"`
	DateTab        *int                    `json:"date_tab,omitempty"` // index in availability.tabs of the tab holding the date asked for
}

// publicQuery is what a parent asks: a commune name or a postal code (or a
// commune by INSEE code, from the list of choices), and maybe a date.
type publicQuery struct {
	Text, INSEE, Date string
	Page              int // from 1; 0 or less means 1
}

// publicQueryOf reads the query of the page and of its JSON twin.
func publicQueryOf(r *http.Request) publicQuery {
	q := r.URL.Query()
	page, _ := strconv.Atoi(q.Get("page"))
	return publicQuery{Text: strings.TrimSpace(q.Get("q")), INSEE: strings.TrimSpace(q.Get("commune")),
		Date: strings.TrimSpace(q.Get("date")), Page: page}
}

// publicSearch answers a parents' search: the communes meant, then the
// professionals of those communes whom parents may find, each as
// data.PublicView shows her on today's date in her own zone.
func (s *Service) publicSearch(ctx context.Context, q publicQuery) (*publicResult, error) {
	now := s.Now()
	res := &publicResult{Query: q.Text, Communes: []wire.Commune{}, Choices: []wire.Commune{}, Listings: []publicListing{}, asked: q}
	var asked data.Date
	if q.Date != "" {
		d, err := data.ParseFrenchDate(q.Date)
		if err != nil {
			return nil, &data.Error{Code: data.EINVALID, Message: data.ErrorMessage(err), Fields: map[string]string{"date": data.ErrorMessage(err)}}
		}
		asked, res.Date = d, d.String()
	}
	communes, choices, err := s.publicCommunes(q)
	if err != nil {
		return nil, err
	}
	if q.Text == "" && len(communes) > 0 {
		res.Query = communes[0].Name
	}
	for _, c := range choices {
		res.Choices = append(res.Choices, wireCommune(c))
	}
	if len(communes) == 0 {
		return res, nil
	}
	today := data.Today(now, communes[0].Department)
	res.Today = today.String()
	inseeList := make([]string, len(communes))
	for i, c := range communes {
		res.Communes = append(res.Communes, wireCommune(c))
		inseeList[i] = c.INSEE
	}
	if !asked.IsZero() {
		res.DateNote = dateNote(asked, today)
	}
	// One page, read in SQL: the count (at most one more than a search
	// shows), then the page asked for, with the availability of its
	// professionals only.
	found, err := s.store.CountPublicListings(ctx, inseeList, PublicMaxListings+1)
	if err != nil {
		return nil, err
	}
	res.paginate(found, q.Page)
	if res.Total == 0 {
		return res, nil
	}
	offset := (res.Page - 1) * PublicPageSize
	page, err := s.store.FindPublicListings(ctx, inseeList, offset, min(PublicPageSize, res.Total-offset))
	if err != nil {
		return nil, err
	}
	for _, l := range page {
		if l.Professional.VisibleToParents() { // the store promises it; the rule is data's
			res.Listings = append(res.Listings, publicListingOf(l, now, asked))
		}
	}
	return res, nil
}

// paginate sets the count and the pages of res from the number of
// professionals found (the store counts at most PublicMaxListings+1): at
// most PublicMaxListings of them are shown, in pages of PublicPageSize, and
// a page beyond the last shows the last.
func (res *publicResult) paginate(found, page int) {
	if found > PublicMaxListings {
		found, res.Truncated = PublicMaxListings, true
	}
	res.Total, res.Pages = found, (found+PublicPageSize-1)/PublicPageSize
	res.Page = min(max(page, 1), max(res.Pages, 1))
}

// publicListingOf builds what parents see of one professional.
func publicListingOf(l data.PublicListing, now time.Time, asked data.Date) publicListing {
	p := l.Professional
	view := data.PublicView(p, l.Availability, data.Today(now, p.Department))
	addr := p.Address
	out := publicListing{ID: p.ID, Kind: string(p.Kind), KindLabel: kindLabel(p), Name: p.DisplayName(),
		Address: wire.Address{Number: addr.Number, StreetType: addr.StreetType, StreetName: addr.StreetName,
			PostalCode: addr.PostalCode, CommuneINSEE: addr.CommuneINSEE, CommuneName: addr.CommuneName},
		Phone: data.FormatPhone(p.Phone), PlacesAgreed: p.PlacesAgreed, Capacity: p.Capacity,
		OpeningHours: p.OpeningHours, ColourLabel: view.Colour.ParentLabel(),
		ColourSentence: view.Colour.ParentSentence(), Availability: wire.PublicAvailabilityOf(view)}
	if !asked.IsZero() {
		for i, t := range view.Tabs {
			if tabHolds(t.Tab, asked) {
				out.DateTab = &i
				break
			}
		}
	}
	return out
}

// tabHolds reports whether tab shows date d: a week tab its seven days, a
// 1 January or 1 September tab the seven days from that date (the week it
// describes).
func tabHolds(tab data.Tab, d data.Date) bool {
	return !d.Before(tab.Date) && d.Before(tab.Date.AddDays(data.DaysPerWeek))
}

// dateNote says why no tab shows date d on date today, or "" when one does.
func dateNote(d, today data.Date) string {
	tabs := data.AvailabilityTabs(today)[1:]
	for _, t := range tabs {
		if tabHolds(t, d) {
			return ""
		}
	}
	if d.Before(tabs[0].Date) {
		return "La date du " + d.French() + " est passée : voici les disponibilités publiées à partir de la semaine courante."
	}
	return "Aucune disponibilité n'est publiée pour le " + d.French() +
		" : les professionnels renseignent la semaine courante et les trois suivantes, ainsi que le 1er janvier et le 1er septembre à venir. Voici ce qui est publié."
}

func kindLabel(p *data.Professional) string {
	switch {
	case p.Kind == data.KindStructure:
		return "Structure d'accueil"
	case p.Civility == data.CivilityM:
		return "Assistant maternel"
	default:
		return "Assistante maternelle"
	}
}

func wireCommune(c data.Commune) wire.Commune {
	return wire.Commune{INSEE: c.INSEE, Name: c.Name, Department: c.Department, PostalCodes: c.PostalCodes}
}

// chosenSuggestion reads what the suggestions offer: « Nom (92100) ».
var chosenSuggestion = regexp.MustCompile(`^(.*\S)\s*\((\d{5})\)$`)

// publicCommunes returns the communes a query means — the commune and its
// neighbours sharing its postal codes — or, when a name fits several
// communes, those communes to choose from.
func (s *Service) publicCommunes(q publicQuery) (communes, choices []data.Commune, err error) {
	if q.INSEE != "" {
		c, ok := s.ref.Commune(strings.ToUpper(q.INSEE))
		if !ok {
			return nil, nil, data.Errorf(data.ENOTFOUND, "Aucune commune n'a le code INSEE « %s » : recherchez-la par son nom ou son code postal.", q.INSEE)
		}
		return s.withNeighbours(c), nil, nil
	}
	text := q.Text
	if msg := checkSearchText(text); msg != "" {
		return nil, nil, &data.Error{Code: data.EINVALID, Message: msg, Fields: map[string]string{"q": msg}}
	}
	if digits := strings.ReplaceAll(text, " ", ""); strings.Trim(digits, "0123456789") == "" {
		list, err := s.ref.CommunesOfPostalCode(digits)
		if err != nil {
			return nil, nil, &data.Error{Code: data.ErrorCode(err), Message: data.ErrorMessage(err),
				Fields: map[string]string{"q": data.ErrorMessage(err)}}
		}
		return list, nil, nil
	}
	if m := chosenSuggestion.FindStringSubmatch(text); m != nil {
		if c, err := s.ref.ResolveCommune(m[2], m[1], ""); err == nil {
			return s.withNeighbours(c), nil, nil
		}
		text = m[1]
	}
	return s.communesNamed(text)
}

// maxSearchText bounds what the search box takes: the longest commune name
// has 45 letters.
const maxSearchText = 100

// checkSearchText returns what is wrong with the text of the search box, or
// "".
func checkSearchText(text string) string {
	switch {
	case text == "":
		return "Indiquez une commune ou un code postal."
	case len(text) > maxSearchText:
		return "Le texte recherché est trop long : indiquez le nom d'une commune ou un code postal."
	}
	return ""
}

// communesNamed finds the communes of a name: the one whose name it is (as
// data.Reference.ResolveCommune compares names: « St » for « Saint », no
// accents, case or hyphens), or those to choose from when several have that
// name, or when it only starts some names.
func (s *Service) communesNamed(name string) (communes, choices []data.Commune, err error) {
	candidates := s.ref.SearchCommunes(name, 50)
	var exact []data.Commune
	for _, c := range candidates {
		if len(c.PostalCodes) == 0 {
			continue
		}
		if r, err := s.ref.ResolveCommune(c.PostalCodes[0], name, ""); err == nil && r.INSEE == c.INSEE {
			exact = append(exact, c)
		}
	}
	switch {
	case len(exact) == 1:
		return s.withNeighbours(exact[0]), nil, nil
	case len(exact) > 1:
		return nil, exact, nil
	case len(candidates) == 1:
		return s.withNeighbours(candidates[0]), nil, nil
	case len(candidates) > 1:
		return nil, candidates[:min(len(candidates), 20)], nil
	}
	msg := "Aucune commune ne s'appelle « " + name + " » : vérifiez l'orthographe, ou indiquez le code postal."
	return nil, nil, &data.Error{Code: data.ENOTFOUND, Message: msg, Fields: map[string]string{"q": msg}}
}

// withNeighbours returns c, then the other communes of its postal codes by
// name: a parent looks around her commune, and a postal code is the
// neighbourhood she knows.
func (s *Service) withNeighbours(c data.Commune) []data.Commune {
	out := []data.Commune{c}
	seen := map[string]bool{c.INSEE: true}
	for _, pc := range c.PostalCodes {
		list, err := s.ref.CommunesOfPostalCode(pc)
		if err != nil {
			continue
		}
		for _, n := range list {
			if !seen[n.INSEE] {
				seen[n.INSEE] = true
				out = append(out, n)
			}
		}
	}
	return out
}

// --- handlers --------------------------------------------------------------

// publicRoutes registers the public page and its files. Its JSON twin and
// the suggestions are API routes (apiRoutes, documented in openapi.yaml).
func (s *Server) publicRoutes() {
	publicLimiters.Store(s, newPublicLimiter(PublicRate, PublicBurst))
	s.mux.HandleFunc("GET /{$}", s.handlePublicPage)
	s.mux.HandleFunc("GET /recherche", s.handlePublicPage)
	s.mux.HandleFunc("GET /static/{file}", s.handlePublicStatic)
}

// handlePublicPage serves the search page: the form alone at « / » without
// a query, else the results of the search, a list of communes to choose
// from, or a French message saying what is wrong.
func (s *Server) handlePublicPage(w http.ResponseWriter, r *http.Request) {
	setPageHeaders(w)
	q := publicQueryOf(r)
	page := publicPage{Query: q.Text, Date: q.Date, Status: http.StatusOK}
	if !s.allowPublic(w, r) {
		page.Status, page.Message = http.StatusTooManyRequests, tooManyRequests
		s.renderPublic(w, r, page)
		return
	}
	if d, err := data.ParseFrenchDate(q.Date); err == nil {
		page.DateInput = d.String()
	}
	if q.Text != "" || q.INSEE != "" || r.URL.Path != "/" {
		res, err := s.svc.publicSearch(r.Context(), q)
		if err != nil {
			page.Status, page.Message = statusOf(data.ErrorCode(err)), data.ErrorMessage(err)
			page.Field = fieldOf(err)
			if page.Status == http.StatusInternalServerError {
				s.log.Error("public search", "err", err)
			}
		}
		page.Result = res
		if res != nil && page.Query == "" {
			page.Query = res.Query
		}
	}
	s.renderPublic(w, r, page)
}

// handlePublicSearch is the JSON twin of the page (wire.PublicAvailability
// for the availability), with an ETag.
func (s *Server) handlePublicSearch(w http.ResponseWriter, r *http.Request) {
	if !s.allowPublic(w, r) {
		s.writeError(w, r, data.Errorf(data.ERATELIMIT, "%s", tooManyRequests))
		return
	}
	res, err := s.svc.publicSearch(r.Context(), publicQueryOf(r))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	body, err := json.Marshal(res)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeCached(w, r, "application/json; charset=utf-8", append(body, '\n'), PublicMaxAge)
}

// handlePublicCommunes suggests communes for the search box: those whose
// name, or one of whose postal codes, starts with q.
func (s *Server) handlePublicCommunes(w http.ResponseWriter, r *http.Request) {
	if !s.allowPublic(w, r) {
		s.writeError(w, r, data.Errorf(data.ERATELIMIT, "%s", tooManyRequests))
		return
	}
	out := []wire.Commune{}
	if q := strings.TrimSpace(r.URL.Query().Get("q")); q != "" {
		for _, c := range s.svc.ref.SearchCommunes(q, PublicSuggestions) {
			out = append(out, wireCommune(c))
		}
	}
	body, err := json.Marshal(out)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeCached(w, r, "application/json; charset=utf-8", append(body, '\n'), time.Hour)
}

// handlePublicStatic serves the page's style sheet and script.
func (s *Server) handlePublicStatic(w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("file")
	body, err := fs.ReadFile(staticFS, "static/"+name)
	if err != nil {
		http.NotFound(w, r)
		return
	}
	setPageHeaders(w)
	writeCached(w, r, mime.TypeByExtension(path.Ext(name)), body, time.Hour)
}

// tooManyRequests is the politeness limit's answer.
const tooManyRequests = "Trop de recherches en peu de temps depuis votre connexion : patientez quelques secondes, puis recommencez."

// fieldOf returns the query parameter an error is about ("" for none).
func fieldOf(err error) string {
	for f := range data.ErrorFields(err) {
		return f
	}
	return ""
}

// setPageHeaders sets the headers of the page and its files: only our own
// style sheet and script, no framing, no sniffing.
func setPageHeaders(w http.ResponseWriter) {
	h := w.Header()
	h.Set("Content-Security-Policy", "default-src 'none'; style-src 'self'; script-src 'self'; connect-src 'self'; img-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "same-origin")
}

// writeCached answers body with an ETag (a hash of the body), kept maxAge
// by browsers and proxies; a request whose If-None-Match holds that ETag is
// answered 304 without a body.
func writeCached(w http.ResponseWriter, r *http.Request, contentType string, body []byte, maxAge time.Duration) {
	sum := sha256.Sum256(body)
	etag := `"` + hex.EncodeToString(sum[:16]) + `"`
	h := w.Header()
	h.Set("ETag", etag)
	h.Set("Cache-Control", "public, max-age="+strconv.Itoa(int(maxAge.Seconds())))
	if etagMatches(r.Header.Get("If-None-Match"), etag) {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	h.Set("Content-Type", contentType)
	h.Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(http.StatusOK)
	w.Write(body)
}

// etagMatches reports whether an If-None-Match header names etag (the weak
// comparison of RFC 9110 §13.1.2).
func etagMatches(header, etag string) bool {
	for _, t := range strings.Split(header, ",") {
		t = strings.TrimPrefix(strings.TrimSpace(t), "W/")
		if t == "*" || t == etag {
			return true
		}
	}
	return false
}

// --- the page --------------------------------------------------------------

// publicPage is what the template renders.
type publicPage struct {
	Query     string        // the search box
	Date      string        // the date as typed
	DateInput string        // the date box (ISO), when the date reads
	Status    int           // the answer's status
	Message   string        // French: what went wrong
	Field     string        // the field the message is about: "q" or "date"
	Result    *publicResult // nil on the empty form
}

// Title is the page's title: what was searched first, as a screen reader
// announces it.
func (p publicPage) Title() string {
	const site = "Trouver un mode d'accueil — Espace professionnel"
	switch {
	case p.Message != "":
		return "Erreur : " + p.Message + " — " + site
	case p.Result != nil && len(p.Result.Choices) > 0:
		return "Choisissez votre commune : " + p.Result.Query + " — " + site
	case p.Result != nil:
		return resultCount(len(p.Result.Listings)) + " à " + p.Result.Query + " — " + site
	}
	return site
}

func resultCount(n int) string {
	switch n {
	case 0:
		return "Aucun résultat"
	case 1:
		return "1 résultat"
	}
	return strconv.Itoa(n) + " résultats"
}

// Neighbours returns the communes searched beside the one asked for.
func (r *publicResult) Neighbours() []wire.Commune {
	if len(r.Communes) < 2 {
		return nil
	}
	return r.Communes[1:]
}

// Count is the heading of the results.
func (r *publicResult) Count() string { return resultCount(r.Total) }

// Range says which results this page shows, when there are several pages:
// « Résultats 31 à 60 sur 65 ».
func (r *publicResult) Range() string {
	if r.Pages < 2 {
		return ""
	}
	first := (r.Page-1)*PublicPageSize + 1
	return "Résultats " + strconv.Itoa(first) + " à " + strconv.Itoa(first+len(r.Listings)-1) + " sur " + strconv.Itoa(r.Total)
}

// pageLink is one link of the pagination; Gap stands for pages left out.
type pageLink struct {
	N       int
	URL     string
	Current bool
	Gap     bool
}

// PageLinks returns the links to the pages: the first, the last, and two on
// each side of this one, with gaps between.
func (r *publicResult) PageLinks() []pageLink {
	var out []pageLink
	for n := 1; n <= r.Pages; n++ {
		switch {
		case n == 1 || n == r.Pages || (n >= r.Page-2 && n <= r.Page+2):
			out = append(out, pageLink{N: n, URL: r.PageURL(n), Current: n == r.Page})
		case len(out) > 0 && !out[len(out)-1].Gap:
			out = append(out, pageLink{Gap: true})
		}
	}
	return out
}

// PageURL returns the address of page n of the same search.
func (r *publicResult) PageURL(n int) string {
	v := url.Values{}
	if r.asked.INSEE != "" {
		v.Set("commune", r.asked.INSEE)
	} else {
		v.Set("q", r.asked.Text)
	}
	if r.asked.Date != "" {
		v.Set("date", r.asked.Date)
	}
	if n > 1 {
		v.Set("page", strconv.Itoa(n))
	}
	return "/recherche?" + v.Encode()
}

// PrevURL and NextURL return the addresses of the pages around this one, or
// "" at either end.
func (r *publicResult) PrevURL() string {
	if r.Page <= 1 {
		return ""
	}
	return r.PageURL(r.Page - 1)
}

// NextURL returns the address of the next page, or "" on the last.
func (r *publicResult) NextURL() string {
	if r.Page >= r.Pages {
		return ""
	}
	return r.PageURL(r.Page + 1)
}

// DateFrench returns the date asked for as parents write it.
func (r *publicResult) DateFrench() string {
	d, err := data.ParseDate(r.Date)
	if err != nil {
		return ""
	}
	return d.French()
}

// ChoiceURL returns the address of the search for commune c, keeping the
// date.
func (r *publicResult) ChoiceURL(c wire.Commune) string {
	v := url.Values{"commune": {c.INSEE}}
	if r.Date != "" {
		v.Set("date", r.Date)
	}
	return "/recherche?" + v.Encode()
}

// Structures and Childminders split the listings for the page's two
// sections (the store returns structures first).
func (r *publicResult) Structures() []publicListing { return r.byKind(data.KindStructure) }

// Childminders returns the childminders of the listings.
func (r *publicResult) Childminders() []publicListing { return r.byKind(data.KindChildminder) }

func (r *publicResult) byKind(k data.Kind) []publicListing {
	var out []publicListing
	for _, l := range r.Listings {
		if l.Kind == string(k) {
			out = append(out, l)
		}
	}
	return out
}

// TelURL returns the tel: address of the phone number.
func (l publicListing) TelURL() template.URL {
	return template.URL("tel:" + strings.ReplaceAll(l.Phone, " ", ""))
}

// Street returns « 12 rue des Lilas ».
func (l publicListing) Street() string { return l.Address.Domain().Line() }

// Informed reports whether parents see the detail of at least one tab.
func (l publicListing) Informed() bool {
	for _, t := range l.Availability.Tabs {
		if t.Informed {
			return true
		}
	}
	return false
}

// tabView is one tab as the page shows it.
type tabView struct {
	wire.PublicTab
	Title string    // « Semaine courante : du lundi 02/03/2026 au dimanche 08/03/2026 » (a no-break space before the colon)
	Heads []dayHead // the columns
	Rows  []rowView // the rows: seven slots, or one for a dated tab
	Asked bool      // it holds the date asked for
	Open  bool      // shown unfolded
}

type dayHead struct{ Name, Date string }

type rowView struct {
	Label string
	Cells []cellView
}

type cellView struct {
	Letter string // D, N, T
	Label  string // « Disponible »…
}

// Tabs returns the listing's tabs for the page: the one holding the date
// asked for first and unfolded, else the first informed one unfolded.
func (l publicListing) Tabs() []tabView {
	var out []tabView
	for i, t := range l.Availability.Tabs {
		v := newTabView(t)
		v.Asked = l.DateTab != nil && *l.DateTab == i
		if v.Asked {
			out = append([]tabView{v}, out...)
		} else {
			out = append(out, v)
		}
	}
	for i := range out {
		if out[i].Informed && (out[i].Asked || l.DateTab == nil) {
			out[i].Open = true
			break
		}
	}
	return out
}

func newTabView(t wire.PublicTab) tabView {
	v := tabView{PublicTab: t}
	start, _ := data.ParseDate(t.Date)
	if t.Kind == "dated" {
		v.Title = "Au " + start.French()
	} else {
		v.Title = t.Label + "\u00a0: du lundi " + start.French() + " au dimanche " + start.AddDays(6).French()
	}
	for d := range data.DaysPerWeek {
		h := dayHead{Name: data.DayNames[d]}
		if t.Kind == "week" {
			h.Date = start.AddDays(d).French()[:5]
		}
		v.Heads = append(v.Heads, h)
	}
	switch {
	case t.Grid != nil:
		for slot, label := range data.SlotLabels {
			row := rowView{Label: label}
			for d := range data.DaysPerWeek {
				row.Cells = append(row.Cells, cellOf(t.Grid[d][slot]))
			}
			v.Rows = append(v.Rows, row)
		}
	case t.Days != "":
		row := rowView{Label: "Toute la journée"}
		for i := range len(t.Days) {
			row.Cells = append(row.Cells, cellOf(t.Days[i]))
		}
		v.Rows = append(v.Rows, row)
	}
	return v
}

func cellOf(letter byte) cellView {
	return cellView{Letter: string(letter), Label: data.SlotState(letter).Label()}
}

// PlacesText returns « 2 places disponibles annoncées », or "".
func (v tabView) PlacesText() string {
	switch {
	case v.Places == nil:
		return ""
	case *v.Places == 0:
		return "Aucune place disponible annoncée"
	case *v.Places == 1:
		return "1 place disponible annoncée"
	}
	return strconv.Itoa(*v.Places) + " places disponibles annoncées"
}

// renderPublic writes the page with its status; a page that answers 200 is
// cached like the JSON.
func (s *Server) renderPublic(w http.ResponseWriter, r *http.Request, page publicPage) {
	var buf bytes.Buffer
	if err := publicTemplate.Execute(&buf, page); err != nil {
		s.log.Error("public page", "err", err)
		http.Error(w, "Une erreur interne est survenue. Réessayez plus tard.", http.StatusInternalServerError)
		return
	}
	if page.Status == http.StatusOK {
		writeCached(w, r, "text/html; charset=utf-8", buf.Bytes(), PublicMaxAge)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(page.Status)
	w.Write(buf.Bytes())
}

// --- the politeness limit ----------------------------------------------------

// publicLimiters holds each Server's limiter (the Server's fields are
// https.go's; production runs one Server per process, tests many).
var publicLimiters sync.Map // *Server → *publicLimiter

// allowPublic takes a token from the caller's bucket; when it is empty it
// sets Retry-After and returns false, and the caller answers 429.
func (s *Server) allowPublic(w http.ResponseWriter, r *http.Request) bool {
	v, ok := publicLimiters.Load(s)
	if !ok {
		return true
	}
	wait, ok := v.(*publicLimiter).take(clientKey(r), s.svc.Now())
	if !ok {
		w.Header().Set("Retry-After", strconv.Itoa(int(math.Ceil(wait.Seconds()))))
	}
	return ok
}

// clientKey is the bucket of a call: its address, or its /64 for IPv6 (one
// household holds a whole /64).
func clientKey(r *http.Request) string {
	a, err := netip.ParseAddr(clientAddress(r))
	if err != nil {
		return clientAddress(r)
	}
	if a.Is4() || a.Is4In6() {
		return a.Unmap().String()
	}
	p, _ := a.Prefix(64)
	return p.String()
}

// publicLimiter is a token bucket per client address, in memory. It is only
// a politeness limit, so it is per service instance: behind a load balancer
// of n instances a client may reach n times the rate, and every client seen
// through a proxy shares the proxy's bucket (the service reads the
// connection's address, as the login throttle does).
type publicLimiter struct {
	mu      sync.Mutex
	rate    float64 // tokens a second
	burst   float64
	buckets map[string]*tokenBucket
	swept   time.Time
}

type tokenBucket struct {
	tokens float64
	at     time.Time
}

// maxBuckets is the number of buckets beyond which full ones are dropped.
const maxBuckets = 10000

func newPublicLimiter(rate float64, burst int) *publicLimiter {
	return &publicLimiter{rate: rate, burst: float64(burst), buckets: map[string]*tokenBucket{}}
}

// take takes a token of key's bucket at now; when there is none it returns
// false and how long until there is one.
func (l *publicLimiter) take(key string, now time.Time) (time.Duration, bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.sweep(now)
	b, ok := l.buckets[key]
	if !ok {
		b = &tokenBucket{tokens: l.burst, at: now}
		l.buckets[key] = b
	}
	b.tokens = l.level(b, now)
	b.at = now
	if b.tokens < 1 {
		return time.Duration((1 - b.tokens) / l.rate * float64(time.Second)), false
	}
	b.tokens--
	return 0, true
}

// level returns b's tokens at now.
func (l *publicLimiter) level(b *tokenBucket, now time.Time) float64 {
	elapsed := now.Sub(b.at).Seconds()
	if elapsed < 0 {
		elapsed = 0
	}
	return math.Min(l.burst, b.tokens+elapsed*l.rate)
}

// sweep drops the full buckets once there are many, at most once a minute.
func (l *publicLimiter) sweep(now time.Time) {
	if len(l.buckets) < maxBuckets || now.Sub(l.swept) < time.Minute {
		return
	}
	l.swept = now
	for k, b := range l.buckets {
		if l.level(b, now) >= l.burst {
			delete(l.buckets, k)
		}
	}
}
