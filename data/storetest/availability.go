package storetest

import (
	"context"
	"fmt"
	"testing"

	"espacepro/data"
)

// availabilityStore adapts the central store and the local copy to the
// availability subtests, which both must pass.
type availabilityStore struct {
	find func(ctx context.Context, professionalID string) (*data.Availability, error)
	save func(ctx context.Context, a *data.Availability) error
	put  putProfessional
}

func centralAvailability(s data.CentralStore) availabilityStore {
	return availabilityStore{find: s.FindAvailability, save: s.SaveAvailability, put: centralPut(s)}
}

// fullAvailability returns a green availability with two weeks (given out of
// order) and the two dated tabs: every cell value, Use true and false, Places
// nil, zero and a number.
func fullAvailability(id string) *data.Availability {
	return &data.Availability{
		ProfessionalID: id,
		Global:         data.ColourGreen,
		Weeks: []data.Week{
			{Monday: monday2, Use: false, Grid: sampleGrid(1), Places: data.PlacesOf(0)},
			{Monday: monday1, Use: true, Grid: sampleGrid(0), Places: nil},
		},
		Dated: []data.Dated{
			{Date: sept1, Use: false, Days: sampleDays(2), Places: nil},
			{Date: january1, Use: true, Days: sampleDays(0), Places: data.PlacesOf(3)},
		},
	}
}

// sorted returns a copy of a with its weeks and dated tabs in the order the
// stores return them: by date.
func sorted(a *data.Availability) *data.Availability {
	b := *a
	b.Weeks = append([]data.Week(nil), a.Weeks...)
	b.Dated = append([]data.Dated(nil), a.Dated...)
	for i := 1; i < len(b.Weeks); i++ {
		for j := i; j > 0 && b.Weeks[j].Monday.Before(b.Weeks[j-1].Monday); j-- {
			b.Weeks[j], b.Weeks[j-1] = b.Weeks[j-1], b.Weeks[j]
		}
	}
	for i := 1; i < len(b.Dated); i++ {
		for j := i; j > 0 && b.Dated[j].Date.Before(b.Dated[j-1].Date); j-- {
			b.Dated[j], b.Dated[j-1] = b.Dated[j-1], b.Dated[j]
		}
	}
	return &b
}

// wantAvailability compares what FindAvailability returns with want, tab by
// tab and cell by cell.
func wantAvailability(t testing.TB, s availabilityStore, ctx context.Context, what string, want *data.Availability) {
	t.Helper()
	got, err := s.find(ctx, want.ProfessionalID)
	if err != nil {
		t.Errorf("%s: FindAvailability: %v", what, err)
		return
	}
	wantEqual(t, what, sorted(want), got)
}

// wantGrey checks that professional id shows what was never saved.
func wantGrey(t testing.TB, s availabilityStore, ctx context.Context, what, id string) {
	t.Helper()
	got, err := s.find(ctx, id)
	if err != nil {
		t.Errorf("%s: FindAvailability: %v", what, err)
		return
	}
	if got.ProfessionalID != id || got.Global != data.ColourGrey || len(got.Weeks) != 0 || len(got.Dated) != 0 {
		t.Errorf("%s: got %+v, want ProfessionalID %q, grey, no week, no dated tab", what, got, id)
	}
}

