package data

import (
	"fmt"
	"strconv"
	"strings"
)

// Colour is the global availability a professional declares.
type Colour string

// The three global colours. Grey is also what is shown when nothing was ever
// entered.
const (
	ColourGrey  Colour = "grey"
	ColourRed   Colour = "red"
	ColourGreen Colour = "green"
)

// Valid reports whether c is one of the three colours.
func (c Colour) Valid() bool { return c == ColourGrey || c == ColourRed || c == ColourGreen }

// Sentence returns the seed's sentence for c, as shown next to the choice.
func (c Colour) Sentence() string {
	switch c {
	case ColourRed:
		return "Vous n'avez aucune disponibilité sur les périodes proposées."
	case ColourGreen:
		return "Vous avez des disponibilités sur les périodes proposées."
	default:
		return "Vous ne souhaitez pas renseigner vos disponibilités."
	}
}

// SlotState is the value of one cell of a weekly grid or of one weekday of a
// dated tab.
type SlotState byte

// The three cell values. Their byte values are the compact storage form.
const (
	NotWorked   SlotState = 'T' // « Non travaillé », the value of a new grid
	Available   SlotState = 'D' // « Disponible »
	Unavailable SlotState = 'N' // « Non disponible »
)

// SlotStates lists the cell values in the order they are offered.
var SlotStates = []SlotState{Available, Unavailable, NotWorked}

// Valid reports whether s is one of the three values.
func (s SlotState) Valid() bool { return s == NotWorked || s == Available || s == Unavailable }

// Label returns the French label of s.
func (s SlotState) Label() string {
	switch s {
	case Available:
		return "Disponible"
	case Unavailable:
		return "Non disponible"
	default:
		return "Non travaillé"
	}
}

// Next returns the value after s in the order Disponible → Non disponible →
// Non travaillé → Disponible, for a cell changed by a click or a key.
func (s SlotState) Next() SlotState {
	switch s {
	case Available:
		return Unavailable
	case Unavailable:
		return NotWorked
	default:
		return Available
	}
}

// DaysPerWeek and SlotsPerDay give the grid's shape.
const (
	DaysPerWeek = 7
	SlotsPerDay = 7
)

// SlotLabels are the seven time slots of a day, in order (SPEC §5).
var SlotLabels = [SlotsPerDay]string{
	"Avant 6 heures",
	"Avant l'école",
	"Matinée 8h30 - 11h30",
	"Temps de midi 11h30 - 13h30",
	"Après-midi 13h30 - 16h30",
	"Après l'école",
	"Après 23 heures",
}

// DayNames are the French names of the days, Monday first.
var DayNames = [DaysPerWeek]string{"Lundi", "Mardi", "Mercredi", "Jeudi", "Vendredi", "Samedi", "Dimanche"}

// WeekGrid holds one week: [day][slot], Monday first.
type WeekGrid [DaysPerWeek][SlotsPerDay]SlotState

// NewWeekGrid returns a grid where every cell is « Non travaillé ».
func NewWeekGrid() WeekGrid {
	var g WeekGrid
	g.Fill(NotWorked)
	return g
}

// Fill sets every cell to s.
func (g *WeekGrid) Fill(s SlotState) {
	for d := range g {
		g.SetDay(d, s)
	}
}

// SetDay sets the seven slots of day d to s (« Toute la journée »).
func (g *WeekGrid) SetDay(d int, s SlotState) {
	for t := range g[d] {
		g[d][t] = s
	}
}

// DayState returns the value shared by every slot of day d, and false when
// the slots differ.
func (g *WeekGrid) DayState(d int) (SlotState, bool) {
	first := g[d][0]
	for _, s := range g[d][1:] {
		if s != first {
			return 0, false
		}
	}
	return first, true
}

