package mail

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"strconv"
	"strings"
	"time"

	gomail "github.com/wneessen/go-mail"
)

// STARTTLS modes of SMTPConfig.StartTLS.
const (
	// StartTLSMandatory upgrades the connection with STARTTLS and refuses to
	// send when the server does not offer it or its certificate does not
	// verify. The default.
	StartTLSMandatory = "mandatory"
	// StartTLSOpportunistic upgrades when the server offers STARTTLS and
	// sends in clear text otherwise.
	StartTLSOpportunistic = "opportunistic"
	// StartTLSNone never upgrades (a relay on the same machine).
	StartTLSNone = "none"
)

// Defaults of SMTPConfig.
const (
	DefaultSMTPPort        = 587 // submission (RFC 6409), with STARTTLS
	DefaultSMTPPortNoTLS   = 25  // when StartTLS is "none"
	DefaultSMTPTimeout     = 30 * time.Second
	defaultSMTPMinTLSLevel = tls.VersionTLS12
)

// SMTPConfig says how to reach the SMTP server. The central service fills
// it from these flags of `espacepro-server serve`:
//
//	--smtp-host HOST            SMTP server; without it mail goes to .eml files (FileSender)
//	--smtp-port PORT            default 587 (25 with --smtp-starttls=none)
//	--smtp-user NAME            user for SMTP AUTH; no authentication when empty
//	--smtp-password-file FILE   file holding the password (first line), read with ReadPasswordFile;
//	                            never a flag value, which other users of the machine could see
//	--smtp-starttls MODE        mandatory (default), opportunistic or none
//
// With a user, the password is sent only over TLS (the PLAIN and LOGIN
// mechanisms are not offered to a server in clear text), so
// --smtp-starttls=none with a user works only with a server that speaks
// CRAM-MD5 or SCRAM.
type SMTPConfig struct {
	Host     string
	Port     int // DefaultSMTPPort when zero (DefaultSMTPPortNoTLS with StartTLS "none")
	Username string
	Password string
	// StartTLS is one of StartTLSMandatory (when empty),
	// StartTLSOpportunistic, StartTLSNone.
	StartTLS string
	// TLSConfig, optional, verifies the server (e.g. trusts a test server's
	// self-signed certificate). ServerName defaults to Host; the system
	// roots are used when nil.
	TLSConfig *tls.Config
	// HELO is the name given in EHLO; the machine's host name when empty.
	HELO string
	// Timeout bounds the connection and each command (DefaultSMTPTimeout
	// when zero).
	Timeout time.Duration
}

// String describes c without its password.
func (c SMTPConfig) String() string {
	return fmt.Sprintf("mail.SMTPConfig{Host: %q, Port: %d, Username: %q, Password: %s, StartTLS: %q, HELO: %q, Timeout: %s}",
		c.Host, c.Port, c.Username, redacted(c.Password), c.StartTLS, c.HELO, c.Timeout)
}

// GoString is String, for the %#v verb.
func (c SMTPConfig) GoString() string { return c.String() }

// LogValue lets slog log an SMTPConfig without its password.
func (c SMTPConfig) LogValue() slog.Value {
	return slog.GroupValue(
		slog.String("host", c.Host), slog.Int("port", c.Port),
		slog.String("user", c.Username), slog.String("starttls", c.StartTLS))
}

func redacted(s string) string {
	if s == "" {
		return `""`
	}
	return "[redacted]"
}

// ReadPasswordFile returns the first line of the file at path, without its
// line ending: the SMTP password given by --smtp-password-file.
func ReadPasswordFile(path string) (string, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return "", fmt.Errorf("mail: SMTP password file: %w", err)
	}
	line, _, _ := strings.Cut(string(b), "\n")
	line = strings.TrimSuffix(line, "\r")
	if line == "" {
		return "", fmt.Errorf("mail: SMTP password file %s is empty", path)
	}
	return line, nil
}

// SMTPSender submits each mail to an SMTP server, on a new connection
// (mails are few; a connection per mail keeps it simple and safe for
// concurrent use), and logs one line per mail (recipient, subject, server;
// never the body nor the password). Build it with NewSMTPSender.
type SMTPSender struct {
	cfg    SMTPConfig
	policy gomail.TLSPolicy
	log    *slog.Logger
	// Now is the clock (time.Now when nil).
	Now func() time.Time
}

var _ Sender = (*SMTPSender)(nil)

