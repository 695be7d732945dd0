package ui

import (
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"espacepro/data"
)

// reauthButton returns the button of the top dialog labelled text.
func reauthButton(t *testing.T, w fyne.Window, text string) *widget.Button {
	t.Helper()
	top := w.Canvas().Overlays().Top()
	if top == nil {
		t.Fatal("no dialog")
	}
	for _, o := range test.LaidOutObjects(top) {
		if b, ok := o.(*widget.Button); ok && b.Text == text {
			return b
		}
	}
	t.Fatalf("no button %q in the dialog", text)
	return nil
}

// reauthPassword returns the password entry of the top dialog.
func reauthPassword(t *testing.T, w fyne.Window) *widget.Entry {
	t.Helper()
	top := w.Canvas().Overlays().Top()
	if top == nil {
		t.Fatal("no dialog")
	}
	for _, o := range test.LaidOutObjects(top) {
		if e, ok := o.(*widget.Entry); ok && e.Password {
			return e
		}
	}
	t.Fatal("no password entry in the dialog")
	return nil
}

// newReauthWindow shows the dialog over a screen with typed text; the
// password is "bon mot de passe".
func newReauthWindow(t *testing.T) (fyne.Window, *widget.Entry, *[]string) {
	t.Helper()
	a := test.NewTempApp(t)
	w := a.NewWindow("reauth")
	t.Cleanup(w.Close)
	typed := widget.NewEntry()
	w.SetContent(typed)
	w.Resize(fyne.NewSize(640, 480))
	test.Type(typed, "horaires en cours de saisie")
	var tried []string
	showReauthDialog(w, "marie.dupont@exemple.fr", func(pw string, done func(error)) {
		tried = append(tried, pw)
		if pw != "bon mot de passe" {
			done(data.Errorf(data.EUNAUTHORIZED, "Adresse e-mail ou mot de passe incorrect."))
			return
		}
		done(nil)
	})
	return w, typed, &tried
}

func TestReauthShowsItsWording(t *testing.T) {
	w, _, _ := newReauthWindow(t)
	assertShowsWrapped(t, w,
		"Votre session a expiré. Saisissez à nouveau votre mot de passe pour continuer : rien de ce qui est à l'écran n'est perdu.",
		"Adresse électronique : marie.dupont@exemple.fr",
		"Se reconnecter", "Plus tard")
}

func TestReauthWrongPasswordKeepsTheDialog(t *testing.T) {
	w, typed, tried := newReauthWindow(t)
	test.Type(reauthPassword(t, w), "mauvais")
	test.Tap(reauthButton(t, w, "Se reconnecter"))
	if len(*tried) != 1 || (*tried)[0] != "mauvais" {
		t.Fatalf("onPassword got %v", *tried)
	}
	if w.Canvas().Overlays().Top() == nil {
		t.Fatal("the dialog closed after a wrong password")
	}
	assertShowsWrapped(t, w, "Adresse e-mail ou mot de passe incorrect.")

	test.Type(reauthPassword(t, w), "bon mot de passe")
	test.Tap(reauthButton(t, w, "Se reconnecter"))
	if w.Canvas().Overlays().Top() != nil {
		t.Fatal("the dialog stays open after the right password")
	}
	if typed.Text != "horaires en cours de saisie" {
		t.Errorf("the screen lost what was typed: %q", typed.Text)
	}
}

func TestReauthEmptyPassword(t *testing.T) {
	w, _, tried := newReauthWindow(t)
	test.Tap(reauthButton(t, w, "Se reconnecter"))
	if len(*tried) != 0 {
		t.Fatal("onPassword called without a password")
	}
	assertShowsWrapped(t, w, "Saisissez votre mot de passe.")
}

func TestReauthLater(t *testing.T) {
	w, _, tried := newReauthWindow(t)
	test.Tap(reauthButton(t, w, "Plus tard"))
	if w.Canvas().Overlays().Top() != nil {
		t.Fatal("« Plus tard » did not close the dialog")
	}
	if len(*tried) != 0 {
		t.Error("onPassword called")
	}
}

// shownText reports whether the window shows want, which may be wrapped
// over several lines (texts gives one line at a time), at a space or
// within a long word.
func shownText(w fyne.Window, want string) bool {
	lines := texts(w)
	if strings.Contains(" "+strings.Join(lines, " ")+" ", " "+want+" ") {
		return true
	}
	squeeze := func(s string) string { return strings.Join(strings.Fields(s), "") }
	return strings.Contains(squeeze(strings.Join(lines, "")), squeeze(want))
}

// assertShowsWrapped is assertShows for texts that may be wrapped.
func assertShowsWrapped(t *testing.T, w fyne.Window, want ...string) {
	t.Helper()
	for _, s := range want {
		if !shownText(w, s) {
			t.Errorf("window does not show %q; it shows %q", s, texts(w))
		}
	}
}
