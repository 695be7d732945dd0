package ui

import (
	"fmt"
	"io"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/storage"
	"fyne.io/fyne/v2/widget"

	"espacepro/sync/wire"
)

// The kinds of change of an import, as the service names them
// (server/import.go).
const (
	importNew       = "new"
	importUpdated   = "updated"
	importUnchanged = "unchanged"
	importRelisted  = "relisted"
	importDelisted  = "delisted"
	importRejected  = "rejected"
)

// importKinds are the kinds counted by a preview, in the order shown, with
// their plural caption (counts, filter) and singular label (table).
var importKinds = []struct {
	kind, plural, singular string
}{
	{importNew, "Nouvelles", "Nouvelle"},
	{importUpdated, "Mises à jour", "Mise à jour"},
	{importRelisted, "Réinscrites", "Réinscrite"},
	{importUnchanged, "Inchangées", "Inchangée"},
	{importDelisted, "Retirées", "Retirée"},
	{importRejected, "Rejetées", "Rejetée"},
}

// importFieldLabels names the fields an update changes (server/import.go,
// compareRow).
var importFieldLabels = map[string]string{
	"civility":      "Civilité",
	"last_name":     "Nom",
	"first_name":    "Prénom",
	"street":        "Adresse",
	"postal_code":   "Code postal",
	"commune":       "Commune",
	"phone":         "Téléphone",
	"places_agreed": "Places agréées",
	"agrement_date": "Date d'agrément",
}

// importScreen imports the list of approved childminders sent by the PMI:
// the agent chooses a CSV or XLSX file, the service previews what it would
// change, and the agent applies it, all or nothing. Both steps need the
// service.
type importScreen struct {
	content fyne.CanvasObject

	svc Service
	win fyne.Window

	choose     *widget.Button
	fileLabel  *widget.Label
	status     *widget.Label // progress, errors and the result
	preview    *fyne.Container
	counts     map[string]*widget.Label // kind → its count
	format     *widget.Label
	warning    *widget.Label
	force      *widget.Check
	kindFilter *widget.Select
	table      *widget.Table
	rowDetail  *widget.Label
	apply      *widget.Button

	fileName    string
	fileContent []byte
	current     *wire.ImportPreview
	rows        []wire.ImportChange // the changes shown (filtered)

	// chooseFile asks for a file and hands its name and content to done;
	// tests replace it to give a file without a dialog.
	chooseFile func(done func(name string, content []byte))

	// onApplied, when set, is called after an import was applied (the app
	// may sync to bring the new fiches to the local copy).
	onApplied func(result *wire.ImportPreview)
}

