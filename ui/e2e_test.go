package ui

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"espacepro/data"
	"espacepro/data/sqlite"
	"espacepro/server/servertest"
	"espacepro/sync/client"
)

// End-to-end tests of the window: the real sync client and local copy
// (SQLite files) against the real central service over HTTPS on loopback.

const (
	e2eEmail    = "sophie.martin@exemple.fr"
	e2ePassword = "Jardin-Fleuri-2026"
)

func e2eProfessional() *data.Professional {
	return &data.Professional{Kind: data.KindChildminder, Department: "92", CafCode: "921",
		AgrementNumber: "92-2019-0147", Civility: data.CivilityMme, LastName: "Martin", FirstName: "Sophie",
		Address: data.Address{Number: "12", StreetType: "rue", StreetName: "de Billancourt",
			PostalCode: "92100", CommuneINSEE: "92012", CommuneName: "Boulogne-Billancourt"},
		Phone: "0611223344", PlacesAgreed: 3}
}

// e2eService is a running central service with one active childminder.
type e2eService struct {
	*servertest.Env
	pro *data.Professional
}

func startE2EService(t *testing.T) *e2eService {
	t.Helper()
	env := servertest.Start(t, servertest.OpenSQLite(t))
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("service log:\n%s", env.Log.String())
		}
	})
	p := e2eProfessional()
	env.SeedActive(t, p, e2eEmail, e2ePassword)
	return &e2eService{Env: env, pro: p}
}

// openWindow starts the app on the local copy in dir, talking to url (a
// dead address makes it offline).
func (s *e2eService) openWindow(t *testing.T, dir, url string) *appUI {
	t.Helper()
	a := test.NewTempApp(t)
	connect := func(set Settings) (Service, error) {
		local, err := sqlite.OpenLocal(context.Background(), filepath.Join(dir, "copie.db"))
		if err != nil {
			return nil, err
		}
		t.Cleanup(func() { local.Close() })
		c, err := client.New(client.Config{ServerURL: set.ServerURL, Fingerprint: set.Fingerprint,
			Retries: -1, Timeout: 5 * time.Second}, local)
		if err != nil {
			return nil, err
		}
		t.Cleanup(c.Close)
		c.Now = s.Clock.Now
		return c, nil
	}
	u := newAppUI(a, Config{Settings: Settings{ServerURL: url, Fingerprint: s.Server.Fingerprint()},
		Connect: connect, Now: s.Clock.Now, SyncEvery: -1})
	t.Cleanup(u.window.Close)
	u.window.Resize(fyne.NewSize(1200, 760))
	u.start()
	return u
}

// logIn types the address and password and taps « Se connecter ».
func logIn(t *testing.T, u *appUI, email, password string) {
	t.Helper()
	typeLogin(u, email, password)
	if u.home == nil {
		t.Fatalf("login failed; the window shows %q", texts(u.window))
	}
}

// tapCell taps a cell of the current week (tab 0 of the panels).
func tapCell(u *appUI, day, slot int) {
	test.Tap(u.avail.panels[0].grid.cells[day][slot])
}

// storedCell reads a cell of the current week on the service.
func (s *e2eService) storedCell(t *testing.T, day, slot int) data.SlotState {
	t.Helper()
	a, err := s.Store.FindAvailability(context.Background(), s.pro.ID)
	if err != nil {
		t.Fatal(err)
	}
	monday := data.Today(s.Clock.Now(), "92").Monday()
	w, ok := a.WeekOf(monday)
	if !ok {
		return data.NotWorked
	}
	return w.Grid[day][slot]
}

func TestE2EEditOnlineIsSentAtOnce(t *testing.T) {
	s := startE2EService(t)
	u := s.openWindow(t, t.TempDir(), s.URL)
	logIn(t, u, e2eEmail, e2ePassword)
	assertShows(t, u.window, "Sophie MARTIN", "Semaine courante")

	u.avail.panels[0].use.SetSelected(useLabel())
	tapCell(u, 0, 2) // Lundi, Matinée: Non travaillé → Disponible
	test.Tap(u.avail.valider)

	if got := s.storedCell(t, 0, 2); got != data.Available {
		t.Fatalf("service has %q for Monday morning, want D", got)
	}
	if st := u.svc.State(); st.Pending != 0 {
		t.Errorf("pending after an online save = %d", st.Pending)
	}
	if !strings.Contains(u.home.status.Text, "toutes vos modifications sont envoyées") {
		t.Errorf("status = %q", u.home.status.Text)
	}
}

