package ui

import (
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"espacepro/data"
	"espacepro/sync/wire"
)

// newPasswordFake returns a fake whose account logged in with the
// generated password x1WisU2H and must change it.
func newPasswordFake() *fakeService {
	f := newFakeService()
	f.password = "x1WisU2H"
	f.login = &wire.LoginResponse{MustChangePassword: true,
		Account: &wire.Account{ID: "a1", Email: "marie.dupont@exemple.fr", FirstName: "Marie", LastName: "Dupont"}}
	return f
}

// newPasswordChangeWindow shows a password change screen in a test window.
func newPasswordChangeWindow(t *testing.T, f *fakeService, forced bool) (*passwordChangeScreen, fyne.Window) {
	t.Helper()
	a := test.NewTempApp(t)
	w := a.NewWindow("password")
	t.Cleanup(w.Close)
	s := newPasswordChangeScreen(f, w, forced)
	w.SetContent(s.content)
	w.Resize(fyne.NewSize(640, 560))
	return s, w
}

// typePasswords fills in the three fields.
func typePasswords(s *passwordChangeScreen, current, next, confirm string) {
	test.Type(s.current.entry, current)
	test.Type(s.next.entry, next)
	test.Type(s.confirm.entry, confirm)
}

// assertFieldMessage checks the message shown under one field.
func assertFieldMessage(t *testing.T, name string, f passwordField, want string) {
	t.Helper()
	if want == "" {
		if f.message.Visible() {
			t.Errorf("%s: unexpected message %q", name, f.message.Text)
		}
		return
	}
	if !f.message.Visible() || f.message.Text != want {
		t.Errorf("%s: message %q (visible %v), want %q", name, f.message.Text, f.message.Visible(), want)
	}
}

func TestPasswordChangeForced(t *testing.T) {
	f := newPasswordFake()
	s, w := newPasswordChangeWindow(t, f, true)
	assertShowsWrapped(t, w,
		"Modifier votre mot de passe",
		"Pour votre première connexion, vous devez choisir un nouveau mot de passe.",
		"Mot de passe actuel*",
		"Nouveau mot de passe*",
		"Confirmer le nouveau mot de passe*",
	)
	if s.cancel.Visible() {
		t.Error("« Annuler » is offered on the forced change")
	}
	test.AssertRendersToMarkup(t, "password_forced.xml", w.Canvas())
}

func TestPasswordChangeNotForcedCanBeCancelled(t *testing.T) {
	s, w := newPasswordChangeWindow(t, newPasswordFake(), false)
	if shownText(w, "Pour votre première connexion, vous devez choisir un nouveau mot de passe.") {
		t.Error("the first-login explanation is shown outside the first login")
	}
	cancelled := false
	s.onCancel = func() { cancelled = true }
	test.Tap(s.cancel)
	if !cancelled {
		t.Error("« Annuler » did not call onCancel")
	}
}

func TestPasswordChangeMismatch(t *testing.T) {
	f := newPasswordFake()
	s, w := newPasswordChangeWindow(t, f, true)
	typePasswords(s, "x1WisU2H", "un jardin sous la pluie", "un jardin sous la pluis")
	test.Tap(s.submit)
	if f.called("ChangePassword") {
		t.Fatal("ChangePassword called with two different passwords")
	}
	assertFieldMessage(t, "confirm", s.confirm, "Les deux mots de passe saisis ne sont pas identiques.")
	assertShowsWrapped(t, w, "Les deux mots de passe saisis ne sont pas identiques.")
}

func TestPasswordChangeLocalChecks(t *testing.T) {
	f := newPasswordFake()
	s, _ := newPasswordChangeWindow(t, f, true)
	test.Tap(s.submit)
	assertFieldMessage(t, "current", s.current, "Saisissez votre mot de passe actuel.")
	assertFieldMessage(t, "next", s.next, "Saisissez un nouveau mot de passe.")
	assertFieldMessage(t, "confirm", s.confirm, "Saisissez une seconde fois le nouveau mot de passe.")

	s.current.entry.SetText("")
	s.next.entry.SetText("")
	s.confirm.entry.SetText("")
	typePasswords(s, "x1WisU2H", "x1WisU2H", "x1WisU2H")
	test.Tap(s.submit)
	assertFieldMessage(t, "current", s.current, "")
	assertFieldMessage(t, "next", s.next, "Le nouveau mot de passe doit être différent du mot de passe actuel.")
	assertFieldMessage(t, "confirm", s.confirm, "")
	if f.called("ChangePassword") {
		t.Fatal("ChangePassword called after a local refusal")
	}
}

