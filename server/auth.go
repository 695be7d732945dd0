package server

import (
	"context"
	"fmt"
	"time"

	"espacepro/data"
	"espacepro/server/mail"
	"espacepro/server/password"
)

// LoginResult is what a successful login gives.
type LoginResult struct {
	Token        string // the bearer token: returned once, stored only hashed
	Account      *data.Account
	Professional *data.Professional // for a childminder or a structure
	// MustChangePassword: the password was generated; the session only lets
	// its owner set a new one.
	MustChangePassword bool
}

func badCredentials() error {
	return data.Errorf(data.EUNAUTHORIZED, "Adresse électronique ou mot de passe incorrect.")
}

func tooManyFailures(until time.Duration) error {
	minutes := int(until.Minutes() + 0.999)
	if minutes < 1 {
		minutes = 1
	}
	return data.Errorf(data.ERATELIMIT, "Trop de tentatives de connexion échouées : par sécurité, la connexion est bloquée pendant %d minute(s). Réessayez plus tard ou utilisez « Mot de passe oublié ? ».", minutes)
}

// throttleKey names the counters of failed logins: one per e-mail address,
// whether an account has it or not (so that a lock says nothing about the
// account's existence), and one per client address.
func accountKey(email string) string { return "email:" + password.HashToken(email) }
func addressKey(addr string) string  { return "addr:" + addr }

// Login checks an e-mail and password given from client address addr and
// opens a session. Every refusal of a wrong pair has the same message,
// whether the address has an account or not.
func (s *Service) Login(ctx context.Context, email, pass, addr string) (*LoginResult, error) {
	email = data.NormalizeEmail(email)
	if email == "" || pass == "" {
		f := data.FieldErrors{}
		if email == "" {
			f.Add("email", "Indiquez votre adresse électronique.")
		}
		if pass == "" {
			f.Add("password", "Indiquez votre mot de passe.")
		}
		return nil, f.Err()
	}
	now := s.now()
	if err := s.checkThrottle(ctx, email, addr, now); err != nil {
		return nil, err
	}
	acc, err := s.store.FindAccountByEmail(ctx, email)
	if data.ErrorCode(err) == data.ENOTFOUND {
		password.DummyVerify(pass)
		return nil, s.loginFailed(ctx, email, addr, now)
	} else if err != nil {
		return nil, err
	}
	ok := false
	if acc.PasswordHash != "" {
		if ok, _, err = password.Verify(pass, acc.PasswordHash); err != nil {
			return nil, fmt.Errorf("login: %w", err)
		}
	} else {
		password.DummyVerify(pass)
	}
	if !ok || acc.Disabled {
		return nil, s.loginFailed(ctx, email, addr, now)
	}
	if acc.PasswordGenerated && !acc.PasswordExpiresAt.IsZero() && !now.Before(acc.PasswordExpiresAt) {
		return nil, data.Errorf(data.EUNAUTHORIZED, "Votre mot de passe provisoire a expiré : utilisez « Mot de passe oublié ? » pour en recevoir un nouveau.")
	}
	res := &LoginResult{Account: acc, MustChangePassword: acc.PasswordGenerated}
	if acc.Role.IsProfessional() {
		p, err := s.store.FindProfessionalByID(ctx, acc.ProfessionalID)
		if err != nil {
			return nil, err
		}
		if err := p.CanLogIn(); err != nil {
			return nil, err
		}
		res.Professional = p
	}
	// Open the session and record the login on the account as it is now,
	// not as it was read before the slow password check: a password changed
	// meanwhile must neither be written back over nor let this login in.
	// Two logins of one account at once (two computers) both update it:
	// the one whose guarded update loses reads the account again.
	err = retryConflict(10, func() error {
		return s.store.InTx(ctx, func(ctx context.Context) error {
			fresh, err := s.store.FindAccountByID(ctx, acc.ID)
			if err != nil {
				return err
			}
			if fresh.PasswordHash != acc.PasswordHash || fresh.Disabled {
				return badCredentials()
			}
			if res.Token, err = s.openSession(ctx, fresh, fresh.PasswordGenerated); err != nil {
				return err
			}
			fresh.LastLoginAt = now
			res.Account = fresh
			return s.store.UpdateAccount(ctx, fresh)
		})
	})
	if err != nil {
		return nil, err
	}
	return res, nil
}

