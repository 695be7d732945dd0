package storetest

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"espacepro/data"
)

// newAgent returns a Caf agent's account.
func newAgent(email, caf string) *data.Account {
	return &data.Account{
		Email:        email,
		Role:         data.RoleAgent,
		CafCode:      caf,
		FirstName:    "Françoise",
		LastName:     "Lemaître",
		PasswordHash: "$argon2id$v=19$m=65536,t=3,p=4$c2FsdHNhbHRzYWx0$aGFzaGhhc2hoYXNoaGFzaGhhc2hoYXNoaGFzaA",
	}
}

// testAccounts runs the account subtests of the central store.
func testAccounts(t *testing.T, open func(t *testing.T) data.CentralStore) {
	t.Run("CreateAndFind", func(t *testing.T) {
		s, ctx := open(t), testContext(t)
		p := newProfessional(1)
		must(t, s.CreateProfessional(ctx, p), "CreateProfessional")
		before := time.Now().Add(-time.Second)
		a := &data.Account{
			Email:             "helene.dupont@example.fr",
			Role:              data.RoleChildminder,
			ProfessionalID:    p.ID,
			CafCode:           "921",
			FirstName:         "Hélène",
			LastName:          "N'Diaye-Œillet",
			PasswordHash:      "$2a$10$abcdefghijklmnopqrstuuJ2Yb1m0g6kS0n4m3aY3cQ1hN8m3ZkOe",
			PasswordGenerated: true,
			PasswordExpiresAt: time.Date(2026, time.March, 5, 18, 30, 15, 987654321, paris),
		}
		must(t, s.CreateAccount(ctx, a), "CreateAccount")
		if a.ID == "" {
			t.Fatal("CreateAccount left ID empty")
		}
		if a.CreatedAt.Before(before) || a.UpdatedAt.Before(a.CreatedAt) {
			t.Errorf("CreateAccount set CreatedAt %s, UpdatedAt %s", showTime(a.CreatedAt), showTime(a.UpdatedAt))
		}
		got, err := s.FindAccountByID(ctx, a.ID)
		must(t, err, "FindAccountByID")
		wantEqual(t, "account found by ID", a, got)
		if !got.LockedUntil.IsZero() || !got.LastLoginAt.IsZero() {
			t.Errorf("unset times came back as LockedUntil %s, LastLoginAt %s", showTime(got.LockedUntil), showTime(got.LastLoginAt))
		}
		got, err = s.FindAccountByEmail(ctx, "helene.dupont@example.fr")
		must(t, err, "FindAccountByEmail")
		wantEqual(t, "account found by e-mail", a, got)

		agent := newAgent("agent.boulogne@caf92.example.fr", "921")
		must(t, s.CreateAccount(ctx, agent), "CreateAccount agent")
		got, err = s.FindAccountByEmail(ctx, agent.Email)
		must(t, err, "FindAccountByEmail agent")
		wantEqual(t, "agent found by e-mail", agent, got)

		for _, id := range unknownIDs {
			a, err := s.FindAccountByID(ctx, id)
			wantCode(t, err, data.ENOTFOUND, "FindAccountByID(%q)", id)
			if a != nil {
				t.Errorf("FindAccountByID(%q) returned %+v with its error", id, a)
			}
		}
		_, err = s.FindAccountByEmail(ctx, "personne@example.fr")
		wantCode(t, err, data.ENOTFOUND, "FindAccountByEmail of an unknown address")
		_, err = s.FindAccountByEmail(ctx, "helene.dupont@example")
		wantCode(t, err, data.ENOTFOUND, "FindAccountByEmail of a prefix of an address")
	})

	t.Run("DuplicateEmailConflicts", func(t *testing.T) {
		s, ctx := open(t), testContext(t)
		a := newAgent("agent@caf92.example.fr", "921")
		must(t, s.CreateAccount(ctx, a), "CreateAccount")
		b := newAgent("agent@caf92.example.fr", "641")
		b.FirstName = "Autre"
		wantCode(t, s.CreateAccount(ctx, b), data.ECONFLICT, "CreateAccount with an e-mail already used")
		list, total, err := s.FindAccounts(ctx, data.AccountFilter{})
		must(t, err, "FindAccounts")
		if total != 1 || len(list) != 1 {
			t.Fatalf("after a refused create: %d accounts (total %d), want 1", len(list), total)
		}
		wantEqual(t, "first account after the refused create", a, list[0])

		c := newAgent("autre.agent@caf92.example.fr", "921")
		must(t, s.CreateAccount(ctx, c), "CreateAccount another")
		stored := *c
		c.Email = a.Email
		wantCode(t, s.UpdateAccount(ctx, c), data.ECONFLICT, "UpdateAccount to an e-mail already used")
		got, err := s.FindAccountByID(ctx, c.ID)
		must(t, err, "FindAccountByID")
		wantEqual(t, "account after the refused update", &stored, got)
	})

	t.Run("Update", func(t *testing.T) {
		s, ctx := open(t), testContext(t)
		a := newAgent("agent@caf92.example.fr", "921")
		must(t, s.CreateAccount(ctx, a), "CreateAccount")
		other := newAgent("autre@caf92.example.fr", "921")
		must(t, s.CreateAccount(ctx, other), "CreateAccount other")
		created := *a
		time.Sleep(5 * time.Millisecond)

		a.Email, a.CafCode, a.FirstName, a.LastName = "agent.nouveau@caf64.example.fr", "641", "Zoé", "D'Artagnan"
		a.PasswordHash = "$argon2id$v=19$m=65536,t=3,p=4$bm91dmVhdXNlbA$bm91dmVhdWhhc2hub3V2ZWF1aGFzaG5vdXZlYXU"
		a.PasswordGenerated = true
		a.PasswordExpiresAt = time.Date(2026, time.March, 2, 10, 4, 5, 123456789, paris)
		a.Disabled = true
		a.FailedLogins = 5
		a.LockedUntil = time.Date(2026, time.March, 1, 23, 59, 59, 999999999, time.UTC)
		a.LastLoginAt = time.Date(2026, time.February, 28, 8, 0, 0, 1000000, paris)
		a.CreatedAt = time.Time{}
		must(t, s.UpdateAccount(ctx, a), "UpdateAccount")
		got, err := s.FindAccountByID(ctx, a.ID)
		must(t, err, "FindAccountByID")
		if !sameInstant(got.CreatedAt, created.CreatedAt) {
			t.Errorf("UpdateAccount changed CreatedAt from %s to %s", showTime(created.CreatedAt), showTime(got.CreatedAt))
		}
		if !got.UpdatedAt.Truncate(time.Millisecond).After(created.UpdatedAt.Truncate(time.Millisecond)) {
			t.Errorf("UpdateAccount did not move UpdatedAt forward: was %s, now %s", showTime(created.UpdatedAt), showTime(got.UpdatedAt))
		}
		if !sameInstant(a.UpdatedAt, got.UpdatedAt) {
			t.Errorf("UpdateAccount set UpdatedAt %s on its argument but stored %s", showTime(a.UpdatedAt), showTime(got.UpdatedAt))
		}
		want := *a
		want.CreatedAt, want.UpdatedAt = got.CreatedAt, got.UpdatedAt
		wantEqual(t, "updated account", &want, got)
		_, err = s.FindAccountByEmail(ctx, "agent@caf92.example.fr")
		wantCode(t, err, data.ENOTFOUND, "FindAccountByEmail of the old address")
		got, err = s.FindAccountByEmail(ctx, a.Email)
		must(t, err, "FindAccountByEmail of the new address")
		wantEqual(t, "account found by its new address", &want, got)

		// Times back to zero, flags back to false.
		a.PasswordGenerated, a.PasswordExpiresAt, a.Disabled = false, time.Time{}, false
		a.FailedLogins, a.LockedUntil, a.LastLoginAt = 0, time.Time{}, time.Time{}
		must(t, s.UpdateAccount(ctx, a), "UpdateAccount back to zero")
		got, err = s.FindAccountByID(ctx, a.ID)
		must(t, err, "FindAccountByID")
		want = *a
		want.CreatedAt = got.CreatedAt
		wantEqual(t, "account with zero times", &want, got)

		unchanged, err := s.FindAccountByID(ctx, other.ID)
		must(t, err, "FindAccountByID other")
		wantEqual(t, "other account", other, unchanged)

		for _, id := range unknownIDs {
			u := newAgent("inconnu@caf92.example.fr", "921")
			u.ID = id
			wantCode(t, s.UpdateAccount(ctx, u), data.ENOTFOUND, "UpdateAccount(%q)", id)
		}
	})

	t.Run("FindAccounts", func(t *testing.T) {
		s, ctx := open(t), testContext(t)
		p := newProfessional(1)
		must(t, s.CreateProfessional(ctx, p), "CreateProfessional")
		am := &data.Account{Email: "helene.dupont@example.fr", Role: data.RoleChildminder, ProfessionalID: p.ID, CafCode: "921", FirstName: "Hélène", LastName: "Dupont"}
		boulogne := newAgent("agent.boulogne@caf92.example.fr", "921")
		pau := newAgent("agent.pau@caf64.example.fr", "641")
		admin := &data.Account{Email: "admin@cnaf.example.fr", Role: data.RoleAdmin, FirstName: "Louis", LastName: "Martin"}
		for _, a := range []*data.Account{pau, am, admin, boulogne} {
			must(t, s.CreateAccount(ctx, a), "CreateAccount %s", a.Email)
		}
		cases := []struct {
			name  string
			f     data.AccountFilter
			want  []*data.Account
			total int
		}{
			{"NoFilter", data.AccountFilter{}, []*data.Account{admin, boulogne, pau, am}, 4},
			{"CafCode921", data.AccountFilter{CafCode: "921"}, []*data.Account{boulogne, am}, 2},
			{"CafCode641", data.AccountFilter{CafCode: "641"}, []*data.Account{pau}, 1},
			{"RoleAgent", data.AccountFilter{Role: data.RoleAgent}, []*data.Account{boulogne, pau}, 2},
			{"RoleChildminder", data.AccountFilter{Role: data.RoleChildminder}, []*data.Account{am}, 1},
			{"RoleStructure", data.AccountFilter{Role: data.RoleStructure}, nil, 0},
			{"RoleAgentCaf921", data.AccountFilter{Role: data.RoleAgent, CafCode: "921"}, []*data.Account{boulogne}, 1},
			{"Page1", data.AccountFilter{Limit: 3}, []*data.Account{admin, boulogne, pau}, 4},
			{"Page2", data.AccountFilter{Offset: 3, Limit: 3}, []*data.Account{am}, 4},
			{"OffsetWithoutLimit", data.AccountFilter{Offset: 1}, []*data.Account{boulogne, pau, am}, 4},
		}
		for _, c := range cases {
			list, total, err := s.FindAccounts(ctx, c.f)
			if err != nil {
				t.Errorf("%s: FindAccounts(%+v): %v", c.name, c.f, err)
				continue
			}
			same := len(list) == len(c.want)
			for i := 0; same && i < len(list); i++ {
				same = list[i].ID == c.want[i].ID
			}
			if !same || total != c.total {
				t.Errorf("%s: got %s (total %d), want %s (total %d)", c.name, accountEmails(list), total, accountEmails(c.want), c.total)
			}
		}
		list, _, err := s.FindAccounts(ctx, data.AccountFilter{})
		must(t, err, "FindAccounts")
		if want := []*data.Account{admin, boulogne, pau, am}; len(list) == len(want) {
			for i := range want {
				wantEqual(t, fmt.Sprintf("FindAccounts item %d", i), want[i], list[i])
			}
		}
	})
}

