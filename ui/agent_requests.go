package ui

import (
	"strings"
	"unicode"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/storage"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"espacepro/data"
	"espacepro/sync/client"
	"espacepro/sync/wire"
)

// requestsPageSize is the number of requests shown per page.
const requestsPageSize = 50

// requestStates are the states offered by the state filter, in workflow
// order, after « Toutes ».
var requestStates = []data.RequestState{
	data.RequestReceived, data.RequestLetter, data.RequestAgreement, data.RequestValidated, data.RequestRefused,
}

// agentRequestsScreen lists the habilitation requests of the agent's Caf
// from the local copy, shows the one selected and the actions its state
// allows. Actions are prepared offline (Service.RequestAction) and sent by
// the next sync; the letter needs the service.
type agentRequestsScreen struct {
	content fyne.CanvasObject

	svc Service
	win fyne.Window

	// The list and its filters.
	stateFilter *widget.Select
	unmatched   *widget.Check
	search      *widget.Entry
	table       *widget.Table
	pager       *pageNav
	listMessage *widget.Label

	rows      []*data.Request // the page shown
	offset    int             // first row of the page
	listGen   int             // the latest list load; older answers are dropped
	hasQueued bool            // svc.State().Pending > 0 at the latest load

	// queued holds the requests acted on since the last complete sync:
	// their action waits in the outbox.
	queued map[string]bool

	// The detail of the selected request and its actions.
	selected      *data.Request
	selectedPro   *data.Professional // the listed professional it is matched to, when known
	detail        *fyne.Container
	detailScroll  *container.Scroll
	detailTitle   *widget.Label
	pendingLabel  *widget.Label
	actions       *fyne.Container
	actionGrid    *fyne.Container // the buttons, two a line
	match         *widget.Button
	letter        *widget.Button
	letterSent    *widget.Button
	sendMail      *widget.Check
	agreement     *widget.Button
	validate      *widget.Button
	validateHint  *widget.Label
	refuse        *widget.Button
	closedLabel   *widget.Label
	actionMessage *widget.Label

	// The match dialog.
	matchDialog  *dialog.CustomDialog
	matchSearch  *widget.Entry
	matchList    *widget.List
	matchResults []*data.Professional
	matchChosen  *data.Professional
	matchChoose  *widget.Button
	matchMessage *widget.Label
	matchGen     int

	// The refusal dialog.
	refuseDialog  *dialog.CustomDialog
	refuseReason  *widget.Entry
	refuseMessage *widget.Label
	refuseConfirm *widget.Button

	// saveFile asks where to save a file and writes it, then calls done
	// with where it went ("" when the agent cancelled). Tests replace it.
	saveFile     func(suggested string, content []byte, done func(location string, err error))
	letterFolder fyne.URI // where the agent saved a letter last, for the dialog

	// onActionQueued, when set, is called after an action was prepared
	// (the app may try a sync at once).
	onActionQueued func()
}

// newAgentRequestsScreen builds the requests screen of a Caf agent and
// loads the first page.
func newAgentRequestsScreen(svc Service, win fyne.Window) *agentRequestsScreen {
	s := &agentRequestsScreen{svc: svc, win: win, queued: map[string]bool{}}
	s.saveFile = s.saveWithDialog

	options := []string{lang.L("Toutes")}
	for _, st := range requestStates {
		options = append(options, lang.L(st.Label()))
	}
	s.stateFilter = newFilterSelect(options)
	s.stateFilter.OnChanged = func(string) { s.filtersChanged() }
	s.unmatched = widget.NewCheck(lang.L("Non rapprochées seulement"), func(bool) { s.filtersChanged() })
	s.search = widget.NewEntry()
	s.search.SetPlaceHolder(lang.L("Rechercher un nom…"))
	s.search.OnChanged = func(string) { s.filtersChanged() }

	s.table = newDataTable(requestColumns(), func() []*data.Request { return s.rows }, s.cell, s.showRequest)
	s.pager = newPageNav(requestsPageSize, lang.L("Aucune demande"), s.load)
	s.listMessage = newMessageLabel(widget.DangerImportance)

	// The filters keep off the split's divider.
	filters := container.New(layout.NewCustomPaddedLayout(0, 0, 0, theme.InnerPadding()), container.NewVBox(
		container.NewBorder(nil, nil, widget.NewLabel(lang.L("État :")), s.unmatched, s.stateFilter),
		s.search,
	))
	list := container.NewBorder(filters, container.NewVBox(s.listMessage, s.pager.content), nil, nil, s.table)

	s.buildDetail()
	reflow := &reflowLayout{}
	s.detailScroll = container.NewVScroll(container.New(reflow, container.NewPadded(s.detail)))
	reflow.scroll = s.detailScroll
	split := container.NewHSplit(list, s.detailScroll)
	split.SetOffset(0.6)
	s.content = split

	s.showRequest(nil)
	s.load(0)
	return s
}

