package storetest

import (
	"bytes"
	"testing"
	"time"

	"espacepro/data"
)

// testAuth runs the subtests of one-time codes, captchas, the per-address
// login throttle and restricted sessions.
func testAuth(t *testing.T, open func(t *testing.T) data.CentralStore) {
	t0 := time.Date(2026, time.March, 2, 9, 0, 0, 0, paris)

	t.Run("CodeWorksOnce", func(t *testing.T) {
		s, ctx := open(t), testContext(t)
		a := newAgent("a@caf92.example.fr", "921")
		must(t, s.CreateAccount(ctx, a), "CreateAccount")
		c := &data.OneTimeCode{Hash: sessionID("code-1"), AccountID: a.ID, Purpose: data.CodePasswordReset,
			CreatedAt: t0, ExpiresAt: t0.Add(30 * time.Minute)}
		must(t, s.CreateCode(ctx, c), "CreateCode")
		_, err := s.UseCode(ctx, c.Hash, data.CodeAgentWelcome, t0.Add(time.Minute))
		wantCode(t, err, data.ENOTFOUND, "UseCode for another purpose")
		got, err := s.UseCode(ctx, c.Hash, data.CodePasswordReset, t0.Add(time.Minute))
		must(t, err, "UseCode")
		wantEqual(t, "code", c, got)
		_, err = s.UseCode(ctx, c.Hash, data.CodePasswordReset, t0.Add(2*time.Minute))
		wantCode(t, err, data.ENOTFOUND, "UseCode a second time")
	})

	t.Run("CodeExpires", func(t *testing.T) {
		s, ctx := open(t), testContext(t)
		a := newAgent("a@caf92.example.fr", "921")
		must(t, s.CreateAccount(ctx, a), "CreateAccount")
		c := &data.OneTimeCode{Hash: sessionID("code-1"), AccountID: a.ID, Purpose: data.CodePasswordReset,
			CreatedAt: t0, ExpiresAt: t0.Add(30 * time.Minute)}
		must(t, s.CreateCode(ctx, c), "CreateCode")
		_, err := s.UseCode(ctx, c.Hash, data.CodePasswordReset, t0.Add(30*time.Minute))
		wantCode(t, err, data.ENOTFOUND, "UseCode at its expiry")
	})

	t.Run("NewCodeReplacesOld", func(t *testing.T) {
		s, ctx := open(t), testContext(t)
		a, b := newAgent("a@caf92.example.fr", "921"), newAgent("b@caf92.example.fr", "921")
		must(t, s.CreateAccount(ctx, a), "CreateAccount a")
		must(t, s.CreateAccount(ctx, b), "CreateAccount b")
		code := func(name, account string, p data.CodePurpose) *data.OneTimeCode {
			return &data.OneTimeCode{Hash: sessionID(name), AccountID: account, Purpose: p,
				CreatedAt: t0, ExpiresAt: t0.Add(time.Hour)}
		}
		for _, c := range []*data.OneTimeCode{code("a-old", a.ID, data.CodePasswordReset),
			code("a-welcome", a.ID, data.CodeAgentWelcome), code("b", b.ID, data.CodePasswordReset),
			code("a-new", a.ID, data.CodePasswordReset)} {
			must(t, s.CreateCode(ctx, c), "CreateCode %s", c.Hash)
		}
		now := t0.Add(time.Minute)
		_, err := s.UseCode(ctx, sessionID("a-old"), data.CodePasswordReset, now)
		wantCode(t, err, data.ENOTFOUND, "the replaced code")
		for _, name := range []string{"a-new", "b"} {
			_, err := s.UseCode(ctx, sessionID(name), data.CodePasswordReset, now)
			must(t, err, "UseCode %s", name)
		}
		_, err = s.UseCode(ctx, sessionID("a-welcome"), data.CodeAgentWelcome, now)
		must(t, err, "a code of another purpose survives")
	})

	t.Run("Captcha", func(t *testing.T) {
		s, ctx := open(t), testContext(t)
		digits := []byte{0, 4, 9, 1, 7, 3}
		must(t, s.SaveCaptcha(ctx, "c1", digits, t0.Add(10*time.Minute)), "SaveCaptcha")
		must(t, s.SaveCaptcha(ctx, "c2", []byte{1, 2}, t0.Add(time.Minute)), "SaveCaptcha c2")
		got, err := s.FindCaptcha(ctx, "c1", t0)
		must(t, err, "FindCaptcha")
		if !bytes.Equal(got, digits) {
			t.Fatalf("captcha digits %v, want %v", got, digits)
		}
		_, err = s.FindCaptcha(ctx, "c1", t0.Add(10*time.Minute))
		wantCode(t, err, data.ENOTFOUND, "FindCaptcha once expired")
		n, err := s.DeleteExpiredCaptchas(ctx, t0.Add(2*time.Minute))
		must(t, err, "DeleteExpiredCaptchas")
		if n != 1 {
			t.Errorf("DeleteExpiredCaptchas removed %d, want 1", n)
		}
		got, err = s.TakeCaptcha(ctx, "c1", t0)
		must(t, err, "TakeCaptcha")
		if !bytes.Equal(got, digits) {
			t.Fatalf("taken captcha digits %v, want %v", got, digits)
		}
		_, err = s.FindCaptcha(ctx, "c1", t0)
		wantCode(t, err, data.ENOTFOUND, "FindCaptcha after take")
		_, err = s.TakeCaptcha(ctx, "c1", t0)
		wantCode(t, err, data.ENOTFOUND, "TakeCaptcha twice")
		must(t, s.SaveCaptcha(ctx, "c3", digits, t0.Add(time.Minute)), "SaveCaptcha c3")
		_, err = s.TakeCaptcha(ctx, "c3", t0.Add(time.Minute))
		wantCode(t, err, data.ENOTFOUND, "TakeCaptcha once expired")
		_, err = s.FindCaptcha(ctx, "c3", t0)
		wantCode(t, err, data.ENOTFOUND, "an expired captcha taken is gone too")
	})

	t.Run("LoginThrottle", func(t *testing.T) {
		s, ctx := open(t), testContext(t)
		const window = 15 * time.Minute
		for i := 1; i <= 3; i++ {
			n, err := s.RecordLoginFailure(ctx, "192.0.2.1", t0.Add(time.Duration(i)*time.Minute), window)
			must(t, err, "RecordLoginFailure")
			if n != i {
				t.Fatalf("failure %d counted as %d", i, n)
			}
		}
		n, err := s.LoginFailures(ctx, "192.0.2.1", t0.Add(5*time.Minute), window)
		must(t, err, "LoginFailures")
		if n != 3 {
			t.Errorf("LoginFailures = %d, want 3", n)
		}
		if n, _ := s.LoginFailures(ctx, "192.0.2.2", t0, window); n != 0 {
			t.Errorf("another address has %d failures", n)
		}
		// The window started at the first failure (t0+1m); once over, counting restarts.
		later := t0.Add(time.Minute + window)
		if n, _ := s.LoginFailures(ctx, "192.0.2.1", later, window); n != 0 {
			t.Errorf("failures of a window that is over: %d", n)
		}
		n, err = s.RecordLoginFailure(ctx, "192.0.2.1", later, window)
		must(t, err, "RecordLoginFailure in a new window")
		if n != 1 {
			t.Errorf("first failure of a new window counted as %d", n)
		}
	})

	t.Run("RestrictedSession", func(t *testing.T) {
		s, ctx := open(t), testContext(t)
		a := newAgent("a@caf92.example.fr", "921")
		must(t, s.CreateAccount(ctx, a), "CreateAccount")
		x := &data.Session{ID: sessionID("r"), AccountID: a.ID, CreatedAt: t0, LastSeenAt: t0, Restricted: true}
		must(t, s.CreateSession(ctx, x), "CreateSession")
		got, err := s.FindSession(ctx, x.ID)
		must(t, err, "FindSession")
		wantEqual(t, "restricted session", x, got)
	})
}
