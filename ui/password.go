package ui

import (
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/widget"

	"espacepro/data"
	"espacepro/sync/wire"
)

// passwordField is an entry of the password screens (a password, or the
// mailed code) and the message shown under it when its value is refused.
type passwordField struct {
	entry   *widget.Entry
	message *widget.Label
}

// newPasswordField returns an empty field whose message is hidden.
func newPasswordField() passwordField {
	return passwordField{entry: widget.NewPasswordEntry(), message: newMessageLabel(widget.DangerImportance)}
}

// object returns the entry above its message, for the right column of a
// form.
func (f passwordField) object() fyne.CanvasObject {
	return container.NewVBox(f.entry, f.message)
}

// passwordRules returns the label that states the password rules, as the
// service applies them (server/password.Policy).
func passwordRules() *widget.Label {
	l := widget.NewLabel(lang.L("Le nouveau mot de passe doit comporter au moins 8 caractères. Il ne doit être ni votre adresse électronique, ni le mot de passe reçu par courriel, ni un mot de passe trop courant. Tous les caractères sont acceptés, espaces compris : une phrase facile à retenir fait un bon mot de passe."))
	l.Wrapping = fyne.TextWrapWord
	return l
}

// checkNewPassword checks a new password and its confirmation before they
// are sent, showing the messages next to the fields; it reports whether
// both are filled in and equal.
func checkNewPassword(next, confirm passwordField) bool {
	ok := true
	setMessage(next.message, "")
	setMessage(confirm.message, "")
	if next.entry.Text == "" {
		setMessage(next.message, lang.L("Saisissez un nouveau mot de passe."))
		ok = false
	}
	switch {
	case confirm.entry.Text == "":
		setMessage(confirm.message, lang.L("Saisissez une seconde fois le nouveau mot de passe."))
		ok = false
	case next.entry.Text != "" && confirm.entry.Text != next.entry.Text:
		setMessage(confirm.message, lang.L("Les deux mots de passe saisis ne sont pas identiques."))
		ok = false
	}
	return ok
}

// showPasswordError puts the messages of the service's refusal next to
// the fields they concern (keys are the wire's field names); a refusal of
// the password that names no field goes next to the new password. The
// error's own message goes into general when it was not placed next to a
// field and says more than the field messages.
func showPasswordError(err error, fields map[string]passwordField, general *widget.Label) {
	byField := fieldErrors(err)
	msg := errorMessage(err)
	placed := map[string]bool{}
	for name, f := range fields {
		if m := byField[name]; m != "" {
			setMessage(f.message, m)
			placed[m] = true
		}
	}
	if len(byField) == 0 && data.ErrorCode(err) == data.EINVALID {
		if next, ok := fields["new_password"]; ok {
			setMessage(next.message, msg)
			return
		}
	}
	if !placed[msg] {
		setMessage(general, msg)
	}
}

// passwordChangeScreen changes the password of the logged-in user: at the
// first login (forced: the generated password must be replaced), or at any
// time from « Modifier votre mot de passe ».
type passwordChangeScreen struct {
	content fyne.CanvasObject

	svc     Service
	win     fyne.Window
	forced  bool
	current passwordField
	next    passwordField
	confirm passwordField
	submit  *widget.Button
	cancel  *widget.Button // hidden when forced
	message *widget.Label  // a refusal that concerns no field

	// onDone receives the service's answer (a new session) after the
	// change.
	onDone func(*wire.LoginResponse)
	// onCancel leaves without changing anything (not offered when forced).
	onCancel func()
}

// newPasswordChangeScreen builds the screen; forced is the first login's
// case, where the user cannot go on without a new password.
func newPasswordChangeScreen(svc Service, win fyne.Window, forced bool) *passwordChangeScreen {
	s := &passwordChangeScreen{svc: svc, win: win, forced: forced,
		current: newPasswordField(), next: newPasswordField(), confirm: newPasswordField()}

	title := widget.NewRichText(&widget.TextSegment{
		Text: lang.L("Modifier votre mot de passe"), Style: widget.RichTextStyleHeading,
	})
	top := []fyne.CanvasObject{title}
	if forced {
		why := widget.NewLabel(lang.L("Pour votre première connexion, vous devez choisir un nouveau mot de passe."))
		why.Wrapping = fyne.TextWrapWord
		why.Importance = widget.HighImportance
		top = append(top, why)
	}
	top = append(top, widget.NewLabel(lang.L("(* champ obligatoire)")))

	form := container.New(layout.NewFormLayout(),
		widget.NewLabel(lang.L("Mot de passe actuel*")), s.current.object(),
		widget.NewLabel(lang.L("Nouveau mot de passe*")), s.next.object(),
		widget.NewLabel(lang.L("Confirmer le nouveau mot de passe*")), s.confirm.object(),
	)
	if forced {
		s.current.entry.SetPlaceHolder(lang.L("celui reçu par courriel"))
	}

	s.submit = widget.NewButton(lang.L("Enregistrer le mot de passe"), s.tapSubmit)
	s.submit.Importance = widget.HighImportance
	s.cancel = widget.NewButton(lang.L("Annuler"), func() { call(s.onCancel) })
	if forced {
		s.cancel.Hide()
	}
	s.confirm.entry.OnSubmitted = func(string) { s.tapSubmit() }
	s.message = newMessageLabel(widget.DangerImportance)

	objects := append(top, form, passwordRules(),
		container.NewHBox(layout.NewSpacer(), s.cancel, s.submit), s.message)
	s.content = container.NewVScroll(container.NewPadded(container.NewVBox(objects...)))
	return s
}

