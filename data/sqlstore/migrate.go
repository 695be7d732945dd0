package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
	"io/fs"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Migrate applies, in order, the migrations of dir in fsys that db has not
// applied yet: files named NNNN_what.sql, each in its own transaction with
// its row in the bookkeeping table (schema_migrations for the central
// schema; a database with a second set of migrations names its own). It returns the number applied. Callers that
// may run concurrently (several service instances on one PostgreSQL) hold a
// lock around it.
func Migrate(ctx context.Context, db *sql.DB, fsys fs.FS, dir, table string) (int, error) {
	if _, err := db.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS `+table+` (
		version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)`); err != nil {
		return 0, fmt.Errorf("migrate: %w", err)
	}
	entries, err := fs.ReadDir(fsys, dir)
	if err != nil {
		return 0, fmt.Errorf("migrate: %w", err)
	}
	type migration struct {
		version int
		name    string
	}
	var todo []migration
	for _, e := range entries {
		name := e.Name()
		if !strings.HasSuffix(name, ".sql") {
			continue
		}
		num, _, ok := strings.Cut(name, "_")
		v, err := strconv.Atoi(num)
		if !ok || err != nil {
			return 0, fmt.Errorf("migrate: %s: name must be NNNN_what.sql", name)
		}
		todo = append(todo, migration{v, name})
	}
	sort.Slice(todo, func(i, j int) bool { return todo[i].version < todo[j].version })
	applied := 0
	for _, m := range todo {
		var n int
		if err := db.QueryRowContext(ctx, `SELECT COUNT(*) FROM `+table+` WHERE version = `+
			strconv.Itoa(m.version)).Scan(&n); err != nil {
			return applied, fmt.Errorf("migrate: %w", err)
		}
		if n > 0 {
			continue
		}
		text, err := fs.ReadFile(fsys, dir+"/"+m.name)
		if err != nil {
			return applied, fmt.Errorf("migrate: %w", err)
		}
		if err := applyMigration(ctx, db, table, m.version, m.name, string(text)); err != nil {
			return applied, err
		}
		applied++
	}
	return applied, nil
}

func applyMigration(ctx context.Context, db *sql.DB, table string, version int, name, text string) error {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("migrate %s: %w", name, err)
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, text); err != nil {
		return fmt.Errorf("migrate %s: %w", name, err)
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO `+table+` (version, name, applied_at)
		VALUES (`+strconv.Itoa(version)+`, '`+strings.ReplaceAll(name, "'", "''")+`', `+
		strconv.FormatInt(time.Now().UnixMilli(), 10)+`)`); err != nil {
		return fmt.Errorf("migrate %s: %w", name, err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("migrate %s: %w", name, err)
	}
	return nil
}
