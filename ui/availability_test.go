package ui

import (
	"image/color"
	"math"
	"slices"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"espacepro/data"
)

// availNow is Monday 30 November 2026, 10:00 in Paris: the current week
// starts that day and 1 December is the next day.
var availNow = time.Date(2026, 11, 30, 10, 0, 0, 0, data.DepartmentLocation("92"))

// availPro is a childminder of the Hauts-de-Seine with an active habilitation.
func availPro() *data.Professional {
	return &data.Professional{
		ID: "pro-1", Kind: data.KindChildminder, Department: "92", CafCode: "921",
		Civility: data.CivilityMme, LastName: "Dupont", FirstName: "Marie",
		Address:      data.Address{Number: "12", StreetType: "rue", StreetName: "des Lilas", PostalCode: "92100", CommuneName: "Boulogne-Billancourt"},
		PlacesAgreed: 4, Listing: data.Listed, Habilitation: data.HabilitationActive,
	}
}

// availDate returns the civil date y-m-d.
func availDate(y int, m time.Month, d int) data.Date { return data.Date{Year: y, Month: m, Day: d} }

// newAvailTest opens the availability screen of p at now in a test window,
// on f.
func newAvailTest(t *testing.T, f *fakeService, p *data.Professional, now time.Time) (*availabilityScreen, fyne.Window) {
	t.Helper()
	a := test.NewTempApp(t)
	w := a.NewWindow("test")
	t.Cleanup(w.Close)
	s := newAvailabilityScreen(f, w, p, func() time.Time { return now })
	w.SetContent(s.content)
	w.Resize(fyne.NewSize(1200, 900))
	// A second layout pass, as the app's driver makes at its next frame:
	// wrapped labels know their height once they know their width.
	s.content.Refresh()
	return s, w
}

// availCalls counts the calls to method.
func availCalls(f *fakeService, method string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	n := 0
	for _, c := range f.calls {
		if c == method || strings.HasPrefix(c, method+" ") {
			n++
		}
	}
	return n
}

// availButton returns the visible button labelled text, dialogs first.
func availButton(t *testing.T, w fyne.Window, text string) *widget.Button {
	t.Helper()
	var roots []fyne.CanvasObject
	for _, o := range slices.Backward(w.Canvas().Overlays().List()) {
		roots = append(roots, o)
	}
	roots = append(roots, w.Canvas().Content())
	for _, root := range roots {
		for _, o := range test.LaidOutObjects(root) {
			if b, ok := o.(*widget.Button); ok && b.Text == text && b.Visible() {
				return b
			}
		}
	}
	t.Fatalf("no button %q", text)
	return nil
}

// availShowsWrapped is assertShows for texts that may be drawn on several
// lines.
func availShowsWrapped(t *testing.T, w fyne.Window, want ...string) {
	t.Helper()
	all := strings.Join(texts(w), " ")
	for _, s := range want {
		if !strings.Contains(all, s) {
			t.Errorf("window does not show %q; it shows %q", s, all)
		}
	}
}

// availTextsOf returns the visible texts drawn by o.
func availTextsOf(o fyne.CanvasObject) []string {
	var out []string
	for _, obj := range test.LaidOutObjects(o) {
		if t, ok := obj.(*canvas.Text); ok && obj.Visible() && t.Text != "" {
			out = append(out, t.Text)
		}
	}
	return out
}

// availUse sets a weekly or dated tab's « Utiliser les informations
// ci-dessous ».
func availUse(p *availabilityPanel, use bool) {
	if use {
		p.use.SetSelected("Utiliser les informations ci-dessous")
	} else {
		p.use.SetSelected("Ne pas spécifier d'informations")
	}
}

