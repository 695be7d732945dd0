package ui

import (
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// loginScreen is the first screen: ask for an habilitation, or log in.
// Its wording is the seed's (mon-enfant.fr's professional space).
type loginScreen struct {
	content fyne.CanvasObject

	requestLink    *widget.Hyperlink
	email          *widget.Entry
	password       *widget.Entry
	submit         *widget.Button
	changePassword *widget.Hyperlink
	forgotPassword *widget.Hyperlink
	settings       *widget.Hyperlink
	message        *widget.Label // inline error under the form

	// onLogin receives the typed address and password, both non-empty.
	onLogin               func(email, password string)
	onRequestHabilitation func()
	onChangePassword      func()
	onForgotPassword      func()
	onSettings            func()
}

func newLoginScreen(serverURL string) *loginScreen {
	s := &loginScreen{}

	title := widget.NewRichText(&widget.TextSegment{
		Text: lang.L("Espace professionnel"), Style: widget.RichTextStyleHeading,
	})
	intro := widget.NewLabel(lang.L("Cet espace vous permet de demander une habilitation pour afficher vos disponibilités et/ou modifier les informations de votre fiche « structure »."))
	intro.Wrapping = fyne.TextWrapWord

	s.requestLink = widget.NewHyperlink(lang.L("Faites votre demande d'habilitation en ligne"), nil)
	s.requestLink.OnTapped = func() { call(s.onRequestHabilitation) }

	s.email = widget.NewEntry()
	s.email.SetPlaceHolder(lang.L("nom@exemple.fr"))
	s.password = widget.NewPasswordEntry()
	s.password.OnSubmitted = func(string) { s.tapSubmit() }
	s.email.OnSubmitted = func(string) { s.tapSubmit() }

	s.submit = widget.NewButton(lang.L("Se connecter"), s.tapSubmit)
	s.submit.Importance = widget.HighImportance
	s.message = widget.NewLabel("")
	s.message.Importance = widget.DangerImportance
	s.message.Wrapping = fyne.TextWrapWord
	s.message.Hide()

	s.changePassword = widget.NewHyperlink(lang.L("Modifier votre mot de passe"), nil)
	s.changePassword.OnTapped = func() { call(s.onChangePassword) }
	s.forgotPassword = widget.NewHyperlink(lang.L("Mot de passe oublié ?"), nil)
	s.forgotPassword.OnTapped = func() { call(s.onForgotPassword) }

	form := container.New(layout.NewFormLayout(),
		widget.NewLabel(lang.L("Votre adresse électronique* :")), s.email,
		widget.NewLabel(lang.L("Votre mot de passe* :")), s.password,
	)

	server := serverURL
	if server == "" {
		server = lang.L("non configuré")
	}
	s.settings = widget.NewHyperlink(lang.L("Changer de serveur"), nil)
	s.settings.OnTapped = func() { call(s.onSettings) }
	serverText := widget.NewRichText(&widget.TextSegment{
		Text: lang.L("Serveur : {{.URL}}", map[string]string{"URL": server}),
		Style: widget.RichTextStyle{
			SizeName:  theme.SizeNameCaptionText,
			ColorName: theme.ColorNamePlaceHolder,
			Inline:    true,
		},
	})

	s.content = container.NewVScroll(container.NewPadded(container.NewVBox(
		title,
		intro,
		widget.NewSeparator(),
		heading(lang.L("Vous n'êtes pas habilité(e)")),
		container.NewHBox(s.requestLink),
		widget.NewSeparator(),
		heading(lang.L("Vous êtes déjà habilité(e) ?")),
		widget.NewLabel(lang.L("(* champ obligatoire)")),
		form,
		container.NewHBox(layout.NewSpacer(), s.submit),
		s.message,
		container.NewHBox(s.changePassword, s.forgotPassword),
		layout.NewSpacer(),
		container.NewHBox(serverText, s.settings),
	)))
	return s
}

// typed returns the address (trimmed) and the password typed.
func (s *loginScreen) typed() (email, password string) {
	return strings.TrimSpace(s.email.Text), s.password.Text
}

// setBusy disables the form while a login runs.
func (s *loginScreen) setBusy(busy bool) {
	if busy {
		s.submit.Disable()
		s.submit.SetText(lang.L("Connexion…"))
	} else {
		s.submit.Enable()
		s.submit.SetText(lang.L("Se connecter"))
	}
}

// tapSubmit checks the required fields, then hands them to onLogin.
func (s *loginScreen) tapSubmit() {
	email, password := s.typed()
	if email == "" || password == "" {
		s.showMessage(lang.L("Saisissez votre adresse électronique et votre mot de passe."))
		return
	}
	s.showMessage("")
	if s.onLogin != nil {
		s.onLogin(email, password)
	}
}

func (s *loginScreen) showMessage(text string) { setMessage(s.message, text) }

func heading(text string) *widget.Label {
	return widget.NewLabelWithStyle(text, fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
}

func call(f func()) {
	if f != nil {
		f()
	}
}
