package ui

import (
	"fmt"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"espacepro/data"
	"espacepro/sync/client"
	"espacepro/sync/wire"
)

// registerPageSize is the number of professionals a page of the register
// shows: the local copy is paged by the store, never loaded whole (a Caf
// holds thousands of childminders).
const registerPageSize = 50

// registerScreen is a Caf agent's register of her Caf's professionals, read
// from the local copy: search, filters, paging, the fiche of the one
// selected, her complete file and the actions on her habilitation, which
// need the server.
type registerScreen struct {
	svc     Service
	win     fyne.Window
	content fyne.CanvasObject

	search       *widget.Entry // a name, or an agrément number when it holds a digit
	postalCode   *widget.Entry
	searchButton *widget.Button
	kind         *widget.Select
	listing      *widget.Select
	habilitation *widget.Select
	table        *widget.Table
	pager        *pageNav
	listMessage  *widget.Label // no result, or the error of the last query
	listBottom   *fyne.Container

	filter data.ProfessionalFilter // the query of the page shown
	rows   []*data.Professional    // the page shown
	seq    int                     // number of the last query, to drop late answers

	selected         *data.Professional
	ficheEmpty       *widget.Label
	fiche            *fyne.Container // the selected professional's fiche and actions
	fichePanel       *fyne.Container // the hint or the fiche
	ficheScroll      *container.Scroll
	ficheTitle       *widget.Label
	ficheDetails     *fyne.Container
	fileButton       *widget.Button
	suspendButton    *widget.Button
	reactivateButton *widget.Button
	revokeButton     *widget.Button
	resetButton      *widget.Button
	noAction         *widget.Label
	ficheMessage     *widget.Label // the outcome of the last action

	// The dialog of the action being confirmed (nil when none was opened).
	actionDialog  *dialog.CustomDialog
	reasonEntry   *widget.Entry // nil for an action without a reason
	revokeCheck   *widget.Check // the irreversibility acknowledgement of « Révoquer »
	actionMessage *widget.Label // why the action was refused or failed
	actionBody    *fyne.Container
	actionConfirm *widget.Button // performs the action
	fileDialog    *dialog.CustomDialog
	fileTabs      *container.AppTabs

	loc *time.Location // the time zone dates are shown in

	// onAction is called after an action succeeded on the server, so that
	// the app can sync the local copy (optional).
	onAction func()
}

// newRegisterScreen builds the register and loads its first page.
func newRegisterScreen(svc Service, win fyne.Window) *registerScreen {
	s := &registerScreen{svc: svc, win: win, loc: time.Local}

	s.search = widget.NewEntry()
	s.search.SetPlaceHolder(lang.L("Nom ou n° d'agrément"))
	s.search.OnSubmitted = func(string) { s.applySearch() }
	s.postalCode = widget.NewEntry()
	s.postalCode.SetPlaceHolder(lang.L("Code postal"))
	s.postalCode.OnSubmitted = func(string) { s.applySearch() }
	s.searchButton = widget.NewButtonWithIcon(lang.L("Rechercher"), theme.SearchIcon(), s.applySearch)
	s.searchButton.Importance = widget.HighImportance

	s.kind = newFilterSelect(registerKindOptions())
	s.listing = newFilterSelect(registerListingOptions())
	s.habilitation = newFilterSelect(registerHabilitationOptions())
	for _, sel := range []*widget.Select{s.kind, s.listing, s.habilitation} {
		sel.OnChanged = func(string) { s.applySearch() }
	}

	s.table = s.newTable()
	s.pager = newPageNav(registerPageSize, lang.L("Aucun résultat"), func(offset int) {
		f := s.filter
		f.Offset = offset
		s.load(f)
	})
	s.listMessage = newMessageLabel(widget.MediumImportance)

	searchRow := container.NewBorder(nil, nil, nil,
		container.NewHBox(container.NewGridWrap(fyne.NewSize(130, s.postalCode.MinSize().Height), s.postalCode), s.searchButton),
		s.search)
	filters := container.NewGridWithColumns(3, s.kind, s.listing, s.habilitation)
	s.listBottom = container.NewVBox(s.listMessage, s.pager.content)
	list := container.NewBorder(nil, s.listBottom, nil, nil, s.table)

	split := container.NewHSplit(list, s.newFichePanel())
	split.Offset = 0.64
	s.content = container.NewBorder(container.NewVBox(searchRow, filters), nil, nil, nil, split)

	s.applySearch()
	return s
}

