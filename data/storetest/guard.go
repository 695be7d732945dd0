package storetest

import (
	"testing"

	"espacepro/data"
)

// testGuardedUpdates checks optimistic locking: an update made from a copy
// read before another update is refused with ECONFLICT and changes nothing.
func testGuardedUpdates(t *testing.T, open func(t *testing.T) data.CentralStore) {
	t.Run("Professional", func(t *testing.T) {
		s, ctx := open(t), testContext(t)
		p := newProfessional(1)
		must(t, s.CreateProfessional(ctx, p), "CreateProfessional")
		a, b := *p, *p
		a.Phone = "0711111111"
		must(t, s.UpdateProfessional(ctx, &a), "first update")
		b.Phone = "0722222222"
		wantCode(t, s.UpdateProfessional(ctx, &b), data.ECONFLICT, "update from a stale copy")
		got, err := s.FindProfessionalByID(ctx, p.ID)
		must(t, err, "FindProfessionalByID")
		if got.Phone != "0711111111" {
			t.Fatalf("the stale update overwrote the first: phone %s", got.Phone)
		}
		must(t, s.UpdateProfessional(ctx, &a), "a second update from the fresh copy")
	})
	t.Run("Account", func(t *testing.T) {
		s, ctx := open(t), testContext(t)
		acc := newAgent("a@caf92.example.fr", "921")
		must(t, s.CreateAccount(ctx, acc), "CreateAccount")
		a, b := *acc, *acc
		a.PasswordHash = "nouveau"
		must(t, s.UpdateAccount(ctx, &a), "password change")
		b.FirstName = "Autre"
		wantCode(t, s.UpdateAccount(ctx, &b), data.ECONFLICT, "update from a copy read before the password change")
		got, err := s.FindAccountByID(ctx, acc.ID)
		must(t, err, "FindAccountByID")
		if got.PasswordHash != "nouveau" || got.FirstName != acc.FirstName {
			t.Fatalf("stale update applied: %q %q", got.PasswordHash, got.FirstName)
		}
	})
	t.Run("Request", func(t *testing.T) {
		s, ctx := open(t), testContext(t)
		r := newRequest("92", "921", "Dupont", "Hélène", boulogne)
		must(t, s.CreateRequest(ctx, r), "CreateRequest")
		a, b := *r, *r
		a.State = data.RequestLetter
		must(t, s.UpdateRequest(ctx, &a), "first update")
		b.State = data.RequestRefused
		wantCode(t, s.UpdateRequest(ctx, &b), data.ECONFLICT, "update from a stale copy")
	})
}
