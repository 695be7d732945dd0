package sqlite

// SQLite lets one connection write at a time. A writer that finds the write
// lock taken waits in SQLite's busy handler: it sleeps, retries, sleeps
// longer… and a newcomer may take the lock before writers that have waited
// for long. Under load (50 clients pushing at once) this gave a push latency
// p99 of 0.7–1.4 s for a p50 of a few milliseconds (issue #5).
//
// The writers of this process therefore queue in Go: every connection that
// a database of this package opens takes the database file's writeLock, a
// FIFO semaphore of one slot, before it writes —
//   - a transaction (every one is BEGIN IMMEDIATE, see open) takes it before
//     BEGIN and gives it back after COMMIT or ROLLBACK;
//   - a statement run outside a transaction (autocommit) takes it if it may
//     write: unless it begins with SELECT, VALUES or EXPLAIN (a prepared
//     statement: unless SQLite says it is read-only); a query that writes
//     (INSERT … RETURNING) holds it until its rows are closed;
//   - statements inside a transaction run under the transaction's lock.
//
// Reads outside a transaction never take it: WAL lets them run while a
// writer writes. SQLite then never sees two writers of this process at
// once; the busy timeout only still serves writers of other processes on
// the same file (an operator's command, a second desktop app).
//
// The lock sits in the driver (a wrapper of go-sqlite3's connections) rather
// than in sqlstore.Store.InTx so that every write is covered, whoever makes
// it: the store's transactions and single statements, the migrations, and
// the statements run on DB() directly. A nested InTx joins the transaction
// of the outer one (see sqlstore), so it does not take the lock again. A
// goroutine that holds a transaction and writes through another connection
// (a context without the transaction) would wait for itself: it waits at
// most busyTimeout, then fails with SQLITE_BUSY as SQLite itself would have.

import (
	"context"
	"database/sql/driver"
	"errors"
	"fmt"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"weak"

	"github.com/mattn/go-sqlite3"
)

// writeLock queues the writers of one database file in this process, first
// come first served: a channel's blocked senders are served in order.
type writeLock struct {
	path string
	slot chan struct{}
	// wait is how long acquire waits at most.
	wait time.Duration
	// waiting counts the goroutines queued (for the tests).
	waiting atomic.Int32
}

// acquire takes the lock, waiting in line for it. It gives up when ctx ends
// or after l.wait, with an error that is SQLITE_BUSY to errors.As.
func (l *writeLock) acquire(ctx context.Context) error {
	select {
	case l.slot <- struct{}{}:
		return nil
	default:
	}
	l.waiting.Add(1)
	defer l.waiting.Add(-1)
	t := time.NewTimer(l.wait)
	defer t.Stop()
	select {
	case l.slot <- struct{}{}:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return fmt.Errorf("sqlite: %s: write lock not obtained within %v: %w",
			l.path, l.wait, sqlite3.Error{Code: sqlite3.ErrBusy})
	}
}

// release gives the lock to the next writer in line.
func (l *writeLock) release() { <-l.slot }

// writeLocks holds the lock of each database file open in this process,
// by canonical path. An entry goes when no database holds its lock any
// more (weak pointer, removed by a cleanup).
var writeLocks = struct {
	sync.Mutex
	m map[string]weak.Pointer[writeLock]
}{m: map[string]weak.Pointer[writeLock]{}}

// lockFor returns the write lock of the database file at path, shared by
// every database of this process open on that file.
func lockFor(path string, wait time.Duration) *writeLock {
	key := canonicalPath(path)
	writeLocks.Lock()
	defer writeLocks.Unlock()
	if l := writeLocks.m[key].Value(); l != nil {
		return l
	}
	l := &writeLock{path: key, slot: make(chan struct{}, 1), wait: wait}
	w := weak.Make(l)
	writeLocks.m[key] = w
	runtime.AddCleanup(l, func(w weak.Pointer[writeLock]) {
		writeLocks.Lock()
		defer writeLocks.Unlock()
		if writeLocks.m[key] == w {
			delete(writeLocks.m, key)
		}
	}, w)
	return l
}

// canonicalPath names the file at path the same way whatever the path
// given: absolute, symbolic links resolved (those of its folder when the
// file does not exist yet).
func canonicalPath(path string) string {
	abs, err := filepath.Abs(path)
	if err != nil {
		return filepath.Clean(path)
	}
	if p, err := filepath.EvalSymlinks(abs); err == nil {
		return p
	}
	if d, err := filepath.EvalSymlinks(filepath.Dir(abs)); err == nil {
		return filepath.Join(d, filepath.Base(abs))
	}
	return abs
}

