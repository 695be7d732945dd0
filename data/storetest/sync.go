package storetest

import (
	"context"
	"fmt"
	"reflect"
	"sync"
	"testing"
	"time"

	"espacepro/data"
)

// testSyncLog runs the subtests of the change log: every write of a synced
// record is numbered in its Caf's sequence with the stamps of the fields it
// changed, and a reader following the sequence never misses a change, even
// with concurrent writers.
func testSyncLog(t *testing.T, open func(t *testing.T) data.CentralStore) {
	t.Run("WritesAreLogged", func(t *testing.T) {
		s, ctx := open(t), testContext(t)
		p := newProfessional(1)
		must(t, s.CreateProfessional(ctx, p), "CreateProfessional")
		author := data.ChangeAuthor{Stamp: data.HLC{Wall: 1_700_000_000_000, Node: "poste-1"}, By: "Hélène"}
		a := &data.Availability{ProfessionalID: p.ID, Global: data.ColourGreen,
			Weeks: []data.Week{{Monday: data.Date{Year: 2026, Month: 11, Day: 30}, Use: true, Grid: data.NewWeekGrid()}}}
		must(t, s.SaveAvailability(data.WithChangeAuthor(ctx, author), a), "SaveAvailability")
		a.Weeks[0].Grid[2][3] = data.Available
		must(t, s.SaveAvailability(data.WithChangeAuthor(ctx, author), a), "second SaveAvailability")
		p2 := newProfessional(2)
		p2.CafCode, p2.Department = "201", "2A"
		must(t, s.CreateProfessional(ctx, p2), "CreateProfessional in another Caf")

		list, err := s.Changes(ctx, "921", "", 0, 100)
		must(t, err, "Changes")
		var got []string
		for i, c := range list {
			if c.Seq != int64(i+1) {
				t.Fatalf("change %d has seq %d", i, c.Seq)
			}
			got = append(got, c.Entity)
		}
		if fmt.Sprint(got) != "[professional availability week week]" {
			t.Fatalf("changes of 921: %v", got)
		}
		stamps, err := s.FieldStamps(ctx, "week", data.WeekKey(p.ID, a.Weeks[0].Monday))
		must(t, err, "FieldStamps")
		if stamps["c23"].Version != 4 || stamps["use"].Version != 3 || stamps["c00"].Version != 0 || stamps["c23"].By != "Hélène" || stamps["c23"].Stamp != author.Stamp {
			t.Fatalf("stamps: c23 %+v, use %+v, c00 %+v", stamps["c23"], stamps["use"], stamps["c00"])
		}
		other, _ := s.Changes(ctx, "201", "", 0, 100)
		if len(other) != 1 || other[0].Seq != 1 {
			t.Fatalf("Caf 201 has its own sequence: %+v", other)
		}
		mine, _ := s.Changes(ctx, "921", p.ID, 2, 100)
		if len(mine) != 2 {
			t.Fatalf("changes of one professional after 2: %d", len(mine))
		}
		// Saving the same values again logs nothing.
		must(t, s.SaveAvailability(ctx, a), "unchanged SaveAvailability")
		if again, _ := s.Changes(ctx, "921", "", 4, 100); len(again) != 0 {
			t.Fatalf("an unchanged save was logged: %+v", again)
		}
	})

	t.Run("AMoveTakesHerAvailabilityAlong", func(t *testing.T) {
		s, ctx := open(t), testContext(t)
		p := newProfessional(1)
		must(t, s.CreateProfessional(ctx, p), "CreateProfessional")
		monday, sept := data.Date{Year: 2026, Month: 11, Day: 30}, data.Date{Year: 2027, Month: 9, Day: 1}
		a := &data.Availability{ProfessionalID: p.ID, Global: data.ColourGreen,
			Weeks: []data.Week{{Monday: monday, Use: true, Grid: data.NewWeekGrid()}},
			Dated: []data.Dated{{Date: sept, Use: true, Days: data.NewWeekDays()}}}
		a.Weeks[0].Grid[0][2] = data.Available
		must(t, s.SaveAvailability(ctx, a), "SaveAvailability")
		before, err := s.FieldStamps(ctx, "week", data.WeekKey(p.ID, monday))
		must(t, err, "FieldStamps")

		moved, err := s.FindProfessionalByID(ctx, p.ID)
		must(t, err, "FindProfessionalByID")
		moved.Department, moved.CafCode = "2A", "201"
		must(t, s.UpdateProfessional(ctx, moved), "UpdateProfessional")

		list, err := s.Changes(ctx, "201", "", 0, 100)
		must(t, err, "Changes")
		var got []string
		for _, c := range list {
			got = append(got, c.Entity+" "+c.Key)
		}
		want := []string{"professional " + p.ID, "availability " + p.ID, "week " + data.WeekKey(p.ID, monday), "dated " + data.DatedKey(p.ID, sept)}
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Fatalf("the new Caf's changes: %q, want %q", got, want)
		}
		old, _ := s.Changes(ctx, "921", "", 4, 100)
		if len(old) != 1 || !old[0].Deleted || old[0].Entity != "professional" {
			t.Fatalf("the old Caf's changes after the move: %+v", old)
		}
		after, err := s.FieldStamps(ctx, "week", data.WeekKey(p.ID, monday))
		must(t, err, "FieldStamps")
		if after["c02"] != before["c02"] {
			t.Fatalf("a move restamped a field: %+v → %+v", before["c02"], after["c02"])
		}
		recs, err := s.ReadRecords(ctx, []data.RecordRef{{Entity: "week", Key: data.WeekKey(p.ID, monday)}})
		must(t, err, "ReadRecords")
		if w, ok := recs.Weeks[data.WeekKey(p.ID, monday)]; !ok || w.Grid[0][2] != data.Available {
			t.Fatalf("the week as the new Caf pulls it: %+v", recs.Weeks)
		}
	})

	t.Run("MutationResultsAndConflicts", func(t *testing.T) {
		s, ctx := open(t), testContext(t)
		_, err := s.MutationResult(ctx, "m1")
		wantCode(t, err, data.ENOTFOUND, "MutationResult of an unknown mutation")
		must(t, s.SaveMutationResult(ctx, "m1", "poste-1", "compte", `{"status":"applied"}`), "SaveMutationResult")
		r, err := s.MutationResult(ctx, "m1")
		must(t, err, "MutationResult")
		if r != `{"status":"applied"}` {
			t.Fatalf("result %q", r)
		}
		c := &data.Conflict{CafCode: "921", ProfessionalID: "p1", Entity: "week", Key: "p1/2026-11-30",
			Field: "c00", LostValue: "D", KeptValue: "N", LostBy: "poste-1", KeptBy: "poste-2"}
		must(t, s.AppendConflict(ctx, c), "AppendConflict")
		got, err := s.FindConflict(ctx, c.ID)
		must(t, err, "FindConflict")
		if got.LostValue != "D" || got.KeptBy != "poste-2" || got.At.IsZero() {
			t.Fatalf("conflict %+v", got)
		}
		list, _ := s.Changes(ctx, "921", "p1", 0, 10)
		if len(list) != 1 || list[0].Entity != "conflict" || list[0].Key != c.ID {
			t.Fatalf("the conflict is not in the change log: %+v", list)
		}
	})

	t.Run("ReadRecordsInBulk", func(t *testing.T) { testReadRecords(t, open) })

	t.Run("SaveAvailabilityOver", func(t *testing.T) {
		// The same saves, through SaveAvailability in one Caf and through
		// SaveAvailabilityOver (over the state read just before) in
		// another, leave the same rows, change logs and versions.
		s, ctx := open(t), testContext(t)
		p1, p2 := newProfessional(1), newProfessional(2)
		p2.CafCode, p2.Department = "201", "2A"
		must(t, s.CreateProfessional(ctx, p1), "CreateProfessional")
		must(t, s.CreateProfessional(ctx, p2), "CreateProfessional in another Caf")
		author := data.ChangeAuthor{Stamp: data.HLC{Wall: 1_700_000_000_000, Node: "poste-1"}, By: "Hélène"}
		wctx := data.WithChangeAuthor(ctx, author)
		grid := sampleGrid(1)
		saves := []data.Availability{
			{Global: data.ColourGreen, Weeks: []data.Week{{Monday: monday1, Use: true, Grid: grid}}},
			{Global: data.ColourGreen, Weeks: []data.Week{{Monday: monday1, Use: true, Grid: sampleGrid(2), Places: data.PlacesOf(1)}}},
			{Global: data.ColourRed},
			{Global: data.ColourRed, Dated: []data.Dated{{Date: sept1, Days: sampleDays(1)}}},
			{Global: data.ColourRed, Weeks: []data.Week{{Monday: monday2, Grid: data.NewWeekGrid()}}}, // changes nothing
		}
		for i, a := range saves {
			a1, a2 := a, a
			a1.ProfessionalID, a2.ProfessionalID = p1.ID, p2.ID
			must(t, s.SaveAvailability(wctx, &a1), "SaveAvailability %d", i)
			err := s.InTx(ctx, func(ctx context.Context) error {
				before, err := s.FindAvailability(ctx, p2.ID)
				if err != nil {
					return err
				}
				return s.SaveAvailabilityOver(data.WithChangeAuthor(ctx, author), p2.CafCode, before, &a2)
			})
			must(t, err, "SaveAvailabilityOver %d", i)
		}
		got1, err := s.FindAvailability(ctx, p1.ID)
		must(t, err, "FindAvailability")
		got2, err := s.FindAvailability(ctx, p2.ID)
		must(t, err, "FindAvailability")
		got2.ProfessionalID = p1.ID
		if !reflect.DeepEqual(got1, got2) {
			t.Errorf("rows differ:\n%+v\n%+v", got1, got2)
		}
		log1, _ := s.Changes(ctx, "921", "", 1, 100) // after her creation
		log2, _ := s.Changes(ctx, "201", "", 1, 100)
		if len(log1) != len(log2) || len(log1) == 0 {
			t.Fatalf("change logs of %d and %d entries", len(log1), len(log2))
		}
		for i := range log1 {
			c1, c2 := log1[i], log2[i]
			if c1.Seq != c2.Seq || c1.Entity != c2.Entity || c1.Deleted != c2.Deleted {
				t.Errorf("change %d: %+v and %+v", i, c1, c2)
			}
		}
		for _, k := range []struct{ entity, key1, key2 string }{
			{"availability", p1.ID, p2.ID},
			{"week", data.WeekKey(p1.ID, monday1), data.WeekKey(p2.ID, monday1)},
			{"dated", data.DatedKey(p1.ID, sept1), data.DatedKey(p2.ID, sept1)},
		} {
			st1, err := s.FieldStamps(ctx, k.entity, k.key1)
			must(t, err, "FieldStamps")
			st2, err := s.FieldStamps(ctx, k.entity, k.key2)
			must(t, err, "FieldStamps")
			if !reflect.DeepEqual(st1, st2) || len(st1) == 0 {
				t.Errorf("%s stamps differ:\n%+v\n%+v", k.entity, st1, st2)
			}
		}
		err = s.SaveAvailabilityOver(ctx, "921", &data.Availability{ProfessionalID: p2.ID}, &data.Availability{ProfessionalID: p1.ID, Global: data.ColourGrey})
		if err == nil {
			t.Error("SaveAvailabilityOver over the state of another professional")
		}
	})

	t.Run("ReaderNeverSkipsAChange", func(t *testing.T) {
		s, ctx := open(t), testContext(t)
		const writers, writes = 6, 15
		pros := make([]*data.Professional, writers)
		for i := range pros {
			pros[i] = newProfessional(100 + i)
			must(t, s.CreateProfessional(ctx, pros[i]), "CreateProfessional")
		}
		base, _ := s.Changes(ctx, "921", "", 0, 1000)
		var wg sync.WaitGroup
		errs := make(chan error, writers)
		for i := 0; i < writers; i++ {
			wg.Add(1)
			go func(p *data.Professional) {
				defer wg.Done()
				colours := []data.Colour{data.ColourGreen, data.ColourRed}
				for n := 0; n < writes; n++ {
					a := &data.Availability{ProfessionalID: p.ID, Global: colours[n%2]}
					if err := s.SaveAvailability(context.Background(), a); err != nil {
						errs <- err
						return
					}
				}
			}(pros[i])
		}
		// Follow the sequence while the writers write.
		seen := map[int64]bool{}
		cursor := int64(len(base))
		done := make(chan struct{})
		go func() { wg.Wait(); close(done) }()
		finished := false
		for !finished {
			select {
			case <-done:
				finished = true
			default:
			}
			page, err := s.Changes(ctx, "921", "", cursor, 7)
			must(t, err, "Changes while writers write")
			for _, c := range page {
				if c.Seq != cursor+1 {
					t.Fatalf("the reader skipped from %d to %d", cursor, c.Seq)
				}
				seen[c.Seq] = true
				cursor = c.Seq
			}
			if len(page) == 0 && !finished {
				time.Sleep(time.Millisecond)
			}
		}
		close(errs)
		for err := range errs {
			t.Fatal(err)
		}
		for {
			page, _ := s.Changes(ctx, "921", "", cursor, 100)
			if len(page) == 0 {
				break
			}
			for _, c := range page {
				if c.Seq != cursor+1 {
					t.Fatalf("gap after %d: %d", cursor, c.Seq)
				}
				seen[c.Seq] = true
				cursor = c.Seq
			}
		}
		if want := writers * writes; len(seen) != want {
			t.Fatalf("the reader saw %d changes, want %d", len(seen), want)
		}
	})
}