func TestAvailabilityTabsAndDates(t *testing.T) {
	s, w := newAvailTest(t, newFakeService(), availPro(), availNow)
	var labels []string
	for _, it := range s.appTabs.Items {
		labels = append(labels, it.Text)
	}
	want := []string{"Disponibilité globale", "Semaine courante", "S+1", "S+2", "S+3", "01/01/2027", "01/09/2027"}
	if !slices.Equal(labels, want) {
		t.Errorf("tabs = %q, want %q", labels, want)
	}

	s.appTabs.SelectIndex(1)
	assertShows(t, w, "Saisie des disponibilités pour la semaine du 30/11/2026",
		"Ne pas spécifier d'informations", "Utiliser les informations ci-dessous",
		"Lundi", "30/11/2026", "Dimanche", "06/12/2026",
		"Avant 6 heures", "Après 23 heures", "Toute la journée :",
		"Recopier la semaine précédente", "Tout remplir :", "Nombre de places disponibles :",
		"Valider", "Annuler", "Aperçu parents")
	s.appTabs.SelectIndex(3)
	assertShows(t, w, "Saisie des disponibilités pour la semaine du 14/12/2026", "14/12/2026", "20/12/2026")
	s.appTabs.SelectIndex(5)
	assertShows(t, w, "Saisie des disponibilités au 01/01/2027", "Lundi", "Dimanche", "Disponibilité :",
		"Tout remplir :", "Valider")
	// A dated tab has one value per weekday: one labelled row of cells, no
	// « Toute la journée » select nor copy.
	if got := availTextsOf(s.panels[4].content); slices.Contains(got, "Toute la journée :") || slices.Contains(got, "Recopier la semaine précédente") {
		t.Errorf("the dated tab shows %q", got)
	}
	if s.panels[4].grid.selects != nil || len(s.panels[4].grid.cells[0]) != 1 {
		t.Errorf("the dated grid has %d selects and %d rows, want none and 1", len(s.panels[4].grid.selects), len(s.panels[4].grid.cells[0]))
	}
	s.appTabs.SelectIndex(0)
	assertShows(t, w, "Saisie des disponibilités globales",
		"Vous n'avez aucune disponibilité sur les périodes proposées.",
		"Vous avez des disponibilités sur les périodes proposées.",
		"Vous ne souhaitez pas renseigner vos disponibilités.", "Valider")
	if s.global[data.ColourGrey].Selected == "" {
		t.Error("nothing saved: the global colour should be grey")
	}

	// A Sunday belongs to the week begun the Monday before (SPEC §5).
	s2, _ := newAvailTest(t, newFakeService(), availPro(), time.Date(2026, 11, 29, 23, 30, 0, 0, data.DepartmentLocation("92")))
	if got := s2.panels[0].tab.Date; got != availDate(2026, 11, 23) {
		t.Errorf("current week on Sunday 29/11/2026 = %v", got)
	}
}

func TestAvailabilityCellCyclesWhenTapped(t *testing.T) {
	s, _ := newAvailTest(t, newFakeService(), availPro(), availNow)
	p := s.panels[1]
	availUse(p, true)
	cell := p.grid.cells[2][3] // Wednesday, « Temps de midi »
	for _, want := range []data.SlotState{data.Available, data.Unavailable, data.NotWorked, data.Available} {
		test.Tap(cell)
		if cell.state != want {
			t.Fatalf("after a tap the cell is %q, want %q", cell.state.Label(), want.Label())
		}
	}
	if got := p.values().grid[2][3]; got != data.Available {
		t.Errorf("the tab's value is %q", got.Label())
	}
	if !s.hasUnsavedChanges() {
		t.Error("hasUnsavedChanges false after an edit")
	}
}

