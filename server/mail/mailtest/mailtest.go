// Package mailtest runs a real SMTP server in the test process
// (github.com/emersion/go-smtp) and decodes what it receives, so that tests
// check mail end to end: STARTTLS, AUTH, MIME encoding and all.
//
//	srv := mailtest.Start(t)
//	sender, _ := mail.NewSMTPSender(srv.Config(), nil)
//	... the code under test sends ...
//	got := srv.WaitFor(t, "marie.dupont@example.fr", 5*time.Second).Parse(t)
//	if got.Subject != "..." { ... }
package mailtest

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/hex"
	"errors"
	"io"
	"log"
	"math/big"
	"net"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"

	"espacepro/server/mail"
)

// Username is the user the server accepts; its password is
// Server.Password().
const Username = "mailtest"

// Received is one message the server accepted.
type Received struct {
	From     string   // envelope sender (MAIL FROM)
	To       []string // envelope recipients (RCPT TO)
	Raw      []byte   // the message as received, CRLF line endings
	TLS      bool     // the session had switched to TLS (STARTTLS) before MAIL FROM
	AuthUser string   // the user that authenticated, "" when none did
	Helo     string   // the name the client gave in EHLO/HELO
}

// Parse decodes r (see Parse) and fails the test when it cannot.
func (r Received) Parse(t testing.TB) Parsed {
	t.Helper()
	p, err := Parse(r.Raw)
	if err != nil {
		t.Fatalf("mailtest: decode the message to %v: %v", r.To, err)
	}
	return p
}

// Options change how the server behaves.
type Options struct {
	// NoTLS: do not offer STARTTLS.
	NoTLS bool
	// Anonymous: accept mail without authentication (AUTH is still offered
	// over TLS).
	Anonymous bool
}

// Server is a running SMTP server for one test. Build it with Start.
type Server struct {
	ln       net.Listener
	srv      *smtp.Server
	opts     Options
	password string
	certPool *x509.CertPool
	served   chan struct{} // closed when Serve returns

	mu       sync.Mutex
	received []Received
	taken    []bool // taken[i]: received[i] was returned by WaitFor
	refuse   *smtp.SMTPError
	closed   bool
}

// Start runs a server on 127.0.0.1 with a random port, STARTTLS (with a
// self-signed certificate made in memory) and AUTH PLAIN (Username and
// Password()); mail is accepted only after authentication. It stops when
// the test ends.
func Start(t testing.TB) *Server {
	t.Helper()
	return StartWith(t, Options{})
}

// StartWith is Start with options.
func StartWith(t testing.TB, opts Options) *Server {
	t.Helper()
	cert, pool, err := selfSigned()
	if err != nil {
		t.Fatalf("mailtest: certificate: %v", err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("mailtest: listen: %v", err)
	}
	var pw [12]byte
	_, _ = rand.Read(pw[:])
	s := &Server{ln: ln, opts: opts, password: hex.EncodeToString(pw[:]), certPool: pool}

	srv := smtp.NewServer(smtp.BackendFunc(s.newSession))
	srv.Domain = "mailtest.localhost"
	srv.ReadTimeout = 10 * time.Second
	srv.WriteTimeout = 10 * time.Second
	srv.MaxMessageBytes = 20 << 20
	srv.MaxRecipients = 50
	srv.AllowInsecureAuth = false // AUTH only over TLS, as a real submission server
	srv.ErrorLog = log.New(io.Discard, "", 0)
	if !opts.NoTLS {
		srv.TLSConfig = &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}
	}
	s.srv = srv
	s.served = make(chan struct{})
	go func() {
		defer close(s.served)
		_ = srv.Serve(ln)
	}()
	t.Cleanup(s.Close)
	return s
}

// Addr returns the server's "127.0.0.1:port".
func (s *Server) Addr() string { return s.ln.Addr().String() }

// Password returns the password that Username authenticates with.
func (s *Server) Password() string { return s.password }

// RootCAs returns a pool that trusts the server's certificate.
func (s *Server) RootCAs() *x509.CertPool { return s.certPool }

// Config returns the configuration that makes a mail.SMTPSender deliver to
// this server: host, port, credentials, mandatory STARTTLS and a TLS
// configuration that trusts the server's certificate.
func (s *Server) Config() mail.SMTPConfig {
	host, portText, _ := net.SplitHostPort(s.Addr())
	port, _ := strconv.Atoi(portText)
	return mail.SMTPConfig{
		Host:      host,
		Port:      port,
		Username:  Username,
		Password:  s.password,
		StartTLS:  mail.StartTLSMandatory,
		TLSConfig: &tls.Config{RootCAs: s.certPool, ServerName: host, MinVersion: tls.VersionTLS12},
		HELO:      "client.mailtest.localhost",
		Timeout:   10 * time.Second,
	}
}

// Refuse makes the server refuse every following message at MAIL FROM:
// with "550 5.7.1" when permanent, "451 4.3.0" (try again later) otherwise.
func (s *Server) Refuse(permanent bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if permanent {
		s.refuse = &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 7, 1}, Message: "Refused by mailtest"}
	} else {
		s.refuse = &smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 3, 0}, Message: "Try again later (mailtest)"}
	}
}