// requestColumns are the columns of the requests table. Their widths fit
// the list's side of the window at its default size (1200 px, split at
// 0.6: 710 px, with 4 px between columns) with no horizontal scroll; a long
// name is cut with an ellipsis and shown in full in the detail.
func requestColumns() []tableColumn {
	return []tableColumn{
		{lang.L("Reçue le"), 92},
		{lang.L("Nom"), 82},
		{lang.L("Prénom / structure"), 140},
		{lang.L("Commune"), 156},
		{lang.L("État"), 122},
		{lang.L("Rapprochée"), 96},
	}
}

// buildDetail makes the detail panel and its action widgets.
func (s *agentRequestsScreen) buildDetail() {
	s.detailTitle = heading("")
	s.pendingLabel = newMessageLabel(widget.WarningImportance)
	s.match = widget.NewButton(lang.L("Rapprocher"), s.tapMatch)
	s.letter = widget.NewButton(lang.L("Courrier (PDF)"), s.tapLetter)
	s.letterSent = widget.NewButton(lang.L("Courrier envoyé"), s.tapLetterSent)
	s.sendMail = widget.NewCheck(lang.L("Envoyer par e-mail"), nil) // beside « Courrier envoyé »
	s.agreement = widget.NewButton(lang.L("Accord reçu"), s.tapAgreement)
	s.validate = widget.NewButton(lang.L("Valider"), s.tapValidate)
	s.validate.Importance = widget.HighImportance
	s.validateHint = newMessageLabel(widget.MediumImportance)
	s.refuse = widget.NewButton(lang.L("Refuser"), s.tapRefuse)
	s.refuse.Importance = widget.DangerImportance
	s.closedLabel = widget.NewLabel(lang.L("Cette demande est close : aucune action n'est possible."))
	s.closedLabel.Wrapping = fyne.TextWrapWord
	s.actionMessage = newMessageLabel(widget.MediumImportance)

	// Two columns of buttons in workflow order; the grid skips the hidden
	// ones, and the e-mail check sits beside « Courrier envoyé ».
	s.actionGrid = container.NewGridWithColumns(2,
		s.match, s.letter, s.letterSent, s.sendMail, s.agreement, s.validate, s.refuse)
	s.actions = container.NewVBox(
		heading(lang.L("Actions")),
		s.actionGrid,
		s.validateHint,
		s.closedLabel,
	)
	s.detail = container.NewVBox()
}

// reload reads the current page again from the local copy (the app calls
// it after each sync), keeping the filters and the selected request.
func (s *agentRequestsScreen) reload() {
	s.load(s.offset)
}

// filtersChanged goes back to the first page of the new selection.
func (s *agentRequestsScreen) filtersChanged() {
	s.load(0)
}

// filter returns the filter of the page starting at offset.
func (s *agentRequestsScreen) filter(offset int) data.RequestFilter {
	f := data.RequestFilter{
		Unmatched: s.unmatched.Checked,
		Name:      strings.TrimSpace(s.search.Text),
		Offset:    offset,
		Limit:     requestsPageSize,
	}
	if i := s.stateFilter.SelectedIndex(); i > 0 {
		f.State = requestStates[i-1]
	}
	return f
}

