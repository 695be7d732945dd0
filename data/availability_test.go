package data

import "testing"

func TestWeekGridEncoding(t *testing.T) {
	g := NewWeekGrid()
	g.SetDay(2, Available)
	g[4][6] = Unavailable
	enc := g.Encode()
	if len(enc) != 49 || enc[14:21] != "DDDDDDD" || enc[34] != 'N' || enc[0] != 'T' {
		t.Fatalf("encoding %q", enc)
	}
	back, err := DecodeWeekGrid(enc)
	if err != nil || back != g {
		t.Fatalf("decode: %v %v", back, err)
	}
	if _, err := DecodeWeekGrid(enc[:48]); ErrorCode(err) != EINVALID {
		t.Error("short grid accepted")
	}
	if _, err := DecodeWeekGrid("X" + enc[1:]); ErrorCode(err) != EINVALID {
		t.Error("unknown letter accepted")
	}
	if s, same := g.DayState(2); !same || s != Available {
		t.Error("« Toute la journée » state of a full day")
	}
	if _, same := g.DayState(4); same {
		t.Error("mixed day reported as one state")
	}
	days := NewWeekDays()
	days[0] = Available
	if w, err := DecodeWeekDays(days.Encode()); err != nil || w != days {
		t.Fatalf("week days: %v %v", w, err)
	}
}

func TestSlotStateCycle(t *testing.T) {
	s := Available
	seen := map[SlotState]bool{}
	for i := 0; i < 3; i++ {
		seen[s] = true
		s = s.Next()
	}
	if s != Available || len(seen) != 3 {
		t.Fatal("Next does not cycle through the three values")
	}
	if Available.Label() != "Disponible" || Unavailable.Label() != "Non disponible" || NotWorked.Label() != "Non travaillé" {
		t.Fatal("labels")
	}
}

func TestWeekAndDatedValidation(t *testing.T) {
	ok := Week{Monday: d("2026-11-30"), Grid: NewWeekGrid(), Places: PlacesOf(2)}
	if err := ok.Validate(); err != nil {
		t.Fatal(err)
	}
	bad := ok
	bad.Monday = d("2026-12-01")
	if ErrorCode(bad.Validate()) != EINVALID {
		t.Error("a Tuesday accepted as a week start")
	}
	bad = ok
	bad.Places = PlacesOf(-1)
	if ErrorCode(bad.Validate()) != EINVALID {
		t.Error("negative places accepted")
	}
	bad = ok
	bad.Grid[3][3] = 'X'
	if ErrorCode(bad.Validate()) != EINVALID {
		t.Error("unknown cell accepted")
	}
	for _, s := range []string{"2027-01-01", "2027-09-01"} {
		if err := (Dated{Date: d(s), Days: NewWeekDays()}).Validate(); err != nil {
			t.Errorf("%s: %v", s, err)
		}
	}
	if ErrorCode((Dated{Date: d("2027-01-02"), Days: NewWeekDays()}).Validate()) != EINVALID {
		t.Error("2 January accepted")
	}
	if p, err := ParsePlaces(" 3 "); err != nil || *p != 3 {
		t.Errorf("ParsePlaces: %v %v", p, err)
	}
	if p, err := ParsePlaces(""); err != nil || p != nil {
		t.Errorf("empty places: %v %v", p, err)
	}
	for _, s := range []string{"abc", "-2", "1000", "2.5"} {
		if _, err := ParsePlaces(s); ErrorCode(err) != EINVALID {
			t.Errorf("places %q accepted", s)
		}
	}
}