// newTable builds the table of the page shown.
func (s *registerScreen) newTable() *widget.Table {
	return newDataTable([]tableColumn{
		{lang.L("Nom"), 120},
		{lang.L("Prénom / structure"), 140},
		{lang.L("N° d'agrément"), 120},
		{lang.L("Commune"), 160},
		{lang.L("Inscription"), 90},
		{lang.L("Habilitation"), 100},
	}, func() []*data.Professional { return s.rows }, registerCell, s.showFiche)
}

// registerCell returns the text of column col for p.
func registerCell(p *data.Professional, col int) string {
	switch col {
	case 0:
		return p.LastName
	case 1:
		if p.Kind == data.KindStructure && p.StructureName != "" {
			return p.StructureName
		}
		return p.FirstName
	case 2:
		return p.AgrementNumber
	case 3:
		return p.Address.CommuneName
	case 4:
		return registerListingLabel(p.Listing)
	case 5:
		return registerHabilitationLabel(p.Habilitation)
	}
	return ""
}

// newFichePanel builds the right-hand panel: a hint until a professional
// is selected, then her fiche and the actions her state allows.
func (s *registerScreen) newFichePanel() fyne.CanvasObject {
	s.ficheEmpty = widget.NewLabel(lang.L("Sélectionnez un professionnel pour voir sa fiche."))
	s.ficheEmpty.Wrapping = fyne.TextWrapWord
	s.ficheTitle = widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	s.ficheTitle.Wrapping = fyne.TextWrapWord
	s.ficheDetails = container.NewVBox()

	s.fileButton = widget.NewButtonWithIcon(lang.L("Dossier complet"), theme.FolderOpenIcon(), s.openFile)
	s.suspendButton = widget.NewButton(lang.L("Suspendre"), func() { s.openAction(client.ActionSuspend) })
	s.reactivateButton = widget.NewButton(lang.L("Réactiver"), func() { s.openAction(client.ActionReactivate) })
	s.revokeButton = widget.NewButton(lang.L("Révoquer"), func() { s.openAction(client.ActionRevoke) })
	s.revokeButton.Importance = widget.DangerImportance
	s.resetButton = widget.NewButton(lang.L("Envoyer un lien de réinitialisation du mot de passe"),
		func() { s.openAction(client.ActionPasswordReset) })
	s.noAction = widget.NewLabel(lang.L("Aucune action n'est possible sur cette habilitation."))
	s.noAction.Wrapping = fyne.TextWrapWord
	s.ficheMessage = newMessageLabel(widget.MediumImportance)

	actions := container.NewVBox(
		widget.NewLabelWithStyle(lang.L("Habilitation"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true}),
		container.NewGridWithColumns(3, s.suspendButton, s.reactivateButton, s.revokeButton),
		s.resetButton, s.noAction)
	s.fiche = container.NewVBox(s.ficheTitle, s.ficheDetails, s.fileButton, widget.NewSeparator(), actions, s.ficheMessage)
	s.fiche.Hide()
	s.fichePanel = container.NewVBox(s.ficheEmpty, s.fiche)
	s.ficheScroll = container.NewVScroll(container.NewPadded(s.fichePanel))
	return s.ficheScroll
}

// applySearch reads the search fields and loads the first page.
func (s *registerScreen) applySearch() {
	f := data.ProfessionalFilter{Limit: registerPageSize}
	text := strings.TrimSpace(s.search.Text)
	if strings.ContainsFunc(text, unicode.IsDigit) {
		f.AgrementNumber = text
	} else {
		f.Name = text
	}
	f.PostalCode = strings.TrimSpace(s.postalCode.Text)
	f.Kind = []data.Kind{"", data.KindChildminder, data.KindStructure}[s.kind.SelectedIndex()]
	f.Listing = []data.Listing{"", data.Listed, data.Delisted}[s.listing.SelectedIndex()]
	if i := s.habilitation.SelectedIndex(); i > 0 {
		f.Habilitation = registerHabilitations[i-1]
	}
	s.load(f)
}

