package sqlite

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"testing"
	"time"

	"espacepro/data"
	"espacepro/data/sqlstore"
	"espacepro/data/storetest"

	"github.com/mattn/go-sqlite3"
)

func openCentral(tb testing.TB) data.CentralStore {
	s, err := OpenCentral(context.Background(), filepath.Join(tb.TempDir(), "central.db"))
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { s.Close() })
	return s
}

func TestCentralContract(t *testing.T) {
	storetest.RunCentral(t, func(t *testing.T) data.CentralStore { return openCentral(t) })
}

func TestLocalContract(t *testing.T) {
	storetest.RunLocal(t, func(t *testing.T) data.LocalStore {
		l, err := OpenLocal(context.Background(), filepath.Join(t.TempDir(), "local.db"))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { l.Close() })
		return l
	})
}

func BenchmarkCentral(b *testing.B) {
	storetest.BenchCentral(b, func(b *testing.B) data.CentralStore { return openCentral(b) })
}

// Reopening a store applies no migration twice, and a path with characters
// that mean something in a file: URI still opens the right file.
func TestReopen(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "dossier 50% #1?", "central.db")
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 2; i++ {
		s, err := OpenCentral(ctx, path)
		if err != nil {
			t.Fatalf("open %d: %v", i, err)
		}
		var n int
		if err := s.DB().QueryRow(`SELECT COUNT(*) FROM schema_migrations`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if want := migrationCount(t); n != want {
			t.Fatalf("open %d: %d migrations recorded, want %d", i, n, want)
		}
		s.Close()
	}
	if _, err := os.Stat(path); err != nil {
		t.Fatalf("database not created at %q", path)
	}
}

// The audit log refuses changes even through plain SQL.
func TestAuditAppendOnly(t *testing.T) {
	s := openCentral(t).(*sqlstore.Store)
	ctx := context.Background()
	e := &data.AuditEntry{Action: "test", Detail: "x"}
	if err := s.AppendAudit(ctx, e); err != nil {
		t.Fatal(err)
	}
	db := s.DB()
	if _, err := db.Exec(`UPDATE audit SET detail = 'y'`); err == nil {
		t.Fatal("UPDATE of the audit log succeeded")
	}
	if _, err := db.Exec(`DELETE FROM audit`); err == nil {
		t.Fatal("DELETE from the audit log succeeded")
	}
}

// migrationCount is the number of migration files embedded.
func migrationCount(t *testing.T) int {
	entries, err := migrations.ReadDir("migrations/central")
	if err != nil {
		t.Fatal(err)
	}
	return len(entries)
}

// deadlockGuard is how long the write-lock tests wait for work that should
// finish in milliseconds before calling it a deadlock. It guards; it does
// not measure.
const deadlockGuard = 2 * time.Minute

// finishes runs f in a goroutine and fails the test, with every
// goroutine's stack, if f has not returned within deadlockGuard.
func finishes(t *testing.T, what string, f func()) {
	t.Helper()
	done := make(chan struct{})
	go func() {
		defer close(done)
		f()
	}()
	select {
	case <-done:
	case <-time.After(deadlockGuard):
		buf := make([]byte, 1<<20)
		t.Fatalf("%s: not finished after %v (deadlock?)\n%s", what, deadlockGuard, buf[:runtime.Stack(buf, true)])
	}
}

// waitQueued waits until n writers wait in line for l.
func waitQueued(t *testing.T, l *writeLock, n int32) {
	t.Helper()
	finishes(t, fmt.Sprintf("%d writers queued", n), func() {
		for l.waiting.Load() < n {
			time.Sleep(time.Millisecond)
		}
	})
}

