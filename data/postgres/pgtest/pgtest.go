// Package pgtest gives tests a PostgreSQL database of their own: the URL of
// the test server and a fresh, empty schema per test. It imports no store,
// so the store's own tests and the service's tests can share it.
package pgtest

import (
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"os"
	"strings"
	"testing"

	_ "github.com/jackc/pgx/v5/stdlib" // the "pgx" driver
)

// URL returns the URL of the test database from ESPACEPRO_TEST_POSTGRES
// (see scripts/test-postgres.sh). Without it the test is skipped, but on CI
// (CI set) it fails: there the test command starts PostgreSQL.
func URL(tb testing.TB) string {
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

// FreshSchema creates an empty schema, dropped when the test ends, and
// returns a URL whose connections use it.
func FreshSchema(tb testing.TB) string {
	tb.Helper()
	url := URL(tb)
	admin, err := sql.Open("pgx", url)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { admin.Close() })
	b := make([]byte, 6)
	rand.Read(b)
	schema := "t_" + hex.EncodeToString(b)
	if _, err := admin.Exec(`CREATE SCHEMA ` + schema); err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { admin.Exec(`DROP SCHEMA ` + schema + ` CASCADE`) })
	sep := "?"
	if strings.Contains(url, "?") {
		sep = "&"
	}
	return url + sep + "search_path=" + schema
}
