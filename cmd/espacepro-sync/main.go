// Command espacepro-sync runs one sync of a local copy with the central
// service, without the desktop app: for operators, scripts and tests.
//
//	espacepro-sync --server https://espacepro.example:8443 --fingerprint AB:CD:… \
//	    --email agent921@caf.example --data ./copy [--password-file pw.txt]
//
// It opens (or creates) DATA/local.db, logs in, pushes the edits waiting
// there, pulls what changed, and prints what it did. Without
// --password-file it asks for the password on the terminal (without echo),
// or reads one line from the standard input when that is not a terminal.
// The exit code is 0 when the sync completed, 1 otherwise.
package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"time"

	"espacepro/data"
	"espacepro/data/sqlite"
	"espacepro/sync/client"

	"golang.org/x/term"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	os.Exit(run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}

// options are the command's flags.
type options struct {
	server, fingerprint, caFile, email, dataDir, passwordFile string
	timeout                                                   time.Duration
}

func parseFlags(args []string, stderr io.Writer) (*options, error) {
	var o options
	fs := flag.NewFlagSet("espacepro-sync", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&o.server, "server", "", "the central service's address (https://…)")
	fs.StringVar(&o.fingerprint, "fingerprint", "", "SHA-256 fingerprint of the service's certificate, as the service prints it")
	fs.StringVar(&o.caFile, "ca-file", "", "PEM file of the authority that signed the service's certificate")
	fs.StringVar(&o.email, "email", "", "the account's e-mail address")
	fs.StringVar(&o.dataDir, "data", "", "folder of the local copy (created if needed; the copy is local.db in it)")
	fs.StringVar(&o.passwordFile, "password-file", "", "file whose first line is the password (else it is asked for)")
	fs.DurationVar(&o.timeout, "timeout", 30*time.Second, "time limit of one call to the service")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: espacepro-sync --server URL (--fingerprint FP | --ca-file FILE) --email EMAIL --data DIR [--password-file FILE]")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	var missing []string
	for _, f := range []struct{ name, value string }{{"--server", o.server}, {"--email", o.email}, {"--data", o.dataDir}} {
		if f.value == "" {
			missing = append(missing, f.name)
		}
	}
	if o.fingerprint == "" && o.caFile == "" {
		missing = append(missing, "--fingerprint or --ca-file")
	}
	if len(missing) > 0 || fs.NArg() > 0 {
		fs.Usage()
		return nil, fmt.Errorf("missing %s", strings.Join(missing, ", "))
	}
	return &o, nil
}

func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	o, err := parseFlags(args, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return 0
	} else if err != nil {
		fmt.Fprintln(stderr, "espacepro-sync:", err)
		return 1
	}
	if err := syncOnce(ctx, o, stdin, stdout, stderr); err != nil {
		fmt.Fprintln(stderr, "espacepro-sync: error:", describe(err))
		return 1
	}
	return 0
}

// describe gives an error for an operator: the user's French message, its
// code, and the technical cause when there is one.
func describe(err error) string {
	code := data.ErrorCode(err)
	if code == data.EINTERNAL {
		return err.Error()
	}
	msg := fmt.Sprintf("%s [%s]", data.ErrorMessage(err), code)
	if s := err.Error(); !strings.HasSuffix(s, data.ErrorMessage(err)) {
		msg += "\n  cause: " + s
	}
	return msg
}

func syncOnce(ctx context.Context, o *options, stdin io.Reader, stdout, stderr io.Writer) error {
	password, err := readPassword(o, stdin, stderr)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(o.dataDir, 0o700); err != nil {
		return err
	}
	path := filepath.Join(o.dataDir, "local.db")
	local, err := sqlite.OpenLocal(ctx, path)
	if err != nil {
		return err
	}
	defer local.Close()
	c, err := client.New(client.Config{ServerURL: o.server, Fingerprint: o.fingerprint, CAFile: o.caFile, Timeout: o.timeout}, local)
	if err != nil {
		return err
	}
	defer c.Close()
	res, err := c.Login(ctx, o.email, password)
	if err != nil {
		return err
	}
	acc := res.Account
	fmt.Fprintf(stdout, "Logged in to %s as %s %s <%s> (%s)\n", o.server, acc.FirstName, acc.LastName, acc.Email, acc.Role)
	if res.MustChangePassword {
		return errors.New("this account must set its own password first: log in once with the desktop app")
	}
	fmt.Fprintf(stdout, "Local copy: %s (client %s)\n", path, c.ClientID())
	rep, err := c.Sync(ctx)
	printReport(stdout, rep)
	if err != nil {
		return err
	}
	if err := c.Logout(ctx); err != nil {
		fmt.Fprintln(stderr, "espacepro-sync: warning: logout:", describe(err))
	}
	return nil
}

func printReport(w io.Writer, rep client.Report) {
	fmt.Fprintf(w, "Pushed:    %d edit(s) acknowledged\n", rep.Pushed)
	fmt.Fprintf(w, "Rejected:  %d edit(s)\n", len(rep.Rejected))
	for _, r := range rep.Rejected {
		fmt.Fprintf(w, "  - %s %s (%s): %s: %s\n", r.Entity, r.Key, r.ID, r.Code, r.Message)
	}
	fmt.Fprintf(w, "Pulled:    %d record(s)\n", rep.Pulled)
	fmt.Fprintf(w, "Conflicts: %d received\n", rep.Conflicts)
	if rep.Resynced {
		fmt.Fprintln(w, "Resynced:  the service asked for a rebuild; the local copy was pulled again from the start")
	}
	fmt.Fprintf(w, "Pending:   %d edit(s) waiting\n", rep.Pending)
	fmt.Fprintf(w, "Duration:  %s\n", rep.Duration.Round(time.Millisecond))
}

// readPassword reads the password from the file, the terminal (without
// echo) or one line of stdin.
func readPassword(o *options, stdin io.Reader, stderr io.Writer) (string, error) {
	if o.passwordFile != "" {
		b, err := os.ReadFile(o.passwordFile)
		if err != nil {
			return "", err
		}
		line, _, _ := strings.Cut(string(b), "\n")
		return strings.TrimRight(line, "\r"), nil
	}
	if f, ok := stdin.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		fmt.Fprintf(stderr, "Password for %s: ", o.email)
		b, err := term.ReadPassword(int(f.Fd()))
		fmt.Fprintln(stderr)
		return string(b), err
	}
	line, err := bufio.NewReader(stdin).ReadString('\n')
	if err != nil && (err != io.EOF || line == "") {
		return "", errors.New("no password: give --password-file, or type it on the terminal or the standard input")
	}
	return strings.TrimRight(line, "\r\n"), nil
}
