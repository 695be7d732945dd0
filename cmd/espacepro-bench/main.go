// Command espacepro-bench measures the central service at national size.
//
//	espacepro-bench [--db sqlite|postgres] [--pg URL] [--childminders 300000]
//	                [--clients 50] [--duration 10s] [--out FILE]
//
// It seeds a new central store (SQLite in a temporary folder, or a new
// schema of the PostgreSQL database of --pg or ESPACEPRO_TEST_POSTGRES,
// dropped at the end) with childminders spread over every commune, starts
// the real service over HTTPS on a loopback port, and measures, with
// concurrent keep-alive clients: the parents' search, sync pushes, the
// first pull of a Caf of 10,000 childminders, a PMI import of 50,000 rows
// and logins. In the same run it measures a ceiling for each — the same
// HTTPS server answering a trivial handler, a bare « save one week »
// handler, a raw scan and JSON encoding of the Caf's rows, a bare bulk
// insert, argon2id alone — and prints one markdown table: phase, figure,
// ceiling and the figure as a fraction of its ceiling. See BENCHMARKS.md.
package main

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"path/filepath"
	"runtime/pprof"
	"slices"
	"strings"
	"syscall"
	"time"

	"espacepro/data"
	"espacepro/data/postgres"
	"espacepro/data/sqlite"
	"espacepro/data/sqlstore"
	"espacepro/server"
	"espacepro/server/mail"
	"espacepro/server/password"
)

// config is the command line.
type config struct {
	db           string
	pg           string
	childminders int
	pullCount    int
	clients      int
	duration     time.Duration
	out          string
	seed         string
	importCaf    string
	importRows   int
	pullLimit    int
	keep         bool
	cpuProfile   string
}

func main() {
	if len(os.Args) > 1 {
		switch os.Args[1] {
		case childPullCommand:
			os.Exit(childPull(os.Args[2:]))
		case childImportCommand:
			os.Exit(childImport(os.Args[2:]))
		}
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout, os.Stderr); err != nil {
		if !errors.Is(err, flag.ErrHelp) {
			fmt.Fprintln(os.Stderr, "espacepro-bench:", err)
		}
		os.Exit(1)
	}
}

func parseFlags(args []string, stderr io.Writer) (config, error) {
	var cfg config
	fs := flag.NewFlagSet("espacepro-bench", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&cfg.db, "db", "sqlite", "`database`: sqlite or postgres")
	fs.StringVar(&cfg.pg, "pg", "", "PostgreSQL `URL` (default $ESPACEPRO_TEST_POSTGRES); a new schema is created in it and dropped")
	fs.IntVar(&cfg.childminders, "childminders", 300000, "childminders to seed, over every commune")
	fs.IntVar(&cfg.pullCount, "pull-childminders", 10000, "childminders of Caf "+PullCaf+", whose first pull is measured")
	fs.IntVar(&cfg.clients, "clients", 50, "concurrent clients of each load phase")
	fs.DurationVar(&cfg.duration, "duration", 10*time.Second, "measured `duration` of each load phase (after a 1 s warm-up)")
	fs.StringVar(&cfg.out, "out", "", "also write the markdown table to `file`")
	fs.StringVar(&cfg.seed, "seed", "auto", "seeding path: store (the store's methods), bulk (multi-row INSERTs of the same rows) or auto (store on SQLite, bulk on PostgreSQL)")
	fs.StringVar(&cfg.importCaf, "import-caf", "591", "Caf whose PMI list is imported")
	fs.IntVar(&cfg.importRows, "import-rows", 50000, "rows of the imported PMI list")
	fs.IntVar(&cfg.pullLimit, "pull-limit", 500, "records per pull page (the desktop app asks for 500)")
	fs.StringVar(&cfg.cpuProfile, "cpuprofile", "", "write a CPU profile of each phase (service and clients: one process) into `dir`")
	fs.BoolVar(&cfg.keep, "keep", false, "keep the temporary folder (and PostgreSQL schema) afterwards")
	if err := fs.Parse(args); err != nil {
		return cfg, err
	}
	if cfg.pg == "" {
		cfg.pg = os.Getenv("ESPACEPRO_TEST_POSTGRES")
	}
	switch {
	case fs.NArg() > 0:
		return cfg, fmt.Errorf("unexpected argument %q", fs.Arg(0))
	case cfg.db != "sqlite" && cfg.db != "postgres":
		return cfg, fmt.Errorf("--db %q: sqlite or postgres", cfg.db)
	case cfg.db == "postgres" && cfg.pg == "":
		return cfg, errors.New("--db postgres needs --pg URL or ESPACEPRO_TEST_POSTGRES (scripts/test-postgres.sh start)")
	case cfg.seed != "auto" && cfg.seed != "store" && cfg.seed != "bulk":
		return cfg, fmt.Errorf("--seed %q: store, bulk or auto", cfg.seed)
	case cfg.clients < 1 || cfg.duration <= 0 || cfg.importRows < 1 || cfg.pullLimit < 1:
		return cfg, errors.New("--clients, --duration, --import-rows and --pull-limit must be positive")
	}
	if cfg.seed == "auto" {
		cfg.seed = map[string]string{"sqlite": "store", "postgres": "bulk"}[cfg.db]
	}
	return cfg, nil
}