func TestPasswordChangeSuccess(t *testing.T) {
	f := newPasswordFake()
	s, _ := newPasswordChangeWindow(t, f, true)
	var got *wire.LoginResponse
	s.onDone = func(res *wire.LoginResponse) { got = res }
	typePasswords(s, "x1WisU2H", "un jardin sous la pluie", "un jardin sous la pluie")
	test.Tap(s.submit)
	if !f.called("ChangePassword") {
		t.Fatal("ChangePassword not called")
	}
	if got == nil || got.MustChangePassword || got.Account.Email != "marie.dupont@exemple.fr" {
		t.Fatalf("onDone got %+v", got)
	}
	if f.password != "un jardin sous la pluie" {
		t.Errorf("the service got the new password %q", f.password)
	}
	if s.next.entry.Text != "" || s.current.entry.Text != "" {
		t.Error("the passwords stay in the fields after the change")
	}
}

func TestPasswordChangePolicyRefusal(t *testing.T) {
	const msg = "Ce mot de passe fait partie des plus courants : choisissez-en un autre."
	for name, err := range map[string]error{
		"with field":    &data.Error{Code: data.EINVALID, Message: msg, Fields: map[string]string{"new_password": msg}},
		"without field": &data.Error{Code: data.EINVALID, Message: msg},
	} {
		t.Run(name, func(t *testing.T) {
			f := newPasswordFake()
			f.fail["ChangePassword"] = err
			s, w := newPasswordChangeWindow(t, f, true)
			done := false
			s.onDone = func(*wire.LoginResponse) { done = true }
			typePasswords(s, "x1WisU2H", "motdepasse", "motdepasse")
			test.Tap(s.submit)
			if done {
				t.Fatal("onDone called after a refusal")
			}
			assertFieldMessage(t, "next", s.next, msg)
			assertFieldMessage(t, "current", s.current, "")
			if s.message.Visible() {
				t.Errorf("the refusal is also shown under the form: %q", s.message.Text)
			}
			assertShowsWrapped(t, w, msg)
			if s.submit.Disabled() {
				t.Error("the button stays disabled")
			}
		})
	}
}

func TestPasswordChangeWrongCurrent(t *testing.T) {
	f := newPasswordFake()
	const msg = "Le mot de passe actuel est incorrect."
	f.fail["ChangePassword"] = &data.Error{Code: data.EINVALID, Message: msg,
		Fields: map[string]string{"current_password": msg}}
	s, _ := newPasswordChangeWindow(t, f, false)
	typePasswords(s, "faux", "un jardin sous la pluie", "un jardin sous la pluie")
	test.Tap(s.submit)
	assertFieldMessage(t, "current", s.current, msg)
	assertFieldMessage(t, "next", s.next, "")

	// An error that concerns no field (here, no session) goes under the form.
	f.fail["ChangePassword"] = data.Errorf(data.EUNAUTHORIZED, "Connectez-vous au serveur.")
	test.Tap(s.submit)
	if !s.message.Visible() || s.message.Text != "Connectez-vous au serveur." {
		t.Errorf("general message %q", s.message.Text)
	}
}

// newForgotWindow shows the forgotten-password screen in a test window.
func newForgotWindow(t *testing.T, f *fakeService) (*forgotPasswordScreen, fyne.Window) {
	t.Helper()
	a := test.NewTempApp(t)
	w := a.NewWindow("forgot")
	t.Cleanup(w.Close)
	s := newForgotPasswordScreen(f, w)
	w.SetContent(s.content)
	w.Resize(fyne.NewSize(640, 560))
	return s, w
}

