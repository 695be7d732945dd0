package data

import (
	"testing"
	"time"
)

func d(s string) Date {
	x, err := ParseDate(s)
	if err != nil {
		panic(err)
	}
	return x
}

// The examples of SPEC §5, and the turn of the year and of 1 September.
func TestAvailabilityTabs(t *testing.T) {
	cases := []struct {
		today string
		want  []string // labels then dates of the six dated tabs
	}{
		{"2011-05-30", []string{"30/05/2011", "06/06/2011", "13/06/2011", "20/06/2011", "01/09/2011", "01/01/2012"}},
		{"2026-11-29", []string{"23/11/2026", "30/11/2026", "07/12/2026", "14/12/2026", "01/01/2027", "01/09/2027"}},
		{"2026-12-31", []string{"28/12/2026", "04/01/2027", "11/01/2027", "18/01/2027", "01/01/2027", "01/09/2027"}},
		// On 1 January, the next 1 January is a year away; 1 September comes first.
		{"2027-01-01", []string{"28/12/2026", "04/01/2027", "11/01/2027", "18/01/2027", "01/09/2027", "01/01/2028"}},
		// On 1 September itself, the tab moves to the next year's.
		{"2027-09-01", []string{"30/08/2027", "06/09/2027", "13/09/2027", "20/09/2027", "01/01/2028", "01/09/2028"}},
		{"2027-08-31", []string{"30/08/2027", "06/09/2027", "13/09/2027", "20/09/2027", "01/09/2027", "01/01/2028"}},
	}
	for _, c := range cases {
		tabs := AvailabilityTabs(d(c.today))
		if len(tabs) != 7 {
			t.Fatalf("%s: %d tabs", c.today, len(tabs))
		}
		labels := []string{"Disponibilité globale", "Semaine courante", "S+1", "S+2", "S+3"}
		for i, l := range labels {
			if tabs[i].Label != l {
				t.Errorf("%s: tab %d label %q, want %q", c.today, i, tabs[i].Label, l)
			}
		}
		for i, want := range c.want {
			tab := tabs[i+1]
			if got := tab.Date.French(); got != want {
				t.Errorf("%s: tab %d (%s) date %s, want %s", c.today, i+1, tab.Label, got, want)
			}
			if tab.Kind == TabDated && tab.Label != want {
				t.Errorf("%s: dated tab label %q, want %q", c.today, tab.Label, want)
			}
		}
	}
	if got := AvailabilityTabs(d("2011-05-30"))[1].Title(); got != "Saisie des disponibilités pour la semaine du 30/05/2011" {
		t.Errorf("week title %q", got)
	}
	if got := AvailabilityTabs(d("2011-05-30"))[5].Title(); got != "Saisie des disponibilités au 01/09/2011" {
		t.Errorf("dated title %q", got)
	}
}

// "Today" is the date in the professional's own zone: at 23:30 UTC on a
// Sunday it is already Monday in Paris and in Réunion, still Sunday in
// Guadeloupe.
func TestTodayByDepartment(t *testing.T) {
	now := time.Date(2026, 11, 29, 23, 30, 0, 0, time.UTC) // Sunday
	cases := map[string]string{"75": "2026-11-30", "2A": "2026-11-30", "974": "2026-11-30",
		"971": "2026-11-29", "973": "2026-11-29", "976": "2026-11-30"}
	for dept, want := range cases {
		if got := Today(now, dept).String(); got != want {
			t.Errorf("Today in %s = %s, want %s", dept, got, want)
		}
	}
	if got := AvailabilityTabs(Today(now, "974"))[1].Date.French(); got != "30/11/2026" {
		t.Errorf("current week in Réunion starts %s", got)
	}
	if got := AvailabilityTabs(Today(now, "971"))[1].Date.French(); got != "23/11/2026" {
		t.Errorf("current week in Guadeloupe starts %s", got)
	}
}

func TestDateParsing(t *testing.T) {
	if _, err := ParseDate("2026-02-30"); ErrorCode(err) != EINVALID {
		t.Errorf("30 February accepted: %v", err)
	}
	x, err := ParseFrenchDate("05/03/2019")
	if err != nil || x != (Date{2019, 3, 5}) {
		t.Errorf("ParseFrenchDate = %v, %v", x, err)
	}
	if d("2026-11-29").Monday() != d("2026-11-23") || !d("2026-11-23").IsMonday() {
		t.Error("Monday of a Sunday")
	}
}