// openUnpatient opens a central store at path whose connections do not
// wait in SQLite's busy handler: a writer of this process that reached
// SQLite while another one writes would fail at once with SQLITE_BUSY.
func openUnpatient(t *testing.T, path string) *sqlstore.Store {
	t.Helper()
	s, err := openCentralWith(context.Background(), path, 0)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// lockProfessional is a valid childminder, distinct by i.
func lockProfessional(i int) *data.Professional {
	return &data.Professional{Kind: data.KindChildminder, Department: "92", CafCode: "921",
		AgrementNumber: fmt.Sprintf("92-%06d", i), Civility: data.CivilityMme,
		LastName: fmt.Sprintf("Nom%d", i), FirstName: "Hélène", PlacesAgreed: 3,
		Listing: data.Listed, Habilitation: data.HabilitationActive}
}

// Many writers at once, on two stores open on one file, in transactions
// (with nested ones) and in single statements outside any (Exec, and
// INSERT … RETURNING through QueryRow), with readers among them: none
// fails, though SQLite's busy handler is off, because they queue in Go
// before reaching SQLite; none waits for ever.
func TestWritersQueue(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "central.db")
	stores := []*sqlstore.Store{openUnpatient(t, path), openUnpatient(t, path)}
	const workers, rounds = 50, 10
	var (
		mu   sync.Mutex
		errs []error
	)
	fail := func(err error) {
		mu.Lock()
		errs = append(errs, err)
		mu.Unlock()
	}
	finishes(t, "concurrent writers", func() {
		var wg sync.WaitGroup
		for w := range workers {
			s := stores[w%len(stores)]
			wg.Go(func() {
				for i := range rounds {
					p := lockProfessional(w*rounds + i)
					err := s.InTx(ctx, func(ctx context.Context) error {
						if err := s.CreateProfessional(ctx, p); err != nil { // InTx inside
							return err
						}
						return s.SaveAvailability(ctx, &data.Availability{ProfessionalID: p.ID, Global: data.ColourGreen})
					})
					if err != nil {
						fail(fmt.Errorf("worker %d, round %d: transaction: %w", w, i, err))
						continue
					}
					if err := s.AppendAudit(ctx, &data.AuditEntry{Action: "test", Detail: fmt.Sprint(w, "-", i)}); err != nil {
						fail(fmt.Errorf("worker %d, round %d: AppendAudit: %w", w, i, err))
					}
					if _, err := s.DeleteExpiredCaptchas(ctx, time.Now()); err != nil {
						fail(fmt.Errorf("worker %d, round %d: DeleteExpiredCaptchas: %w", w, i, err))
					}
					if _, err := s.FindAvailability(ctx, p.ID); err != nil {
						fail(fmt.Errorf("worker %d, round %d: FindAvailability: %w", w, i, err))
					}
				}
			})
		}
		wg.Wait()
	})
	for _, err := range errs {
		t.Error(err)
	}
	_, total, err := stores[0].FindAudit(ctx, data.AuditFilter{})
	if err != nil {
		t.Fatal(err)
	}
	if total != workers*rounds {
		t.Errorf("%d audit entries after %d appends", total, workers*rounds)
	}
}

// While a transaction holds the write lock, reads outside it go on; a
// write outside it waits in line, then succeeds once the transaction ends.
func TestReadsDoNotQueue(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "central.db")
	s := openUnpatient(t, path)
	p := lockProfessional(1)
	if err := s.CreateProfessional(ctx, p); err != nil {
		t.Fatal(err)
	}
	lock := lockFor(path, busyTimeout)

	inTx, end, txDone := make(chan struct{}), make(chan struct{}), make(chan error, 1)
	go func() {
		txDone <- s.InTx(ctx, func(ctx context.Context) error {
			if _, err := s.Exec(ctx, `UPDATE professionals SET first_name = 'Iris' WHERE id = ?`, p.ID); err != nil {
				return err
			}
			close(inTx)
			<-end
			return nil
		})
	}()
	finishes(t, "transaction start", func() { <-inTx })

	finishes(t, "read during a write transaction", func() {
		got, err := s.FindProfessionalByID(ctx, p.ID)
		if err != nil {
			t.Errorf("read: %v", err)
		} else if got.FirstName != "Hélène" {
			t.Errorf("read saw %q before the commit", got.FirstName)
		}
	})

	wrote := make(chan error, 1)
	go func() { wrote <- s.AppendAudit(ctx, &data.AuditEntry{Action: "test"}) }()
	waitQueued(t, lock, 1)
	select {
	case err := <-wrote:
		t.Fatalf("write outside the transaction did not wait for it: %v", err)
	default:
	}
	close(end)
	finishes(t, "transaction and queued write", func() {
		if err := <-txDone; err != nil {
			t.Errorf("transaction: %v", err)
		}
		if err := <-wrote; err != nil {
			t.Errorf("queued write: %v", err)
		}
	})
}

