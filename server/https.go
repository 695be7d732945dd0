// Package server is the central service of Espace professionnel: its HTTPS
// API, workflows and public pages. For now it serves only GET /healthz.
package server

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"math/big"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	"espacepro/data"
	"espacepro/server/mail"
)

// Defaults of Config.
const (
	DefaultAddr            = "127.0.0.1:8443"
	DefaultShutdownTimeout = 10 * time.Second
)

// Config says where and how the service listens.
type Config struct {
	// Addr is the TCP address to listen on (DefaultAddr when empty).
	Addr string
	// DataDir holds the service's files; it is created when missing. The
	// generated certificate lives in DataDir/tls/.
	DataDir string
	// TLSCertFile and TLSKeyFile name a PEM certificate (chain) and its key.
	// Both empty: a self-signed certificate for localhost is generated on the
	// first start and reused afterwards.
	TLSCertFile, TLSKeyFile string
	// ShutdownTimeout bounds how long Run waits for requests in flight
	// (DefaultShutdownTimeout when zero).
	ShutdownTimeout time.Duration
	// Logger receives the service's log (slog.Default() when nil).
	Logger *slog.Logger

	// Store is the central store (data/sqlite or data/postgres). The
	// server does not close it: its opener does. Without a store only
	// /healthz is served.
	Store data.CentralStore
	// Mail sends the service's mails (default: .eml files in DataDir/mail).
	Mail mail.Sender
}

// Server is the central HTTPS service. Build it with New.
type Server struct {
	cfg         Config
	log         *slog.Logger
	cert        tls.Certificate
	leaf        *x509.Certificate
	generated   bool
	mux         *http.ServeMux
	httpServer  *http.Server
	fingerprint string
	svc         *Service
}

// Service returns the service behind the API (nil without a store).
func (s *Server) Service() *Service { return s.svc }

