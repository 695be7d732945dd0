package storetest

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"espacepro/data"
)

// localPut saves p in the local copy as a pull would: with an ID and times
// given by the central service, and no outbox entry.
func localPut(s data.LocalStore) putProfessional {
	n := 0
	return func(t *testing.T, ctx context.Context, p *data.Professional) {
		t.Helper()
		n++
		if p.ID == "" {
			p.ID = localID(n)
		}
		if p.CreatedAt.IsZero() {
			p.CreatedAt = time.Date(2025, time.September, 1, 8, 30, 0, 123000000, paris)
			p.UpdatedAt = p.CreatedAt.Add(time.Duration(n) * time.Hour)
		}
		must(t, s.SaveProfessional(ctx, p, nil), "SaveProfessional %s", p.DisplayName())
	}
}

func localAvailability(s data.LocalStore) availabilityStore {
	return availabilityStore{
		find: s.FindAvailability,
		save: func(ctx context.Context, a *data.Availability) error { return s.SaveAvailability(ctx, a, nil) },
		put:  localPut(s),
	}
}

// outboxEntry returns the n-th outbox entry of a test: a payload that is not
// text (NUL, 0xFF), to check that it is kept as bytes.
func outboxEntry(n int, entity, key string) data.OutboxEntry {
	return data.OutboxEntry{
		ID:      fmt.Sprintf("0190c3a8-%04d-7000-8000-00000000%04d", n, n),
		Entity:  entity,
		Key:     key,
		Payload: append([]byte(fmt.Sprintf(`{"n":%d,"nom":"Hélène N'Diaye"}`, n)), 0x00, 0xff, byte(n)),
	}
}

// wantOutbox checks that the pending entries are want, in that order, with
// Seq increasing.
func wantOutbox(t testing.TB, s data.LocalStore, ctx context.Context, what string, want ...data.OutboxEntry) []data.OutboxEntry {
	t.Helper()
	got, err := s.PendingOutbox(ctx, 100)
	if err != nil {
		t.Errorf("%s: PendingOutbox: %v", what, err)
		return nil
	}
	if len(got) != len(want) {
		t.Errorf("%s: PendingOutbox returned %s, want %s", what, outboxIDs(got), outboxIDs(want))
		return got
	}
	for i := range want {
		w := want[i]
		w.Seq = got[i].Seq
		if w.CreatedAt.IsZero() {
			if got[i].CreatedAt.IsZero() {
				t.Errorf("%s: entry %s has no CreatedAt", what, got[i].ID)
			}
			w.CreatedAt = got[i].CreatedAt
		}
		wantEqual(t, fmt.Sprintf("%s: outbox entry %d", what, i), w, got[i])
		if i > 0 && got[i].Seq <= got[i-1].Seq {
			t.Errorf("%s: Seq %d of %s does not follow %d of %s", what, got[i].Seq, got[i].ID, got[i-1].Seq, got[i-1].ID)
		}
	}
	n, err := s.CountOutbox(ctx)
	if err != nil {
		t.Errorf("%s: CountOutbox: %v", what, err)
	} else if n != len(want) {
		t.Errorf("%s: CountOutbox returned %d, want %d", what, n, len(want))
	}
	return got
}

func outboxIDs(list []data.OutboxEntry) string {
	ids := make([]string, len(list))
	for i, e := range list {
		ids[i] = e.ID
	}
	return fmt.Sprint(ids)
}

