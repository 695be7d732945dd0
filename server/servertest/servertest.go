// Package servertest runs the real central service for black-box tests:
// a server.Server over HTTPS on a random loopback port, on a store the test
// opens, sending its mail to an in-process SMTP server (mailtest), with a
// test clock and a recorder in place of the login slow-down. Tests talk to
// it through an HTTPS client that pins the service's certificate, as the
// desktop app does.
//
//	store := servertest.OpenSQLite(t)
//	env := servertest.Start(t, store)
//	res := env.Do(t, "POST", "/api/v1/captcha", "", nil)
//	env.Clock.Advance(31 * time.Minute)
//
// Everything the package reads behind the service's back (a captcha's
// answer in the store, a password in a mail) is the test's privilege; the
// product offers no such door.
package servertest

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"espacepro/data"
	"espacepro/server"
	"espacepro/server/mail"
	"espacepro/server/mail/mailtest"
	"espacepro/sync/wire"
)

// Epoch is where the test clock starts: a Monday morning in Paris.
var Epoch = time.Date(2026, time.March, 2, 8, 30, 0, 0, time.UTC)

// Clock is a test clock: it moves only when told to.
type Clock struct {
	mu  sync.Mutex
	now time.Time
}

// NewClock returns a clock showing t.
func NewClock(t time.Time) *Clock { return &Clock{now: t} }

// Now returns the clock's time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// Advance moves the clock forward by d.
func (c *Clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// Pauses records the slow-downs the service asks for instead of sleeping.
type Pauses struct {
	mu   sync.Mutex
	list []time.Duration
}

// Pause records d; it is the service's Pause.
func (p *Pauses) Pause(_ context.Context, d time.Duration) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.list = append(p.list, d)
}

// List returns the pauses recorded so far, oldest first.
func (p *Pauses) List() []time.Duration {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]time.Duration(nil), p.list...)
}

// LogBuffer collects the service's log, so that a test can check that no
// secret ever reaches it.
type LogBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

// Write implements io.Writer.
func (l *LogBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Write(p)
}

// String returns everything logged so far.
func (l *LogBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.String()
}

// Env is a running service and what a test needs to talk to it.
type Env struct {
	Server  *server.Server
	Service *server.Service
	Store   data.CentralStore
	URL     string // https://127.0.0.1:PORT
	Client  *http.Client
	Mail    *mailtest.Server
	Clock   *Clock
	Pauses  *Pauses
	Log     *LogBuffer
}

// Start runs the service on store until the test ends. The store is the
// caller's: Start does not close it (open it before calling Start, so that
// it is closed after the service stops).
func Start(tb testing.TB, store data.CentralStore) *Env {
	tb.Helper()
	e := &Env{Store: store, Mail: mailtest.Start(tb), Clock: NewClock(Epoch), Pauses: &Pauses{}, Log: &LogBuffer{}}
	log := slog.New(slog.NewTextHandler(e.Log, &slog.HandlerOptions{Level: slog.LevelDebug}))
	sender, err := mail.NewSMTPSender(e.Mail.Config(), log)
	if err != nil {
		tb.Fatal(err)
	}
	srv, err := server.New(server.Config{DataDir: tb.TempDir(), Addr: "127.0.0.1:0", Store: store, Mail: sender, Logger: log})
	if err != nil {
		tb.Fatal(err)
	}
	e.Server, e.Service = srv, srv.Service()
	e.Service.Now = e.Clock.Now
	e.Service.Pause = e.Pauses.Pause
	ln, err := srv.Listen()
	if err != nil {
		tb.Fatal(err)
	}
	e.URL = "https://" + ln.Addr().String()
	e.Client = PinnedClient(srv.Fingerprint())
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- srv.Run(ctx, ln) }()
	tb.Cleanup(func() {
		e.Client.CloseIdleConnections()
		cancel()
		if err := <-done; err != nil {
			tb.Errorf("server.Run: %v", err)
		}
	})
	return e
}

// PinnedClient returns an HTTPS client that trusts exactly the certificate
// of that SHA-256 fingerprint (server.Fingerprint's form), keeping
// connections alive.
func PinnedClient(fingerprint string) *http.Client {
	return &http.Client{
		Timeout: 30 * time.Second,
		Transport: &http.Transport{
			MaxIdleConns:        100,
			MaxIdleConnsPerHost: 100,
			IdleConnTimeout:     time.Minute,
			TLSClientConfig: &tls.Config{
				MinVersion:         tls.VersionTLS12,
				InsecureSkipVerify: true, // replaced by the pin check below
				VerifyPeerCertificate: func(raw [][]byte, _ [][]*x509.Certificate) error {
					if len(raw) == 0 {
						return errors.New("no certificate")
					}
					cert, err := x509.ParseCertificate(raw[0])
					if err != nil {
						return err
					}
					if got := server.Fingerprint(cert); got != fingerprint {
						return fmt.Errorf("certificate fingerprint %s, want %s", got, fingerprint)
					}
					return nil
				},
			},
		},
	}
}

