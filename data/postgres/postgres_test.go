package postgres

import (
	"context"
	"sync"
	"testing"

	"espacepro/data"
	"espacepro/data/postgres/pgtest"
	"espacepro/data/sqlstore"
	"espacepro/data/storetest"
)

func freshSchema(tb testing.TB) string { return pgtest.FreshSchema(tb) }

func openCentral(tb testing.TB) *sqlstore.Store {
	s, err := Open(context.Background(), freshSchema(tb))
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { s.Close() })
	return s
}

func TestCentralContract(t *testing.T) {
	storetest.RunCentral(t, func(t *testing.T) data.CentralStore { return openCentral(t) })
}

func BenchmarkCentral(b *testing.B) {
	storetest.BenchCentral(b, func(b *testing.B) data.CentralStore { return openCentral(b) })
}

// Instances starting together on one database migrate it once.
func TestConcurrentOpen(t *testing.T) {
	url := freshSchema(t)
	var wg sync.WaitGroup
	errs := make(chan error, 4)
	for i := 0; i < 4; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			s, err := Open(context.Background(), url)
			if err == nil {
				s.Close()
			}
			errs <- err
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	s, err := Open(context.Background(), url)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	var n int
	if err := s.DB().QueryRow(`SELECT COUNT(*) FROM schema_migrations`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	if want := migrationCount(t); n != want {
		t.Fatalf("%d migrations recorded, want %d", n, want)
	}
}

// The audit log refuses changes even through plain SQL.
func TestAuditAppendOnly(t *testing.T) {
	s := openCentral(t)
	if err := s.AppendAudit(context.Background(), &data.AuditEntry{Action: "test"}); err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{`UPDATE audit SET detail = 'y'`, `DELETE FROM audit`, `TRUNCATE audit`} {
		if _, err := s.DB().Exec(q); err == nil {
			t.Fatalf("%s succeeded on the audit log", q)
		}
	}
}

// migrationCount is the number of migration files embedded.
func migrationCount(t *testing.T) int {
	entries, err := migrations.ReadDir("migrations")
	if err != nil {
		t.Fatal(err)
	}
	return len(entries)
}