// load reads the page starting at offset, and the selected request again.
func (s *agentRequestsScreen) load(offset int) {
	s.listGen++
	gen := s.listGen
	f := s.filter(offset)
	selectedID := ""
	if s.selected != nil {
		selectedID = s.selected.ID
	}
	var (
		rows     []*data.Request
		total    int
		err      error
		selected *data.Request
		pro      *data.Professional
		pending  int
	)
	background(func() {
		ctx, cancel := serviceContext()
		defer cancel()
		pending = s.svc.State().Pending
		rows, total, err = s.svc.Requests(ctx, f)
		if err != nil || selectedID == "" {
			return
		}
		if r, err := s.svc.Request(ctx, selectedID); err == nil {
			selected = r
			pro = s.matchedProfessional(r)
		}
	}, func() {
		if gen != s.listGen {
			return
		}
		if err != nil {
			setMessage(s.listMessage, errorMessage(err))
			return
		}
		setMessage(s.listMessage, "")
		s.hasQueued = pending > 0
		if !s.hasQueued {
			if len(s.queued) > 0 && s.actionMessage.Visible() && s.actionMessage.Importance == widget.SuccessImportance {
				s.actionMessage.SetText(lang.L("Action envoyée au serveur."))
			}
			clear(s.queued)
		}
		s.rows, s.offset = rows, f.Offset
		s.table.UnselectAll()
		s.table.Refresh()
		s.pager.set(f.Offset, len(rows), total)
		if selectedID != "" {
			if selected != nil {
				s.selectedPro = pro
				s.renderDetail(selected)
			} else {
				s.showRequest(nil)
			}
		}
	})
}

// cell returns the text of column col of the requests table for r.
func (s *agentRequestsScreen) cell(r *data.Request, col int) string {
	switch col {
	case 0:
		return receivedOn(r)
	case 1:
		return strings.ToUpper(r.LastName)
	case 2:
		if r.Kind == data.KindStructure && r.StructureName != "" {
			return r.StructureName
		}
		return r.FirstName
	case 3:
		return r.Address.CommuneName
	case 4:
		return s.stateText(r)
	case 5:
		return requestMatchText(r.Match, r.ProfessionalID)
	}
	return ""
}

// receivedOn is the date a request came in, in its département's zone.
func receivedOn(r *data.Request) string {
	if r.CreatedAt.IsZero() {
		return ""
	}
	return data.Today(r.CreatedAt, r.Department).French()
}

// stateText is a request's state label, marked while an action prepared
// on it waits to be sent.
func (s *agentRequestsScreen) stateText(r *data.Request) string {
	label := lang.L(r.State.Label())
	if s.isQueued(r.ID) {
		return lang.L("{{.State}} (en attente)", map[string]any{"State": label})
	}
	return label
}

// isQueued reports whether an action prepared on request id waits to be
// sent.
func (s *agentRequestsScreen) isQueued(id string) bool {
	return s.hasQueued && s.queued[id]
}

// requestMatchText says whether a request is matched to a listed professional.
func requestMatchText(m data.Match, professionalID string) string {
	switch {
	case professionalID == "":
		return lang.L("non inscrite")
	case m == data.MatchAgent:
		return lang.L("oui (agent)")
	}
	return lang.L("oui")
}

// matchedProfessional returns the professional r is matched to, from the
// local copy, or nil. Call it in a background work.
func (s *agentRequestsScreen) matchedProfessional(r *data.Request) *data.Professional {
	if r.ProfessionalID == "" {
		return nil
	}
	ctx, cancel := serviceContext()
	defer cancel()
	p, err := s.svc.Professional(ctx, r.ProfessionalID)
	if err != nil {
		return nil
	}
	return p
}

