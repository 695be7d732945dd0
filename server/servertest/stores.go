package servertest

import (
	"context"
	"path/filepath"
	"testing"

	"espacepro/data"
	"espacepro/data/postgres"
	"espacepro/data/postgres/pgtest"
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

// PostgresURL returns the URL of the test database (see pgtest.URL): on
// CI its absence fails the test, elsewhere it skips it.
func PostgresURL(tb testing.TB) string { tb.Helper(); return pgtest.URL(tb) }

// OpenPostgres opens a central store on PostgreSQL in a new, empty schema,
// dropped (and the store closed) when the test ends.
func OpenPostgres(tb testing.TB) data.CentralStore {
	tb.Helper()
	s, err := postgres.Open(context.Background(), pgtest.FreshSchema(tb))
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { s.Close() })
	return s
}
