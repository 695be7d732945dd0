package data

import (
	"sort"
	"testing"
)

// Fields and SetField are inverse: every field written back gives the same
// record, and bad values are refused.
func TestRecordFields(t *testing.T) {
	w := Week{Monday: d("2026-11-30"), Use: true, Grid: NewWeekGrid(), Places: PlacesOf(2)}
	w.Grid[3][4] = Available
	w.Grid[6][0] = Unavailable
	f := w.Fields()
	if len(f) != 51 || f["c34"] != "D" || f["c60"] != "N" || f["use"] != "1" || f["places"] != "2" {
		t.Fatalf("week fields: %d %v", len(f), f["c34"])
	}
	back := Week{Monday: w.Monday, Grid: NewWeekGrid()}
	for k, v := range f {
		if err := back.SetField(k, v); err != nil {
			t.Fatal(err)
		}
	}
	if back.Grid != w.Grid || back.Use != w.Use || *back.Places != 2 {
		t.Fatal("week did not round-trip")
	}
	for k, v := range map[string]string{"c77": "D", "c00": "X", "use": "oui", "places": "-1", "autre": "1"} {
		if ErrorCode(back.SetField(k, v)) != EINVALID {
			t.Errorf("week field %s=%q accepted", k, v)
		}
	}
	x := Dated{Date: d("2027-09-01"), Days: NewWeekDays()}
	x.Days[2] = Available
	xb := Dated{Date: x.Date, Days: NewWeekDays()}
	for k, v := range x.Fields() {
		if err := xb.SetField(k, v); err != nil {
			t.Fatal(err)
		}
	}
	if xb.Days != x.Days || xb.Places != nil {
		t.Fatal("dated did not round-trip")
	}
	p := &Professional{ID: "p", Kind: KindStructure, StructureName: "Crèche « Les Lutins »", Capacity: 24,
		Phone: "0612345678", AgrementDate: d("2020-01-02"), Listing: Listed, Habilitation: HabilitationActive}
	pb := &Professional{ID: "p"}
	for k, v := range ProfessionalFields(p) {
		if err := SetProfessionalField(pb, k, v); err != nil {
			t.Fatal(err)
		}
	}
	if *pb != *p {
		t.Fatalf("professional did not round-trip: %+v", pb)
	}
	if ErrorCode(SetProfessionalField(pb, "phone", "12")) != EINVALID || ErrorCode(SetProfessionalField(pb, "capacity", "x")) != EINVALID {
		t.Error("bad fiche values accepted")
	}
	id, day, err := SplitDateKey(WeekKey("01abc/def", d("2026-11-30")))
	if err != nil || id != "01abc/def" || day != d("2026-11-30") {
		t.Errorf("SplitDateKey: %q %v %v", id, day, err)
	}
	changed := ChangedFields(map[string]string{"a": "1", "b": "2", "c": "3"}, map[string]string{"a": "1", "b": "9", "d": "4"})
	sort.Strings(changed)
	if len(changed) != 3 || changed[0] != "b" || changed[1] != "c" || changed[2] != "d" {
		t.Errorf("ChangedFields: %v", changed)
	}
}
