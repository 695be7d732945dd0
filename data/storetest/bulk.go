package storetest

import (
	"context"
	"fmt"
	"reflect"
	"testing"
	"time"

	"espacepro/data"
)

// testBulkWrites checks that WriteProfessionals leaves what as many
// CreateProfessional and UpdateProfessional calls, one after the other,
// leave — fiches, change log in the same order, field stamps and versions,
// the records a pull reads — that a failing one names the professional it
// failed on and writes nothing, and that DeleteProfessionalSessions ends
// the sessions of the professionals' accounts.
func testBulkWrites(t *testing.T, open func(t *testing.T) data.CentralStore) {
	author := data.ChangeAuthor{Stamp: data.HLC{Wall: 1_700_000_000_000, Node: "service"}, By: "Import PMI"}

	t.Run("CreateAsSingleCreates", func(t *testing.T) {
		single, bulk := open(t), open(t)
		ctx := data.WithChangeAuthor(testContext(t), author)
		// Caf 921's sequence has begun, Caf 201's has not.
		first := map[data.CentralStore]*data.Professional{single: newProfessional(100000), bulk: newProfessional(100000)}
		for s, p := range first {
			must(t, s.CreateProfessional(ctx, p), "CreateProfessional before")
		}
		plan := bulkPlan(600) // more than one chunk of any store, and a remainder
		before := time.Now().Add(-time.Second)
		for _, p := range bulkCopies(plan) {
			must(t, single.CreateProfessional(ctx, p), "CreateProfessional %s", p.AgrementNumber)
		}
		mine := bulkCopies(plan)
		n, err := bulk.WriteProfessionals(ctx, mine)
		must(t, err, "WriteProfessionals")
		if n != len(plan) {
			t.Fatalf("WriteProfessionals stored %d of %d", n, len(plan))
		}
		for i, p := range mine {
			if p.ID == "" || p.CreatedAt.Before(before) || !p.UpdatedAt.Equal(p.CreatedAt) {
				t.Fatalf("professional %d: ID %q, created %s, updated %s", i, p.ID, showTime(p.CreatedAt), showTime(p.UpdatedAt))
			}
			got, err := bulk.FindProfessionalByID(ctx, p.ID)
			must(t, err, "FindProfessionalByID %d", i)
			wantEqual(t, fmt.Sprintf("professional %d as WriteProfessionals set it", i), p, got)
		}
		// The next write of each Caf takes the next number in both.
		for _, s := range []data.CentralStore{single, bulk} {
			for _, caf := range []string{"921", "201"} {
				p := newProfessional(9000)
				p.CafCode, p.AgrementNumber = caf, "92-APRES-"+caf
				must(t, s.CreateProfessional(ctx, p), "CreateProfessional after")
			}
		}
		wantSameWrites(t, ctx, single, bulk, []string{"921", "201"})
	})

	t.Run("UpdateAsSingleUpdates", func(t *testing.T) {
		single, bulk := open(t), open(t)
		ctx := data.WithChangeAuthor(testContext(t), author)
		stored := writeBoth(t, ctx, bulkPlan(300), single, bulk)
		// Each store's updates of its own professionals, the same changes:
		// delisted with the habilitation expired, a new phone, one moved to
		// Caf 201 (a tombstone in 921), one unchanged (nothing logged), one
		// updated twice (the second over the first), without guard or with.
		updates := func(ps []*data.Professional) []*data.Professional {
			var out []*data.Professional
			for i, p := range ps {
				u := *p
				switch {
				case i%3 == 0:
					u.Listing, u.Habilitation = data.Delisted, data.HabilitationExpired
				case i%3 == 1:
					u.Phone = fmt.Sprintf("07%08d", i)
				}
				switch i {
				case 7:
					u.CafCode, u.Department = "201", "2A"
				case 8:
					u = *p
				case 11:
					u.UpdatedAt = time.Time{}
				}
				out = append(out, &u)
				if i == 10 {
					again := u
					again.UpdatedAt = time.Time{}
					again.LastName, again.Email = "Deux-Fois", ""
					out = append(out, &again)
				}
			}
			return out
		}
		mine := updates(stored[bulk])
		for i, u := range updates(stored[single]) {
			must(t, single.UpdateProfessional(ctx, u), "UpdateProfessional %d", i)
		}
		n, err := bulk.WriteProfessionals(ctx, mine)
		must(t, err, "WriteProfessionals")
		if n != len(mine) {
			t.Fatalf("WriteProfessionals updated %d of %d", n, len(mine))
		}
		last := map[string]int{}
		for i, u := range mine {
			last[u.ID] = i
		}
		for i, u := range mine {
			if last[u.ID] != i {
				continue // written over by a later update
			}
			got, err := bulk.FindProfessionalByID(ctx, u.ID)
			must(t, err, "FindProfessionalByID %d", i)
			if !got.UpdatedAt.Equal(u.UpdatedAt) || u.UpdatedAt.Before(u.CreatedAt) {
				t.Errorf("update %d: UpdatedAt %s written back, %s stored", i, showTime(u.UpdatedAt), showTime(got.UpdatedAt))
			}
		}
		wantSameWrites(t, ctx, single, bulk, []string{"921", "201"})
	})

	t.Run("MixedAsSingleWrites", func(t *testing.T) {
		// A month's list: updates and creations interleaved, among them a
		// number freed by an update then given to a newcomer (the chunk
		// is then written one by one), in more than one chunk.
		single, bulk := open(t), open(t)
		ctx := data.WithChangeAuthor(testContext(t), author)
		stored := writeBoth(t, ctx, bulkPlan(400), single, bulk)
		month := func(ps []*data.Professional) []*data.Professional {
			var out []*data.Professional
			for i, p := range ps {
				u := *p
				u.FirstName = "Mois-Suivant"
				if i == 40 {
					u.AgrementNumber = "92-RENUMEROTE"
				}
				out = append(out, &u)
				if i%3 == 0 {
					c := *newProfessional(5000 + i)
					if i == 60 {
						c.AgrementNumber = ps[40].AgrementNumber
					}
					out = append(out, &c)
				}
			}
			return out
		}
		mine := month(stored[bulk])
		for i, p := range month(stored[single]) {
			write := single.UpdateProfessional
			if p.ID == "" {
				write = single.CreateProfessional
			}
			must(t, write(ctx, p), "write %d", i)
		}
		n, err := bulk.WriteProfessionals(ctx, mine)
		must(t, err, "WriteProfessionals")
		if n != len(mine) {
			t.Fatalf("WriteProfessionals wrote %d of %d", n, len(mine))
		}
		wantSameWrites(t, ctx, single, bulk, []string{"921", "201"})
	})

	t.Run("CreateFailureNamesTheRow", func(t *testing.T) {
		s, ctx := open(t), testContext(t)
		taken := newProfessional(0)
		taken.Kind, taken.AgrementNumber = data.KindStructure, "92-PRIS"
		must(t, s.CreateProfessional(ctx, taken), "CreateProfessional")
		was := snapshot(t, ctx, s)
		for _, c := range []struct {
			name  string
			at    int
			spoil func(p *data.Professional)
			code  string
		}{
			{"agrément taken", 300, func(p *data.Professional) { p.AgrementNumber = "92-PRIS" }, data.ECONFLICT},
			{"agrément twice in the list", 263, func(p *data.Professional) { p.AgrementNumber = fmt.Sprintf("92-%06d", 3) }, data.ECONFLICT},
			{"invalid", 5, func(p *data.Professional) { p.Kind = "" }, data.EINVALID},
		} {
			ps := bulkCopies(bulkPlan(400))
			c.spoil(ps[c.at])
			n, err := s.WriteProfessionals(ctx, ps)
			wantCode(t, err, c.code, "WriteProfessionals, %s", c.name)
			if n != c.at {
				t.Errorf("WriteProfessionals, %s at %d: says %d", c.name, c.at, n)
			}
			// Within a transaction the caller rolls back.
			ps = bulkCopies(bulkPlan(400))
			c.spoil(ps[c.at])
			err = s.InTx(ctx, func(ctx context.Context) error {
				n, err := s.WriteProfessionals(ctx, ps)
				if n != c.at {
					t.Errorf("WriteProfessionals in a transaction, %s at %d: says %d", c.name, c.at, n)
				}
				return err
			})
			wantCode(t, err, c.code, "WriteProfessionals in a transaction, %s", c.name)
			wantUntouched(t, ctx, s, was)
		}
	})

	t.Run("UpdateFailureNamesTheRow", func(t *testing.T) {
		s, ctx := open(t), testContext(t)
		ps := bulkCopies(bulkPlan(300))
		_, err := s.WriteProfessionals(ctx, ps)
		must(t, err, "WriteProfessionals")
		was := snapshot(t, ctx, s)
		for _, c := range []struct {
			name  string
			at    int
			spoil func(p *data.Professional)
			code  string
		}{
			{"changed since read", 280, func(p *data.Professional) { p.UpdatedAt = p.UpdatedAt.Add(-time.Second) }, data.ECONFLICT},
			{"unknown", 10, func(p *data.Professional) { p.ID = unknownIDs[0] }, data.ENOTFOUND},
			{"agrément taken", 270, func(p *data.Professional) { p.AgrementNumber = ps[0].AgrementNumber }, data.ECONFLICT},
			{"invalid", 3, func(p *data.Professional) { p.Listing = "" }, data.EINVALID},
		} {
			var us []*data.Professional
			for _, p := range ps {
				u := *p
				u.Listing = data.Delisted
				us = append(us, &u)
			}
			c.spoil(us[c.at])
			n, err := s.WriteProfessionals(ctx, us)
			wantCode(t, err, c.code, "WriteProfessionals, %s", c.name)
			if n != c.at {
				t.Errorf("WriteProfessionals, %s at %d: says %d", c.name, c.at, n)
			}
			wantUntouched(t, ctx, s, was)
		}
	})

	t.Run("DeleteProfessionalSessions", func(t *testing.T) {
		s, ctx := open(t), testContext(t)
		ps := bulkCopies(bulkPlan(3))
		_, err := s.WriteProfessionals(ctx, ps)
		must(t, err, "WriteProfessionals")
		now := time.Now()
		var sessions []*data.Session
		for i, p := range ps {
			for j := range 2 {
				a := &data.Account{Email: fmt.Sprintf("am%d-%d@example.fr", i, j), Role: data.RoleChildminder,
					ProfessionalID: p.ID, CafCode: p.CafCode, PasswordHash: "x"}
				must(t, s.CreateAccount(ctx, a), "CreateAccount")
				x := &data.Session{ID: sessionID(a.Email), AccountID: a.ID, CreatedAt: now, LastSeenAt: now}
				must(t, s.CreateSession(ctx, x), "CreateSession")
				sessions = append(sessions, x)
			}
		}
		agent := newAgent("agent@caf92.example.fr", "921")
		must(t, s.CreateAccount(ctx, agent), "CreateAccount")
		must(t, s.CreateSession(ctx, &data.Session{ID: sessionID("agent"), AccountID: agent.ID, CreatedAt: now, LastSeenAt: now}), "CreateSession")
		n, err := s.DeleteProfessionalSessions(ctx, []string{ps[0].ID, ps[2].ID, unknownIDs[0]})
		must(t, err, "DeleteProfessionalSessions")
		if n != 4 {
			t.Errorf("DeleteProfessionalSessions ended %d sessions, want 4", n)
		}
		for i, x := range sessions {
			_, err := s.FindSession(ctx, x.ID)
			if i/2 == 1 {
				must(t, err, "FindSession of another professional's session")
			} else {
				wantCode(t, err, data.ENOTFOUND, "FindSession of an ended session")
			}
		}
		_, err = s.FindSession(ctx, sessionID("agent"))
		must(t, err, "FindSession of the agent's session")
		if n, err := s.DeleteProfessionalSessions(ctx, nil); err != nil || n != 0 {
			t.Errorf("DeleteProfessionalSessions of nobody: %d, %v", n, err)
		}
	})
}

