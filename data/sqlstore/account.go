package sqlstore

import (
	"context"
	"database/sql"
	"fmt"

	"espacepro/data"

	"github.com/google/uuid"
)

const accountColumns = `id, email, role, professional_id, caf_code, first_name, last_name,
	password_hash, password_generated, password_expires_at, disabled, failed_logins,
	locked_until, last_login_at, created_at, updated_at`

const emailConflict = "Un compte existe déjà avec cette adresse électronique."

func accountArgs(a *data.Account) []any {
	return []any{a.Email, a.Role, nullString(a.ProfessionalID), a.CafCode, a.FirstName, a.LastName,
		a.PasswordHash, a.PasswordGenerated, millis(a.PasswordExpiresAt), a.Disabled,
		a.FailedLogins, millis(a.LockedUntil), millis(a.LastLoginAt)}
}

// CreateAccount stores a new account.
func (s *Store) CreateAccount(ctx context.Context, a *data.Account) error {
	if err := a.Validate(); err != nil {
		return err
	}
	id, err := uuid.NewV7()
	if err != nil {
		return err
	}
	now := s.now()
	args := append([]any{id.String()}, accountArgs(a)...)
	args = append(args, millis(now), millis(now))
	_, err = s.Exec(ctx, `INSERT INTO accounts (id, email, role, professional_id, caf_code,
		first_name, last_name, password_hash, password_generated, password_expires_at, disabled,
		failed_logins, locked_until, last_login_at, created_at, updated_at)
		VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)`, args...)
	if err != nil {
		return s.wrap(err, "création du compte", emailConflict)
	}
	a.ID, a.CreatedAt, a.UpdatedAt = id.String(), now, now
	return nil
}

// UpdateAccount replaces the stored account a.ID.
func (s *Store) UpdateAccount(ctx context.Context, a *data.Account) error {
	if err := a.Validate(); err != nil {
		return err
	}
	now := s.stamp(a.UpdatedAt)
	err := s.guardedUpdate(ctx, "accounts", `UPDATE accounts SET email=?, role=?, professional_id=?, caf_code=?,
		first_name=?, last_name=?, password_hash=?, password_generated=?, password_expires_at=?,
		disabled=?, failed_logins=?, locked_until=?, last_login_at=?, updated_at=?`,
		accountNotFound(), a.ID, a.UpdatedAt, append(accountArgs(a), millis(now))...)
	if err != nil {
		return s.wrap(err, "mise à jour du compte", emailConflict)
	}
	a.UpdatedAt = now
	return nil
}

func accountNotFound() error { return data.Errorf(data.ENOTFOUND, "Compte introuvable.") }

// FindAccountByID returns ENOTFOUND when there is none.
func (s *Store) FindAccountByID(ctx context.Context, id string) (*data.Account, error) {
	return s.findAccount(ctx, `SELECT `+accountColumns+` FROM accounts WHERE id = ?`, id)
}

// FindAccountByEmail looks the normalised address up.
func (s *Store) FindAccountByEmail(ctx context.Context, email string) (*data.Account, error) {
	return s.findAccount(ctx, `SELECT `+accountColumns+` FROM accounts WHERE email = ?`, email)
}

func (s *Store) findAccount(ctx context.Context, query string, arg string) (*data.Account, error) {
	return queryOne(ctx, s, scanAccount, accountNotFound(), query, arg)
}

// FindAccounts returns the accounts matching f, by e-mail, and the total.
func (s *Store) FindAccounts(ctx context.Context, f data.AccountFilter) ([]*data.Account, int, error) {
	var w where
	if f.CafCode != "" {
		w.add("caf_code = ?", f.CafCode)
	}
	if f.Role != "" {
		w.add("role = ?", f.Role)
	}
	if f.ProfessionalID != "" {
		w.add("professional_id = ?", f.ProfessionalID)
	}
	return findPage(ctx, s, scanAccount, accountColumns, "accounts", &w, "email", f.Offset, f.Limit)
}

func scanAccount(rows *sql.Rows) (*data.Account, error) {
	var a data.Account
	var professional sql.NullString
	var expires, locked, lastLogin, created, updated int64
	err := rows.Scan(&a.ID, &a.Email, &a.Role, &professional, &a.CafCode, &a.FirstName, &a.LastName,
		&a.PasswordHash, &a.PasswordGenerated, &expires, &a.Disabled, &a.FailedLogins, &locked,
		&lastLogin, &created, &updated)
	if err != nil {
		return nil, fmt.Errorf("sqlstore: scan account: %w", err)
	}
	a.ProfessionalID = professional.String
	a.PasswordExpiresAt, a.LockedUntil, a.LastLoginAt = fromMillis(expires), fromMillis(locked), fromMillis(lastLogin)
	a.CreatedAt, a.UpdatedAt = fromMillis(created), fromMillis(updated)
	return &a, nil
}
