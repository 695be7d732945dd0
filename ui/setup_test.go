package ui

import (
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"espacepro/sync/client"
)

// goodFingerprint is a SHA-256 fingerprint as people copy it: lower case,
// no colons.
const goodFingerprint = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

// goodFingerprintNormal is goodFingerprint in client.Fingerprint's form.
var goodFingerprintNormal = "01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF"

// newSetupWindow shows a setup screen in a test window; saved receives
// what onSave got.
func newSetupWindow(t *testing.T, initial Settings) (*setupScreen, fyne.Window, *[]Settings) {
	t.Helper()
	a := test.NewTempApp(t)
	w := a.NewWindow("setup")
	t.Cleanup(w.Close)
	s := newSetupScreen(initial)
	s.window = w
	var saved []Settings
	s.onSave = func(set Settings) error { saved = append(saved, set); return nil }
	w.SetContent(s.content)
	w.Resize(fyne.NewSize(640, 560))
	return s, w, &saved
}

func TestSetupShowsItsWording(t *testing.T) {
	s, w, _ := newSetupWindow(t, Settings{})
	assertShowsWrapped(t, w,
		"Adresse du serveur",
		"Comment vérifier le serveur",
		"Empreinte du certificat (SHA-256)",
		"Fichier de l'autorité de certification (CA)",
		"Demandez ces informations à votre Caf ; l'application refuse un serveur qu'elle ne peut pas vérifier.",
		"Enregistrer",
	)
	if !s.fingerBox.Visible() || s.caBox.Visible() {
		t.Error("the fingerprint should be asked for by default, not the CA file")
	}
	test.AssertRendersToMarkup(t, "setup.xml", w.Canvas())
}

func TestSetupRefusesPlainHTTP(t *testing.T) {
	s, w, saved := newSetupWindow(t, Settings{})
	test.Type(s.server, "http://espacepro.caf.fr")
	test.Type(s.fingerprint, goodFingerprint)
	test.Tap(s.save)
	if len(*saved) != 0 {
		t.Fatalf("onSave called with %+v", *saved)
	}
	want := "L'adresse doit commencer par https:// : l'application ne communique qu'en connexion chiffrée."
	if !s.serverError.Visible() || s.serverError.Text != want {
		t.Errorf("message next to the address = %q (visible %v)", s.serverError.Text, s.serverError.Visible())
	}
	assertShowsWrapped(t, w, want)
	if s.fingerError.Visible() {
		t.Errorf("the good fingerprint is refused: %q", s.fingerError.Text)
	}
}

func TestSetupRefusesAnAddressWithoutHost(t *testing.T) {
	for _, addr := range []string{"", "https://", "espacepro.caf.fr", "https:///chemin"} {
		s, _, saved := newSetupWindow(t, Settings{})
		test.Type(s.server, addr)
		test.Type(s.fingerprint, goodFingerprint)
		test.Tap(s.save)
		if len(*saved) != 0 || !s.serverError.Visible() {
			t.Errorf("%q: accepted (saved %v, message %q)", addr, *saved, s.serverError.Text)
		}
	}
}

func TestSetupRefusesABadFingerprint(t *testing.T) {
	s, w, saved := newSetupWindow(t, Settings{})
	test.Type(s.server, "https://espacepro.caf.fr")
	test.Type(s.fingerprint, "AB:CD:EF")
	test.Tap(s.save)
	if len(*saved) != 0 {
		t.Fatalf("onSave called with %+v", *saved)
	}
	_, err := client.NormalizeFingerprint("AB:CD:EF")
	if !s.fingerError.Visible() || s.fingerError.Text != errorMessage(err) {
		t.Errorf("message next to the fingerprint = %q, want %q", s.fingerError.Text, errorMessage(err))
	}
	assertShowsWrapped(t, w, errorMessage(err))
	if s.serverError.Visible() {
		t.Errorf("the good address is refused: %q", s.serverError.Text)
	}

	s.fingerprint.SetText("")
	test.Tap(s.save)
	if !strings.Contains(s.fingerError.Text, "Saisissez l'empreinte") {
		t.Errorf("empty fingerprint: %q", s.fingerError.Text)
	}
}