// testLocal runs the local store subtests.
func testLocal(t *testing.T, open func(t *testing.T) data.LocalStore) {
	// setup returns a local copy holding one professional.
	setup := func(t *testing.T) (data.LocalStore, context.Context, *data.Professional) {
		s, ctx := open(t), testContext(t)
		p := newProfessional(1)
		localPut(s)(t, ctx, p)
		return s, ctx, p
	}

	t.Run("Professional/RoundTrip", func(t *testing.T) {
		s, ctx := open(t), testContext(t)
		p := childminder("92", "921", "AGR-92/2019-0042", "N'Diaye-Œillet", "Hélène", boulogne, data.Listed, data.HabilitationActive)
		p.ID = localID(1)
		p.AgrementDate = data.Date{Year: 2019, Month: time.March, Day: 14}
		p.CreatedAt = time.Date(2025, time.January, 15, 10, 0, 0, 987654321, paris)
		p.UpdatedAt = time.Date(2026, time.February, 3, 17, 45, 12, 5000000, time.UTC)
		must(t, s.SaveProfessional(ctx, p, nil), "SaveProfessional")
		got, err := s.FindProfessionalByID(ctx, p.ID)
		must(t, err, "FindProfessionalByID")
		wantEqual(t, "local professional", p, got)

		st := structure("92", "921", "Crèche « L'Île aux Œillets »", nanterre, data.Listed, data.HabilitationRequested)
		st.ID, st.CreatedAt, st.UpdatedAt = localID(2), p.CreatedAt, p.CreatedAt
		must(t, s.SaveProfessional(ctx, st, nil), "SaveProfessional structure")
		got, err = s.FindProfessionalByID(ctx, st.ID)
		must(t, err, "FindProfessionalByID structure")
		wantEqual(t, "local structure", st, got)

		// A newer copy replaces the old one.
		p.LastName, p.Address, p.Habilitation = "Lefèvre", colombes, data.HabilitationSuspended
		p.UpdatedAt = p.UpdatedAt.Add(time.Hour)
		must(t, s.SaveProfessional(ctx, p, nil), "SaveProfessional again")
		got, err = s.FindProfessionalByID(ctx, p.ID)
		must(t, err, "FindProfessionalByID after replace")
		wantEqual(t, "replaced local professional", p, got)
		list, total, err := s.FindProfessionals(ctx, data.ProfessionalFilter{})
		must(t, err, "FindProfessionals")
		wantProfessionals(t, "local copy after replace", list, total, st, p)
		list, total, err = s.FindProfessionals(ctx, data.ProfessionalFilter{Name: "diaye"})
		must(t, err, "FindProfessionals(old name)")
		wantProfessionals(t, "search by the replaced name", list, total)

		for _, id := range unknownIDs {
			_, err := s.FindProfessionalByID(ctx, id)
			wantCode(t, err, data.ENOTFOUND, "FindProfessionalByID(%q)", id)
		}
	})

	testFindProfessionals(t, func(t *testing.T) (professionalFinder, putProfessional) {
		s := open(t)
		return s, localPut(s)
	})

	t.Run("Availability", func(t *testing.T) {
		testAvailability(t, func(t *testing.T) availabilityStore { return localAvailability(open(t)) })
	})

	t.Run("Outbox/SaveAvailabilityAppends", func(t *testing.T) {
		s, ctx, p := setup(t)
		wantOutbox(t, s, ctx, "new local copy")
		a := fullAvailability(p.ID)
		e1, e2 := outboxEntry(1, "availability", p.ID+"/global"), outboxEntry(2, "availability", p.ID+"/"+monday1.String())
		must(t, s.SaveAvailability(ctx, a, []data.OutboxEntry{e1, e2}), "SaveAvailability")
		wantAvailability(t, localAvailability(s), ctx, "local availability", a)
		wantOutbox(t, s, ctx, "after SaveAvailability", e1, e2)
	})

	t.Run("Outbox/OrderAndLimit", func(t *testing.T) {
		s, ctx, p := setup(t)
		e := make([]data.OutboxEntry, 6)
		for i := range e {
			e[i] = outboxEntry(i+1, "availability", p.ID)
		}
		e[2].CreatedAt = time.Date(2026, time.March, 2, 9, 15, 30, 250000000, paris) // a time given is kept
		must(t, s.SaveAvailability(ctx, fullAvailability(p.ID), e[0:2]), "SaveAvailability")
		p.Phone = "0700000000"
		e[2].Entity = "professional"
		must(t, s.SaveProfessional(ctx, p, e[2:3]), "SaveProfessional")
		must(t, s.SaveAvailability(ctx, &data.Availability{ProfessionalID: p.ID, Global: data.ColourRed}, e[3:6]), "SaveAvailability")
		got := wantOutbox(t, s, ctx, "after three edits", e...)
		if len(got) == len(e) && !sameInstant(got[2].CreatedAt, e[2].CreatedAt) {
			t.Errorf("outbox entry CreatedAt %s came back as %s", showTime(e[2].CreatedAt), showTime(got[2].CreatedAt))
		}
		for _, limit := range []int{1, 4, 6, 10} {
			if len(got) != len(e) {
				break
			}
			page, err := s.PendingOutbox(ctx, limit)
			must(t, err, "PendingOutbox(%d)", limit)
			n := min(limit, len(e))
			if len(page) != n || outboxIDs(page) != outboxIDs(got[:n]) {
				t.Errorf("PendingOutbox(%d) returned %s, want %s", limit, outboxIDs(page), outboxIDs(got[:n]))
			}
		}
		stored, err := s.FindProfessionalByID(ctx, p.ID)
		must(t, err, "FindProfessionalByID")
		wantEqual(t, "professional saved with an outbox entry", p, stored)
	})

	t.Run("Outbox/Ack", func(t *testing.T) {
		s, ctx, p := setup(t)
		e1, e2, e3 := outboxEntry(1, "availability", p.ID), outboxEntry(2, "availability", p.ID), outboxEntry(3, "professional", p.ID)
		must(t, s.SaveAvailability(ctx, fullAvailability(p.ID), []data.OutboxEntry{e1, e2, e3}), "SaveAvailability")
		must(t, s.AckOutbox(ctx, e2.ID, "0190c3a8-9999-7000-8000-000000009999", "inconnu"), "AckOutbox with unknown IDs")
		wantOutbox(t, s, ctx, "after acknowledging the second entry", e1, e3)
		must(t, s.AckOutbox(ctx), "AckOutbox of nothing")
		must(t, s.AckOutbox(ctx, e2.ID), "AckOutbox of an entry already acknowledged")
		wantOutbox(t, s, ctx, "after acknowledging nothing new", e1, e3)
		must(t, s.AckOutbox(ctx, e3.ID, e1.ID), "AckOutbox of the rest")
		wantOutbox(t, s, ctx, "after acknowledging everything")
		wantAvailability(t, localAvailability(s), ctx, "local availability after acknowledgements", fullAvailability(p.ID))
	})

	t.Run("Outbox/Fail", func(t *testing.T) {
		s, ctx, p := setup(t)
		e1, e2 := outboxEntry(1, "availability", p.ID), outboxEntry(2, "availability", p.ID)
		must(t, s.SaveAvailability(ctx, fullAvailability(p.ID), []data.OutboxEntry{e1, e2}), "SaveAvailability")
		must(t, s.FailOutbox(ctx, e1.ID, "délai dépassé"), "FailOutbox")
		e1.Attempts, e1.LastError = 1, "délai dépassé"
		wantOutbox(t, s, ctx, "after one failure", e1, e2)
		must(t, s.FailOutbox(ctx, e1.ID, "connexion refusée : « 503 »"), "FailOutbox again")
		e1.Attempts, e1.LastError = 2, "connexion refusée : « 503 »"
		wantOutbox(t, s, ctx, "after two failures", e1, e2)
	})

	t.Run("Outbox/Reject", func(t *testing.T) {
		s, ctx, p := setup(t)
		e1, e2, e3 := outboxEntry(1, "availability", p.ID), outboxEntry(2, "availability", p.ID), outboxEntry(3, "professional", p.ID)
		must(t, s.SaveAvailability(ctx, fullAvailability(p.ID), []data.OutboxEntry{e1, e2, e3}), "SaveAvailability")
		rejected, err := s.FindRejected(ctx)
		must(t, err, "FindRejected")
		if len(rejected) != 0 {
			t.Errorf("FindRejected of a new local copy returned %d entries", len(rejected))
		}
		before := time.Now().Add(-time.Second)
		must(t, s.FailOutbox(ctx, e2.ID, "délai dépassé"), "FailOutbox")
		must(t, s.RejectOutbox(ctx, e2.ID, data.EFORBIDDEN, "Vous ne pouvez modifier que vos propres disponibilités."), "RejectOutbox")
		time.Sleep(5 * time.Millisecond)
		must(t, s.RejectOutbox(ctx, e3.ID, data.EINVALID, "La semaine du 24/11/2026 ne commence pas un lundi."), "RejectOutbox")
		wantOutbox(t, s, ctx, "after two rejections", e1)

		rejected, err = s.FindRejected(ctx)
		must(t, err, "FindRejected")
		if len(rejected) != 2 {
			t.Fatalf("FindRejected returned %d entries, want 2", len(rejected))
		}
		e2.Attempts, e2.LastError = 1, "délai dépassé"
		want := []data.RejectedMutation{
			{OutboxEntry: e3, Code: data.EINVALID, Message: "La semaine du 24/11/2026 ne commence pas un lundi."},
			{OutboxEntry: e2, Code: data.EFORBIDDEN, Message: "Vous ne pouvez modifier que vos propres disponibilités."},
		}
		for i := range want {
			got := rejected[i]
			if got.RejectedAt.Before(before) {
				t.Errorf("rejected entry %s has RejectedAt %s: want the current time", got.ID, showTime(got.RejectedAt))
			}
			if got.CreatedAt.IsZero() {
				t.Errorf("rejected entry %s lost its CreatedAt", got.ID)
			}
			want[i].Seq, want[i].CreatedAt, want[i].RejectedAt = got.Seq, got.CreatedAt, got.RejectedAt
			wantEqual(t, fmt.Sprintf("rejected entry %d", i), want[i], got)
		}
		if rejected[0].RejectedAt.Before(rejected[1].RejectedAt) {
			t.Errorf("FindRejected is not newest first: %s then %s", showTime(rejected[0].RejectedAt), showTime(rejected[1].RejectedAt))
		}
		// Acknowledging a rejected ID does not touch the rejected list.
		must(t, s.AckOutbox(ctx, e2.ID), "AckOutbox of a rejected ID")
		rejected, err = s.FindRejected(ctx)
		must(t, err, "FindRejected")
		if len(rejected) != 2 {
			t.Errorf("FindRejected returned %d entries after acknowledging a rejected ID, want 2", len(rejected))
		}
	})

	t.Run("Outbox/DuplicateIDWritesNothing", func(t *testing.T) {
		s, ctx, p := setup(t)
		e1 := outboxEntry(1, "availability", p.ID)
		before := fullAvailability(p.ID)
		must(t, s.SaveAvailability(ctx, before, []data.OutboxEntry{e1}), "SaveAvailability")
		again := outboxEntry(1, "availability", p.ID)
		again.Payload = []byte("autre")
		err := s.SaveAvailability(ctx, &data.Availability{ProfessionalID: p.ID, Global: data.ColourRed}, []data.OutboxEntry{outboxEntry(2, "availability", p.ID), again})
		if err == nil {
			t.Error("SaveAvailability with an outbox ID already pending succeeded")
		}
		wantAvailability(t, localAvailability(s), ctx, "availability after a refused save", before)
		wantOutbox(t, s, ctx, "outbox after a refused save", e1)
	})

	t.Run("Outbox/InvalidAvailabilityWritesNothing", func(t *testing.T) {
		s, ctx, p := setup(t)
		e1 := outboxEntry(1, "availability", p.ID)
		bad := fullAvailability(p.ID)
		bad.Weeks = append(bad.Weeks, data.Week{Monday: tuesday, Use: true, Grid: sampleGrid(0)})
		wantCode(t, s.SaveAvailability(ctx, bad, []data.OutboxEntry{e1}), data.EINVALID, "SaveAvailability with a week not on a Monday")
		wantGrey(t, localAvailability(s), ctx, "availability after a refused save", p.ID)
		wantOutbox(t, s, ctx, "outbox after a refused save")
	})

	t.Run("SyncState", func(t *testing.T) {
		s, ctx := open(t), testContext(t)
		get := func(key, want string) {
			t.Helper()
			v, err := s.SyncState(ctx, key)
			if err != nil {
				t.Errorf("SyncState(%q): %v", key, err)
			} else if v != want {
				t.Errorf("SyncState(%q) = %q, want %q", key, v, want)
			}
		}
		get("cursor", "")
		must(t, s.SetSyncState(ctx, "cursor", "42"), "SetSyncState")
		get("cursor", "42")
		get("client_id", "")
		must(t, s.SetSyncState(ctx, "cursor", "1337"), "SetSyncState again")
		get("cursor", "1337")
		must(t, s.SetSyncState(ctx, "client_id", "poste-Hélène-01"), "SetSyncState client_id")
		get("client_id", "poste-Hélène-01")
		get("cursor", "1337")
		must(t, s.SetSyncState(ctx, "cursor", ""), "SetSyncState empty")
		get("cursor", "")
	})

	testLocalTransactions(t, open)
}