// tapSubmit checks the fields, then asks the service for the change.
func (s *passwordChangeScreen) tapSubmit() {
	ok := checkNewPassword(s.next, s.confirm)
	setMessage(s.current.message, "")
	setMessage(s.message, "")
	if s.current.entry.Text == "" {
		setMessage(s.current.message, lang.L("Saisissez votre mot de passe actuel."))
		ok = false
	} else if s.next.entry.Text != "" && s.next.entry.Text == s.current.entry.Text {
		setMessage(s.next.message, lang.L("Le nouveau mot de passe doit être différent du mot de passe actuel."))
		ok = false
	}
	if !ok {
		return
	}
	current, next := s.current.entry.Text, s.next.entry.Text
	s.submit.Disable()
	var res *wire.LoginResponse
	var err error
	background(func() {
		ctx, cancel := serviceContext()
		defer cancel()
		res, err = s.svc.ChangePassword(ctx, current, next)
	}, func() {
		s.submit.Enable()
		if err != nil {
			showPasswordError(err, map[string]passwordField{
				"current_password": s.current, "new_password": s.next,
			}, s.message)
			return
		}
		for _, f := range []passwordField{s.current, s.next, s.confirm} {
			f.entry.SetText("")
		}
		if s.onDone != nil {
			s.onDone(res)
		}
	})
}

// forgotPasswordScreen resets a forgotten password in two steps: the
// address, to which the service mails a code (its answer never tells
// whether the address has an account); then the code and the new password.
type forgotPasswordScreen struct {
	content fyne.CanvasObject

	svc Service
	win fyne.Window

	// Step 1: the address.
	step1      *fyne.Container
	email      *widget.Entry
	emailError *widget.Label
	send       *widget.Button

	// Step 2: the code and the new password.
	step2     *fyne.Container
	sentTo    *widget.Label // the service's answer and the address
	code      passwordField // a plain entry: the code is read from the mail
	next      passwordField
	confirm   passwordField
	reset     *widget.Button
	resendBtn *widget.Button

	cancel  *widget.Button // back to the login, at any step
	message *widget.Label  // an error that concerns no field

	// onDone is called once the password is changed: the user logs in.
	onDone func()
	// onCancel goes back to the login screen.
	onCancel func()
}

