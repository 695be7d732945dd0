package ui

import (
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"espacepro/data"
	"espacepro/sync/client"
)

// detailTabs is the number of weekly and dated tabs: four weeks, then the
// next 1 January and 1 September.
const detailTabs = data.WeekTabs + 2

// deadlineReminderDays is how long before 1 June and 1 December the screen
// reminds to update (décret 2021-1131 asks for an update before each).
const deadlineReminderDays = 30

// availabilityTabValues is what one weekly or dated tab holds on screen. A weekly tab
// uses grid, a dated tab days; the other keeps its default so that values
// compare with ==.
type availabilityTabValues struct {
	use    bool          // « Utiliser les informations ci-dessous »
	grid   data.WeekGrid // a week's cells
	days   data.WeekDays // a dated tab's weekdays
	places string        // « Nombre de places disponibles », as typed
}

// newAvailabilityTabValues returns a tab never filled in: « Non travaillé » everywhere,
// « Ne pas spécifier d'informations », no places.
func newAvailabilityTabValues() availabilityTabValues {
	return availabilityTabValues{grid: data.NewWeekGrid(), days: data.NewWeekDays()}
}

// availabilityValues is everything the screen holds: the global colour and
// the six weekly and dated tabs, in the order of the tabs.
type availabilityValues struct {
	global data.Colour
	tabs   [detailTabs]availabilityTabValues
}

// availabilityScreen is where a childminder or a structure keeps her
// availability up to date (SPEC §5): the global colour, the current week and
// the next three, the next 1 January and 1 September. « Valider » saves all
// the tabs at once, « Annuler » drops every change since the last save.
type availabilityScreen struct {
	content fyne.CanvasObject
	// onSaved is called after a successful « Valider », so that the app
	// refreshes its sync status.
	onSaved func()

	svc   Service
	win   fyne.Window
	p     *data.Professional
	today data.Date
	tabs  []data.Tab // the seven tabs, global first

	appTabs   *container.AppTabs
	global    map[data.Colour]*widget.RadioGroup
	panels    [detailTabs]*availabilityPanel
	reminders *fyne.Container
	bottom    *fyne.Container // message and buttons
	message   *widget.Label   // result of « Valider », errors
	unsaved   *widget.Label   // « Modifications non enregistrées »
	valider   *widget.Button
	annuler   *widget.Button
	preview   *widget.Button

	loaded   *data.Availability // as last read or saved
	saved    availabilityValues // loaded, as the screen shows it
	ready    bool               // loaded once: « Valider » may save
	updated  bool               // saved during this session
	applying bool               // widgets are being set from values
}

// globalColours lists the global colours in the seed's order.
var globalColours = []data.Colour{data.ColourRed, data.ColourGreen, data.ColourGrey}

// newAvailabilityScreen builds the screen of p and loads her availability
// in the background. now gives the time; today is computed in the zone of
// p's département.
func newAvailabilityScreen(svc Service, win fyne.Window, p *data.Professional, now func() time.Time) *availabilityScreen {
	s := &availabilityScreen{svc: svc, win: win, p: p}
	s.today = data.Today(now(), p.Department)
	s.tabs = data.AvailabilityTabs(s.today)
	s.saved = defaultAvailabilityValues()

	s.appTabs = container.NewAppTabs(container.NewTabItem(availabilityTabLabel(s.tabs[0]), s.globalTab()))
	for i, tab := range s.tabs[1:] {
		s.panels[i] = s.newDetailPanel(i, tab)
		s.appTabs.Append(container.NewTabItem(availabilityTabLabel(tab), s.panels[i].content))
	}

	s.message = newMessageLabel(widget.MediumImportance)
	s.unsaved = widget.NewLabelWithStyle(lang.L("Modifications non enregistrées"), fyne.TextAlignLeading, fyne.TextStyle{Italic: true})
	s.unsaved.Hide()
	s.valider = widget.NewButton(lang.L("Valider"), func() { s.save(nil) })
	s.valider.Importance = widget.HighImportance
	s.valider.Disable() // until loaded
	s.annuler = widget.NewButton(lang.L("Annuler"), s.tapCancel)
	s.preview = widget.NewButtonWithIcon(lang.L("Aperçu parents"), theme.VisibilityIcon(), s.showPreview)
	s.reminders = container.NewVBox()

	top := container.NewVBox(s.identity(), s.reminders)
	s.bottom = container.NewVBox(widget.NewSeparator(), s.message,
		container.NewHBox(s.preview, s.unsaved, layout.NewSpacer(), s.annuler, s.valider))
	s.content = container.NewPadded(container.NewBorder(top, s.bottom, nil, nil, s.appTabs))

	s.apply(s.saved)
	s.load() // then shows the reminders
	return s
}