// checkThrottle refuses a login attempt while the e-mail address or the
// client address has failed too often in the window, and slows attempts
// down after a few failures.
func (s *Service) checkThrottle(ctx context.Context, email, addr string, now time.Time) error {
	byAddr, err := s.store.LoginFailures(ctx, addressKey(addr), now, ThrottleWindow)
	if err != nil {
		return err
	}
	if byAddr >= AddressLockAfter {
		return tooManyFailures(ThrottleWindow)
	}
	byAccount, err := s.store.LoginFailures(ctx, accountKey(email), now, ThrottleWindow)
	if err != nil {
		return err
	}
	if byAccount >= AccountLockAfter {
		return tooManyFailures(ThrottleWindow)
	}
	if byAccount >= AccountSlowAfter {
		pause := time.Duration(1<<(byAccount-AccountSlowAfter)) * time.Second
		s.Pause(ctx, min(pause, MaxPause))
	}
	return nil
}

// loginFailed counts a failure and returns the answer to give.
func (s *Service) loginFailed(ctx context.Context, email, addr string, now time.Time) error {
	if _, err := s.store.RecordLoginFailure(ctx, addressKey(addr), now, ThrottleWindow); err != nil {
		return err
	}
	n, err := s.store.RecordLoginFailure(ctx, accountKey(email), now, ThrottleWindow)
	if err != nil {
		return err
	}
	if n >= AccountLockAfter {
		return tooManyFailures(ThrottleWindow)
	}
	return badCredentials()
}

func (s *Service) openSession(ctx context.Context, acc *data.Account, restricted bool) (string, error) {
	token, hash, err := password.NewToken()
	if err != nil {
		return "", err
	}
	now := s.now()
	sess := &data.Session{ID: hash, AccountID: acc.ID, CreatedAt: now, LastSeenAt: now, Restricted: restricted}
	if err := s.store.CreateSession(ctx, sess); err != nil {
		return "", err
	}
	return token, nil
}

func sessionOver() error {
	return data.Errorf(data.EUNAUTHORIZED, "Votre session est terminée : reconnectez-vous. Ce que vous avez saisi est conservé.")
}

// Authenticate finds the caller of a bearer token, ends a session that is
// over (30 minutes idle, 12 hours in all), and checks that the account may
// still act: a professional whose habilitation ended is cut off at once.
func (s *Service) Authenticate(ctx context.Context, token string) (*Caller, error) {
	if token == "" {
		return nil, data.Errorf(data.EUNAUTHORIZED, "Connectez-vous pour accéder à cette fonction.")
	}
	sess, err := s.store.FindSession(ctx, password.HashToken(token))
	if data.ErrorCode(err) == data.ENOTFOUND {
		return nil, sessionOver()
	} else if err != nil {
		return nil, err
	}
	now := s.now()
	if sess.Expired(now) {
		if err := s.store.DeleteSession(ctx, sess.ID); err != nil {
			return nil, err
		}
		return nil, sessionOver()
	}
	acc, err := s.store.FindAccountByID(ctx, sess.AccountID)
	if err != nil {
		return nil, err
	}
	if acc.Disabled || (sess.Restricted && !acc.PasswordExpiresAt.IsZero() && !now.Before(acc.PasswordExpiresAt)) {
		return nil, sessionOver()
	}
	if acc.Role.IsProfessional() {
		p, err := s.store.FindProfessionalByID(ctx, acc.ProfessionalID)
		if err != nil {
			return nil, err
		}
		if err := p.CanLogIn(); err != nil {
			return nil, err
		}
	}
	// A busy client's calls do not each write: the last use is written
	// once it is SessionTouchEvery old (see there).
	if now.Sub(sess.LastSeenAt) >= SessionTouchEvery {
		if err := s.store.TouchSession(ctx, sess.ID, now); err != nil {
			return nil, err
		}
		sess.LastSeenAt = now
	}
	return &Caller{Account: acc, Session: sess}, nil
}