// reload loads the page shown again, e.g. after a sync changed the local
// copy, and refreshes the selected fiche.
func (s *registerScreen) reload() {
	s.load(s.filter)
}

// load reads the page of f from the local copy and shows it.
func (s *registerScreen) load(f data.ProfessionalFilter) {
	s.seq++
	seq := s.seq
	var (
		rows     []*data.Professional
		total    int
		err      error
		selected *data.Professional
		selErr   error
	)
	selectedID := ""
	if s.selected != nil {
		selectedID = s.selected.ID
	}
	background(func() {
		ctx, cancel := serviceContext()
		defer cancel()
		rows, total, err = s.svc.Professionals(ctx, f)
		if err == nil && len(rows) == 0 && f.Offset > 0 && total > 0 {
			f.Offset = (total - 1) / registerPageSize * registerPageSize // the last page, which shrank
			rows, total, err = s.svc.Professionals(ctx, f)
		}
		if selectedID != "" {
			selected, selErr = s.svc.Professional(ctx, selectedID)
		}
	}, func() {
		if seq != s.seq {
			return // a later query was made meanwhile
		}
		if err != nil {
			s.tell(s.listMessage, errorMessage(err))
			return
		}
		s.filter, s.rows = f, rows
		s.table.UnselectAll()
		s.table.Refresh()
		s.table.ScrollToTop()
		s.pager.set(f.Offset, len(rows), total)
		if total == 0 {
			s.tell(s.listMessage, lang.L("Aucun professionnel ne correspond à cette recherche."))
		} else {
			s.tell(s.listMessage, "")
		}
		switch {
		case selectedID == "":
		case selErr == nil:
			s.showFiche(selected)
		case data.ErrorCode(selErr) == data.ENOTFOUND:
			s.clearFiche()
		}
	})
}

// clearFiche shows the hint instead of a fiche.
func (s *registerScreen) clearFiche() {
	s.selected = nil
	s.fiche.Hide()
	s.ficheEmpty.Show()
	s.fichePanel.Refresh()
	s.ficheScroll.Refresh()
}

// showFiche shows p's fiche and the actions her state allows.
func (s *registerScreen) showFiche(p *data.Professional) {
	if s.selected == nil || s.selected.ID != p.ID {
		s.tell(s.ficheMessage, "")
	}
	s.selected = p
	title := p.DisplayName()
	if p.Kind != data.KindStructure && p.Civility != "" {
		title = string(p.Civility) + " " + title
	}
	s.ficheTitle.SetText(title)
	s.ficheDetails.Objects = []fyne.CanvasObject{widget.NewForm(registerFicheItems(p, s.loc)...)}
	s.ficheDetails.Refresh()
	s.updateActions()
	s.ficheEmpty.Hide()
	s.fiche.Show()
	s.fichePanel.Refresh()
	s.ficheScroll.Refresh()
}

// registerFicheItems returns the lines of p's fiche, its times in loc.
func registerFicheItems(p *data.Professional, loc *time.Location) []*widget.FormItem {
	item := func(label, value string) *widget.FormItem {
		if strings.TrimSpace(value) == "" {
			value = "—"
		}
		v := widget.NewLabel(value)
		v.Wrapping = fyne.TextWrapWord
		return widget.NewFormItem(label, v)
	}
	address := strings.TrimSpace(p.Address.Line() + "\n" + p.Address.PostalCode + " " + p.Address.CommuneName)
	items := []*widget.FormItem{item(lang.L("Type"), registerKindLabel(p.Kind))}
	if p.Kind == data.KindStructure {
		contact := strings.TrimSpace(string(p.Civility) + " " + p.FirstName + " " + strings.ToUpper(p.LastName))
		items = append(items, item(lang.L("Contact"), contact))
	}
	agrementDate := ""
	if !p.AgrementDate.IsZero() {
		agrementDate = p.AgrementDate.French()
	}
	items = append(items,
		item(lang.L("N° d'agrément"), p.AgrementNumber),
		item(lang.L("Date d'agrément"), agrementDate),
		item(lang.L("Adresse"), address),
		item(lang.L("Téléphone"), data.FormatPhone(p.Phone)),
		item(lang.L("Adresse électronique"), p.Email),
	)
	if p.Kind == data.KindStructure {
		items = append(items,
			item(lang.L("Capacité"), registerCount(p.Capacity)),
			item(lang.L("Horaires d'ouverture"), p.OpeningHours))
	} else {
		items = append(items, item(lang.L("Places agréées"), registerCount(p.PlacesAgreed)))
	}
	return append(items,
		item(lang.L("Inscription"), registerListingLabel(p.Listing)),
		item(lang.L("Habilitation"), registerHabilitationLabel(p.Habilitation)),
		item(lang.L("Fiche mise à jour le"), registerDateTime(p.UpdatedAt, loc)))
}

