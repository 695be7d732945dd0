package ui

import (
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"espacepro/data"
	"espacepro/sync/client"
	"espacepro/sync/wire"
)

// auditPageSize is the number of entries a page of the audit log shows.
const auditPageSize = 50

// auditScreen is the audit log of the agent's Caf: who did what, when and
// on whom. The log is on the server only: the screen reads it online.
type auditScreen struct {
	svc     Service
	win     fyne.Window
	content fyne.CanvasObject

	action       *widget.Select
	since        *widget.Entry // JJ/MM/AAAA
	until        *widget.Entry
	sinceError   *widget.Label
	untilError   *widget.Label
	filterButton *widget.Button
	table        *widget.Table
	pager        *pageNav
	message      *widget.Label // offline, or the error of the last query
	detail       *widget.Label // the whole line of the entry selected
	filters      *fyne.Container
	bottom       *fyne.Container

	query   client.AuditQuery // the query of the page shown
	entries []wire.AuditEntry // the page shown
	targets map[string]string // target ID → what it names (from the local copy)
	seq     int               // number of the last query, to drop late answers
	loc     *time.Location    // the time zone the dates are shown in
}

// newAuditScreen builds the audit log and loads its first page.
func newAuditScreen(svc Service, win fyne.Window) *auditScreen {
	s := &auditScreen{svc: svc, win: win, targets: map[string]string{}, loc: time.Local}

	options := []string{lang.L("Toutes les actions")}
	for _, a := range auditActions {
		options = append(options, auditActionLabel(a))
	}
	s.action = newFilterSelect(options)
	s.action.OnChanged = func(string) { s.applyFilter() }
	s.since, s.sinceError = auditDateEntry()
	s.until, s.untilError = auditDateEntry()
	s.since.OnSubmitted = func(string) { s.applyFilter() }
	s.until.OnSubmitted = func(string) { s.applyFilter() }
	s.filterButton = widget.NewButtonWithIcon(lang.L("Filtrer"), theme.SearchIcon(), s.applyFilter)
	s.filterButton.Importance = widget.HighImportance

	s.table = s.newTable()
	s.pager = newPageNav(auditPageSize, lang.L("Aucun résultat"), func(offset int) {
		q := s.query
		q.Offset = offset
		s.load(q)
	})
	s.message = newMessageLabel(widget.MediumImportance)
	s.detail = widget.NewLabel("")
	s.detail.Wrapping = fyne.TextWrapWord
	s.detail.Hide()

	dateWidth := fyne.NewSize(130, s.since.MinSize().Height)
	form := container.New(layout.NewFormLayout(),
		widget.NewLabel(lang.L("Action")), container.NewHBox(container.NewGridWrap(fyne.NewSize(320, s.action.MinSize().Height), s.action)),
		widget.NewLabel(lang.L("Du")), container.NewHBox(container.NewGridWrap(dateWidth, s.since), s.sinceError),
		widget.NewLabel(lang.L("Au")), container.NewHBox(container.NewGridWrap(dateWidth, s.until), s.untilError))
	s.filters = container.NewBorder(nil, nil, nil, container.NewVBox(s.filterButton), form)
	bottom := container.NewVBox(s.message, s.detail, s.pager.content)
	s.bottom = bottom
	s.content = container.NewBorder(s.filters, bottom, nil, nil, s.table)

	s.applyFilter()
	return s
}

// auditDateEntry returns a date entry and the label of its error.
func auditDateEntry() (*widget.Entry, *widget.Label) {
	e := widget.NewEntry()
	e.SetPlaceHolder(lang.L("JJ/MM/AAAA"))
	l := newMessageLabel(widget.DangerImportance)
	l.Wrapping = fyne.TextWrapOff // next to the field, on one line
	return e, l
}

// newTable builds the table of the page shown; the entry selected is
// shown whole under it.
func (s *auditScreen) newTable() *widget.Table {
	return newDataTable([]tableColumn{
		{lang.L("Date"), 140},
		{lang.L("Agent"), 200},
		{lang.L("Action"), 260},
		{lang.L("Sur"), 220},
		{lang.L("Détail"), 300},
	}, func() []wire.AuditEntry { return s.entries }, s.cell, s.showEntry)
}

