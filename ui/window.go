package ui

import (
	"fmt"
	"log"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/lang"

	"espacepro/sync/wire"
)

// Run opens the main window and runs the app until the window is closed.
func Run(a fyne.App, cfg Config) {
	a.Settings().SetTheme(readableTheme{})
	u := newAppUI(a, cfg)
	u.start()
	if !cfg.Started.IsZero() {
		a.Lifecycle().SetOnStarted(func() {
			log.Printf("espacepro: first screen shown %d ms after start", time.Since(cfg.Started).Milliseconds())
		})
	}
	u.window.ShowAndRun()
	u.stopLoops()
}

// appUI is the main window and the screens shown in it, one at a time.
type appUI struct {
	app    fyne.App
	cfg    Config
	window fyne.Window
	svc    Service

	settings Settings
	account  *wire.Account // who is logged in (online or unlocked offline)
	offline  bool          // unlocked offline: the service was not reachable

	login    *loginScreen
	home     *homeScreen
	avail    *availabilityScreen // a professional's availability, when shown
	leave    func(then func())   // asks before leaving a screen with unsaved edits
	reauthOn bool                // the session prompt is shown
	stop     chan struct{}       // closes the background loops
}

func newAppUI(a fyne.App, cfg Config) *appUI {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.SyncEvery == 0 {
		cfg.SyncEvery = 2 * time.Minute
	}
	u := &appUI{app: a, cfg: cfg}
	u.window = a.NewWindow(lang.L("Espace professionnel"))
	u.window.Resize(fyne.NewSize(1200, 760))
	u.window.CenterOnScreen()
	u.window.SetCloseIntercept(func() {
		u.confirmLeave(func() { u.window.Close() })
	})
	return u
}

// start shows the first screen: the first-run settings when the server is
// not known yet, the login screen otherwise.
func (u *appUI) start() {
	u.settings = u.savedSettings()
	if u.settings.ServerURL == "" || (u.settings.Fingerprint == "" && u.settings.CAFile == "") {
		u.showSetup()
		return
	}
	if err := u.connect(u.settings); err != nil {
		u.showSetup()
		showError(u.window, err)
		return
	}
	u.showLogin()
}

// savedSettings merges the environment's settings over the preferences.
func (u *appUI) savedSettings() Settings {
	p := u.app.Preferences()
	s := Settings{
		ServerURL:   p.String(prefServerURL),
		Fingerprint: p.String(prefFingerprint),
		CAFile:      p.String(prefCAFile),
	}
	env := u.cfg.Settings
	if env.ServerURL != "" {
		s.ServerURL = env.ServerURL
	}
	if env.Fingerprint != "" || env.CAFile != "" {
		s.Fingerprint, s.CAFile = env.Fingerprint, env.CAFile
	}
	return s
}

// connect opens the service for s and remembers s.
func (u *appUI) connect(s Settings) error {
	if u.cfg.Connect == nil {
		return fmt.Errorf("ui: no Connect")
	}
	svc, err := u.cfg.Connect(s)
	if err != nil {
		return err
	}
	u.svc, u.settings = svc, s
	p := u.app.Preferences()
	p.SetString(prefServerURL, s.ServerURL)
	p.SetString(prefFingerprint, s.Fingerprint)
	p.SetString(prefCAFile, s.CAFile)
	return nil
}

func (u *appUI) showSetup() {
	s := newSetupScreen(u.settings)
	s.onSave = func(set Settings) error {
		if err := u.connect(set); err != nil {
			return err
		}
		u.showLogin()
		return nil
	}
	u.show(narrow(s.content), nil)
}

// show puts content in the window; leave, when set, is asked before the
// content is replaced (unsaved changes).
func (u *appUI) show(content fyne.CanvasObject, leave func(then func())) {
	u.leave = leave
	u.window.SetContent(content)
}

// confirmLeave runs then, after asking the shown screen when it holds
// unsaved changes.
func (u *appUI) confirmLeave(then func()) {
	if u.leave == nil {
		then()
		return
	}
	u.leave(then)
}