// newImportScreen builds the import screen of a Caf agent.
func newImportScreen(svc Service, win fyne.Window) *importScreen {
	s := &importScreen{svc: svc, win: win, counts: map[string]*widget.Label{}}
	s.chooseFile = s.openWithDialog

	intro := widget.NewLabel(lang.L("Choisissez le fichier de la liste transmise par la PMI (CSV ou XLSX). Un aperçu montre ce que l'import changera ; rien n'est modifié avant « Appliquer l'import »."))
	intro.Wrapping = fyne.TextWrapWord
	s.choose = widget.NewButton(lang.L("Choisir le fichier…"), func() { s.chooseFile(s.loadFile) })
	s.fileLabel = widget.NewLabel("")
	s.status = newMessageLabel(widget.MediumImportance)

	countCells := make([]fyne.CanvasObject, 0, len(importKinds))
	for _, k := range importKinds {
		n := widget.NewLabelWithStyle("0", fyne.TextAlignCenter, fyne.TextStyle{Bold: true})
		s.counts[k.kind] = n
		countCells = append(countCells, container.NewVBox(n, widget.NewLabelWithStyle(lang.L(k.plural), fyne.TextAlignCenter, fyne.TextStyle{})))
	}
	s.format = widget.NewLabel("")
	s.warning = newMessageLabel(widget.DangerImportance)
	s.warning.TextStyle = fyne.TextStyle{Bold: true}
	s.force = widget.NewCheck("", func(bool) { s.updateApply() })
	s.force.Hide()

	filters := []string{lang.L("Tous les changements")}
	for _, k := range importKinds {
		if k.kind != importUnchanged { // unchanged rows are not listed
			filters = append(filters, lang.L(k.plural))
		}
	}
	s.kindFilter = newFilterSelect(filters)
	s.kindFilter.OnChanged = func(string) { s.filterRows() }

	s.rowDetail = newMessageLabel(widget.MediumImportance)
	s.table = newDataTable([]tableColumn{
		{lang.L("Ligne"), 60},
		{lang.L("Type"), 110},
		{lang.L("Nom"), 130},
		{lang.L("Prénom"), 110},
		{lang.L("N° d'agrément"), 120},
		{lang.L("Commune"), 140},
		{lang.L("Détail"), 380},
	}, func() []wire.ImportChange { return s.rows }, importCell, func(ch wire.ImportChange) {
		setMessage(s.rowDetail, s.changeSummary(ch))
	})

	s.apply = widget.NewButton(lang.L("Appliquer l'import"), s.tapApply)
	s.apply.Importance = widget.HighImportance
	s.apply.Disable()

	top := container.NewVBox(
		heading(lang.L("Import de la liste de la PMI")),
		intro,
		container.NewHBox(s.choose, s.fileLabel),
		s.status,
	)
	previewTop := container.NewVBox(
		container.NewGridWithColumns(len(importKinds), countCells...),
		s.format,
		s.warning,
		s.force,
		container.NewBorder(nil, nil, widget.NewLabel(lang.L("Afficher :")), nil, s.kindFilter),
	)
	previewBottom := container.NewVBox(s.rowDetail, container.NewHBox(layout.NewSpacer(), s.apply))
	s.preview = container.NewBorder(previewTop, previewBottom, nil, nil, s.table)
	s.preview.Hide()
	s.content = container.NewPadded(container.NewBorder(top, nil, nil, nil, s.preview))
	return s
}

// openWithDialog asks for a CSV or XLSX file and reads it.
func (s *importScreen) openWithDialog(done func(name string, content []byte)) {
	d := dialog.NewFileOpen(func(r fyne.URIReadCloser, err error) {
		if err != nil {
			s.showStatus(lang.L("Le fichier n'a pas pu être ouvert : {{.Error}}", map[string]any{"Error": err.Error()}), widget.DangerImportance)
			return
		}
		if r == nil { // cancelled
			return
		}
		defer r.Close()
		content, err := io.ReadAll(r)
		if err != nil {
			s.showStatus(lang.L("Le fichier n'a pas pu être lu : {{.Error}}", map[string]any{"Error": err.Error()}), widget.DangerImportance)
			return
		}
		done(r.URI().Name(), content)
	}, s.win)
	d.SetFilter(storage.NewExtensionFileFilter([]string{".csv", ".xlsx"}))
	d.Show()
}

// loadFile asks the service for the preview of the file name.
func (s *importScreen) loadFile(name string, content []byte) {
	s.fileName, s.fileContent, s.current = name, content, nil
	s.fileLabel.SetText(name)
	s.preview.Hide()
	s.apply.Disable()
	s.choose.Disable()
	s.showStatus(lang.L("Analyse du fichier…"), widget.MediumImportance)
	var (
		pv  *wire.ImportPreview
		err error
	)
	background(func() {
		ctx, cancel := serviceContext()
		defer cancel()
		pv, err = s.svc.ImportPreview(ctx, name, content)
	}, func() {
		s.choose.Enable()
		if err != nil {
			s.showStatus(importErrorMessage(err), widget.DangerImportance)
			return
		}
		s.showStatus("", widget.MediumImportance)
		s.showPreview(pv)
	})
}

