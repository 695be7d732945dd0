// Package sqlstore implements the domain's stores over database/sql, once
// for both databases: the SQL of the central store is portable between
// SQLite and PostgreSQL (placeholders are written « ? » and rebound to « $n »
// for PostgreSQL; times are Unix milliseconds; booleans are BOOLEAN), so the
// two backends share this code and differ only in how they open, migrate and
// recognise constraint errors (see data/sqlite and data/postgres). One code
// path tested by one contract suite on both databases is worth more than two
// near-copies that drift.
package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"

	"espacepro/data"
)

// Dialect is what differs between the databases.
type Dialect struct {
	// Name is "sqlite" or "postgres".
	Name string
	// Numbered says that placeholders are $1, $2… instead of ?.
	Numbered bool
	// IsUniqueViolation reports whether err is a unique-constraint error.
	IsUniqueViolation func(error) bool
	// IsForeignKeyViolation reports whether err is a foreign-key error.
	IsForeignKeyViolation func(error) bool
}

// Store is the central store over one database.
type Store struct {
	db      *sql.DB
	dialect Dialect
	queries sync.Map // query text → rebound text
	// untracked: writes record no change (the desktop's copy).
	untracked bool

	// Now gives the time; tests replace it.
	Now func() time.Time
}

var _ data.CentralStore = (*Store)(nil)

// New wraps an open, migrated database.
func New(db *sql.DB, d Dialect) *Store {
	return &Store{db: db, dialect: d, Now: time.Now}
}

// DB returns the underlying database, for the backends' own statements.
func (s *Store) DB() *sql.DB { return s.db }

// Dialect returns the store's dialect.
func (s *Store) Dialect() Dialect { return s.dialect }

// Ping checks that the database answers.
func (s *Store) Ping(ctx context.Context) error { return s.db.PingContext(ctx) }

// Close closes the database.
func (s *Store) Close() error { return s.db.Close() }

type txKey struct{}

// querier is what both *sql.DB and *sql.Tx offer.
type querier interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// InTx runs fn in one transaction (see data.CentralStore.InTx).
func (s *Store) InTx(ctx context.Context, fn func(ctx context.Context) error) (err error) {
	if _, ok := ctx.Value(txKey{}).(*sql.Tx); ok {
		return fn(ctx)
	}
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	defer func() {
		if p := recover(); p != nil {
			_ = tx.Rollback()
			panic(p)
		}
		if err != nil {
			_ = tx.Rollback()
		}
	}()
	if err = fn(context.WithValue(ctx, txKey{}, tx)); err != nil {
		return err
	}
	if err = tx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	return nil
}

// q returns the transaction bound to ctx, or the database.
func (s *Store) q(ctx context.Context) querier {
	if tx, ok := ctx.Value(txKey{}).(*sql.Tx); ok {
		return tx
	}
	return s.db
}

// rebind turns « ? » placeholders into « $n » for PostgreSQL. Queries never
// hold a literal question mark.
func (s *Store) rebind(query string) string {
	if !s.dialect.Numbered {
		return query
	}
	if v, ok := s.queries.Load(query); ok {
		return v.(string)
	}
	var b strings.Builder
	n := 0
	for i := 0; i < len(query); i++ {
		if query[i] == '?' {
			n++
			b.WriteByte('$')
			b.WriteString(strconv.Itoa(n))
			continue
		}
		b.WriteByte(query[i])
	}
	s.queries.Store(query, b.String())
	return b.String()
}

// Exec runs a statement in ctx's transaction, if any.
func (s *Store) Exec(ctx context.Context, query string, args ...any) (sql.Result, error) {
	return s.q(ctx).ExecContext(ctx, s.rebind(query), args...)
}

// Query runs a query in ctx's transaction, if any.
func (s *Store) Query(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	return s.q(ctx).QueryContext(ctx, s.rebind(query), args...)
}

// QueryRow runs a one-row query in ctx's transaction, if any.
func (s *Store) QueryRow(ctx context.Context, query string, args ...any) *sql.Row {
	return s.q(ctx).QueryRowContext(ctx, s.rebind(query), args...)
}

// now returns the store's clock, in UTC, at millisecond precision: what the
// database keeps.
func (s *Store) now() time.Time { return s.Now().UTC().Truncate(time.Millisecond) }

// millis is the stored form of a time: Unix milliseconds, 0 for zero.
func millis(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixMilli()
}

// fromMillis reads the stored form of a time.
func fromMillis(v int64) time.Time {
	if v == 0 {
		return time.Time{}
	}
	return time.UnixMilli(v).UTC()
}

// dateText is the stored form of a date: ISO, "" for zero.
func dateText(d data.Date) string { return d.String() }

func parseDateText(s string) (data.Date, error) {
	if s == "" {
		return data.Date{}, nil
	}
	return data.ParseDate(s)
}

// nullString stores "" as NULL, for optional foreign keys.
func nullString(s string) sql.NullString { return sql.NullString{String: s, Valid: s != ""} }