func TestAvailabilityCellKeyboard(t *testing.T) {
	s, w := newAvailTest(t, newFakeService(), availPro(), availNow)
	s.appTabs.SelectIndex(1)
	p := s.panels[0]
	availUse(p, true)
	w.Canvas().Focus(p.grid.cells[0][0])
	key := func(k fyne.KeyName) { w.Canvas().Focused().TypedKey(&fyne.KeyEvent{Name: k}) }

	key(fyne.KeySpace)
	if got := p.grid.cells[0][0].state; got != data.Available {
		t.Errorf("Space: cell is %q", got.Label())
	}
	key(fyne.KeyRight)
	key(fyne.KeyDown)
	if w.Canvas().Focused() != p.grid.cells[1][1] {
		t.Fatalf("Right then Down should focus Tuesday's second slot, focused %v", w.Canvas().Focused())
	}
	key(fyne.KeyReturn)
	key(fyne.KeyReturn)
	if got := p.grid.cells[1][1].state; got != data.Unavailable {
		t.Errorf("Enter twice: cell is %q", got.Label())
	}
	key(fyne.KeyLeft)
	key(fyne.KeyLeft) // stays on the first column
	key(fyne.KeyUp)
	if w.Canvas().Focused() != p.grid.cells[0][0] {
		t.Errorf("Left, Left, Up should come back to Monday's first slot")
	}
}

func TestAvailabilityWholeDay(t *testing.T) {
	s, _ := newAvailTest(t, newFakeService(), availPro(), availNow)
	p := s.panels[1]
	availUse(p, true)
	p.grid.selects[4].SetSelected("Disponible")
	for slot := range data.SlotsPerDay {
		if got := p.grid.cells[4][slot].state; got != data.Available {
			t.Errorf("Friday slot %d is %q after « Toute la journée : Disponible »", slot, got.Label())
		}
	}
	if got := p.grid.cells[3][0].state; got != data.NotWorked {
		t.Errorf("Thursday changed too: %q", got.Label())
	}
	test.Tap(p.grid.cells[4][2])
	if got, ph := p.grid.selects[4].Selected, p.grid.selects[4].PlaceHolder; got != "" || ph != "(variable)" {
		t.Errorf("a mixed day's select shows %q (placeholder %q), want the placeholder « (variable) »", got, ph)
	}
	s.appTabs.SelectIndex(2)
	if got := availTextsOf(p.grid.content); !slices.Contains(got, "(variable)") {
		t.Errorf("a mixed day does not show « (variable) »: %q", got)
	}
	test.Tap(p.grid.cells[4][2])
	test.Tap(p.grid.cells[4][2])
	if got := p.grid.selects[4].Selected; got != "Disponible" {
		t.Errorf("a day all « Disponible » shows %q", got)
	}

	// A dated tab: one value per weekday, set by its cell.
	d := s.panels[4]
	availUse(d, true)
	test.Tap(d.grid.cells[0][0])
	test.Tap(d.grid.cells[0][0])
	if got := d.values().days[0]; got != data.Unavailable {
		t.Errorf("dated Monday is %q", got.Label())
	}
}

func TestAvailabilityNotSpecifiedDisablesTheGrid(t *testing.T) {
	s, _ := newAvailTest(t, newFakeService(), availPro(), availNow)
	p := s.panels[0]
	if p.use.Selected != "Ne pas spécifier d'informations" {
		t.Fatalf("a new week says %q", p.use.Selected)
	}
	if !p.grid.cells[0][0].Disabled() || !p.grid.selects[0].Disabled() || !p.fill[data.Available].Disabled() {
		t.Fatal("the grid of an unused week should be disabled")
	}
	test.Tap(p.grid.cells[0][0])
	if p.grid.cells[0][0].state != data.NotWorked {
		t.Error("a disabled cell changed when tapped")
	}

	availUse(p, true)
	if p.grid.cells[0][0].Disabled() {
		t.Fatal("« Utiliser les informations ci-dessous » should enable the grid")
	}
	test.Tap(p.grid.cells[0][0])
	availUse(p, false)
	if !p.grid.cells[0][0].Disabled() {
		t.Error("« Ne pas spécifier d'informations » should disable the grid")
	}
	if got := p.grid.cells[0][0].state; got != data.Available {
		t.Errorf("the disabled grid lost its value: %q", got.Label())
	}

	// Disabled cells stay readable: their own colour, faded, and dark text.
	fill := func(c *slotCell) color.Color {
		return test.WidgetRenderer(c).(*slotCellRenderer).bg.FillColor
	}
	on, off := p.grid.cells[0][0], p.grid.cells[0][1] // Disponible, Non travaillé
	r := test.WidgetRenderer(on).(*slotCellRenderer)
	if fill(on) == fill(off) || fill(on) == slotFill(data.Available) {
		t.Errorf("disabled fills %v and %v: want the states' colours, faded", fill(on), fill(off))
	}
	if r.text.Text != "Disponible" || availContrast(r.text.Color, fill(on)) < 4.5 {
		t.Errorf("disabled text %q in %v on %v: contrast %.1f, want 4.5 or more",
			r.text.Text, r.text.Color, fill(on), availContrast(r.text.Color, fill(on)))
	}
}

