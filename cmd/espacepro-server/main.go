// Command espacepro-server is the central service of Espace professionnel.
//
//	espacepro-server serve --data DIR [--addr 127.0.0.1:8443] [--db URL] [--demo] ...
//	espacepro-server admin create-agent --data DIR --caf 921 --email E --first-name F --last-name L
//	espacepro-server admin list-agents | disable-agent | enable-agent | send-code | audit
//	espacepro-server import --data DIR --caf 921 FILE [--apply]
//	espacepro-server help
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"syscall"

	"espacepro/server"
)

const usage = `espacepro-server: the central service of Espace professionnel.

Usage:
  espacepro-server serve --data DIR [--addr ADDR] [--db URL] [--tls-cert FILE --tls-key FILE]
                         [--demo] [--min-password-length N] [--fingerprint-file FILE] [SMTP flags]
      Serve HTTPS until SIGINT or SIGTERM. Without --tls-cert/--tls-key, a
      self-signed certificate for localhost is generated on the first start,
      kept in DIR/tls/ and reused afterwards; its SHA-256 fingerprint is printed.
      --demo fills an empty store with demo data and prints its accounts.
      --fingerprint-file writes the fingerprint to FILE once listening.
  espacepro-server admin COMMAND --data DIR [--db URL] [SMTP flags] ...
      create-agent --caf 921 --email E --first-name F --last-name L
          create a Caf agent's account; she receives a code by mail to choose
          her password
      send-code --email E     mail an agent a new code to choose her password
      list-agents [--caf 921] list the agents (of one Caf)
      disable-agent --email E / enable-agent --email E
      audit [--caf 921] [--actor ID] [--target ID] [--action A] [--since YYYY-MM-DD]
            [--until YYYY-MM-DD] [--limit N]
          print the audit log, newest first
  espacepro-server import --data DIR [--db URL] --caf 921 FILE [--apply [--force]] [--all]
      Read a PMI list (CSV or XLSX) and show what it changes in the Caf's
      register: new, updated, relisted, unchanged, delisted and rejected rows.
      With --apply, apply all of it in one transaction, or nothing.
  espacepro-server help
      Print this help. "espacepro-server serve -h" lists serve's flags.

The store is the SQLite file DIR/central.db unless --db gives a PostgreSQL
URL. Mails are written as .eml files in DIR/mail/ unless --smtp-host is given
(--smtp-port, --smtp-user, --smtp-password-file, --smtp-starttls
mandatory|opportunistic|none).
`

func main() {
	if err := run(os.Args[1:], os.Stdout, os.Stderr); err != nil {
		if !errors.Is(err, flag.ErrHelp) {
			fmt.Fprintln(os.Stderr, "espacepro-server:", err)
		}
		os.Exit(2)
	}
}

func run(args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return errors.New("no command given")
	}
	switch args[0] {
	case "serve":
		return serve(args[1:], stdout, stderr)
	case "admin":
		return admin(args[1:], stdout, stderr)
	case "import":
		return importList(args[1:], stdout, stderr)
	case "help", "-h", "-help", "--help":
		fmt.Fprint(stdout, usage)
		return nil
	default:
		fmt.Fprint(stderr, usage)
		return fmt.Errorf("unknown command %q", args[0])
	}
}

func serve(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var cfg server.Config
	var b backend
	b.register(fs)
	fs.StringVar(&cfg.Addr, "addr", server.DefaultAddr, "`host:port` to listen on")
	fs.StringVar(&cfg.TLSCertFile, "tls-cert", "", "PEM certificate `file` (default: generated in DIR/tls/)")
	fs.StringVar(&cfg.TLSKeyFile, "tls-key", "", "PEM private key `file` of --tls-cert")
	demo := fs.Bool("demo", false, "fill an empty store with demo data and print its accounts")
	minLength := fs.Int("min-password-length", 8, "minimum length of a chosen password (6 at the least)")
	fingerprintFile := fs.String("fingerprint-file", "", "write the certificate's SHA-256 fingerprint to `file` once listening (for scripts that start the desktop app)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("serve: unexpected argument %q", fs.Arg(0))
	}
	cfg.Logger = slog.New(slog.NewTextHandler(stderr, nil))

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	store, sender, where, err := b.open(ctx, cfg.Logger)
	if err != nil {
		return err
	}
	defer store.Close()
	cfg.DataDir, cfg.Store, cfg.Mail = b.dataDir, store, sender
	fmt.Fprintf(stdout, "Central store: %s\n", where)

	srv, err := server.New(cfg)
	if err != nil {
		return err
	}
	srv.Service().SetMinPasswordLength(*minLength)
	if *demo {
		if err := seedDemo(ctx, srv.Service(), stdout); err != nil {
			return err
		}
	}
	ln, err := srv.Listen()
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "Espace professionnel server listening on https://%s\n", ln.Addr())
	if srv.GeneratedCertificate() {
		certFile, _ := server.CertificatePaths(cfg.DataDir)
		fmt.Fprintf(stdout, "Self-signed certificate: %s\n", certFile)
	}
	fmt.Fprintf(stdout, "Certificate SHA-256 fingerprint (of the DER certificate, as `openssl x509 -noout -fingerprint -sha256` prints it):\n  %s\n",
		srv.Fingerprint())
	if *fingerprintFile != "" {
		if err := os.WriteFile(*fingerprintFile, []byte(srv.Fingerprint()+"\n"), 0o644); err != nil {
			ln.Close()
			return fmt.Errorf("serve: %w", err)
		}
	}
	return srv.Run(ctx, ln)
}

// seedDemo fills an empty store and prints the demo accounts.
func seedDemo(ctx context.Context, svc *server.Service, stdout io.Writer) error {
	accounts, seeded, err := svc.SeedDemo(ctx)
	if err != nil {
		return fmt.Errorf("demo data: %w", err)
	}
	if !seeded {
		fmt.Fprintln(stdout, "Demo: the store already holds accounts; nothing added (make clean starts afresh).")
		return nil
	}
	fmt.Fprintln(stdout, "Demo data added. Accounts to log in with (demo only; mails land in DATA/mail/):")
	for _, a := range accounts {
		fmt.Fprintf(stdout, "  %-22s %-40s mot de passe : %-16s (%s)\n", a.Role, a.Email, a.Password, a.Who)
	}
	return nil
}
