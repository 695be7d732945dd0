package mail_test

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	espmail "espacepro/server/mail"
	"espacepro/server/mail/mailtest"
)

const waitMail = 5 * time.Second

func newSMTPSender(t *testing.T, cfg espmail.SMTPConfig, log *slog.Logger) *espmail.SMTPSender {
	t.Helper()
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	s, err := espmail.NewSMTPSender(cfg, log)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestSMTPSenderDeliversWithSTARTTLSAndAuth(t *testing.T) {
	srv := mailtest.Start(t)
	log, buf := captureLog()
	s := newSMTPSender(t, srv.Config(), log)
	pdf := append([]byte("%PDF-1.7\n"), randomBytes(t, 10_000)...)
	m := espmail.HabilitationLetter(cafFrom, recipient, "Hélène Lefèvre", cafName, pdf)
	if err := s.Send(context.Background(), m); err != nil {
		t.Fatal(err)
	}

	r := srv.WaitFor(t, recipient, waitMail)
	if !r.TLS {
		t.Error("the message travelled without TLS")
	}
	if r.AuthUser != mailtest.Username {
		t.Errorf("authenticated as %q, want %q", r.AuthUser, mailtest.Username)
	}
	if r.From != cafFrom || len(r.To) != 1 || r.To[0] != recipient {
		t.Errorf("envelope = %q -> %v", r.From, r.To)
	}
	if r.Helo != "client.mailtest.localhost" {
		t.Errorf("EHLO name = %q", r.Helo)
	}
	got := r.Parse(t)
	if got.Subject != m.Subject || got.Text != m.Text {
		t.Errorf("decoded subject/body differ:\n%q\n%q", got.Subject, got.Text)
	}
	if len(got.Attachments) != 1 || !bytes.Equal(got.Attachments[0].Data, pdf) {
		t.Errorf("attachment not received intact")
	}
	if v := got.Header.Get("Auto-Submitted"); v != "auto-generated" {
		t.Errorf("Auto-Submitted = %q", v)
	}

	logged := buf.String()
	if !strings.Contains(logged, recipient) || !strings.Contains(logged, srv.Addr()) {
		t.Errorf("log %q lacks the recipient or the server", logged)
	}
	for _, secret := range []string{srv.Password(), "Bonjour", "JVBER"} {
		if strings.Contains(logged, secret) {
			t.Errorf("log %q shows %q", logged, secret)
		}
	}
}

func TestSMTPSenderLogsNoPassword(t *testing.T) {
	const password = "x1WisU2H"
	srv := mailtest.Start(t)
	log, buf := captureLog()
	s := newSMTPSender(t, srv.Config(), log)
	m := espmail.AccountCreated(cafFrom, recipient, fullName, "http://www.mon-enfant.fr", password, cafFrom, 7)
	if err := s.Send(context.Background(), m); err != nil {
		t.Fatal(err)
	}
	got := srv.WaitFor(t, recipient, waitMail).Parse(t)
	if !strings.Contains(got.Text, password) {
		t.Fatalf("the mail lacks the password: %q", got.Text)
	}
	if strings.Contains(buf.String(), password) {
		t.Errorf("log shows the password: %s", buf.String())
	}
}

// The .eml of FileSender holds the bytes an SMTP server receives, but for
// the random token of the Message-ID and boundary.
func TestFileAndSMTPWriteTheSameBytes(t *testing.T) {
	srv := mailtest.Start(t)
	s := newSMTPSender(t, srv.Config(), nil)
	s.Now = fixedNow
	dir := t.TempDir()
	f := &espmail.FileSender{Dir: dir, Log: slog.New(slog.DiscardHandler), Now: fixedNow}
	m := espmail.HabilitationLetter(cafFrom, recipient, "Hélène Lefèvre", cafName, randomBytes(t, 3000))
	if err := s.Send(context.Background(), m); err != nil {
		t.Fatal(err)
	}
	if err := f.Send(context.Background(), m); err != nil {
		t.Fatal(err)
	}
	viaSMTP := srv.WaitFor(t, recipient, waitMail).Raw
	names := emlFiles(t, dir)
	viaFile, err := os.ReadFile(filepath.Join(dir, names[0]))
	if err != nil {
		t.Fatal(err)
	}
	a, b := withoutToken(t, viaSMTP), withoutToken(t, viaFile)
	if !bytes.Equal(a, b) {
		t.Errorf("the .eml differs from what the SMTP server received:\n--- smtp\n%s\n--- file\n%s", a, b)
	}
}

// withoutToken replaces the random token of a message (its Message-ID's
// local part, reused in the boundary) with TOKEN.
func withoutToken(t *testing.T, raw []byte) []byte {
	t.Helper()
	m := regexp.MustCompile(`Message-ID: <([0-9a-f]{32})@`).FindSubmatch(raw)
	if m == nil {
		t.Fatalf("no Message-ID in %q", raw)
	}
	return bytes.ReplaceAll(raw, m[1], []byte("TOKEN"))
}

func TestSMTPSenderRefused(t *testing.T) {
	srv := mailtest.Start(t)
	s := newSMTPSender(t, srv.Config(), nil)
	m := espmail.RequestConfirmation(cafFrom, recipient, fullName, cafName, true)

	srv.Refuse(true)
	err := s.Send(context.Background(), m)
	if err == nil {
		t.Fatal("a refused mail was reported sent")
	}
	if espmail.IsTemporary(err) {
		t.Errorf("a 550 refusal is reported temporary: %v", err)
	}

	srv.Refuse(false)
	err = s.Send(context.Background(), m)
	if err == nil {
		t.Fatal("a refused mail was reported sent")
	}
	if !espmail.IsTemporary(err) {
		t.Errorf("a 451 refusal is reported permanent: %v", err)
	}

	if n := len(srv.Messages()); n != 0 {
		t.Fatalf("%d messages received while refusing", n)
	}
	srv.Accept()
	if err := s.Send(context.Background(), m); err != nil {
		t.Fatal(err)
	}
	srv.WaitFor(t, recipient, waitMail)
}

func TestSMTPSenderWrongCredentials(t *testing.T) {
	srv := mailtest.Start(t)
	for _, tc := range []struct{ name, user, password string }{
		{"wrong password", mailtest.Username, "not-the-password"},
		{"wrong user", "someone", srv.Password()},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := srv.Config()
			cfg.Username, cfg.Password = tc.user, tc.password
			s := newSMTPSender(t, cfg, nil)
			err := s.Send(context.Background(), espmail.PasswordResetCode(cafFrom, recipient, fullName, "123456", 15))
			if err == nil {
				t.Fatal("sent with wrong credentials")
			}
			if espmail.IsTemporary(err) {
				t.Errorf("wrong credentials reported temporary: %v", err)
			}
			if strings.Contains(err.Error(), tc.password) {
				t.Errorf("the error shows the password: %v", err)
			}
		})
	}
	// Without credentials the server asks for them.
	cfg := srv.Config()
	cfg.Username, cfg.Password = "", ""
	if err := newSMTPSender(t, cfg, nil).Send(context.Background(),
		espmail.PasswordResetCode(cafFrom, recipient, fullName, "123456", 15)); err == nil {
		t.Error("sent without authentication to a server that requires it")
	}
	if n := len(srv.Messages()); n != 0 {
		t.Fatalf("%d messages received", n)
	}
}

