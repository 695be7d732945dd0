package ui

import (
	"slices"
	"testing"
	"time"
	_ "time/tzdata" // Europe/Paris on any test machine

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"
)

// The test helpers of the agent's list screens (requests, register,
// import, audit log).

// paris is the time zone the tests show dates in.
var paris = func() *time.Location {
	loc, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		panic(err)
	}
	return loc
}()

// newSizedWindow opens a test window of width × height, closed at the end
// of the test.
func newSizedWindow(t *testing.T, title string, width, height float32) fyne.Window {
	t.Helper()
	w := test.NewTempApp(t).NewWindow(title)
	t.Cleanup(w.Close)
	w.Resize(fyne.NewSize(width, height))
	return w
}

// requireDialog stops the test with message unless a dialog is open on w.
func requireDialog(t *testing.T, w fyne.Window, message string) {
	t.Helper()
	if w.Canvas().Overlays().Top() == nil {
		t.Fatal(message)
	}
}

// tapDialogButton taps the button labelled text in the top dialog of w.
func tapDialogButton(t *testing.T, w fyne.Window, text string) {
	t.Helper()
	top := w.Canvas().Overlays().Top()
	if top == nil {
		t.Fatalf("no dialog open to tap %q", text)
	}
	tapButton(t, top, text)
}

// tableTexts returns the texts of every cell of tbl, as its UpdateCell
// fills them.
func tableTexts(tbl *widget.Table) []string {
	var out []string
	rows, cols := tbl.Length()
	for r := range rows {
		for c := range cols {
			cell := tbl.CreateCell()
			tbl.UpdateCell(widget.TableCellID{Row: r, Col: c}, cell)
			if l, ok := cell.(*widget.Label); ok && l.Text != "" {
				out = append(out, l.Text)
			}
		}
	}
	return out
}

// assertTableShows checks that tbl has cells with the texts want.
func assertTableShows(t *testing.T, tbl *widget.Table, want ...string) {
	t.Helper()
	got := tableTexts(tbl)
	for _, s := range want {
		if !slices.Contains(got, s) {
			t.Errorf("the table does not show %q; it shows %q", s, got)
		}
	}
}

// assertPaging pages through a list with p, which shows the first page:
// each of labels is what p says of a page (« 1–50 sur 120 »), the first
// page's first. On each page, only the buttons that lead somewhere must
// be enabled. It ends with « Précédent » from the last page.
func assertPaging(t *testing.T, w fyne.Window, p *pageNav, labels ...string) {
	t.Helper()
	for i, label := range labels {
		if i > 0 {
			test.Tap(p.next)
		}
		assertShows(t, w, label)
		if p.prev.Disabled() != (i == 0) || p.next.Disabled() != (i == len(labels)-1) {
			t.Errorf("on page %q: « Précédent » enabled = %v, « Suivant » enabled = %v",
				label, !p.prev.Disabled(), !p.next.Disabled())
		}
	}
	if len(labels) > 1 {
		test.Tap(p.prev)
		assertShows(t, w, labels[len(labels)-2])
	}
}