// New loads (or, on the first start, generates) the TLS certificate,
// creates cfg.DataDir and sets up the routes. It does not listen yet.
func New(cfg Config) (*Server, error) {
	if cfg.Addr == "" {
		cfg.Addr = DefaultAddr
	}
	if cfg.ShutdownTimeout <= 0 {
		cfg.ShutdownTimeout = DefaultShutdownTimeout
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.DataDir == "" {
		return nil, errors.New("server: no data directory")
	}
	if (cfg.TLSCertFile == "") != (cfg.TLSKeyFile == "") {
		return nil, errors.New("server: give both a TLS certificate and its key, or neither")
	}
	if err := os.MkdirAll(cfg.DataDir, 0o750); err != nil {
		return nil, fmt.Errorf("server: data directory: %w", err)
	}

	s := &Server{cfg: cfg, log: cfg.Logger, mux: http.NewServeMux()}
	if err := s.loadCertificate(); err != nil {
		return nil, err
	}
	s.fingerprint = Fingerprint(s.leaf)
	if cfg.Store != nil {
		if cfg.Mail == nil {
			cfg.Mail = &mail.FileSender{Dir: filepath.Join(cfg.DataDir, "mail"), Log: cfg.Logger}
		}
		s.svc = NewService(cfg.Store, cfg.Mail, cfg.Logger)
	}
	s.routes()
	s.httpServer = &http.Server{
		Handler: s.mux,
		TLSConfig: &tls.Config{
			MinVersion:   tls.VersionTLS12,
			Certificates: []tls.Certificate{s.cert},
		},
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       1 * time.Minute,
		WriteTimeout:      2 * time.Minute,
		IdleTimeout:       2 * time.Minute,
		ErrorLog:          slog.NewLogLogger(cfg.Logger.Handler(), slog.LevelWarn),
	}
	return s, nil
}

// routes registers every handler. Later work adds its routes here.
func (s *Server) routes() {
	s.mux.HandleFunc("GET /healthz", s.handleHealthz)
	if s.svc != nil {
		s.apiRoutes()
		s.publicRoutes()
	}
}

// Handler returns the service's HTTP handler, without TLS (for tests and for
// embedding behind another server).
func (s *Server) Handler() http.Handler { return s.mux }

// Addr returns the configured listen address.
func (s *Server) Addr() string { return s.cfg.Addr }

// Certificate returns the leaf certificate the service presents.
func (s *Server) Certificate() *x509.Certificate { return s.leaf }

// Fingerprint returns the SHA-256 fingerprint of the certificate the service
// presents, in the form Fingerprint documents.
func (s *Server) Fingerprint() string { return s.fingerprint }

// GeneratedCertificate reports whether the certificate is the self-signed one
// kept in the data directory (rather than one given by flag).
func (s *Server) GeneratedCertificate() bool { return s.generated }

// Listen opens the TCP listener on the configured address.
func (s *Server) Listen() (net.Listener, error) {
	ln, err := net.Listen("tcp", s.cfg.Addr)
	if err != nil {
		return nil, fmt.Errorf("server: listen: %w", err)
	}
	return ln, nil
}

// Serve serves HTTPS (TLS 1.2 or later) on ln until Shutdown. Like
// http.Server.Serve, it returns http.ErrServerClosed after a shutdown.
func (s *Server) Serve(ln net.Listener) error {
	return s.httpServer.ServeTLS(ln, "", "")
}

// Shutdown stops accepting connections and waits for requests in flight
// until ctx is done.
func (s *Server) Shutdown(ctx context.Context) error {
	return s.httpServer.Shutdown(ctx)
}

// Run serves on ln until ctx is done, then shuts down gracefully within
// the configured timeout. It returns nil after a clean shutdown.
func (s *Server) Run(ctx context.Context, ln net.Listener) error {
	errc := make(chan error, 1)
	go func() { errc <- s.Serve(ln) }()
	if s.svc != nil {
		go s.svc.Housekeeping(ctx, HousekeepingInterval)
	}
	select {
	case err := <-errc:
		return fmt.Errorf("server: %w", err)
	case <-ctx.Done():
	}
	s.log.Info("shutting down", "timeout", s.cfg.ShutdownTimeout)
	sctx, cancel := context.WithTimeout(context.Background(), s.cfg.ShutdownTimeout)
	defer cancel()
	if err := s.Shutdown(sctx); err != nil {
		return fmt.Errorf("server: shutdown: %w", err)
	}
	if s.svc != nil {
		s.svc.Wait()
	}
	if err := <-errc; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("server: %w", err)
	}
	return nil
}

// handleHealthz answers 200 {"status":"ok"} while the service runs and its
// store answers, 503 {"status":"unavailable"} when the store does not.
func (s *Server) handleHealthz(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	status := "ok"
	if s.cfg.Store != nil {
		if err := s.cfg.Store.Ping(r.Context()); err != nil {
			s.log.Error("healthz: store does not answer", "err", err)
			status = "unavailable"
			w.WriteHeader(http.StatusServiceUnavailable)
		}
	}
	_ = json.NewEncoder(w).Encode(map[string]string{"status": status})
}

// Fingerprint returns the SHA-256 digest of the certificate's DER bytes as
// colon-separated uppercase hex pairs, the form that
// `openssl x509 -noout -fingerprint -sha256` prints.
func Fingerprint(cert *x509.Certificate) string {
	sum := sha256.Sum256(cert.Raw)
	var b strings.Builder
	for i, c := range sum {
		if i > 0 {
			b.WriteByte(':')
		}
		fmt.Fprintf(&b, "%02X", c)
	}
	return b.String()
}

// TLS certificate ----------------------------------------------------------

// CertificatePaths returns where the generated certificate and key of a data
// directory are kept.
func CertificatePaths(dataDir string) (certFile, keyFile string) {
	dir := filepath.Join(dataDir, "tls")
	return filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
}