// SessionTouchEvery is how old the recorded last use of a session must be
// for a call to write it again. The idle timeout counts from the recorded
// use, which is at most this much older than the real last call: a
// session ends after between 29 and 30 minutes without a call
// (data.SessionIdle minus SessionTouchEvery, to data.SessionIdle), never
// later, as the 30-minute maximum asks; a client that calls at least once
// a minute writes its session once a minute instead of at every call.
const SessionTouchEvery = time.Minute

// Logout ends the caller's session.
func (s *Service) Logout(ctx context.Context, c *Caller) error {
	return s.store.DeleteSession(ctx, c.Session.ID)
}

// ChangePassword sets a new password after checking the current one. Every
// session of the account ends; a new one is opened and its token returned.
func (s *Service) ChangePassword(ctx context.Context, c *Caller, current, next string) (string, error) {
	acc := c.Account
	ok, _, err := password.Verify(current, acc.PasswordHash)
	if err != nil {
		return "", fmt.Errorf("change password: %w", err)
	}
	if !ok {
		return "", &data.Error{Code: data.EINVALID, Message: "Le mot de passe actuel est incorrect.",
			Fields: map[string]string{"current_password": "Le mot de passe actuel est incorrect."}}
	}
	generated := ""
	if acc.PasswordGenerated {
		generated = current
	}
	if err := s.setPassword(ctx, acc, next, generated, "account.password_change"); err != nil {
		return "", err
	}
	return s.openSession(ctx, acc, false)
}

// setPassword checks next against the policy and stores its hash, ending
// every session of the account, all in one transaction.
func (s *Service) setPassword(ctx context.Context, acc *data.Account, next, generated, action string) error {
	if err := s.policy.Check(next, acc.Email, generated); err != nil {
		return &data.Error{Code: data.EINVALID, Message: data.ErrorMessage(err),
			Fields: map[string]string{"new_password": data.ErrorMessage(err)}}
	}
	hash, err := password.Hash(next)
	if err != nil {
		return err
	}
	return s.store.InTx(ctx, func(ctx context.Context) error {
		// Change the account as it is now (acc may have been read before
		// the slow hashing), so that nothing written meanwhile is undone.
		fresh, err := s.store.FindAccountByID(ctx, acc.ID)
		if err != nil {
			return err
		}
		fresh.PasswordHash, fresh.PasswordGenerated, fresh.PasswordExpiresAt = hash, false, time.Time{}
		if err := s.store.UpdateAccount(ctx, fresh); err != nil {
			return err
		}
		*acc = *fresh
		if _, err := s.store.DeleteAccountSessions(ctx, acc.ID); err != nil {
			return err
		}
		return s.audit(ctx, &Caller{Account: acc}, acc.CafCode, action, "account", acc.ID, "")
	})
}

// ForgotPassword mails a single-use code to the address if it has an
// account that may log in. It answers the same whether it does or not.
func (s *Service) ForgotPassword(ctx context.Context, email, addr string) error {
	email = data.NormalizeEmail(email)
	if err := data.ValidateEmail(email); err != nil {
		return &data.Error{Code: data.EINVALID, Message: data.ErrorMessage(err),
			Fields: map[string]string{"email": data.ErrorMessage(err)}}
	}
	now := s.now()
	// Each request counts as a failure of the client address, so that the
	// mail cannot be used to flood a mailbox or probe addresses.
	if n, err := s.store.RecordLoginFailure(ctx, "forgot:"+addr, now, ThrottleWindow); err != nil {
		return err
	} else if n > AccountLockAfter {
		return tooManyFailures(ThrottleWindow)
	}
	// The rest happens after the answer, so that neither its result nor
	// its duration tells whether the address has an account. A mail that
	// cannot be sent is logged.
	s.background(ctx, func(ctx context.Context) {
		acc, err := s.store.FindAccountByEmail(ctx, email)
		if err != nil || !s.mayLogIn(ctx, acc) {
			if data.ErrorCode(err) != data.ENOTFOUND && err != nil {
				s.log.Error("forgot password", "err", err)
			}
			return
		}
		s.mailCode(ctx, acc, data.CodePasswordReset, ResetCodeValidity)
	})
	return nil
}