// showRequest shows the detail of r (nil: none selected) after reading its
// matched professional.
func (s *agentRequestsScreen) showRequest(r *data.Request) {
	setMessage(s.actionMessage, "")
	if r == nil {
		s.selected, s.selectedPro = nil, nil
		s.detail.Objects = []fyne.CanvasObject{
			widget.NewLabel(lang.L("Choisissez une demande dans la liste pour voir son détail.")),
		}
		s.detailScroll.Refresh()
		return
	}
	var pro *data.Professional
	background(func() { pro = s.matchedProfessional(r) }, func() {
		s.selectedPro = pro
		s.renderDetail(r)
	})
}

// renderDetail shows every field of r and the actions its state allows.
func (s *agentRequestsScreen) renderDetail(r *data.Request) {
	s.selected = r
	s.detailTitle.SetText(r.DisplayName())
	if s.isQueued(r.ID) {
		setMessage(s.pendingLabel, lang.L("Action en attente : elle sera envoyée au serveur à la prochaine synchronisation."))
	} else {
		setMessage(s.pendingLabel, "")
	}

	kind := lang.L("Assistant(e) maternel(le)")
	if r.Kind == data.KindStructure {
		kind = lang.L("Structure")
	}
	form := container.New(layout.NewFormLayout())
	add := func(label, value string) {
		if value == "" {
			return
		}
		v := widget.NewLabel(value)
		v.Wrapping = fyne.TextWrapWord
		form.Add(widget.NewLabelWithStyle(label, fyne.TextAlignTrailing, fyne.TextStyle{Bold: true}))
		form.Add(v)
	}
	add(lang.L("Type :"), kind)
	add(lang.L("Reçue le :"), receivedOn(r))
	add(lang.L("État :"), lang.L(r.State.Label()))
	if r.State == data.RequestRefused {
		add(lang.L("Motif du refus :"), r.RefusalReason)
	}
	add(lang.L("Structure :"), r.StructureName)
	add(lang.L("Civilité :"), string(r.Civility))
	add(lang.L("Nom :"), strings.ToUpper(r.LastName))
	add(lang.L("Prénom :"), r.FirstName)
	add(lang.L("N° d'agrément :"), r.AgrementNumber)
	add(lang.L("Adresse :"), r.Address.Line())
	add(lang.L("Commune :"), strings.TrimSpace(r.Address.PostalCode+" "+r.Address.CommuneName))
	add(lang.L("Téléphone :"), data.FormatPhone(r.Phone))
	add(lang.L("Adresse électronique :"), r.Email)
	add(lang.L("Rapprochée :"), s.matchDetail(r))

	s.updateActions(r)
	s.detail.Objects = []fyne.CanvasObject{s.detailTitle, s.pendingLabel, s.actionMessage, s.actions, widget.NewSeparator(), form}
	s.detailScroll.Refresh()
}

// matchDetail says to whom r is matched, and how.
func (s *agentRequestsScreen) matchDetail(r *data.Request) string {
	if r.ProfessionalID == "" {
		return lang.L("non inscrite : la demande n'est rattachée à aucune fiche de la liste de la PMI")
	}
	how := lang.L("automatiquement")
	if r.Match == data.MatchAgent {
		how = lang.L("par un agent")
	}
	p := s.selectedPro
	if p == nil {
		return lang.L("oui ({{.How}})", map[string]any{"How": how})
	}
	if p.AgrementNumber == "" {
		return lang.L("{{.Name}} ({{.How}})", map[string]any{"Name": p.DisplayName(), "How": how})
	}
	return lang.L("{{.Name}}, n° d'agrément {{.Number}} ({{.How}})", map[string]any{
		"Name": p.DisplayName(), "Number": p.AgrementNumber, "How": how,
	})
}