// Encode returns the compact storage form: 49 letters, day by day.
func (g WeekGrid) Encode() string {
	var b strings.Builder
	b.Grow(DaysPerWeek * SlotsPerDay)
	for _, day := range g {
		for _, s := range day {
			b.WriteByte(byte(s))
		}
	}
	return b.String()
}

// DecodeWeekGrid reads the form written by Encode.
func DecodeWeekGrid(s string) (WeekGrid, error) {
	var g WeekGrid
	if len(s) != DaysPerWeek*SlotsPerDay {
		return g, Errorf(EINVALID, "Grille de la semaine invalide : %d cases au lieu de %d.", len(s), DaysPerWeek*SlotsPerDay)
	}
	for i := 0; i < len(s); i++ {
		v := SlotState(s[i])
		if !v.Valid() {
			return g, Errorf(EINVALID, "Grille de la semaine invalide : valeur « %c » inconnue.", s[i])
		}
		g[i/SlotsPerDay][i%SlotsPerDay] = v
	}
	return g, nil
}

// WeekDays holds one value per weekday, Monday first: the 1 January and
// 1 September tabs.
type WeekDays [DaysPerWeek]SlotState

// NewWeekDays returns seven « Non travaillé » values.
func NewWeekDays() WeekDays {
	var w WeekDays
	for i := range w {
		w[i] = NotWorked
	}
	return w
}

// Encode returns the compact storage form: 7 letters.
func (w WeekDays) Encode() string { return string(w[:]) }

// DecodeWeekDays reads the form written by Encode.
func DecodeWeekDays(s string) (WeekDays, error) {
	var w WeekDays
	if len(s) != DaysPerWeek {
		return w, Errorf(EINVALID, "Jours invalides : %d valeurs au lieu de %d.", len(s), DaysPerWeek)
	}
	for i := 0; i < len(s); i++ {
		v := SlotState(s[i])
		if !v.Valid() {
			return w, Errorf(EINVALID, "Jours invalides : valeur « %c » inconnue.", s[i])
		}
		w[i] = v
	}
	return w, nil
}

// MaxPlaces bounds the number of places a tab may announce: a crèche rarely
// exceeds a few hundred, a childminder has at most 4 (6 by derogation).
const MaxPlaces = 999

// Places is the optional number of places available announced on a tab
// (décret 2021-1131). Nil means not given.
type Places = *int

// PlacesOf returns a Places holding n.
func PlacesOf(n int) Places { return &n }

// FormatPlaces returns "" for nil, else the number.
func FormatPlaces(p Places) string {
	if p == nil {
		return ""
	}
	return strconv.Itoa(*p)
}

// ParsePlaces reads a number of places as typed: empty means not given.
func ParsePlaces(s string) (Places, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return nil, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 0 || n > MaxPlaces {
		return nil, Errorf(EINVALID, "Nombre de places invalide : indiquez un nombre entier entre 0 et %d, ou laissez vide.", MaxPlaces)
	}
	return &n, nil
}

// Week is the availability of one week, keyed by its Monday.
type Week struct {
	Monday Date
	Use    bool // « Utiliser les informations ci-dessous »
	Grid   WeekGrid
	Places Places
}

// Dated is the availability at a 1 January or a 1 September.
type Dated struct {
	Date   Date
	Use    bool // « Utiliser les informations ci-dessous »
	Days   WeekDays
	Places Places
}

// Availability is all a professional declares: the global colour and the
// detail of each week and dated tab she filled in. Weeks and dated tabs are
// stored by date, so that when a week passes S+1 becomes the current week
// with its data.
type Availability struct {
	ProfessionalID string
	Global         Colour
	Weeks          []Week
	Dated          []Dated
}

// WeekOf returns the week starting on monday, and false when none was saved.
func (a *Availability) WeekOf(monday Date) (Week, bool) {
	for _, w := range a.Weeks {
		if w.Monday == monday {
			return w, true
		}
	}
	return Week{}, false
}