// availabilityTabLabel returns the translated label of a tab: a fixed
// label, or the date of a dated tab.
func availabilityTabLabel(t data.Tab) string {
	switch t.Label {
	case "Disponibilité globale":
		return lang.L("Disponibilité globale")
	case "Semaine courante":
		return lang.L("Semaine courante")
	case "S+1":
		return lang.L("S+1")
	case "S+2":
		return lang.L("S+2")
	case "S+3":
		return lang.L("S+3")
	}
	return t.Label
}

// availabilityTabTitle returns the heading inside a tab, worded as in the seed.
func availabilityTabTitle(t data.Tab) string {
	switch t.Kind {
	case data.TabWeek:
		return lang.L("Saisie des disponibilités pour la semaine du {{.Date}}", map[string]any{"Date": t.Date.French()})
	case data.TabDated:
		return lang.L("Saisie des disponibilités au {{.Date}}", map[string]any{"Date": t.Date.French()})
	}
	return lang.L("Saisie des disponibilités globales")
}

// identity shows who the availability is for, as the seed's screens do:
// the name in bold, then « — » and the address (a structure's name is not
// the person's shown in the app's header).
func (s *availabilityScreen) identity() fyne.CanvasObject {
	var parts []string
	if street := s.p.Address.Line(); street != "" {
		parts = append(parts, street)
	}
	if town := strings.TrimSpace(s.p.Address.PostalCode + " " + strings.ToUpper(s.p.Address.CommuneName)); town != "" {
		parts = append(parts, town)
	}
	segments := []widget.RichTextSegment{&widget.TextSegment{Text: s.p.DisplayName(), Style: widget.RichTextStyleStrong}}
	if len(parts) > 0 {
		segments = append(segments, &widget.TextSegment{Text: " — " + strings.Join(parts, ", "), Style: widget.RichTextStyleInline})
	}
	return widget.NewRichText(segments...)
}

// globalTab builds « Disponibilité globale »: the seed's three sentences,
// each with its colour.
func (s *availabilityScreen) globalTab() fyne.CanvasObject {
	intro := wrappedLabel(lang.L("La disponibilité globale est un indicateur générique qui est obligatoirement renseigné."))
	detail := wrappedLabel(lang.L("Les disponibilités hebdomadaires, de septembre ou de janvier sont indiquées aux parents si vous sélectionnez le bouton « Vous avez des disponibilités sur les périodes proposées »."))
	rows := []fyne.CanvasObject{
		heading(availabilityTabTitle(s.tabs[0])), intro, detail,
		widget.NewLabel(lang.L("Indiquer la disponibilité globale :")),
	}
	s.global = map[data.Colour]*widget.RadioGroup{}
	for _, c := range globalColours {
		radio := widget.NewRadioGroup([]string{lang.L(c.Sentence())}, nil)
		radio.Required = true
		radio.OnChanged = func(selected string) {
			if selected == "" {
				return
			}
			for other, r := range s.global {
				if other != c {
					r.SetSelected("")
				}
			}
			s.changed()
		}
		s.global[c] = radio
		rows = append(rows, container.NewHBox(colourSwatch(c), radio))
	}
	rows = append(rows, wrappedLabel(lang.L("Veuillez renseigner les tableaux proposés dans chacun des onglets avant de valider.")))
	return container.NewScroll(container.NewPadded(container.NewVBox(rows...)))
}

