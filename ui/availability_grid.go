package ui

import (
	"image/color"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"espacepro/data"
)

// The cells' colours are those of the parents' page (server/static/public.css),
// with the red a little stronger so that it stands apart from the grey. The
// text is always dark on these light fills, whatever the theme: its contrast
// stays above 12:1 in the light and the dark theme alike.
var (
	slotTextColour   = color.NRGBA{R: 0x1e, G: 0x1e, B: 0x1e, A: 0xff}
	slotBorderColour = color.NRGBA{R: 0x92, G: 0x92, B: 0x92, A: 0xff}
)

// How far a disabled cell's fill and border, and its text, move towards the
// theme's background: the fill stays clearly coloured and the text keeps a
// contrast above 4:1 in the light and the dark theme.
const (
	disabledFillFade = 0.45
	disabledTextFade = 0.25
)

// mixColour returns a moved towards b by the fraction f (0: a, 1: b), opaque.
func mixColour(a, b color.Color, f float64) color.Color {
	ca, cb := color.NRGBAModel.Convert(a).(color.NRGBA), color.NRGBAModel.Convert(b).(color.NRGBA)
	mix := func(x, y uint8) uint8 { return uint8(float64(x)*(1-f) + float64(y)*f + 0.5) }
	return color.NRGBA{R: mix(ca.R, cb.R), G: mix(ca.G, cb.G), B: mix(ca.B, cb.B), A: 0xff}
}

// slotFill returns the background of a cell holding s.
func slotFill(s data.SlotState) color.Color {
	switch s {
	case data.Available:
		return color.NRGBA{R: 0xb8, G: 0xfe, B: 0xc9, A: 0xff}
	case data.Unavailable:
		return color.NRGBA{R: 0xff, G: 0xc4, B: 0xc4, A: 0xff}
	default:
		return color.NRGBA{R: 0xe6, G: 0xe6, B: 0xe6, A: 0xff}
	}
}

// colourSwatch returns the small square that shows a global colour next to
// its sentence (the sentence always says it in words too).
func colourSwatch(c data.Colour) fyne.CanvasObject {
	r := canvas.NewRectangle(color.NRGBA{R: 0xee, G: 0xee, B: 0xee, A: 0xff})
	r.StrokeColor = color.NRGBA{R: 0x66, G: 0x66, B: 0x66, A: 0xff}
	r.StrokeWidth = 2
	switch c {
	case data.ColourGreen:
		r.FillColor = color.NRGBA{R: 0x18, G: 0x75, B: 0x3c, A: 0xff}
		r.StrokeWidth = 0
	case data.ColourRed:
		r.FillColor = color.NRGBA{R: 0xce, G: 0x05, B: 0x00, A: 0xff}
		r.StrokeWidth = 0
	}
	r.CornerRadius = 4
	r.SetMinSize(fyne.NewSquareSize(18))
	return container.NewCenter(r)
}

// slotLabel returns the translated label of s.
func slotLabel(s data.SlotState) string { return lang.L(s.Label()) }

// slotOfLabel returns the state whose translated label is text.
func slotOfLabel(text string) (data.SlotState, bool) {
	for _, s := range data.SlotStates {
		if slotLabel(s) == text {
			return s, true
		}
	}
	return 0, false
}

// slotLabels returns the translated labels of the three states, in the order
// they are offered.
func slotLabels() []string {
	out := make([]string, len(data.SlotStates))
	for i, s := range data.SlotStates {
		out[i] = slotLabel(s)
	}
	return out
}

// newSlotBadge returns a read-only cell showing s by its colour and its
// label, for the « Aperçu parents » view.
func newSlotBadge(s data.SlotState) fyne.CanvasObject {
	bg := canvas.NewRectangle(slotFill(s))
	bg.StrokeColor = slotBorderColour
	bg.StrokeWidth = 1
	bg.CornerRadius = theme.InputRadiusSize()
	text := canvas.NewText(slotLabel(s), slotTextColour)
	text.Alignment = fyne.TextAlignCenter
	return container.NewStack(bg, container.NewPadded(text))
}

// slotCell is one cell of a grid: it shows its state by colour and in
// words, changes to the next state when tapped, and can be used from the
// keyboard: Space or Enter changes it, the arrows move to the neighbouring
// cells.
type slotCell struct {
	widget.DisableableWidget
	grid      *slotGrid
	day, slot int
	state     data.SlotState
	focused   bool
}

var (
	_ fyne.Focusable     = (*slotCell)(nil)
	_ fyne.Tappable      = (*slotCell)(nil)
	_ fyne.Disableable   = (*slotCell)(nil)
	_ desktop.Cursorable = (*slotCell)(nil)
)