func TestForgotPasswordBothSteps(t *testing.T) {
	f := newPasswordFake()
	s, w := newForgotWindow(t, f)
	assertShowsWrapped(t, w, "Mot de passe oublié ?", "Votre adresse électronique* :")
	if s.step2.Visible() {
		t.Fatal("step 2 shown first")
	}

	test.Type(s.email, "marie.dupont@exemple.fr")
	test.Tap(s.send)
	if !f.called("ForgotPassword marie.dupont@exemple.fr") {
		t.Fatalf("calls %v", f.calls)
	}
	if s.step1.Visible() || !s.step2.Visible() {
		t.Fatal("step 2 not shown")
	}
	// The service's own words, which do not tell whether the address exists.
	assertShowsWrapped(t, w, "Si un compte existe pour cette adresse, un code vient d'y être envoyé.", "Code reçu par courriel*")

	done := false
	s.onDone = func() { done = true }
	test.Type(s.code.entry, " 482913 ")
	test.Type(s.next.entry, "un jardin sous la pluie")
	test.Type(s.confirm.entry, "un jardin sous la pluie")
	test.Tap(s.reset)
	if !f.called("ResetPassword marie.dupont@exemple.fr 482913") {
		t.Fatalf("calls %v", f.calls)
	}
	if f.password != "un jardin sous la pluie" {
		t.Errorf("the service got %q", f.password)
	}
	if !done {
		t.Error("onDone not called")
	}
	assertShowsWrapped(t, w, "Votre mot de passe a été modifié : connectez-vous.")
}

func TestForgotPasswordChecks(t *testing.T) {
	f := newPasswordFake()
	s, _ := newForgotWindow(t, f)
	test.Tap(s.send)
	if !s.emailError.Visible() || s.emailError.Text != "Saisissez votre adresse électronique." {
		t.Errorf("empty address: %q", s.emailError.Text)
	}
	test.Type(s.email, "marie.dupont")
	test.Tap(s.send)
	if !s.emailError.Visible() || f.called("ForgotPassword") {
		t.Errorf("bad address sent (message %q)", s.emailError.Text)
	}
	s.email.SetText("marie.dupont@exemple.fr")
	test.Tap(s.send)
	if s.emailError.Visible() {
		t.Errorf("message stays: %q", s.emailError.Text)
	}

	test.Tap(s.reset)
	assertFieldMessage(t, "code", s.code, "Saisissez le code reçu par courriel.")
	test.Type(s.code.entry, "482913")
	test.Type(s.next.entry, "un jardin sous la pluie")
	test.Type(s.confirm.entry, "autre chose")
	test.Tap(s.reset)
	assertFieldMessage(t, "confirm", s.confirm, "Les deux mots de passe saisis ne sont pas identiques.")
	if f.called("ResetPassword") {
		t.Fatal("ResetPassword called after a local refusal")
	}
}

func TestForgotPasswordWrongCode(t *testing.T) {
	f := newPasswordFake()
	f.fail["ResetPassword"] = &data.Error{Code: data.EINVALID,
		Message: "Ce code est incorrect, a déjà servi ou a expiré : vérifiez-le ou demandez-en un nouveau.",
		Fields:  map[string]string{"code": "Code incorrect ou expiré."}}
	s, w := newForgotWindow(t, f)
	done := false
	s.onDone = func() { done = true }
	test.Type(s.email, "marie.dupont@exemple.fr")
	test.Tap(s.send)
	test.Type(s.code.entry, "000000")
	test.Type(s.next.entry, "un jardin sous la pluie")
	test.Type(s.confirm.entry, "un jardin sous la pluie")
	test.Tap(s.reset)
	if done {
		t.Fatal("onDone called after a refusal")
	}
	assertFieldMessage(t, "code", s.code, "Code incorrect ou expiré.")
	assertShowsWrapped(t, w, "Ce code est incorrect, a déjà servi ou a expiré : vérifiez-le ou demandez-en un nouveau.")

	// A new code can be asked for, the address kept.
	test.Tap(s.resendBtn)
	if !s.step1.Visible() || s.email.Text != "marie.dupont@exemple.fr" {
		t.Error("« Recevoir un nouveau code » does not go back to the address")
	}
}

func TestForgotPasswordCancelAtEveryStep(t *testing.T) {
	s, _ := newForgotWindow(t, newPasswordFake())
	cancelled := 0
	s.onCancel = func() { cancelled++ }
	test.Tap(s.cancel)
	test.Type(s.email, "marie.dupont@exemple.fr")
	test.Tap(s.send)
	if !s.cancel.Visible() {
		t.Fatal("no way back at step 2")
	}
	test.Tap(s.cancel)
	if cancelled != 2 {
		t.Errorf("onCancel called %d times, want 2", cancelled)
	}
}
