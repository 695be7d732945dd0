package client

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"espacepro/data"
	"espacepro/server"
	"espacepro/server/servertest"
	"espacepro/sync/wire"
)

// These tests drive the online calls of online.go against the real central
// service (servertest, through the cuttable relay of integration_test.go),
// as the desktop's screens make them.

const (
	onlineAgentEmail    = "agathe.roux@caf92.example.fr"
	onlineAgentPassword = "Camélia rose au jardin"
	heleneEmail         = "helene.lefevre@example.fr"
)

// onlineClient returns a client of s with its own local copy, not logged
// in, retrying little.
func (s *service) onlineClient(t *testing.T) *Client {
	t.Helper()
	cfg := Config{ServerURL: s.relay.url(), Fingerprint: s.Server.Fingerprint(), Retries: 1, RetryWait: time.Millisecond}
	c, err := New(cfg, openTestLocal(t))
	must(t, err, "New")
	t.Cleanup(c.Close)
	c.Now = s.Clock.Now
	return c
}

// agentClient creates an agent of the Caf 921 and returns a client logged
// in as her.
func (s *service) agentClient(t *testing.T) *Client {
	t.Helper()
	s.CreateAgent(t, "921", onlineAgentEmail, "Agathe", "Roux", onlineAgentPassword)
	c := s.onlineClient(t)
	res, err := c.Login(context.Background(), onlineAgentEmail, onlineAgentPassword)
	must(t, err, "agent Login")
	if data.Role(res.Account.Role) != data.RoleAgent || res.MustChangePassword {
		t.Fatalf("agent login answer %+v", res.Account)
	}
	return c
}

// heleneForm is a request for a person of Boulogne-Billancourt (Caf 921),
// without its captcha.
func heleneForm() wire.RequestForm {
	return wire.RequestForm{Kind: string(data.KindChildminder), Civility: "Mme", LastName: "Lefèvre",
		FirstName: "Hélène", StreetNumber: "12 bis", StreetType: "rue", StreetName: "de l'Église",
		PostalCode: "92100", Commune: "Boulogne-Billancourt", Phone: "06 12 34 56 78",
		Email: heleneEmail, EmailConfirm: heleneEmail}
}

// submitHelene sends heleneForm with a new captcha answered right.
func (s *service) submitHelene(t *testing.T, c *Client) *wire.SubmitResponse {
	t.Helper()
	ctx := context.Background()
	cpt, err := c.NewCaptcha(ctx)
	must(t, err, "NewCaptcha")
	form := heleneForm()
	form.CaptchaID, form.CaptchaAnswer = cpt.ID, s.CaptchaAnswer(t, cpt.ID)
	res, err := c.SubmitRequest(ctx, form)
	must(t, err, "SubmitRequest")
	return res
}

// wantCode fails the test unless err is a *data.Error of that code whose
// message contains msg.
func wantCode(t *testing.T, what string, err error, code, msg string) {
	t.Helper()
	if data.ErrorCode(err) != code || !strings.Contains(data.ErrorMessage(err), msg) {
		t.Errorf("%s: error %v (code %s), want %s « %s »", what, err, data.ErrorCode(err), code, msg)
	}
}