// bulkPlan returns n professionals to create: childminders of Caf 921 and
// of Caf 201, and structures, some fields empty, in an order that mixes them.
func bulkPlan(n int) []*data.Professional {
	ps := make([]*data.Professional, n)
	for i := range ps {
		p := newProfessional(i)
		switch i % 5 {
		case 1:
			p.CafCode, p.Department, p.Address = "201", "2A", ajaccio
		case 2:
			p = structure("92", "921", fmt.Sprintf("Crèche n° %d", i), nanterre, data.Listed, data.HabilitationNone)
		case 3:
			p.Phone, p.Email, p.AgrementDate, p.Address.Number = "", "", data.Date{}, ""
		}
		ps[i] = p
	}
	return ps
}

// bulkCopies returns copies of ps, to be written by one store.
// writeBoth writes a copy of plan to each store in one WriteProfessionals
// call and returns each store's copy, IDs and times set.
func writeBoth(t *testing.T, ctx context.Context, plan []*data.Professional, stores ...data.CentralStore) map[data.CentralStore][]*data.Professional {
	t.Helper()
	stored := map[data.CentralStore][]*data.Professional{}
	for _, s := range stores {
		ps := bulkCopies(plan)
		_, err := s.WriteProfessionals(ctx, ps)
		must(t, err, "WriteProfessionals")
		stored[s] = ps
	}
	return stored
}