// mayWrite reports whether a statement run outside a transaction may write,
// from its first keyword: only SELECT, VALUES and EXPLAIN are known not to
// (a WITH may end in an INSERT; a PRAGMA may change the file).
func mayWrite(query string) bool {
	q := query
	for {
		q = strings.TrimLeft(q, " \t\r\n(")
		switch {
		case strings.HasPrefix(q, "--"):
			if i := strings.IndexByte(q, '\n'); i >= 0 {
				q = q[i+1:]
				continue
			}
			return true
		case strings.HasPrefix(q, "/*"):
			if i := strings.Index(q, "*/"); i >= 0 {
				q = q[i+2:]
				continue
			}
			return true
		}
		break
	}
	end := strings.IndexFunc(q, func(r rune) bool { return !('a' <= r && r <= 'z' || 'A' <= r && r <= 'Z') })
	if end < 0 {
		end = len(q)
	}
	switch strings.ToUpper(q[:end]) {
	case "SELECT", "VALUES", "EXPLAIN":
		return false
	}
	return true
}

// connector opens go-sqlite3 connections that take lock to write.
type connector struct {
	dsn  string
	lock *writeLock
}

// sqliteDriver is go-sqlite3's driver (what sql.Open("sqlite3", …) uses).
var sqliteDriver = &sqlite3.SQLiteDriver{}

// Connect opens a connection.
func (c *connector) Connect(context.Context) (driver.Conn, error) {
	dc, err := sqliteDriver.Open(c.dsn)
	if err != nil {
		return nil, err
	}
	sc, ok := dc.(*sqlite3.SQLiteConn)
	if !ok {
		dc.Close()
		return nil, fmt.Errorf("sqlite: unexpected connection type %T", dc)
	}
	return &conn{c: sc, lock: c.lock}, nil
}

// Driver returns go-sqlite3's driver.
func (c *connector) Driver() driver.Driver { return sqliteDriver }

// conn is a go-sqlite3 connection whose writes take the file's write lock.
// database/sql uses a connection from one goroutine at a time (and closes
// its rows under the same guard), so held needs no lock of its own.
type conn struct {
	c    *sqlite3.SQLiteConn
	lock *writeLock
	// held: the connection's transaction holds the lock.
	held bool
}

var (
	_ driver.Conn               = (*conn)(nil)
	_ driver.ConnBeginTx        = (*conn)(nil)
	_ driver.ConnPrepareContext = (*conn)(nil)
	_ driver.ExecerContext      = (*conn)(nil)
	_ driver.QueryerContext     = (*conn)(nil)
	_ driver.Pinger             = (*conn)(nil)
)

// Prepare prepares a statement.
func (c *conn) Prepare(query string) (driver.Stmt, error) {
	return c.PrepareContext(context.Background(), query)
}

// PrepareContext prepares a statement that takes the lock to write when
// run outside a transaction.
func (c *conn) PrepareContext(ctx context.Context, query string) (driver.Stmt, error) {
	s, err := c.c.PrepareContext(ctx, query)
	if err != nil {
		return nil, err
	}
	writes := true
	if ss, ok := s.(*sqlite3.SQLiteStmt); ok {
		writes = !ss.Readonly()
	}
	return &stmt{s: s, conn: c, writes: writes}, nil
}

// Close closes the connection, giving the lock back if its transaction
// still held it.
func (c *conn) Close() error {
	err := c.c.Close()
	c.unhold()
	return err
}

// Begin begins a transaction.
func (c *conn) Begin() (driver.Tx, error) {
	return c.BeginTx(context.Background(), driver.TxOptions{})
}

// BeginTx waits for the lock, then begins a transaction (BEGIN IMMEDIATE:
// SQLite's write lock, free since this process's writers queue here).
func (c *conn) BeginTx(ctx context.Context, opts driver.TxOptions) (driver.Tx, error) {
	if c.held {
		return nil, errors.New("sqlite: transaction already open on this connection")
	}
	if err := c.lock.acquire(ctx); err != nil {
		return nil, err
	}
	t, err := c.c.BeginTx(ctx, opts)
	if err != nil {
		c.lock.release()
		return nil, err
	}
	c.held = true
	return &tx{t: t, conn: c}, nil
}