// newSlotCell returns cell (day, slot) of g, « Non travaillé ».
func newSlotCell(g *slotGrid, day, slot int) *slotCell {
	c := &slotCell{grid: g, day: day, slot: slot, state: data.NotWorked}
	c.ExtendBaseWidget(c)
	return c
}

// setState shows s without telling the grid.
func (c *slotCell) setState(s data.SlotState) {
	if c.state == s {
		return
	}
	c.state = s
	c.Refresh()
}

// Tapped moves the cell to its next state and gives it the focus, so that
// the arrows go on from there.
func (c *slotCell) Tapped(*fyne.PointEvent) {
	if c.Disabled() {
		return
	}
	c.grid.set(c.day, c.slot, c.state.Next())
	c.grid.focus(c.day, c.slot)
}

// Cursor shows a hand over the cell.
func (c *slotCell) Cursor() desktop.Cursor { return desktop.PointerCursor }

// FocusGained draws the focus ring.
func (c *slotCell) FocusGained() {
	c.focused = true
	c.Refresh()
}

// FocusLost removes the focus ring.
func (c *slotCell) FocusLost() {
	c.focused = false
	c.Refresh()
}

// TypedRune ignores text: Space arrives as a key too.
func (c *slotCell) TypedRune(rune) {}

// TypedKey changes the cell on Space and Enter and moves the focus on the
// arrows (left and right between days, up and down between time slots).
func (c *slotCell) TypedKey(ev *fyne.KeyEvent) {
	if c.Disabled() {
		return
	}
	switch ev.Name {
	case fyne.KeySpace, fyne.KeyReturn, fyne.KeyEnter:
		c.grid.set(c.day, c.slot, c.state.Next())
	case fyne.KeyLeft:
		c.grid.focus(c.day-1, c.slot)
	case fyne.KeyRight:
		c.grid.focus(c.day+1, c.slot)
	case fyne.KeyUp:
		c.grid.focus(c.day, c.slot-1)
	case fyne.KeyDown:
		c.grid.focus(c.day, c.slot+1)
	}
}

// CreateRenderer draws the cell.
func (c *slotCell) CreateRenderer() fyne.WidgetRenderer {
	r := &slotCellRenderer{cell: c, bg: canvas.NewRectangle(color.Transparent), text: canvas.NewText("", slotTextColour)}
	r.text.Alignment = fyne.TextAlignCenter
	r.Refresh()
	return r
}

// slotCellRenderer draws a slotCell: a filled, bordered box and its label.
type slotCellRenderer struct {
	cell *slotCell
	bg   *canvas.Rectangle
	text *canvas.Text
}

// Destroy does nothing.
func (r *slotCellRenderer) Destroy() {}

// Layout fills the cell with the box and centres the label.
func (r *slotCellRenderer) Layout(size fyne.Size) {
	r.bg.Resize(size)
	r.bg.Move(fyne.NewPos(0, 0))
	h := r.text.MinSize().Height
	r.text.Resize(fyne.NewSize(size.Width, h))
	r.text.Move(fyne.NewPos(0, (size.Height-h)/2))
}

// MinSize fits the longest of the three labels, so that every cell has the
// same size whatever it holds.
func (r *slotCellRenderer) MinSize() fyne.Size {
	th := r.cell.Theme()
	pad := th.Size(theme.SizeNameInnerPadding)
	var w, h float32
	for _, s := range data.SlotStates {
		m := fyne.MeasureText(slotLabel(s), th.Size(theme.SizeNameText), fyne.TextStyle{})
		w = max(w, m.Width)
		h = max(h, m.Height)
	}
	return fyne.NewSize(w+2*pad, h+pad)
}

// Objects returns the box and the label.
func (r *slotCellRenderer) Objects() []fyne.CanvasObject {
	return []fyne.CanvasObject{r.bg, r.text}
}

// Refresh redraws the state: its colour and label, faded when disabled,
// with a ring when focused.
func (r *slotCellRenderer) Refresh() {
	c := r.cell
	th := c.Theme()
	v := fyne.CurrentApp().Settings().ThemeVariant()
	r.text.Text = slotLabel(c.state)
	r.text.TextSize = th.Size(theme.SizeNameText)
	r.bg.CornerRadius = th.Size(theme.SizeNameInputRadius)
	r.bg.FillColor, r.text.Color = slotFill(c.state), slotTextColour
	r.bg.StrokeColor, r.bg.StrokeWidth = slotBorderColour, 1
	if c.Disabled() {
		// Faded towards the background but still readable: the user sees
		// what parents would read if she chose to show this tab.
		bg := th.Color(theme.ColorNameBackground, v)
		r.bg.FillColor = mixColour(r.bg.FillColor, bg, disabledFillFade)
		r.text.Color = mixColour(slotTextColour, bg, disabledTextFade)
		r.bg.StrokeColor = mixColour(slotBorderColour, bg, disabledFillFade)
	}
	if c.focused {
		r.bg.StrokeColor, r.bg.StrokeWidth = th.Color(theme.ColorNamePrimary, v), 3
	}
	r.bg.Refresh()
	r.text.Refresh()
}