// bench is one run: its store, its service and what it measured.
type bench struct {
	cfg    config
	dir    string
	stderr io.Writer
	log    *slog.Logger

	store   *sqlstore.Store
	dsn     string // the store's SQLite path or PostgreSQL URL (with its schema)
	pgAdmin *sql.DB
	schema  string

	plan   *plan
	seeded *seeded

	srv  *server.Server
	url  string
	fp   string
	hash string // every seeded account's password hash

	pushers []benchAccount
	agent   benchAccount

	rows  []row
	notes []string
}

// benchAccount is an account the clients log in with.
type benchAccount struct {
	Email, ProfessionalID, Department string
}

// benchPassword is every seeded account's password.
const benchPassword = "banc-d-essai-national-2026"

// row is one line of the table.
type row struct{ phase, figure, ceiling, ratio string }

func run(ctx context.Context, args []string, stdout, stderr io.Writer) (err error) {
	cfg, err := parseFlags(args, stderr)
	if err != nil {
		return err
	}
	started := time.Now()
	b := &bench{cfg: cfg, stderr: stderr}
	if b.dir, err = os.MkdirTemp("", "espacepro-bench-"); err != nil {
		return err
	}
	defer func() {
		if cfg.keep {
			b.progress("kept %s", b.dir)
			return
		}
		os.RemoveAll(b.dir)
	}()
	logFile, err := os.Create(filepath.Join(b.dir, "server.log"))
	if err != nil {
		return err
	}
	defer logFile.Close()
	b.log = slog.New(slog.NewTextHandler(logFile, nil))

	if err := b.open(ctx); err != nil {
		return err
	}
	defer b.close()
	machine := machineInfo(ctx, b)

	if err := b.seed(ctx); err != nil {
		return fmt.Errorf("seed: %w", err)
	}
	if err := b.createAccounts(ctx); err != nil {
		return fmt.Errorf("accounts: %w", err)
	}
	stopServer, err := b.startServer(ctx)
	if err != nil {
		return err
	}
	defer stopServer()

	phases := []struct {
		name string
		run  func(context.Context) error
	}{{"search", b.searchPhase}, {"push", b.pushPhase}, {"pull", b.pullPhase}, {"login", b.loginPhase}, {"import", b.importPhase}}
	for _, phase := range phases {
		stopProfile, err := b.startProfile(phase.name)
		if err != nil {
			return err
		}
		before := sampleCPU()
		err = phase.run(ctx)
		b.notes = append(b.notes, fmt.Sprintf("%s phase (with its ceiling): %s.", phase.name, cpuUse(before, sampleCPU())))
		stopProfile()
		if err != nil {
			return err
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
	}
	if n := countErrors(filepath.Join(b.dir, "server.log")); n > 0 {
		b.notes = append(b.notes, fmt.Sprintf("The service logged %d errors during the run.", n))
	}

	table := b.table(machine, time.Since(started))
	fmt.Fprint(stdout, table)
	if cfg.out != "" {
		if err := os.WriteFile(cfg.out, []byte(table), 0o644); err != nil {
			return err
		}
	}
	return nil
}

// startProfile starts a CPU profile of a phase when --cpuprofile asks.
func (b *bench) startProfile(name string) (stop func(), err error) {
	if b.cfg.cpuProfile == "" {
		return func() {}, nil
	}
	if err := os.MkdirAll(b.cfg.cpuProfile, 0o755); err != nil {
		return nil, err
	}
	f, err := os.Create(filepath.Join(b.cfg.cpuProfile, b.cfg.db+"-"+name+".pprof"))
	if err != nil {
		return nil, err
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		return nil, err
	}
	return func() {
		pprof.StopCPUProfile()
		f.Close()
	}, nil
}

func (b *bench) progress(format string, args ...any) {
	fmt.Fprintf(b.stderr, "espacepro-bench [%s]: %s\n", b.cfg.db, fmt.Sprintf(format, args...))
}

// open opens a new, empty central store.
func (b *bench) open(ctx context.Context) error {
	if b.cfg.db == "sqlite" {
		b.dsn = filepath.Join(b.dir, "central.db")
		st, err := sqlite.OpenCentral(ctx, b.dsn)
		b.store = st
		return err
	}
	admin, err := sql.Open("pgx", b.cfg.pg)
	if err != nil {
		return err
	}
	x := make([]byte, 6)
	rand.Read(x)
	b.schema = "bench_" + hex.EncodeToString(x)
	if _, err := admin.ExecContext(ctx, `CREATE SCHEMA `+b.schema); err != nil {
		admin.Close()
		return fmt.Errorf("postgres: %w", err)
	}
	b.pgAdmin = admin
	sep := "?"
	if strings.Contains(b.cfg.pg, "?") {
		sep = "&"
	}
	b.dsn = b.cfg.pg + sep + "search_path=" + b.schema
	st, err := postgres.Open(ctx, b.dsn)
	b.store = st
	return err
}

func (b *bench) close() {
	if b.store != nil {
		b.store.Close()
	}
	if b.pgAdmin != nil {
		if !b.cfg.keep {
			if _, err := b.pgAdmin.Exec(`DROP SCHEMA ` + b.schema + ` CASCADE`); err != nil {
				b.progress("dropping schema %s: %v", b.schema, err)
			}
		} else {
			b.progress("kept schema %s", b.schema)
		}
		b.pgAdmin.Close()
	}
}

// seed fills the store.
func (b *bench) seed(ctx context.Context) error {
	pl, err := makePlan(data.DefaultReference(), b.cfg.childminders, b.cfg.pullCount)
	if err != nil {
		return err
	}
	if b.cfg.importCaf == PullCaf {
		return fmt.Errorf("--import-caf must not be Caf %s, whose pull is measured", PullCaf)
	}
	b.plan = pl
	b.progress("seeding %d childminders in %d Caf through the %s path…", len(pl.slots), len(pl.byCaf), b.cfg.seed)
	start := time.Now()
	last := start
	progress := func(done int) {
		if time.Since(last) > 15*time.Second || done == len(pl.slots) {
			last = time.Now()
			b.progress("  %d/%d (%s)", done, len(pl.slots), time.Since(start).Round(time.Second))
		}
	}
	seedFn := seedStore
	if b.cfg.seed == "bulk" {
		seedFn = seedBulk
	}
	if b.seeded, err = seedFn(ctx, b.store, pl, progress); err != nil {
		return err
	}
	// Fresh statistics, as a database that has lived would have.
	analyze := "ANALYZE"
	if b.cfg.db == "sqlite" {
		analyze = "PRAGMA optimize=0x10002"
	}
	t := time.Now()
	if _, err := b.store.DB().ExecContext(ctx, analyze); err != nil {
		return fmt.Errorf("%s: %w", analyze, err)
	}
	b.progress("seeded in %s, %s in %s", b.seeded.took.Round(time.Second), analyze, time.Since(t).Round(time.Millisecond))
	how := "the store's own methods (`CreateProfessional`, `SaveAvailability`)"
	if b.cfg.seed == "bulk" {
		how = "multi-row INSERTs of the rows those methods write (`seedBulk`, checked by `TestSeedBulkMatchesStore`)"
	}
	withWeek := 0
	for _, n := range b.seeded.withWeek {
		withWeek += n
	}
	b.rows = append(b.rows, row{
		phase: fmt.Sprintf("Seed (not a figure of the service): %s childminders in %d Caf and %s communes, %s with an availability",
			num(float64(len(pl.slots))), len(pl.byCaf), num(float64(countDistinct(pl.communes))), num(float64(withWeek))),
		figure: fmt.Sprintf("%s (%s childminders/s) through %s, %d per transaction; database %s",
			ms(b.seeded.took), num(float64(len(pl.slots))/b.seeded.took.Seconds()), how, seedBatch, mb(b.databaseSize(ctx))),
		ceiling: "—",
		ratio:   "—",
	})
	return nil
}

// databaseSize returns the size of the store's database, in bytes.
func (b *bench) databaseSize(ctx context.Context) float64 {
	if b.cfg.db == "sqlite" {
		var size float64
		for _, suffix := range []string{"", "-wal"} {
			if fi, err := os.Stat(b.dsn + suffix); err == nil {
				size += float64(fi.Size())
			}
		}
		return size
	}
	var size float64
	b.pgAdmin.QueryRowContext(ctx, `SELECT COALESCE(SUM(pg_total_relation_size(c.oid)), 0) FROM pg_class c
		JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = $1 AND c.relkind = 'r'`, b.schema).Scan(&size)
	return size
}

func countDistinct(list []string) int {
	seen := map[string]bool{}
	for _, v := range list {
		seen[v] = true
	}
	return len(seen)
}

// createAccounts makes the agent of the pulled Caf and one childminder
// account per client, each of another Caf (neither the pulled one nor the
// imported one), all with the same password hash.
func (b *bench) createAccounts(ctx context.Context) error {
	hash, err := password.Hash(benchPassword)
	if err != nil {
		return err
	}
	b.hash = hash
	b.agent = benchAccount{Email: "agent." + PullCaf + "@banc.exemple.fr"}
	err = b.store.CreateAccount(ctx, &data.Account{Email: b.agent.Email, Role: data.RoleAgent, CafCode: PullCaf,
		FirstName: "Claire", LastName: "Moreau", PasswordHash: hash})
	if err != nil {
		return err
	}
	var cafs []string
	for caf := range b.seeded.active {
		if caf != PullCaf && caf != b.cfg.importCaf {
			cafs = append(cafs, caf)
		}
	}
	if len(cafs) == 0 {
		return errors.New("no childminder with an availability to log in with: seed more")
	}
	slices.Sort(cafs)
	for i := 0; len(b.pushers) < b.cfg.clients; i++ {
		caf := cafs[i%len(cafs)]
		list := b.seeded.active[caf]
		k := i / len(cafs)
		if k >= len(list) {
			if i > 64*len(cafs) {
				return fmt.Errorf("only %d childminders to log in with, for %d clients", len(b.pushers), b.cfg.clients)
			}
			continue
		}
		p := list[k]
		acc := benchAccount{Email: fmt.Sprintf("am%03d.%s@banc.exemple.fr", len(b.pushers), caf), ProfessionalID: p.ID, Department: p.Department}
		err := b.store.CreateAccount(ctx, &data.Account{Email: acc.Email, Role: data.RoleChildminder,
			ProfessionalID: p.ID, CafCode: caf, FirstName: p.FirstName, LastName: p.LastName, PasswordHash: hash})
		if err != nil {
			return err
		}
		b.pushers = append(b.pushers, acc)
	}
	return nil
}

// startServer runs the real service on a loopback port, as
// espacepro-server serve does: its generated certificate, mail to .eml
// files, its log to a file.
func (b *bench) startServer(ctx context.Context) (stop func(), err error) {
	dataDir := filepath.Join(b.dir, "server")
	srv, err := server.New(server.Config{DataDir: dataDir, Addr: "127.0.0.1:0", Store: b.store, Logger: b.log,
		Mail: &mail.FileSender{Dir: filepath.Join(dataDir, "mail"), Log: b.log}})
	if err != nil {
		return nil, err
	}
	ln, err := srv.Listen()
	if err != nil {
		return nil, err
	}
	b.srv, b.url, b.fp = srv, "https://"+ln.Addr().String(), srv.Fingerprint()
	sctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- srv.Run(sctx, ln) }()
	b.progress("service on %s", b.url)
	return func() {
		cancel()
		if err := <-done; err != nil {
			b.progress("server: %v", err)
		}
	}, nil
}