// The habilitation path of a person without an account: communes of her
// postal code, a captcha (image and audio), a wrong answer refused on its
// field, then the request sent to her Caf.
func TestOnlineHabilitationRequest(t *testing.T) {
	ctx := context.Background()
	s := startService(t)
	c := s.onlineClient(t)

	communes, err := c.Communes(ctx, "64100")
	must(t, err, "Communes")
	if len(communes) != 1 || communes[0].Name != "Bayonne" || communes[0].INSEE != "64102" {
		t.Errorf("communes of 64100: %+v", communes)
	}
	_, err = c.Communes(ctx, "99999")
	if data.ErrorCode(err) != data.ENOTFOUND || data.ErrorFields(err)["postal_code"] == "" {
		t.Errorf("communes of 99999: %v (fields %v)", err, data.ErrorFields(err))
	}

	cpt, err := c.NewCaptcha(ctx)
	must(t, err, "NewCaptcha")
	if cpt.ID == "" || !bytes.HasPrefix(cpt.Image, []byte("\x89PNG\r\n\x1a\n")) {
		t.Fatalf("captcha %q: image is not a PNG (%d bytes)", cpt.ID, len(cpt.Image))
	}
	wav, err := c.CaptchaAudio(ctx, cpt.ID)
	must(t, err, "CaptchaAudio")
	if len(wav) < 44 || string(wav[:4]) != "RIFF" || string(wav[8:12]) != "WAVE" {
		t.Errorf("captcha audio is not a WAV (%d bytes)", len(wav))
	}
	_, err = c.CaptchaAudio(ctx, "inconnu")
	if data.ErrorCode(err) == "" || data.ErrorMessage(err) == "" {
		t.Errorf("audio of an unknown captcha: %v", err)
	}

	form := heleneForm()
	form.CaptchaID, form.CaptchaAnswer = cpt.ID, wrongAnswer(s.CaptchaAnswer(t, cpt.ID))
	form.Phone = "12"
	_, err = c.SubmitRequest(ctx, form)
	fields := data.ErrorFields(err)
	if data.ErrorCode(err) != data.EINVALID || fields["captcha"] == "" || fields["phone"] == "" {
		t.Fatalf("wrong captcha and phone: %v (fields %v)", err, fields)
	}
	servertest.WantFrench(t, "captcha field", fields["captcha"])

	res := s.submitHelene(t, c)
	if res.ID == "" || res.Caf.Code != "921" || res.Matched || !strings.Contains(res.Message, res.Caf.Name) {
		t.Errorf("submit answer %+v", res)
	}
	s.WaitMail(t, heleneEmail, "Votre demande d'habilitation")
}

// wrongAnswer returns digits other than answer's.
func wrongAnswer(answer string) string {
	b := []byte(answer)
	for i := range b {
		b[i] = '0' + (b[i]-'0'+1)%10
	}
	return string(b)
}

// « Mot de passe oublié ? »: the service's one answer, the code by mail, a
// wrong code refused on its field, the new password then works.
func TestOnlineForgotAndResetPassword(t *testing.T) {
	ctx := context.Background()
	s := startService(t)
	c := s.onlineClient(t)

	msg, err := c.ForgotPassword(ctx, strings.ToUpper(amEmail))
	must(t, err, "ForgotPassword")
	if msg != server.ForgotMessage {
		t.Errorf("forgot message %q", msg)
	}
	other, err := c.ForgotPassword(ctx, "personne@example.fr")
	must(t, err, "ForgotPassword of an unknown address")
	if other != msg {
		t.Errorf("an unknown address is told apart: %q", other)
	}
	code := servertest.Quoted(t, s.WaitMail(t, amEmail, "Mot de passe oublié").Text, "Votre code est")

	const chosen = "Pivoine blanche sous la neige"
	err = c.ResetPassword(ctx, amEmail, "000000", chosen)
	if data.ErrorCode(err) != data.EINVALID || data.ErrorFields(err)["code"] == "" {
		t.Errorf("reset with a wrong code: %v (fields %v)", err, data.ErrorFields(err))
	}
	must(t, c.ResetPassword(ctx, amEmail, code, chosen), "ResetPassword")
	if _, err := c.Login(ctx, amEmail, amPassword); data.ErrorCode(err) != data.EUNAUTHORIZED {
		t.Errorf("login with the old password: %v", err)
	}
	res, err := c.Login(ctx, amEmail, chosen)
	must(t, err, "Login with the new password")
	acc, err := c.CurrentAccount(ctx)
	must(t, err, "CurrentAccount")
	if acc == nil || acc.ID != res.Account.ID {
		t.Errorf("current account %+v, want %s", acc, res.Account.ID)
	}
}