// updateActions shows the actions r's state allows (the service's rules,
// server/caf.go).
func (s *agentRequestsScreen) updateActions(r *data.Request) {
	open := !r.State.Final()
	showWhen(s.match, open)
	showWhen(s.letter, open)
	showWhen(s.letterSent, r.State.CanMoveTo(data.RequestLetter))
	showWhen(s.sendMail, r.State.CanMoveTo(data.RequestLetter))
	showWhen(s.agreement, r.State.CanMoveTo(data.RequestAgreement))
	showWhen(s.validate, r.State.CanMoveTo(data.RequestValidated))
	showWhen(s.refuse, r.State.CanMoveTo(data.RequestRefused))
	showWhen(s.actionGrid, open)
	showWhen(s.closedLabel, !open)
	s.sendMail.SetChecked(false)

	// A childminder's request must be matched to a fiche of the PMI list
	// before it can be validated; a match prepared offline counts.
	needsMatch := r.Kind == data.KindChildminder && r.ProfessionalID == "" && !s.isQueued(r.ID)
	if r.State.CanMoveTo(data.RequestValidated) && needsMatch {
		s.validate.Disable()
		setMessage(s.validateHint, lang.L("Rapprochez d'abord la demande d'une fiche de la liste de la PMI pour pouvoir la valider."))
	} else {
		s.validate.Enable()
		setMessage(s.validateHint, "")
	}
}

// reflowLayout lays out the content of a vertical scroll at the scroll's
// width. Word-wrapped labels only know how many lines they take once they
// have their width, after the scroll has sized its content from their
// minimum height at their former width (none, for new labels): when the
// content turns out taller or shorter than its text needs, the layout asks
// the scroll to size it again, so that its end is neither cut nor
// followed by a blank.
type reflowLayout struct {
	scroll    *container.Scroll
	reflowing bool // a second sizing is under way
}

// Layout gives each object the whole size, then has the scroll size the
// content again when its wrapped text needs another height.
func (l *reflowLayout) Layout(objects []fyne.CanvasObject, size fyne.Size) {
	need := float32(0)
	for _, o := range objects {
		o.Resize(size)
		o.Move(fyne.NewPos(0, 0))
		need = max(need, o.MinSize().Height)
	}
	if l.scroll == nil || l.reflowing {
		return
	}
	if want := max(need, l.scroll.Size().Height); want != size.Height {
		l.reflowing = true
		l.scroll.Refresh()
		l.reflowing = false
	}
}

// MinSize is the largest of the objects' minimum sizes.
func (l *reflowLayout) MinSize(objects []fyne.CanvasObject) fyne.Size {
	var s fyne.Size
	for _, o := range objects {
		s = s.Max(o.MinSize())
	}
	return s
}

// showWhen shows o when visible is true and hides it otherwise.
func showWhen(o fyne.CanvasObject, visible bool) {
	if visible {
		o.Show()
	} else {
		o.Hide()
	}
}

// queueAction prepares an action on the selected request in the local
// copy; the next sync sends it.
func (s *agentRequestsScreen) queueAction(action string, args map[string]string) {
	r := s.selected
	if r == nil {
		return
	}
	var err error
	background(func() {
		ctx, cancel := serviceContext()
		defer cancel()
		err = s.svc.RequestAction(ctx, r.ID, action, args)
	}, func() {
		if err != nil {
			s.showActionMessage(errorMessage(err), widget.DangerImportance)
			return
		}
		s.queued[r.ID] = true
		s.hasQueued = true
		s.table.Refresh()
		if s.selected != nil && s.selected.ID == r.ID {
			s.renderDetail(s.selected)
		}
		s.showActionMessage(lang.L("Action enregistrée : elle sera envoyée au serveur à la prochaine synchronisation."), widget.SuccessImportance)
		call(s.onActionQueued)
	})
}

// showActionMessage shows text under the actions.
func (s *agentRequestsScreen) showActionMessage(text string, importance widget.Importance) {
	s.actionMessage.Importance = importance
	setMessage(s.actionMessage, text)
	s.detailScroll.Refresh()
}