// selectGlobal checks the sentence of colour c.
func (s *availabilityScreen) selectGlobal(c data.Colour) {
	s.global[c].SetSelected(lang.L(c.Sentence()))
}

// globalColour returns the colour checked.
func (s *availabilityScreen) globalColour() data.Colour {
	for _, c := range globalColours {
		if s.global[c].Selected != "" {
			return c
		}
	}
	return data.ColourGrey
}

// availabilityPanel is one weekly or dated tab.
type availabilityPanel struct {
	tab         data.Tab
	use         *widget.RadioGroup
	grid        *slotGrid
	places      *widget.Entry
	placesError *widget.Label
	copyPrev    *widget.Button  // « Recopier la semaine précédente », weeks only
	copyHint    *widget.Label   // why copyPrev is disabled, weeks only
	shortcuts   *fyne.Container // the copy and « Tout remplir » buttons
	fill        map[data.SlotState]*widget.Button
	content     fyne.CanvasObject
}

// notUseLabel is the choice that hides a tab's detail from parents.
func notUseLabel() string { return lang.L("Ne pas spécifier d'informations") }

// useLabel is the choice that shows a tab's detail to parents.
func useLabel() string { return lang.L("Utiliser les informations ci-dessous") }

// newDetailPanel builds the i-th weekly or dated tab.
func (s *availabilityScreen) newDetailPanel(i int, tab data.Tab) *availabilityPanel {
	p := &availabilityPanel{tab: tab, fill: map[data.SlotState]*widget.Button{}}
	p.use = widget.NewRadioGroup([]string{notUseLabel(), useLabel()}, nil)
	p.use.Horizontal = true
	p.use.Required = true
	p.use.OnChanged = func(selected string) {
		p.setEnabled(selected == useLabel())
		s.changed()
	}
	help := wrappedLabel(lang.L("Choisissez « Utiliser les informations ci-dessous » pour que les parents voient ces informations ; sinon ils liront « disponibilités non renseignées »."))

	heads := make([]string, data.DaysPerWeek)
	for d := range heads {
		heads[d] = lang.L(data.DayNames[d])
	}
	if tab.Kind == data.TabWeek {
		// A row per time slot, and « Toute la journée » to set a whole day.
		var rows []string
		for d := range heads {
			heads[d] += "\n" + tab.Date.AddDays(d).French()
		}
		for _, l := range data.SlotLabels {
			rows = append(rows, lang.L(l))
		}
		p.grid = newSlotGrid(heads, rows, lang.L("Toute la journée :"))
	} else {
		// One value per weekday: a single row of cells, no select.
		p.grid = newSlotGrid(heads, []string{lang.L("Disponibilité :")}, "")
	}
	p.grid.onChanged = s.changed

	p.shortcuts = container.NewHBox()
	if tab.Kind == data.TabWeek {
		p.copyPrev = widget.NewButtonWithIcon(lang.L("Recopier la semaine précédente"), theme.ContentCopyIcon(), func() { s.copyPrevious(i) })
		p.copyHint = widget.NewLabelWithStyle(lang.L("(aucune semaine précédente enregistrée)"), fyne.TextAlignLeading, fyne.TextStyle{Italic: true})
		p.copyHint.Hide()
		if i == 0 {
			// The week before the current one is known once loaded.
			p.copyPrev.Disable()
		}
		p.shortcuts.Add(p.copyPrev)
		p.shortcuts.Add(p.copyHint)
		p.shortcuts.Add(widget.NewSeparator())
	}
	p.shortcuts.Add(widget.NewLabel(lang.L("Tout remplir :")))
	for _, st := range data.SlotStates {
		b := widget.NewButton(slotLabel(st), func() { p.grid.fill(st) })
		p.fill[st] = b
		p.shortcuts.Add(b)
	}

	p.places = widget.NewEntry()
	p.places.SetPlaceHolder(lang.L("facultatif"))
	p.placesError = newMessageLabel(widget.DangerImportance)
	p.places.OnChanged = func(string) {
		p.checkPlaces()
		s.changed()
	}
	placesRow := container.NewHBox(
		widget.NewLabel(lang.L("Nombre de places disponibles :")),
		container.NewGridWrap(fyne.NewSize(110, p.places.MinSize().Height), p.places),
		widget.NewLabel(lang.L("(de 0 à {{.Max}}, laissez vide pour ne pas l'indiquer)", map[string]any{"Max": data.MaxPlaces})),
	)

	box := container.NewVBox(
		heading(availabilityTabTitle(tab)),
		p.use,
		help,
		p.shortcuts,
		p.grid.content,
		placesRow,
		p.placesError,
	)
	p.content = container.NewScroll(container.NewPadded(box))
	return p
}