// availContrast returns the WCAG contrast ratio of two opaque colours.
func availContrast(a, b color.Color) float64 {
	lum := func(c color.Color) float64 {
		n := color.NRGBAModel.Convert(c).(color.NRGBA)
		ch := func(v uint8) float64 {
			x := float64(v) / 255
			if x <= 0.03928 {
				return x / 12.92
			}
			return math.Pow((x+0.055)/1.055, 2.4)
		}
		return 0.2126*ch(n.R) + 0.7152*ch(n.G) + 0.0722*ch(n.B)
	}
	la, lb := lum(a), lum(b)
	return (max(la, lb) + 0.05) / (min(la, lb) + 0.05)
}

func TestAvailabilityValiderSavesAllTabsAtOnce(t *testing.T) {
	f := newFakeService()
	f.status.Online, f.status.LoggedIn = true, true
	s, w := newAvailTest(t, f, availPro(), availNow)
	saved := 0
	s.onSaved = func() { saved++ }

	s.selectGlobal(data.ColourGreen)
	week := s.panels[1] // S+1
	availUse(week, true)
	test.Tap(week.grid.cells[0][2])
	test.Type(week.places, "2")
	jan := s.panels[4] // 01/01/2027
	availUse(jan, true)
	test.Tap(jan.grid.cells[1][0])

	test.Tap(s.valider)

	if n := availCalls(f, "SaveAvailability"); n != 1 {
		t.Fatalf("%d SaveAvailability calls, want 1", n)
	}
	if saved != 1 {
		t.Errorf("onSaved called %d times", saved)
	}
	a := f.avail["pro-1"]
	if a.Global != data.ColourGreen {
		t.Errorf("global = %q", a.Global)
	}
	wk, ok := a.WeekOf(availDate(2026, 12, 7))
	if !ok || !wk.Use || wk.Grid[0][2] != data.Available || wk.Grid[0][3] != data.NotWorked || data.FormatPlaces(wk.Places) != "2" {
		t.Errorf("week of 07/12/2026 saved as %+v (found %v)", wk, ok)
	}
	dt, ok := a.DatedOf(availDate(2027, 1, 1))
	if !ok || !dt.Use || dt.Days[1] != data.Available || dt.Days[0] != data.NotWorked {
		t.Errorf("01/01/2027 saved as %+v (found %v)", dt, ok)
	}
	if _, ok := a.WeekOf(availDate(2026, 12, 14)); ok {
		t.Error("an untouched, never saved week was sent")
	}
	if s.hasUnsavedChanges() {
		t.Error("hasUnsavedChanges true after Valider")
	}
	assertShows(t, w, "Vos disponibilités sont enregistrées, en attente d'envoi au serveur.")
}

func TestAvailabilityValiderOffline(t *testing.T) {
	f := newFakeService()
	f.status.Online, f.status.LoggedIn = false, true
	s, w := newAvailTest(t, f, availPro(), availNow)
	s.selectGlobal(data.ColourRed)
	test.Tap(s.valider)
	assertShows(t, w, "Vos disponibilités sont enregistrées sur cet ordinateur : elles seront envoyées au serveur à la prochaine connexion.")
	if f.avail["pro-1"].Global != data.ColourRed {
		t.Error("not saved offline")
	}
}