// loadCertificate loads the certificate given by flag, or the generated one,
// generating it when the data directory has none yet (or only an expired one).
func (s *Server) loadCertificate() error {
	certFile, keyFile := s.cfg.TLSCertFile, s.cfg.TLSKeyFile
	if certFile != "" {
		return s.loadKeyPair(certFile, keyFile)
	}
	s.generated = true
	certFile, keyFile = CertificatePaths(s.cfg.DataDir)
	certExists, keyExists := fileExists(certFile), fileExists(keyFile)
	if certExists != keyExists {
		return fmt.Errorf("server: %s and %s must both exist or both be absent; remove the one left to generate a new certificate",
			certFile, keyFile)
	}
	if certExists {
		if err := s.loadKeyPair(certFile, keyFile); err != nil {
			return err
		}
		if time.Now().Before(s.leaf.NotAfter) {
			return nil
		}
		s.log.Warn("generated certificate expired: making a new one", "not_after", s.leaf.NotAfter)
	}
	if err := GenerateCertificate(certFile, keyFile, time.Now()); err != nil {
		return err
	}
	s.log.Info("generated a self-signed certificate", "cert", certFile)
	return s.loadKeyPair(certFile, keyFile)
}

func (s *Server) loadKeyPair(certFile, keyFile string) error {
	cert, err := tls.LoadX509KeyPair(certFile, keyFile)
	if err != nil {
		return fmt.Errorf("server: TLS certificate: %w", err)
	}
	s.cert, s.leaf = cert, cert.Leaf
	if s.leaf == nil { // Leaf is filled in since Go 1.23; keep a guard.
		if s.leaf, err = x509.ParseCertificate(cert.Certificate[0]); err != nil {
			return fmt.Errorf("server: TLS certificate: %w", err)
		}
	}
	return nil
}

// GenerateCertificate writes a self-signed ECDSA P-256 certificate for
// localhost, 127.0.0.1 and ::1, valid two years from now, to certFile, and
// its key to keyFile (mode 0600). The directory is created when missing.
func GenerateCertificate(certFile, keyFile string, now time.Time) error {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return fmt.Errorf("server: generate key: %w", err)
	}
	serial, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 127))
	if err != nil {
		return fmt.Errorf("server: generate serial: %w", err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: serial,
		Subject: pkix.Name{
			CommonName:   "localhost",
			Organization: []string{"Espace professionnel (auto-signé)"},
		},
		DNSNames:              []string{"localhost"},
		IPAddresses:           []net.IP{net.IPv4(127, 0, 0, 1), net.IPv6loopback},
		NotBefore:             now.Add(-time.Hour),
		NotAfter:              now.AddDate(2, 0, 0),
		KeyUsage:              x509.KeyUsageDigitalSignature,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return fmt.Errorf("server: create certificate: %w", err)
	}
	keyDER, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return fmt.Errorf("server: encode key: %w", err)
	}
	if err := os.MkdirAll(filepath.Dir(certFile), 0o700); err != nil {
		return fmt.Errorf("server: certificate directory: %w", err)
	}
	if err := os.MkdirAll(filepath.Dir(keyFile), 0o700); err != nil {
		return fmt.Errorf("server: key directory: %w", err)
	}
	// The key first: a certificate without its key is never left behind.
	if err := writeFileAtomic(keyFile, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: keyDER}), 0o600); err != nil {
		return fmt.Errorf("server: write key: %w", err)
	}
	if err := writeFileAtomic(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o644); err != nil {
		return fmt.Errorf("server: write certificate: %w", err)
	}
	return nil
}

// writeFileAtomic writes data to a temporary file beside name, then renames
// it, so that a crash never leaves half a file.
func writeFileAtomic(name string, data []byte, perm fs.FileMode) error {
	f, err := os.CreateTemp(filepath.Dir(name), "."+filepath.Base(name)+".*")
	if err != nil {
		return err
	}
	tmp := f.Name()
	defer os.Remove(tmp) // no-op after the rename
	if err := f.Chmod(perm); err != nil {
		f.Close()
		return err
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	return os.Rename(tmp, name)
}

func fileExists(name string) bool {
	_, err := os.Stat(name)
	return err == nil
}
