package storetest

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"

	"espacepro/data"
)

// callInTx runs inTx(fn) and turns a panic that comes back out of it into
// the recovered value, so that the test can go on and check the store.
func callInTx(inTx func(context.Context, func(context.Context) error) error, ctx context.Context, fn func(context.Context) error) (err error, panicked any) {
	defer func() { panicked = recover() }()
	return inTx(ctx, fn), nil
}

// testTransactions runs the InTx subtests of the central store.
func testTransactions(t *testing.T, open func(t *testing.T) data.CentralStore) {
	// setup returns a store holding one professional (committed before any
	// transaction), whose availability the transactions change.
	setup := func(t *testing.T) (data.CentralStore, context.Context, *data.Professional) {
		s, ctx := open(t), testContext(t)
		p := newProfessional(1)
		must(t, s.CreateProfessional(ctx, p), "CreateProfessional")
		return s, ctx, p
	}
	// writeAll makes three writes of different kinds inside a transaction and
	// checks that the transaction sees them.
	writeAll := func(t *testing.T, s data.CentralStore, ctx context.Context, existing, created *data.Professional) error {
		t.Helper()
		if err := s.CreateProfessional(ctx, created); err != nil {
			return fmt.Errorf("CreateProfessional in the transaction: %w", err)
		}
		if _, err := s.FindProfessionalByID(ctx, created.ID); err != nil {
			return fmt.Errorf("the transaction does not see its own professional: %w", err)
		}
		if err := s.SaveAvailability(ctx, fullAvailability(existing.ID)); err != nil {
			return fmt.Errorf("SaveAvailability in the transaction: %w", err)
		}
		if err := s.AppendAudit(ctx, &data.AuditEntry{ActorName: "storetest", Action: "professional.create", TargetKind: "professional", TargetID: created.ID}); err != nil {
			return fmt.Errorf("AppendAudit in the transaction: %w", err)
		}
		return nil
	}
	// wantNothingWritten checks that none of writeAll's writes is kept, and
	// that the store still works.
	wantNothingWritten := func(t *testing.T, s data.CentralStore, ctx context.Context, existing, created *data.Professional) {
		t.Helper()
		if created.ID != "" {
			_, err := s.FindProfessionalByID(ctx, created.ID)
			wantCode(t, err, data.ENOTFOUND, "FindProfessionalByID of a professional created in a rolled back transaction")
		}
		list, total, err := s.FindProfessionals(ctx, data.ProfessionalFilter{})
		must(t, err, "FindProfessionals after rollback")
		wantProfessionals(t, "professionals after rollback", list, total, existing)
		wantGrey(t, centralAvailability(s), ctx, "availability saved in a rolled back transaction", existing.ID)
		entries, total, err := s.FindAudit(ctx, data.AuditFilter{})
		must(t, err, "FindAudit after rollback")
		if total != 0 || len(entries) != 0 {
			t.Errorf("audit after rollback holds %d entries (total %d), want none", len(entries), total)
		}
		// The store is still usable: the connection or lock was released.
		again := newProfessional(3)
		must(t, s.CreateProfessional(ctx, again), "CreateProfessional after rollback")
		must(t, s.AppendAudit(ctx, &data.AuditEntry{ActorName: "storetest", Action: "after.rollback"}), "AppendAudit after rollback")
	}

	t.Run("CommitsWhenFnReturnsNil", func(t *testing.T) {
		s, ctx, p := setup(t)
		created := newProfessional(2)
		err := s.InTx(ctx, func(ctx context.Context) error { return writeAll(t, s, ctx, p, created) })
		must(t, err, "InTx")
		got, err := s.FindProfessionalByID(ctx, created.ID)
		must(t, err, "FindProfessionalByID after commit")
		wantEqual(t, "professional created in the transaction", created, got)
		wantAvailability(t, centralAvailability(s), ctx, "availability saved in the transaction", fullAvailability(p.ID))
		entries, total, err := s.FindAudit(ctx, data.AuditFilter{})
		must(t, err, "FindAudit after commit")
		if total != 1 || len(entries) != 1 || entries[0].TargetID != created.ID {
			t.Errorf("audit after commit: %s (total %d), want the one entry about %s", auditNames(entries), total, created.ID)
		}
	})

	t.Run("RollsBackOnError", func(t *testing.T) {
		s, ctx, p := setup(t)
		created := newProfessional(2)
		err := s.InTx(ctx, func(ctx context.Context) error {
			if err := writeAll(t, s, ctx, p, created); err != nil {
				t.Error(err)
			}
			return errBoom
		})
		if !errors.Is(err, errBoom) {
			t.Errorf("InTx returned %v, want fn's error", err)
		}
		wantNothingWritten(t, s, ctx, p, created)
	})

	t.Run("RollsBackOnPanic", func(t *testing.T) {
		s, ctx, p := setup(t)
		created := newProfessional(2)
		err, panicked := callInTx(s.InTx, ctx, func(ctx context.Context) error {
			if err := writeAll(t, s, ctx, p, created); err != nil {
				t.Error(err)
			}
			panic("storetest: panic in fn")
		})
		if panicked == nil && err == nil {
			t.Error("InTx neither panicked again nor returned an error when fn panicked")
		}
		wantNothingWritten(t, s, ctx, p, created)
	})

	t.Run("RollsBackOnStoreError", func(t *testing.T) {
		s, ctx, p := setup(t)
		created := newProfessional(2)
		err := s.InTx(ctx, func(ctx context.Context) error {
			if err := writeAll(t, s, ctx, p, created); err != nil {
				t.Error(err)
			}
			// A store error inside, returned as it is: the earlier writes go.
			dup := newProfessional(2)
			return s.CreateProfessional(ctx, dup)
		})
		wantCode(t, err, data.ECONFLICT, "InTx whose fn returns a conflict")
		wantNothingWritten(t, s, ctx, p, created)
	})

	t.Run("NestedJoinsOuter", func(t *testing.T) {
		s, ctx, p := setup(t)
		created := newProfessional(2)
		var innerErr error
		err := s.InTx(ctx, func(ctx context.Context) error {
			innerErr = s.InTx(ctx, func(ctx context.Context) error {
				return writeAll(t, s, ctx, p, created)
			})
			if innerErr != nil {
				return innerErr
			}
			// The outer transaction sees what the inner one wrote.
			if _, err := s.FindProfessionalByID(ctx, created.ID); err != nil {
				t.Errorf("the outer transaction does not see the inner one's professional: %v", err)
			}
			return errBoom
		})
		must(t, innerErr, "inner InTx")
		if !errors.Is(err, errBoom) {
			t.Errorf("InTx returned %v, want fn's error", err)
		}
		wantNothingWritten(t, s, ctx, p, created)
	})

	t.Run("NestedErrorRollsBackOuter", func(t *testing.T) {
		s, ctx, p := setup(t)
		created := newProfessional(2)
		err := s.InTx(ctx, func(ctx context.Context) error {
			if err := writeAll(t, s, ctx, p, created); err != nil {
				t.Error(err)
			}
			return s.InTx(ctx, func(ctx context.Context) error { return errBoom })
		})
		if !errors.Is(err, errBoom) {
			t.Errorf("InTx returned %v, want the inner fn's error", err)
		}
		wantNothingWritten(t, s, ctx, p, created)
	})

	t.Run("NestedCommit", func(t *testing.T) {
		s, ctx, p := setup(t)
		created := newProfessional(2)
		err := s.InTx(ctx, func(ctx context.Context) error {
			return s.InTx(ctx, func(ctx context.Context) error { return writeAll(t, s, ctx, p, created) })
		})
		must(t, err, "InTx")
		_, err = s.FindProfessionalByID(ctx, created.ID)
		must(t, err, "FindProfessionalByID after a nested commit")
		wantAvailability(t, centralAvailability(s), ctx, "availability saved in a nested transaction", fullAvailability(p.ID))
	})
}