// mayLogIn reports whether acc could log in now (its password aside): not
// disabled, and for a professional an active habilitation.
func (s *Service) mayLogIn(ctx context.Context, acc *data.Account) bool {
	if acc.Disabled {
		return false
	}
	if !acc.Role.IsProfessional() {
		return true
	}
	p, err := s.store.FindProfessionalByID(ctx, acc.ProfessionalID)
	return err == nil && p.CanLogIn() == nil
}

// mailCode creates a single-use code for acc and mails it.
func (s *Service) mailCode(ctx context.Context, acc *data.Account, purpose data.CodePurpose, validity time.Duration) error {
	code, hash, err := password.NewCode()
	if err != nil {
		return err
	}
	now := s.now()
	c := &data.OneTimeCode{Hash: hash, AccountID: acc.ID, Purpose: purpose, CreatedAt: now, ExpiresAt: now.Add(validity)}
	if err := s.store.CreateCode(ctx, c); err != nil {
		return err
	}
	from := s.senderFor(acc.CafCode)
	name := acc.FirstName + " " + acc.LastName
	var m mail.Message
	if purpose == data.CodeAgentWelcome {
		caf, _ := s.ref.Caf(acc.CafCode)
		m = mail.AgentWelcome(from, acc.Email, name, caf.Name, code, int(validity.Hours()))
	} else {
		m = mail.PasswordResetCode(from, acc.Email, name, code, int(validity.Minutes()))
	}
	if err := s.send(ctx, m); err != nil {
		return data.Errorf(data.EUNAVAILABLE, "Le courriel n'a pas pu être envoyé pour l'instant : réessayez plus tard.")
	}
	return nil
}

// senderFor returns the sender address of a Caf's mails, or the national
// one.
func (s *Service) senderFor(cafCode string) string {
	if caf, ok := s.ref.Caf(cafCode); ok && caf.HabilitationEmail != "" {
		return caf.HabilitationEmail
	}
	return NationalSender
}

// NationalSender signs the mails that concern no Caf.
const NationalSender = "habilitations@espacepro.example"

// ResetPassword sets a new password with a code mailed by ForgotPassword
// or to a new agent. A wrong, used or expired code gives the same answer.
func (s *Service) ResetPassword(ctx context.Context, email, code, next, addr string) error {
	email = data.NormalizeEmail(email)
	now := s.now()
	if n, err := s.store.LoginFailures(ctx, "code:"+addr, now, ThrottleWindow); err != nil {
		return err
	} else if n >= AccountLockAfter {
		return tooManyFailures(ThrottleWindow)
	}
	// Check the policy before the code is spent, so that a refused
	// password does not cost the person her code, and before the account
	// is looked up, so that the answer is the same whether the address has
	// an account or not.
	if err := s.policy.Check(next, email, ""); err != nil {
		return &data.Error{Code: data.EINVALID, Message: data.ErrorMessage(err),
			Fields: map[string]string{"new_password": data.ErrorMessage(err)}}
	}
	bad := &data.Error{Code: data.EINVALID, Message: "Ce code est incorrect, a déjà servi ou a expiré : vérifiez-le ou demandez-en un nouveau.",
		Fields: map[string]string{"code": "Code incorrect ou expiré."}}
	acc, err := s.store.FindAccountByEmail(ctx, email)
	if err != nil && data.ErrorCode(err) != data.ENOTFOUND {
		return err
	}
	if acc == nil || acc.Disabled {
		s.store.RecordLoginFailure(ctx, "code:"+addr, now, ThrottleWindow)
		return bad
	}
	hash := password.HashCode(code)
	var used *data.OneTimeCode
	for _, purpose := range []data.CodePurpose{data.CodePasswordReset, data.CodeAgentWelcome} {
		c, err := s.store.UseCode(ctx, hash, purpose, now)
		if err == nil && c.AccountID == acc.ID {
			used = c
			break
		}
	}
	if used == nil {
		s.store.RecordLoginFailure(ctx, "code:"+addr, now, ThrottleWindow)
		return bad
	}
	return s.setPassword(ctx, acc, next, "", "account.password_reset")
}