// Writers are served in the order they arrived.
func TestWritersQueueInOrder(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "central.db")
	s := openUnpatient(t, path)
	lock := lockFor(path, busyTimeout)
	if err := lock.acquire(ctx); err != nil {
		t.Fatal(err)
	}
	const n = 10
	var order []int // appended under the write lock
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			err := s.InTx(ctx, func(ctx context.Context) error {
				order = append(order, i)
				return nil
			})
			if err != nil {
				t.Errorf("writer %d: %v", i, err)
			}
		})
		waitQueued(t, lock, int32(i+1))
	}
	lock.release()
	finishes(t, "queued writers", wg.Wait)
	for i, got := range order {
		if got != i {
			t.Fatalf("writers served in order %v", order)
		}
	}
}

// A nested InTx joins the outer transaction instead of waiting for the
// lock the outer one holds, on the central store and on the local copy.
func TestNestedInTxDoesNotDeadlock(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	s := openUnpatient(t, filepath.Join(dir, "central.db"))
	l, err := OpenLocal(ctx, filepath.Join(dir, "local.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	finishes(t, "nested InTx", func() {
		p := lockProfessional(1)
		err := s.InTx(ctx, func(ctx context.Context) error {
			return s.InTx(ctx, func(ctx context.Context) error {
				if err := s.CreateProfessional(ctx, p); err != nil {
					return err
				}
				return s.AppendAudit(ctx, &data.AuditEntry{Action: "test"})
			})
		})
		if err != nil {
			t.Errorf("central: %v", err)
		}
		err = l.InTx(ctx, func(ctx context.Context) error {
			return l.InTx(ctx, func(ctx context.Context) error {
				if err := l.SetSyncState(ctx, "k", "v"); err != nil {
					return err
				}
				return l.AckOutbox(ctx, "nothing")
			})
		})
		if err != nil {
			t.Errorf("local: %v", err)
		}
	})
	if v, err := l.SyncState(ctx, "k"); err != nil || v != "v" {
		t.Errorf("SyncState = %q, %v", v, err)
	}
}

// The local copy's writes queue too: a single statement waits while
// another writer holds the lock.
func TestLocalWritesQueue(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "local.db")
	l, err := OpenLocal(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	lock := lockFor(path, busyTimeout)
	if err := lock.acquire(ctx); err != nil {
		t.Fatal(err)
	}
	wrote := make(chan error, 1)
	go func() { wrote <- l.SetSyncState(ctx, "k", "v") }()
	waitQueued(t, lock, 1)
	lock.release()
	finishes(t, "queued local write", func() {
		if err := <-wrote; err != nil {
			t.Errorf("queued write: %v", err)
		}
	})
}

// A writer that waits for the lock longer than its bound gives up with
// SQLITE_BUSY, as SQLite's busy handler would: a goroutine that writes
// outside the transaction it holds fails instead of hanging.
func TestWriteLockWaitIsBounded(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "central.db")
	s := openUnpatient(t, path)
	lock := lockFor(path, busyTimeout)
	lock.wait = 50 * time.Millisecond // no other goroutine uses it yet
	finishes(t, "write outside the own transaction", func() {
		err := s.InTx(ctx, func(txCtx context.Context) error {
			return s.AppendAudit(ctx, &data.AuditEntry{Action: "test"}) // ctx: not the transaction's
		})
		var e sqlite3.Error
		if !errors.As(err, &e) || e.Code != sqlite3.ErrBusy {
			t.Errorf("got %v, want SQLITE_BUSY", err)
		}
	})
	if err := s.AppendAudit(ctx, &data.AuditEntry{Action: "test"}); err != nil {
		t.Errorf("write after the failed one: %v", err)
	}
}

// mayWrite tells the statements that need the write lock outside a
// transaction.
func TestMayWrite(t *testing.T) {
	for q, want := range map[string]bool{
		`SELECT 1`: false, "  \n\tselect * FROM t": false, `(SELECT 1) UNION SELECT 2`: false,
		"-- note\nSELECT 1": false, `/* x */ VALUES (1)`: false, `EXPLAIN QUERY PLAN SELECT 1`: false,
		`INSERT INTO t VALUES (1) RETURNING id`: true, `update t SET x = 1`: true, `DELETE FROM t`: true,
		`WITH x AS (SELECT 1) INSERT INTO t SELECT * FROM x`: true, `PRAGMA max_page_count = 10`: true,
		`REPLACE INTO t VALUES (1)`: true, ``: true, `-- only a comment`: true, `SELECTED`: true,
	} {
		if got := mayWrite(q); got != want {
			t.Errorf("mayWrite(%q) = %v, want %v", q, got, want)
		}
	}
}