// newForgotPasswordScreen builds the screen at its first step.
func newForgotPasswordScreen(svc Service, win fyne.Window) *forgotPasswordScreen {
	s := &forgotPasswordScreen{svc: svc, win: win,
		code:    passwordField{entry: widget.NewEntry(), message: newMessageLabel(widget.DangerImportance)},
		next:    newPasswordField(),
		confirm: newPasswordField()}

	title := widget.NewRichText(&widget.TextSegment{
		Text: lang.L("Mot de passe oublié ?"), Style: widget.RichTextStyleHeading,
	})

	intro := widget.NewLabel(lang.L("Saisissez l'adresse électronique de votre compte : un code vous sera envoyé par courriel pour choisir un nouveau mot de passe."))
	intro.Wrapping = fyne.TextWrapWord
	s.email = widget.NewEntry()
	s.email.SetPlaceHolder(lang.L("nom@exemple.fr"))
	s.email.OnSubmitted = func(string) { s.tapSend() }
	s.emailError = newMessageLabel(widget.DangerImportance)
	s.send = widget.NewButton(lang.L("Recevoir un code"), s.tapSend)
	s.send.Importance = widget.HighImportance
	s.step1 = container.NewVBox(
		intro,
		container.New(layout.NewFormLayout(),
			widget.NewLabel(lang.L("Votre adresse électronique* :")), container.NewVBox(s.email, s.emailError)),
		container.NewHBox(layout.NewSpacer(), s.send),
	)

	s.sentTo = widget.NewLabel("")
	s.sentTo.Wrapping = fyne.TextWrapWord
	s.code.entry.OnSubmitted = func(string) { s.tapReset() }
	s.confirm.entry.OnSubmitted = func(string) { s.tapReset() }
	s.reset = widget.NewButton(lang.L("Modifier le mot de passe"), s.tapReset)
	s.reset.Importance = widget.HighImportance
	s.resendBtn = widget.NewButton(lang.L("Recevoir un nouveau code"), s.showStep1)
	s.step2 = container.NewVBox(
		s.sentTo,
		container.New(layout.NewFormLayout(),
			widget.NewLabel(lang.L("Code reçu par courriel*")), s.code.object(),
			widget.NewLabel(lang.L("Nouveau mot de passe*")), s.next.object(),
			widget.NewLabel(lang.L("Confirmer le nouveau mot de passe*")), s.confirm.object(),
		),
		passwordRules(),
		container.NewHBox(s.resendBtn, layout.NewSpacer(), s.reset),
	)
	s.step2.Hide()

	s.cancel = widget.NewButton(lang.L("Retour à la connexion"), func() { call(s.onCancel) })
	s.message = newMessageLabel(widget.DangerImportance)
	s.content = container.NewVScroll(container.NewPadded(container.NewVBox(
		title,
		widget.NewLabel(lang.L("(* champ obligatoire)")),
		s.step1,
		s.step2,
		s.message,
		container.NewHBox(s.cancel),
	)))
	return s
}

// showStep1 goes back to the address, keeping it, to ask for a new code.
func (s *forgotPasswordScreen) showStep1() {
	setMessage(s.message, "")
	s.step2.Hide()
	s.step1.Show()
}

// tapSend checks the address and asks the service to mail a code.
func (s *forgotPasswordScreen) tapSend() {
	setMessage(s.message, "")
	email := strings.TrimSpace(s.email.Text)
	if email == "" {
		setMessage(s.emailError, lang.L("Saisissez votre adresse électronique."))
		return
	}
	if err := data.ValidateEmail(data.NormalizeEmail(email)); err != nil {
		setMessage(s.emailError, errorMessage(err))
		return
	}
	setMessage(s.emailError, "")
	s.send.Disable()
	var answer string
	var err error
	background(func() {
		ctx, cancel := serviceContext()
		defer cancel()
		answer, err = s.svc.ForgotPassword(ctx, email)
	}, func() {
		s.send.Enable()
		if err != nil {
			if msg := fieldErrors(err)["email"]; msg != "" {
				setMessage(s.emailError, msg)
			} else {
				setMessage(s.message, errorMessage(err))
			}
			return
		}
		if answer == "" {
			answer = lang.L("Si un compte existe pour cette adresse, un code vient d'y être envoyé.")
		}
		s.sentTo.SetText(answer + "\n" + lang.L("Adresse : {{.Email}}", map[string]string{"Email": email}))
		s.code.entry.SetText("")
		for _, f := range []passwordField{s.code, s.next, s.confirm} {
			setMessage(f.message, "")
		}
		s.step1.Hide()
		s.step2.Show()
	})
}

// tapReset checks the code and the new password, then asks the service
// for the change.
func (s *forgotPasswordScreen) tapReset() {
	setMessage(s.message, "")
	ok := checkNewPassword(s.next, s.confirm)
	code := strings.TrimSpace(s.code.entry.Text)
	if code == "" {
		setMessage(s.code.message, lang.L("Saisissez le code reçu par courriel."))
		ok = false
	} else {
		setMessage(s.code.message, "")
	}
	if !ok {
		return
	}
	email, next := strings.TrimSpace(s.email.Text), s.next.entry.Text
	s.reset.Disable()
	var err error
	background(func() {
		ctx, cancel := serviceContext()
		defer cancel()
		err = s.svc.ResetPassword(ctx, email, code, next)
	}, func() {
		s.reset.Enable()
		if err != nil {
			showPasswordError(err, map[string]passwordField{
				"code": s.code, "new_password": s.next,
			}, s.message)
			return
		}
		for _, f := range []passwordField{s.code, s.next, s.confirm} {
			f.entry.SetText("")
		}
		done := lang.L("Votre mot de passe a été modifié : connectez-vous.")
		s.sentTo.SetText(done)
		dialog.ShowInformation(lang.L("Mot de passe modifié"), done, s.win)
		call(s.onDone)
	})
}
