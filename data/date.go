package data

import (
	"fmt"
	"sync"
	"time"
	_ "time/tzdata" // a Windows PC without zone data must still compute the right week
)

// Date is a civil date without time or zone: a week's Monday, the 1 January
// or 1 September of a dated tab, an agrément date.
type Date struct {
	Year  int
	Month time.Month
	Day   int
}

// DateOf returns the civil date of t in t's own location.
func DateOf(t time.Time) Date {
	y, m, d := t.Date()
	return Date{y, m, d}
}

// ParseDate reads a date in ISO form (2006-01-02).
func ParseDate(s string) (Date, error) {
	t, err := time.Parse("2006-01-02", s)
	if err != nil {
		return Date{}, Errorf(EINVALID, "Date « %s » invalide : le format attendu est AAAA-MM-JJ.", s)
	}
	return DateOf(t), nil
}

// ParseFrenchDate reads a date written the French way (02/01/2006), as in
// the PMI lists.
func ParseFrenchDate(s string) (Date, error) {
	for _, layout := range []string{"02/01/2006", "2/1/2006", "02-01-2006", "2006-01-02"} {
		if t, err := time.Parse(layout, s); err == nil {
			return DateOf(t), nil
		}
	}
	return Date{}, Errorf(EINVALID, "Date « %s » invalide : le format attendu est JJ/MM/AAAA.", s)
}

// IsZero reports whether d is the zero Date.
func (d Date) IsZero() bool { return d == Date{} }

// Time returns midnight of d in loc.
func (d Date) Time(loc *time.Location) time.Time {
	return time.Date(d.Year, d.Month, d.Day, 0, 0, 0, 0, loc)
}

// String returns the ISO form, used as a storage key.
func (d Date) String() string {
	if d.IsZero() {
		return ""
	}
	return fmt.Sprintf("%04d-%02d-%02d", d.Year, int(d.Month), d.Day)
}

// French returns the form shown to users: 30/05/2011.
func (d Date) French() string {
	return fmt.Sprintf("%02d/%02d/%04d", d.Day, int(d.Month), d.Year)
}

// AddDays returns d moved by n days.
func (d Date) AddDays(n int) Date {
	return DateOf(d.Time(time.UTC).AddDate(0, 0, n))
}

// Weekday returns the day of the week of d.
func (d Date) Weekday() time.Weekday { return d.Time(time.UTC).Weekday() }

// Before reports whether d is strictly before o.
func (d Date) Before(o Date) bool { return d.Time(time.UTC).Before(o.Time(time.UTC)) }

// Monday returns the Monday of d's week (weeks run Monday to Sunday).
func (d Date) Monday() Date {
	offset := (int(d.Weekday()) + 6) % 7 // Monday → 0 … Sunday → 6
	return d.AddDays(-offset)
}

// IsMonday reports whether d is a Monday.
func (d Date) IsMonday() bool { return d.Weekday() == time.Monday }

// Today returns the civil date of now in the time zone of département dept
// (see DepartmentLocation).
func Today(now time.Time, dept string) Date {
	return DateOf(now.In(DepartmentLocation(dept)))
}

var zones = map[string]string{
	"971": "America/Guadeloupe",
	"972": "America/Martinique",
	"973": "America/Cayenne",
	"974": "Indian/Reunion",
	"975": "America/Miquelon",
	"976": "Indian/Mayotte",
	"977": "America/St_Barthelemy",
	"978": "America/Marigot",
}

// locations caches the zones: loading one parses the embedded database.
var locations sync.Map // zone name → *time.Location

// DepartmentLocation returns the time zone of département dept:
// Europe/Paris in metropolitan France and Corsica, the local zone overseas.
// The zone database is embedded, so this never fails.
func DepartmentLocation(dept string) *time.Location {
	name, ok := zones[dept]
	if !ok {
		name = "Europe/Paris"
	}
	if loc, ok := locations.Load(name); ok {
		return loc.(*time.Location)
	}
	loc, err := time.LoadLocation(name)
	if err != nil {
		panic("data: embedded zone " + name + " missing: " + err.Error())
	}
	locations.Store(name, loc)
	return loc
}