// slotGrid is the table of a weekly tab (7 days × 7 time slots), with a
// « Toute la journée » select above each day that sets the day's cells at
// once and shows their common value (« (variable) » when they differ), or of
// a dated tab (7 days × 1 value, no selects: the single row is the day).
type slotGrid struct {
	content fyne.CanvasObject
	cells   [][]*slotCell    // [day][slot]
	selects []*widget.Select // nil without a « Toute la journée » row

	// onChanged is called after the user changed a cell.
	onChanged func()
	syncing   bool // the selects are being updated from the cells
}

// newSlotGrid builds a grid with a column per heading in heads and a row per
// label in rows; selectLabel heads the row of « Toute la journée » selects,
// which is left out when selectLabel is empty.
func newSlotGrid(heads, rows []string, selectLabel string) *slotGrid {
	g := &slotGrid{}
	objects := []fyne.CanvasObject{widget.NewLabel("")}
	for _, h := range heads {
		objects = append(objects, widget.NewLabelWithStyle(h, fyne.TextAlignCenter, fyne.TextStyle{Bold: true}))
	}
	if selectLabel != "" {
		objects = append(objects, widget.NewLabel(selectLabel))
		for d := range heads {
			sel := widget.NewSelect(slotLabels(), nil)
			sel.PlaceHolder = mixedDayLabel() // shown when the day's cells differ
			sel.OnChanged = func(text string) { g.selectChanged(d, text) }
			g.selects = append(g.selects, sel)
			objects = append(objects, container.NewThemeOverride(sel, slotSelectTheme{}))
		}
	}
	g.cells = make([][]*slotCell, len(heads))
	for d := range heads {
		g.cells[d] = make([]*slotCell, len(rows))
		for t := range rows {
			g.cells[d][t] = newSlotCell(g, d, t)
		}
	}
	for t, label := range rows {
		objects = append(objects, widget.NewLabel(label))
		for d := range heads {
			objects = append(objects, g.cells[d][t])
		}
	}
	g.content = container.New(&slotTableLayout{cols: len(heads) + 1}, objects...)
	for d := range heads {
		g.syncSelect(d)
	}
	return g
}

// selectChanged applies a « Toute la journée » choice to day d.
func (g *slotGrid) selectChanged(d int, text string) {
	if g.syncing {
		return
	}
	if s, ok := slotOfLabel(text); ok {
		g.setDay(d, s)
	}
}

// set changes one cell as the user did.
func (g *slotGrid) set(d, t int, s data.SlotState) {
	g.cells[d][t].setState(s)
	g.syncSelect(d)
	g.changed()
}

// setDay sets every cell of day d to s (« Toute la journée »).
func (g *slotGrid) setDay(d int, s data.SlotState) {
	for _, c := range g.cells[d] {
		c.setState(s)
	}
	g.syncSelect(d)
	g.changed()
}

// fill sets every cell to s (« Tout remplir »).
func (g *slotGrid) fill(s data.SlotState) {
	for d := range g.cells {
		for _, c := range g.cells[d] {
			c.setState(s)
		}
		g.syncSelect(d)
	}
	g.changed()
}

// changed tells the screen that the user changed the grid.
func (g *slotGrid) changed() {
	if g.onChanged != nil {
		g.onChanged()
	}
}

// mixedDayLabel is what a « Toute la journée » select shows when the day's
// cells differ.
func mixedDayLabel() string { return lang.L("(variable)") }

// syncSelect shows day d's common value in its select, or « (variable) »
// (its placeholder) when the cells differ.
func (g *slotGrid) syncSelect(d int) {
	if g.selects == nil {
		return
	}
	first := g.cells[d][0].state
	same := true
	for _, c := range g.cells[d][1:] {
		same = same && c.state == first
	}
	g.syncing = true
	defer func() { g.syncing = false }()
	if same {
		g.selects[d].SetSelected(slotLabel(first))
	} else if g.selects[d].Selected != "" {
		g.selects[d].ClearSelected()
	}
}

// week returns a weekly grid's values.
func (g *slotGrid) week() data.WeekGrid {
	var w data.WeekGrid
	for d := range data.DaysPerWeek {
		for t := range data.SlotsPerDay {
			w[d][t] = g.cells[d][t].state
		}
	}
	return w
}

// setWeek shows w in a weekly grid.
func (g *slotGrid) setWeek(w data.WeekGrid) {
	for d := range data.DaysPerWeek {
		for t := range data.SlotsPerDay {
			g.cells[d][t].setState(w[d][t])
		}
		g.syncSelect(d)
	}
}

