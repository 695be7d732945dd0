package ui

import (
	"encoding/json"
	"os"
	"slices"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"
)

func TestMain(m *testing.M) {
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

func newTestUI(t *testing.T) *appUI {
	t.Helper()
	a := test.NewTempApp(t)
	u := newAppUI(a, Config{ServerURL: "https://127.0.0.1:8443"})
	t.Cleanup(u.window.Close)
	u.window.Resize(fyne.NewSize(640, 560))
	return u
}

func TestLoginScreenShowsTheSeedWording(t *testing.T) {
	u := newTestUI(t)
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

func TestLoginIsHonestAboutTheServer(t *testing.T) {
	u := newTestUI(t)
	var gotEmail, gotPassword string
	onLogin := u.onLogin
	u.login.onLogin = func(email, password string) {
		gotEmail, gotPassword = email, password
		onLogin(email, password)
	}

	test.Type(u.login.email, "marie.dupont@exemple.fr")
	test.Type(u.login.password, "x1WisU2H")
	test.Tap(u.login.submit)

	if gotEmail != "marie.dupont@exemple.fr" || gotPassword != "x1WisU2H" {
		t.Errorf("onLogin got (%q, %q)", gotEmail, gotPassword)
	}
	if u.window.Canvas().Overlays().Top() == nil {
		t.Fatal("no dialog after « Se connecter »")
	}
	assertShows(t, u.window, "Le serveur n'est pas encore joignable depuis cette version.")
	for _, s := range texts(u.window) {
		if strings.Contains(s, "x1WisU2H") {
			t.Errorf("the password is shown in clear: %q", s)
		}
	}
}

func TestLoginRequiresBothFields(t *testing.T) {
	u := newTestUI(t)
	called := false
	u.login.onLogin = func(string, string) { called = true }

	test.Type(u.login.email, "marie.dupont@exemple.fr")
	test.Tap(u.login.submit)
	if called {
		t.Fatal("onLogin called without a password")
	}
	assertShows(t, u.window, "Saisissez votre adresse électronique et votre mot de passe.")
}

func TestLinksSayComingSoon(t *testing.T) {
	for name, link := range map[string]func(*loginScreen) *widget.Hyperlink{
		"demande":    func(s *loginScreen) *widget.Hyperlink { return s.requestLink },
		"modifier":   func(s *loginScreen) *widget.Hyperlink { return s.changePassword },
		"mot oublié": func(s *loginScreen) *widget.Hyperlink { return s.forgotPassword },
	} {
		t.Run(name, func(t *testing.T) {
			u := newTestUI(t)
			l := link(u.login)
			// A hyperlink reacts only to taps over its text.
			test.TapAt(l, fyne.NewPos(l.Size().Width/2, l.Size().Height/2))
			assertShows(t, u.window, "Cette fonction arrive bientôt.")
		})
	}
}

func TestNoServerConfigured(t *testing.T) {
	a := test.NewTempApp(t)
	u := newAppUI(a, Config{})
	defer u.window.Close()
	assertShows(t, u.window, "Serveur : non configuré (variable ESPACEPRO_SERVER)")
}

func TestTranslationsHaveTheSameKeys(t *testing.T) {
	read := func(name string) map[string]string {
		data, err := allTranslations.ReadFile("translation/" + name)
		if err != nil {
			t.Fatal(err)
		}
		m := map[string]string{}
		if err := json.Unmarshal(data, &m); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		return m
	}
	fr, en := read("fr.json"), read("en.json")
	for k, v := range fr {
		if k != v {
			t.Errorf("fr.json: %q translates to %q; the French text is its own ID", k, v)
		}
		if en[k] == "" {
			t.Errorf("en.json lacks %q", k)
		}
	}
	for k := range en {
		if _, ok := fr[k]; !ok {
			t.Errorf("en.json has %q, which fr.json lacks", k)
		}
	}
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