// importErrorMessage is the message of a failed preview or apply.
func importErrorMessage(err error) string {
	switch {
	case agentServerUnreachable(err):
		return lang.L("Le serveur n'est pas joignable : l'aperçu et l'import ont besoin du serveur. Réessayez quand la connexion sera rétablie.")
	case agentNotConnected(err):
		return lang.L("L'aperçu et l'import ont besoin du serveur : connectez-vous au serveur puis réessayez.")
	}
	return errorMessage(err)
}

// showPreview shows the counts, the warning and the changes of pv.
func (s *importScreen) showPreview(pv *wire.ImportPreview) {
	s.current = pv
	for _, k := range importKinds {
		s.counts[k.kind].SetText(fmt.Sprint(pv.Counts[k.kind]))
	}
	format := strings.ToUpper(pv.Format)
	if pv.Encoding != "" {
		s.format.SetText(lang.L("Fichier {{.Format}}, encodage {{.Encoding}}", map[string]any{"Format": format, "Encoding": pv.Encoding}))
	} else {
		s.format.SetText(lang.L("Fichier {{.Format}}", map[string]any{"Format": format}))
	}
	setMessage(s.warning, pv.Warning)
	s.force.SetChecked(false)
	if pv.NeedsForce {
		s.force.Text = lang.L("Je confirme le retrait de {{.N}} assistant(e)s maternel(le)s de la liste", map[string]any{"N": pv.Counts[importDelisted]})
		s.force.Enable()
		s.force.Refresh()
		s.force.Show()
	} else {
		s.force.Hide()
	}
	s.kindFilter.SetSelectedIndex(0) // filters the rows
	s.filterRows()
	s.preview.Show()
	s.updateApply()
	s.content.Refresh()
}

// updateApply enables « Appliquer l'import » when there is a preview not
// applied yet and, for a mass delisting, the agent confirmed it.
func (s *importScreen) updateApply() {
	pv := s.current
	if pv == nil || pv.Applied || (pv.NeedsForce && !s.force.Checked) {
		s.apply.Disable()
	} else {
		s.apply.Enable()
	}
}

// filterRows shows the changes of the kind chosen.
func (s *importScreen) filterRows() {
	s.rows = nil
	if s.current != nil {
		kind := ""
		if i := s.kindFilter.SelectedIndex(); i > 0 {
			listed := 0
			for _, k := range importKinds {
				if k.kind == importUnchanged {
					continue
				}
				listed++
				if listed == i {
					kind = k.kind
				}
			}
		}
		for _, ch := range s.current.Changes {
			if kind == "" || ch.Kind == kind {
				s.rows = append(s.rows, ch)
			}
		}
	}
	s.table.UnselectAll()
	setMessage(s.rowDetail, "")
	s.table.Refresh()
	s.table.ScrollToTop()
}

// importCell returns the text of column col of the changes table for ch.
func importCell(ch wire.ImportChange, col int) string {
	p := ch.Professional
	switch col {
	case 0:
		if ch.Line > 0 {
			return fmt.Sprint(ch.Line)
		}
	case 1:
		return importKindLabel(ch.Kind)
	case 2:
		if p != nil {
			return strings.ToUpper(p.LastName)
		}
	case 3:
		if p != nil {
			return p.FirstName
		}
	case 4:
		if p != nil {
			return p.AgrementNumber
		}
	case 5:
		if p != nil {
			return p.Address.CommuneName
		}
	case 6:
		return changeDetail(ch)
	}
	return ""
}

// importKindLabel is the singular label of a kind of change.
func importKindLabel(kind string) string {
	for _, k := range importKinds {
		if k.kind == kind {
			return lang.L(k.singular)
		}
	}
	return kind
}

// changeDetail says why a row is rejected, which fields an update changes,
// or what a delisting does.
func changeDetail(ch wire.ImportChange) string {
	switch ch.Kind {
	case importRejected:
		return ch.Reason
	case importDelisted:
		return lang.L("Absente du fichier : cachée aux parents, habilitation plus valable")
	case importUpdated, importRelisted:
		if len(ch.Fields) == 0 {
			return ""
		}
		names := make([]string, len(ch.Fields))
		for i, f := range ch.Fields {
			names[i] = f
			if label, ok := importFieldLabels[f]; ok {
				names[i] = lang.L(label)
			}
		}
		return lang.L("Modifié : {{.Fields}}", map[string]any{"Fields": strings.Join(names, ", ")})
	}
	return ""
}