// checkPlaces shows the places entry's error next to it and returns the
// number typed (nil when empty).
func (p *availabilityPanel) checkPlaces() (data.Places, bool) {
	n, err := data.ParsePlaces(p.places.Text)
	text := ""
	if err != nil {
		text = lang.L("Nombre de places invalide : indiquez un nombre entier entre 0 et {{.Max}}, ou laissez vide.", map[string]any{"Max": data.MaxPlaces})
	}
	if text != p.placesError.Text || p.placesError.Visible() != (text != "") {
		setMessage(p.placesError, text)
		if p.content != nil {
			p.content.Refresh()
		}
	}
	return n, err == nil
}

// setEnabled greys out the grid and its shortcuts for « Ne pas spécifier
// d'informations »; the values stay.
func (p *availabilityPanel) setEnabled(on bool) {
	p.grid.setEnabled(on)
	for _, b := range p.fill {
		if on {
			b.Enable()
		} else {
			b.Disable()
		}
	}
}

// values returns what the tab shows.
func (p *availabilityPanel) values() availabilityTabValues {
	v := newAvailabilityTabValues()
	v.use = p.use.Selected == useLabel()
	v.places = p.places.Text
	if p.tab.Kind == data.TabWeek {
		v.grid = p.grid.week()
	} else {
		v.days = p.grid.days()
	}
	return v
}

// setValues shows v.
func (p *availabilityPanel) setValues(v availabilityTabValues) {
	if v.use {
		p.use.SetSelected(useLabel())
	} else {
		p.use.SetSelected(notUseLabel())
	}
	p.setEnabled(v.use)
	if p.tab.Kind == data.TabWeek {
		p.grid.setWeek(v.grid)
	} else {
		p.grid.setDays(v.days)
	}
	p.places.SetText(v.places)
	p.checkPlaces()
}

// defaultAvailabilityValues is what the screen shows when nothing was ever
// saved: grey, and every tab unused.
func defaultAvailabilityValues() availabilityValues {
	v := availabilityValues{global: data.ColourGrey}
	for i := range v.tabs {
		v.tabs[i] = newAvailabilityTabValues()
	}
	return v
}

// valuesOf returns how the screen shows a.
func (s *availabilityScreen) valuesOf(a *data.Availability) availabilityValues {
	v := defaultAvailabilityValues()
	if a == nil {
		return v
	}
	if a.Global.Valid() {
		v.global = a.Global
	}
	for i, tab := range s.tabs[1:] {
		switch tab.Kind {
		case data.TabWeek:
			if w, ok := a.WeekOf(tab.Date); ok {
				v.tabs[i].use, v.tabs[i].grid, v.tabs[i].places = w.Use, w.Grid, data.FormatPlaces(w.Places)
			}
		case data.TabDated:
			if x, ok := a.DatedOf(tab.Date); ok {
				v.tabs[i].use, v.tabs[i].days, v.tabs[i].places = x.Use, x.Days, data.FormatPlaces(x.Places)
			}
		}
	}
	return v
}

// current returns what the screen shows.
func (s *availabilityScreen) current() availabilityValues {
	v := availabilityValues{global: s.globalColour()}
	for i, p := range s.panels {
		v.tabs[i] = p.values()
	}
	return v
}