// Response is an answer of the service, read whole.
type Response struct {
	Method, Path string
	Status       int
	Header       http.Header
	Body         []byte
}

func (r *Response) String() string {
	return fmt.Sprintf("%s %s: %d %s", r.Method, r.Path, r.Status, r.Body)
}

// Decode reads the JSON body into v, failing the test when it cannot.
func (r *Response) Decode(tb testing.TB, v any) {
	tb.Helper()
	if err := json.Unmarshal(r.Body, v); err != nil {
		tb.Fatalf("%s %s: decode %T: %v; body: %s", r.Method, r.Path, v, err, r.Body)
	}
}

// Error decodes an error answer.
func (r *Response) Error(tb testing.TB) wire.Error {
	tb.Helper()
	var e wire.Error
	r.Decode(tb, &e)
	return e
}

// Do calls the service. body is nil (no body), []byte or string (sent as
// it is), or anything else (sent as JSON). token, when not empty, is sent
// as the bearer token.
func (e *Env) Do(tb testing.TB, method, path, token string, body any) *Response {
	tb.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case []byte:
		rd = bytes.NewReader(b)
	case string:
		rd = strings.NewReader(b)
	default:
		j, err := json.Marshal(b)
		if err != nil {
			tb.Fatal(err)
		}
		rd = bytes.NewReader(j)
	}
	req, err := http.NewRequest(method, e.URL+path, rd)
	if err != nil {
		tb.Fatal(err)
	}
	if rd != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := e.Client.Do(req)
	if err != nil {
		tb.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		tb.Fatalf("%s %s: read the body: %v", method, path, err)
	}
	return &Response{Method: method, Path: path, Status: resp.StatusCode, Header: resp.Header, Body: b}
}

// Want calls the service and fails the test unless it answers status; the
// answer is decoded into out when out is not nil.
func (e *Env) Want(tb testing.TB, status int, method, path, token string, body, out any) *Response {
	tb.Helper()
	r := e.Do(tb, method, path, token, body)
	if r.Status != status {
		tb.Fatalf("%s %s: status %d, want %d; body: %s", method, path, r.Status, status, r.Body)
	}
	if out != nil {
		r.Decode(tb, out)
	}
	return r
}

var frenchWord = regexp.MustCompile(`(?i)[éèêàâçùûîôœ«»]|\b(le|la|les|de|des|du|votre|vous|un|une|est|pas|ce|cette|il|elle|et|ou|au|aux|en|sur|pour|par|introuvable|inconnue?)\b|\b[dl]'`)

// WantError checks that r is an error answer of that status and code, with
// a French message and, when field is not empty, a French message for that
// field. It returns the decoded error.
func WantError(tb testing.TB, r *Response, status int, code, field string) wire.Error {
	tb.Helper()
	if r.Status != status {
		tb.Fatalf("%s %s: status %d, want %d; body: %s", r.Method, r.Path, r.Status, status, r.Body)
	}
	if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		tb.Errorf("%s %s: Content-Type %q, want JSON", r.Method, r.Path, ct)
	}
	e := r.Error(tb)
	if e.Code != code {
		tb.Errorf("%s %s: code %q, want %q; body: %s", r.Method, r.Path, e.Code, code, r.Body)
	}
	WantFrench(tb, r.Method+" "+r.Path+" message", e.Message)
	if field != "" {
		msg, ok := e.Fields[field]
		if !ok {
			tb.Errorf("%s %s: no message for field %q; body: %s", r.Method, r.Path, field, r.Body)
		} else {
			WantFrench(tb, r.Method+" "+r.Path+" fields."+field, msg)
		}
	}
	return e
}

// WantFrench fails the test unless msg is a non-empty French sentence (by a
// rough test: a French word or accented letter in it).
func WantFrench(tb testing.TB, what, msg string) {
	tb.Helper()
	if strings.TrimSpace(msg) == "" {
		tb.Errorf("%s: empty message", what)
	} else if !frenchWord.MatchString(msg) {
		tb.Errorf("%s: %q does not read as French", what, msg)
	}
}