// Accept undoes Refuse.
func (s *Server) Accept() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.refuse = nil
}

// Close stops the server; connections are refused from then on. Start
// arranges for it to be called when the test ends.
func (s *Server) Close() {
	s.mu.Lock()
	closed := s.closed
	s.closed = true
	s.mu.Unlock()
	if !closed {
		_ = s.srv.Close()
		_ = s.ln.Close() // in case Serve had not registered it yet
		<-s.served
	}
}

// Messages returns a copy of every message received so far, oldest first.
func (s *Server) Messages() []Received {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Received, len(s.received))
	for i, r := range s.received {
		out[i] = r.clone()
	}
	return out
}

// WaitFor returns the oldest message to the recipient to (compared without
// case) that no earlier WaitFor returned, waiting up to timeout for it; it
// fails the test when none comes.
func (s *Server) WaitFor(t testing.TB, to string, timeout time.Duration) Received {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		if r, ok := s.take(to); ok {
			return r
		}
		if time.Now().After(deadline) {
			t.Fatalf("mailtest: no message to %s within %s (received: %s)", to, timeout, s.summary())
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func (s *Server) take(to string) (Received, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for i, r := range s.received {
		if s.taken[i] {
			continue
		}
		for _, rcpt := range r.To {
			if strings.EqualFold(rcpt, to) {
				s.taken[i] = true
				return r.clone(), true
			}
		}
	}
	return Received{}, false
}

func (s *Server) summary() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.received) == 0 {
		return "none"
	}
	parts := make([]string, len(s.received))
	for i, r := range s.received {
		parts[i] = strings.Join(r.To, ",")
	}
	return strings.Join(parts, "; ")
}

func (r Received) clone() Received {
	r.To = append([]string(nil), r.To...)
	r.Raw = append([]byte(nil), r.Raw...)
	return r
}

func (s *Server) record(r Received) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.received = append(s.received, r)
	s.taken = append(s.taken, false)
}

func (s *Server) refusal() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.refuse == nil {
		return nil
	}
	return s.refuse
}

// session is one SMTP transaction's state.
type session struct {
	srv  *Server
	conn *smtp.Conn
	user string
	from string
	to   []string
	tls  bool
}

var _ smtp.AuthSession = (*session)(nil)

func (s *Server) newSession(c *smtp.Conn) (smtp.Session, error) {
	return &session{srv: s, conn: c}, nil
}

// AuthMechanisms offers PLAIN only.
func (ss *session) AuthMechanisms() []string { return []string{sasl.Plain} }

// Auth checks Username and the server's password.
func (ss *session) Auth(mech string) (sasl.Server, error) {
	if mech != sasl.Plain {
		return nil, smtp.ErrAuthUnknownMechanism
	}
	return sasl.NewPlainServer(func(identity, username, password string) error {
		if username != Username || password != ss.srv.password || (identity != "" && identity != username) {
			return smtp.ErrAuthFailed
		}
		ss.user = username
		return nil
	}), nil
}

func (ss *session) Mail(from string, _ *smtp.MailOptions) error {
	if ss.user == "" && !ss.srv.opts.Anonymous {
		return smtp.ErrAuthRequired
	}
	if err := ss.srv.refusal(); err != nil {
		return err
	}
	_, ss.tls = ss.conn.TLSConnectionState()
	ss.from = from
	return nil
}

func (ss *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	ss.to = append(ss.to, to)
	return nil
}

func (ss *session) Data(r io.Reader) error {
	raw, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	if len(ss.to) == 0 {
		return errors.New("no recipient")
	}
	ss.srv.record(Received{
		From: ss.from, To: append([]string(nil), ss.to...), Raw: raw,
		TLS: ss.tls, AuthUser: ss.user, Helo: ss.conn.Hostname(),
	})
	return nil
}

func (ss *session) Reset() {
	ss.from, ss.to, ss.tls = "", nil, false
}

func (ss *session) Logout() error { return nil }

// selfSigned makes an ECDSA certificate for 127.0.0.1 and localhost, valid
// one day, and a pool that trusts it.
func selfSigned() (tls.Certificate, *x509.CertPool, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return tls.Certificate{}, nil, err
	}
	serial, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 127))
	if err != nil {
		return tls.Certificate{}, nil, err
	}
	tmpl := &x509.Certificate{
		SerialNumber:          serial,
		Subject:               pkix.Name{CommonName: "mailtest"},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(24 * time.Hour),
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
		IsCA:                  true,
		DNSNames:              []string{"localhost"},
		IPAddresses:           []net.IP{net.IPv4(127, 0, 0, 1), net.IPv6loopback},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return tls.Certificate{}, nil, err
	}
	leaf, err := x509.ParseCertificate(der)
	if err != nil {
		return tls.Certificate{}, nil, err
	}
	pool := x509.NewCertPool()
	pool.AddCert(leaf)
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key, Leaf: leaf}, pool, nil
}
