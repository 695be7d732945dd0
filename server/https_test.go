package server

import (
	"bytes"
	"context"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"
)

// startServer runs a Server on a random loopback port until the test ends
// and returns it with its base URL.
func startServer(t *testing.T, cfg Config) (*Server, string) {
	t.Helper()
	cfg.Addr = "127.0.0.1:0"
	cfg.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	s, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	ln, err := s.Listen()
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- s.Run(ctx, ln) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Run: %v", err)
		}
	})
	return s, "https://" + ln.Addr().String()
}

// pinnedClient trusts exactly the certificate whose SHA-256 fingerprint is
// given, whatever its name or issuer.
func pinnedClient(fingerprint string) *http.Client {
	return &http.Client{
		Timeout: 10 * time.Second,
		Transport: &http.Transport{TLSClientConfig: &tls.Config{
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
				if got := Fingerprint(cert); got != fingerprint {
					return fmt.Errorf("certificate fingerprint %s, want %s", got, fingerprint)
				}
				return nil
			},
		}},
	}
}

// poolClient trusts the given certificate as its only root, checking names
// as a browser would.
func poolClient(cert *x509.Certificate) *http.Client {
	pool := x509.NewCertPool()
	pool.AddCert(cert)
	return &http.Client{
		Timeout:   10 * time.Second,
		Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}},
	}
}

func getHealthz(t *testing.T, c *http.Client, url string) {
	t.Helper()
	resp, err := c.Get(url + "/healthz")
	if err != nil {
		t.Fatalf("GET /healthz: %v", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET /healthz: status %d, want 200", resp.StatusCode)
	}
	if ct := resp.Header.Get("Content-Type"); ct != "application/json" {
		t.Errorf("Content-Type = %q, want application/json", ct)
	}
	var body map[string]string
	if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
		t.Fatalf("decode body: %v", err)
	}
	if body["status"] != "ok" || len(body) != 1 {
		t.Errorf("body = %v, want {\"status\":\"ok\"}", body)
	}
}

func TestHealthzOverPinnedTLS(t *testing.T) {
	dir := t.TempDir()
	s, url := startServer(t, Config{DataDir: dir})
	if !s.GeneratedCertificate() {
		t.Fatal("expected a generated certificate")
	}

	getHealthz(t, pinnedClient(s.Fingerprint()), url)
	getHealthz(t, poolClient(s.Certificate()), url)
	// The certificate names localhost too.
	getHealthz(t, poolClient(s.Certificate()), strings.Replace(url, "127.0.0.1", "localhost", 1))

	// A client that trusts nothing special refuses the certificate.
	untrusted := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{}}
	if resp, err := untrusted.Get(url + "/healthz"); err == nil {
		resp.Body.Close()
		t.Fatal("a client without the certificate was served")
	} else if !strings.Contains(err.Error(), "certificate") {
		t.Errorf("unexpected error: %v", err)
	}

	// A client pinned to another fingerprint refuses it too.
	if resp, err := pinnedClient(strings.Repeat("00:", 31) + "00").Get(url + "/healthz"); err == nil {
		resp.Body.Close()
		t.Fatal("a client pinned to another certificate was served")
	}

	// Plain HTTP is not served.
	if resp, err := http.Get("http://" + strings.TrimPrefix(url, "https://") + "/healthz"); err == nil {
		resp.Body.Close()
		if resp.StatusCode == http.StatusOK {
			t.Fatal("plain HTTP was served")
		}
	}

	// Only GET (and HEAD) are routed.
	resp, err := pinnedClient(s.Fingerprint()).Post(url+"/healthz", "application/json", nil)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusMethodNotAllowed {
		t.Errorf("POST /healthz: status %d, want 405", resp.StatusCode)
	}
}

