package ui

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/storage"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"espacepro/data"
	"espacepro/sync/client"
	"espacepro/sync/wire"
)

// importPreviewFixture is what the service answers for a small list: two
// new childminders, one updated, one rejected row, one delisted.
func importPreviewFixture() *wire.ImportPreview {
	pro := func(last, first, number, commune string) *wire.Professional {
		return &wire.Professional{Kind: string(data.KindChildminder), LastName: last, FirstName: first,
			AgrementNumber: number, Address: wire.Address{StreetName: "rue des Lilas", PostalCode: "92160", CommuneName: commune}}
	}
	return &wire.ImportPreview{
		Caf: "921", File: "liste-pmi-92.csv", SHA256: "5e3c0d1a9b", Format: "csv", Encoding: "windows-1252",
		Counts: map[string]int{"new": 2, "updated": 1, "unchanged": 40, "delisted": 1, "rejected": 1},
		Changes: []wire.ImportChange{
			{Kind: "new", Line: 2, Professional: pro("Durand", "Léa", "92-0101", "Antony")},
			{Kind: "new", Line: 3, Professional: pro("Roux", "Emma", "92-0102", "Sceaux")},
			{Kind: "updated", Line: 5, Professional: pro("Martin", "Sophie", "92-0002", "Antony"),
				Before: pro("Martin", "Sophie", "92-0002", "Antony"), Fields: []string{"street", "phone"}},
			{Kind: "rejected", Line: 7, Reason: "Code postal « 9216 » invalide : 5 chiffres attendus."},
			{Kind: "delisted", Professional: pro("Lefèvre", "Nadia", "92-0050", "Bagneux")},
		},
	}
}

// newImportWindow shows the import screen on a fake service.
func newImportWindow(t *testing.T) (*importScreen, *fakeService, fyne.Window) {
	t.Helper()
	f := newFakeService()
	f.preview = importPreviewFixture()
	w := newSizedWindow(t, "Import", 1200, 760) // the app's default size
	s := newImportScreen(f, w)
	w.SetContent(s.content)
	return s, f, w
}

// importRowKinds returns the kinds of the changes listed.
func importRowKinds(s *importScreen) []string {
	var out []string
	for _, ch := range s.rows {
		out = append(out, ch.Kind)
	}
	return out
}

var importTestFile = []byte("civilite;nom;prenom\nMme;Durand;Léa\n")

func TestImportChoosesAFileAndShowsThePreview(t *testing.T) {
	s, f, w := newImportWindow(t)
	if s.preview.Visible() || !s.apply.Disabled() {
		t.Fatal("a preview or « Appliquer l'import » before any file")
	}
	s.chooseFile = func(done func(string, []byte)) { done("liste-pmi-92.csv", importTestFile) }
	test.Tap(s.choose)

	if !f.called(fmt.Sprintf("ImportPreview liste-pmi-92.csv %d", len(importTestFile))) {
		t.Fatalf("calls %v", f.calls)
	}
	if !s.preview.Visible() {
		t.Fatal("no preview")
	}
	for kind, want := range map[string]string{"new": "2", "updated": "1", "relisted": "0", "unchanged": "40", "delisted": "1", "rejected": "1"} {
		if got := s.counts[kind].Text; got != want {
			t.Errorf("count %s = %q, want %q", kind, got, want)
		}
	}
	assertShows(t, w, "liste-pmi-92.csv", "Nouvelles", "Mises à jour", "Réinscrites", "Inchangées", "Retirées", "Rejetées",
		"Fichier CSV (Windows-1252, Excel)",
		"Ligne", "Type", "Nom", "Prénom", "N° d'agrément", "Commune", "Détail")
	assertTableShows(t, s.table, "2", "Nouvelle", "DURAND", "Léa", "92-0101", "Antony", "Mise à jour",
		"Modifié : Adresse, Téléphone", "Rejetée", "Retirée", "LEFÈVRE")
	if got := importRowKinds(s); !slices.Equal(got, []string{"new", "new", "updated", "rejected", "delisted"}) {
		t.Errorf("rows %v", got)
	}
	if s.force.Visible() || s.warning.Visible() {
		t.Error("a warning without a mass delisting")
	}
	if s.apply.Disabled() {
		t.Error("« Appliquer l'import » is disabled")
	}
}