// testConcurrency runs the subtests where several goroutines use one store.
func testConcurrency(t *testing.T, open func(t *testing.T) data.CentralStore) {
	const workers, rounds = 8, 20
	colours := []data.Colour{data.ColourGreen, data.ColourRed, data.ColourGrey}

	t.Run("ParallelSaveAvailability", func(t *testing.T) {
		s, ctx := open(t), testContext(t)
		ps := make([]*data.Professional, workers)
		for i := range ps {
			ps[i] = newProfessional(i + 1)
			must(t, s.CreateProfessional(ctx, ps[i]), "CreateProfessional")
		}
		week := func(w, i int) data.Week {
			return data.Week{Monday: monday1, Use: i%2 == 0, Grid: sampleGrid(w + i), Places: data.PlacesOf(i)}
		}
		errs := make(chan error, workers*rounds*2)
		var wg sync.WaitGroup
		for w := range workers {
			wg.Go(func() {
				for i := range rounds {
					a := &data.Availability{
						ProfessionalID: ps[w].ID,
						Global:         colours[i%len(colours)],
						Weeks:          []data.Week{week(w, i), {Monday: monday2.AddDays(7 * w), Use: true, Grid: sampleGrid(i)}},
						Dated:          []data.Dated{{Date: sept1, Use: true, Days: sampleDays(w + i), Places: data.PlacesOf(w)}},
					}
					if err := s.SaveAvailability(ctx, a); err != nil {
						errs <- fmt.Errorf("worker %d, round %d: SaveAvailability: %w", w, i, err)
					}
					if _, err := s.FindAvailability(ctx, ps[(w+1)%workers].ID); err != nil {
						errs <- fmt.Errorf("worker %d, round %d: FindAvailability: %w", w, i, err)
					}
				}
			})
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Error(err)
		}
		for w, p := range ps {
			last := rounds - 1
			want := &data.Availability{
				ProfessionalID: p.ID,
				Global:         colours[last%len(colours)],
				Weeks:          []data.Week{week(w, last), {Monday: monday2.AddDays(7 * w), Use: true, Grid: sampleGrid(last)}},
				Dated:          []data.Dated{{Date: sept1, Use: true, Days: sampleDays(w + last), Places: data.PlacesOf(w)}},
			}
			wantAvailability(t, centralAvailability(s), ctx, fmt.Sprintf("availability of worker %d", w), want)
		}
	})

	t.Run("ParallelAppendAudit", func(t *testing.T) {
		s, ctx := open(t), testContext(t)
		errs := make(chan error, workers*rounds)
		ids := make(chan int64, workers*rounds)
		var wg sync.WaitGroup
		for w := range workers {
			wg.Go(func() {
				for i := range rounds {
					e := &data.AuditEntry{ActorID: fmt.Sprint("agent-", w), ActorName: "storetest", CafCode: "921", Action: "request.letter", TargetKind: "request", TargetID: fmt.Sprint(w, "-", i)}
					if err := s.AppendAudit(ctx, e); err != nil {
						errs <- fmt.Errorf("worker %d, round %d: AppendAudit: %w", w, i, err)
						continue
					}
					ids <- e.ID
				}
			})
		}
		wg.Wait()
		close(errs)
		close(ids)
		for err := range errs {
			t.Error(err)
		}
		seen := map[int64]bool{}
		for id := range ids {
			if seen[id] {
				t.Errorf("AppendAudit gave ID %d twice", id)
			}
			seen[id] = true
		}
		_, total, err := s.FindAudit(ctx, data.AuditFilter{})
		must(t, err, "FindAudit")
		if total != workers*rounds {
			t.Errorf("audit holds %d entries after %d appends", total, workers*rounds)
		}
		list, total, err := s.FindAudit(ctx, data.AuditFilter{ActorID: "agent-3"})
		must(t, err, "FindAudit(agent-3)")
		if total != rounds || len(list) != rounds {
			t.Errorf("audit holds %d entries of agent-3 (total %d), want %d", len(list), total, rounds)
		}
	})
}