// table renders the results.
func (b *bench) table(m machine, took time.Duration) string {
	var s strings.Builder
	fmt.Fprintf(&s, "### %s — %d childminders, %d clients, %s per load phase\n\n", m.Database, b.cfg.childminders, b.cfg.clients, b.cfg.duration)
	fmt.Fprintf(&s, "Machine: %s, %d cores, %s RAM, Linux %s, %s; %s. Run of %s, %s.\n\n",
		m.CPU, m.Cores, m.Memory, m.Kernel, m.Go, m.Database, time.Now().Format("2006-01-02 15:04 MST"), took.Round(time.Second))
	s.WriteString("| phase | figure | ceiling | ratio |\n| --- | --- | --- | --- |\n")
	for _, r := range b.rows {
		fmt.Fprintf(&s, "| %s | %s | %s | %s |\n", r.phase, r.figure, r.ceiling, r.ratio)
	}
	s.WriteString("\n")
	for _, n := range b.notes {
		s.WriteString("- " + n + "\n")
	}
	if len(b.notes) > 0 {
		s.WriteString("\n")
	}
	return s.String()
}

// countErrors counts the lines of level ERROR in the service's log.
func countErrors(path string) int {
	b, err := os.ReadFile(path)
	if err != nil {
		return 0
	}
	return strings.Count(string(b), "level=ERROR")
}

