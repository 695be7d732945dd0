package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/widget"
)

// showReauthDialog asks for the password again when the session has ended
// (after 30 minutes), over whatever the window shows, so that nothing typed
// is lost. onPassword receives the password typed and a done callback to
// call on the UI goroutine (e.g. from background's done) with the result of
// the login: a non-nil error shows its message in the dialog, which stays
// open; nil closes it. « Plus tard » closes it and the work goes on
// offline.
func showReauthDialog(win fyne.Window, email string, onPassword func(password string, done func(err error))) {
	text := widget.NewLabel(lang.L("Votre session a expiré. Saisissez à nouveau votre mot de passe pour continuer : rien de ce qui est à l'écran n'est perdu."))
	text.Wrapping = fyne.TextWrapWord
	account := widget.NewLabel(lang.L("Adresse électronique : {{.Email}}", map[string]string{"Email": email}))
	account.Wrapping = fyne.TextWrapBreak
	password := widget.NewPasswordEntry()
	password.SetPlaceHolder(lang.L("Votre mot de passe"))
	message := newMessageLabel(widget.DangerImportance)

	d := dialog.NewCustomWithoutButtons(lang.L("Session expirée"),
		container.NewVBox(text, account, password, message), win)

	var retry *widget.Button
	submit := func() {
		if password.Text == "" {
			setMessage(message, lang.L("Saisissez votre mot de passe."))
			return
		}
		setMessage(message, "")
		retry.Disable()
		onPassword(password.Text, func(err error) {
			retry.Enable()
			if err != nil {
				password.SetText("")
				setMessage(message, errorMessage(err))
				return
			}
			d.Hide()
		})
	}
	retry = widget.NewButton(lang.L("Se reconnecter"), submit)
	retry.Importance = widget.HighImportance
	later := widget.NewButton(lang.L("Plus tard"), d.Hide)
	password.OnSubmitted = func(string) { submit() }
	d.SetButtons([]fyne.CanvasObject{later, retry})
	d.Resize(fyne.NewSize(460, 0).Max(d.MinSize()))
	d.Show()
	win.Canvas().Focus(password)
}