func bulkCopies(ps []*data.Professional) []*data.Professional {
	out := make([]*data.Professional, len(ps))
	for i, p := range ps {
		c := *p
		out[i] = &c
	}
	return out
}

// storeState is what a failed bulk write must leave as it was: every
// fiche and every Caf's change log.
type storeState struct {
	professionals []*data.Professional
	changes       map[string][]data.Change
}

// snapshot reads the state of a store.
func snapshot(t *testing.T, ctx context.Context, s data.CentralStore) storeState {
	t.Helper()
	list, _, err := s.FindProfessionals(ctx, data.ProfessionalFilter{})
	must(t, err, "FindProfessionals")
	st := storeState{professionals: list, changes: map[string][]data.Change{}}
	for _, caf := range []string{"921", "201"} {
		st.changes[caf], err = s.Changes(ctx, caf, "", 0, 0)
		must(t, err, "Changes")
	}
	return st
}

// wantUntouched checks that a store is as it was.
func wantUntouched(t *testing.T, ctx context.Context, s data.CentralStore, was storeState) {
	t.Helper()
	now := snapshot(t, ctx, s)
	wantEqual(t, "the professionals after a failed bulk write", was.professionals, now.professionals)
	if !reflect.DeepEqual(now.changes, was.changes) {
		t.Errorf("a failed bulk write changed the change log: %d and %d changes, want %d and %d",
			len(now.changes["921"]), len(now.changes["201"]), len(was.changes["921"]), len(was.changes["201"]))
	}
}

