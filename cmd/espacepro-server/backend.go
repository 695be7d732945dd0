package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"

	"espacepro/data"
	"espacepro/data/postgres"
	"espacepro/data/sqlite"
	"espacepro/server/mail"
)

// backend is what every command that touches the data needs: the data
// folder, the store and the mail transport.
type backend struct {
	dataDir string
	dbURL   string
	smtp    mail.SMTPConfig
	smtpPwd string
}

func (b *backend) register(fs *flag.FlagSet) {
	fs.StringVar(&b.dataDir, "data", "", "data `directory` (created when missing; required)")
	fs.StringVar(&b.dbURL, "db", "", "the central store: a PostgreSQL `URL` (postgres://user:password@host:port/db);\n"+
		"empty for the embedded SQLite file DIR/central.db")
	fs.StringVar(&b.smtp.Host, "smtp-host", "", "SMTP `server` for the mails (default: .eml files in DIR/mail/)")
	fs.IntVar(&b.smtp.Port, "smtp-port", 0, "SMTP `port` (587 by default, 25 with --smtp-starttls=none)")
	fs.StringVar(&b.smtp.Username, "smtp-user", "", "SMTP `user` name")
	fs.StringVar(&b.smtpPwd, "smtp-password-file", "", "`file` whose first line is the SMTP password")
	fs.StringVar(&b.smtp.StartTLS, "smtp-starttls", mail.StartTLSMandatory, "STARTTLS: mandatory, opportunistic or none")
}

// open opens the store and the mail transport, and describes the store
// without secrets.
func (b *backend) open(ctx context.Context, log *slog.Logger) (data.CentralStore, mail.Sender, string, error) {
	if b.dataDir == "" {
		return nil, nil, "", errors.New("--data DIR is required")
	}
	if err := os.MkdirAll(b.dataDir, 0o700); err != nil {
		return nil, nil, "", err
	}
	var sender mail.Sender = &mail.FileSender{Dir: filepath.Join(b.dataDir, "mail"), Log: log}
	if b.smtp.Host != "" {
		if b.smtpPwd != "" {
			pwd, err := mail.ReadPasswordFile(b.smtpPwd)
			if err != nil {
				return nil, nil, "", err
			}
			b.smtp.Password = pwd
		}
		s, err := mail.NewSMTPSender(b.smtp, log)
		if err != nil {
			return nil, nil, "", err
		}
		sender = s
	}
	if b.dbURL != "" {
		if !strings.HasPrefix(b.dbURL, "postgres://") && !strings.HasPrefix(b.dbURL, "postgresql://") {
			return nil, nil, "", errors.New("--db takes a PostgreSQL URL (postgres://user:password@host:port/db)")
		}
		s, err := postgres.Open(ctx, b.dbURL)
		if err != nil {
			return nil, nil, "", err
		}
		return s, sender, "PostgreSQL", nil
	}
	path := filepath.Join(b.dataDir, "central.db")
	s, err := sqlite.OpenCentral(ctx, path)
	if err != nil {
		return nil, nil, "", err
	}
	return s, sender, fmt.Sprintf("SQLite %s", path), nil
}
