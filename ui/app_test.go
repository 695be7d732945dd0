package ui

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"espacepro/data"
	"espacepro/sync/wire"
)

// The window's navigation on the fake service: first run, login (online,
// offline, forced change, refused habilitation), the homes, the sync
// status, the session prompt, the notices and logging out.

const testFingerprint = "AB:CD"

var testNow = time.Date(2026, 11, 30, 10, 0, 0, 0, time.UTC)

func childminderAccount() *wire.Account {
	return &wire.Account{ID: "acc-1", Email: "marie.dupont@exemple.fr", Role: string(data.RoleChildminder),
		FirstName: "Marie", LastName: "Dupont", CafCode: "921", ProfessionalID: "pro-1"}
}

func activeChildminder() *data.Professional {
	return &data.Professional{ID: "pro-1", Kind: data.KindChildminder, Department: "92", CafCode: "921",
		LastName: "Dupont", FirstName: "Marie", Listing: data.Listed, Habilitation: data.HabilitationActive,
		Address: data.Address{StreetName: "rue de la Paix", PostalCode: "92100", CommuneName: "Boulogne-Billancourt"}}
}

// newTestWindow returns the app's window on f, started.
func newTestWindow(t *testing.T, f *fakeService, settings Settings) *appUI {
	t.Helper()
	a := test.NewTempApp(t)
	u := newAppUI(a, Config{Settings: settings, SyncEvery: -1, Now: func() time.Time { return testNow },
		Connect: func(Settings) (Service, error) { return f, nil }})
	t.Cleanup(u.window.Close)
	u.window.Resize(fyne.NewSize(1024, 720))
	u.start()
	return u
}

func loggedInFake() *fakeService {
	f := newFakeService()
	f.password = "Bonjour-2026!"
	f.login = &wire.LoginResponse{Account: childminderAccount()}
	f.pros["pro-1"] = activeChildminder()
	return f
}

func typeLogin(u *appUI, email, password string) {
	u.login.email.SetText("")
	test.Type(u.login.email, email)
	test.Type(u.login.password, password)
	test.Tap(u.login.submit)
}

func TestFirstRunAsksForTheServer(t *testing.T) {
	u := newTestWindow(t, loggedInFake(), Settings{})
	if u.login != nil {
		t.Fatal("the login screen is shown before the server is known")
	}
	assertShows(t, u.window, "Enregistrer")
}

func TestLoginScreenShowsTheServer(t *testing.T) {
	u := newTestWindow(t, loggedInFake(), Settings{ServerURL: "https://127.0.0.1:8443", Fingerprint: testFingerprint})
	assertShows(t, u.window, "Serveur : https://127.0.0.1:8443", "Changer de serveur")
	if got := u.app.Preferences().String(prefServerURL); got != "https://127.0.0.1:8443" {
		t.Errorf("server not remembered: %q", got)
	}
}

func TestLoginOpensTheAvailabilityScreen(t *testing.T) {
	f := loggedInFake()
	u := newTestWindow(t, f, Settings{ServerURL: "https://127.0.0.1:8443", Fingerprint: testFingerprint})
	typeLogin(u, "marie.dupont@exemple.fr", "wrong")
	assertShows(t, u.window, "Adresse e-mail ou mot de passe incorrect.")
	typeLogin(u, "marie.dupont@exemple.fr", "Bonjour-2026!")
	if u.home == nil {
		t.Fatalf("no home after login; window shows %q", texts(u.window))
	}
	assertShows(t, u.window, "Marie DUPONT", "Disponibilité globale", "Semaine courante", "S+1", "Se déconnecter", "Synchroniser")
	if !f.called("Sync") {
		t.Error("no sync after an online login")
	}
	if got := u.app.Preferences().String(prefLastEmail); got != "marie.dupont@exemple.fr" {
		t.Errorf("last e-mail = %q", got)
	}
}

func TestLoginOfflineUnlocksTheLocalCopy(t *testing.T) {
	f := loggedInFake()
	f.account = childminderAccount()
	f.fail["Login"] = data.Errorf(data.EUNAVAILABLE, "Le serveur n'est pas joignable.")
	u := newTestWindow(t, f, Settings{ServerURL: "https://127.0.0.1:8443", Fingerprint: testFingerprint})
	typeLogin(u, "marie.dupont@exemple.fr", "Bonjour-2026!")
	if u.home == nil || !u.offline {
		t.Fatalf("offline login did not open the home; window shows %q", texts(u.window))
	}
	if f.called("Sync") {
		t.Error("an offline home tried to sync at once")
	}
	st := strings.Join(texts(u.window), "\n")
	if !strings.Contains(st, "Hors connexion") {
		t.Errorf("status does not say offline: %q", st)
	}
	assertShows(t, u.window, "Se reconnecter")
}