// registerCount shows a count, or nothing for zero (not given).
func registerCount(n int) string {
	if n <= 0 {
		return ""
	}
	return fmt.Sprint(n)
}

// updateActions shows the actions the selected professional's state
// allows, as the server's rules do (server/caf.go).
func (s *registerScreen) updateActions() {
	p := s.selected
	h := p.Habilitation
	allowed := map[*widget.Button]bool{
		s.suspendButton:    h == data.HabilitationActive,
		s.reactivateButton: (h == data.HabilitationSuspended || h == data.HabilitationExpired) && p.Listing == data.Listed,
		s.revokeButton:     h == data.HabilitationActive || h == data.HabilitationSuspended || h == data.HabilitationExpired,
		s.resetButton:      h == data.HabilitationActive,
	}
	some := false
	for b, ok := range allowed {
		if ok {
			b.Show()
			some = true
		} else {
			b.Hide()
		}
	}
	if some {
		s.noAction.Hide()
	} else {
		s.noAction.Show()
	}
}

// registerAction describes an action's dialog.
type registerAction struct {
	title, explain, confirm string
	reasonMissing           string // the message when no reason is given; "" when none is asked
	irreversible            bool
	done                    string            // the message after success
	to                      data.Habilitation // the state after success ("" for none)
}

// registerActionOf returns the dialog of action for p.
func registerActionOf(action string, p *data.Professional) registerAction {
	name := map[string]any{"Name": p.DisplayName()}
	switch action {
	case client.ActionSuspend:
		return registerAction{
			title:         lang.L("Suspendre l'habilitation"),
			explain:       lang.L("{{.Name}} ne pourra plus se connecter et ne sera plus visible des parents jusqu'à la réactivation. Un courriel l'en informe, avec le motif.", name),
			confirm:       lang.L("Suspendre"),
			reasonMissing: lang.L("Indiquez le motif de la suspension."),
			done:          lang.L("L'habilitation est suspendue."),
			to:            data.HabilitationSuspended,
		}
	case client.ActionReactivate:
		return registerAction{
			title:   lang.L("Réactiver l'habilitation"),
			explain: lang.L("{{.Name}} pourra de nouveau se connecter et mettre à jour ses disponibilités. Un courriel l'en informe.", name),
			confirm: lang.L("Réactiver"),
			done:    lang.L("L'habilitation est réactivée."),
			to:      data.HabilitationActive,
		}
	case client.ActionRevoke:
		return registerAction{
			title:         lang.L("Révoquer l'habilitation"),
			explain:       lang.L("{{.Name}} ne pourra plus se connecter et ne sera plus visible des parents. Un courriel l'en informe, avec le motif.", name),
			confirm:       lang.L("Révoquer définitivement"),
			reasonMissing: lang.L("Indiquez le motif de la révocation."),
			irreversible:  true,
			done:          lang.L("L'habilitation est retirée."),
			to:            data.HabilitationRevoked,
		}
	default:
		return registerAction{
			title:   lang.L("Réinitialiser le mot de passe"),
			explain: lang.L("Un courriel contenant un lien à usage unique sera envoyé à {{.Name}} pour qu'elle choisisse elle-même un nouveau mot de passe. La Caf ne voit jamais les mots de passe : elle ne peut ni les lire ni les choisir.", name),
			confirm: lang.L("Envoyer le lien"),
			done:    lang.L("Le courriel de réinitialisation du mot de passe a été envoyé."),
		}
	}
}