// apply shows v in every tab.
func (s *availabilityScreen) apply(v availabilityValues) {
	s.applying = true
	s.selectGlobal(v.global)
	for i, p := range s.panels {
		p.setValues(v.tabs[i])
	}
	s.applying = false
	s.changed()
}

// changed follows an edit: it shows whether changes wait to be saved.
func (s *availabilityScreen) changed() {
	if s.applying || s.bottom == nil {
		return
	}
	dirty := s.hasUnsavedChanges()
	if dirty && s.message.Importance != widget.DangerImportance {
		s.showMessage("", widget.MediumImportance)
	}
	if dirty != s.unsaved.Visible() {
		if dirty {
			s.unsaved.Show()
		} else {
			s.unsaved.Hide()
		}
		s.bottom.Refresh()
	}
}

// hasUnsavedChanges reports whether the screen holds changes not saved yet,
// in any tab.
func (s *availabilityScreen) hasUnsavedChanges() bool {
	return s.current() != s.saved
}

// load reads the saved availability in the background and shows it,
// dropping what the screen held.
func (s *availabilityScreen) load() {
	var a *data.Availability
	var err error
	background(func() {
		ctx, cancel := serviceContext()
		defer cancel()
		a, err = s.svc.Availability(ctx, s.p.ID)
	}, func() {
		if err != nil {
			s.showMessage(errorMessage(err), widget.DangerImportance)
			s.apply(s.saved)
			return
		}
		s.loaded = a
		s.saved = s.valuesOf(a)
		s.ready = true
		s.valider.Enable()
		s.apply(s.saved)
		s.refreshCopyButtons()
		s.refreshReminders()
	})
}

// reload re-reads the saved availability, after a sync brought changes;
// it does nothing while the screen holds unsaved changes, which it keeps.
func (s *availabilityScreen) reload() {
	if s.hasUnsavedChanges() {
		return
	}
	s.load()
}

// showMessage shows text under the tabs (nothing when text is empty).
func (s *availabilityScreen) showMessage(text string, importance widget.Importance) {
	if text == s.message.Text && importance == s.message.Importance && s.message.Visible() == (text != "") {
		return
	}
	s.message.Importance = importance
	setMessage(s.message, text)
	s.content.Refresh()
}

// availabilityOf returns the availability the values v stand for. Saving
// (strict), a tab is sent when it was saved before or differs from a new
// one, and a wrong number of places is an error naming the tab's index;
// otherwise (the parents' preview) every tab is given, a wrong number of
// places counting as none.
func (s *availabilityScreen) availabilityOf(v availabilityValues, strict bool) (*data.Availability, int, error) {
	a := &data.Availability{ProfessionalID: s.p.ID, Global: v.global}
	for i, tab := range s.tabs[1:] {
		tv := v.tabs[i]
		places, err := data.ParsePlaces(tv.places)
		if err != nil && strict {
			return nil, i, err
		}
		switch tab.Kind {
		case data.TabWeek:
			if !strict || s.wasSaved(tab) || tv != newAvailabilityTabValues() {
				a.Weeks = append(a.Weeks, data.Week{Monday: tab.Date, Use: tv.use, Grid: tv.grid, Places: places})
			}
		case data.TabDated:
			if !strict || s.wasSaved(tab) || tv != newAvailabilityTabValues() {
				a.Dated = append(a.Dated, data.Dated{Date: tab.Date, Use: tv.use, Days: tv.days, Places: places})
			}
		}
	}
	return a, -1, nil
}

// wasSaved reports whether a weekly or dated tab was saved before.
func (s *availabilityScreen) wasSaved(tab data.Tab) bool {
	if s.loaded == nil {
		return false
	}
	if tab.Kind == data.TabWeek {
		_, ok := s.loaded.WeekOf(tab.Date)
		return ok
	}
	_, ok := s.loaded.DatedOf(tab.Date)
	return ok
}

