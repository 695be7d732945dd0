package mail_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"fmt"
	"log/slog"
	"net/mail"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"testing"
	"time"

	"espacepro/data"
	espmail "espacepro/server/mail"
	"espacepro/server/mail/mailtest"
)

const (
	cafFrom   = "habilitations.caf921@espacepro.example"
	cafName   = "Caf des Hauts-de-Seine"
	recipient = "marie.dupont@example.fr"
	fullName  = "Marie Dupont"
)

// fixedNow is the clock of the tests: Sunday 29 November 2026, 23:15 in Paris.
func fixedNow() time.Time {
	return time.Date(2026, 11, 29, 22, 15, 0, 0, time.UTC)
}

// captureLog returns a logger writing JSON lines into the returned buffer.
func captureLog() (*slog.Logger, *bytes.Buffer) {
	var buf bytes.Buffer
	return slog.New(slog.NewJSONHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug})), &buf
}

// emlFiles returns the names of the .eml files of dir, and fails on any
// other entry (a temporary file left behind).
func emlFiles(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		if !strings.HasSuffix(e.Name(), ".eml") {
			t.Errorf("unexpected file %s in the mail folder", e.Name())
			continue
		}
		names = append(names, e.Name())
	}
	return names
}

func randomBytes(t *testing.T, n int) []byte {
	t.Helper()
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return b
}

func TestFileSenderWritesParseableEML(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "mail") // does not exist yet
	pdf := append([]byte("%PDF-1.4\n"), randomBytes(t, 70_000)...)
	m := espmail.HabilitationLetter(cafFrom, recipient, "Hélène Lefèvre-Châtelain", cafName, pdf)
	s := &espmail.FileSender{Dir: dir, Log: slog.New(slog.DiscardHandler), Now: fixedNow}
	if err := s.Send(context.Background(), m); err != nil {
		t.Fatal(err)
	}

	names := emlFiles(t, dir)
	if len(names) != 1 {
		t.Fatalf("files = %v, want one", names)
	}
	name := names[0]
	if !regexp.MustCompile(`^20261129T221500Z-[0-9a-f]{4}-marie\.dupont_at_example\.fr\.eml$`).MatchString(name) {
		t.Errorf("file name %q does not follow TIMESTAMP-RAND-RECIPIENT.eml", name)
	}
	if runtime.GOOS != "windows" {
		assertMode(t, dir, 0o700)
		assertMode(t, filepath.Join(dir, name), 0o600)
	}

	raw, err := os.ReadFile(filepath.Join(dir, name))
	if err != nil {
		t.Fatal(err)
	}
	for i, c := range raw {
		if c >= 0x80 {
			t.Fatalf("byte %d of the .eml is not 7-bit ASCII (%#x): headers and body must be encoded", i, c)
		}
	}
	if !bytes.Contains(raw, []byte("\r\n")) || bytes.Contains(bytes.ReplaceAll(raw, []byte("\r\n"), nil), []byte("\n")) {
		t.Error("the .eml must use CRLF line endings only")
	}

	got, err := mailtest.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	if got.Subject != m.Subject {
		t.Errorf("subject = %q, want %q", got.Subject, m.Subject)
	}
	if got.Text != m.Text {
		t.Errorf("body = %q, want %q", got.Text, m.Text)
	}
	if !strings.Contains(got.Text, "Bonjour Hélène Lefèvre-Châtelain,") {
		t.Errorf("body lost its accents: %q", got.Text)
	}
	if got.From != cafFrom || got.To != recipient {
		t.Errorf("From, To = %q, %q", got.From, got.To)
	}
	if len(got.Attachments) != 1 {
		t.Fatalf("attachments = %d, want 1", len(got.Attachments))
	}
	a := got.Attachments[0]
	if !bytes.Equal(a.Data, pdf) {
		t.Errorf("attachment bytes differ (%d bytes, want %d)", len(a.Data), len(pdf))
	}
	if a.Name != "courrier-habilitation.pdf" || a.ContentType != "application/pdf" {
		t.Errorf("attachment = %q %q", a.Name, a.ContentType)
	}

	if v := got.Header.Get("Auto-Submitted"); v != "auto-generated" {
		t.Errorf("Auto-Submitted = %q", v)
	}
	if id := got.Header.Get("Message-ID"); !regexp.MustCompile(`^<[0-9a-f]{32}@espacepro\.example>$`).MatchString(id) {
		t.Errorf("Message-ID = %q, want <random@domain of From>", id)
	}
	date, err := got.Header.Date()
	if err != nil || !date.Equal(fixedNow()) {
		t.Errorf("Date = %v (%v), want %v", date, err, fixedNow())
	}
	if v := got.Header.Get("Subject"); !strings.HasPrefix(v, "=?UTF-8?") {
		t.Errorf("raw Subject %q is not an RFC 2047 encoded word", v)
	}
}

func assertMode(t *testing.T, path string, want os.FileMode) {
	t.Helper()
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if got := fi.Mode().Perm(); got != want {
		t.Errorf("mode of %s = %o, want %o", filepath.Base(path), got, want)
	}
}