// Formatting.

func ms(d time.Duration) string {
	switch {
	case d >= 10*time.Second:
		return fmt.Sprintf("%.0f s", d.Seconds())
	case d >= time.Second:
		return fmt.Sprintf("%.2f s", d.Seconds())
	case d >= 10*time.Millisecond:
		return fmt.Sprintf("%.0f ms", float64(d)/1e6)
	default:
		return fmt.Sprintf("%.2f ms", float64(d)/1e6)
	}
}

func num(v float64) string {
	switch {
	case v >= 100:
		s := fmt.Sprintf("%.0f", v)
		// Thousands separated by a thin comma, as in the figures.
		var out []byte
		for i := range s {
			if i > 0 && (len(s)-i)%3 == 0 {
				out = append(out, ',')
			}
			out = append(out, s[i])
		}
		return string(out)
	case v >= 10:
		return fmt.Sprintf("%.1f", v)
	default:
		return fmt.Sprintf("%.2f", v)
	}
}

func mb(bytes float64) string { return fmt.Sprintf("%.1f MB", bytes/1e6) }

func ratio(x float64) string {
	if x <= 0 {
		return "—"
	}
	if x < 0.01 {
		return fmt.Sprintf("%.2f %%", 100*x)
	}
	return fmt.Sprintf("%.0f %%", 100*x)
}
