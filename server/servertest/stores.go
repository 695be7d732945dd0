package servertest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"espacepro/data"
	"espacepro/data/postgres"
	"espacepro/data/sqlite"
)

// OpenSQLite opens a new central store on SQLite in a temporary folder,
// closed when the test ends.
func OpenSQLite(tb testing.TB) data.CentralStore {
	tb.Helper()
	s, err := sqlite.OpenCentral(context.Background(), filepath.Join(tb.TempDir(), "central.db"))
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { s.Close() })
	return s
}

// PostgresURL returns the URL of the test database from
// ESPACEPRO_TEST_POSTGRES (see scripts/test-postgres.sh). Without it the
// test is skipped, but on CI (CI set) it fails: there PostgreSQL is started
// by the test command.
func PostgresURL(tb testing.TB) string {
	tb.Helper()
	url := os.Getenv("ESPACEPRO_TEST_POSTGRES")
	if url == "" {
		if os.Getenv("CI") != "" {
			tb.Fatal("ESPACEPRO_TEST_POSTGRES is not set: `make test` starts PostgreSQL and sets it")
		}
		tb.Skip("ESPACEPRO_TEST_POSTGRES not set; run `make test` or scripts/test-postgres.sh to start PostgreSQL")
	}
	return url
}

// OpenPostgres opens a central store on PostgreSQL in a new, empty schema,
// dropped (and the store closed) when the test ends.
func OpenPostgres(tb testing.TB) data.CentralStore {
	tb.Helper()
	url := PostgresURL(tb)
	admin, err := sql.Open("pgx", url)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { admin.Close() })
	b := make([]byte, 6)
	rand.Read(b)
	schema := "e2e_" + hex.EncodeToString(b)
	if _, err := admin.Exec(`CREATE SCHEMA ` + schema); err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { admin.Exec(`DROP SCHEMA ` + schema + ` CASCADE`) })
	sep := "?"
	if strings.Contains(url, "?") {
		sep = "&"
	}
	s, err := postgres.Open(context.Background(), url+sep+"search_path="+schema)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { s.Close() })
	return s
}