// tapLetterSent records that the letter was sent, by post or by mail.
func (s *agentRequestsScreen) tapLetterSent() {
	mail := "false"
	if s.sendMail.Checked {
		mail = "true"
	}
	s.queueAction(wire.ActionLetterSent, map[string]string{"send_mail": mail})
}

// tapAgreement records that the signed reply slip came back.
func (s *agentRequestsScreen) tapAgreement() {
	s.queueAction(wire.ActionAgreement, nil)
}

// tapValidate asks for confirmation, then prepares the validation.
func (s *agentRequestsScreen) tapValidate() {
	r := s.selected
	if r == nil {
		return
	}
	text := lang.L("Valider la demande de {{.Name}} ? Son compte sera créé : un mot de passe sera généré par le système et envoyé par courriel à la personne ({{.Email}}). La Caf n'en a jamais connaissance.",
		map[string]any{"Name": r.DisplayName(), "Email": r.Email})
	msg := widget.NewLabel(text)
	msg.Wrapping = fyne.TextWrapWord
	d := dialog.NewCustomConfirm(lang.L("Valider la demande"), lang.L("Valider"), lang.L("Annuler"), msg,
		func(ok bool) {
			if ok {
				s.queueAction(wire.ActionValidate, nil)
			}
		}, s.win)
	d.Resize(fyne.NewSize(480, 240))
	d.Show()
}

// tapRefuse opens the refusal dialog, which requires a reason.
func (s *agentRequestsScreen) tapRefuse() {
	if s.selected == nil {
		return
	}
	s.refuseReason = widget.NewMultiLineEntry()
	s.refuseReason.SetPlaceHolder(lang.L("Par exemple : vous ne figurez pas sur la liste des assistant(e)s maternel(le)s agréé(e)s."))
	s.refuseReason.Wrapping = fyne.TextWrapWord
	s.refuseReason.SetMinRowsVisible(3)
	s.refuseMessage = newMessageLabel(widget.DangerImportance)
	note := widget.NewLabel(lang.L("Le motif est envoyé par courriel à la personne."))
	note.Wrapping = fyne.TextWrapWord
	content := container.NewVBox(
		widget.NewLabel(lang.L("Motif du refus* :")),
		s.refuseReason,
		note,
		s.refuseMessage,
	)
	s.refuseDialog = dialog.NewCustomWithoutButtons(lang.L("Refuser la demande"), content, s.win)
	cancel := widget.NewButton(lang.L("Annuler"), s.refuseDialog.Hide)
	s.refuseConfirm = widget.NewButton(lang.L("Refuser la demande"), s.confirmRefuse)
	s.refuseConfirm.Importance = widget.DangerImportance
	s.refuseDialog.SetButtons([]fyne.CanvasObject{cancel, s.refuseConfirm})
	s.refuseDialog.Resize(fyne.NewSize(480, 300))
	s.refuseDialog.Show()
	s.win.Canvas().Focus(s.refuseReason)
}

// confirmRefuse prepares the refusal when a reason was typed.
func (s *agentRequestsScreen) confirmRefuse() {
	reason := strings.TrimSpace(s.refuseReason.Text)
	if reason == "" {
		setMessage(s.refuseMessage, lang.L("Indiquez le motif du refus."))
		s.refuseDialog.Refresh()
		return
	}
	s.refuseDialog.Hide()
	s.queueAction(wire.ActionRefuse, map[string]string{"reason": reason})
}