func TestSMTPSenderMandatorySTARTTLS(t *testing.T) {
	srv := mailtest.StartWith(t, mailtest.Options{NoTLS: true, Anonymous: true})
	cfg := srv.Config()
	cfg.Username, cfg.Password = "", ""
	m := espmail.RequestConfirmation(cafFrom, recipient, fullName, cafName, true)

	if err := newSMTPSender(t, cfg, nil).Send(context.Background(), m); err == nil {
		t.Fatal("mandatory STARTTLS sent to a server without STARTTLS")
	}
	if n := len(srv.Messages()); n != 0 {
		t.Fatalf("%d messages received in clear text", n)
	}

	for _, mode := range []string{espmail.StartTLSOpportunistic, espmail.StartTLSNone} {
		cfg.StartTLS = mode
		if err := newSMTPSender(t, cfg, nil).Send(context.Background(), m); err != nil {
			t.Fatalf("%s: %v", mode, err)
		}
		if r := srv.WaitFor(t, recipient, waitMail); r.TLS || r.AuthUser != "" {
			t.Errorf("%s: TLS=%v user=%q, want neither", mode, r.TLS, r.AuthUser)
		}
	}
}

func TestSMTPSenderOpportunisticUsesTLS(t *testing.T) {
	srv := mailtest.Start(t)
	cfg := srv.Config()
	cfg.StartTLS = espmail.StartTLSOpportunistic
	if err := newSMTPSender(t, cfg, nil).Send(context.Background(),
		espmail.RequestConfirmation(cafFrom, recipient, fullName, cafName, false)); err != nil {
		t.Fatal(err)
	}
	if r := srv.WaitFor(t, recipient, waitMail); !r.TLS || r.AuthUser == "" {
		t.Errorf("TLS=%v user=%q, want both", r.TLS, r.AuthUser)
	}
}