func TestAvailabilityValiderError(t *testing.T) {
	f := newFakeService()
	f.fail["SaveAvailability"] = data.Errorf(data.EINTERNAL, "Enregistrement impossible.")
	s, w := newAvailTest(t, f, availPro(), availNow)
	s.selectGlobal(data.ColourGreen)
	test.Tap(s.valider)
	assertShows(t, w, "Enregistrement impossible.")
	if !s.hasUnsavedChanges() {
		t.Error("a failed save lost the changes")
	}
}

func TestAvailabilityAnnulerDropsEveryTab(t *testing.T) {
	f := newFakeService()
	f.avail["pro-1"] = &data.Availability{ProfessionalID: "pro-1", Global: data.ColourGreen,
		Weeks: []data.Week{{Monday: availDate(2026, 11, 30), Use: true, Grid: data.NewWeekGrid()}}}
	s, w := newAvailTest(t, f, availPro(), availNow)
	before := s.current()

	s.selectGlobal(data.ColourRed)
	test.Tap(s.panels[0].grid.cells[0][0])
	availUse(s.panels[2], true)
	test.Type(s.panels[5].places, "3")
	if !s.hasUnsavedChanges() {
		t.Fatal("no unsaved changes after edits")
	}

	test.Tap(s.annuler)
	availShowsWrapped(t, w, "Les modifications de tous les onglets depuis le dernier enregistrement seront perdues.")
	test.Tap(availButton(t, w, "Annuler les modifications"))

	if s.current() != before {
		t.Error("Annuler did not restore the saved values")
	}
	if s.globalColour() != data.ColourGreen || s.panels[0].grid.cells[0][0].state != data.NotWorked ||
		s.panels[2].values().use || s.panels[5].places.Text != "" {
		t.Error("a tab kept its change")
	}
	if s.hasUnsavedChanges() {
		t.Error("hasUnsavedChanges true after Annuler")
	}
	if f.called("SaveAvailability") {
		t.Error("Annuler saved")
	}
}

func TestAvailabilityAnnulerCanBeDismissed(t *testing.T) {
	s, w := newAvailTest(t, newFakeService(), availPro(), availNow)
	s.selectGlobal(data.ColourRed)
	test.Tap(s.annuler)
	test.Tap(availButton(t, w, "Continuer la saisie"))
	if s.globalColour() != data.ColourRed || !s.hasUnsavedChanges() {
		t.Error("dismissing the question dropped the changes")
	}
}

func TestAvailabilityConfirmLeave(t *testing.T) {
	f := newFakeService()
	s, w := newAvailTest(t, f, availPro(), availNow)
	left := 0
	s.confirmLeave(func() { left++ })
	if left != 1 || w.Canvas().Overlays().Top() != nil {
		t.Fatal("without changes confirmLeave should go on at once")
	}

	s.selectGlobal(data.ColourGreen)
	s.confirmLeave(func() { left++ })
	availShowsWrapped(t, w, "Vous avez des modifications non enregistrées. Voulez-vous les enregistrer avant de quitter cet écran ?",
		"Enregistrer", "Ne pas enregistrer", "Annuler")
	test.Tap(availButton(t, w, "Annuler"))
	if left != 1 || !s.hasUnsavedChanges() {
		t.Fatal("« Annuler » should stay with the changes")
	}

	s.confirmLeave(func() { left++ })
	test.Tap(availButton(t, w, "Ne pas enregistrer"))
	if left != 2 || s.hasUnsavedChanges() || f.called("SaveAvailability") {
		t.Fatal("« Ne pas enregistrer » should drop the changes and go on")
	}

	s.selectGlobal(data.ColourGreen)
	s.confirmLeave(func() { left++ })
	test.Tap(availButton(t, w, "Enregistrer"))
	if left != 3 || availCalls(f, "SaveAvailability") != 1 || f.avail["pro-1"].Global != data.ColourGreen {
		t.Fatal("« Enregistrer » should save then go on")
	}
}

