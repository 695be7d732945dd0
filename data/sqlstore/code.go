package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"espacepro/data"
)

// CreateCode stores c and removes the account's older codes of that purpose.
func (s *Store) CreateCode(ctx context.Context, c *data.OneTimeCode) error {
	if c.Hash == "" || c.AccountID == "" || c.Purpose == "" || c.ExpiresAt.IsZero() {
		return data.Errorf(data.EINVALID, "Code à usage unique incomplet.")
	}
	if c.CreatedAt.IsZero() {
		c.CreatedAt = s.now()
	}
	return s.InTx(ctx, func(ctx context.Context) error {
		if _, err := s.Exec(ctx, `DELETE FROM codes WHERE account_id = ? AND purpose = ?`,
			c.AccountID, c.Purpose); err != nil {
			return s.wrap(err, "remplacement du code", "")
		}
		_, err := s.Exec(ctx, `INSERT INTO codes (hash, account_id, purpose, created_at, expires_at)
			VALUES (?, ?, ?, ?, ?)`, c.Hash, c.AccountID, c.Purpose, millis(c.CreatedAt), millis(c.ExpiresAt))
		return s.wrap(err, "création du code", "Code déjà existant.")
	})
}

// UseCode consumes a code once.
func (s *Store) UseCode(ctx context.Context, hash string, purpose data.CodePurpose, now time.Time) (*data.OneTimeCode, error) {
	notFound := data.Errorf(data.ENOTFOUND, "Ce code est inconnu, a déjà servi ou a expiré : demandez-en un nouveau.")
	c, err := queryOne(ctx, s, func(rows *sql.Rows) (*data.OneTimeCode, error) {
		c := &data.OneTimeCode{Hash: hash, Purpose: purpose}
		var created, expires int64
		if err := rows.Scan(&c.AccountID, &created, &expires); err != nil {
			return nil, fmt.Errorf("sqlstore: scan code: %w", err)
		}
		c.CreatedAt, c.ExpiresAt = fromMillis(created), fromMillis(expires)
		return c, nil
	}, notFound, `DELETE FROM codes WHERE hash = ? AND purpose = ?
		RETURNING account_id, created_at, expires_at`, hash, purpose)
	if err != nil {
		return nil, err
	}
	if !now.Before(c.ExpiresAt) {
		return nil, notFound
	}
	return c, nil
}

// SaveCaptcha stores the expected digits of a captcha.
func (s *Store) SaveCaptcha(ctx context.Context, id string, digits []byte, expires time.Time) error {
	text := make([]byte, len(digits))
	for i, d := range digits {
		text[i] = '0' + d
	}
	_, err := s.Exec(ctx, `INSERT INTO captchas (id, digits, expires_at) VALUES (?, ?, ?)`,
		id, string(text), millis(expires))
	return s.wrap(err, "enregistrement du captcha", "Captcha déjà existant.")
}

const captchaExpired = "Le texte de vérification a expiré : cliquez sur « Recommencer »."

// FindCaptcha returns the digits of a captcha still valid at now.
func (s *Store) FindCaptcha(ctx context.Context, id string, now time.Time) ([]byte, error) {
	var text string
	err := s.QueryRow(ctx, `SELECT digits FROM captchas WHERE id = ? AND expires_at > ?`,
		id, millis(now)).Scan(&text)
	if err != nil {
		return nil, s.wrap(err, captchaExpired, "")
	}
	return captchaDigits(text), nil
}

// TakeCaptcha returns the digits of a captcha and forgets it, atomically.
func (s *Store) TakeCaptcha(ctx context.Context, id string, now time.Time) ([]byte, error) {
	var text string
	var expires int64
	err := s.QueryRow(ctx, `DELETE FROM captchas WHERE id = ? RETURNING digits, expires_at`, id).Scan(&text, &expires)
	if err != nil {
		return nil, s.wrap(err, captchaExpired, "")
	}
	if expires <= millis(now) {
		return nil, data.Errorf(data.ENOTFOUND, captchaExpired)
	}
	return captchaDigits(text), nil
}

func captchaDigits(text string) []byte {
	digits := []byte(text)
	for i := range digits {
		digits[i] -= '0'
	}
	return digits
}

// DeleteExpiredCaptchas forgets the captchas expired at now.
func (s *Store) DeleteExpiredCaptchas(ctx context.Context, now time.Time) (int, error) {
	return s.deleteCount(ctx, `DELETE FROM captchas WHERE expires_at <= ?`, millis(now))
}

// RecordLoginFailure counts a failed login from address.
func (s *Store) RecordLoginFailure(ctx context.Context, address string, now time.Time, window time.Duration) (int, error) {
	var n int
	err := s.QueryRow(ctx, `INSERT INTO login_failures (address, failures, window_start)
		VALUES (?, 1, ?) ON CONFLICT (address) DO UPDATE SET
		failures = CASE WHEN login_failures.window_start <= ? THEN 1 ELSE login_failures.failures + 1 END,
		window_start = CASE WHEN login_failures.window_start <= ? THEN excluded.window_start ELSE login_failures.window_start END
		RETURNING failures`, address, millis(now), millis(now.Add(-window)), millis(now.Add(-window))).Scan(&n)
	return n, s.wrap(err, "comptage des échecs de connexion", "")
}

// LoginFailures returns the failures from address in the current window.
func (s *Store) LoginFailures(ctx context.Context, address string, now time.Time, window time.Duration) (int, error) {
	var n int
	err := s.QueryRow(ctx, `SELECT failures FROM login_failures WHERE address = ? AND window_start > ?`,
		address, millis(now.Add(-window))).Scan(&n)
	if err == sql.ErrNoRows {
		return 0, nil
	}
	return n, s.wrap(err, "lecture des échecs de connexion", "")
}