// NewSMTPSender checks cfg and fills its defaults. It does not connect:
// use Check for that. log is slog.Default() when nil.
func NewSMTPSender(cfg SMTPConfig, log *slog.Logger) (*SMTPSender, error) {
	cfg.Host = strings.TrimSpace(cfg.Host)
	if cfg.Host == "" {
		return nil, errors.New("mail: no SMTP host")
	}
	var policy gomail.TLSPolicy
	switch strings.ToLower(cfg.StartTLS) {
	case "", StartTLSMandatory:
		cfg.StartTLS, policy = StartTLSMandatory, gomail.TLSMandatory
	case StartTLSOpportunistic:
		cfg.StartTLS, policy = StartTLSOpportunistic, gomail.TLSOpportunistic
	case StartTLSNone:
		cfg.StartTLS, policy = StartTLSNone, gomail.NoTLS
	default:
		return nil, fmt.Errorf("mail: SMTP STARTTLS mode %q: want %s, %s or %s",
			cfg.StartTLS, StartTLSMandatory, StartTLSOpportunistic, StartTLSNone)
	}
	if cfg.Port == 0 {
		cfg.Port = DefaultSMTPPort
		if cfg.StartTLS == StartTLSNone {
			cfg.Port = DefaultSMTPPortNoTLS
		}
	}
	if cfg.Port < 1 || cfg.Port > 65535 {
		return nil, fmt.Errorf("mail: SMTP port %d out of range", cfg.Port)
	}
	if cfg.Password != "" && cfg.Username == "" {
		return nil, errors.New("mail: an SMTP password without a user")
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = DefaultSMTPTimeout
	}
	if cfg.TLSConfig == nil {
		cfg.TLSConfig = &tls.Config{}
	} else {
		cfg.TLSConfig = cfg.TLSConfig.Clone()
	}
	if cfg.TLSConfig.ServerName == "" {
		cfg.TLSConfig.ServerName = cfg.Host
	}
	if cfg.TLSConfig.MinVersion < defaultSMTPMinTLSLevel {
		cfg.TLSConfig.MinVersion = defaultSMTPMinTLSLevel
	}
	return &SMTPSender{cfg: cfg, policy: policy, log: logger(log)}, nil
}

// Config returns the configuration in use, defaults filled in.
func (s *SMTPSender) Config() SMTPConfig { return s.cfg }

// Server returns "host:port" of the SMTP server.
func (s *SMTPSender) Server() string {
	return net.JoinHostPort(s.cfg.Host, strconv.Itoa(s.cfg.Port))
}

// Send submits m. It returns when the server has accepted the mail, or with
// the reason it did not (see IsTemporary). Cancelling ctx aborts the
// connection.
func (s *SMTPSender) Send(ctx context.Context, m Message) error {
	msg, env, err := compose(m, nowOr(s.Now), newToken())
	if err != nil {
		return err
	}
	client, stop, err := s.client(ctx)
	if err != nil {
		return err
	}
	defer stop()
	if err := client.DialAndSendWithContext(ctx, msg); err != nil {
		if ctx.Err() != nil {
			err = errors.Join(ctx.Err(), err)
		}
		s.log.Warn("mail not sent", "to", env.to.Address, "subject", m.Subject,
			"smtp", s.Server(), "temporary", IsTemporary(err), "err", err)
		return fmt.Errorf("mail: smtp %s: %w", s.Server(), err)
	}
	s.log.Info("mail sent", "to", env.to.Address, "subject", m.Subject,
		"smtp", s.Server(), "message_id", messageID(msg), "secret", m.Secret)
	return nil
}

// Check connects, says hello, upgrades to TLS and authenticates as Send
// would, then quits: a start-up check of the configuration.
func (s *SMTPSender) Check(ctx context.Context) error {
	client, stop, err := s.client(ctx)
	if err != nil {
		return err
	}
	defer stop()
	c, err := client.DialToSMTPClientWithContext(ctx)
	if err != nil {
		return fmt.Errorf("mail: smtp %s: %w", s.Server(), err)
	}
	if err := client.CloseWithSMTPClient(c); err != nil {
		return fmt.Errorf("mail: smtp %s: %w", s.Server(), err)
	}
	return nil
}

// client returns a go-mail client for one connection, whose connection is
// closed when ctx is cancelled; stop releases that watch.
func (s *SMTPSender) client(ctx context.Context) (*gomail.Client, func(), error) {
	var stopWatch func() bool
	dial := func(dctx context.Context, network, addr string) (net.Conn, error) {
		var d net.Dialer
		conn, err := d.DialContext(dctx, network, addr)
		if err != nil {
			return nil, err
		}
		stopWatch = context.AfterFunc(ctx, func() { conn.Close() })
		return conn, nil
	}
	opts := []gomail.Option{
		gomail.WithPort(s.cfg.Port),
		gomail.WithTimeout(s.cfg.Timeout),
		gomail.WithTLSPolicy(s.policy),
		gomail.WithTLSConfig(s.cfg.TLSConfig),
		gomail.WithDialContextFunc(dial),
	}
	if s.cfg.HELO != "" {
		opts = append(opts, gomail.WithHELO(s.cfg.HELO))
	}
	if s.cfg.Username != "" {
		opts = append(opts,
			gomail.WithSMTPAuth(gomail.SMTPAuthAutoDiscover),
			gomail.WithUsername(s.cfg.Username),
			gomail.WithPassword(s.cfg.Password))
	}
	client, err := gomail.NewClient(s.cfg.Host, opts...)
	if err != nil {
		return nil, nil, fmt.Errorf("mail: smtp client: %w", err)
	}
	stop := func() {
		if stopWatch != nil {
			stopWatch()
		}
	}
	return client, stop, nil
}