// DatedOf returns the dated tab of date d, and false when none was saved.
func (a *Availability) DatedOf(d Date) (Dated, bool) {
	for _, x := range a.Dated {
		if x.Date == d {
			return x, true
		}
	}
	return Dated{}, false
}

// Validate checks a week before it is saved.
func (w Week) Validate() error {
	if !w.Monday.IsMonday() {
		return Errorf(EINVALID, "La semaine du %s ne commence pas un lundi.", w.Monday.French())
	}
	if err := validPlaces(w.Places); err != nil {
		return err
	}
	for _, day := range w.Grid {
		for _, s := range day {
			if !s.Valid() {
				return Errorf(EINVALID, "Semaine du %s : une case a une valeur inconnue.", w.Monday.French())
			}
		}
	}
	return nil
}

// Validate checks a dated tab before it is saved.
func (x Dated) Validate() error {
	if x.Date.Day != 1 || (x.Date.Month != 1 && x.Date.Month != 9) {
		return Errorf(EINVALID, "Le %s n'est ni un 1er janvier ni un 1er septembre.", x.Date.French())
	}
	if err := validPlaces(x.Places); err != nil {
		return err
	}
	for _, s := range x.Days {
		if !s.Valid() {
			return Errorf(EINVALID, "Disponibilités au %s : un jour a une valeur inconnue.", x.Date.French())
		}
	}
	return nil
}

func validPlaces(p Places) error {
	if p != nil && (*p < 0 || *p > MaxPlaces) {
		return Errorf(EINVALID, "Nombre de places invalide : indiquez un nombre entier entre 0 et %d, ou laissez vide.", MaxPlaces)
	}
	return nil
}

// TabKind says what a tab of the availability screen holds.
type TabKind int

// The three kinds of tab.
const (
	TabGlobal TabKind = iota // « Disponibilité globale »
	TabWeek                  // a week, keyed by its Monday
	TabDated                 // a 1 January or 1 September
)

// Tab is one tab of the availability screen.
type Tab struct {
	Kind  TabKind
	Label string // « Semaine courante », « S+1 », « 01/09/2027 »…
	Date  Date   // the Monday of a week tab, the date of a dated tab
}

// Title returns the heading inside the tab, worded as in the seed.
func (t Tab) Title() string {
	switch t.Kind {
	case TabWeek:
		return "Saisie des disponibilités pour la semaine du " + t.Date.French()
	case TabDated:
		return "Saisie des disponibilités au " + t.Date.French()
	default:
		return "Saisie des disponibilités globales"
	}
}

// WeekTabs is the number of weekly tabs: the current week and the next three.
const WeekTabs = 4

// AvailabilityTabs names the seven tabs for today, in order: the global tab,
// the current week and the next three (by their Monday), then the next
// 1 January and the next 1 September (strictly after today), ordered by date.
// today is the civil date in the professional's own zone (see Today).
func AvailabilityTabs(today Date) []Tab {
	tabs := []Tab{{Kind: TabGlobal, Label: "Disponibilité globale"}}
	monday := today.Monday()
	for i := 0; i < WeekTabs; i++ {
		label := "Semaine courante"
		if i > 0 {
			label = fmt.Sprintf("S+%d", i)
		}
		tabs = append(tabs, Tab{Kind: TabWeek, Label: label, Date: monday.AddDays(7 * i)})
	}
	for _, d := range NextDatedDates(today) {
		tabs = append(tabs, Tab{Kind: TabDated, Label: d.French(), Date: d})
	}
	return tabs
}

// NextDatedDates returns the next 1 January and the next 1 September strictly
// after today, the earlier first.
func NextDatedDates(today Date) [2]Date {
	jan := Date{today.Year + 1, 1, 1}
	sep := Date{today.Year, 9, 1}
	if !today.Before(sep) {
		sep.Year++
	}
	if sep.Before(jan) {
		return [2]Date{sep, jan}
	}
	return [2]Date{jan, sep}
}
