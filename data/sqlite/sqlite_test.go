package sqlite

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"espacepro/data"
	"espacepro/data/sqlstore"
	"espacepro/data/storetest"
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
