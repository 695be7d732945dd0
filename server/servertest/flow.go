package servertest

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"espacepro/data"
	"espacepro/server"
	"espacepro/server/mail/mailtest"
	"espacepro/sync/wire"
)

// MailWait is how long the helpers wait for a mail. The service sends its
// mail before it answers, so a mail that is due is there already; the wait
// only covers a slow machine.
const MailWait = 5 * time.Second

// Mail is a mail the SMTP server received, decoded.
type Mail struct {
	mailtest.Parsed
	Envelope []string // RCPT TO
}

// Mails returns every mail received so far, oldest first.
func (e *Env) Mails(tb testing.TB) []Mail {
	tb.Helper()
	var out []Mail
	for _, r := range e.Mail.Messages() {
		out = append(out, Mail{Parsed: r.Parse(tb), Envelope: r.To})
	}
	return out
}

// MailsTo returns every mail received so far for the address to.
func (e *Env) MailsTo(tb testing.TB, to string) []Mail {
	tb.Helper()
	var out []Mail
	for _, m := range e.Mails(tb) {
		for _, rcpt := range m.Envelope {
			if strings.EqualFold(rcpt, to) {
				out = append(out, m)
				break
			}
		}
	}
	return out
}

// WaitMail returns the newest mail to the address to whose subject
// contains subject, waiting up to MailWait for it; it fails the test when
// none comes. WaitNewMail looks only at mails received after a count.
func (e *Env) WaitMail(tb testing.TB, to, subject string) Mail {
	tb.Helper()
	deadline := time.Now().Add(MailWait)
	for {
		list := e.MailsTo(tb, to)
		for i := len(list) - 1; i >= 0; i-- {
			if strings.Contains(list[i].Subject, subject) {
				return list[i]
			}
		}
		if time.Now().After(deadline) {
			var subjects []string
			for _, m := range list {
				subjects = append(subjects, m.Subject)
			}
			tb.Fatalf("no mail « %s » to %s within %s (mails to that address: %q)", subject, to, MailWait, subjects)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// WaitNewMail returns the first mail to the address to whose subject
// contains subject among those after the first after mails to it
// (MailCount, called before the action, gives after).
func (e *Env) WaitNewMail(tb testing.TB, to, subject string, after int) Mail {
	tb.Helper()
	deadline := time.Now().Add(MailWait)
	for {
		list := e.MailsTo(tb, to)
		for i := after; i < len(list); i++ {
			if strings.Contains(list[i].Subject, subject) {
				return list[i]
			}
		}
		if time.Now().After(deadline) {
			tb.Fatalf("no new mail « %s » to %s within %s (%d mails to it, %d before)", subject, to, MailWait, len(list), after)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// MailCount returns how many mails the address to received so far.
func (e *Env) MailCount(tb testing.TB, to string) int {
	tb.Helper()
	return len(e.MailsTo(tb, to))
}

// Quoted returns the text between « and » that follows prefix in text, as
// the mails give passwords and codes; it fails the test when there is none.
func Quoted(tb testing.TB, text, prefix string) string {
	tb.Helper()
	_, rest, ok := strings.Cut(text, prefix)
	if !ok {
		tb.Fatalf("%q not found in:\n%s", prefix, text)
	}
	_, rest, ok = strings.Cut(rest, "«")
	if !ok {
		tb.Fatalf("no « after %q in:\n%s", prefix, text)
	}
	val, _, ok := strings.Cut(rest, "»")
	if !ok {
		tb.Fatalf("no » after %q in:\n%s", prefix, text)
	}
	val = strings.TrimSpace(strings.Trim(val, "\u00a0\u202f"))
	if val == "" || strings.ContainsAny(val, " \n") {
		tb.Fatalf("odd value %q after %q in:\n%s", val, prefix, text)
	}
	return val
}

// SeedProfessional checks p against the reference data, as an import
// would, and stores it.
func (e *Env) SeedProfessional(tb testing.TB, p *data.Professional) {
	tb.Helper()
	if err := p.Validate(data.DefaultReference()); err != nil {
		tb.Fatalf("seed %s: %v", p.DisplayName(), err)
	}
	if err := e.Store.CreateProfessional(context.Background(), p); err != nil {
		tb.Fatalf("seed %s: %v", p.DisplayName(), err)
	}
}

// CreateAgent creates a Caf agent as the command line does, reads the
// welcome code from her mail and sets her password with it through the
// API, as the agent would.
func (e *Env) CreateAgent(tb testing.TB, caf, email, first, last, password string) *data.Account {
	tb.Helper()
	acc, err := e.Service.CreateAgent(context.Background(), server.CommandLine, caf, email, first, last)
	if err != nil {
		tb.Fatalf("CreateAgent %s: %v", email, err)
	}
	m := e.WaitMail(tb, email, "Votre compte d'agent")
	code := Quoted(tb, m.Text, "ce code à usage unique")
	e.Want(tb, http.StatusOK, "POST", "/api/v1/password/reset", "",
		wire.PasswordReset{Email: email, Code: code, NewPassword: password}, nil)
	return acc
}

// Login opens a session and fails the test unless it is granted.
func (e *Env) Login(tb testing.TB, email, password string) wire.LoginResponse {
	tb.Helper()
	var res wire.LoginResponse
	e.Want(tb, http.StatusCreated, "POST", "/api/v1/session", "", wire.LoginRequest{Email: email, Password: password}, &res)
	if res.Token == "" {
		tb.Fatalf("login %s: no token", email)
	}
	return res
}

// NewCaptcha issues a captcha through the API and returns its ID and its
// answer, read from the store.
func (e *Env) NewCaptcha(tb testing.TB) (id, answer string) {
	tb.Helper()
	var c wire.Captcha
	e.Want(tb, http.StatusCreated, "POST", "/api/v1/captcha", "", nil, &c)
	return c.ID, e.CaptchaAnswer(tb, c.ID)
}

// CaptchaAnswer reads the digits of captcha id from the store.
func (e *Env) CaptchaAnswer(tb testing.TB, id string) string {
	tb.Helper()
	digits, err := e.Store.FindCaptcha(context.Background(), id, e.Clock.Now())
	if err != nil {
		tb.Fatalf("captcha %s: %v", id, err)
	}
	b := make([]byte, len(digits))
	for i, d := range digits {
		b[i] = '0' + d
	}
	return string(b)
}

// Submit sends a habilitation request with a new captcha answered right,
// and fails the test unless it is accepted.
func (e *Env) Submit(tb testing.TB, form wire.RequestForm) wire.SubmitResponse {
	tb.Helper()
	form.CaptchaID, form.CaptchaAnswer = e.NewCaptcha(tb)
	var res wire.SubmitResponse
	e.Want(tb, http.StatusCreated, "POST", "/api/v1/requests", "", form, &res)
	return res
}

// Habilitate takes a request through the letter (by post), the agreement
// and the validation as the agent of that token, and returns the
// validation's answer and the password generated, read from the mail.
func (e *Env) Habilitate(tb testing.TB, agentToken, requestID string) (wire.ValidateResponse, string) {
	tb.Helper()
	base := "/api/v1/caf/requests/" + requestID
	e.Want(tb, http.StatusOK, "POST", base+"/letter-sent", agentToken, wire.LetterSent{}, nil)
	e.Want(tb, http.StatusOK, "POST", base+"/agreement", agentToken, nil, nil)
	var res wire.ValidateResponse
	e.Want(tb, http.StatusOK, "POST", base+"/validate", agentToken, nil, &res)
	m := e.WaitMail(tb, res.Account.Email, "Votre compte a été créé")
	return res, Quoted(tb, m.Text, "Votre mot de passe est")
}

// Activate logs in with the generated password, sets the chosen one and
// returns the answer, which holds the new session's token.
func (e *Env) Activate(tb testing.TB, email, generated, chosen string) wire.LoginResponse {
	tb.Helper()
	first := e.Login(tb, email, generated)
	if !first.MustChangePassword {
		tb.Fatalf("login %s with the generated password: must_change_password false", email)
	}
	var res wire.LoginResponse
	e.Want(tb, http.StatusOK, "POST", "/api/v1/password/change", first.Token,
		wire.PasswordChange{CurrentPassword: generated, NewPassword: chosen}, &res)
	return res
}