// wrap maps database errors to domain errors: a unique violation becomes
// ECONFLICT with msg, sql.ErrNoRows ENOTFOUND with notFound.
func (s *Store) wrap(err error, what, conflict string) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, sql.ErrNoRows):
		return data.Errorf(data.ENOTFOUND, "%s", what)
	case conflict != "" && s.dialect.IsUniqueViolation != nil && s.dialect.IsUniqueViolation(err):
		return data.Errorf(data.ECONFLICT, "%s", conflict)
	case s.dialect.IsForeignKeyViolation != nil && s.dialect.IsForeignKeyViolation(err):
		return data.Errorf(data.ENOTFOUND, "Enregistrement lié introuvable : %s", what)
	}
	var de *data.Error
	if errors.As(err, &de) {
		return err
	}
	return fmt.Errorf("sqlstore: %s: %w", what, err)
}

// page appends LIMIT/OFFSET for a filter's paging.
func (s *Store) page(query string, offset, limit int) string {
	switch {
	case limit > 0:
		query += " LIMIT " + strconv.Itoa(limit)
	case offset > 0 && s.dialect.Numbered:
		query += " LIMIT ALL"
	case offset > 0:
		query += " LIMIT -1"
	}
	if offset > 0 {
		query += " OFFSET " + strconv.Itoa(offset)
	}
	return query
}

// where builds a WHERE clause from conditions.
type where struct {
	conds []string
	args  []any
}

func (w *where) add(cond string, args ...any) {
	w.conds = append(w.conds, cond)
	w.args = append(w.args, args...)
}

func (w *where) String() string {
	if len(w.conds) == 0 {
		return ""
	}
	return " WHERE " + strings.Join(w.conds, " AND ")
}

// likeContains returns a LIKE pattern matching the normalised form of q
// anywhere; LIKE's own wildcards typed by a user are dropped.
func likeContains(q string) string {
	n := strings.NewReplacer("%", "", "_", "", "\\", "").Replace(data.NormalizeName(q))
	return "%" + n + "%"
}

// stamp returns the updated_at to write over prev: now, but always after
// prev, so that the guard of a concurrent update sees the change even
// within one millisecond.
func (s *Store) stamp(prev time.Time) time.Time {
	now := s.now()
	if !prev.IsZero() && !now.After(prev) {
		now = prev.Add(time.Millisecond)
	}
	return now
}

// guardedUpdate runs an UPDATE of one row of table whose statement ends in
// « WHERE id = ? AND (CAST(? AS BIGINT) = 0 OR updated_at = ?) »: args end with the ID and
// the updated_at the caller read (zero: no guard). A row changed since it
// was read is ECONFLICT (optimistic locking: no update is ever silently
// lost, on PostgreSQL's read committed as on SQLite); a missing row is
// notFound.
func (s *Store) guardedUpdate(ctx context.Context, table, query string, notFound error, id string, read time.Time, args ...any) error {
	args = append(args, id, millis(read), millis(read))
	res, err := s.Exec(ctx, query+` WHERE id = ? AND (CAST(? AS BIGINT) = 0 OR updated_at = ?)`, args...)
	if err != nil {
		return err
	}
	if n, err := res.RowsAffected(); err != nil {
		return err
	} else if n == 1 {
		return nil
	}
	var exists int
	if err := s.QueryRow(ctx, `SELECT COUNT(*) FROM `+table+` WHERE id = ?`, id).Scan(&exists); err != nil {
		return s.wrap(err, "vérification de la mise à jour", "")
	}
	if exists == 0 {
		return notFound
	}
	return data.Errorf(data.ECONFLICT, "Cet enregistrement a été modifié entre-temps par quelqu'un d'autre : rechargez-le puis recommencez.")
}

// queryOne runs a query expected to return one row and scans it; no row
// gives notFound.
func queryOne[T any](ctx context.Context, s *Store, scan func(*sql.Rows) (T, error), notFound error, query string, args ...any) (T, error) {
	var zero T
	list, err := queryList(ctx, s, scan, query, args...)
	if err != nil {
		return zero, err
	}
	if len(list) == 0 {
		return zero, notFound
	}
	return list[0], nil
}

// queryList runs a query and scans every row.
func queryList[T any](ctx context.Context, s *Store, scan func(*sql.Rows) (T, error), query string, args ...any) ([]T, error) {
	rows, err := s.Query(ctx, query, args...)
	if err != nil {
		return nil, s.wrap(err, "lecture", "")
	}
	defer rows.Close()
	var list []T
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return nil, err
		}
		list = append(list, v)
	}
	if err := rows.Err(); err != nil {
		return nil, s.wrap(err, "lecture", "")
	}
	return list, nil
}

// findPage counts the rows of table matching w, then reads one page of them
// in the given order.
func findPage[T any](ctx context.Context, s *Store, scan func(*sql.Rows) (T, error), columns, table string, w *where, order string, offset, limit int) ([]T, int, error) {
	var total int
	if err := s.QueryRow(ctx, `SELECT COUNT(*) FROM `+table+w.String(), w.args...).Scan(&total); err != nil {
		return nil, 0, s.wrap(err, "comptage", "")
	}
	query := s.page(`SELECT `+columns+` FROM `+table+w.String()+` ORDER BY `+order, offset, limit)
	list, err := queryList(ctx, s, scan, query, w.args...)
	return list, total, err
}