// unhold gives back the lock the connection's transaction held.
func (c *conn) unhold() {
	if c.held {
		c.held = false
		c.lock.release()
	}
}

// ExecContext runs a statement; outside a transaction, under the lock.
func (c *conn) ExecContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Result, error) {
	if c.held || !mayWrite(query) {
		return c.c.ExecContext(ctx, query, args)
	}
	if err := c.lock.acquire(ctx); err != nil {
		return nil, err
	}
	defer c.lock.release()
	return c.c.ExecContext(ctx, query, args)
}

// QueryContext runs a query; outside a transaction, one that may write
// holds the lock until its rows are closed.
func (c *conn) QueryContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Rows, error) {
	if c.held || !mayWrite(query) {
		return c.c.QueryContext(ctx, query, args)
	}
	if err := c.lock.acquire(ctx); err != nil {
		return nil, err
	}
	r, err := c.c.QueryContext(ctx, query, args)
	if err != nil {
		c.lock.release()
		return nil, err
	}
	return &rows{Rows: r, release: c.lock.release}, nil
}

// Ping checks the connection.
func (c *conn) Ping(ctx context.Context) error { return c.c.Ping(ctx) }

// tx is a transaction holding the lock until it ends.
type tx struct {
	t    driver.Tx
	conn *conn
}

// Commit commits and gives the lock to the next writer.
func (t *tx) Commit() error {
	defer t.conn.unhold()
	return t.t.Commit()
}

// Rollback rolls back and gives the lock to the next writer.
func (t *tx) Rollback() error {
	defer t.conn.unhold()
	return t.t.Rollback()
}

// stmt is a prepared statement that, outside a transaction, takes the lock
// when it writes.
type stmt struct {
	s      driver.Stmt
	conn   *conn
	writes bool // SQLite does not report it read-only
}

var (
	_ driver.StmtExecContext  = (*stmt)(nil)
	_ driver.StmtQueryContext = (*stmt)(nil)
)

// Close closes the statement.
func (s *stmt) Close() error { return s.s.Close() }

// NumInput is the number of placeholders.
func (s *stmt) NumInput() int { return s.s.NumInput() }

// Exec runs the statement.
func (s *stmt) Exec(args []driver.Value) (driver.Result, error) {
	return s.ExecContext(context.Background(), namedValues(args))
}

// Query runs the query.
func (s *stmt) Query(args []driver.Value) (driver.Rows, error) {
	return s.QueryContext(context.Background(), namedValues(args))
}

// ExecContext runs the statement; outside a transaction, a write runs
// under the lock.
func (s *stmt) ExecContext(ctx context.Context, args []driver.NamedValue) (driver.Result, error) {
	if s.conn.held || !s.writes {
		return s.s.(driver.StmtExecContext).ExecContext(ctx, args)
	}
	if err := s.conn.lock.acquire(ctx); err != nil {
		return nil, err
	}
	defer s.conn.lock.release()
	return s.s.(driver.StmtExecContext).ExecContext(ctx, args)
}

// QueryContext runs the query; outside a transaction, a write holds the
// lock until its rows are closed.
func (s *stmt) QueryContext(ctx context.Context, args []driver.NamedValue) (driver.Rows, error) {
	if s.conn.held || !s.writes {
		return s.s.(driver.StmtQueryContext).QueryContext(ctx, args)
	}
	if err := s.conn.lock.acquire(ctx); err != nil {
		return nil, err
	}
	r, err := s.s.(driver.StmtQueryContext).QueryContext(ctx, args)
	if err != nil {
		s.conn.lock.release()
		return nil, err
	}
	return &rows{Rows: r, release: s.conn.lock.release}, nil
}

// namedValues turns positional arguments into named ones.
func namedValues(args []driver.Value) []driver.NamedValue {
	out := make([]driver.NamedValue, len(args))
	for i, v := range args {
		out[i] = driver.NamedValue{Ordinal: i + 1, Value: v}
	}
	return out
}

// rows are the rows of a write outside a transaction: closing them ends
// the statement, and gives the lock back.
type rows struct {
	driver.Rows
	release func()
}

// Close closes the rows and gives the lock back (once).
func (r *rows) Close() error {
	err := r.Rows.Close()
	if r.release != nil {
		r.release()
		r.release = nil
	}
	return err
}