// openAction opens the dialog of action on the selected professional.
func (s *registerScreen) openAction(action string) {
	p := s.selected
	if p == nil {
		return
	}
	spec := registerActionOf(action, p)
	explain := widget.NewLabel(spec.explain)
	explain.Wrapping = fyne.TextWrapWord
	body := container.NewVBox(explain)
	s.reasonEntry, s.revokeCheck = nil, nil
	if spec.reasonMissing != "" {
		s.reasonEntry = widget.NewMultiLineEntry()
		s.reasonEntry.Wrapping = fyne.TextWrapWord
		s.reasonEntry.SetMinRowsVisible(3)
		body.Add(widget.NewLabel(lang.L("Motif* :")))
		body.Add(s.reasonEntry)
	}
	if spec.irreversible {
		warning := widget.NewLabel(lang.L("Cette action est irréversible : l'habilitation ne pourra plus être réactivée. Il faudra une nouvelle demande d'habilitation."))
		warning.Wrapping = fyne.TextWrapWord
		warning.Importance = widget.DangerImportance
		s.revokeCheck = widget.NewCheck(lang.L("Je confirme le retrait définitif de cette habilitation"), nil)
		body.Add(warning)
		body.Add(s.revokeCheck)
	}
	s.actionMessage = newMessageLabel(widget.DangerImportance)
	body.Add(s.actionMessage)
	s.actionBody = body

	d := dialog.NewCustomWithoutButtons(spec.title, body, s.win)
	s.actionConfirm = widget.NewButton(spec.confirm, func() { s.confirmAction(d, action, spec, p) })
	s.actionConfirm.Importance = widget.HighImportance
	if spec.irreversible {
		s.actionConfirm.Importance = widget.DangerImportance
	}
	cancel := widget.NewButton(lang.L("Annuler"), d.Hide)
	d.SetButtons([]fyne.CanvasObject{cancel, s.actionConfirm})
	s.actionDialog = d
	d.Resize(fyne.NewSize(520, body.MinSize().Height+120))
	d.Show()
	if s.reasonEntry != nil {
		s.win.Canvas().Focus(s.reasonEntry)
	}
}

// confirmAction checks the dialog, then asks the server to perform the
// action: the dialog stays open with a message when it cannot be done.
func (s *registerScreen) confirmAction(d *dialog.CustomDialog, action string, spec registerAction, p *data.Professional) {
	reason := ""
	if s.reasonEntry != nil {
		reason = strings.TrimSpace(s.reasonEntry.Text)
		if reason == "" {
			s.tell(s.actionMessage, spec.reasonMissing)
			return
		}
	}
	if s.revokeCheck != nil && !s.revokeCheck.Checked {
		s.tell(s.actionMessage, lang.L("Cochez la case pour confirmer le retrait définitif."))
		return
	}
	s.tell(s.actionMessage, "")
	s.actionConfirm.Disable()
	var err error
	background(func() {
		ctx, cancel := serviceContext()
		defer cancel()
		err = s.svc.ProfessionalAction(ctx, p.ID, action, reason)
	}, func() {
		s.actionConfirm.Enable()
		if err != nil {
			s.tell(s.actionMessage, needsServerMessage(err,
				lang.L("Cette action a besoin du serveur, qui n'est pas joignable pour le moment : réessayez quand la connexion sera rétablie."),
				lang.L("Cette action a besoin du serveur : connectez-vous pour la faire.")))
			return
		}
		d.Hide()
		if spec.to != "" {
			// The local copy gets the new state at the next sync; show it now.
			p.Habilitation = spec.to
			for _, r := range s.rows {
				if r.ID == p.ID {
					r.Habilitation = spec.to
				}
			}
			s.table.Refresh()
		}
		if s.selected != nil && s.selected.ID == p.ID {
			s.showFiche(p)
			s.tell(s.ficheMessage, spec.done)
		}
		if s.onAction != nil {
			s.onAction()
		}
	})
}