// A Caf agent's day: her copy holds the request sent, the letter is a PDF,
// the professional's file, an action on her habilitation and back, a PMI
// list previewed then imported, and the audit log tells all of it.
func TestOnlineAgentCalls(t *testing.T) {
	ctx := context.Background()
	s := startService(t)
	sub := s.submitHelene(t, s.onlineClient(t))
	c := s.agentClient(t)
	mustSync(t, c)

	list, total, err := c.Requests(ctx, data.RequestFilter{})
	must(t, err, "Requests")
	if total != 1 || len(list) != 1 || list[0].ID != sub.ID || list[0].LastName != "Lefèvre" {
		t.Fatalf("requests of the copy: %d %+v", total, list)
	}
	r, err := c.Request(ctx, sub.ID)
	must(t, err, "Request")
	if r.Email != heleneEmail || r.CafCode != "921" || r.State != data.RequestReceived {
		t.Errorf("request of the copy %+v", r)
	}
	if _, err := c.Request(ctx, "0190c3a8-0000-7000-8000-0000000000ff"); data.ErrorCode(err) != data.ENOTFOUND {
		t.Errorf("unknown request: %v", err)
	}
	pros, n, err := c.Professionals(ctx, data.ProfessionalFilter{})
	must(t, err, "Professionals")
	if n != 1 || pros[0].ID != s.pro.ID {
		t.Errorf("register of the copy: %d %v", n, pros)
	}

	pdf, err := c.Letter(ctx, sub.ID)
	must(t, err, "Letter")
	if !bytes.HasPrefix(pdf, []byte("%PDF-")) {
		t.Fatalf("letter is not a PDF: %q", pdf[:min(len(pdf), 20)])
	}
	if text := servertest.PDFText(t, pdf); !strings.Contains(text, "LEFÈVRE") {
		t.Errorf("the letter does not name the person:\n%s", text)
	}
	_, err = c.Letter(ctx, "0190c3a8-0000-7000-8000-0000000000ff")
	wantCode(t, "letter of an unknown request", err, data.ENOTFOUND, "")

	file, err := c.ProfessionalFile(ctx, s.pro.ID)
	must(t, err, "ProfessionalFile")
	if file.Professional == nil || file.Professional.ID != s.pro.ID || !file.Visible {
		t.Errorf("professional file %+v", file)
	}

	onlineHabilitationActions(t, s, c)
	onlineImport(t, c)
	onlineAudit(t, s, c)
}

// onlineHabilitationActions suspends the childminder's habilitation and
// reactivates it, and mails her a reset code.
func onlineHabilitationActions(t *testing.T, s *service, c *Client) {
	t.Helper()
	ctx := context.Background()
	habilitation := func() data.Habilitation {
		p, err := s.Store.FindProfessionalByID(ctx, s.pro.ID)
		must(t, err, "store FindProfessionalByID")
		return p.Habilitation
	}
	must(t, c.ProfessionalAction(ctx, s.pro.ID, ActionSuspend, "Contrôle en cours"), "suspend")
	if h := habilitation(); h != data.HabilitationSuspended {
		t.Fatalf("after suspend: %s", h)
	}
	err := c.ProfessionalAction(ctx, s.pro.ID, ActionSuspend, "")
	wantCode(t, "suspend twice", err, data.ECONFLICT, "Cette action n'est pas possible")
	must(t, c.ProfessionalAction(ctx, s.pro.ID, ActionReactivate, ""), "reactivate")
	if h := habilitation(); h != data.HabilitationActive {
		t.Fatalf("after reactivate: %s", h)
	}
	mails := s.MailCount(t, amEmail)
	must(t, c.ProfessionalAction(ctx, s.pro.ID, ActionPasswordReset, ""), "password-reset")
	s.WaitNewMail(t, amEmail, "Mot de passe", mails)
	err = c.ProfessionalAction(ctx, s.pro.ID, "delete", "")
	wantCode(t, "unknown action", err, data.EINVALID, "inconnue")

	mustSync(t, c)
	p, err := c.Professional(ctx, s.pro.ID)
	must(t, err, "Professional")
	if p.Habilitation != data.HabilitationActive {
		t.Errorf("the copy shows habilitation %s", p.Habilitation)
	}
}