// tapMatch opens the dialog that ties the request to a fiche of the PMI
// list, searched by name or agrément number.
func (s *agentRequestsScreen) tapMatch() {
	r := s.selected
	if r == nil {
		return
	}
	s.matchResults, s.matchChosen = nil, nil
	s.matchSearch = widget.NewEntry()
	s.matchSearch.SetPlaceHolder(lang.L("Nom ou n° d'agrément"))
	s.matchMessage = newMessageLabel(widget.MediumImportance)
	s.matchList = widget.NewList(
		func() int { return len(s.matchResults) },
		newTruncatingLabel,
		func(i widget.ListItemID, o fyne.CanvasObject) {
			if i >= 0 && i < len(s.matchResults) {
				o.(*widget.Label).SetText(matchCandidateLine(s.matchResults[i]))
			}
		},
	)
	s.matchList.OnSelected = func(i widget.ListItemID) {
		if i >= 0 && i < len(s.matchResults) {
			s.matchChosen = s.matchResults[i]
			s.matchChoose.Enable()
		}
	}
	s.matchList.OnUnselected = func(widget.ListItemID) {
		s.matchChosen = nil
		s.matchChoose.Disable()
	}
	intro := widget.NewLabel(lang.L("Cherchez la fiche de la liste de la PMI à laquelle rattacher la demande de {{.Name}} :",
		map[string]any{"Name": r.DisplayName()}))
	intro.Wrapping = fyne.TextWrapWord
	content := container.NewBorder(container.NewVBox(intro, s.matchSearch), s.matchMessage, nil, nil, s.matchList)

	s.matchDialog = dialog.NewCustomWithoutButtons(lang.L("Rapprocher la demande"), content, s.win)
	cancel := widget.NewButton(lang.L("Annuler"), s.matchDialog.Hide)
	s.matchChoose = widget.NewButton(lang.L("Rapprocher"), s.confirmMatch)
	s.matchChoose.Importance = widget.HighImportance
	s.matchChoose.Disable()
	s.matchDialog.SetButtons([]fyne.CanvasObject{cancel, s.matchChoose})
	s.matchDialog.Resize(fyne.NewSize(600, 460))

	s.matchSearch.OnChanged = s.searchProfessionals
	query := r.AgrementNumber
	if query == "" {
		query = r.LastName
	}
	s.matchSearch.SetText(query) // searches
	s.matchDialog.Show()
	s.win.Canvas().Focus(s.matchSearch)
}

// matchCandidateLine is one fiche in the match dialog.
func matchCandidateLine(p *data.Professional) string {
	name := strings.TrimSpace(strings.ToUpper(p.LastName) + " " + p.FirstName)
	if p.Kind == data.KindStructure && p.StructureName != "" {
		name = p.StructureName
	}
	parts := []string{name}
	if p.AgrementNumber != "" {
		parts = append(parts, lang.L("n° {{.Number}}", map[string]any{"Number": p.AgrementNumber}))
	}
	parts = append(parts, strings.TrimSpace(p.Address.PostalCode+" "+p.Address.CommuneName))
	return strings.Join(parts, " — ")
}

// searchProfessionals lists the listed fiches of the request's kind that
// match query: an agrément number when it holds a digit, a name otherwise.
func (s *agentRequestsScreen) searchProfessionals(query string) {
	r := s.selected
	if r == nil {
		return
	}
	query = strings.TrimSpace(query)
	f := data.ProfessionalFilter{Kind: r.Kind, Listing: data.Listed, Limit: 50}
	if strings.ContainsFunc(query, unicode.IsDigit) {
		f.AgrementNumber = query
	} else {
		f.Name = query
	}
	s.matchGen++
	gen := s.matchGen
	var (
		list  []*data.Professional
		total int
		err   error
	)
	background(func() {
		ctx, cancel := serviceContext()
		defer cancel()
		list, total, err = s.svc.Professionals(ctx, f)
	}, func() {
		if gen != s.matchGen {
			return
		}
		s.matchResults, s.matchChosen = list, nil
		s.matchList.UnselectAll()
		s.matchList.Refresh()
		s.matchChoose.Disable()
		switch {
		case err != nil:
			setMessage(s.matchMessage, errorMessage(err))
		case total == 0:
			setMessage(s.matchMessage, lang.L("Aucune fiche ne correspond à cette recherche."))
		case total > len(list):
			setMessage(s.matchMessage, lang.L("{{.Shown}} fiches affichées sur {{.Total}} : précisez la recherche.",
				map[string]any{"Shown": len(list), "Total": total}))
		default:
			setMessage(s.matchMessage, "")
		}
		s.matchDialog.Refresh()
	})
}