func TestSMTPSenderNoPasswordInClearText(t *testing.T) {
	// The server offers AUTH PLAIN only after STARTTLS; with STARTTLS off,
	// the sender must fail rather than send the password in clear text.
	srv := mailtest.Start(t)
	cfg := srv.Config()
	cfg.StartTLS = espmail.StartTLSNone
	if err := newSMTPSender(t, cfg, nil).Send(context.Background(),
		espmail.RequestConfirmation(cafFrom, recipient, fullName, cafName, true)); err == nil {
		t.Fatal("sent with credentials over a clear-text connection")
	}
}

func TestSMTPSenderVerifiesTheCertificate(t *testing.T) {
	srv := mailtest.Start(t)
	cfg := srv.Config()
	cfg.TLSConfig = nil // system roots: the self-signed certificate is not trusted
	err := newSMTPSender(t, cfg, nil).Send(context.Background(),
		espmail.RequestConfirmation(cafFrom, recipient, fullName, cafName, true))
	if err == nil {
		t.Fatal("sent to a server whose certificate does not verify")
	}
	if espmail.IsTemporary(err) {
		t.Errorf("an untrusted certificate is reported temporary: %v", err)
	}
	if n := len(srv.Messages()); n != 0 {
		t.Fatalf("%d messages received", n)
	}
}

func TestSMTPSenderServerDown(t *testing.T) {
	srv := mailtest.Start(t)
	s := newSMTPSender(t, srv.Config(), nil)
	srv.Close()
	err := s.Send(context.Background(), espmail.RequestConfirmation(cafFrom, recipient, fullName, cafName, true))
	if err == nil {
		t.Fatal("sent to a stopped server")
	}
	if !espmail.IsTemporary(err) {
		t.Errorf("an unreachable server is reported permanent: %v", err)
	}
}

func TestSMTPSenderCancelledContext(t *testing.T) {
	srv := mailtest.Start(t)
	s := newSMTPSender(t, srv.Config(), nil)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := s.Send(ctx, espmail.RequestConfirmation(cafFrom, recipient, fullName, cafName, true)); err == nil {
		t.Fatal("sent with a cancelled context")
	}
}

func TestSMTPSenderCheck(t *testing.T) {
	srv := mailtest.Start(t)
	if err := newSMTPSender(t, srv.Config(), nil).Check(context.Background()); err != nil {
		t.Fatal(err)
	}
	cfg := srv.Config()
	cfg.Password = "wrong"
	if err := newSMTPSender(t, cfg, nil).Check(context.Background()); err == nil {
		t.Fatal("Check accepted a wrong password")
	}
}