// onlineImport previews the PMI list of the 92, refuses a stale SHA-256,
// then applies it.
func onlineImport(t *testing.T, c *Client) {
	t.Helper()
	ctx := context.Background()
	const name = "liste-pmi-92.csv"
	content, err := os.ReadFile(filepath.Join("..", "..", "testdata", "pmi", name))
	must(t, err, "read the PMI list")
	pv, err := c.ImportPreview(ctx, name, content)
	must(t, err, "ImportPreview")
	if pv.Counts["new"] != 400 || pv.Counts["rejected"] != 8 || pv.Applied || pv.File != name || len(pv.SHA256) != 64 {
		t.Fatalf("preview: %s %v applied %t", pv.File, pv.Counts, pv.Applied)
	}
	_, err = c.ImportApply(ctx, name, content, strings.Repeat("0", 64), pv.NeedsForce)
	wantCode(t, "apply with a stale SHA-256", err, data.ECONFLICT, "")
	_, err = c.ImportPreview(ctx, "vide.csv", nil)
	wantCode(t, "preview of an empty file", err, data.EINVALID, "vide")

	done, err := c.ImportApply(ctx, name, content, pv.SHA256, pv.NeedsForce)
	must(t, err, "ImportApply")
	if !done.Applied || done.Counts["new"] != 400 {
		t.Fatalf("apply: %v applied %t", done.Counts, done.Applied)
	}
	mustSync(t, c)
	if _, n, err := c.Professionals(ctx, data.ProfessionalFilter{}); err != nil || n != 401 {
		t.Errorf("register of the copy after the import: %d (%v)", n, err)
	}
}

// onlineAudit reads the audit log by action, target and day.
func onlineAudit(t *testing.T, s *service, c *Client) {
	t.Helper()
	ctx := context.Background()
	all, err := c.Audit(ctx, AuditQuery{})
	must(t, err, "Audit")
	seen := map[string]bool{}
	for _, e := range all.Items {
		seen[e.Action] = true
	}
	for _, a := range []string{"professional.suspend", "professional.reactivate", "professional.password_reset", "import.apply"} {
		if !seen[a] {
			t.Errorf("audit log without %s: %v", a, seen)
		}
	}
	today := s.Clock.Now()
	for _, q := range []struct {
		query AuditQuery
		want  int
	}{
		{AuditQuery{Action: "professional.suspend", TargetID: s.pro.ID}, 1},
		{AuditQuery{Action: "professional.suspend", Since: today, Until: today}, 1},
		{AuditQuery{Action: "professional.suspend", Since: today.AddDate(0, 0, 1)}, 0},
		{AuditQuery{Action: "professional.suspend", Until: today.AddDate(0, 0, -1)}, 0},
	} {
		page, err := c.Audit(ctx, q.query)
		must(t, err, "Audit")
		if page.Total != q.want {
			t.Errorf("audit %+v: %d entries, want %d", q.query, page.Total, q.want)
		}
	}
	page, err := c.Audit(ctx, AuditQuery{Offset: 1, Limit: 2})
	must(t, err, "Audit page")
	if page.Offset != 1 || len(page.Items) != 2 || page.Total != all.Total || page.Items[0].ID != all.Items[1].ID {
		t.Errorf("audit page 1+2: %+v (all %d)", page, all.Total)
	}
}

