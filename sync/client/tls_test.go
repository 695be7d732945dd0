package client

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"errors"
	"io"
	"log"
	"math/big"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"espacepro/data"
	"espacepro/sync/wire"
)

// fakeService is a TLS server on loopback that answers logins with status
// codes from a list (201 once the list is used up), counting connections
// and calls.
type fakeService struct {
	*httptest.Server
	conns, calls atomic.Int32
	statuses     []int
}

func startFake(t *testing.T, statuses ...int) *fakeService {
	t.Helper()
	f := &fakeService{statuses: statuses}
	f.Server = httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := int(f.calls.Add(1))
		w.Header().Set("Content-Type", "application/json")
		if n <= len(f.statuses) {
			w.WriteHeader(f.statuses[n-1])
			code := map[int]string{401: "unauthorized", 426: "upgrade_required", 503: "unavailable"}[f.statuses[n-1]]
			json.NewEncoder(w).Encode(wire.Error{Code: code, Message: "Réponse de test."})
			return
		}
		w.WriteHeader(http.StatusCreated)
		json.NewEncoder(w).Encode(wire.LoginResponse{Token: "secret-token",
			Account: &wire.Account{ID: "a1", Email: "sophie@example.org", Role: "agent_caf", CafCode: "921"}})
	}))
	f.Config.ErrorLog = log.New(io.Discard, "", 0) // refused handshakes are the point
	f.TLS = &tls.Config{Certificates: []tls.Certificate{selfSigned(t)}}
	f.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		if s == http.StateNew {
			f.conns.Add(1)
		}
	}
	f.StartTLS()
	t.Cleanup(f.Close)
	return f
}

// selfSigned makes a new certificate for 127.0.0.1, so that each test
// server has its own (httptest's is shared).
func selfSigned(t *testing.T) tls.Certificate {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	must(t, err, "key")
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(time.Now().UnixNano()),
		Subject: pkix.Name{CommonName: "127.0.0.1"}, IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1)},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		KeyUsage: x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign, BasicConstraintsValid: true, IsCA: true,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	must(t, err, "certificate")
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}
}

func (f *fakeService) fingerprint() string { return Fingerprint(f.Certificate()) }

// caFile writes the server's certificate as a PEM file.
func (f *fakeService) caFile(t *testing.T) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "ca.pem")
	b := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: f.Certificate().Raw})
	must(t, os.WriteFile(path, b, 0o600), "write CA")
	return path
}

func newClient(t *testing.T, cfg Config) *Client {
	t.Helper()
	if cfg.RetryWait == 0 {
		cfg.RetryWait = time.Millisecond
	}
	c, err := New(cfg, openTestLocal(t))
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	t.Cleanup(c.Close)
	return c
}

func TestPinnedCertificate(t *testing.T) {
	ctx := context.Background()
	good := startFake(t)
	other := startFake(t)
	if good.fingerprint() == other.fingerprint() {
		t.Fatal("the two test servers share a certificate")
	}

	c := newClient(t, Config{ServerURL: good.URL, Fingerprint: strings.ToLower(good.fingerprint())})
	res, err := c.Login(ctx, "sophie@example.org", "Cerisier-42")
	if err != nil {
		t.Fatalf("Login with the right pin: %v", err)
	}
	if res.Token != "" || res.Account.ID != "a1" || !c.State().LoggedIn {
		t.Errorf("Login: token %q returned, account %+v, status %+v", res.Token, res.Account, c.State())
	}

	// The other server's certificate is refused, once (no retry), with both
	// fingerprints in a French message.
	c = newClient(t, Config{ServerURL: other.URL, Fingerprint: good.fingerprint()})
	_, err = c.Login(ctx, "sophie@example.org", "Cerisier-42")
	var ce *CertificateError
	if !errors.As(err, &ce) {
		t.Fatalf("Login with another certificate: %v, want a CertificateError", err)
	}
	if ce.Got != other.fingerprint() || ce.Want != good.fingerprint() {
		t.Errorf("fingerprints got %s want %s", ce.Got, ce.Want)
	}
	msg := data.ErrorMessage(err)
	if data.ErrorCode(err) != data.EUNAVAILABLE || !strings.Contains(msg, "n'est pas celui attendu") ||
		!strings.Contains(msg, other.fingerprint()) || !strings.Contains(msg, good.fingerprint()) {
		t.Errorf("message %q (code %s)", msg, data.ErrorCode(err))
	}
	if other.calls.Load() != 0 || other.conns.Load() != 1 {
		t.Errorf("refused server: %d calls, %d connections; want 0 and 1 (no retry)", other.calls.Load(), other.conns.Load())
	}
	if s := c.State(); s.Online || s.LoggedIn || s.LastError != msg {
		t.Errorf("status after a refused certificate: %+v", s)
	}
}