func TestOfflineUnlockWithAWrongPassword(t *testing.T) {
	f := loggedInFake()
	f.account = childminderAccount()
	f.fail["Login"] = data.Errorf(data.EUNAVAILABLE, "Le serveur n'est pas joignable.")
	u := newTestWindow(t, f, Settings{ServerURL: "https://127.0.0.1:8443", Fingerprint: testFingerprint})
	typeLogin(u, "marie.dupont@exemple.fr", "nope")
	if u.home != nil {
		t.Fatal("a wrong password opened the local copy")
	}
	assertShows(t, u.window, "Adresse e-mail ou mot de passe incorrect.")
}

func TestFirstLoginForcesAPasswordChange(t *testing.T) {
	f := loggedInFake()
	f.login.MustChangePassword = true
	u := newTestWindow(t, f, Settings{ServerURL: "https://127.0.0.1:8443", Fingerprint: testFingerprint})
	typeLogin(u, "marie.dupont@exemple.fr", "Bonjour-2026!")
	if u.home != nil {
		t.Fatal("home opened before the forced change")
	}
	assertShows(t, u.window, "Pour votre première connexion, vous devez choisir un nouveau mot de passe.")
}

func TestSuspendedHabilitationOpensNothing(t *testing.T) {
	f := loggedInFake()
	f.pros["pro-1"].Habilitation = data.HabilitationSuspended
	u := newTestWindow(t, f, Settings{ServerURL: "https://127.0.0.1:8443", Fingerprint: testFingerprint})
	typeLogin(u, "marie.dupont@exemple.fr", "Bonjour-2026!")
	if u.home != nil {
		t.Fatal("a suspended childminder got her home")
	}
	if !f.called("Logout") {
		t.Error("the session was not closed")
	}
	joined := strings.Join(texts(u.window), " ")
	if !strings.Contains(joined, "suspendue") {
		t.Errorf("no suspension message: %q", joined)
	}
}

func TestAgentHomeHasItsFourScreens(t *testing.T) {
	f := newFakeService()
	f.password = "Agent-92-2026!"
	f.login = &wire.LoginResponse{Account: &wire.Account{ID: "ag", Email: "agent@caf92.fr", Role: string(data.RoleAgent),
		FirstName: "Jeanne", LastName: "Martin", CafCode: "921"}}
	u := newTestWindow(t, f, Settings{ServerURL: "https://127.0.0.1:8443", Fingerprint: testFingerprint})
	typeLogin(u, "agent@caf92.fr", "Agent-92-2026!")
	if u.home == nil || u.home.tabs == nil {
		t.Fatalf("no agent home; window shows %q", texts(u.window))
	}
	var labels []string
	for _, it := range u.home.tabs.Items {
		labels = append(labels, it.Text)
	}
	want := []string{"Demandes d'habilitation", "Registre", "Import PMI", "Journal"}
	if !slices.Equal(labels, want) {
		t.Errorf("agent tabs = %q, want %q", labels, want)
	}
	assertShows(t, u.window, "Jeanne MARTIN")
}

func TestStructureHomeHasItsFiche(t *testing.T) {
	f := loggedInFake()
	f.pros["pro-1"].Kind = data.KindStructure
	f.pros["pro-1"].StructureName = "Crèche Les Lutins"
	f.login.Account.Role = string(data.RoleStructure)
	u := newTestWindow(t, f, Settings{ServerURL: "https://127.0.0.1:8443", Fingerprint: testFingerprint})
	typeLogin(u, "marie.dupont@exemple.fr", "Bonjour-2026!")
	tabs, ok := u.home.content.(*fyne.Container).Objects[0].(*container.AppTabs)
	if !ok || len(tabs.Items) != 2 || tabs.Items[1].Text != "Ma fiche structure" {
		t.Fatalf("structure home: %q", texts(u.window))
	}
}

func TestSyncStatusIsAlwaysVisible(t *testing.T) {
	f := loggedInFake()
	u := newTestWindow(t, f, Settings{ServerURL: "https://127.0.0.1:8443", Fingerprint: testFingerprint})
	typeLogin(u, "marie.dupont@exemple.fr", "Bonjour-2026!")
	f.status.Pending, f.status.LastSuccess = 3, time.Date(2026, 11, 30, 9, 42, 0, 0, time.Local)
	u.refreshStatus()
	got := u.home.status.Text
	for _, want := range []string{"En ligne", "3 modifications en attente d'envoi", "dernière synchronisation le 30/11/2026 à 09:42"} {
		if !strings.Contains(got, want) {
			t.Errorf("status %q lacks %q", got, want)
		}
	}
	f.status.Online, f.status.LastError = false, "Le serveur n'est pas joignable."
	u.refreshStatus()
	if !strings.Contains(u.home.status.Text, "Hors connexion") || !u.home.problem.Visible() {
		t.Errorf("offline status %q, problem shown %v", u.home.status.Text, u.home.problem.Visible())
	}
}