// save stores every tab at once (« Valider »), then calls then when it
// worked. A wrong number of places stops it and shows its tab.
func (s *availabilityScreen) save(then func()) {
	if !s.ready {
		return
	}
	values := s.current()
	a, bad, err := s.availabilityOf(values, true)
	if err != nil {
		s.panels[bad].checkPlaces()
		s.appTabs.SelectIndex(bad + 1)
		s.showMessage(lang.L("Le nombre de places de l'onglet « {{.Tab}} » est invalide : corrigez-le avant de valider.",
			map[string]any{"Tab": availabilityTabLabel(s.tabs[bad+1])}), widget.DangerImportance)
		return
	}
	s.valider.Disable()
	var status client.Status
	background(func() {
		ctx, cancel := serviceContext()
		defer cancel()
		if err = s.svc.SaveAvailability(ctx, a); err == nil {
			status = s.svc.State()
		}
	}, func() {
		s.valider.Enable()
		if err != nil {
			s.showMessage(errorMessage(err), widget.DangerImportance)
			return
		}
		s.loaded = mergeAvailability(s.loaded, a)
		s.saved = values
		s.updated = true
		s.showMessage(availabilitySavedMessage(status), widget.MediumImportance)
		s.changed()
		s.refreshCopyButtons()
		s.refreshReminders()
		call(s.onSaved)
		call(then)
	})
}

// availabilitySavedMessage tells that the availability is saved, and whether it still
// waits to reach the server.
func availabilitySavedMessage(st client.Status) string {
	switch {
	case !st.Online || !st.LoggedIn:
		return lang.L("Vos disponibilités sont enregistrées sur cet ordinateur : elles seront envoyées au serveur à la prochaine connexion.")
	case st.Pending > 0:
		return lang.L("Vos disponibilités sont enregistrées, en attente d'envoi au serveur.")
	}
	return lang.L("Vos disponibilités sont enregistrées.")
}

// mergeAvailability returns old with the global colour and the tabs of a
// replacing its own, as the store does.
func mergeAvailability(old, a *data.Availability) *data.Availability {
	out := &data.Availability{ProfessionalID: a.ProfessionalID, Global: a.Global}
	if old != nil {
		for _, w := range old.Weeks {
			if _, ok := a.WeekOf(w.Monday); !ok {
				out.Weeks = append(out.Weeks, w)
			}
		}
		for _, x := range old.Dated {
			if _, ok := a.DatedOf(x.Date); !ok {
				out.Dated = append(out.Dated, x)
			}
		}
	}
	out.Weeks = append(out.Weeks, a.Weeks...)
	out.Dated = append(out.Dated, a.Dated...)
	return out
}

// tapCancel drops every change since the last save (« Annuler »), after
// asking when there are some.
func (s *availabilityScreen) tapCancel() {
	if !s.hasUnsavedChanges() {
		s.load()
		return
	}
	d := dialog.NewConfirm(lang.L("Annuler les modifications"),
		lang.L("Les modifications de tous les onglets depuis le dernier enregistrement seront perdues."),
		func(ok bool) {
			if ok {
				s.showMessage("", widget.MediumImportance)
				s.load()
			}
		}, s.win)
	d.SetConfirmText(lang.L("Annuler les modifications"))
	d.SetDismissText(lang.L("Continuer la saisie"))
	d.Show()
}

// confirmLeave calls then at once when nothing waits to be saved; otherwise
// it asks whether to save first: « Enregistrer » saves then calls then when
// it worked, « Ne pas enregistrer » drops the changes and calls then,
// « Annuler » stays on the screen.
func (s *availabilityScreen) confirmLeave(then func()) {
	if !s.hasUnsavedChanges() {
		call(then)
		return
	}
	var d *dialog.CustomDialog
	save := widget.NewButton(lang.L("Enregistrer"), func() {
		d.Hide()
		s.save(then)
	})
	save.Importance = widget.HighImportance
	discard := widget.NewButton(lang.L("Ne pas enregistrer"), func() {
		d.Hide()
		s.apply(s.saved)
		call(then)
	})
	stay := widget.NewButton(lang.L("Annuler"), func() { d.Hide() })
	d = dialog.NewCustomWithoutButtons(lang.L("Modifications non enregistrées"),
		wrappedLabel(lang.L("Vous avez des modifications non enregistrées. Voulez-vous les enregistrer avant de quitter cet écran ?")), s.win)
	d.SetButtons([]fyne.CanvasObject{stay, discard, save})
	d.Resize(fyne.NewSize(480, d.MinSize().Height))
	d.Show()
}