// showEntry shows the whole line of e under the table.
func (s *auditScreen) showEntry(e wire.AuditEntry) {
	text := s.cell(e, 0) + " — " + s.cell(e, 1) + " — " + s.cell(e, 2)
	if target := s.cell(e, 3); target != "" {
		text += " — " + target
	}
	if e.Detail != "" {
		text += "\n" + e.Detail
	}
	s.detail.SetText(text)
	s.detail.Show()
	s.bottom.Refresh()
}

// cell returns the text of column col for e.
func (s *auditScreen) cell(e wire.AuditEntry, col int) string {
	switch col {
	case 0:
		return registerDateTime(e.At, s.loc)
	case 1:
		return e.ActorName
	case 2:
		return auditActionLabel(e.Action)
	case 3:
		return s.targetName(e)
	case 4:
		return e.Detail
	}
	return ""
}

// targetName names what an entry is about: the professional or the
// request's person when the local copy knows them, else its kind and a
// short ID.
func (s *auditScreen) targetName(e wire.AuditEntry) string {
	if e.TargetID == "" {
		return ""
	}
	if name := s.targets[e.TargetID]; name != "" {
		return name
	}
	id := e.TargetID
	if len(id) > 8 {
		id = id[len(id)-8:]
	}
	switch e.TargetKind {
	case "professional":
		return lang.L("Fiche {{.ID}}", map[string]any{"ID": id})
	case "request":
		return lang.L("Demande {{.ID}}", map[string]any{"ID": id})
	case "account":
		return lang.L("Compte {{.ID}}", map[string]any{"ID": id})
	case "import":
		return lang.L("Import {{.ID}}", map[string]any{"ID": id})
	}
	return e.TargetKind + " " + id
}

// applyFilter reads the filters and loads the first page; a date that
// cannot be read is shown next to its field and nothing is asked.
func (s *auditScreen) applyFilter() {
	q := client.AuditQuery{Limit: auditPageSize}
	if i := s.action.SelectedIndex(); i > 0 {
		q.Action = auditActions[i-1]
	}
	since, okSince := s.readDate(s.since, s.sinceError)
	until, okUntil := s.readDate(s.until, s.untilError)
	defer s.filters.Refresh()
	if !okSince || !okUntil {
		return
	}
	if !since.IsZero() && !until.IsZero() && until.Before(since) {
		setMessage(s.untilError, lang.L("La date de fin est avant la date de début."))
		return
	}
	// Since is the first day and Until the last day included, each at
	// midnight, local time: the service reads them as days.
	if !since.IsZero() {
		q.Since = since.Time(time.Local)
	}
	if !until.IsZero() {
		q.Until = until.Time(time.Local)
	}
	s.load(q)
}

// readDate reads a JJ/MM/AAAA entry (empty: no bound) and shows its error
// next to it.
func (s *auditScreen) readDate(e *widget.Entry, errLabel *widget.Label) (data.Date, bool) {
	text := strings.TrimSpace(e.Text)
	if text == "" {
		setMessage(errLabel, "")
		return data.Date{}, true
	}
	d, err := data.ParseFrenchDate(text)
	if err != nil {
		setMessage(errLabel, errorMessage(err))
		return data.Date{}, false
	}
	setMessage(errLabel, "")
	return d, true
}

// reload loads the page shown again (after a sync, or when the server
// became reachable).
func (s *auditScreen) reload() {
	s.load(s.query)
}