func TestAvailabilityPlacesError(t *testing.T) {
	f := newFakeService()
	s, w := newAvailTest(t, f, availPro(), availNow)
	p := s.panels[2] // S+2
	test.Type(p.places, "1000")
	s.appTabs.SelectIndex(0)
	test.Tap(s.valider)
	if f.called("SaveAvailability") {
		t.Fatal("saved with a wrong number of places")
	}
	if got := s.appTabs.SelectedIndex(); got != 3 {
		t.Errorf("the tab shown is %d, want S+2 (3)", got)
	}
	assertShows(t, w,
		"Le nombre de places de l'onglet « S+2 » est invalide : corrigez-le avant de valider.",
		"Nombre de places invalide : indiquez un nombre entier entre 0 et 999, ou laissez vide.")

	p.places.SetText("")
	test.Type(p.places, "3")
	if p.placesError.Visible() {
		t.Error("the error stays after a valid number")
	}
	test.Tap(s.valider)
	wk, ok := f.avail["pro-1"].WeekOf(availDate(2026, 12, 14))
	if !ok || data.FormatPlaces(wk.Places) != "3" {
		t.Errorf("places saved as %+v", wk)
	}
}

func TestAvailabilityCopyPreviousWeek(t *testing.T) {
	s, w := newAvailTest(t, newFakeService(), availPro(), availNow)
	if !s.panels[0].copyPrev.Disabled() {
		t.Error("the current week's copy should be disabled when the week before was never saved")
	}
	s.appTabs.SelectIndex(1)
	assertShows(t, w, "(aucune semaine précédente enregistrée)")
	if !s.panels[0].copyHint.Visible() {
		t.Error("the disabled copy does not say why")
	}
	if s.panels[1].copyPrev.Disabled() || s.panels[1].copyHint.Visible() {
		t.Error("S+1 copies the current week: its copy should be enabled, without a hint")
	}
	cur := s.panels[0]
	availUse(cur, true)
	cur.grid.selects[0].SetSelected("Disponible")
	test.Tap(cur.grid.cells[1][6])
	test.Type(cur.places, "1")

	test.Tap(s.panels[1].copyPrev)
	if got, want := s.panels[1].values(), cur.values(); got != want {
		t.Errorf("S+1 after the copy = %+v, want %+v", got, want)
	}

	// The current week copies the week before it, as saved.
	f := newFakeService()
	prev := data.NewWeekGrid()
	prev.SetDay(2, data.Unavailable)
	f.avail["pro-1"] = &data.Availability{ProfessionalID: "pro-1", Global: data.ColourGreen,
		Weeks: []data.Week{{Monday: availDate(2026, 11, 23), Use: true, Grid: prev, Places: data.PlacesOf(2)}}}
	s2, _ := newAvailTest(t, f, availPro(), availNow)
	if s2.panels[0].copyPrev.Disabled() || s2.panels[0].copyHint.Visible() {
		t.Fatal("the current week's copy is disabled, or says so, although the week before was saved")
	}
	test.Tap(s2.panels[0].copyPrev)
	v := s2.panels[0].values()
	if !v.use || v.grid != prev || v.places != "2" {
		t.Errorf("current week after the copy = %+v", v)
	}
}

func TestAvailabilityFillAll(t *testing.T) {
	s, _ := newAvailTest(t, newFakeService(), availPro(), availNow)
	p := s.panels[3]
	availUse(p, true)
	test.Tap(p.fill[data.Unavailable])
	want := data.NewWeekGrid()
	want.Fill(data.Unavailable)
	if p.grid.week() != want {
		t.Error("« Tout remplir : Non disponible » did not fill the grid")
	}
	for d := range data.DaysPerWeek {
		if got := p.grid.selects[d].Selected; got != "Non disponible" {
			t.Errorf("day %d shows %q", d, got)
		}
	}
	d := s.panels[5]
	availUse(d, true)
	test.Tap(d.fill[data.Available])
	if d.values().days != (data.WeekDays{'D', 'D', 'D', 'D', 'D', 'D', 'D'}) {
		t.Errorf("dated tab after fill = %q", d.values().days.Encode())
	}
}