// testReadRecords checks that ReadRecords reads a page's records as the
// per-record methods do (Find*, FieldStamps), that a tab never saved is
// only absent, that a record missing is ENOTFOUND, and that more keys than
// one IN list holds are all read.
func testReadRecords(t *testing.T, open func(t *testing.T) data.CentralStore) {
	s, ctx := open(t), testContext(t)
	author := data.ChangeAuthor{Stamp: data.HLC{Wall: 1_700_000_000_000, Node: "poste-1"}, By: "Hélène"}
	p1, p2, bare := newProfessional(1), newProfessional(2), newProfessional(3)
	p2.CafCode, p2.Department = "201", "2A"
	for _, p := range []*data.Professional{p1, p2, bare} {
		must(t, s.CreateProfessional(ctx, p), "CreateProfessional")
	}
	places := data.PlacesOf(2)
	a1 := &data.Availability{ProfessionalID: p1.ID, Global: data.ColourGreen,
		Weeks: []data.Week{{Monday: monday1, Use: true, Grid: sampleGrid(1), Places: places}, {Monday: monday2, Grid: sampleGrid(2)}},
		Dated: []data.Dated{{Date: sept1, Use: true, Days: sampleDays(1)}}}
	must(t, s.SaveAvailability(data.WithChangeAuthor(ctx, author), a1), "SaveAvailability")
	a2 := &data.Availability{ProfessionalID: p2.ID, Global: data.ColourRed,
		Weeks: []data.Week{{Monday: monday2, Use: true, Grid: sampleGrid(3)}}}
	must(t, s.SaveAvailability(ctx, a2), "SaveAvailability of another")
	r := newRequest("92", "921", "Dupont", "Hélène", boulogne)
	must(t, s.CreateRequest(ctx, r), "CreateRequest")
	c := &data.Conflict{CafCode: "921", ProfessionalID: p1.ID, Entity: "week", Key: data.WeekKey(p1.ID, monday1),
		Field: "c00", LostValue: "D", KeptValue: "N", LostBy: "poste-1", KeptBy: "poste-2"}
	must(t, s.AppendConflict(ctx, c), "AppendConflict")

	refs := []data.RecordRef{
		{Entity: "professional", Key: p1.ID}, {Entity: "professional", Key: p2.ID},
		{Entity: "availability", Key: p1.ID}, {Entity: "availability", Key: bare.ID},
		{Entity: "week", Key: data.WeekKey(p1.ID, monday1)}, {Entity: "week", Key: data.WeekKey(p1.ID, monday2)},
		{Entity: "week", Key: data.WeekKey(p2.ID, monday2)},
		{Entity: "week", Key: data.WeekKey(p2.ID, monday1)}, // never saved (p1 has one that Monday)
		{Entity: "dated", Key: data.DatedKey(p1.ID, sept1)}, {Entity: "dated", Key: data.DatedKey(p1.ID, january1)},
		{Entity: "request", Key: r.ID}, {Entity: "conflict", Key: c.ID},
		{Entity: "professional", Key: p1.ID}, // twice
	}
	got, err := s.ReadRecords(ctx, refs)
	must(t, err, "ReadRecords")
	for _, p := range []*data.Professional{p1, p2} {
		want, err := s.FindProfessionalByID(ctx, p.ID)
		must(t, err, "FindProfessionalByID")
		if !reflect.DeepEqual(got.Professionals[p.ID], want) {
			t.Errorf("professional %s: %+v, want %+v", p.ID, got.Professionals[p.ID], want)
		}
	}
	if got.Globals[p1.ID] != data.ColourGreen || got.Globals[bare.ID] != data.ColourGrey {
		t.Errorf("global colours %v", got.Globals)
	}
	for _, a := range []*data.Availability{a1, a2} {
		want, err := s.FindAvailability(ctx, a.ProfessionalID)
		must(t, err, "FindAvailability")
		for _, w := range want.Weeks {
			if g, ok := got.Weeks[data.WeekKey(a.ProfessionalID, w.Monday)]; !ok || !reflect.DeepEqual(g.Fields(), w.Fields()) || g.Monday != w.Monday {
				t.Errorf("week %s of %s: %+v (%v), want %+v", w.Monday, a.ProfessionalID, g, ok, w)
			}
		}
		for _, x := range want.Dated {
			if g, ok := got.Dated[data.DatedKey(a.ProfessionalID, x.Date)]; !ok || !reflect.DeepEqual(g.Fields(), x.Fields()) || g.Date != x.Date {
				t.Errorf("dated %s of %s: %+v (%v), want %+v", x.Date, a.ProfessionalID, g, ok, x)
			}
		}
	}
	if len(got.Weeks) != 3 || len(got.Dated) != 1 {
		t.Errorf("%d weeks and %d dated tabs read, want 3 and 1 (the tabs never saved are absent)", len(got.Weeks), len(got.Dated))
	}
	wantReq, err := s.FindRequestByID(ctx, r.ID)
	must(t, err, "FindRequestByID")
	if !reflect.DeepEqual(got.Requests[r.ID], wantReq) {
		t.Errorf("request: %+v, want %+v", got.Requests[r.ID], wantReq)
	}
	wantConflict, err := s.FindConflict(ctx, c.ID)
	must(t, err, "FindConflict")
	if !reflect.DeepEqual(got.Conflicts[c.ID], wantConflict) {
		t.Errorf("conflict: %+v, want %+v", got.Conflicts[c.ID], wantConflict)
	}
	for _, ref := range refs {
		stamps, err := s.FieldStamps(ctx, ref.Entity, ref.Key)
		must(t, err, "FieldStamps")
		want := map[string]int64{}
		for f, st := range stamps {
			want[f] = st.Version
		}
		g := got.Versions[ref]
		if g == nil {
			g = map[string]int64{}
		}
		if !reflect.DeepEqual(g, want) {
			t.Errorf("versions of %s %s: %v, want %v", ref.Entity, ref.Key, g, want)
		}
	}
	if len(got.Versions[data.RecordRef{Entity: "week", Key: data.WeekKey(p1.ID, monday1)}]) == 0 {
		t.Error("no versions read for a saved week")
	}

	// A record missing is ENOTFOUND, as its Find method says.
	for _, ref := range []data.RecordRef{{Entity: "professional", Key: localID(9)}, {Entity: "availability", Key: localID(9)},
		{Entity: "week", Key: data.WeekKey(localID(9), monday1)}, {Entity: "request", Key: localID(9)}, {Entity: "conflict", Key: localID(9)}} {
		_, err := s.ReadRecords(ctx, []data.RecordRef{{Entity: "professional", Key: p1.ID}, ref})
		wantCode(t, err, data.ENOTFOUND, "ReadRecords of a missing %s", ref.Entity)
	}
	_, err = s.ReadRecords(ctx, []data.RecordRef{{Entity: "week", Key: "sans-date"}})
	wantCode(t, err, data.EINVALID, "ReadRecords of a week key without its date")

	// More weeks than one IN list holds: 1,500 Mondays of one professional,
	// three of them saved, at both ends.
	first := data.Date{Year: 1990, Month: time.January, Day: 1}
	must(t, s.SaveAvailability(ctx, &data.Availability{ProfessionalID: p1.ID, Global: data.ColourGreen,
		Weeks: []data.Week{{Monday: first, Use: true, Grid: sampleGrid(4)}}}), "SaveAvailability of 1990")
	var many []data.RecordRef
	for i := 0; i < 1498; i++ {
		many = append(many, data.RecordRef{Entity: "week", Key: data.WeekKey(p1.ID, first.AddDays(7*i))})
	}
	many = append(many, data.RecordRef{Entity: "week", Key: data.WeekKey(p1.ID, monday2)},
		data.RecordRef{Entity: "week", Key: data.WeekKey(p1.ID, monday1)})
	got, err = s.ReadRecords(ctx, many)
	must(t, err, "ReadRecords of 1,500 weeks")
	if len(got.Weeks) != 3 || got.Weeks[data.WeekKey(p1.ID, first)].Grid != sampleGrid(4) ||
		got.Weeks[data.WeekKey(p1.ID, monday1)].Grid != sampleGrid(1) || got.Weeks[data.WeekKey(p1.ID, monday2)].Grid != sampleGrid(2) {
		t.Errorf("1,500 weeks asked, three saved: read %d", len(got.Weeks))
	}
	if len(got.Versions) != 3 {
		t.Errorf("versions of %d weeks read, want 3", len(got.Versions))
	}
}