// confirmMatch prepares the match with the fiche chosen.
func (s *agentRequestsScreen) confirmMatch() {
	if s.matchChosen == nil {
		setMessage(s.matchMessage, lang.L("Choisissez une fiche dans la liste."))
		s.matchDialog.Refresh()
		return
	}
	id := s.matchChosen.ID
	s.matchDialog.Hide()
	s.queueAction(wire.ActionMatch, map[string]string{"professional_id": id})
}

// tapLetter fetches the letter from the service and saves it where the
// agent chooses.
func (s *agentRequestsScreen) tapLetter() {
	r := s.selected
	if r == nil {
		return
	}
	var (
		pdf []byte
		err error
	)
	s.letter.Disable()
	background(func() {
		ctx, cancel := serviceContext()
		defer cancel()
		pdf, err = s.svc.Letter(ctx, r.ID)
	}, func() {
		s.letter.Enable()
		if err != nil {
			msg := errorMessage(err)
			switch {
			case agentServerUnreachable(err):
				msg = lang.L("Le serveur n'est pas joignable : le courrier ne peut être produit qu'en ligne. Réessayez quand la connexion sera rétablie.")
			case agentNotConnected(err):
				msg = lang.L("Le courrier ne peut être produit qu'en ligne : connectez-vous au serveur puis réessayez.")
			}
			s.showActionMessage(msg, widget.DangerImportance)
			return
		}
		s.saveFile(letterFileName(r), pdf, func(location string, err error) {
			switch {
			case err != nil:
				s.showActionMessage(lang.L("Le courrier n'a pas pu être enregistré : {{.Error}}",
					map[string]any{"Error": err.Error()}), widget.DangerImportance)
			case location != "":
				s.showActionMessage(lang.L("Courrier enregistré : {{.Path}}", map[string]any{"Path": location}),
					widget.SuccessImportance)
			}
		})
	})
}

// letterFileName suggests a file name for the letter of r.
func letterFileName(r *data.Request) string {
	name := strings.Map(func(c rune) rune {
		if unicode.IsLetter(c) || unicode.IsDigit(c) {
			return c
		}
		return '-'
	}, r.DisplayName())
	return "courrier-habilitation-" + strings.Trim(name, "-") + ".pdf"
}

// saveWithDialog asks where to save content with a file dialog, then
// writes it there. The dialog opens where the agent saved a letter last,
// or in her Documents folder, or in her home folder.
func (s *agentRequestsScreen) saveWithDialog(suggested string, content []byte, done func(string, error)) {
	d := dialog.NewFileSave(func(w fyne.URIWriteCloser, err error) {
		if err != nil || w == nil {
			done("", err)
			return
		}
		_, err = w.Write(content)
		if cerr := w.Close(); err == nil {
			err = cerr
		}
		if dir, perr := storage.Parent(w.URI()); perr == nil {
			s.letterFolder = dir
		}
		done(w.URI().Path(), err)
	}, s.win)
	d.SetFileName(suggested)
	d.SetFilter(storage.NewExtensionFileFilter([]string{".pdf"}))
	if dir := startFolder(s.letterFolder); dir != nil {
		d.SetLocation(dir)
	}
	d.Resize(fileDialogSize)
	d.Show()
}

// agentServerUnreachable reports whether err says that the service could
// not be reached (the online-only calls of an agent say so in their own
// words: nothing was kept to be sent later).
func agentServerUnreachable(err error) bool {
	return data.ErrorCode(err) == data.EUNAVAILABLE && strings.HasPrefix(data.ErrorMessage(err), client.MsgUnreachable)
}

// agentNotConnected reports whether err says that the app works offline,
// without a session on the service (an agent who unlocked her local copy).
func agentNotConnected(err error) bool {
	return data.ErrorCode(err) == data.EUNAUTHORIZED && data.ErrorMessage(err) == client.MsgNotLoggedIn
}
