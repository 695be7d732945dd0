// Package ui holds the desktop app's Fyne screens, one file per screen. It
// never runs SQL or HTTP itself: it calls services. Every visible string goes
// through lang.L, with the French text as its ID; translations are in
// translation/*.json.
package ui

import (
	"embed"
	"os"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/lang"
)

// ServerEnv names the environment variable that holds the central service's
// URL, e.g. https://127.0.0.1:8443.
const ServerEnv = "ESPACEPRO_SERVER"

var (
	//go:embed translation/*.json
	allTranslations embed.FS
	//go:embed translation/fr.json
	frenchTranslations embed.FS
)

// Config is what the app takes from its command line and environment.
type Config struct {
	// ServerURL is the central service's base URL (from ServerEnv).
	ServerURL string
}

// SetupLanguage registers the app's translations and chooses its language:
// English when the user's locale asks for English, French otherwise. Call it
// once at start, before building any screen.
func SetupLanguage() error {
	return useLanguage(userLanguage())
}

// Run opens the main window and runs the app until the window is closed.
func Run(a fyne.App, cfg Config) {
	newAppUI(a, cfg).window.ShowAndRun()
}

// appUI is the main window and the screens shown in it.
type appUI struct {
	app    fyne.App
	cfg    Config
	window fyne.Window
	login  *loginScreen
}

func newAppUI(a fyne.App, cfg Config) *appUI {
	u := &appUI{app: a, cfg: cfg}
	u.window = a.NewWindow(lang.L("Espace professionnel"))
	u.login = newLoginScreen(cfg.ServerURL)
	u.login.onLogin = u.onLogin
	u.login.onRequestHabilitation = u.showComingSoon
	u.login.onChangePassword = u.showComingSoon
	u.login.onForgotPassword = u.showComingSoon
	u.window.SetContent(u.login.content)
	u.window.Resize(fyne.NewSize(640, 560))
	u.window.CenterOnScreen()
	return u
}

// onLogin is honest about this version: the sync client does not exist yet.
func (u *appUI) onLogin(email, password string) {
	dialog.ShowInformation(lang.L("Connexion"),
		lang.L("Le serveur n'est pas encore joignable depuis cette version."), u.window)
}

func (u *appUI) showComingSoon() {
	dialog.ShowInformation(lang.L("Espace professionnel"), lang.L("Cette fonction arrive bientôt."), u.window)
}

// userLanguage returns "en" when the user's locale is English and "fr"
// otherwise (including the C and POSIX locales). On Unix the locale comes from
// LC_ALL, LC_MESSAGES, LANG then LANGUAGE, as Fyne reads it; where none is set
// (Windows, macOS) from the system.
func userLanguage() string {
	loc := ""
	for _, name := range []string{"LC_ALL", "LC_MESSAGES", "LANG"} {
		if loc = os.Getenv(name); loc != "" {
			break
		}
	}
	if loc != "C" && loc != "POSIX" {
		if l := os.Getenv("LANGUAGE"); l != "" {
			loc, _, _ = strings.Cut(l, ":")
		}
	}
	if loc == "" {
		loc = string(lang.SystemLocale())
	}
	if isEnglish(loc) {
		return "en"
	}
	return "fr"
}

// isEnglish reports whether a locale such as en_GB.UTF-8 or en-US is English.
func isEnglish(loc string) bool {
	loc = strings.ToLower(loc)
	return loc == "en" || (strings.HasPrefix(loc, "en") && strings.ContainsAny(loc[2:3], "_-.@"))
}

// useLanguage registers the translations and makes tag ("fr" or "en") the
// language of every lang.L call, Fyne's own strings included.
//
// Fyne has no setter: it matches the locale it reads (environment variables
// on Unix, the system elsewhere) against the registered translations each
// time translations are added, falling back to English. So the environment
// is set for the time of that call, and English is registered only when
// wanted: elsewhere, a fallback to English finds none of our strings and
// shows their French IDs.
func useLanguage(tag string) error {
	names := []string{"LC_ALL", "LC_MESSAGES", "LANG", "LANGUAGE"}
	saved := make(map[string]*string, len(names))
	for _, name := range names {
		if v, ok := os.LookupEnv(name); ok {
			saved[name] = &v
		} else {
			saved[name] = nil
		}
		os.Unsetenv(name)
	}
	defer func() {
		for name, v := range saved {
			if v == nil {
				os.Unsetenv(name)
			} else {
				os.Setenv(name, *v)
			}
		}
	}()
	os.Setenv("LC_ALL", tag)

	if tag == "en" {
		return lang.AddTranslationsFS(allTranslations, "translation")
	}
	return lang.AddTranslationsFS(frenchTranslations, "translation")
}