func TestSessionEndAsksForThePasswordAndKeepsTheScreen(t *testing.T) {
	f := loggedInFake()
	u := newTestWindow(t, f, Settings{ServerURL: "https://127.0.0.1:8443", Fingerprint: testFingerprint})
	typeLogin(u, "marie.dupont@exemple.fr", "Bonjour-2026!")
	shown := u.window.Content()
	f.status.SessionOver, f.status.LoggedIn = true, false
	u.refreshStatus()
	if u.window.Canvas().Overlays().Top() == nil {
		t.Fatal("no password prompt after the session ended")
	}
	entry := findPasswordEntry(u.window.Canvas().Overlays().Top())
	if entry == nil {
		t.Fatal("the prompt has no password entry")
	}
	test.Type(entry, "Bonjour-2026!")
	tapButton(t, u.window.Canvas().Overlays().Top(), "Se reconnecter")
	if u.window.Content() != shown {
		t.Error("the screen was replaced by the new login")
	}
	if u.reauthOn {
		t.Error("the prompt is still marked open")
	}
	n := 0
	for _, c := range f.calls {
		if strings.HasPrefix(c, "Login") {
			n++
		}
	}
	if n != 2 {
		t.Errorf("logins = %d, want 2 (%q)", n, f.calls)
	}
}

func TestConflictNoticeSaysWhoseEditReplacedWhat(t *testing.T) {
	f := loggedInFake()
	f.conflicts = []data.LocalConflict{{Conflict: data.Conflict{ID: "cf-1", ProfessionalID: "pro-1",
		Entity: wire.EntityWeek, Key: data.WeekKey("pro-1", data.Date{Year: 2026, Month: 11, Day: 30}), Field: "c02",
		LostValue: "D", KeptValue: "N", LostBy: "Marie Dupont", KeptBy: "Marie Dupont (portable)",
		At: time.Date(2026, 11, 30, 10, 40, 0, 0, time.Local)}}}
	u := newTestWindow(t, f, Settings{ServerURL: "https://127.0.0.1:8443", Fingerprint: testFingerprint})
	typeLogin(u, "marie.dupont@exemple.fr", "Bonjour-2026!")
	f.status.Conflicts = 1
	u.refreshStatus()
	if !u.home.notices.Visible() || u.home.notices.Text != "Avis (1)" {
		t.Fatalf("notice button %q visible %v", u.home.notices.Text, u.home.notices.Visible())
	}
	test.Tap(u.home.notices)
	joined := strings.Join(texts(u.window), " ")
	for _, want := range []string{"Semaine du 30/11/2026, Lundi, Matinée 8h30 - 11h30", "« Disponible »", "« Non disponible »", "Marie Dupont (portable)"} {
		if !strings.Contains(joined, want) {
			t.Errorf("notice lacks %q: %q", want, joined)
		}
	}
}

func TestRejectedEditIsExplained(t *testing.T) {
	r := data.RejectedMutation{OutboxEntry: data.OutboxEntry{Entity: wire.EntityProfessional,
		CreatedAt: time.Date(2026, 11, 30, 9, 0, 0, 0, time.Local)}, Message: "Téléphone invalide."}
	got := describeRejection(r)
	if !strings.Contains(got, "Une modification de la fiche") || !strings.Contains(got, "Téléphone invalide.") {
		t.Errorf("rejection = %q", got)
	}
}

func TestLogoutAsksAboutUnsavedEdits(t *testing.T) {
	f := loggedInFake()
	u := newTestWindow(t, f, Settings{ServerURL: "https://127.0.0.1:8443", Fingerprint: testFingerprint})
	typeLogin(u, "marie.dupont@exemple.fr", "Bonjour-2026!")
	called := false
	u.leave = func(then func()) { called = true }
	test.Tap(u.home.logout)
	if !called || u.home == nil {
		t.Fatal("logout did not ask the screen first")
	}
	u.leave = nil
	test.Tap(u.home.logout)
	if u.home != nil || !f.called("Logout") {
		t.Fatal("logout did not end the session")
	}
	assertShows(t, u.window, "Se connecter")
}