// load asks the server for the page of q and shows it, with the names of
// its targets read from the local copy.
func (s *auditScreen) load(q client.AuditQuery) {
	s.seq++
	seq := s.seq
	known := make(map[string]string, len(s.targets))
	for k, v := range s.targets {
		known[k] = v
	}
	var (
		page *wire.Page[wire.AuditEntry]
		err  error
	)
	background(func() {
		ctx, cancel := serviceContext()
		defer cancel()
		page, err = s.svc.Audit(ctx, q)
		if err == nil {
			s.resolveTargets(page.Items, known)
		}
	}, func() {
		if seq != s.seq {
			return // a later query was made meanwhile
		}
		defer s.bottom.Refresh()
		s.query = q
		if err != nil {
			s.entries = nil
			s.table.Refresh()
			s.pager.set(0, 0, 0)
			s.detail.Hide()
			setMessage(s.message, needsServerMessage(err,
				lang.L("Le journal est sur le serveur : connectez-vous pour le consulter."),
				lang.L("Le journal est sur le serveur : connectez-vous pour le consulter.")))
			return
		}
		s.targets = known
		s.entries = page.Items
		s.table.UnselectAll()
		s.table.Refresh()
		s.table.ScrollToTop()
		s.detail.Hide()
		s.pager.set(q.Offset, len(page.Items), page.Total)
		if page.Total == 0 {
			setMessage(s.message, lang.L("Aucune action enregistrée pour ces critères."))
		} else {
			setMessage(s.message, "")
		}
	})
}

// resolveTargets names, from the local copy, the professionals and
// requests of entries not named yet (off the UI goroutine).
func (s *auditScreen) resolveTargets(entries []wire.AuditEntry, known map[string]string) {
	ctx, cancel := serviceContext()
	defer cancel()
	for _, e := range entries {
		if e.TargetID == "" {
			continue
		}
		if _, ok := known[e.TargetID]; ok {
			continue
		}
		known[e.TargetID] = ""
		switch e.TargetKind {
		case "professional":
			if p, err := s.svc.Professional(ctx, e.TargetID); err == nil {
				known[e.TargetID] = p.DisplayName()
			}
		case "request":
			if r, err := s.svc.Request(ctx, e.TargetID); err == nil {
				name := r.StructureName
				if name == "" {
					name = strings.TrimSpace(r.FirstName + " " + strings.ToUpper(r.LastName))
				}
				known[e.TargetID] = lang.L("Demande de {{.Name}}", map[string]any{"Name": name})
			}
		}
	}
}

// auditActions are the actions the service writes to the log (server:
// caf.go, habilitation.go, import.go, admin.go, auth.go), in the order of
// the filter's options.
var auditActions = []string{
	"request.create", "request.match", "request.letter", "request.agreement",
	"request.validate", "request.refuse",
	"professional.suspend", "professional.reactivate", "professional.revoke",
	"professional.password_reset",
	"import.apply",
	"account.password_change", "account.password_reset",
	"agent.create", "agent.send_code", "agent.disable", "agent.enable",
	"demo.seed",
}

// auditActionLabel returns the French label of an action of the log; an
// unknown action is shown as it is.
func auditActionLabel(action string) string {
	switch action {
	case "request.create":
		return lang.L("Demande d'habilitation reçue")
	case "request.match":
		return lang.L("Demande rapprochée d'une fiche")
	case "request.letter":
		return lang.L("Courrier envoyé")
	case "request.agreement":
		return lang.L("Accord reçu")
	case "request.validate":
		return lang.L("Demande validée, compte créé")
	case "request.refuse":
		return lang.L("Demande refusée")
	case "professional.suspend":
		return lang.L("Habilitation suspendue")
	case "professional.reactivate":
		return lang.L("Habilitation réactivée")
	case "professional.revoke":
		return lang.L("Habilitation révoquée")
	case "professional.password_reset":
		return lang.L("Lien de réinitialisation du mot de passe envoyé")
	case "import.apply":
		return lang.L("Liste de la PMI importée")
	case "account.password_change":
		return lang.L("Mot de passe modifié")
	case "account.password_reset":
		return lang.L("Mot de passe réinitialisé")
	case "agent.create":
		return lang.L("Compte d'agent créé")
	case "agent.send_code":
		return lang.L("Code d'accès envoyé à l'agent")
	case "agent.disable":
		return lang.L("Compte d'agent désactivé")
	case "agent.enable":
		return lang.L("Compte d'agent réactivé")
	case "demo.seed":
		return lang.L("Données de démonstration")
	}
	return action
}