func accountEmails(list []*data.Account) string {
	emails := make([]string, len(list))
	for i, a := range list {
		emails[i] = a.Email
	}
	return "[" + strings.Join(emails, ", ") + "]"
}

// testSessions runs the session subtests of the central store.
func testSessions(t *testing.T, open func(t *testing.T) data.CentralStore) {
	setup := func(t *testing.T) (data.CentralStore, *data.Account, *data.Account) {
		s, ctx := open(t), testContext(t)
		a, b := newAgent("a@caf92.example.fr", "921"), newAgent("b@caf92.example.fr", "921")
		must(t, s.CreateAccount(ctx, a), "CreateAccount")
		must(t, s.CreateAccount(ctx, b), "CreateAccount")
		return s, a, b
	}
	t0 := time.Date(2026, time.March, 2, 9, 0, 0, 0, paris)

	t.Run("CreateFindTouchDelete", func(t *testing.T) {
		s, a, _ := setup(t)
		ctx := testContext(t)
		x := &data.Session{ID: sessionID("jeton-x"), AccountID: a.ID, CreatedAt: t0, LastSeenAt: t0.Add(2 * time.Minute)}
		y := &data.Session{ID: sessionID("jeton-y"), AccountID: a.ID, CreatedAt: t0.Add(time.Hour), LastSeenAt: t0.Add(time.Hour)}
		must(t, s.CreateSession(ctx, x), "CreateSession x")
		must(t, s.CreateSession(ctx, y), "CreateSession y")
		got, err := s.FindSession(ctx, x.ID)
		must(t, err, "FindSession")
		wantEqual(t, "session", x, got)
		_, err = s.FindSession(ctx, sessionID("jeton-inconnu"))
		wantCode(t, err, data.ENOTFOUND, "FindSession of an unknown session")

		seen := t0.Add(17*time.Minute + 250*time.Millisecond)
		must(t, s.TouchSession(ctx, x.ID, seen), "TouchSession")
		got, err = s.FindSession(ctx, x.ID)
		must(t, err, "FindSession after TouchSession")
		want := *x
		want.LastSeenAt = seen
		wantEqual(t, "touched session", &want, got)
		got, err = s.FindSession(ctx, y.ID)
		must(t, err, "FindSession y")
		wantEqual(t, "untouched session", y, got)

		must(t, s.DeleteSession(ctx, x.ID), "DeleteSession")
		_, err = s.FindSession(ctx, x.ID)
		wantCode(t, err, data.ENOTFOUND, "FindSession of a deleted session")
		must(t, s.DeleteSession(ctx, x.ID), "DeleteSession of a session already gone")
		_, err = s.FindSession(ctx, y.ID)
		must(t, err, "FindSession of the other session after DeleteSession")
	})

	t.Run("DeleteAccountSessions", func(t *testing.T) {
		s, a, b := setup(t)
		ctx := testContext(t)
		for i := range 3 {
			must(t, s.CreateSession(ctx, &data.Session{ID: sessionID(fmt.Sprint("a", i)), AccountID: a.ID, CreatedAt: t0, LastSeenAt: t0}), "CreateSession")
		}
		kept := &data.Session{ID: sessionID("b0"), AccountID: b.ID, CreatedAt: t0, LastSeenAt: t0}
		must(t, s.CreateSession(ctx, kept), "CreateSession")
		n, err := s.DeleteAccountSessions(ctx, a.ID)
		must(t, err, "DeleteAccountSessions")
		if n != 3 {
			t.Errorf("DeleteAccountSessions returned %d, want 3", n)
		}
		for i := range 3 {
			_, err := s.FindSession(ctx, sessionID(fmt.Sprint("a", i)))
			wantCode(t, err, data.ENOTFOUND, "FindSession of a deleted account session")
		}
		got, err := s.FindSession(ctx, kept.ID)
		must(t, err, "FindSession of another account's session")
		wantEqual(t, "another account's session", kept, got)
		n, err = s.DeleteAccountSessions(ctx, a.ID)
		must(t, err, "DeleteAccountSessions again")
		if n != 0 {
			t.Errorf("DeleteAccountSessions with no session left returned %d, want 0", n)
		}
	})

	t.Run("DeleteExpiredSessions", func(t *testing.T) {
		s, a, b := setup(t)
		ctx := testContext(t)
		now := t0.Add(24 * time.Hour)
		cases := []struct {
			name              string
			created, lastSeen time.Duration // before now
		}{
			{"fresh", time.Hour, 5 * time.Minute},
			{"idle just under 30 min", time.Hour, 29*time.Minute + 59*time.Second},
			{"idle 30 min exactly", time.Hour, 30 * time.Minute},
			{"idle 2 h", 3 * time.Hour, 2 * time.Hour},
			{"just under 12 h old", 11*time.Hour + 59*time.Minute, time.Minute},
			{"12 h old exactly, used now", 12 * time.Hour, 0},
			{"13 h old, used a minute ago", 13 * time.Hour, time.Minute},
		}
		want := map[string]bool{}
		var wantDeleted int
		for i, c := range cases {
			owner := a
			if i%2 == 1 {
				owner = b
			}
			x := &data.Session{ID: sessionID(c.name), AccountID: owner.ID, CreatedAt: now.Add(-c.created), LastSeenAt: now.Add(-c.lastSeen)}
			must(t, s.CreateSession(ctx, x), "CreateSession %s", c.name)
			want[c.name] = x.Expired(now)
			if x.Expired(now) {
				wantDeleted++
			}
		}
		if wantDeleted != 4 {
			t.Fatalf("the suite's cases give %d expired sessions by data.Session.Expired, expected 4", wantDeleted)
		}
		n, err := s.DeleteExpiredSessions(ctx, now)
		must(t, err, "DeleteExpiredSessions")
		if n != wantDeleted {
			t.Errorf("DeleteExpiredSessions returned %d, want %d", n, wantDeleted)
		}
		for _, c := range cases {
			_, err := s.FindSession(ctx, sessionID(c.name))
			if want[c.name] {
				wantCode(t, err, data.ENOTFOUND, "FindSession of expired session %q", c.name)
			} else if err != nil {
				t.Errorf("FindSession of live session %q: %v", c.name, err)
			}
		}
		n, err = s.DeleteExpiredSessions(ctx, now)
		must(t, err, "DeleteExpiredSessions again")
		if n != 0 {
			t.Errorf("DeleteExpiredSessions with nothing expired returned %d, want 0", n)
		}
	})
}