// testLocalTransactions runs the InTx subtests of the local store: the local
// rows, the outbox and the sync state go together or not at all.
func testLocalTransactions(t *testing.T, open func(t *testing.T) data.LocalStore) {
	write := func(t *testing.T, s data.LocalStore, ctx context.Context) (*data.Professional, []data.OutboxEntry) {
		t.Helper()
		p := newProfessional(1)
		p.ID, p.CreatedAt, p.UpdatedAt = localID(1), time.Date(2026, time.January, 5, 9, 0, 0, 0, paris), time.Date(2026, time.January, 5, 9, 0, 0, 0, paris)
		out := []data.OutboxEntry{outboxEntry(1, "professional", p.ID), outboxEntry(2, "availability", p.ID)}
		if err := s.SaveProfessional(ctx, p, out[:1]); err != nil {
			t.Errorf("SaveProfessional in the transaction: %v", err)
		}
		if err := s.SaveAvailability(ctx, fullAvailability(p.ID), out[1:]); err != nil {
			t.Errorf("SaveAvailability in the transaction: %v", err)
		}
		if n, err := s.CountOutbox(ctx); err != nil || n != 2 {
			t.Errorf("the transaction sees %d outbox entries (error %v), want 2", n, err)
		}
		if err := s.SetSyncState(ctx, "cursor", "7"); err != nil {
			t.Errorf("SetSyncState in the transaction: %v", err)
		}
		return p, out
	}
	wantNothing := func(t *testing.T, s data.LocalStore, ctx context.Context) {
		t.Helper()
		_, err := s.FindProfessionalByID(ctx, localID(1))
		wantCode(t, err, data.ENOTFOUND, "FindProfessionalByID of a professional saved in a rolled back transaction")
		wantOutbox(t, s, ctx, "outbox after rollback")
		if v, err := s.SyncState(ctx, "cursor"); err != nil || v != "" {
			t.Errorf("sync state after rollback: %q (error %v), want \"\"", v, err)
		}
		// The store is still usable.
		p := newProfessional(2)
		p.ID = localID(2)
		must(t, s.SaveProfessional(ctx, p, []data.OutboxEntry{outboxEntry(9, "professional", p.ID)}), "SaveProfessional after rollback")
	}

	t.Run("InTx/Commit", func(t *testing.T) {
		s, ctx := open(t), testContext(t)
		var p *data.Professional
		var out []data.OutboxEntry
		must(t, s.InTx(ctx, func(ctx context.Context) error {
			p, out = write(t, s, ctx)
			return nil
		}), "InTx")
		got, err := s.FindProfessionalByID(ctx, p.ID)
		must(t, err, "FindProfessionalByID after commit")
		wantEqual(t, "professional saved in the transaction", p, got)
		wantAvailability(t, localAvailability(s), ctx, "availability saved in the transaction", fullAvailability(p.ID))
		wantOutbox(t, s, ctx, "outbox after commit", out...)
		if v, err := s.SyncState(ctx, "cursor"); err != nil || v != "7" {
			t.Errorf("sync state after commit: %q (error %v), want \"7\"", v, err)
		}
	})

	t.Run("InTx/RollbackOnError", func(t *testing.T) {
		s, ctx := open(t), testContext(t)
		err := s.InTx(ctx, func(ctx context.Context) error {
			write(t, s, ctx)
			return errBoom
		})
		if !errors.Is(err, errBoom) {
			t.Errorf("InTx returned %v, want fn's error", err)
		}
		wantNothing(t, s, ctx)
	})

	t.Run("InTx/RollbackOnPanic", func(t *testing.T) {
		s, ctx := open(t), testContext(t)
		err, panicked := callInTx(s.InTx, ctx, func(ctx context.Context) error {
			write(t, s, ctx)
			panic("storetest: panic in fn")
		})
		if panicked == nil && err == nil {
			t.Error("InTx neither panicked again nor returned an error when fn panicked")
		}
		wantNothing(t, s, ctx)
	})

	t.Run("InTx/NestedJoinsOuter", func(t *testing.T) {
		s, ctx := open(t), testContext(t)
		err := s.InTx(ctx, func(ctx context.Context) error {
			if err := s.InTx(ctx, func(ctx context.Context) error {
				write(t, s, ctx)
				return nil
			}); err != nil {
				t.Errorf("inner InTx: %v", err)
			}
			return errBoom
		})
		if !errors.Is(err, errBoom) {
			t.Errorf("InTx returned %v, want fn's error", err)
		}
		wantNothing(t, s, ctx)
	})
}
