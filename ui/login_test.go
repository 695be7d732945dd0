package ui

import (
	"os"
	"slices"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/test"
)

func TestMain(m *testing.M) {
	background = func(work, done func()) { work(); done() }
	if err := useLanguage("fr"); err != nil {
		panic(err)
	}
	os.Exit(m.Run())
}

// texts returns every text drawn in the window, dialogs included.
func texts(w fyne.Window) []string {
	var out []string
	collect := func(o fyne.CanvasObject) {
		for _, obj := range test.LaidOutObjects(o) {
			if t, ok := obj.(*canvas.Text); ok && obj.Visible() && t.Text != "" {
				out = append(out, t.Text)
			}
		}
	}
	collect(w.Canvas().Content())
	for _, o := range w.Canvas().Overlays().List() {
		collect(o)
	}
	return out
}

func assertShows(t *testing.T, w fyne.Window, want ...string) {
	t.Helper()
	got := texts(w)
	for _, s := range want {
		if !slices.Contains(got, s) {
			t.Errorf("window does not show %q; it shows %q", s, got)
		}
	}
}

func TestLoginScreenShowsTheSeedWording(t *testing.T) {
	u := newTestWindow(t, loggedInFake(), Settings{ServerURL: "https://127.0.0.1:8443", Fingerprint: testFingerprint})
	if got := u.window.Title(); got != "Espace professionnel" {
		t.Errorf("title = %q", got)
	}
	assertShows(t, u.window,
		"Espace professionnel",
		"Vous n'êtes pas habilité(e)",
		"Faites votre demande d'habilitation en ligne",
		"Vous êtes déjà habilité(e) ?",
		"(* champ obligatoire)",
		"Votre adresse électronique* :",
		"Votre mot de passe* :",
		"Se connecter",
		"Modifier votre mot de passe",
		"Mot de passe oublié ?",
		"Serveur : https://127.0.0.1:8443",
	)
}

func TestLoginRequiresBothFields(t *testing.T) {
	u := newTestWindow(t, loggedInFake(), Settings{ServerURL: "https://127.0.0.1:8443", Fingerprint: testFingerprint})
	called := false
	u.login.onLogin = func(string, string) { called = true }

	test.Type(u.login.email, "marie.dupont@exemple.fr")
	test.Tap(u.login.submit)
	if called {
		t.Fatal("onLogin called without a password")
	}
	assertShows(t, u.window, "Saisissez votre adresse électronique et votre mot de passe.")
}

func TestUserLanguage(t *testing.T) {
	for _, tc := range []struct {
		env  map[string]string
		want string
	}{
		{map[string]string{"LANG": "fr_FR.UTF-8"}, "fr"},
		{map[string]string{"LANG": "en_GB.UTF-8"}, "en"},
		{map[string]string{"LANG": "C.UTF-8"}, "fr"},
		{map[string]string{"LANG": "C"}, "fr"},
		{map[string]string{"LANG": "de_DE.UTF-8"}, "fr"},
		{map[string]string{"LC_ALL": "en_US.UTF-8", "LANG": "fr_FR.UTF-8"}, "en"},
		{map[string]string{"LANG": "fr_FR.UTF-8", "LANGUAGE": "en:fr"}, "en"},
		{map[string]string{"LC_ALL": "C", "LANGUAGE": "en"}, "fr"},
	} {
		for _, name := range []string{"LC_ALL", "LC_MESSAGES", "LANG", "LANGUAGE"} {
			t.Setenv(name, tc.env[name])
		}
		if got := userLanguage(); got != tc.want {
			t.Errorf("userLanguage() with %v = %q, want %q", tc.env, got, tc.want)
		}
	}
}

func TestEnglishWhenAsked(t *testing.T) {
	t.Cleanup(func() {
		if err := useLanguage("fr"); err != nil {
			t.Fatal(err)
		}
	})
	if err := useLanguage("en"); err != nil {
		t.Fatal(err)
	}
	if got := lang.L("Se connecter"); got != "Log in" {
		t.Errorf("English « Se connecter » = %q", got)
	}
}