func TestCAFile(t *testing.T) {
	ctx := context.Background()
	good := startFake(t)
	other := startFake(t)
	c := newClient(t, Config{ServerURL: good.URL, CAFile: good.caFile(t)})
	if _, err := c.Login(ctx, "sophie@example.org", "Cerisier-42"); err != nil {
		t.Fatalf("Login with the server's CA: %v", err)
	}
	c = newClient(t, Config{ServerURL: other.URL, CAFile: good.caFile(t)})
	_, err := c.Login(ctx, "sophie@example.org", "Cerisier-42")
	var ce *CertificateError
	if !errors.As(err, &ce) || ce.Got != other.fingerprint() || ce.Want != "" {
		t.Fatalf("Login with another CA: %v (%+v)", err, ce)
	}
	if !strings.Contains(data.ErrorMessage(err), "n'a pas pu être vérifié") || other.conns.Load() != 1 {
		t.Errorf("message %q, %d connections", data.ErrorMessage(err), other.conns.Load())
	}
	// CA and pin: both must pass.
	c = newClient(t, Config{ServerURL: good.URL, CAFile: good.caFile(t), Fingerprint: other.fingerprint()})
	if _, err := c.Login(ctx, "sophie@example.org", "Cerisier-42"); !errors.As(err, &ce) {
		t.Errorf("Login with the right CA and a wrong pin: %v", err)
	}
}

func TestConfigRefused(t *testing.T) {
	l := openTestLocal(t)
	dir := t.TempDir()
	notPEM := filepath.Join(dir, "ca.pem")
	must(t, os.WriteFile(notPEM, []byte("not a certificate"), 0o600), "write")
	fp := strings.Repeat("AB:", 31) + "AB"
	for _, cfg := range []Config{
		{ServerURL: "https://127.0.0.1:8443"},                       // nothing to verify with
		{ServerURL: "http://127.0.0.1:8443", Fingerprint: fp},       // not https
		{ServerURL: "127.0.0.1:8443", Fingerprint: fp},              // no scheme
		{ServerURL: "https://127.0.0.1:8443", Fingerprint: "AB:CD"}, // too short
		{ServerURL: "https://127.0.0.1:8443", Fingerprint: strings.Repeat("ZZ", 32)},
		{ServerURL: "https://127.0.0.1:8443", CAFile: filepath.Join(dir, "missing.pem")},
		{ServerURL: "https://127.0.0.1:8443", CAFile: notPEM},
	} {
		if _, err := New(cfg, l); data.ErrorCode(err) != data.EINVALID {
			t.Errorf("New(%+v): %v, want EINVALID", cfg, err)
		}
	}
	if got, err := NormalizeFingerprint(strings.ToLower(strings.ReplaceAll(fp, ":", " "))); err != nil || got != fp {
		t.Errorf("NormalizeFingerprint: %q, %v", got, err)
	}
}

func TestRetries(t *testing.T) {
	ctx := context.Background()
	// 503 is tried again, and the third try succeeds.
	f := startFake(t, 503, 503)
	c := newClient(t, Config{ServerURL: f.URL, Fingerprint: f.fingerprint(), Retries: 3})
	if _, err := c.Login(ctx, "sophie@example.org", "Cerisier-42"); err != nil {
		t.Fatalf("Login after two 503: %v", err)
	}
	if n := f.calls.Load(); n != 3 {
		t.Errorf("%d calls, want 3", n)
	}
	// A 4xx is never tried again.
	f = startFake(t, 401, 401)
	c = newClient(t, Config{ServerURL: f.URL, Fingerprint: f.fingerprint(), Retries: 3})
	if _, err := c.Login(ctx, "sophie@example.org", "mauvais"); data.ErrorCode(err) != data.EUNAUTHORIZED {
		t.Errorf("Login refused: %v", err)
	}
	if n := f.calls.Load(); n != 1 {
		t.Errorf("%d calls after a 401, want 1", n)
	}
	// 503 every time: the service's trouble, told as unreachable.
	f = startFake(t, 503, 503, 503)
	c = newClient(t, Config{ServerURL: f.URL, Fingerprint: f.fingerprint(), Retries: 2})
	if _, err := c.Login(ctx, "sophie@example.org", "Cerisier-42"); data.ErrorCode(err) != data.EUNAVAILABLE ||
		!strings.HasPrefix(data.ErrorMessage(err), MsgUnreachable) {
		t.Errorf("Login on a service that stays 503: %v", err)
	}
	// Another protocol.
	f = startFake(t, 426)
	c = newClient(t, Config{ServerURL: f.URL, Fingerprint: f.fingerprint()})
	if _, err := c.Login(ctx, "sophie@example.org", "Cerisier-42"); data.ErrorCode(err) != data.EUPGRADE || data.ErrorMessage(err) != MsgUpgrade {
		t.Errorf("Login answered 426: %v", err)
	}
}

func TestUnreachable(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	must(t, err, "listen")
	addr := ln.Addr().String()
	ln.Close()
	c := newClient(t, Config{ServerURL: "https://" + addr, Fingerprint: strings.Repeat("00", 32), Retries: 2})
	_, err = c.Login(context.Background(), "sophie@example.org", "Cerisier-42")
	if data.ErrorCode(err) != data.EUNAVAILABLE || data.ErrorMessage(err) != MsgUnreachable {
		t.Errorf("Login on a closed port: %v", err)
	}
	if s := c.State(); s.Online || s.LastError != MsgUnreachable {
		t.Errorf("status %+v", s)
	}
}
