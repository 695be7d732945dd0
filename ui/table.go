package ui

import (
	"fmt"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// The building blocks of the agent's list screens (requests, register,
// import, audit log): a table of rows, the selects that filter it and the
// bar that pages it.

// tableColumn is a column of a data table: its header, already
// translated, and its width.
type tableColumn struct {
	title string
	width float32
}

// newDataTable returns a table of the items rows returns, one line each,
// with a bold header line of the columns' titles. cell gives the text of
// column col for an item, shown in a label that truncates it; onSelected,
// when not nil, is called with the item of the line selected.
func newDataTable[T any](columns []tableColumn, rows func() []T, cell func(item T, col int) string, onSelected func(item T)) *widget.Table {
	t := widget.NewTableWithHeaders(
		func() (int, int) { return len(rows()), len(columns) },
		newTruncatingLabel,
		func(id widget.TableCellID, o fyne.CanvasObject) {
			text := ""
			if items := rows(); id.Row >= 0 && id.Row < len(items) {
				text = cell(items[id.Row], id.Col)
			}
			o.(*widget.Label).SetText(text)
		})
	t.ShowHeaderColumn = false
	t.CreateHeader = func() fyne.CanvasObject {
		return widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	}
	t.UpdateHeader = func(id widget.TableCellID, o fyne.CanvasObject) {
		if id.Row < 0 && id.Col >= 0 && id.Col < len(columns) {
			o.(*widget.Label).SetText(columns[id.Col].title)
		}
	}
	for i, c := range columns {
		t.SetColumnWidth(i, c.width)
	}
	if onSelected != nil {
		t.OnSelected = func(id widget.TableCellID) {
			if items := rows(); id.Row >= 0 && id.Row < len(items) {
				onSelected(items[id.Row])
			}
		}
	}
	return t
}

// newTruncatingLabel returns an empty label that ends a text too long for
// it with an ellipsis: a cell of a table or a line of a list.
func newTruncatingLabel() fyne.CanvasObject {
	l := widget.NewLabel("")
	l.Truncation = fyne.TextTruncateEllipsis
	return l
}

// newFilterSelect returns a select of options with the first (« all »)
// chosen; its OnChanged is left to the caller, so that choosing the first
// option here loads nothing.
func newFilterSelect(options []string) *widget.Select {
	sel := widget.NewSelect(options, nil)
	sel.Selected = options[0]
	return sel
}

// pageNav is the paging bar of a list: « 1–50 sur 10 000 », Précédent,
// Suivant.
type pageNav struct {
	content fyne.CanvasObject
	label   *widget.Label
	prev    *widget.Button
	next    *widget.Button

	limit, offset, total int
	empty                string           // the label when there is nothing to show
	onPage               func(offset int) // loads the page starting at offset
}

// newPageNav returns a paging bar of pages of limit items, which says
// empty when there is nothing to show.
func newPageNav(limit int, empty string, onPage func(offset int)) *pageNav {
	p := &pageNav{limit: limit, empty: empty, onPage: onPage}
	p.label = widget.NewLabel("")
	p.prev = widget.NewButtonWithIcon(lang.L("Précédent"), theme.NavigateBackIcon(), func() {
		p.onPage(max(0, p.offset-p.limit))
	})
	p.next = widget.NewButtonWithIcon(lang.L("Suivant"), theme.NavigateNextIcon(), func() {
		p.onPage(p.offset + p.limit)
	})
	p.next.IconPlacement = widget.ButtonIconTrailingText
	p.prev.Disable()
	p.next.Disable()
	p.content = container.NewHBox(p.label, layout.NewSpacer(), p.prev, p.next)
	return p
}

// set shows the page of count items starting at offset, of total.
func (p *pageNav) set(offset, count, total int) {
	p.offset, p.total = offset, total
	if total == 0 || count == 0 {
		p.label.SetText(p.empty)
	} else {
		p.label.SetText(lang.L("{{.From}}–{{.To}} sur {{.Total}}", map[string]any{
			"From": frenchNumber(offset + 1), "To": frenchNumber(offset + count), "Total": frenchNumber(total)}))
	}
	if offset > 0 {
		p.prev.Enable()
	} else {
		p.prev.Disable()
	}
	if offset+count < total {
		p.next.Enable()
	} else {
		p.next.Disable()
	}
}

// frenchNumber writes n with a (no-break) space between thousands:
// « 10 000 ».
func frenchNumber(n int) string {
	s := fmt.Sprint(n)
	if n < 0 {
		return "-" + frenchNumber(-n)
	}
	var b strings.Builder
	for i, r := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteRune('\u00a0')
		}
		b.WriteRune(r)
	}
	return b.String()
}