func TestSetupSavesNormalizedSettings(t *testing.T) {
	s, _, saved := newSetupWindow(t, Settings{})
	var after []Settings
	s.onSaved = func(set Settings) { after = append(after, set) }
	test.Type(s.server, "  https://espacepro.caf.fr:8443/ ")
	test.Type(s.fingerprint, goodFingerprint)
	test.Tap(s.save)
	want := Settings{ServerURL: "https://espacepro.caf.fr:8443", Fingerprint: goodFingerprintNormal}
	if len(*saved) != 1 || (*saved)[0] != want {
		t.Fatalf("onSave got %+v, want %+v", *saved, want)
	}
	if len(after) != 1 || after[0] != want {
		t.Errorf("onSaved got %+v", after)
	}
	if s.fingerprint.Text != goodFingerprintNormal {
		t.Errorf("the fingerprint is shown as %q", s.fingerprint.Text)
	}
	if s.serverError.Visible() || s.fingerError.Visible() || s.message.Visible() {
		t.Error("a message is shown after a successful save")
	}
}

func TestSetupWithACAFile(t *testing.T) {
	s, w, saved := newSetupWindow(t, Settings{ServerURL: "https://espacepro.caf.fr"})
	s.pickFile = func(chosen func(string)) { chosen("/home/marie/caf-ca.pem") }
	s.method.SetSelected("Fichier de l'autorité de certification (CA)")
	if s.fingerBox.Visible() || !s.caBox.Visible() {
		t.Fatal("the CA file's button is not shown")
	}
	test.Tap(s.save)
	if len(*saved) != 0 || !s.caError.Visible() {
		t.Fatalf("saved without a CA file: %v", *saved)
	}

	test.Tap(s.chooseCA)
	assertShowsWrapped(t, w, "/home/marie/caf-ca.pem")
	if s.caError.Visible() {
		t.Error("the CA error stays after a file is chosen")
	}
	test.Tap(s.save)
	want := Settings{ServerURL: "https://espacepro.caf.fr", CAFile: "/home/marie/caf-ca.pem"}
	if len(*saved) != 1 || (*saved)[0] != want {
		t.Fatalf("onSave got %+v, want %+v", *saved, want)
	}
}

func TestSetupStartsFromSavedSettings(t *testing.T) {
	s, _, _ := newSetupWindow(t, Settings{ServerURL: "https://a.fr", CAFile: "/etc/caf.pem"})
	if s.method.Selected != "Fichier de l'autorité de certification (CA)" || s.caPath.Text != "/etc/caf.pem" {
		t.Errorf("method %q, path %q", s.method.Selected, s.caPath.Text)
	}
	if s.server.Text != "https://a.fr" {
		t.Errorf("address %q", s.server.Text)
	}
}

func TestSetupShowsTheConnectionError(t *testing.T) {
	s, w, _ := newSetupWindow(t, Settings{})
	certErr := &client.CertificateError{Got: "AA:BB", Want: goodFingerprintNormal}
	saved := false
	s.onSave = func(Settings) error { return certErr }
	s.onSaved = func(Settings) { saved = true }
	test.Type(s.server, "https://espacepro.caf.fr")
	test.Type(s.fingerprint, goodFingerprint)
	test.Tap(s.save)
	if saved {
		t.Error("onSaved called after an error")
	}
	if !s.message.Visible() || s.message.Text != certErr.Error() {
		t.Errorf("message = %q, want %q", s.message.Text, certErr.Error())
	}
	assertShowsWrapped(t, w, certErr.Error())
	if w.Canvas().Overlays().Top() != nil {
		t.Error("the error should be shown on the screen, not in a dialog")
	}
	if s.save.Disabled() {
		t.Error("« Enregistrer » stays disabled after the error")
	}
}