// openFile asks the server for the selected professional's complete file
// and shows it.
func (s *registerScreen) openFile() {
	p := s.selected
	if p == nil {
		return
	}
	var (
		file *wire.ProfessionalFile
		err  error
	)
	s.fileButton.Disable()
	background(func() {
		ctx, cancel := serviceContext()
		defer cancel()
		file, err = s.svc.ProfessionalFile(ctx, p.ID)
	}, func() {
		s.fileButton.Enable()
		if err != nil {
			s.tell(s.ficheMessage, needsServerMessage(err,
				lang.L("Le dossier complet est sur le serveur, qui n'est pas joignable pour le moment : réessayez quand la connexion sera rétablie."),
				lang.L("Le dossier complet est sur le serveur : connectez-vous pour le consulter.")))
			return
		}
		if file == nil {
			s.tell(s.ficheMessage, lang.L("Le dossier complet n'a pas pu être lu."))
			return
		}
		s.tell(s.ficheMessage, "")
		s.showFile(p, file)
	})
}

// showFile shows a professional's complete file in a dialog: her
// requests, her habilitation history and what parents see.
func (s *registerScreen) showFile(p *data.Professional, file *wire.ProfessionalFile) {
	s.fileTabs = container.NewAppTabs(
		container.NewTabItem(lang.L("Demandes"), container.NewVScroll(registerRequestsView(file.Requests, s.loc))),
		container.NewTabItem(lang.L("Historique"), container.NewVScroll(registerHistoryView(file.History, s.loc))),
		container.NewTabItem(lang.L("Ce que voient les parents"), container.NewVScroll(registerPublicView(file))),
	)
	title := lang.L("Dossier complet de {{.Name}}", map[string]any{"Name": p.DisplayName()})
	s.fileDialog = dialog.NewCustom(title, lang.L("Fermer"), s.fileTabs, s.win)
	s.fileDialog.Resize(fyne.NewSize(640, 460))
	s.fileDialog.Show()
}

// registerWrapped returns a wrapping label.
func registerWrapped(text string) *widget.Label {
	l := widget.NewLabel(text)
	l.Wrapping = fyne.TextWrapWord
	return l
}

// registerRequestsView lists a professional's habilitation requests.
func registerRequestsView(list []*wire.Request, loc *time.Location) fyne.CanvasObject {
	box := container.NewVBox()
	if len(list) == 0 {
		box.Add(registerWrapped(lang.L("Aucune demande d'habilitation.")))
	}
	for _, r := range list {
		label := r.StateLabel
		if label == "" {
			label = data.RequestState(r.State).Label()
		}
		box.Add(registerWrapped(lang.L("Demande du {{.Date}} : {{.State}}", map[string]any{
			"Date": r.CreatedAt.In(loc).Format("02/01/2006"), "State": lang.L(label)})))
		if r.RefusalReason != "" {
			box.Add(registerWrapped(lang.L("Motif du refus : {{.Reason}}", map[string]any{"Reason": r.RefusalReason})))
		}
	}
	return box
}

// registerHistoryView lists the actions on a professional and her
// requests, newest first.
func registerHistoryView(list []wire.AuditEntry, loc *time.Location) fyne.CanvasObject {
	box := container.NewVBox()
	if len(list) == 0 {
		box.Add(registerWrapped(lang.L("Aucune action enregistrée.")))
	}
	for _, e := range list {
		line := registerDateTime(e.At, loc) + " — " + auditActionLabel(e.Action)
		if e.ActorName != "" {
			line += " — " + e.ActorName
		}
		if e.Detail != "" {
			line += " — " + e.Detail
		}
		box.Add(registerWrapped(line))
	}
	return box
}

