package storetest

import (
	"context"
	"fmt"
	"testing"
	"time"

	"espacepro/data"
)

// BenchCentral runs the benchmarks of the hot operations (b.Run
// sub-benchmarks): saving a week, reading an availability, a Caf agent's
// search, a login's session and an audit line. open returns a fresh, empty,
// migrated store for each call; it registers its own cleanup with b.Cleanup.
func BenchCentral(b *testing.B, open func(b *testing.B) data.CentralStore) {
	b.Run("SaveWeek", func(b *testing.B) {
		s, ctx := open(b), b.Context()
		ids := seedProfessionals(b, s, ctx, 1000, func(i int) *data.Professional { return newProfessional(i) })
		b.ReportAllocs()
		i := 0
		for b.Loop() {
			a := &data.Availability{
				ProfessionalID: ids[i%len(ids)],
				Global:         data.ColourGreen,
				Weeks:          []data.Week{{Monday: monday1.AddDays(7 * (i % data.WeekTabs)), Use: true, Grid: sampleGrid(i), Places: data.PlacesOf(i % 5)}},
			}
			if err := s.SaveAvailability(ctx, a); err != nil {
				b.Fatalf("SaveAvailability: %v", err)
			}
			i++
		}
	})

	b.Run("FindAvailability", func(b *testing.B) {
		s, ctx := open(b), b.Context()
		ids := seedProfessionals(b, s, ctx, 1000, func(i int) *data.Professional { return newProfessional(i) })
		err := s.InTx(ctx, func(ctx context.Context) error {
			for i, id := range ids {
				a := fullAvailability(id)
				a.Weeks = append(a.Weeks,
					data.Week{Monday: monday3, Use: true, Grid: sampleGrid(i), Places: data.PlacesOf(2)},
					data.Week{Monday: monday3.AddDays(7), Use: true, Grid: sampleGrid(i + 1)})
				if err := s.SaveAvailability(ctx, a); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			b.Fatalf("seeding availability: %v", err)
		}
		b.ReportAllocs()
		i := 0
		for b.Loop() {
			a, err := s.FindAvailability(ctx, ids[i%len(ids)])
			if err != nil {
				b.Fatalf("FindAvailability: %v", err)
			}
			if len(a.Weeks) != 4 {
				b.Fatalf("FindAvailability returned %d weeks, want 4", len(a.Weeks))
			}
			i++
		}
	})

	b.Run("FindProfessionalsByCaf", func(b *testing.B) {
		s, ctx := open(b), b.Context()
		seedProfessionals(b, s, ctx, 5000, func(i int) *data.Professional { return newProfessional(i) })
		// Another Caf's childminders, which the filter must skip.
		seedProfessionals(b, s, ctx, 1000, func(i int) *data.Professional {
			p := newProfessional(10000 + i)
			p.Department, p.CafCode, p.AgrementNumber, p.Address = "64", "641", fmt.Sprintf("64-%06d", i), pau
			return p
		})
		f := data.ProfessionalFilter{CafCode: "921", Name: "mar", Limit: 50}
		list, total, err := s.FindProfessionals(ctx, f)
		if err != nil || len(list) != 50 || total <= 50 {
			b.Fatalf("FindProfessionals(%+v) returned %d professionals of %d (error %v): the seed is wrong", f, len(list), total, err)
		}
		b.ReportAllocs()
		i := 0
		for b.Loop() {
			f.Offset = 50 * (i % 4)
			if _, _, err := s.FindProfessionals(ctx, f); err != nil {
				b.Fatalf("FindProfessionals: %v", err)
			}
			i++
		}
	})

	b.Run("CreateSession+FindSession", func(b *testing.B) {
		s, ctx := open(b), b.Context()
		a := newAgent("agent@caf92.example.fr", "921")
		if err := s.CreateAccount(ctx, a); err != nil {
			b.Fatalf("CreateAccount: %v", err)
		}
		now := time.Now()
		b.ReportAllocs()
		i := 0
		for b.Loop() {
			x := &data.Session{ID: sessionID(fmt.Sprint("jeton-", i)), AccountID: a.ID, CreatedAt: now, LastSeenAt: now}
			if err := s.CreateSession(ctx, x); err != nil {
				b.Fatalf("CreateSession: %v", err)
			}
			if _, err := s.FindSession(ctx, x.ID); err != nil {
				b.Fatalf("FindSession: %v", err)
			}
			i++
		}
	})

	b.Run("AppendAudit", func(b *testing.B) {
		s, ctx := open(b), b.Context()
		b.ReportAllocs()
		i := 0
		for b.Loop() {
			e := &data.AuditEntry{ActorID: "agent-1", ActorName: "agent@caf92.example.fr", CafCode: "921", Action: "request.letter", TargetKind: "request", TargetID: fmt.Sprint("demande-", i), Detail: "Courrier envoyé par courriel."}
			if err := s.AppendAudit(ctx, e); err != nil {
				b.Fatalf("AppendAudit: %v", err)
			}
			i++
		}
	})
}

// seedProfessionals creates n professionals made by newP, in one
// transaction, and returns their IDs.
func seedProfessionals(b *testing.B, s data.CentralStore, ctx context.Context, n int, newP func(i int) *data.Professional) []string {
	b.Helper()
	ids := make([]string, 0, n)
	err := s.InTx(ctx, func(ctx context.Context) error {
		for i := range n {
			p := newP(i)
			if err := s.CreateProfessional(ctx, p); err != nil {
				return fmt.Errorf("professional %d: %w", i, err)
			}
			ids = append(ids, p.ID)
		}
		return nil
	})
	if err != nil {
		b.Fatalf("seeding %d professionals: %v", n, err)
	}
	return ids
}