func TestImportFiltersTheChanges(t *testing.T) {
	s, _, _ := newImportWindow(t)
	s.loadFile("liste-pmi-92.csv", importTestFile)
	for _, tc := range []struct {
		filter string
		want   []string
	}{
		{"Nouvelles", []string{"new", "new"}},
		{"Mises à jour", []string{"updated"}},
		{"Rejetées", []string{"rejected"}},
		{"Retirées", []string{"delisted"}},
		{"Réinscrites", nil},
		{"Tous les changements", []string{"new", "new", "updated", "rejected", "delisted"}},
	} {
		s.kindFilter.SetSelected(tc.filter)
		if got := importRowKinds(s); !slices.Equal(got, tc.want) {
			t.Errorf("%s: rows %v, want %v", tc.filter, got, tc.want)
		}
	}
	// The reason of a rejection, with its row number, in full.
	s.kindFilter.SetSelected("Rejetées")
	assertTableShows(t, s.table, "7", "Code postal « 9216 » invalide : 5 chiffres attendus.")
	s.table.Select(widget.TableCellID{Row: 0, Col: 6})
	if got := s.rowDetail.Text; got != "Ligne 7 — Rejetée — Code postal « 9216 » invalide : 5 chiffres attendus." {
		t.Errorf("row detail %q", got)
	}
}

func TestImportApplySendsThePreviewedFile(t *testing.T) {
	s, f, w := newImportWindow(t)
	var applied *wire.ImportPreview
	s.onApplied = func(res *wire.ImportPreview) { applied = res }
	s.loadFile("liste-pmi-92.csv", importTestFile)
	test.Tap(s.apply)
	requireDialog(t, w, "no confirmation")
	tapDialogButton(t, w, "Annuler")
	if f.called("ImportApply") {
		t.Fatal("applied although cancelled")
	}
	test.Tap(s.apply)
	tapDialogButton(t, w, "Appliquer")
	if !f.called("ImportApply liste-pmi-92.csv 5e3c0d1a9b false") {
		t.Fatalf("calls %v", f.calls)
	}
	want := "Import appliqué : 2 nouvelle(s), 1 mise(s) à jour, 0 réinscrite(s), 1 retirée(s), 40 inchangée(s), 1 rejetée(s)."
	if got := s.status.Text; got != want {
		t.Errorf("status %q", got)
	}
	if !s.apply.Disabled() {
		t.Error("the same file can be applied twice")
	}
	if applied == nil || !applied.Applied {
		t.Error("onApplied was not called with the result")
	}
}

func TestImportMassDelistingNeedsTheCheck(t *testing.T) {
	s, f, w := newImportWindow(t)
	f.preview.Counts["delisted"] = 120
	f.preview.NeedsForce = true
	f.preview.Warning = "Attention : ce fichier retirerait 120 des 400 assistant(e)s maternel(le)s inscrit(e)s (plus de 20 %)."
	s.loadFile("liste-tronquee.csv", importTestFile)

	if !s.warning.Visible() || s.warning.Text != f.preview.Warning {
		t.Errorf("warning %q (visible %v)", s.warning.Text, s.warning.Visible())
	}
	assertShows(t, w, "Je confirme le retrait de 120 assistant(e)s maternel(le)s de la liste")
	if !s.force.Visible() || !s.apply.Disabled() {
		t.Fatal("« Appliquer l'import » should wait for the check")
	}
	test.Tap(s.apply) // disabled: nothing happens
	if w.Canvas().Overlays().Top() != nil || f.called("ImportApply") {
		t.Fatal("applied without the check")
	}
	test.Tap(s.force)
	if s.apply.Disabled() {
		t.Fatal("still disabled after the check")
	}
	test.Tap(s.apply)
	tapDialogButton(t, w, "Appliquer")
	if !f.called("ImportApply liste-tronquee.csv 5e3c0d1a9b true") {
		t.Errorf("calls %v", f.calls)
	}
}