func TestE2EOfflineEditIsSentAtTheNextLogin(t *testing.T) {
	s := startE2EService(t)
	dir := t.TempDir()

	// One online login on this computer, then the app is closed.
	u := s.openWindow(t, dir, s.URL)
	logIn(t, u, e2eEmail, e2ePassword)
	test.Tap(u.home.logout)

	// Offline: the server's address does not answer.
	off := s.openWindow(t, dir, "https://127.0.0.1:1")
	logIn(t, off, e2eEmail, e2ePassword)
	if !off.offline {
		t.Fatal("not offline")
	}
	off.avail.panels[0].use.SetSelected(useLabel())
	tapCell(off, 1, 3) // Mardi, midi → Disponible
	tapCell(off, 1, 3) // → Non disponible
	test.Tap(off.avail.valider)
	off.refreshStatus()
	if !strings.Contains(off.home.status.Text, "Hors connexion") || !strings.Contains(off.home.status.Text, "en attente d'envoi") {
		t.Errorf("offline status = %q", off.home.status.Text)
	}
	joined := strings.Join(texts(off.window), " ")
	if !strings.Contains(joined, "prochaine connexion") {
		t.Errorf("Valider offline does not say the edit waits: %q", joined)
	}
	if got := s.storedCell(t, 1, 3); got != data.NotWorked {
		t.Fatalf("the service got an offline edit: %q", got)
	}
	test.Tap(off.home.logout)

	// Back online: the login sends it.
	on := s.openWindow(t, dir, s.URL)
	logIn(t, on, e2eEmail, e2ePassword)
	if got := s.storedCell(t, 1, 3); got != data.Unavailable {
		t.Fatalf("service has %q for Tuesday noon after the online login, want N", got)
	}
	if st := on.svc.State(); st.Pending != 0 {
		t.Errorf("pending = %d", st.Pending)
	}
}

func TestE2EConflictNoticeOnTheComputerWhoseEditLost(t *testing.T) {
	s := startE2EService(t)
	home := s.openWindow(t, t.TempDir(), s.URL)
	laptop := s.openWindow(t, t.TempDir(), s.URL)
	logIn(t, home, e2eEmail, e2ePassword)
	logIn(t, laptop, e2eEmail, e2ePassword)

	// The home PC sets Monday morning to Disponible…
	home.avail.panels[0].use.SetSelected(useLabel())
	tapCell(home, 0, 2)
	test.Tap(home.avail.valider)
	// …and later the laptop, which had not synced, sets it to Non disponible.
	s.Clock.Advance(time.Minute)
	laptop.avail.panels[0].use.SetSelected(useLabel())
	tapCell(laptop, 0, 2)
	tapCell(laptop, 0, 2)
	test.Tap(laptop.avail.valider)

	if got := s.storedCell(t, 0, 2); got != data.Unavailable {
		t.Fatalf("service has %q, want the later edit N", got)
	}
	home.syncNow()
	if !home.home.notices.Visible() {
		t.Fatalf("no notice on the home PC; status %q", home.home.status.Text)
	}
	test.Tap(home.home.notices)
	joined := strings.Join(texts(home.window), " ")
	for _, want := range []string{"Semaine du", "Lundi", "Matinée 8h30 - 11h30", "« Disponible »", "remplacée par « Non disponible »"} {
		if !strings.Contains(joined, want) {
			t.Errorf("notice lacks %q: %q", want, joined)
		}
	}
	// The home PC's screen now shows the kept value.
	if got := home.avail.panels[0].grid.cells[0][2].state; got != data.Unavailable {
		t.Errorf("home PC shows %q after the sync, want N", got)
	}
}
