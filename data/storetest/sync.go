package storetest

import (
	"context"
	"fmt"
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