// copyPrevious copies into weekly tab i the previous week: the tab before
// it, or for the current week the week before it as last saved.
func (s *availabilityScreen) copyPrevious(i int) {
	var v availabilityTabValues
	if i == 0 {
		w, ok := s.previousWeek()
		if !ok {
			return
		}
		v = newAvailabilityTabValues()
		v.use, v.grid, v.places = w.Use, w.Grid, data.FormatPlaces(w.Places)
	} else {
		v = s.panels[i-1].values()
	}
	s.applying = true
	s.panels[i].setValues(v)
	s.applying = false
	s.changed()
}

// previousWeek returns the saved week before the current one.
func (s *availabilityScreen) previousWeek() (data.Week, bool) {
	if s.loaded == nil {
		return data.Week{}, false
	}
	return s.loaded.WeekOf(s.tabs[1].Date.AddDays(-7))
}

// refreshCopyButtons enables « Recopier la semaine précédente » of the
// current week only when the week before was saved, and otherwise says why
// next to it.
func (s *availabilityScreen) refreshCopyButtons() {
	p := s.panels[0]
	if _, ok := s.previousWeek(); ok {
		p.copyPrev.Enable()
		p.copyHint.Hide()
	} else {
		p.copyPrev.Disable()
		p.copyHint.Show()
	}
	p.shortcuts.Refresh()
}

// reminderTexts returns the reminders: weeks without saved information, and
// the coming deadline of décret 2021-1131.
func (s *availabilityScreen) reminderTexts() []string {
	var out []string
	current, next := !s.saved.tabs[0].use, !s.saved.tabs[1].use
	switch {
	case current && next:
		out = append(out, lang.L("Vos disponibilités de la semaine courante et de la semaine prochaine ne sont pas renseignées."))
	case current:
		out = append(out, lang.L("Vos disponibilités de la semaine courante ne sont pas renseignées."))
	case next:
		out = append(out, lang.L("Vos disponibilités de la semaine prochaine (S+1) ne sont pas renseignées."))
	}
	if d, ok := availabilityDeadline(s.today); ok && !s.updated {
		out = append(out, lang.L("Pensez à mettre à jour vos disponibilités avant le {{.Date}} (décret 2021-1131).", map[string]any{"Date": d.French()}))
	}
	return out
}

// availabilityDeadline returns the next 1 June or 1 December after today when it
// is at most deadlineReminderDays away.
func availabilityDeadline(today data.Date) (data.Date, bool) {
	for _, d := range []data.Date{
		{Year: today.Year, Month: time.June, Day: 1},
		{Year: today.Year, Month: time.December, Day: 1},
		{Year: today.Year + 1, Month: time.June, Day: 1},
	} {
		if today.Before(d) {
			return d, !today.Before(d.AddDays(-deadlineReminderDays))
		}
	}
	return data.Date{}, false
}

// refreshReminders shows the reminders at the top of the screen.
func (s *availabilityScreen) refreshReminders() {
	s.reminders.RemoveAll()
	for _, text := range s.reminderTexts() {
		l := wrappedLabel(text)
		l.TextStyle.Bold = true
		s.reminders.Add(container.NewBorder(nil, nil, widget.NewIcon(theme.WarningIcon()), nil, l))
	}
	if len(s.reminders.Objects) > 0 {
		s.reminders.Add(widget.NewSeparator())
	}
	if s.content != nil {
		s.content.Refresh()
	}
}

// wrappedLabel returns a label that wraps its text.
func wrappedLabel(text string) *widget.Label {
	l := widget.NewLabel(text)
	l.Wrapping = fyne.TextWrapWord
	return l
}
