package server_test

// Black-box tests of the central service: a real server.Server over HTTPS
// on a loopback port, its mail caught by a real SMTP server, on SQLite and
// on PostgreSQL. They go through the API as the desktop app does, and look
// behind it only to read what a person would read elsewhere: a captcha's
// answer (in the store, standing for the image) and the mails.

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"espacepro/data"
	"espacepro/server"
	"espacepro/server/servertest"
	"espacepro/sync/wire"
)

func TestE2ESQLite(t *testing.T) {
	runE2E(t, func(t *testing.T) data.CentralStore { return servertest.OpenSQLite(t) })
}

func TestE2EPostgres(t *testing.T) {
	servertest.PostgresURL(t) // skips, or fails on CI, without PostgreSQL
	runE2E(t, func(t *testing.T) data.CentralStore { return servertest.OpenPostgres(t) })
}

// The people of the tests.
const (
	agent921Email = "claire.moreau@caf92.example.fr"
	agent201Email = "paul.leca@caf2a.example.fr"
	agentPassword = "Hortensia bleue sous la pluie"

	heleneEmail = "helene.lefevre@example.fr"
	marieEmail  = "marie.santoni@example.fr"
)

// world is a running service with two Caf agents logged in and listed
// childminders in the Hauts-de-Seine (Caf 921) and Corse-du-Sud (Caf 201).
type world struct {
	*servertest.Env
	helene, nathalie, marie *data.Professional // listed: 92, 92, 2A
	agent921, agent201      string             // the agents' tokens
}

func newWorld(t *testing.T, openStore func(t *testing.T) data.CentralStore) *world {
	t.Helper()
	w := &world{Env: servertest.Start(t, openStore(t))}
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("service log:\n%s", w.Log.String())
		}
	})
	boulogne := data.Address{Number: "12 bis", StreetType: "rue", StreetName: "de l'Église", PostalCode: "92100", CommuneINSEE: "92012", CommuneName: "Boulogne-Billancourt"}
	nanterre := data.Address{Number: "3", StreetType: "allée", StreetName: "des Œillets", PostalCode: "92000", CommuneINSEE: "92050", CommuneName: "Nanterre"}
	ajaccio := data.Address{Number: "9", StreetType: "cours", StreetName: "Napoléon", PostalCode: "20000", CommuneINSEE: "2A004", CommuneName: "Ajaccio"}
	w.helene = listed("92", "921", "92-2019-0042", "Lefèvre", "Hélène", boulogne)
	w.nathalie = listed("92", "921", "92-2015-1290", "Martin", "Nathalie", nanterre)
	w.marie = listed("2A", "201", "2A-2018-0057", "Santoni", "Marie", ajaccio)
	for _, p := range []*data.Professional{w.helene, w.nathalie, w.marie} {
		w.SeedProfessional(t, p)
	}
	w.CreateAgent(t, "921", agent921Email, "Claire", "Moreau", agentPassword)
	w.CreateAgent(t, "201", agent201Email, "Paul", "Leca", agentPassword)
	w.agent921 = w.Login(t, agent921Email, agentPassword).Token
	w.agent201 = w.Login(t, agent201Email, agentPassword).Token
	return w
}

func listed(dept, caf, agrement, last, first string, a data.Address) *data.Professional {
	return &data.Professional{
		Kind: data.KindChildminder, Department: dept, CafCode: caf, AgrementNumber: agrement,
		Civility: data.CivilityMme, LastName: last, FirstName: first, Address: a,
		Phone: "0146000000", PlacesAgreed: 3, AgrementDate: data.Date{Year: 2019, Month: time.March, Day: 4},
		Listing: data.Listed, Habilitation: data.HabilitationNone,
	}
}

// heleneForm is the request of Hélène Lefèvre, listed in 92: it matches.
func heleneForm() wire.RequestForm {
	return wire.RequestForm{
		Kind: string(data.KindChildminder), Civility: "Mme", LastName: "Lefèvre", FirstName: "Hélène",
		StreetNumber: "12 bis", StreetType: "rue", StreetName: "de l'Église",
		PostalCode: "92100", Commune: "Boulogne-Billancourt",
		Phone: "06 12 34 56 78", Email: heleneEmail, EmailConfirm: "Helene.Lefevre@example.fr",
	}
}

// marieForm is the request of Marie Santoni, listed in 2A.
func marieForm() wire.RequestForm {
	return wire.RequestForm{
		Kind: string(data.KindChildminder), Civility: "Mme", LastName: "Santoni", FirstName: "Marie",
		StreetNumber: "9", StreetType: "cours", StreetName: "Napoléon", PostalCode: "20000", Commune: "Ajaccio",
		Phone: "04.95.11.22.33", Email: marieEmail, EmailConfirm: marieEmail,
	}
}