// registerPublicView shows what parents see: her colour with its word, and
// whether each tab is informed.
func registerPublicView(file *wire.ProfessionalFile) fyne.CanvasObject {
	box := container.NewVBox()
	if !file.Visible {
		box.Add(registerWrapped(lang.L("Les parents ne la trouvent pas : elle n'est pas sur la liste de la PMI, ou son habilitation est suspendue ou retirée.")))
		return box
	}
	c := data.Colour(file.Public.Colour)
	swatch := canvas.NewRectangle(theme.Color(registerColour(c)))
	swatch.SetMinSize(fyne.NewSize(18, 18))
	swatch.CornerRadius = 9
	box.Add(container.NewHBox(container.NewCenter(swatch),
		widget.NewLabelWithStyle(lang.L(c.ParentLabel()), fyne.TextAlignLeading, fyne.TextStyle{Bold: true})))
	for _, t := range file.Public.Tabs {
		var name string
		d, err := data.ParseDate(t.Date)
		switch {
		case err != nil:
			name = t.Label
		case t.Kind == "dated":
			name = lang.L("Au {{.Date}}", map[string]any{"Date": d.French()})
		default:
			name = lang.L("Semaine du {{.Date}}", map[string]any{"Date": d.French()})
		}
		state := lang.L("non renseigné")
		if t.Informed {
			state = lang.L("renseigné")
			if t.Places != nil {
				state += " — " + lang.L("{{.Count}} place(s) disponible(s)", map[string]any{"Count": *t.Places})
			}
		}
		box.Add(widget.NewLabel(name + " : " + state))
	}
	return box
}

// registerColour returns the colour that shows c.
func registerColour(c data.Colour) fyne.ThemeColorName {
	switch c {
	case data.ColourGreen:
		return theme.ColorNameSuccess
	case data.ColourRed:
		return theme.ColorNameError
	}
	return theme.ColorNameDisabled
}

// registerDateTime writes t as dd/mm/yyyy hh:mm in loc.
func registerDateTime(t time.Time, loc *time.Location) string {
	if t.IsZero() {
		return ""
	}
	return t.In(loc).Format("02/01/2006 15:04")
}

// tell shows text in one of the screen's message labels (hides it when
// text is empty) and lays out again what holds it.
func (s *registerScreen) tell(l *widget.Label, text string) {
	setMessage(l, text)
	switch {
	case l == s.listMessage:
		s.listBottom.Refresh()
	case l == s.ficheMessage:
		s.fichePanel.Refresh()
		s.ficheScroll.Refresh()
	case l == s.actionMessage && s.actionBody != nil:
		s.actionBody.Refresh()
	}
}

// needsServerMessage returns the message of an online call's error: when
// the server cannot be reached, or no session is open, the message says
// that what was asked needs the server (the client's own message speaks of
// changes kept on this computer, which is not the case here).
func needsServerMessage(err error, unreachable, loggedOut string) string {
	switch data.ErrorCode(err) {
	case data.EUNAVAILABLE:
		return unreachable
	case data.EUNAUTHORIZED:
		return loggedOut
	}
	return errorMessage(err)
}

// registerHabilitations are the habilitation states in the order of the
// filter's options.
var registerHabilitations = []data.Habilitation{
	data.HabilitationNone, data.HabilitationRequested, data.HabilitationActive,
	data.HabilitationSuspended, data.HabilitationRevoked, data.HabilitationExpired,
}

// registerKindOptions are the options of the kind filter.
func registerKindOptions() []string {
	return []string{lang.L("Tous les types"), registerKindLabel(data.KindChildminder), registerKindLabel(data.KindStructure)}
}

// registerListingOptions are the options of the listing filter.
func registerListingOptions() []string {
	return []string{lang.L("Toutes les inscriptions"), registerListingLabel(data.Listed), registerListingLabel(data.Delisted)}
}

// registerHabilitationOptions are the options of the habilitation filter.
func registerHabilitationOptions() []string {
	out := []string{lang.L("Toutes les habilitations")}
	for _, h := range registerHabilitations {
		out = append(out, registerHabilitationLabel(h))
	}
	return out
}

// registerKindLabel names a kind of professional.
func registerKindLabel(k data.Kind) string {
	if k == data.KindStructure {
		return lang.L("Structure")
	}
	return lang.L("Assistant(e) maternel(le)")
}

// registerListingLabel says whether a professional is on her PMI list.
func registerListingLabel(l data.Listing) string {
	if l == data.Delisted {
		return lang.L("Hors liste")
	}
	return lang.L("Sur la liste")
}

// registerHabilitationLabel names a habilitation state, capitalised.
func registerHabilitationLabel(h data.Habilitation) string {
	label := lang.L(h.Label())
	r, n := utf8.DecodeRuneInString(label)
	return string(unicode.ToUpper(r)) + label[n:]
}
