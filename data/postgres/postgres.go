// Package postgres opens the central store on PostgreSQL through pgx (its
// database/sql driver): the same store code as the SQLite default (see
// data/sqlstore), with PostgreSQL's schema and errors. Several service
// instances may share one database: migrations run under an advisory lock.
package postgres

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"

	"espacepro/data/sqlstore"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/stdlib"
)

//go:embed migrations
var migrations embed.FS

// migrationLock is the advisory lock key held while migrating.
const migrationLock = 0x6573706163 // "espac"

// Dialect is PostgreSQL's.
var Dialect = sqlstore.Dialect{
	Name:     "postgres",
	Numbered: true,
	IsUniqueViolation: func(err error) bool {
		var e *pgconn.PgError
		return errors.As(err, &e) && e.Code == "23505"
	},
	IsForeignKeyViolation: func(err error) bool {
		var e *pgconn.PgError
		return errors.As(err, &e) && e.Code == "23503"
	},
}

// Open connects to the database at url (postgres://user:pass@host:port/db),
// brings its schema up to date and returns the central store.
func Open(ctx context.Context, url string) (*sqlstore.Store, error) {
	db, err := sql.Open("pgx", url)
	if err != nil {
		return nil, fmt.Errorf("postgres: %w", err)
	}
	db.SetMaxOpenConns(20)
	db.SetMaxIdleConns(20)
	if err := migrate(ctx, db); err != nil {
		db.Close()
		return nil, err
	}
	return sqlstore.New(db, Dialect), nil
}

func migrate(ctx context.Context, db *sql.DB) error {
	conn, err := db.Conn(ctx)
	if err != nil {
		return fmt.Errorf("postgres: connect: %w", err)
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, `SELECT pg_advisory_lock($1)`, migrationLock); err != nil {
		return fmt.Errorf("postgres: lock: %w", err)
	}
	defer conn.ExecContext(context.Background(), `SELECT pg_advisory_unlock($1)`, migrationLock)
	if _, err := sqlstore.Migrate(ctx, db, migrations, "migrations", "schema_migrations"); err != nil {
		return fmt.Errorf("postgres: %w", err)
	}
	return nil
}

// The driver registers itself as "pgx"; the import keeps it linked.
var _ = stdlib.GetDefaultDriver
