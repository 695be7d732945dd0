// Package sqlite opens the stores on SQLite (mattn/go-sqlite3): the central
// store's embedded default and the desktop's local copy. Both run in WAL mode
// with foreign keys on and write transactions that take SQLite's write lock
// at BEGIN (BEGIN IMMEDIATE). The writers of this process queue for it in Go,
// in order, before they begin (see writelock.go); readers do not queue. The
// busy timeout serves writers of other processes on the same file.
package sqlite

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"

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

// busyTimeout is how long a writer waits for the write lock: in line
// behind this process's writers (see writeLock), then in SQLite's busy
// handler behind another process's.
const busyTimeout = 10 * time.Second

// maxIdleConns is how many idle connections a database keeps. A writer
// waiting in line for the write lock holds a connection (it waits in
// BeginTx), and readers run side by side: under load (50 clients pushing)
// database/sql's default of 2 closed most connections after each request
// and opened them again at the next one. Idle ones close after
// connMaxIdleTime.
const (
	maxIdleConns    = 64
	connMaxIdleTime = time.Minute
)

// open opens the database file at path with the project's pragmas. With
// stmtCache > 0 each connection keeps that many prepared statements, by
// their text (the driver's cache), instead of preparing each statement
// anew. Its connections take the file's write lock to write (see
// writeLock).
func open(path string, stmtCache int) (*sql.DB, error) {
	return openWith(path, stmtCache, busyTimeout)
}

// openWith is open with SQLite's busy timeout busy (the tests set 0, so
// that a writer that reaches SQLite while another writes fails at once).
func openWith(path string, stmtCache int, busy time.Duration) (*sql.DB, error) {
	q := url.Values{}
	q.Set("_journal_mode", "WAL")
	q.Set("_foreign_keys", "on")
	q.Set("_busy_timeout", strconv.FormatInt(busy.Milliseconds(), 10))
	q.Set("_txlock", "immediate")
	q.Set("_synchronous", "NORMAL")
	if stmtCache > 0 {
		q.Set("_stmt_cache_size", strconv.Itoa(stmtCache))
	}
	// In a file: URI, « % », « ? » and « # » of the path must be escaped.
	escaped := strings.NewReplacer("%", "%25", "?", "%3f", "#", "%23").Replace(path)
	db := sql.OpenDB(&connector{dsn: "file:" + escaped + "?" + q.Encode(), lock: lockFor(path, busyTimeout)})
	db.SetMaxIdleConns(maxIdleConns)
	db.SetConnMaxIdleTime(connMaxIdleTime)
	if err := db.Ping(); err != nil {
		db.Close()
		return nil, fmt.Errorf("sqlite: open %s: %w", path, err)
	}
	return db, nil
}

// OpenCentral opens (creating it if needed) the central store at path and
// brings its schema up to date.
func OpenCentral(ctx context.Context, path string) (*sqlstore.Store, error) {
	return openCentralWith(ctx, path, busyTimeout)
}

// openCentralWith is OpenCentral with SQLite's busy timeout busy.
func openCentralWith(ctx context.Context, path string, busy time.Duration) (*sqlstore.Store, error) {
	db, err := openWith(path, 0, busy)
	if err != nil {
		return nil, err
	}
	if _, err := sqlstore.Migrate(ctx, db, migrations, "migrations/central", "schema_migrations"); err != nil {
		db.Close()
		return nil, fmt.Errorf("sqlite: %s: %w", path, err)
	}
	return sqlstore.New(db, Dialect), nil
}