// testAvailability runs the availability subtests against fresh stores.
func testAvailability(t *testing.T, open func(t *testing.T) availabilityStore) {
	setup := func(t *testing.T) (availabilityStore, context.Context, *data.Professional, *data.Professional) {
		s, ctx := open(t), testContext(t)
		p, q := newProfessional(1), newProfessional(2)
		s.put(t, ctx, p)
		s.put(t, ctx, q)
		return s, ctx, p, q
	}

	t.Run("NeverSavedIsGrey", func(t *testing.T) {
		s, ctx, p, _ := setup(t)
		wantGrey(t, s, ctx, "availability never saved", p.ID)
	})

	t.Run("FindUnknownProfessional", func(t *testing.T) {
		s, ctx, _, _ := setup(t)
		for _, id := range unknownIDs {
			a, err := s.find(ctx, id)
			wantCode(t, err, data.ENOTFOUND, "FindAvailability(%q)", id)
			if a != nil {
				t.Errorf("FindAvailability(%q) returned %+v with its error", id, a)
			}
		}
	})

	t.Run("RoundTrip", func(t *testing.T) {
		s, ctx, p, q := setup(t)
		a := fullAvailability(p.ID)
		must(t, s.save(ctx, a), "SaveAvailability")
		wantAvailability(t, s, ctx, "saved availability", a)
		wantGrey(t, s, ctx, "another professional's availability", q.ID)
		for _, colour := range []data.Colour{data.ColourRed, data.ColourGrey, data.ColourGreen} {
			must(t, s.save(ctx, &data.Availability{ProfessionalID: p.ID, Global: colour}), "SaveAvailability(%s)", colour)
			a.Global = colour
			wantAvailability(t, s, ctx, fmt.Sprintf("availability after saving only the colour %s", colour), a)
		}
	})

	t.Run("SavingOneWeekKeepsTheOthers", func(t *testing.T) {
		s, ctx, p, _ := setup(t)
		a := fullAvailability(p.ID)
		must(t, s.save(ctx, a), "SaveAvailability")
		changed := data.Week{Monday: monday2, Use: true, Grid: sampleGrid(2), Places: nil} // was Use false, Places 0
		must(t, s.save(ctx, &data.Availability{ProfessionalID: p.ID, Global: data.ColourRed, Weeks: []data.Week{changed}}), "SaveAvailability of one week")
		want := fullAvailability(p.ID)
		want.Global = data.ColourRed
		want.Weeks[0] = changed
		wantAvailability(t, s, ctx, "availability after saving one week", want)

		// A new week and one dated tab join the others.
		third := data.Week{Monday: monday3, Use: true, Grid: data.NewWeekGrid(), Places: data.PlacesOf(data.MaxPlaces)}
		jan := data.Dated{Date: january1, Use: false, Days: data.NewWeekDays(), Places: nil}
		must(t, s.save(ctx, &data.Availability{ProfessionalID: p.ID, Global: data.ColourGreen, Weeks: []data.Week{third}, Dated: []data.Dated{jan}}), "SaveAvailability of a third week")
		want.Global = data.ColourGreen
		want.Weeks = append(want.Weeks, third)
		want.Dated[1] = jan
		wantAvailability(t, s, ctx, "availability after adding a week", want)
	})

	invalid := []struct {
		name string
		edit func(a *data.Availability)
	}{
		{"WeekNotOnMonday", func(a *data.Availability) {
			a.Weeks = append(a.Weeks, data.Week{Monday: tuesday, Use: true, Grid: sampleGrid(0)})
		}},
		{"ZeroWeekDate", func(a *data.Availability) {
			a.Weeks = append(a.Weeks, data.Week{Use: true, Grid: sampleGrid(0)})
		}},
		{"UnknownColour", func(a *data.Availability) { a.Global = data.Colour("blue") }},
		{"DatedNotFirstOfJanuaryOrSeptember", func(a *data.Availability) {
			a.Dated = append(a.Dated, data.Dated{Date: january2, Use: true, Days: sampleDays(0)})
		}},
		{"UnknownCellValue", func(a *data.Availability) {
			g := sampleGrid(5)
			g[6][6] = 'X'
			a.Weeks = append(a.Weeks, data.Week{Monday: monday3, Use: true, Grid: g})
		}},
		{"EmptyCell", func(a *data.Availability) {
			a.Weeks = append(a.Weeks, data.Week{Monday: monday3, Use: true}) // the zero grid is not « Non travaillé »
		}},
		{"UnknownDayValue", func(a *data.Availability) {
			d := sampleDays(0)
			d[3] = 'X'
			a.Dated = append(a.Dated, data.Dated{Date: sept1, Use: true, Days: d})
		}},
		{"NegativePlaces", func(a *data.Availability) {
			a.Weeks = append(a.Weeks, data.Week{Monday: monday3, Use: true, Grid: sampleGrid(0), Places: data.PlacesOf(-1)})
		}},
		{"TooManyPlaces", func(a *data.Availability) {
			a.Dated = append(a.Dated, data.Dated{Date: sept1, Use: true, Days: sampleDays(0), Places: data.PlacesOf(data.MaxPlaces + 1)})
		}},
	}
	for _, c := range invalid {
		t.Run("InvalidSavesNothing/"+c.name, func(t *testing.T) {
			s, ctx, p, q := setup(t)
			before := &data.Availability{
				ProfessionalID: p.ID,
				Global:         data.ColourRed,
				Weeks:          []data.Week{{Monday: monday1, Use: false, Grid: sampleGrid(0), Places: data.PlacesOf(2)}},
				Dated:          []data.Dated{{Date: january1, Use: false, Days: sampleDays(1)}},
			}
			must(t, s.save(ctx, before), "SaveAvailability")
			// A call whose valid parts come first: a new colour, a changed
			// week, a new week and a changed dated tab, then the bad part.
			bad := &data.Availability{
				ProfessionalID: p.ID,
				Global:         data.ColourGreen,
				Weeks: []data.Week{
					{Monday: monday1, Use: true, Grid: sampleGrid(1), Places: nil},
					{Monday: monday2, Use: true, Grid: sampleGrid(2), Places: data.PlacesOf(1)},
				},
				Dated: []data.Dated{{Date: january1, Use: true, Days: sampleDays(2), Places: data.PlacesOf(4)}},
			}
			c.edit(bad)
			wantCode(t, s.save(ctx, bad), data.EINVALID, "SaveAvailability with %s", c.name)
			wantAvailability(t, s, ctx, "availability after a refused save", before)

			// A professional who never saved stays grey.
			bad.ProfessionalID = q.ID
			wantCode(t, s.save(ctx, bad), data.EINVALID, "first SaveAvailability with %s", c.name)
			wantGrey(t, s, ctx, "availability after a refused first save", q.ID)
		})
	}
}

// testAvailabilityCentral adds what only the central store promises.
func testAvailabilityCentral(t *testing.T, open func(t *testing.T) data.CentralStore) {
	testAvailability(t, func(t *testing.T) availabilityStore { return centralAvailability(open(t)) })

	t.Run("SaveForUnknownProfessional", func(t *testing.T) {
		s, ctx := open(t), testContext(t)
		a := fullAvailability(unknownIDs[0])
		wantCode(t, s.SaveAvailability(ctx, a), data.ENOTFOUND, "SaveAvailability of an unknown professional")
		_, err := s.FindAvailability(ctx, unknownIDs[0])
		wantCode(t, err, data.ENOTFOUND, "FindAvailability after a refused save")
	})
}