func TestLoginLinksOpenTheirScreens(t *testing.T) {
	for name, tc := range map[string]struct {
		link func(*loginScreen) *widget.Hyperlink
		want string
	}{
		"demande":    {func(s *loginScreen) *widget.Hyperlink { return s.requestLink }, "Poursuivre"},
		"mot oublié": {func(s *loginScreen) *widget.Hyperlink { return s.forgotPassword }, "Retour à la connexion"},
		"serveur":    {func(s *loginScreen) *widget.Hyperlink { return s.settings }, "Enregistrer"},
	} {
		t.Run(name, func(t *testing.T) {
			u := newTestWindow(t, loggedInFake(), Settings{ServerURL: "https://127.0.0.1:8443", Fingerprint: testFingerprint})
			l := tc.link(u.login)
			test.TapAt(l, fyne.NewPos(l.Size().Width/2, l.Size().Height/2))
			assertShows(t, u.window, tc.want)
		})
	}
}

func TestAfterAResetTheLoginHasTheAddress(t *testing.T) {
	f := loggedInFake()
	u := newTestWindow(t, f, Settings{ServerURL: "https://127.0.0.1:8443", Fingerprint: testFingerprint})
	l := u.login.forgotPassword
	test.TapAt(l, fyne.NewPos(l.Size().Width/2, l.Size().Height/2))
	forgot := findEntryWithPlaceholder(t, u.window.Content(), "nom@exemple.fr")
	test.Type(forgot, "marie.dupont@exemple.fr")
	tapButton(t, u.window.Content(), "Recevoir un code")
	var secrets []*widget.Entry
	for _, obj := range test.LaidOutObjects(u.window.Content()) {
		if e, ok := obj.(*widget.Entry); ok && e.Visible() && e != forgot {
			secrets = append(secrets, e)
		}
	}
	if len(secrets) != 3 {
		t.Fatalf("step 2 has %d entries, want code and two passwords", len(secrets))
	}
	test.Type(secrets[0], "ACVJ-69HA-ZH")
	test.Type(secrets[1], "Le jardin des lutins 92")
	test.Type(secrets[2], "Le jardin des lutins 92")
	tapButton(t, u.window.Content(), "Modifier le mot de passe")
	if !f.called("ResetPassword marie.dupont@exemple.fr ACVJ-69HA-ZH") {
		t.Fatalf("calls: %q", f.calls)
	}
	if u.login == nil || u.login.email.Text != "marie.dupont@exemple.fr" {
		t.Fatalf("the login screen does not hold the address: %+v", u.login)
	}
}

// findEntryWithPlaceholder returns the visible entry under o whose
// placeholder is text.
func findEntryWithPlaceholder(t *testing.T, o fyne.CanvasObject, text string) *widget.Entry {
	t.Helper()
	for _, obj := range test.LaidOutObjects(o) {
		if e, ok := obj.(*widget.Entry); ok && e.Visible() && e.PlaceHolder == text {
			return e
		}
	}
	t.Fatalf("no entry with the placeholder %q", text)
	return nil
}

func TestChangePasswordFromLoginNeedsTheCurrentOne(t *testing.T) {
	f := loggedInFake()
	u := newTestWindow(t, f, Settings{ServerURL: "https://127.0.0.1:8443", Fingerprint: testFingerprint})
	l := u.login.changePassword
	test.TapAt(l, fyne.NewPos(l.Size().Width/2, l.Size().Height/2))
	if f.called("Login") {
		t.Fatal("logged in without a password")
	}
	test.Type(u.login.email, "marie.dupont@exemple.fr")
	test.Type(u.login.password, "Bonjour-2026!")
	test.TapAt(l, fyne.NewPos(l.Size().Width/2, l.Size().Height/2))
	assertShows(t, u.window, "Confirmer le nouveau mot de passe*")
}

func TestErrorsAreFrench(t *testing.T) {
	if got := errorMessage(errors.New("boom")); !strings.Contains(got, "erreur interne") {
		t.Errorf("errorMessage of a plain error = %q", got)
	}
}

// findPasswordEntry returns the first password entry under o.
func findPasswordEntry(o fyne.CanvasObject) *widget.Entry {
	for _, obj := range test.LaidOutObjects(o) {
		if e, ok := obj.(*widget.Entry); ok && e.Password {
			return e
		}
	}
	return nil
}

// tapButton taps the button labelled text under o.
func tapButton(t *testing.T, o fyne.CanvasObject, text string) {
	t.Helper()
	for _, obj := range test.LaidOutObjects(o) {
		if b, ok := obj.(*widget.Button); ok && b.Text == text {
			test.Tap(b)
			return
		}
	}
	t.Fatalf("no button %q", text)
}