func TestAvailabilityReminders(t *testing.T) {
	f := newFakeService()
	s, w := newAvailTest(t, f, availPro(), availNow)
	assertShows(t, w,
		"Vos disponibilités de la semaine courante et de la semaine prochaine ne sont pas renseignées.",
		"Pensez à mettre à jour vos disponibilités avant le 01/12/2026 (décret 2021-1131).")

	// Both weeks filled: the week reminders go, and so does the deadline's
	// once she has updated.
	availUse(s.panels[0], true)
	availUse(s.panels[1], true)
	test.Tap(s.valider)
	for _, text := range texts(w) {
		if strings.Contains(text, "ne sont pas renseignées") || strings.Contains(text, "Pensez à") {
			t.Errorf("reminder still shown after saving: %q", text)
		}
	}

	// Only the current week empty, on 20 November.
	f2 := newFakeService()
	f2.avail["pro-1"] = &data.Availability{ProfessionalID: "pro-1", Global: data.ColourGreen,
		Weeks: []data.Week{{Monday: availDate(2026, 11, 23), Use: true, Grid: data.NewWeekGrid()}}}
	_, w2 := newAvailTest(t, f2, availPro(), time.Date(2026, 11, 20, 9, 0, 0, 0, data.DepartmentLocation("92")))
	assertShows(t, w2,
		"Vos disponibilités de la semaine courante ne sont pas renseignées.",
		"Pensez à mettre à jour vos disponibilités avant le 01/12/2026 (décret 2021-1131).")

	// Far from a deadline, and before 1 June.
	for now, want := range map[time.Time]string{
		time.Date(2026, 10, 15, 9, 0, 0, 0, time.UTC): "",
		time.Date(2027, 5, 10, 9, 0, 0, 0, time.UTC):  "Pensez à mettre à jour vos disponibilités avant le 01/06/2027 (décret 2021-1131).",
		time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC):  "",
	} {
		s3, _ := newAvailTest(t, newFakeService(), availPro(), now)
		got := s3.reminderTexts()
		has := slices.ContainsFunc(got, func(t string) bool { return strings.HasPrefix(t, "Pensez à") })
		if (want == "") == has || (want != "" && !slices.Contains(got, want)) {
			t.Errorf("%s: reminders %q, want %q", now.Format(time.DateOnly), got, want)
		}
	}
}

func TestAvailabilityPreview(t *testing.T) {
	f := newFakeService()
	s, w := newAvailTest(t, f, availPro(), availNow)
	s.selectGlobal(data.ColourGreen)
	availUse(s.panels[0], false) // Semaine courante: not shown
	next := s.panels[1]          // S+1: shown
	availUse(next, true)
	next.grid.selects[0].SetSelected("Disponible")
	test.Type(next.places, "2")

	test.Tap(s.preview)
	assertShows(t, w, "Aperçu parents",
		"Marie DUPONT", "Assistante maternelle", "Disponibilités",
		"Adresse : 12 rue des Lilas, 92100 Boulogne-Billancourt", "Places agréées : 4",
		"Semaine courante : du lundi 30/11/2026 au dimanche 06/12/2026 : disponibilités non renseignées",
		"S+1 : du lundi 07/12/2026 au dimanche 13/12/2026",
		"2 places disponibles annoncées", "Disponible", "Non travaillé", "Temps de midi 11h30 - 13h30",
		"Au 01/01/2027 : disponibilités non renseignées",
		"Ces valeurs ne sont pas encore enregistrées : les parents ne les verront qu'après « Valider » et l'envoi au serveur.")
	if f.called("SaveAvailability") {
		t.Error("the preview saved")
	}
}

func TestAvailabilityPreviewNothingInformed(t *testing.T) {
	s, w := newAvailTest(t, newFakeService(), availPro(), availNow)
	availUse(s.panels[1], true) // used, but the global colour is grey
	test.Tap(s.preview)
	assertShows(t, w, "Non renseigné", " — N'a pas renseigné ses disponibilités.",
		"Détail par semaine, au 1er janvier et au 1er septembre : disponibilités non renseignées.")
}