// Without a session the agent's calls say to log in; a childminder's
// session is refused by the service; an expired one ends the client's.
func TestOnlineNeedsAgentSession(t *testing.T) {
	ctx := context.Background()
	s := startService(t)
	c := s.onlineClient(t)
	calls := map[string]func() error{
		"Letter":             func() error { _, err := c.Letter(ctx, "x"); return err },
		"ProfessionalFile":   func() error { _, err := c.ProfessionalFile(ctx, s.pro.ID); return err },
		"ProfessionalAction": func() error { return c.ProfessionalAction(ctx, s.pro.ID, ActionSuspend, "") },
		"ImportPreview":      func() error { _, err := c.ImportPreview(ctx, "l.csv", []byte("x")); return err },
		"ImportApply":        func() error { _, err := c.ImportApply(ctx, "l.csv", []byte("x"), "", false); return err },
		"Audit":              func() error { _, err := c.Audit(ctx, AuditQuery{}); return err },
	}
	for name, call := range calls {
		wantCode(t, name+" without a session", call(), data.EUNAUTHORIZED, MsgNotLoggedIn)
	}
	pro, _ := s.client(t, Config{})
	_, err := pro.ProfessionalFile(ctx, s.pro.ID)
	if code := data.ErrorCode(err); code != data.EFORBIDDEN {
		t.Errorf("a childminder's ProfessionalFile: %v (code %s)", err, code)
	}
	servertest.WantFrench(t, "forbidden", data.ErrorMessage(err))

	// An agent's session that ended on the service ends on the client.
	agent := s.agentClient(t)
	s.Clock.Advance(data.SessionIdle + time.Minute)
	_, err = agent.Audit(ctx, AuditQuery{})
	wantCode(t, "Audit after the session expired", err, data.EUNAUTHORIZED, MsgSessionOver)
	if st := agent.State(); !st.SessionOver || st.LoggedIn {
		t.Errorf("status after the session expired: %+v", st)
	}
	_, err = agent.Letter(ctx, "x")
	wantCode(t, "Letter after the session expired", err, data.EUNAUTHORIZED, MsgNotLoggedIn)
}

// With the server out of reach, every online call says so, and the local
// reads still work.
func TestOnlineServerUnreachable(t *testing.T) {
	ctx := context.Background()
	s := startService(t)
	c := s.agentClient(t)
	mustSync(t, c)
	s.relay.setDown(true)
	calls := map[string]func() error{
		"ForgotPassword":     func() error { _, err := c.ForgotPassword(ctx, amEmail); return err },
		"ResetPassword":      func() error { return c.ResetPassword(ctx, amEmail, "123456", "Pivoine blanche 55") },
		"Communes":           func() error { _, err := c.Communes(ctx, "64100"); return err },
		"NewCaptcha":         func() error { _, err := c.NewCaptcha(ctx); return err },
		"CaptchaAudio":       func() error { _, err := c.CaptchaAudio(ctx, "x"); return err },
		"SubmitRequest":      func() error { _, err := c.SubmitRequest(ctx, heleneForm()); return err },
		"Letter":             func() error { _, err := c.Letter(ctx, "x"); return err },
		"ProfessionalFile":   func() error { _, err := c.ProfessionalFile(ctx, s.pro.ID); return err },
		"ProfessionalAction": func() error { return c.ProfessionalAction(ctx, s.pro.ID, ActionReactivate, "") },
		"ImportPreview":      func() error { _, err := c.ImportPreview(ctx, "l.csv", []byte("x")); return err },
		"ImportApply":        func() error { _, err := c.ImportApply(ctx, "l.csv", []byte("x"), "", true); return err },
		"Audit":              func() error { _, err := c.Audit(ctx, AuditQuery{}); return err },
	}
	for name, call := range calls {
		wantCode(t, name+" with the server down", call(), data.EUNAVAILABLE, MsgUnreachable)
	}
	if c.State().Online {
		t.Error("the status says online with the server down")
	}
	if _, n, err := c.Professionals(ctx, data.ProfessionalFilter{}); err != nil || n != 1 {
		t.Errorf("local register offline: %d (%v)", n, err)
	}
	if _, _, err := c.Requests(ctx, data.RequestFilter{}); err != nil {
		t.Errorf("local requests offline: %v", err)
	}
}