// days returns a dated grid's values, one per weekday.
func (g *slotGrid) days() data.WeekDays {
	var w data.WeekDays
	for d := range data.DaysPerWeek {
		w[d] = g.cells[d][0].state
	}
	return w
}

// setDays shows w in a dated grid.
func (g *slotGrid) setDays(w data.WeekDays) {
	for d := range data.DaysPerWeek {
		g.cells[d][0].setState(w[d])
		g.syncSelect(d)
	}
}

// setEnabled enables or greys out the cells and selects; they keep their
// values.
func (g *slotGrid) setEnabled(on bool) {
	for d := range g.cells {
		for _, c := range g.cells[d] {
			if on {
				c.Enable()
			} else {
				c.Disable()
			}
		}
	}
	for _, sel := range g.selects {
		if on {
			sel.Enable()
		} else {
			sel.Disable()
		}
	}
}

// focus gives the keyboard focus to cell (d, t) when there is one.
func (g *slotGrid) focus(d, t int) {
	if d < 0 || d >= len(g.cells) || t < 0 || t >= len(g.cells[d]) {
		return
	}
	c := g.cells[d][t]
	if c.Disabled() {
		return
	}
	if cv := fyne.CurrentApp().Driver().CanvasForObject(c); cv != nil {
		cv.Focus(c)
	}
}

// slotTableLayout lays objects out row by row in cols columns: the first column
// (the row labels) as wide as its widest object, the others sharing the
// rest equally, each row as high as its highest object.
type slotTableLayout struct{ cols int }

// measure returns the width of the first column, of the other columns, and
// the height of each row.
func (l *slotTableLayout) measure(objects []fyne.CanvasObject) (first, other float32, rows []float32) {
	for i, o := range objects {
		m := o.MinSize()
		if i%l.cols == 0 {
			first = max(first, m.Width)
			rows = append(rows, 0)
		} else {
			other = max(other, m.Width)
		}
		rows[len(rows)-1] = max(rows[len(rows)-1], m.Height)
	}
	return first, other, rows
}

// MinSize is the sum of the columns' and rows' sizes and the gaps.
func (l *slotTableLayout) MinSize(objects []fyne.CanvasObject) fyne.Size {
	pad := theme.Padding()
	first, other, rows := l.measure(objects)
	h := float32(0)
	for _, r := range rows {
		h += r
	}
	if len(rows) > 1 {
		h += pad * float32(len(rows)-1)
	}
	return fyne.NewSize(first+float32(l.cols-1)*(other+pad), h)
}

// Layout places the objects in their cells.
func (l *slotTableLayout) Layout(objects []fyne.CanvasObject, size fyne.Size) {
	pad := theme.Padding()
	first, other, rows := l.measure(objects)
	if n := float32(l.cols - 1); n > 0 {
		other = max(other, (size.Width-first-n*pad)/n)
	}
	y := float32(0)
	for i, o := range objects {
		row, col := i/l.cols, i%l.cols
		if col == 0 && row > 0 {
			y += rows[row-1] + pad
		}
		x, w := float32(0), first
		if col > 0 {
			x, w = first+pad+float32(col-1)*(other+pad), other
		}
		o.Move(fyne.NewPos(x, y))
		o.Resize(fyne.NewSize(w, rows[row]))
	}
}

// slotSelectTheme is the app's theme with a darker « disabled » colour, for
// the « Toute la journée » selects: disabled (« Ne pas spécifier
// d'informations »), they stay readable like the cells under them, Fyne's
// own disabled text being too faint to read.
type slotSelectTheme struct{}

// Color returns the app theme's colour of name; the disabled text is the
// foreground moved 40% towards the background.
func (slotSelectTheme) Color(name fyne.ThemeColorName, variant fyne.ThemeVariant) color.Color {
	th := slotAppTheme()
	if name == theme.ColorNameDisabled {
		return mixColour(th.Color(theme.ColorNameForeground, variant), th.Color(theme.ColorNameBackground, variant), 0.4)
	}
	return th.Color(name, variant)
}

// Font returns the app theme's font.
func (slotSelectTheme) Font(style fyne.TextStyle) fyne.Resource { return slotAppTheme().Font(style) }

// Icon returns the app theme's icon.
func (slotSelectTheme) Icon(name fyne.ThemeIconName) fyne.Resource { return slotAppTheme().Icon(name) }

// Size returns the app theme's size.
func (slotSelectTheme) Size(name fyne.ThemeSizeName) float32 { return slotAppTheme().Size(name) }

// slotAppTheme returns the app's current theme.
func slotAppTheme() fyne.Theme {
	if a := fyne.CurrentApp(); a != nil {
		if th := a.Settings().Theme(); th != nil {
			return th
		}
	}
	return theme.DefaultTheme()
}