// wantSameWrites checks that two stores which made the same writes, one
// by one and in bulk, hold the same: each Caf's change log (sequence
// numbers, entities, tombstones, in order), the fiches and the versions of
// their fields as a pull reads them, the stamps of each field. The two
// stores' IDs differ: the change logs pair them.
func wantSameWrites(t *testing.T, ctx context.Context, single, bulk data.CentralStore, cafs []string) {
	t.Helper()
	ids := map[string]string{} // single's ID → bulk's
	for _, caf := range cafs {
		want, err := single.Changes(ctx, caf, "", 0, 0)
		must(t, err, "Changes of %s", caf)
		got, err := bulk.Changes(ctx, caf, "", 0, 0)
		must(t, err, "Changes of %s in bulk", caf)
		if len(got) != len(want) {
			t.Fatalf("Caf %s: %d changes in bulk, %d one by one", caf, len(got), len(want))
		}
		var refs, bulkRefs []data.RecordRef
		for i, w := range want {
			g := got[i]
			if id, ok := ids[w.Key]; ok && id != g.Key {
				t.Fatalf("Caf %s, change %d: %s is %s in bulk, not %s", caf, i, w.Key, g.Key, id)
			}
			ids[w.Key] = g.Key
			if g.Seq != w.Seq || g.Entity != w.Entity || g.Deleted != w.Deleted || g.ProfessionalID != g.Key || w.ProfessionalID != w.Key {
				t.Fatalf("Caf %s, change %d: %+v in bulk, %+v one by one", caf, i, g, w)
			}
			if !w.Deleted {
				refs = append(refs, data.RecordRef{Entity: w.Entity, Key: w.Key})
				bulkRefs = append(bulkRefs, data.RecordRef{Entity: g.Entity, Key: g.Key})
			}
		}
		// What a pull of the whole log reads.
		wantRecs, err := single.ReadRecords(ctx, refs)
		must(t, err, "ReadRecords")
		gotRecs, err := bulk.ReadRecords(ctx, bulkRefs)
		must(t, err, "ReadRecords in bulk")
		for i, ref := range refs {
			bref := bulkRefs[i]
			w, g := *wantRecs.Professionals[ref.Key], *gotRecs.Professionals[bref.Key]
			w.ID, w.CreatedAt, w.UpdatedAt = "", time.Time{}, time.Time{}
			g.ID, g.CreatedAt, g.UpdatedAt = "", time.Time{}, time.Time{}
			wantEqual(t, fmt.Sprintf("Caf %s, professional of change %d, in bulk", caf, i), &w, &g)
			if !reflect.DeepEqual(gotRecs.Versions[bref], wantRecs.Versions[ref]) {
				t.Errorf("Caf %s, change %d: versions %v in bulk, %v one by one", caf, i, gotRecs.Versions[bref], wantRecs.Versions[ref])
			}
			ws, err := single.FieldStamps(ctx, ref.Entity, ref.Key)
			must(t, err, "FieldStamps")
			gs, err := bulk.FieldStamps(ctx, bref.Entity, bref.Key)
			must(t, err, "FieldStamps in bulk")
			if !reflect.DeepEqual(gs, ws) {
				t.Errorf("Caf %s, change %d: stamps %v in bulk, %v one by one", caf, i, gs, ws)
			}
		}
	}
}
