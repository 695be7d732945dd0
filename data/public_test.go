package data

import "testing"

func activePro() *Professional {
	return &Professional{Kind: KindChildminder, Listing: Listed, Habilitation: HabilitationActive}
}

// PublicView follows SPEC §5: detail only when green and the tab says
// « Utiliser les informations ci-dessous ».
func TestPublicView(t *testing.T) {
	today := d("2026-11-29") // tabs: weeks 23/11 … 14/12, then 01/01/2027, 01/09/2027
	grid := NewWeekGrid()
	grid.SetDay(0, Available)
	a := &Availability{
		Global: ColourGreen,
		Weeks: []Week{
			{Monday: d("2026-11-23"), Use: true, Grid: grid, Places: PlacesOf(2)},
			{Monday: d("2026-11-30"), Use: false, Grid: grid},
			{Monday: d("2026-11-16"), Use: true, Grid: grid}, // past: never shown
		},
		Dated: []Dated{
			{Date: d("2027-09-01"), Use: true, Days: NewWeekDays()},
			{Date: d("2027-01-01"), Use: false, Days: NewWeekDays()},
		},
	}
	v := PublicView(activePro(), a, today)
	if v.Colour != ColourGreen || len(v.Tabs) != 6 {
		t.Fatalf("view %+v", v)
	}
	want := []bool{true, false, false, false, false, true}
	for i, tab := range v.Tabs {
		if tab.Informed != want[i] {
			t.Errorf("tab %s informed=%v, want %v", tab.Label, tab.Informed, want[i])
		}
	}
	if v.Tabs[0].Grid == nil || v.Tabs[0].Grid[0][0] != Available || *v.Tabs[0].Places != 2 {
		t.Error("current week detail missing")
	}
	if v.Tabs[5].Days == nil || v.Tabs[5].Grid != nil {
		t.Error("dated tab detail missing")
	}

	for _, c := range []Colour{ColourRed, ColourGrey} {
		a.Global = c
		v = PublicView(activePro(), a, today)
		if v.Colour != c {
			t.Errorf("colour %s shown as %s", c, v.Colour)
		}
		for _, tab := range v.Tabs {
			if tab.Informed || tab.Grid != nil || tab.Days != nil {
				t.Errorf("%s: tab %s shows detail", c, tab.Label)
			}
		}
	}

	a.Global = ColourGreen
	for _, h := range []Habilitation{HabilitationNone, HabilitationExpired, HabilitationRequested} {
		p := activePro()
		p.Habilitation = h
		if v := PublicView(p, a, today); v.Colour != ColourGrey || v.Tabs[0].Informed {
			t.Errorf("habilitation %s: %+v", h, v)
		}
	}
	if v := PublicView(activePro(), nil, today); v.Colour != ColourGrey || len(v.Tabs) != 6 || v.Tabs[0].Informed {
		t.Errorf("nothing entered: %+v", v)
	}
}

func TestVisibleToParents(t *testing.T) {
	cases := []struct {
		l    Listing
		h    Habilitation
		want bool
	}{
		{Listed, HabilitationActive, true},
		{Listed, HabilitationNone, true},
		{Listed, HabilitationSuspended, false},
		{Listed, HabilitationRevoked, false},
		{Delisted, HabilitationActive, false},
	}
	for _, c := range cases {
		p := &Professional{Listing: c.l, Habilitation: c.h}
		if p.VisibleToParents() != c.want {
			t.Errorf("%s/%s: visible=%v", c.l, c.h, !c.want)
		}
	}
}

func TestCanLogIn(t *testing.T) {
	p := activePro()
	if err := p.CanLogIn(); err != nil {
		t.Fatal(err)
	}
	for _, h := range []Habilitation{HabilitationNone, HabilitationRequested, HabilitationSuspended, HabilitationRevoked, HabilitationExpired} {
		p.Habilitation = h
		err := p.CanLogIn()
		if ErrorCode(err) != EHABILITATION || ErrorMessage(err) == "" {
			t.Errorf("%s: %v", h, err)
		}
	}
	p.Habilitation, p.Listing = HabilitationActive, Delisted
	if ErrorCode(p.CanLogIn()) != EHABILITATION {
		t.Error("delisted professional may log in")
	}
}