func TestFileSenderLogsNoBody(t *testing.T) {
	const password = "x1WisU2H"
	dir := t.TempDir()
	log, buf := captureLog()
	s := &espmail.FileSender{Dir: dir, Log: log}
	m := espmail.AccountCreated(cafFrom, recipient, fullName, "http://www.mon-enfant.fr", password, cafFrom, 7)
	if err := s.Send(context.Background(), m); err != nil {
		t.Fatal(err)
	}
	names := emlFiles(t, dir)
	if len(names) != 1 {
		t.Fatalf("files = %v", names)
	}

	logged := buf.String()
	if strings.Count(logged, "\n") != 1 {
		t.Errorf("want one log line, got %q", logged)
	}
	for _, want := range []string{recipient, names[0], `"secret":true`, "Votre compte a été créé"} {
		if !strings.Contains(logged, want) {
			t.Errorf("log %q lacks %q", logged, want)
		}
	}
	for _, secret := range []string{password, "mot de passe est", "Bonjour"} {
		if strings.Contains(logged, secret) {
			t.Errorf("log %q shows the body (%q)", logged, secret)
		}
	}

	// The password is in the mail, though: the check above means something.
	raw, err := os.ReadFile(filepath.Join(dir, names[0]))
	if err != nil {
		t.Fatal(err)
	}
	got, err := mailtest.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(got.Text, "« "+password+" »") {
		t.Errorf("the mail lacks the password: %q", got.Text)
	}
}

func TestFileSenderManyMailsSameSecond(t *testing.T) {
	dir := t.TempDir()
	s := &espmail.FileSender{Dir: dir, Log: slog.New(slog.DiscardHandler), Now: fixedNow}
	const n = 50
	errs := make(chan error, n)
	for i := range n {
		go func() {
			errs <- s.Send(context.Background(), espmail.PasswordResetCode(cafFrom, recipient, fullName, fmt.Sprint(i), 15))
		}()
	}
	for range n {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
	if names := emlFiles(t, dir); len(names) != n {
		t.Fatalf("%d files, want %d", len(names), n)
	}
}

func TestFileSenderRejectsBadAddress(t *testing.T) {
	dir := t.TempDir()
	s := &espmail.FileSender{Dir: dir, Log: slog.New(slog.DiscardHandler)}
	for _, to := range []string{"", "pas une adresse", "a@b@c"} {
		err := s.Send(context.Background(), espmail.Message{From: cafFrom, To: to, Subject: "x", Text: "x"})
		if data.ErrorCode(err) != data.EINVALID {
			t.Errorf("To %q: err = %v, want EINVALID", to, err)
		}
	}
	if names := emlFiles(t, dir); len(names) != 0 {
		t.Errorf("files written for bad addresses: %v", names)
	}
}

func TestFileSenderHonoursCancelledContext(t *testing.T) {
	dir := t.TempDir()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	s := &espmail.FileSender{Dir: dir, Log: slog.New(slog.DiscardHandler)}
	if err := s.Send(ctx, espmail.PasswordResetCode(cafFrom, recipient, fullName, "123456", 15)); err == nil {
		t.Fatal("Send with a cancelled context succeeded")
	}
	if names := emlFiles(t, dir); len(names) != 0 {
		t.Errorf("files written: %v", names)
	}
}

func TestMessageNeverPrintsItsBody(t *testing.T) {
	const password = "s3cr3tPW"
	m := espmail.AccountCreated(cafFrom, recipient, fullName, "https://example.fr", password, cafFrom, 7)
	log, buf := captureLog()
	log.Info("sending", "mail", m)
	printed := fmt.Sprintf("%v %+v %#v %s", m, m, m, m) + buf.String()
	if strings.Contains(printed, password) {
		t.Errorf("printing a Message shows its password: %s", printed)
	}
	if !strings.Contains(printed, recipient) {
		t.Errorf("printing a Message should show its recipient: %s", printed)
	}
}

func TestMessageIDOnDomainOfFrom(t *testing.T) {
	dir := t.TempDir()
	s := &espmail.FileSender{Dir: dir, Log: slog.New(slog.DiscardHandler)}
	m := espmail.RequestConfirmation("Caf de l'Ain <Habilitations.Caf011@Caf-Ain.Example>", recipient, fullName, "Caf de l'Ain", true)
	if err := s.Send(context.Background(), m); err != nil {
		t.Fatal(err)
	}
	names := emlFiles(t, dir)
	raw, err := os.ReadFile(filepath.Join(dir, names[0]))
	if err != nil {
		t.Fatal(err)
	}
	msg, err := mail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	if id := msg.Header.Get("Message-ID"); !strings.HasSuffix(id, "@caf-ain.example>") {
		t.Errorf("Message-ID = %q, want it on caf-ain.example", id)
	}
	from, err := msg.Header.AddressList("From")
	if err != nil || len(from) != 1 || from[0].Name != "Caf de l'Ain" {
		t.Errorf("From = %v (%v), want the display name kept", from, err)
	}
}