// requestCount counts the requests in the store, all Caf together.
func (w *world) requestCount(t *testing.T) int {
	t.Helper()
	_, n, err := w.Store.FindRequests(context.Background(), data.RequestFilter{})
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func (w *world) professional(t *testing.T, id string) *data.Professional {
	t.Helper()
	p, err := w.Store.FindProfessionalByID(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func (w *world) request(t *testing.T, id string) *data.Request {
	t.Helper()
	r, err := w.Store.FindRequestByID(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// habilitated submits Hélène's request, has Caf 921 validate it and sets
// her password; it returns her session's token.
func (w *world) habilitated(t *testing.T, chosen string) string {
	t.Helper()
	sub := w.Submit(t, heleneForm())
	_, generated := w.Habilitate(t, w.agent921, sub.ID)
	return w.Activate(t, heleneEmail, generated, chosen).Token
}

func login(w *world, t *testing.T, email, password string) *servertest.Response {
	t.Helper()
	return w.Do(t, "POST", "/api/v1/session", "", wire.LoginRequest{Email: email, Password: password})
}

// noSecretKeys fails when a JSON document has a key that names a secret.
func noSecretKeys(t *testing.T, what string, body []byte) {
	t.Helper()
	var v any
	if err := json.Unmarshal(body, &v); err != nil {
		t.Fatalf("%s: %v", what, err)
	}
	var walk func(path string, v any)
	walk = func(path string, v any) {
		switch x := v.(type) {
		case map[string]any:
			for k, e := range x {
				lk := strings.ToLower(k)
				if strings.Contains(lk, "password") && k != "must_change_password" || strings.Contains(lk, "hash") ||
					strings.Contains(lk, "secret") || lk == "code" && path != "" {
					t.Errorf("%s: key %s%s names a secret", what, path, k)
				}
				walk(path+k+".", e)
			}
		case []any:
			for _, e := range x {
				walk(path, e)
			}
		}
	}
	walk("", v)
}

var generatedLine = regexp.MustCompile(`Votre mot de passe est « ([A-Za-z0-9]{8}) »\.`)

func runE2E(t *testing.T, openStore func(t *testing.T) data.CentralStore) {
	t.Run("WholePath", func(t *testing.T) {
		t.Parallel()
		testWholePath(t, newWorld(t, openStore))
	})
	t.Run("BadInput", func(t *testing.T) {
		t.Parallel()
		testBadInput(t, newWorld(t, openStore))
	})
	t.Run("Unmatched", func(t *testing.T) {
		t.Parallel()
		testUnmatched(t, newWorld(t, openStore))
	})
	t.Run("Rights", func(t *testing.T) {
		t.Parallel()
		testRights(t, newWorld(t, openStore))
	})
	t.Run("Habilitation", func(t *testing.T) {
		t.Parallel()
		testHabilitation(t, newWorld(t, openStore))
	})
	t.Run("Lockout", func(t *testing.T) {
		t.Parallel()
		testLockout(t, newWorld(t, openStore))
	})
	t.Run("PasswordPolicy", func(t *testing.T) {
		t.Parallel()
		testPasswordPolicy(t, newWorld(t, openStore))
	})
	t.Run("Refuse", func(t *testing.T) {
		t.Parallel()
		testRefuse(t, newWorld(t, openStore))
	})
	t.Run("ExpiredGeneratedPassword", func(t *testing.T) {
		t.Parallel()
		testExpiredGenerated(t, newWorld(t, openStore))
	})
	t.Run("Audit", func(t *testing.T) {
		t.Parallel()
		testAudit(t, newWorld(t, openStore))
	})
	t.Run("Structure", func(t *testing.T) {
		t.Parallel()
		testStructure(t, newWorld(t, openStore))
	})
	t.Run("MailDown", func(t *testing.T) {
		t.Parallel()
		testMailDown(t, newWorld(t, openStore))
	})
	t.Run("Routing", func(t *testing.T) {
		t.Parallel()
		testRouting(t, newWorld(t, openStore))
	})
	t.Run("Import", func(t *testing.T) {
		t.Parallel()
		testImport(t, newWorld(t, openStore))
	})
}

// 1. SPEC §2–4 from the request form to a password reset.
func testWholePath(t *testing.T, w *world) {
	caf921, _ := data.DefaultReference().Caf("921")

	// The form offers the communes of the postal code.
	var communes []wire.Commune
	w.Want(t, http.StatusOK, "GET", "/api/v1/communes?postal_code=92100", "", nil, &communes)
	if len(communes) != 1 || communes[0].INSEE != "92012" || communes[0].Name != "Boulogne-Billancourt" || communes[0].Department != "92" {
		t.Fatalf("communes of 92100: %+v", communes)
	}
	servertest.WantError(t, w.Do(t, "GET", "/api/v1/communes?postal_code=99999", "", nil), http.StatusNotFound, data.ENOTFOUND, "postal_code")
	servertest.WantError(t, w.Do(t, "GET", "/api/v1/communes?postal_code=921", "", nil), http.StatusUnprocessableEntity, data.EINVALID, "postal_code")

	// The captcha, as an image and spoken.
	var c wire.Captcha
	res := w.Want(t, http.StatusCreated, "POST", "/api/v1/captcha", "", nil, &c)
	answer := w.CaptchaAnswer(t, c.ID)
	if len(answer) != server.CaptchaLength || bytes.Contains(res.Body, []byte(answer)) {
		t.Fatalf("captcha %s: answer %q (body %s)", c.ID, answer, res.Body)
	}
	img := w.Want(t, http.StatusOK, "GET", c.ImageURL, "", nil, nil)
	if !bytes.HasPrefix(img.Body, []byte("\x89PNG\r\n\x1a\n")) || img.Header.Get("Content-Type") != "image/png" {
		t.Errorf("captcha image: %s, %.16q", img.Header.Get("Content-Type"), img.Body)
	}
	audio := w.Want(t, http.StatusOK, "GET", c.AudioURL, "", nil, nil)
	if len(audio.Body) < 44 || string(audio.Body[:4]) != "RIFF" || string(audio.Body[8:12]) != "WAVE" {
		t.Errorf("captcha audio: %.16q", audio.Body)
	}
	servertest.WantError(t, w.Do(t, "GET", "/api/v1/captcha/inconnu/image.png", "", nil), http.StatusNotFound, data.ENOTFOUND, "")

	// The request: matched, routed to Caf 921, confirmed by mail.
	form := heleneForm()
	form.CaptchaID, form.CaptchaAnswer = c.ID, answer
	var sub wire.SubmitResponse
	w.Want(t, http.StatusCreated, "POST", "/api/v1/requests", "", form, &sub)
	if !sub.Matched || !sub.MailSent || sub.Caf.Code != "921" || sub.ID == "" {
		t.Fatalf("submit: %+v", sub)
	}
	if !strings.Contains(sub.Message, "Caf des Hauts-de-Seine") || strings.Contains(sub.Message, "rapprochez-vous") {
		t.Errorf("submit message: %q", sub.Message)
	}
	confirm := w.WaitMail(t, heleneEmail, "a bien été reçue")
	if !strings.Contains(confirm.Text, "Bonjour Hélène Lefèvre") || confirm.From != caf921.HabilitationEmail {
		t.Errorf("confirmation mail from %s:\n%s", confirm.From, confirm.Text)
	}

	// The agent of 921 sees it.
	var page wire.Page[*wire.Request]
	w.Want(t, http.StatusOK, "GET", "/api/v1/caf/requests", w.agent921, nil, &page)
	var got *wire.Request
	for _, r := range page.Items {
		if r.ID == sub.ID {
			got = r
		}
	}
	if got == nil || page.Total != 1 {
		t.Fatalf("agent 921's list (%d): %+v", page.Total, page.Items)
	}
	if got.State != string(data.RequestReceived) || got.Match != string(data.MatchAuto) || got.ProfessionalID != w.helene.ID ||
		got.Phone != "0612345678" || got.Email != heleneEmail || got.Address.CommuneINSEE != "92012" {
		t.Errorf("request as the agent sees it: %+v", got)
	}
	base := "/api/v1/caf/requests/" + sub.ID

	// The letter, then sent by mail.
	pdf := w.Want(t, http.StatusOK, "GET", base+"/letter.pdf", w.agent921, nil, nil)
	if !bytes.HasPrefix(pdf.Body, []byte("%PDF-")) || pdf.Header.Get("Content-Type") != "application/pdf" {
		t.Fatalf("letter: %s %.10q", pdf.Header.Get("Content-Type"), pdf.Body)
	}
	if text := servertest.PDFText(t, pdf.Body); !strings.Contains(text, "LEFÈVRE") || !strings.Contains(text, "Hélène") {
		t.Errorf("the letter does not name Hélène LEFÈVRE:\n%s", text)
	}
	var r wire.Request
	w.Want(t, http.StatusOK, "POST", base+"/letter-sent", w.agent921, wire.LetterSent{SendMail: true}, &r)
	if r.State != string(data.RequestLetter) {
		t.Errorf("after letter-sent: %s", r.State)
	}
	letter := w.WaitMail(t, heleneEmail, "courrier d'habilitation")
	if len(letter.Attachments) != 1 || letter.Attachments[0].ContentType != "application/pdf" ||
		!bytes.HasPrefix(letter.Attachments[0].Data, []byte("%PDF-")) {
		t.Fatalf("letter mail attachments: %d", len(letter.Attachments))
	}
	if text := servertest.PDFText(t, letter.Attachments[0].Data); !strings.Contains(text, "LEFÈVRE") {
		t.Errorf("the mailed letter does not name her:\n%s", text)
	}
	w.Want(t, http.StatusOK, "POST", base+"/agreement", w.agent921, nil, &r)
	if r.State != string(data.RequestAgreement) {
		t.Errorf("after agreement: %s", r.State)
	}

	// Validation: the account, never the password.
	var v wire.ValidateResponse
	vres := w.Want(t, http.StatusOK, "POST", base+"/validate", w.agent921, nil, &v)
	if v.Account == nil || v.Account.Email != heleneEmail || v.Account.Role != string(data.RoleChildminder) ||
		v.Account.ProfessionalID != w.helene.ID || !v.MailSent || v.Request.State != string(data.RequestValidated) {
		t.Fatalf("validate: %s", vres.Body)
	}
	noSecretKeys(t, "validate", vres.Body)
	created := w.WaitMail(t, heleneEmail, "Votre compte a été créé")
	m := generatedLine.FindStringSubmatch(created.Text)
	if m == nil {
		t.Fatalf("no « Votre mot de passe est « XXXXXXXX ». » in:\n%s", created.Text)
	}
	generated := m[1]
	if bytes.Contains(vres.Body, []byte(generated)) {
		t.Fatal("the validation's answer holds the password")
	}
	if !strings.HasPrefix(created.Text, "Bonjour Hélène Lefèvre,\n") || !strings.Contains(created.Text, caf921.HabilitationEmail) {
		t.Errorf("account mail:\n%s", created.Text)
	}
	var prof wire.Professional
	w.Want(t, http.StatusOK, "GET", "/api/v1/caf/professionals/"+w.helene.ID, w.agent921, nil, &prof)
	if prof.Habilitation != string(data.HabilitationActive) || prof.Email != heleneEmail {
		t.Errorf("professional after validation: %+v", prof)
	}

	// First login: the generated password only lets her choose another.
	first := w.Login(t, heleneEmail, generated)
	if !first.MustChangePassword || first.Account.Role != string(data.RoleChildminder) {
		t.Fatalf("first login: %+v", first)
	}
	servertest.WantError(t, w.Do(t, "GET", "/api/v1/caf/requests", first.Token, nil), http.StatusForbidden, data.EPASSWORDCHANGE, "")
	servertest.WantError(t, w.Do(t, "GET", "/api/v1/caf/audit", first.Token, nil), http.StatusForbidden, data.EPASSWORDCHANGE, "")
	var me wire.LoginResponse
	w.Want(t, http.StatusOK, "GET", "/api/v1/me", first.Token, nil, &me)
	if !me.MustChangePassword || me.Token != "" {
		t.Errorf("/me on the restricted session: %+v", me)
	}
	const chosen = "Tournesol jaune 2026"
	var changed wire.LoginResponse
	cres := w.Want(t, http.StatusOK, "POST", "/api/v1/password/change", first.Token,
		wire.PasswordChange{CurrentPassword: generated, NewPassword: chosen}, &changed)
	noSecretKeys(t, "password change", cres.Body)
	if changed.Token == "" || changed.Token == first.Token || changed.MustChangePassword {
		t.Fatalf("password change: %+v", changed)
	}
	servertest.WantError(t, w.Do(t, "GET", "/api/v1/me", first.Token, nil), http.StatusUnauthorized, data.EUNAUTHORIZED, "")
	servertest.WantError(t, login(w, t, heleneEmail, generated), http.StatusUnauthorized, data.EUNAUTHORIZED, "")

	// Logged in with her password: her name at the top right.
	second := w.Login(t, heleneEmail, chosen)
	if second.MustChangePassword {
		t.Error("must_change_password after the change")
	}
	w.Want(t, http.StatusOK, "GET", "/api/v1/me", second.Token, nil, &me)
	if me.Account.FirstName != "Hélène" || me.Account.LastName != "Lefèvre" || me.Professional == nil || me.Professional.ID != w.helene.ID {
		t.Errorf("/me: %+v", me)
	}
	if me.IdleTimeout != 1800 {
		t.Errorf("idle timeout %d s, want 1800", me.IdleTimeout)
	}

	// 30 minutes idle end the session.
	w.Clock.Advance(29 * time.Minute)
	w.Want(t, http.StatusOK, "GET", "/api/v1/me", second.Token, nil, nil) // a use restarts the idle time
	w.Clock.Advance(31 * time.Minute)
	e := servertest.WantError(t, w.Do(t, "GET", "/api/v1/me", second.Token, nil), http.StatusUnauthorized, data.EUNAUTHORIZED, "")
	if !strings.Contains(e.Message, "reconnectez-vous") {
		t.Errorf("end of session: %q", e.Message)
	}
	servertest.WantError(t, w.Do(t, "GET", "/api/v1/me", changed.Token, nil), http.StatusUnauthorized, data.EUNAUTHORIZED, "")

	// 12 hours end a session however busy.
	busy := w.Login(t, heleneEmail, chosen).Token
	for used := time.Duration(0); used < data.SessionAbsolute-30*time.Minute; used += 25 * time.Minute {
		w.Clock.Advance(25 * time.Minute)
		w.Want(t, http.StatusOK, "GET", "/api/v1/me", busy, nil, nil)
	}
	w.Clock.Advance(30 * time.Minute)
	servertest.WantError(t, w.Do(t, "GET", "/api/v1/me", busy, nil), http.StatusUnauthorized, data.EUNAUTHORIZED, "")
	third := w.Login(t, heleneEmail, chosen)

	// Logging out ends the session.
	w.Want(t, http.StatusNoContent, "DELETE", "/api/v1/session", third.Token, nil, nil)
	servertest.WantError(t, w.Do(t, "GET", "/api/v1/me", third.Token, nil), http.StatusUnauthorized, data.EUNAUTHORIZED, "")
	fourth := w.Login(t, heleneEmail, chosen)

	// « Mot de passe oublié ? »: a code by mail, once.
	var msg wire.Message
	w.Want(t, http.StatusAccepted, "POST", "/api/v1/password/forgot", "", wire.PasswordForgot{Email: "HELENE.Lefevre@example.fr"}, &msg)
	if msg.Message != server.ForgotMessage {
		t.Errorf("forgot: %q", msg.Message)
	}
	code := servertest.Quoted(t, w.WaitMail(t, heleneEmail, "Mot de passe oublié").Text, "Votre code est")
	const reset = "Coquelicot rouge 77"
	w.Want(t, http.StatusOK, "POST", "/api/v1/password/reset", "", wire.PasswordReset{Email: heleneEmail, Code: code, NewPassword: reset}, nil)
	w.Login(t, heleneEmail, reset)
	servertest.WantError(t, login(w, t, heleneEmail, chosen), http.StatusUnauthorized, data.EUNAUTHORIZED, "")
	servertest.WantError(t, w.Do(t, "GET", "/api/v1/me", fourth.Token, nil), http.StatusUnauthorized, data.EUNAUTHORIZED, "")
	servertest.WantError(t, w.Do(t, "POST", "/api/v1/password/reset", "", wire.PasswordReset{Email: heleneEmail, Code: code, NewPassword: "Pivoine blanche 55"}),
		http.StatusUnprocessableEntity, data.EINVALID, "code")
	w.Login(t, heleneEmail, reset)
}

// 2. Every bad input of the request form has its own message, and nothing
// is written.
func testBadInput(t *testing.T, w *world) {
	fields := []struct {
		name, field string
		edit        func(f *wire.RequestForm)
	}{
		{"kind", "kind", func(f *wire.RequestForm) { f.Kind = "parent" }},
		{"civility", "civility", func(f *wire.RequestForm) { f.Civility = "Dr" }},
		{"civility_missing", "civility", func(f *wire.RequestForm) { f.Civility = "" }},
		{"last_name", "last_name", func(f *wire.RequestForm) { f.LastName = " " }},
		{"last_name_digits", "last_name", func(f *wire.RequestForm) { f.LastName = "Lefèvre 2" }},
		{"first_name", "first_name", func(f *wire.RequestForm) { f.FirstName = "" }},
		{"street_name", "street_name", func(f *wire.RequestForm) { f.StreetName = "" }},
		{"postal_code_missing", "postal_code", func(f *wire.RequestForm) { f.PostalCode = "" }},
		{"postal_code_syntax", "postal_code", func(f *wire.RequestForm) { f.PostalCode = "921OO" }},
		{"postal_code_unknown", "postal_code", func(f *wire.RequestForm) { f.PostalCode = "99999" }},
		{"commune_of_another_code", "commune", func(f *wire.RequestForm) { f.Commune = "Nanterre" }},
		{"commune_not_chosen", "commune", func(f *wire.RequestForm) { f.PostalCode, f.Commune = "20167", "" }},
		{"phone", "phone", func(f *wire.RequestForm) { f.Phone = "12 34" }},
		{"phone_missing", "phone", func(f *wire.RequestForm) { f.Phone = "" }},
		{"email", "email", func(f *wire.RequestForm) { f.Email, f.EmailConfirm = "helene.example.fr", "helene.example.fr" }},
		{"email_confirm", "email_confirm", func(f *wire.RequestForm) { f.EmailConfirm = "helene.lefevre@example.com" }},
		{"structure_name", "structure_name", func(f *wire.RequestForm) { f.Kind, f.StructureName = string(data.KindStructure), "" }},
	}
	before := w.requestCount(t)
	for _, c := range fields {
		t.Run(c.name, func(t *testing.T) {
			f := heleneForm()
			c.edit(&f)
			f.CaptchaID, f.CaptchaAnswer = w.NewCaptcha(t)
			e := servertest.WantError(t, w.Do(t, "POST", "/api/v1/requests", "", f), http.StatusUnprocessableEntity, data.EINVALID, c.field)
			if len(e.Fields) != 1 {
				t.Errorf("fields %v, want only %s", e.Fields, c.field)
			}
			if c.name == "commune_not_chosen" && !strings.Contains(e.Fields["commune"], "Ajaccio") {
				t.Errorf("the communes of 20167 are not offered: %q", e.Fields["commune"])
			}
		})
	}

	captcha := []struct {
		name string
		edit func(t *testing.T, f *wire.RequestForm)
	}{
		{"captcha_wrong", func(t *testing.T, f *wire.RequestForm) {
			id, answer := w.NewCaptcha(t)
			f.CaptchaID, f.CaptchaAnswer = id, fmt.Sprintf("%06d", (mustAtoi(t, answer)+1)%1000000)
		}},
		{"captcha_missing", func(t *testing.T, f *wire.RequestForm) { f.CaptchaID, f.CaptchaAnswer = "", "" }},
		{"captcha_answer_missing", func(t *testing.T, f *wire.RequestForm) { f.CaptchaID, _ = w.NewCaptcha(t) }},
		{"captcha_unknown", func(t *testing.T, f *wire.RequestForm) {
			f.CaptchaID, f.CaptchaAnswer = "AAAAAAAAAAAAAAAAAAAAAA", "123456"
		}},
		{"captcha_expired", func(t *testing.T, f *wire.RequestForm) {
			f.CaptchaID, f.CaptchaAnswer = w.NewCaptcha(t)
			w.Clock.Advance(server.CaptchaValidity + time.Minute)
		}},
		{"captcha_tried_once", func(t *testing.T, f *wire.RequestForm) {
			// A wrong answer spends the captcha: the right one then fails.
			id, answer := w.NewCaptcha(t)
			bad := heleneForm()
			bad.CaptchaID, bad.CaptchaAnswer = id, "000000"
			if answer == "000000" {
				bad.CaptchaAnswer = "111111"
			}
			w.Want(t, http.StatusUnprocessableEntity, "POST", "/api/v1/requests", "", bad, nil)
			f.CaptchaID, f.CaptchaAnswer = id, answer
		}},
	}
	for _, c := range captcha {
		t.Run(c.name, func(t *testing.T) {
			f := heleneForm()
			c.edit(t, &f)
			e := servertest.WantError(t, w.Do(t, "POST", "/api/v1/requests", "", f), http.StatusUnprocessableEntity, data.EINVALID, "captcha")
			if len(e.Fields) != 1 {
				t.Errorf("fields %v, want only captcha", e.Fields)
			}
		})
	}

	// Every field error and the captcha's come back at once.
	t.Run("all_at_once", func(t *testing.T) {
		f := wire.RequestForm{Kind: string(data.KindChildminder), CaptchaID: "x", CaptchaAnswer: "1"}
		e := servertest.WantError(t, w.Do(t, "POST", "/api/v1/requests", "", f), http.StatusUnprocessableEntity, data.EINVALID, "captcha")
		for _, k := range []string{"civility", "last_name", "first_name", "street_name", "postal_code", "phone", "email"} {
			if e.Fields[k] == "" {
				t.Errorf("no message for %s: %v", k, e.Fields)
			}
		}
	})

	bodies := []struct{ name, body string }{
		{"bad_json", `{"kind": "assistant_maternel", "last_name": `},
		{"unknown_field", `{"kind": "assistant_maternel", "password": "x"}`},
		{"wrong_type", `{"kind": 3}`},
		{"empty_body", ``},
		{"two_documents", `{} {}`},
		{"too_large", `{"last_name": "` + strings.Repeat("a", 70<<10) + `"}`},
	}
	for _, c := range bodies {
		t.Run(c.name, func(t *testing.T) {
			e := servertest.WantError(t, w.Do(t, "POST", "/api/v1/requests", "", []byte(c.body)), http.StatusUnprocessableEntity, data.EINVALID, "")
			if !strings.HasPrefix(e.Message, "Requête") {
				t.Errorf("message %q", e.Message)
			}
		})
	}

	// A captcha used by an accepted request cannot serve again.
	t.Run("captcha_reused", func(t *testing.T) {
		f := heleneForm()
		f.CaptchaID, f.CaptchaAnswer = w.NewCaptcha(t)
		w.Want(t, http.StatusCreated, "POST", "/api/v1/requests", "", f, nil)
		n := w.requestCount(t)
		f.Email, f.EmailConfirm = "autre@example.fr", "autre@example.fr"
		servertest.WantError(t, w.Do(t, "POST", "/api/v1/requests", "", f), http.StatusUnprocessableEntity, data.EINVALID, "captcha")
		if got := w.requestCount(t); got != n {
			t.Errorf("%d requests after a reused captcha, want %d", got, n)
		}
	})
	if got := w.requestCount(t); got != before+1 {
		t.Errorf("%d requests stored, want %d (only the one accepted)", got, before+1)
	}
	if n := w.MailCount(t, heleneEmail); n != 1 {
		t.Errorf("%d mails to Hélène, want 1 (the accepted request's)", n)
	}
}

func mustAtoi(t *testing.T, s string) int {
	t.Helper()
	var n int
	if _, err := fmt.Sscanf(s, "%d", &n); err != nil {
		t.Fatal(err)
	}
	return n
}

// 3. A childminder who is not on the list is told so; the agent matches
// her request by hand.
func testUnmatched(t *testing.T, w *world) {
	matched := w.Submit(t, heleneForm())
	f := heleneForm()
	// Nathalie Martin of Nanterre, under her married name: not the list's.
	f.LastName, f.FirstName, f.PostalCode, f.Commune = "Martin-Durand", "Nathalie", "92000", "nanterre"
	f.StreetNumber, f.StreetType, f.StreetName = "3", "allée", "des Œillets"
	f.Email, f.EmailConfirm = "n.martin@example.fr", "n.martin@example.fr"
	sub := w.Submit(t, f)
	if sub.Matched {
		t.Fatalf("matched: %+v", sub)
	}
	if !strings.Contains(sub.Message, "rapprochez-vous de la Caf de votre département") {
		t.Errorf("message: %q", sub.Message)
	}
	if m := w.WaitMail(t, "n.martin@example.fr", "a bien été reçue"); !strings.Contains(m.Text, "rapprochez-vous de la Caf de votre") {
		t.Errorf("confirmation mail:\n%s", m.Text)
	}

	var page wire.Page[*wire.Request]
	w.Want(t, http.StatusOK, "GET", "/api/v1/caf/requests?unmatched=true", w.agent921, nil, &page)
	if page.Total != 1 || len(page.Items) != 1 || page.Items[0].ID != sub.ID || page.Items[0].Match != "" || page.Items[0].ProfessionalID != "" {
		t.Fatalf("unmatched requests: %+v", page.Items)
	}
	w.Want(t, http.StatusOK, "GET", "/api/v1/caf/requests", w.agent921, nil, &page)
	if page.Total != 2 {
		t.Errorf("%d requests in all, want 2 (%s and %s)", page.Total, matched.ID, sub.ID)
	}

	base := "/api/v1/caf/requests/" + sub.ID
	servertest.WantError(t, w.Do(t, "POST", base+"/match", w.agent921, wire.Match{ProfessionalID: w.marie.ID}), http.StatusForbidden, data.EFORBIDDEN, "")
	servertest.WantError(t, w.Do(t, "POST", base+"/match", w.agent921, wire.Match{ProfessionalID: "00000000-0000-7000-8000-000000000000"}), http.StatusNotFound, data.ENOTFOUND, "")
	servertest.WantError(t, w.Do(t, "POST", base+"/match", w.agent921, nil), http.StatusUnprocessableEntity, data.EINVALID, "")

	var r wire.Request
	w.Want(t, http.StatusOK, "POST", base+"/match", w.agent921, wire.Match{ProfessionalID: w.nathalie.ID}, &r)
	if r.Match != string(data.MatchAgent) || r.ProfessionalID != w.nathalie.ID {
		t.Fatalf("after match: %+v", r)
	}
	if h := w.professional(t, w.nathalie.ID).Habilitation; h != data.HabilitationRequested {
		t.Errorf("Nathalie's habilitation %s, want requested", h)
	}
	w.Want(t, http.StatusOK, "GET", "/api/v1/caf/requests?unmatched=true", w.agent921, nil, &page)
	if page.Total != 0 {
		t.Errorf("still %d unmatched", page.Total)
	}
	if got := w.request(t, sub.ID); got.Match != data.MatchAgent || got.ProfessionalID != w.nathalie.ID {
		t.Errorf("stored: %+v", got)
	}
	v, _ := w.Habilitate(t, w.agent921, sub.ID)
	if v.Account.ProfessionalID != w.nathalie.ID {
		t.Errorf("account of %s, want Nathalie's", v.Account.ProfessionalID)
	}

	// A request left unmatched cannot be validated.
	f.Email, f.EmailConfirm = "n.martin2@example.fr", "n.martin2@example.fr"
	other := w.Submit(t, f)
	base = "/api/v1/caf/requests/" + other.ID
	w.Want(t, http.StatusOK, "POST", base+"/letter-sent", w.agent921, wire.LetterSent{}, nil)
	w.Want(t, http.StatusOK, "POST", base+"/agreement", w.agent921, nil, nil)
	servertest.WantError(t, w.Do(t, "POST", base+"/validate", w.agent921, nil), http.StatusConflict, data.ECONFLICT, "")
	if got := w.request(t, other.ID); got.State != data.RequestAgreement {
		t.Errorf("state %s after a refused validation", got.State)
	}
}

// 4. Nobody reaches what is not hers.
func testRights(t *testing.T, w *world) {
	own := w.Submit(t, heleneForm()).ID
	corse := w.Submit(t, marieForm())
	if corse.Caf.Code != "201" || !corse.Matched {
		t.Fatalf("Marie's request: %+v", corse)
	}
	_, generated := w.Habilitate(t, w.agent921, own)
	token := w.Activate(t, heleneEmail, generated, "Tournesol jaune 2026").Token
	marieMails := w.MailCount(t, marieEmail)

	type call struct {
		method, path string
		body         any
	}
	cafCalls := func(requestID, professionalID string) []call {
		r, p := "/api/v1/caf/requests/"+requestID, "/api/v1/caf/professionals/"+professionalID
		return []call{
			{"GET", r, nil},
			{"GET", r + "/letter.pdf", nil},
			{"POST", r + "/letter-sent", wire.LetterSent{}},
			{"POST", r + "/letter-sent", wire.LetterSent{SendMail: true}},
			{"POST", r + "/agreement", nil},
			{"POST", r + "/validate", nil},
			{"POST", r + "/refuse", wire.Reason{Reason: "Hors de votre Caf."}},
			{"POST", r + "/match", wire.Match{ProfessionalID: w.helene.ID}},
			{"GET", p, nil},
			{"POST", p + "/suspend", wire.Reason{Reason: "essai"}},
			{"POST", p + "/reactivate", nil},
			{"POST", p + "/revoke", wire.Reason{Reason: "essai"}},
			{"POST", p + "/password-reset", nil},
		}
	}
	lists := []call{{"GET", "/api/v1/caf/requests", nil}, {"GET", "/api/v1/caf/professionals", nil}, {"GET", "/api/v1/caf/audit", nil}}

	t.Run("childminder", func(t *testing.T) {
		for _, c := range append(lists, cafCalls(own, w.helene.ID)...) {
			servertest.WantError(t, w.Do(t, c.method, c.path, token, c.body), http.StatusForbidden, data.EFORBIDDEN, "")
		}
		if s := w.request(t, own).State; s != data.RequestValidated {
			t.Errorf("her request is %s", s)
		}
	})

	t.Run("other_caf", func(t *testing.T) {
		for _, c := range cafCalls(corse.ID, w.marie.ID) {
			servertest.WantError(t, w.Do(t, c.method, c.path, w.agent921, c.body), http.StatusForbidden, data.EFORBIDDEN, "")
		}
		// Nor by matching a request of hers to 201's professional.
		f := heleneForm()
		f.LastName = "Inconnue"
		mine := w.Submit(t, f).ID
		servertest.WantError(t, w.Do(t, "POST", "/api/v1/caf/requests/"+mine+"/match", w.agent921, wire.Match{ProfessionalID: w.marie.ID}),
			http.StatusForbidden, data.EFORBIDDEN, "")
		if r := w.request(t, corse.ID); r.State != data.RequestReceived || r.RefusalReason != "" || r.ProfessionalID != w.marie.ID {
			t.Errorf("201's request changed: %+v", r)
		}
		if p := w.professional(t, w.marie.ID); p.Habilitation != data.HabilitationRequested {
			t.Errorf("201's professional changed: %s", p.Habilitation)
		}
		if n := w.MailCount(t, marieEmail); n != marieMails {
			t.Errorf("%d mails to Marie, want %d", n, marieMails)
		}
		// The owner can.
		w.Want(t, http.StatusOK, "GET", "/api/v1/caf/requests/"+corse.ID, w.agent201, nil, nil)
		w.Want(t, http.StatusOK, "GET", "/api/v1/caf/professionals/"+w.marie.ID, w.agent201, nil, nil)
	})

	t.Run("lists", func(t *testing.T) {
		var reqs wire.Page[*wire.Request]
		for _, q := range []string{"", "?caf=201", "?q=Santoni", "?limit=500"} {
			w.Want(t, http.StatusOK, "GET", "/api/v1/caf/requests"+q, w.agent921, nil, &reqs)
			for _, r := range reqs.Items {
				if r.CafCode != "921" || r.ID == corse.ID {
					t.Errorf("921 lists %s of Caf %s", r.ID, r.CafCode)
				}
			}
		}
		var pros wire.Page[*wire.Professional]
		w.Want(t, http.StatusOK, "GET", "/api/v1/caf/professionals?limit=500", w.agent921, nil, &pros)
		if pros.Total != 2 {
			t.Errorf("921 sees %d professionals, want 2", pros.Total)
		}
		for _, p := range pros.Items {
			if p.CafCode != "921" {
				t.Errorf("921 lists professional %s of Caf %s", p.ID, p.CafCode)
			}
		}
		var audit wire.Page[wire.AuditEntry]
		w.Want(t, http.StatusOK, "GET", "/api/v1/caf/audit?limit=500", w.agent921, nil, &audit)
		for _, e := range audit.Items {
			if e.CafCode != "921" || e.TargetID == corse.ID {
				t.Errorf("921's audit shows %+v", e)
			}
		}
		w.Want(t, http.StatusOK, "GET", "/api/v1/caf/requests", w.agent201, nil, &reqs)
		if reqs.Total != 1 || reqs.Items[0].ID != corse.ID {
			t.Errorf("201's list: %+v", reqs.Items)
		}
	})

	t.Run("no_session", func(t *testing.T) {
		calls := append(lists, cafCalls(own, w.helene.ID)...)
		calls = append(calls, call{"GET", "/api/v1/me", nil}, call{"DELETE", "/api/v1/session", nil},
			call{"POST", "/api/v1/password/change", wire.PasswordChange{CurrentPassword: "x", NewPassword: "Pivoine blanche 55"}})
		for _, c := range calls {
			for _, tok := range []string{"", "garbage", strings.Repeat("A", 22), w.agent921 + "x"} {
				servertest.WantError(t, w.Do(t, c.method, c.path, tok, c.body), http.StatusUnauthorized, data.EUNAUTHORIZED, "")
			}
		}
		// Another scheme than Bearer is no token.
		req, _ := http.NewRequest("GET", w.URL+"/api/v1/caf/requests", nil)
		req.Header.Set("Authorization", "Basic "+w.agent921)
		resp, err := w.Client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusUnauthorized {
			t.Errorf("Basic scheme: status %d", resp.StatusCode)
		}
		servertest.WantError(t, w.Do(t, "GET", "/api/v1/nothing", "", nil), http.StatusNotFound, data.ENOTFOUND, "")
	})

	// The national administrator disables an agent: her session ends at
	// once and her password no longer opens one, as if it were wrong.
	t.Run("disabled_agent", func(t *testing.T) {
		if _, err := w.Service.SetAgentDisabled(context.Background(), server.CommandLine, agent201Email, true); err != nil {
			t.Fatal(err)
		}
		servertest.WantError(t, w.Do(t, "GET", "/api/v1/caf/requests", w.agent201, nil), http.StatusUnauthorized, data.EUNAUTHORIZED, "")
		a := login(w, t, agent201Email, agentPassword)
		b := login(w, t, "personne.201@example.fr", agentPassword)
		servertest.WantError(t, a, http.StatusUnauthorized, data.EUNAUTHORIZED, "")
		if !bytes.Equal(a.Body, b.Body) {
			t.Errorf("a disabled account is told apart: %s / %s", a.Body, b.Body)
		}
		n := w.MailCount(t, agent201Email)
		w.Want(t, http.StatusAccepted, "POST", "/api/v1/password/forgot", "", wire.PasswordForgot{Email: agent201Email}, nil)
		if w.MailCount(t, agent201Email) != n {
			t.Error("a disabled account was mailed a code")
		}
	})
}

// 5. The habilitation is checked at login and on every call.
func testHabilitation(t *testing.T, w *world) {
	const pw = "Tournesol jaune 2026"
	token := w.habilitated(t, pw)
	prof := "/api/v1/caf/professionals/" + w.helene.ID
	refused := func(t *testing.T, want string) {
		t.Helper()
		e := servertest.WantError(t, login(w, t, heleneEmail, pw), http.StatusForbidden, data.EHABILITATION, "")
		if !strings.Contains(e.Message, want) {
			t.Errorf("login refused with %q, want it to say « %s »", e.Message, want)
		}
	}

	// Suspended: her open session stops at once, and she cannot log in.
	var p wire.Professional
	w.Want(t, http.StatusOK, "POST", prof+"/suspend", w.agent921, wire.Reason{Reason: "Agrément suspendu par la PMI."}, &p)
	if p.Habilitation != string(data.HabilitationSuspended) {
		t.Fatalf("after suspend: %s", p.Habilitation)
	}
	if r := w.Do(t, "GET", "/api/v1/me", token, nil); r.Status != http.StatusUnauthorized && r.Status != http.StatusForbidden {
		t.Errorf("her session after the suspension: %s", r)
	} else {
		servertest.WantFrench(t, "session after suspension", r.Error(t).Message)
	}
	if m := w.WaitMail(t, heleneEmail, "suspendue"); !strings.Contains(m.Text, "Agrément suspendu par la PMI.") {
		t.Errorf("suspension mail:\n%s", m.Text)
	}
	refused(t, "suspendue")
	servertest.WantError(t, w.Do(t, "POST", prof+"/suspend", w.agent921, wire.Reason{}), http.StatusConflict, data.ECONFLICT, "")
	// Anyone may fill in the request form in her name: that must not undo
	// the Caf's suspension (nor show her to parents again).
	if !w.Submit(t, heleneForm()).Matched {
		t.Error("a new request of hers is not matched")
	}
	if h := w.professional(t, w.helene.ID).Habilitation; h != data.HabilitationSuspended {
		t.Errorf("a request form turned her suspended habilitation into %s", h)
	}

	// Reactivated.
	w.Want(t, http.StatusOK, "POST", prof+"/reactivate", w.agent921, nil, &p)
	w.WaitMail(t, heleneEmail, "de nouveau active")
	token = w.Login(t, heleneEmail, pw).Token

	// Revoked.
	w.Want(t, http.StatusOK, "POST", prof+"/revoke", w.agent921, wire.Reason{Reason: "Fin d'activité."}, &p)
	if p.Habilitation != string(data.HabilitationRevoked) {
		t.Fatalf("after revoke: %s", p.Habilitation)
	}
	if r := w.Do(t, "GET", "/api/v1/me", token, nil); r.Status != http.StatusUnauthorized && r.Status != http.StatusForbidden {
		t.Errorf("her session after the revocation: %s", r)
	}
	w.WaitMail(t, heleneEmail, "retirée")
	refused(t, "retirée")
	w.Submit(t, heleneForm())
	if h := w.professional(t, w.helene.ID).Habilitation; h != data.HabilitationRevoked {
		t.Errorf("a request form turned her revoked habilitation into %s", h)
	}
	servertest.WantError(t, w.Do(t, "POST", prof+"/reactivate", w.agent921, nil), http.StatusConflict, data.ECONFLICT, "")

	// Delisted by the PMI: refused, even with an active habilitation, and
	// an open session stops.
	ctx := context.Background()
	hp := w.professional(t, w.helene.ID)
	hp.Habilitation = data.HabilitationActive
	if err := w.Store.UpdateProfessional(ctx, hp); err != nil {
		t.Fatal(err)
	}
	token = w.Login(t, heleneEmail, pw).Token
	hp.Listing = data.Delisted
	if err := w.Store.UpdateProfessional(ctx, hp); err != nil {
		t.Fatal(err)
	}
	servertest.WantError(t, w.Do(t, "GET", "/api/v1/me", token, nil), http.StatusForbidden, data.EHABILITATION, "")
	refused(t, "plus inscrit(e)")

	// A wrong password still says only that: the habilitation is not told
	// to someone who does not hold the password.
	servertest.WantError(t, login(w, t, heleneEmail, "Pas le bon mot de passe"), http.StatusUnauthorized, data.EUNAUTHORIZED, "")
}

// 6. Wrong passwords slow down then lock, for an account and an unknown
// address alike; nothing tells whether an address has an account.
func testLockout(t *testing.T, w *world) {
	const unknown = "personne@example.fr"
	same := func(t *testing.T, what string, a, b *servertest.Response) {
		t.Helper()
		if a.Status != b.Status || !bytes.Equal(a.Body, b.Body) {
			t.Errorf("%s: an account and an unknown address are told apart:\n  %s\n  %s", what, a, b)
		}
	}
	for i := 1; i <= server.AccountLockAfter; i++ {
		wantPauses := 2 * max(0, i-1-server.AccountSlowAfter)
		if n := len(w.Pauses.List()); n != wantPauses {
			t.Errorf("before attempt %d: %d pauses, want %d", i, n, wantPauses)
		}
		a := login(w, t, agent921Email, fmt.Sprintf("mauvais mot de passe %d", i))
		b := login(w, t, unknown, fmt.Sprintf("mauvais mot de passe %d", i))
		same(t, fmt.Sprintf("attempt %d", i), a, b)
		if i < server.AccountLockAfter {
			servertest.WantError(t, a, http.StatusUnauthorized, data.EUNAUTHORIZED, "")
		} else {
			e := servertest.WantError(t, a, http.StatusTooManyRequests, data.ERATELIMIT, "")
			if !strings.Contains(e.Message, "15 minute") {
				t.Errorf("lock message %q does not say for how long", e.Message)
			}
		}
	}
	if p := w.Pauses.List(); !slices.Equal(p, []time.Duration{time.Second, time.Second, 2 * time.Second, 2 * time.Second}) {
		t.Errorf("pauses %v, want 1s, 1s (4th attempts), 2s, 2s (5th)", p)
	}
	// Locked: even the right password is refused, alike.
	a := login(w, t, agent921Email, agentPassword)
	b := login(w, t, unknown, agentPassword)
	servertest.WantError(t, a, http.StatusTooManyRequests, data.ERATELIMIT, "")
	same(t, "locked", a, b)
	// Another account is not locked.
	servertest.WantError(t, login(w, t, agent201Email, "mauvais"), http.StatusUnauthorized, data.EUNAUTHORIZED, "")
	w.Login(t, agent201Email, agentPassword)

	// The lock ends with the window.
	w.Clock.Advance(server.ThrottleWindow + time.Minute)
	w.Login(t, agent921Email, agentPassword)
	servertest.WantError(t, login(w, t, unknown, agentPassword), http.StatusUnauthorized, data.EUNAUTHORIZED, "")

	// Per client address: many addresses tried from one place lock it.
	w.Clock.Advance(server.ThrottleWindow + time.Minute)
	for i := 0; i < server.AddressLockAfter; i++ {
		servertest.WantError(t, login(w, t, fmt.Sprintf("essai%d@example.fr", i), "mauvais"), http.StatusUnauthorized, data.EUNAUTHORIZED, "")
	}
	servertest.WantError(t, login(w, t, agent921Email, agentPassword), http.StatusTooManyRequests, data.ERATELIMIT, "")
	w.Clock.Advance(server.ThrottleWindow + time.Minute)
	w.Login(t, agent921Email, agentPassword)

	// « Mot de passe oublié ? »: the same answer, a mail only to the account.
	mails := len(w.Mail.Messages())
	a = w.Do(t, "POST", "/api/v1/password/forgot", "", wire.PasswordForgot{Email: agent921Email})
	b = w.Do(t, "POST", "/api/v1/password/forgot", "", wire.PasswordForgot{Email: unknown})
	if a.Status != http.StatusAccepted {
		t.Fatalf("forgot: %s", a)
	}
	same(t, "forgot", a, b)
	w.WaitMail(t, agent921Email, "Mot de passe oublié")
	if got := len(w.Mail.Messages()); got != mails+1 {
		t.Errorf("%d mails sent, want 1 (to the account only)", got-mails)
	}
	if n := w.MailCount(t, unknown); n != 0 {
		t.Errorf("%d mails to an address without an account", n)
	}
	servertest.WantError(t, w.Do(t, "POST", "/api/v1/password/forgot", "", wire.PasswordForgot{Email: "pas une adresse"}),
		http.StatusUnprocessableEntity, data.EINVALID, "email")

	// A code typed with a weak password, or a wrong code: the same answers.
	for _, next := range []string{"court", "Pivoine blanche 55"} {
		a = w.Do(t, "POST", "/api/v1/password/reset", "", wire.PasswordReset{Email: agent921Email, Code: "ABCD-EFGH-JK", NewPassword: next})
		b = w.Do(t, "POST", "/api/v1/password/reset", "", wire.PasswordReset{Email: unknown, Code: "ABCD-EFGH-JK", NewPassword: next})
		servertest.WantError(t, a, http.StatusUnprocessableEntity, data.EINVALID, "")
		same(t, "reset with "+next, a, b)
	}

	// Asking again and again is slowed down too, alike.
	for i := 0; i < server.AccountLockAfter-2; i++ {
		w.Want(t, http.StatusAccepted, "POST", "/api/v1/password/forgot", "", wire.PasswordForgot{Email: unknown}, nil)
	}
	a = w.Do(t, "POST", "/api/v1/password/forgot", "", wire.PasswordForgot{Email: agent921Email})
	b = w.Do(t, "POST", "/api/v1/password/forgot", "", wire.PasswordForgot{Email: unknown})
	servertest.WantError(t, a, http.StatusTooManyRequests, data.ERATELIMIT, "")
	same(t, "forgot, too often", a, b)
}

// 7. The rules of a chosen password.
func testPasswordPolicy(t *testing.T, w *world) {
	sub := w.Submit(t, heleneForm())
	_, generated := w.Habilitate(t, w.agent921, sub.ID)
	token := w.Login(t, heleneEmail, generated).Token
	change := func(current, next string) *servertest.Response {
		return w.Do(t, "POST", "/api/v1/password/change", token, wire.PasswordChange{CurrentPassword: current, NewPassword: next})
	}
	for _, c := range []struct{ name, next, says string }{
		{"seven_chars", "Tulipe7", "8 caractères"},
		{"email", heleneEmail, "adresse électronique"},
		{"email_local_part", "Helene.Lefevre", "adresse électronique"},
		{"common", "azerty123", "courants"},
		{"generated", generated, "différent"},
		{"generated_other_case", strings.ToLower(generated), "différent"},
		{"too_long", strings.Repeat("long mot de passe ", 8), "dépasser"},
	} {
		t.Run(c.name, func(t *testing.T) {
			e := servertest.WantError(t, change(generated, c.next), http.StatusUnprocessableEntity, data.EINVALID, "new_password")
			if !strings.Contains(e.Fields["new_password"], c.says) {
				t.Errorf("message %q, want it to say « %s »", e.Fields["new_password"], c.says)
			}
		})
	}
	t.Run("wrong_current", func(t *testing.T) {
		servertest.WantError(t, change("Pas le bon", "Pivoine blanche 55"), http.StatusUnprocessableEntity, data.EINVALID, "current_password")
	})
	// Nothing changed: the session is still restricted, the generated
	// password still the one.
	servertest.WantError(t, w.Do(t, "GET", "/api/v1/caf/requests", token, nil), http.StatusForbidden, data.EPASSWORDCHANGE, "")
	if !w.Login(t, heleneEmail, generated).MustChangePassword {
		t.Error("the generated password no longer asks for a change")
	}
	var res wire.LoginResponse
	w.Want(t, http.StatusOK, "POST", "/api/v1/password/change", token, wire.PasswordChange{CurrentPassword: generated, NewPassword: "Pivoine blanche 55"}, &res)
	if res.MustChangePassword {
		t.Error("still must change")
	}
	// A change ends every other session and opens one.
	other := w.Login(t, heleneEmail, "Pivoine blanche 55").Token
	w.Want(t, http.StatusOK, "POST", "/api/v1/password/change", res.Token, wire.PasswordChange{CurrentPassword: "Pivoine blanche 55", NewPassword: "Violette 2026 !"}, &res)
	servertest.WantError(t, w.Do(t, "GET", "/api/v1/me", other, nil), http.StatusUnauthorized, data.EUNAUTHORIZED, "")
	w.Want(t, http.StatusOK, "GET", "/api/v1/me", res.Token, nil, nil)
	// Once chosen, the same rules, now against the chosen password's owner.
	servertest.WantError(t, w.Do(t, "POST", "/api/v1/password/change", res.Token, wire.PasswordChange{CurrentPassword: "Violette 2026 !", NewPassword: "motdepasse"}),
		http.StatusUnprocessableEntity, data.EINVALID, "new_password")
	// The same rules in a reset.
	w.Want(t, http.StatusAccepted, "POST", "/api/v1/password/forgot", "", wire.PasswordForgot{Email: heleneEmail}, nil)
	code := servertest.Quoted(t, w.WaitMail(t, heleneEmail, "Mot de passe oublié").Text, "Votre code est")
	servertest.WantError(t, w.Do(t, "POST", "/api/v1/password/reset", "", wire.PasswordReset{Email: heleneEmail, Code: code, NewPassword: "azerty123"}),
		http.StatusUnprocessableEntity, data.EINVALID, "new_password")
	// The refused password did not spend the code.
	w.Want(t, http.StatusOK, "POST", "/api/v1/password/reset", "", wire.PasswordReset{Email: heleneEmail, Code: strings.ToLower(code), NewPassword: "Jonquille 1234"}, nil)
	w.Login(t, heleneEmail, "Jonquille 1234")
}

// 8. A refusal needs a reason, is mailed, and is final.
func testRefuse(t *testing.T, w *world) {
	sub := w.Submit(t, heleneForm())
	base := "/api/v1/caf/requests/" + sub.ID
	w.Want(t, http.StatusOK, "POST", base+"/letter-sent", w.agent921, wire.LetterSent{}, nil)
	for _, reason := range []string{"", "   \n "} {
		servertest.WantError(t, w.Do(t, "POST", base+"/refuse", w.agent921, wire.Reason{Reason: reason}), http.StatusUnprocessableEntity, data.EINVALID, "reason")
	}
	if s := w.request(t, sub.ID).State; s != data.RequestLetter {
		t.Fatalf("state %s after refusals without a reason", s)
	}
	const reason = "Votre agrément n'est plus valable d'après la PMI."
	var r wire.Request
	w.Want(t, http.StatusOK, "POST", base+"/refuse", w.agent921, wire.Reason{Reason: reason}, &r)
	if r.State != string(data.RequestRefused) || r.RefusalReason != reason || r.StateLabel != "Refusée" {
		t.Errorf("after refuse: %+v", r)
	}
	m := w.WaitMail(t, heleneEmail, "n'a pas été acceptée")
	if !strings.Contains(m.Text, "Motif : "+reason) || !strings.Contains(m.Text, "Caf des Hauts-de-Seine") {
		t.Errorf("refusal mail:\n%s", m.Text)
	}
	if h := w.professional(t, w.helene.ID).Habilitation; h != data.HabilitationNone {
		t.Errorf("her habilitation %s after the refusal, want none", h)
	}
	for _, c := range []struct {
		path string
		body any
	}{{"/validate", nil}, {"/agreement", nil}, {"/letter-sent", wire.LetterSent{}}, {"/refuse", wire.Reason{Reason: "encore"}}} {
		servertest.WantError(t, w.Do(t, "POST", base+c.path, w.agent921, c.body), http.StatusConflict, data.ECONFLICT, "")
	}
	if s := w.request(t, sub.ID); s.State != data.RequestRefused || s.RefusalReason != reason {
		t.Errorf("stored: %s %q", s.State, s.RefusalReason)
	}
	if list, _, err := w.Store.FindAccounts(context.Background(), data.AccountFilter{ProfessionalID: w.helene.ID}); err != nil {
		t.Fatal(err)
	} else if len(list) != 0 {
		t.Errorf("an account was created for a refused request")
	}
}

// 9. The generated password expires.
func testExpiredGenerated(t *testing.T, w *world) {
	sub := w.Submit(t, heleneForm())
	_, generated := w.Habilitate(t, w.agent921, sub.ID)
	w.Clock.Advance(4 * 24 * time.Hour)
	if !w.Login(t, heleneEmail, generated).MustChangePassword {
		t.Error("must_change_password false")
	}
	w.Clock.Advance(2 * 24 * time.Hour)
	e := servertest.WantError(t, login(w, t, heleneEmail, generated), http.StatusUnauthorized, data.EUNAUTHORIZED, "")
	if !strings.Contains(e.Message, "« Mot de passe oublié ? »") || !strings.Contains(e.Message, "expiré") {
		t.Errorf("message %q", e.Message)
	}
	// « Mot de passe oublié ? » gets her in.
	w.Want(t, http.StatusAccepted, "POST", "/api/v1/password/forgot", "", wire.PasswordForgot{Email: heleneEmail}, nil)
	code := servertest.Quoted(t, w.WaitMail(t, heleneEmail, "Mot de passe oublié").Text, "Votre code est")
	w.Want(t, http.StatusOK, "POST", "/api/v1/password/reset", "", wire.PasswordReset{Email: heleneEmail, Code: code, NewPassword: "Pivoine blanche 55"}, nil)
	if w.Login(t, heleneEmail, "Pivoine blanche 55").MustChangePassword {
		t.Error("a chosen password must not be changed again")
	}
}

// 10. Every agent action is audited, and no secret is written anywhere the
// Caf can read, nor in the log.
func testAudit(t *testing.T, w *world) {
	var secrets []string
	for _, agent := range []string{agent921Email, agent201Email} {
		m := w.WaitMail(t, agent, "Votre compte d'agent")
		secrets = append(secrets, servertest.Quoted(t, m.Text, "ce code à usage unique"))
	}
	secrets = append(secrets, agentPassword, w.agent921, w.agent201)

	form := heleneForm()
	var answer string
	form.CaptchaID, answer = w.NewCaptcha(t)
	form.CaptchaAnswer = answer
	var sub wire.SubmitResponse
	w.Want(t, http.StatusCreated, "POST", "/api/v1/requests", "", form, &sub)
	base := "/api/v1/caf/requests/" + sub.ID
	w.Want(t, http.StatusOK, "POST", base+"/letter-sent", w.agent921, wire.LetterSent{SendMail: true}, nil)
	w.Want(t, http.StatusOK, "POST", base+"/agreement", w.agent921, nil, nil)
	w.Want(t, http.StatusOK, "POST", base+"/validate", w.agent921, nil, nil)
	generated := servertest.Quoted(t, w.WaitMail(t, heleneEmail, "Votre compte a été créé").Text, "Votre mot de passe est")
	const chosen, reset, again = "Tournesol jaune 2026", "Coquelicot rouge 77", "Jonquille 1234"
	activated := w.Activate(t, heleneEmail, generated, chosen)
	secrets = append(secrets, generated, chosen, activated.Token)

	w.Want(t, http.StatusAccepted, "POST", "/api/v1/password/forgot", "", wire.PasswordForgot{Email: heleneEmail}, nil)
	code := servertest.Quoted(t, w.WaitMail(t, heleneEmail, "Mot de passe oublié").Text, "Votre code est")
	w.Want(t, http.StatusOK, "POST", "/api/v1/password/reset", "", wire.PasswordReset{Email: heleneEmail, Code: code, NewPassword: reset}, nil)
	secrets = append(secrets, code, reset)

	// The agent triggers a reset: a code to her, nothing to the agent.
	n := w.MailCount(t, heleneEmail)
	w.Want(t, http.StatusAccepted, "POST", "/api/v1/caf/professionals/"+w.helene.ID+"/password-reset", w.agent921, nil, nil)
	code2 := servertest.Quoted(t, w.WaitNewMail(t, heleneEmail, "Mot de passe oublié", n).Text, "Votre code est")
	w.Want(t, http.StatusOK, "POST", "/api/v1/password/reset", "", wire.PasswordReset{Email: heleneEmail, Code: code2, NewPassword: again}, nil)
	session := w.Login(t, heleneEmail, again).Token
	secrets = append(secrets, code2, again, session)
	w.Want(t, http.StatusOK, "POST", "/api/v1/caf/professionals/"+w.helene.ID+"/suspend", w.agent921, wire.Reason{Reason: "Contrôle PMI."}, nil)
	secrets = append(secrets, answer) // last: its digits may be short enough to appear by chance in a date
	strong := secrets[:len(secrets)-1]

	var audit wire.Page[wire.AuditEntry]
	w.Want(t, http.StatusOK, "GET", "/api/v1/caf/audit?limit=500", w.agent921, nil, &audit)
	actions := map[string]bool{}
	for _, e := range audit.Items {
		actions[e.Action] = true
		if e.At.IsZero() || e.ActorName == "" {
			t.Errorf("entry without time or actor: %+v", e)
		}
	}
	for _, a := range []string{"agent.create", "request.create", "request.letter", "request.agreement", "request.validate",
		"account.password_change", "account.password_reset", "professional.password_reset", "professional.suspend"} {
		if !actions[a] {
			t.Errorf("no %s in the audit of Caf 921 (%v)", a, actions)
		}
	}
	for _, e := range audit.Items {
		if e.Action == "request.validate" && (e.ActorID == "" || e.TargetID != sub.ID || e.ActorName != agent921Email) {
			t.Errorf("validation audited as %+v", e)
		}
	}
	all, _, err := w.Service.Audit(context.Background(), server.CommandLine, data.AuditFilter{Limit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range all {
		j, _ := json.Marshal(wire.AuditEntryOf(e))
		for _, s := range strong {
			if containsSecret(string(j), s) {
				t.Errorf("audit entry %s holds a secret", j)
			}
		}
	}

	// What the agent reads of the request and the professional.
	for _, path := range []string{base, "/api/v1/caf/professionals/" + w.helene.ID, "/api/v1/caf/requests?limit=500", "/api/v1/caf/professionals?limit=500"} {
		r := w.Want(t, http.StatusOK, "GET", path, w.agent921, nil, nil)
		noSecretKeys(t, path, r.Body)
		for _, s := range secrets {
			if containsSecret(string(r.Body), s) {
				t.Errorf("GET %s shows a secret", path)
			}
		}
	}

	// Mails: none to a Caf carries a secret; each secret goes only to its
	// owner.
	cafs := map[string]bool{}
	for _, c := range data.DefaultReference().Cafs() {
		cafs[strings.ToLower(c.HabilitationEmail)] = true
	}
	owner := map[string]string{generated: heleneEmail, code: heleneEmail, code2: heleneEmail}
	for _, m := range w.Mails(t) {
		body := m.Subject + "\n" + m.Text
		for _, a := range m.Attachments {
			body += "\n" + string(a.Data)
		}
		for _, rcpt := range m.Envelope {
			if cafs[strings.ToLower(rcpt)] {
				for _, s := range secrets {
					if containsSecret(body, s) {
						t.Errorf("a mail to the Caf address %s holds a secret", rcpt)
					}
				}
			}
		}
		for s, to := range owner {
			if containsSecret(body, s) && (len(m.Envelope) != 1 || !strings.EqualFold(m.Envelope[0], to)) {
				t.Errorf("a mail to %v holds a secret of %s", m.Envelope, to)
			}
		}
	}

	// The log.
	log := w.Log.String()
	if !strings.Contains(log, "mail sent") {
		t.Errorf("nothing logged? %q", log)
	}
	for _, s := range strong {
		if containsSecret(log, s) {
			t.Errorf("the log holds a secret (%d chars)", len(s))
		}
	}
	if strings.Contains(log, "captcha_answer") || strings.Contains(log, "answer="+answer) {
		t.Error("the log holds the captcha answer")
	}
}

// containsSecret reports whether text holds s, as typed or with its dashes
// left out (a code), ignoring case for codes.
func containsSecret(text, s string) bool {
	if strings.Contains(text, s) {
		return true
	}
	if strings.Count(s, "-") == 2 && len(s) == 12 {
		bare := strings.ReplaceAll(s, "-", "")
		return strings.Contains(strings.ToUpper(text), bare)
	}
	return false
}

// 11. A structure on no list gets its fiche when its request is
// validated.
func testStructure(t *testing.T, w *world) {
	f := wire.RequestForm{
		Kind: string(data.KindStructure), LastName: "Lefèvre", FirstName: "François",
		StructureName: "Micro-crèche Les Petits Pas", StreetNumber: "3", StreetType: "place", StreetName: "de l'Église",
		PostalCode: "92100", Commune: "Boulogne-Billancourt", Phone: "01 46 00 00 00",
		Email: "direction@petitspas.example.fr", EmailConfirm: "direction@petitspas.example.fr",
	}
	sub := w.Submit(t, f)
	if sub.Matched || sub.Caf.Code != "921" {
		t.Errorf("submit: %+v", sub)
	}
	if strings.Contains(sub.Message, "assistant(e)s maternel(le)s") {
		t.Errorf("a structure is told about the childminders' list: %q", sub.Message)
	}
	v, generated := w.Habilitate(t, w.agent921, sub.ID)
	if v.Account.Role != string(data.RoleStructure) || v.Account.ProfessionalID == "" || v.Request.ProfessionalID != v.Account.ProfessionalID {
		t.Fatalf("validate: %+v %+v", v.Account, v.Request)
	}
	p := w.professional(t, v.Account.ProfessionalID)
	if p.Kind != data.KindStructure || p.StructureName != "Micro-crèche Les Petits Pas" || p.CafCode != "921" || p.Department != "92" ||
		p.Listing != data.Listed || p.Habilitation != data.HabilitationActive || p.Address.CommuneINSEE != "92012" || p.Email != f.Email {
		t.Errorf("the structure's fiche: %+v", p)
	}
	res := w.Activate(t, f.Email, generated, "Pivoine blanche 55")
	if res.Account.Role != string(data.RoleStructure) || res.Professional == nil || res.Professional.StructureName != "Micro-crèche Les Petits Pas" {
		t.Errorf("login: %+v", res)
	}
	var pros wire.Page[*wire.Professional]
	w.Want(t, http.StatusOK, "GET", "/api/v1/caf/professionals?kind=structure", w.agent921, nil, &pros)
	if pros.Total != 1 || pros.Items[0].ID != p.ID {
		t.Errorf("the agent's structures: %+v", pros.Items)
	}
	// A second request of the same structure is matched to its fiche.
	f.Email, f.EmailConfirm = "accueil@petitspas.example.fr", "accueil@petitspas.example.fr"
	if again := w.Submit(t, f); !again.Matched {
		t.Errorf("the structure's second request is not matched to its fiche")
	}
}

// 12. The SMTP server refuses mail: what is stored stays stored, the
// answers say so, and the agent can have a code sent once it works again.
func testMailDown(t *testing.T, w *world) {
	w.Mail.Refuse(false)
	sub := w.Submit(t, heleneForm())
	if sub.MailSent || !strings.Contains(sub.Message, "n'a pas pu être envoyé") {
		t.Errorf("submit with the mail down: %+v", sub)
	}
	if w.request(t, sub.ID).State != data.RequestReceived {
		t.Error("the request was not kept")
	}
	base := "/api/v1/caf/requests/" + sub.ID
	servertest.WantError(t, w.Do(t, "POST", base+"/letter-sent", w.agent921, wire.LetterSent{SendMail: true}), http.StatusServiceUnavailable, data.EUNAVAILABLE, "")
	if s := w.request(t, sub.ID).State; s != data.RequestReceived {
		t.Errorf("state %s after a letter that could not be mailed", s)
	}
	w.Want(t, http.StatusOK, "POST", base+"/letter-sent", w.agent921, wire.LetterSent{}, nil)
	w.Want(t, http.StatusOK, "POST", base+"/agreement", w.agent921, nil, nil)
	var v wire.ValidateResponse
	w.Want(t, http.StatusOK, "POST", base+"/validate", w.agent921, nil, &v)
	if v.MailSent || v.Request.State != string(data.RequestValidated) {
		t.Errorf("validate with the mail down: mail_sent %v, state %s", v.MailSent, v.Request.State)
	}
	if n := len(w.Mail.Messages()); n != 2 { // the agents' welcome mails
		t.Errorf("%d mails received while the server refused them", n)
	}
	servertest.WantError(t, w.Do(t, "POST", "/api/v1/caf/professionals/"+w.helene.ID+"/password-reset", w.agent921, nil),
		http.StatusServiceUnavailable, data.EUNAVAILABLE, "")
	// « Mot de passe oublié ? » still answers as for an unknown address.
	a := w.Do(t, "POST", "/api/v1/password/forgot", "", wire.PasswordForgot{Email: heleneEmail})
	b := w.Do(t, "POST", "/api/v1/password/forgot", "", wire.PasswordForgot{Email: "personne@example.fr"})
	if a.Status != http.StatusAccepted || b.Status != a.Status || !bytes.Equal(a.Body, b.Body) {
		t.Errorf("forgot with the mail down: %s / %s", a, b)
	}

	// The mail works again: the agent has a code sent to her. The forgot
	// answers above sent their mails in the background: wait for them, or a
	// late one replaces the code the agent has sent.
	w.Service.Wait()
	w.Mail.Accept()
	w.Want(t, http.StatusAccepted, "POST", "/api/v1/caf/professionals/"+w.helene.ID+"/password-reset", w.agent921, nil, nil)
	code := servertest.Quoted(t, w.WaitMail(t, heleneEmail, "Mot de passe oublié").Text, "Votre code est")
	w.Want(t, http.StatusOK, "POST", "/api/v1/password/reset", "", wire.PasswordReset{Email: heleneEmail, Code: code, NewPassword: "Pivoine blanche 55"}, nil)
	if w.Login(t, heleneEmail, "Pivoine blanche 55").MustChangePassword {
		t.Error("must change a chosen password")
	}
}

// 13. A request goes to the Caf of the commune: Corsica, overseas, and a
// postal code shared by two départements.
func testRouting(t *testing.T, w *world) {
	for _, c := range []struct{ postalCode, commune, dept, caf string }{
		{"20090", "Ajaccio", "2A", "201"},
		{"13780", "Cuges-les-Pins", "13", "131"},
		{"13780", "Riboux", "83", "831"},
		{"97400", "Saint-Denis", "974", "974"},
	} {
		t.Run(c.postalCode+"_"+c.commune, func(t *testing.T) {
			f := heleneForm()
			f.PostalCode, f.Commune = c.postalCode, c.commune
			sub := w.Submit(t, f)
			r := w.request(t, sub.ID)
			if sub.Caf.Code != c.caf || r.CafCode != c.caf || r.Department != c.dept || sub.Matched {
				t.Errorf("routed to Caf %s (%s), département %s, matched %v; want Caf %s, département %s",
					sub.Caf.Code, sub.Caf.Name, r.Department, sub.Matched, c.caf, c.dept)
			}
		})
	}
	// None of them is Caf 921's.
	var page wire.Page[*wire.Request]
	w.Want(t, http.StatusOK, "GET", "/api/v1/caf/requests", w.agent921, nil, &page)
	if page.Total != 0 {
		t.Errorf("Caf 921 sees %d requests of other départements", page.Total)
	}
}
