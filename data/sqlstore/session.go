package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"espacepro/data"
)

// CreateSession stores s.
func (s *Store) CreateSession(ctx context.Context, sess *data.Session) error {
	if sess.ID == "" || sess.AccountID == "" {
		return data.Errorf(data.EINVALID, "Session incomplète.")
	}
	if sess.CreatedAt.IsZero() {
		sess.CreatedAt = s.now()
	}
	if sess.LastSeenAt.IsZero() {
		sess.LastSeenAt = sess.CreatedAt
	}
	_, err := s.Exec(ctx, `INSERT INTO sessions (id, account_id, created_at, last_seen_at, restricted)
		VALUES (?, ?, ?, ?, ?)`, sess.ID, sess.AccountID, millis(sess.CreatedAt), millis(sess.LastSeenAt),
		sess.Restricted)
	return s.wrap(err, "création de la session", "Session déjà existante.")
}

func sessionNotFound() error { return data.Errorf(data.ENOTFOUND, "Session introuvable.") }

// FindSession returns ENOTFOUND when there is none.
func (s *Store) FindSession(ctx context.Context, id string) (*data.Session, error) {
	return queryOne(ctx, s, scanSession, sessionNotFound(),
		`SELECT id, account_id, created_at, last_seen_at, restricted FROM sessions WHERE id = ?`, id)
}

func scanSession(rows *sql.Rows) (*data.Session, error) {
	var sess data.Session
	var created, seen int64
	if err := rows.Scan(&sess.ID, &sess.AccountID, &created, &seen, &sess.Restricted); err != nil {
		return nil, fmt.Errorf("sqlstore: scan session: %w", err)
	}
	sess.CreatedAt, sess.LastSeenAt = fromMillis(created), fromMillis(seen)
	return &sess, nil
}

// TouchSession records a use of session id at time at.
func (s *Store) TouchSession(ctx context.Context, id string, at time.Time) error {
	res, err := s.Exec(ctx, `UPDATE sessions SET last_seen_at = ? WHERE id = ?`, millis(at), id)
	if err != nil {
		return s.wrap(err, "mise à jour de la session", "")
	}
	if n, err := res.RowsAffected(); err != nil {
		return err
	} else if n == 0 {
		return sessionNotFound()
	}
	return nil
}

// DeleteSession ends one session.
func (s *Store) DeleteSession(ctx context.Context, id string) error {
	_, err := s.Exec(ctx, `DELETE FROM sessions WHERE id = ?`, id)
	return s.wrap(err, "fin de la session", "")
}

// DeleteAccountSessions ends every session of an account.
func (s *Store) DeleteAccountSessions(ctx context.Context, accountID string) (int, error) {
	return s.deleteCount(ctx, `DELETE FROM sessions WHERE account_id = ?`, accountID)
}

// DeleteExpiredSessions removes the sessions over at now.
func (s *Store) DeleteExpiredSessions(ctx context.Context, now time.Time) (int, error) {
	return s.deleteCount(ctx, `DELETE FROM sessions WHERE last_seen_at <= ? OR created_at <= ?`,
		millis(now.Add(-data.SessionIdle)), millis(now.Add(-data.SessionAbsolute)))
}

func (s *Store) deleteCount(ctx context.Context, query string, args ...any) (int, error) {
	res, err := s.Exec(ctx, query, args...)
	if err != nil {
		return 0, s.wrap(err, "suppression des sessions", "")
	}
	n, err := res.RowsAffected()
	return int(n), err
}