func TestAvailabilityPreviewHidden(t *testing.T) {
	p := availPro()
	p.Habilitation = data.HabilitationSuspended
	s, w := newAvailTest(t, newFakeService(), p, availNow)
	test.Tap(s.preview)
	assertShows(t, w, "Vous n'apparaissez pas dans la recherche des parents",
		"Votre habilitation est suspendue par votre Caf. Contactez la Caf de votre département pour la faire réactiver.")
}

func TestAvailabilityReload(t *testing.T) {
	f := newFakeService()
	s, _ := newAvailTest(t, f, availPro(), availNow)

	// A sync brought a new colour: reload shows it.
	f.avail["pro-1"] = &data.Availability{ProfessionalID: "pro-1", Global: data.ColourRed}
	s.reload()
	if s.globalColour() != data.ColourRed || s.hasUnsavedChanges() {
		t.Fatalf("reload without changes shows %q", s.globalColour())
	}

	// Unsaved changes are kept.
	s.selectGlobal(data.ColourGreen)
	f.avail["pro-1"] = &data.Availability{ProfessionalID: "pro-1", Global: data.ColourGrey}
	calls := availCalls(f, "Availability")
	s.reload()
	if s.globalColour() != data.ColourGreen || availCalls(f, "Availability") != calls {
		t.Error("reload dropped unsaved changes")
	}
}

func TestAvailabilityLoadError(t *testing.T) {
	f := newFakeService()
	f.fail["Availability"] = data.Errorf(data.EINTERNAL, "Copie locale illisible.")
	s, w := newAvailTest(t, f, availPro(), availNow)
	assertShows(t, w, "Copie locale illisible.")
	if !s.valider.Disabled() {
		t.Error("Valider enabled although nothing could be read")
	}
}

func TestAvailabilityForAStructure(t *testing.T) {
	p := availPro()
	p.Kind, p.StructureName, p.Capacity = data.KindStructure, "Crèche de l'Houmeau", 30
	s, w := newAvailTest(t, newFakeService(), p, availNow)
	assertShows(t, w, "Crèche de l'Houmeau", "Disponibilité globale", "Semaine courante")
	test.Tap(s.preview)
	assertShows(t, w, "Structure d'accueil", "Capacité d'accueil : 30 places")
}

func TestAvailabilityGoldens(t *testing.T) {
	f := newFakeService()
	f.avail["pro-1"] = &data.Availability{ProfessionalID: "pro-1", Global: data.ColourGreen}
	s, w := newAvailTest(t, f, availPro(), availNow)
	test.AssertRendersToMarkup(t, "availability_global.xml", w.Canvas())

	s.appTabs.SelectIndex(2)
	p := s.panels[1]
	availUse(p, true)
	for d := range 5 {
		p.grid.selects[d].SetSelected("Disponible")
		p.grid.set(d, 0, data.NotWorked)
		p.grid.set(d, 6, data.NotWorked)
	}
	p.grid.set(2, 5, data.Unavailable)
	test.Type(p.places, "2")
	test.AssertRendersToMarkup(t, "availability_week.xml", w.Canvas())

	// The current week, not shown to parents: its faded grid, and why its
	// copy is disabled.
	s.appTabs.SelectIndex(1)
	cur := s.panels[0]
	availUse(cur, true)
	test.Tap(cur.fill[data.Available])
	cur.grid.set(5, 0, data.Unavailable)
	availUse(cur, false)
	test.AssertRendersToMarkup(t, "availability_week_unused.xml", w.Canvas())

	// A dated tab: one labelled row of cells.
	s.appTabs.SelectIndex(5)
	jan := s.panels[4]
	availUse(jan, true)
	for d := range 5 {
		test.Tap(jan.grid.cells[d][0])
	}
	test.Tap(jan.grid.cells[2][0])
	test.AssertRendersToMarkup(t, "availability_dated.xml", w.Canvas())
}