func TestTLSVersionAtLeast12(t *testing.T) {
	s, url := startServer(t, Config{DataDir: t.TempDir()})
	c := pinnedClient(s.Fingerprint())
	tr := c.Transport.(*http.Transport)
	tr.TLSClientConfig.MinVersion = tls.VersionTLS10
	tr.TLSClientConfig.MaxVersion = tls.VersionTLS11
	if resp, err := c.Get(url + "/healthz"); err == nil {
		resp.Body.Close()
		t.Fatal("TLS 1.1 was accepted")
	}
}

func TestGeneratedCertificateIsReused(t *testing.T) {
	dir := t.TempDir()
	first, err := New(Config{DataDir: dir, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	certFile, keyFile := CertificatePaths(dir)
	info, err := os.Stat(keyFile)
	if err != nil {
		t.Fatal(err)
	}
	if perm := info.Mode().Perm(); perm != 0o600 {
		t.Errorf("key mode %o, want 600", perm)
	}
	leaf := first.Certificate()
	if d := leaf.NotAfter.Sub(leaf.NotBefore); d < 2*365*24*time.Hour || d > 2*367*24*time.Hour {
		t.Errorf("validity %v, want about two years", d)
	}
	if err := leaf.VerifyHostname("127.0.0.1"); err != nil {
		t.Error(err)
	}
	if err := leaf.VerifyHostname("::1"); err != nil {
		t.Error(err)
	}

	// Second start: same certificate, served.
	second, url := startServer(t, Config{DataDir: dir})
	if second.Fingerprint() != first.Fingerprint() {
		t.Fatalf("fingerprint changed across restarts: %s then %s", first.Fingerprint(), second.Fingerprint())
	}
	getHealthz(t, pinnedClient(first.Fingerprint()), url)

	// Half a key pair is an error, not a silent regeneration.
	if err := os.Remove(certFile); err != nil {
		t.Fatal(err)
	}
	if _, err := New(Config{DataDir: dir}); err == nil {
		t.Fatal("New with a key but no certificate succeeded")
	}
}

func TestCertificateByFlag(t *testing.T) {
	other := t.TempDir()
	certFile, keyFile := CertificatePaths(other)
	if err := GenerateCertificate(certFile, keyFile, time.Now()); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	s, url := startServer(t, Config{DataDir: dir, TLSCertFile: certFile, TLSKeyFile: keyFile})
	if s.GeneratedCertificate() {
		t.Error("a certificate given by flag is reported as generated")
	}
	if c, _ := CertificatePaths(dir); fileExists(c) {
		t.Error("a certificate was generated although one was given")
	}
	getHealthz(t, pinnedClient(s.Fingerprint()), url)

	if _, err := New(Config{DataDir: dir, TLSCertFile: certFile}); err == nil {
		t.Error("a certificate without its key was accepted")
	}
}

func TestFingerprintMatchesOpenSSLForm(t *testing.T) {
	dir := t.TempDir()
	certFile, keyFile := CertificatePaths(dir)
	if err := GenerateCertificate(certFile, keyFile, time.Now()); err != nil {
		t.Fatal(err)
	}
	s, err := New(Config{DataDir: dir, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	fp := s.Fingerprint()
	sum := sha256.Sum256(s.Certificate().Raw)
	if want := strings.ToUpper(strings.Join(splitPairs(fmt.Sprintf("%x", sum)), ":")); fp != want {
		t.Fatalf("Fingerprint = %s, want %s", fp, want)
	}
	if _, err := exec.LookPath("openssl"); err != nil {
		t.Skip("openssl not installed")
	}
	out, err := exec.Command("openssl", "x509", "-noout", "-fingerprint", "-sha256", "-in", certFile).Output()
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(out, []byte("="+fp)) {
		t.Errorf("openssl printed %q, want it to end with %s", out, fp)
	}
}

func splitPairs(s string) []string {
	var out []string
	for i := 0; i+2 <= len(s); i += 2 {
		out = append(out, s[i:i+2])
	}
	return out
}