func TestSMTPSenderConcurrent(t *testing.T) {
	srv := mailtest.Start(t)
	s := newSMTPSender(t, srv.Config(), nil)
	const n = 8
	errs := make(chan error, n)
	for range n {
		go func() {
			errs <- s.Send(context.Background(), espmail.RequestConfirmation(cafFrom, recipient, fullName, cafName, true))
		}()
	}
	for range n {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
	for range n {
		srv.WaitFor(t, recipient, waitMail)
	}
}

func TestNewSMTPSenderConfig(t *testing.T) {
	for _, tc := range []struct {
		name     string
		cfg      espmail.SMTPConfig
		wantPort int
		wantTLS  string
		wantErr  bool
	}{
		{"defaults", espmail.SMTPConfig{Host: "smtp.example.fr"}, 587, "mandatory", false},
		{"none on 25", espmail.SMTPConfig{Host: "localhost", StartTLS: "none"}, 25, "none", false},
		{"explicit port", espmail.SMTPConfig{Host: "smtp.example.fr", Port: 2525, StartTLS: "Opportunistic"}, 2525, "opportunistic", false},
		{"no host", espmail.SMTPConfig{}, 0, "", true},
		{"bad mode", espmail.SMTPConfig{Host: "h", StartTLS: "always"}, 0, "", true},
		{"bad port", espmail.SMTPConfig{Host: "h", Port: 70000}, 0, "", true},
		{"password without user", espmail.SMTPConfig{Host: "h", Password: "p"}, 0, "", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, err := espmail.NewSMTPSender(tc.cfg, nil)
			if tc.wantErr {
				if err == nil {
					t.Fatal("no error")
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			cfg := s.Config()
			if cfg.Port != tc.wantPort || cfg.StartTLS != tc.wantTLS || cfg.Timeout != espmail.DefaultSMTPTimeout {
				t.Errorf("config = %v", cfg)
			}
			if cfg.TLSConfig == nil || cfg.TLSConfig.ServerName != tc.cfg.Host {
				t.Errorf("TLS server name not set to the host")
			}
		})
	}
}

func TestSMTPConfigHidesPassword(t *testing.T) {
	cfg := espmail.SMTPConfig{Host: "smtp.example.fr", Username: "u", Password: "hunter2-secret"}
	log, buf := captureLog()
	log.Info("smtp", "config", cfg)
	s := buf.String() + cfg.String() + fmt.Sprintf(" %v %+v %#v %s", cfg, cfg, cfg, cfg)
	if strings.Contains(s, "hunter2-secret") {
		t.Errorf("the SMTP password shows: %s", s)
	}
	if !strings.Contains(s, "smtp.example.fr") {
		t.Errorf("the host should show: %s", s)
	}
}

func TestReadPasswordFile(t *testing.T) {
	dir := t.TempDir()
	for _, tc := range []struct{ content, want string }{
		{"s3cret\n", "s3cret"},
		{"s3cret\r\n", "s3cret"},
		{"with space \nsecond line\n", "with space "},
		{"no-newline", "no-newline"},
	} {
		path := filepath.Join(dir, "pw")
		if err := os.WriteFile(path, []byte(tc.content), 0o600); err != nil {
			t.Fatal(err)
		}
		got, err := espmail.ReadPasswordFile(path)
		if err != nil || got != tc.want {
			t.Errorf("%q: got %q, %v; want %q", tc.content, got, err, tc.want)
		}
	}
	empty := filepath.Join(dir, "empty")
	if err := os.WriteFile(empty, []byte("\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := espmail.ReadPasswordFile(empty); err == nil {
		t.Error("an empty password file was accepted")
	}
	if _, err := espmail.ReadPasswordFile(filepath.Join(dir, "missing")); err == nil {
		t.Error("a missing password file was accepted")
	}
}