// changeSummary describes one change in full under the table.
func (s *importScreen) changeSummary(ch wire.ImportChange) string {
	parts := []string{}
	if ch.Line > 0 {
		parts = append(parts, lang.L("Ligne {{.Line}}", map[string]any{"Line": ch.Line}))
	}
	parts = append(parts, importKindLabel(ch.Kind))
	if p := ch.Professional; p != nil {
		name := strings.TrimSpace(strings.ToUpper(p.LastName) + " " + p.FirstName)
		if p.AgrementNumber != "" {
			name += " (" + lang.L("n° {{.Number}}", map[string]any{"Number": p.AgrementNumber}) + ")"
		}
		parts = append(parts, name)
	}
	if d := changeDetail(ch); d != "" {
		parts = append(parts, d)
	}
	return strings.Join(parts, " — ")
}

// tapApply asks for confirmation, then applies the file previewed.
func (s *importScreen) tapApply() {
	pv := s.current
	if pv == nil {
		return
	}
	if pv.NeedsForce && !s.force.Checked {
		s.showStatus(lang.L("Cochez la confirmation du retrait avant d'appliquer l'import."), widget.DangerImportance)
		return
	}
	msg := widget.NewLabel(lang.L("Appliquer l'import de {{.File}} ? Tout le fichier est appliqué en une fois, ou rien. Les fiches retirées sont cachées aux parents et leur habilitation n'est plus valable ; elles ne sont pas supprimées.",
		map[string]any{"File": s.fileName}))
	msg.Wrapping = fyne.TextWrapWord
	d := dialog.NewCustomConfirm(lang.L("Appliquer l'import"), lang.L("Appliquer"), lang.L("Annuler"), msg,
		func(ok bool) {
			if ok {
				s.applyImport()
			}
		}, s.win)
	d.Resize(fyne.NewSize(480, 240))
	d.Show()
}

// applyImport sends the file previewed to the service, which applies it.
func (s *importScreen) applyImport() {
	pv := s.current
	name, content, force := s.fileName, s.fileContent, pv.NeedsForce && s.force.Checked
	var (
		res *wire.ImportPreview
		err error
	)
	s.apply.Disable()
	s.choose.Disable()
	s.showStatus(lang.L("Import en cours…"), widget.MediumImportance)
	background(func() {
		ctx, cancel := serviceContext()
		defer cancel()
		res, err = s.svc.ImportApply(ctx, name, content, pv.SHA256, force)
	}, func() {
		s.choose.Enable()
		if err != nil {
			s.showStatus(importErrorMessage(err), widget.DangerImportance)
			s.updateApply()
			return
		}
		pv.Applied = true
		s.updateApply()
		s.force.Hide()
		setMessage(s.warning, "")
		c := res.Counts
		s.showStatus(lang.L("Import appliqué : {{.New}} nouvelle(s), {{.Updated}} mise(s) à jour, {{.Relisted}} réinscrite(s), {{.Delisted}} retirée(s), {{.Unchanged}} inchangée(s), {{.Rejected}} rejetée(s).",
			map[string]any{
				"New": c[importNew], "Updated": c[importUpdated], "Relisted": c[importRelisted],
				"Delisted": c[importDelisted], "Unchanged": c[importUnchanged], "Rejected": c[importRejected],
			}), widget.SuccessImportance)
		if s.onApplied != nil {
			s.onApplied(res)
		}
	})
}

// showStatus shows text under the file choice.
func (s *importScreen) showStatus(text string, importance widget.Importance) {
	s.status.Importance = importance
	setMessage(s.status, text)
	s.content.Refresh()
}
