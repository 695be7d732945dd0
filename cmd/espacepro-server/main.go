// Command espacepro-server is the central service of Espace professionnel.
//
//	espacepro-server serve --data DIR [--addr 127.0.0.1:8443] [--tls-cert FILE --tls-key FILE]
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
	"path/filepath"
	"strings"
	"syscall"

	"espacepro/data"
	"espacepro/data/postgres"
	"espacepro/data/sqlite"
	"espacepro/server"
)

const usage = `espacepro-server: the central service of Espace professionnel.

Usage:
  espacepro-server serve --data DIR [--addr ADDR] [--tls-cert FILE --tls-key FILE]
      Serve HTTPS until SIGINT or SIGTERM. Without --tls-cert/--tls-key, a
      self-signed certificate for localhost is generated on the first start,
      kept in DIR/tls/ and reused afterwards; its SHA-256 fingerprint is printed.
  espacepro-server help
      Print this help. "espacepro-server serve -h" lists serve's flags.
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
	fs.StringVar(&cfg.DataDir, "data", "", "data `directory` (created when missing; required)")
	fs.StringVar(&cfg.Addr, "addr", server.DefaultAddr, "`host:port` to listen on")
	fs.StringVar(&cfg.TLSCertFile, "tls-cert", "", "PEM certificate `file` (default: generated in DIR/tls/)")
	fs.StringVar(&cfg.TLSKeyFile, "tls-key", "", "PEM private key `file` of --tls-cert")
	dbURL := fs.String("db", "", "the central store: a PostgreSQL `URL` (postgres://user:password@host:port/db);\n"+
		"empty for the embedded SQLite file DIR/central.db")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("serve: unexpected argument %q", fs.Arg(0))
	}
	if cfg.DataDir == "" {
		return errors.New("serve: --data DIR is required")
	}
	cfg.Logger = slog.New(slog.NewTextHandler(stderr, nil))

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	store, where, err := openStore(ctx, cfg.DataDir, *dbURL)
	if err != nil {
		return err
	}
	defer store.Close()
	cfg.Store = store
	fmt.Fprintf(stdout, "Central store: %s\n", where)

	srv, err := server.New(cfg)
	if err != nil {
		return err
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
	return srv.Run(ctx, ln)
}

// openStore opens the central store: PostgreSQL when url is given, else the
// embedded SQLite file in dataDir. It returns a description without secrets.
func openStore(ctx context.Context, dataDir, url string) (data.CentralStore, string, error) {
	if url != "" {
		if !strings.HasPrefix(url, "postgres://") && !strings.HasPrefix(url, "postgresql://") {
			return nil, "", errors.New("serve: --db takes a PostgreSQL URL (postgres://user:password@host:port/db)")
		}
		s, err := postgres.Open(ctx, url)
		if err != nil {
			return nil, "", err
		}
		return s, "PostgreSQL", nil
	}
	if err := os.MkdirAll(dataDir, 0o700); err != nil {
		return nil, "", fmt.Errorf("serve: %w", err)
	}
	path := filepath.Join(dataDir, "central.db")
	s, err := sqlite.OpenCentral(ctx, path)
	if err != nil {
		return nil, "", err
	}
	return s, "SQLite " + path, nil
}
