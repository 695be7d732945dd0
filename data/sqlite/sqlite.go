// Package sqlite opens the stores on SQLite (mattn/go-sqlite3): the central
// store's embedded default and the desktop's local copy. Both run in WAL mode
// with foreign keys on, a busy timeout, and write transactions that take the
// write lock at BEGIN (so that two writers queue instead of failing).
package sqlite

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"net/url"
	"strings"

	"espacepro/data/sqlstore"

	"github.com/mattn/go-sqlite3"
)

//go:embed migrations
var migrations embed.FS

// Dialect is SQLite's.
var Dialect = sqlstore.Dialect{
	Name: "sqlite",
	IsUniqueViolation: func(err error) bool {
		var e sqlite3.Error
		return errors.As(err, &e) && (e.ExtendedCode == sqlite3.ErrConstraintUnique ||
			e.ExtendedCode == sqlite3.ErrConstraintPrimaryKey)
	},
	IsForeignKeyViolation: func(err error) bool {
		var e sqlite3.Error
		return errors.As(err, &e) && e.ExtendedCode == sqlite3.ErrConstraintForeignKey
	},
}

// open opens the database file at path with the project's pragmas.
func open(path string) (*sql.DB, error) {
	q := url.Values{}
	q.Set("_journal_mode", "WAL")
	q.Set("_foreign_keys", "on")
	q.Set("_busy_timeout", "10000")
	q.Set("_txlock", "immediate")
	q.Set("_synchronous", "NORMAL")
	// In a file: URI, « % », « ? » and « # » of the path must be escaped.
	escaped := strings.NewReplacer("%", "%25", "?", "%3f", "#", "%23").Replace(path)
	db, err := sql.Open("sqlite3", "file:"+escaped+"?"+q.Encode())
	if err != nil {
		return nil, fmt.Errorf("sqlite: open %s: %w", path, err)
	}
	if err := db.Ping(); err != nil {
		db.Close()
		return nil, fmt.Errorf("sqlite: open %s: %w", path, err)
	}
	return db, nil
}

// OpenCentral opens (creating it if needed) the central store at path and
// brings its schema up to date.
func OpenCentral(ctx context.Context, path string) (*sqlstore.Store, error) {
	db, err := open(path)
	if err != nil {
		return nil, err
	}
	if _, err := sqlstore.Migrate(ctx, db, migrations, "migrations/central", "schema_migrations"); err != nil {
		db.Close()
		return nil, fmt.Errorf("sqlite: %s: %w", path, err)
	}
	return sqlstore.New(db, Dialect), nil
}
