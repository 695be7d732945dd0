package ui

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/storage"
	"fyne.io/fyne/v2/theme"
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
	lastFolder  fyne.URI // the folder of the file chosen last, for the dialog
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
	s.table = newDataTable(importColumns(), func() []wire.ImportChange { return s.rows }, importCell, func(ch wire.ImportChange) {
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
		container.NewHBox(widget.NewLabel(lang.L("Afficher :")), fitOptions(s.kindFilter)),
	)
	previewBottom := container.NewVBox(s.rowDetail, container.NewHBox(layout.NewSpacer(), s.apply))
	s.preview = container.NewBorder(previewTop, previewBottom, nil, nil, s.table)
	s.preview.Hide()
	s.content = container.NewPadded(container.NewBorder(top, nil, nil, nil, s.preview))
	return s
}

// fitOptions returns sel at the width of its longest option (a select
// is otherwise as narrow as its placeholder, or as wide as its place).
func fitOptions(sel *widget.Select) fyne.CanvasObject {
	return container.New(optionsWidthLayout{sel}, sel)
}

// optionsWidthLayout gives a select the width of its longest option.
type optionsWidthLayout struct{ sel *widget.Select }

// Layout gives the select the whole size.
func (l optionsWidthLayout) Layout(objects []fyne.CanvasObject, size fyne.Size) {
	for _, o := range objects {
		o.Resize(size)
		o.Move(fyne.NewPos(0, 0))
	}
}

// MinSize is the select's, wide enough for its longest option, its
// padding and its arrow (as the select measures its placeholder).
func (l optionsWidthLayout) MinSize([]fyne.CanvasObject) fyne.Size {
	th := l.sel.Theme()
	textSize, innerPad := th.Size(theme.SizeNameText), th.Size(theme.SizeNameInnerPadding)
	text := float32(0)
	for _, o := range l.sel.Options {
		text = max(text, fyne.MeasureText(o, textSize, fyne.TextStyle{}).Width)
	}
	min := l.sel.MinSize()
	min.Width = max(min.Width, text+innerPad*4+th.Size(theme.SizeNameInlineIcon))
	return min
}

// importColumns are the columns of the changes table. Their widths fit the
// screen at the window's default size (1200 px: 1184 px, with 4 px between
// columns) with no horizontal scroll. « Détail » is empty for most rows
// (new, unchanged): a long reason is cut with an ellipsis and shown in full
// under the table when its row is selected.
func importColumns() []tableColumn {
	return []tableColumn{
		{lang.L("Ligne"), 60},
		{lang.L("Type"), 105},
		{lang.L("Nom"), 170},
		{lang.L("Prénom"), 150},
		{lang.L("N° d'agrément"), 130},
		{lang.L("Commune"), 180},
		{lang.L("Détail"), 360},
	}
}

// openWithDialog asks for a CSV or XLSX file and reads it. The dialog is
// large enough to read the file names, and opens where the agent chose a
// file last, or in her Documents folder, or in her home folder.
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
		if dir, err := storage.Parent(r.URI()); err == nil {
			s.lastFolder = dir
		}
		done(r.URI().Name(), content)
	}, s.win)
	d.SetFilter(storage.NewExtensionFileFilter([]string{".csv", ".xlsx"}))
	if dir := startFolder(s.lastFolder); dir != nil {
		d.SetLocation(dir)
	}
	d.Resize(fileDialogSize)
	d.Show()
}

// fileDialogSize is the size of the agent's file dialogs, large enough to
// read the names of the files (Fyne's is about 510 × 375); on a smaller
// window, the dialog shrinks to fit.
var fileDialogSize = fyne.NewSize(900, 600)

// startFolder is the folder a file dialog opens in: last (the folder of
// the file chosen last, when not nil), or else the agent's Documents
// folder, or else her home folder; nil when none can be listed (the dialog
// then chooses).
func startFolder(last fyne.URI) fyne.ListableURI {
	candidates := []fyne.URI{last}
	if home, err := os.UserHomeDir(); err == nil {
		candidates = append(candidates, storage.NewFileURI(filepath.Join(home, "Documents")), storage.NewFileURI(home))
	}
	for _, u := range candidates {
		if u == nil {
			continue
		}
		if ok, err := storage.CanList(u); err != nil || !ok {
			continue
		}
		if dir, err := storage.ListerForURI(u); err == nil {
			return dir
		}
	}
	return nil
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
	s.format.SetText(importFileKind(pv.Format, pv.Encoding))
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

// importFileKind says what kind of file the service read, in the agent's
// words, from the format and encoding it names (server/pmi: "csv" or
// "xlsx"; "utf-8", "utf-8-bom", "windows-1252", "utf-16le", "utf-16be").
func importFileKind(format, encoding string) string {
	switch format {
	case "xlsx":
		return lang.L("Fichier Excel (XLSX)")
	case "csv":
		switch encoding {
		case "utf-8", "utf-8-bom":
			return lang.L("Fichier CSV (UTF-8)")
		case "windows-1252":
			return lang.L("Fichier CSV (Windows-1252, Excel)")
		case "utf-16le", "utf-16be":
			return lang.L("Fichier CSV (UTF-16, Excel)")
		case "":
			return lang.L("Fichier CSV")
		}
	}
	// A name this screen does not know yet: shown as the service says it.
	if encoding == "" {
		return lang.L("Fichier {{.Format}}", map[string]any{"Format": strings.ToUpper(format)})
	}
	return lang.L("Fichier {{.Format}} ({{.Encoding}})", map[string]any{"Format": strings.ToUpper(format), "Encoding": encoding})
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