func TestImportNeedsTheServer(t *testing.T) {
	unreachable := fmt.Errorf("%w (%w)", data.Errorf(data.EUNAVAILABLE, client.MsgUnreachable), errors.New("dial tcp: i/o timeout"))
	want := "Le serveur n'est pas joignable : l'aperçu et l'import ont besoin du serveur. Réessayez quand la connexion sera rétablie."

	s, f, _ := newImportWindow(t)
	f.fail["ImportPreview"] = unreachable
	s.loadFile("liste-pmi-92.csv", importTestFile)
	if got := s.status.Text; got != want || !s.status.Visible() {
		t.Errorf("preview: status %q", got)
	}
	if s.preview.Visible() || !s.apply.Disabled() {
		t.Error("a preview is shown after a failure")
	}

	f.fail["ImportPreview"] = data.Errorf(data.EUNAUTHORIZED, client.MsgNotLoggedIn)
	s.loadFile("liste-pmi-92.csv", importTestFile)
	if got := s.status.Text; got != "L'aperçu et l'import ont besoin du serveur : connectez-vous au serveur puis réessayez." {
		t.Errorf("offline: status %q", got)
	}

	delete(f.fail, "ImportPreview")
	s.loadFile("liste-pmi-92.csv", importTestFile)
	f.fail["ImportApply"] = unreachable
	s.applyImport()
	if got := s.status.Text; got != want {
		t.Errorf("apply: status %q", got)
	}
	if s.apply.Disabled() {
		t.Error("after a failed apply, the agent cannot retry")
	}

	// The service's own refusals are told in its words.
	f.fail["ImportApply"] = data.Errorf(data.ECONFLICT, "Le fichier n'est pas celui de l'aperçu : affichez à nouveau l'aperçu avant d'importer.")
	s.applyImport()
	if got := s.status.Text; got != "Le fichier n'est pas celui de l'aperçu : affichez à nouveau l'aperçu avant d'importer." {
		t.Errorf("conflict: status %q", got)
	}
}

func TestImportFileKindInTheAgentsWords(t *testing.T) {
	for _, tc := range []struct{ format, encoding, want string }{
		{"csv", "utf-8", "Fichier CSV (UTF-8)"},
		{"csv", "utf-8-bom", "Fichier CSV (UTF-8)"},
		{"csv", "windows-1252", "Fichier CSV (Windows-1252, Excel)"},
		{"csv", "utf-16le", "Fichier CSV (UTF-16, Excel)"},
		{"csv", "utf-16be", "Fichier CSV (UTF-16, Excel)"},
		{"csv", "", "Fichier CSV"},
		{"xlsx", "", "Fichier Excel (XLSX)"},
		{"ods", "", "Fichier ODS"},                          // not known yet: as the service says
		{"csv", "iso-8859-15", "Fichier CSV (iso-8859-15)"}, // likewise
	} {
		if got := importFileKind(tc.format, tc.encoding); got != tc.want {
			t.Errorf("%s %s: %q, want %q", tc.format, tc.encoding, got, tc.want)
		}
	}
}

func TestImportPreviewFitsTheWindow(t *testing.T) {
	s, _, _ := newImportWindow(t) // the app's default size
	s.loadFile("liste-pmi-92.csv", importTestFile)
	if got, room := columnsWidth(importColumns()), s.table.Size().Width; got > room {
		t.Errorf("the columns take %v px, the screen %v px: a horizontal scroll bar", got, room)
	}
	// « Afficher » is as wide as its longest option, not as the screen.
	text := fyne.MeasureText("Tous les changements", theme.TextSize(), fyne.TextStyle{}).Width
	if got := s.kindFilter.Size().Width; got < text+2*theme.InnerPadding() || got > s.table.Size().Width/3 {
		t.Errorf("the filter is %v px wide for %v px of text", got, text)
	}
}

func TestImportDialogStartFolder(t *testing.T) {
	home := t.TempDir()
	t.Setenv("HOME", home)
	t.Setenv("USERPROFILE", home) // Windows
	s, _, _ := newImportWindow(t)
	if got := startFolder(s.lastFolder); got == nil || got.Path() != home {
		t.Errorf("without Documents: %v, want the home folder %s", got, home)
	}
	docs := filepath.Join(home, "Documents")
	if err := os.Mkdir(docs, 0o755); err != nil {
		t.Fatal(err)
	}
	if got := startFolder(s.lastFolder); got == nil || got.Path() != docs {
		t.Errorf("with Documents: %v, want %s", got, docs)
	}
	// Then where the agent chose a file last.
	s.lastFolder = storage.NewFileURI(t.TempDir())
	if got := startFolder(s.lastFolder); got == nil || got.Path() != s.lastFolder.Path() {
		t.Errorf("after a choice: %v, want %s", got, s.lastFolder)
	}
}

func TestImportDialogIsLarge(t *testing.T) {
	t.Setenv("HOME", t.TempDir())
	s, _, w := newImportWindow(t) // the app's default size
	s.openWithDialog(func(string, []byte) {})
	top := w.Canvas().Overlays().Top()
	if top == nil {
		t.Fatal("no file dialog")
	}
	if got := top.(*widget.PopUp).Content.Size(); got.Width < 880 || got.Height < 580 {
		t.Errorf("the file dialog is %v", got)
	}
}

func TestImportPreviewGolden(t *testing.T) {
	s, _, w := newImportWindow(t)
	s.loadFile("liste-pmi-92.csv", importTestFile)
	test.AssertRendersToMarkup(t, "agent_import_preview.xml", w.Canvas())
}
