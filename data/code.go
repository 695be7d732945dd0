package data

import (
	"context"
	"time"
)

// CodePurpose says what a one-time code lets its holder do.
type CodePurpose string

// The purposes of one-time codes.
const (
	CodePasswordReset CodePurpose = "password_reset" // « Mot de passe oublié ? »
	CodeAgentWelcome  CodePurpose = "agent_welcome"  // a new agent chooses her first password
)

// OneTimeCode is a single-use code mailed to a person. Only its hash is
// stored.
type OneTimeCode struct {
	Hash      string
	AccountID string
	Purpose   CodePurpose
	CreatedAt time.Time
	ExpiresAt time.Time
}

// CodeService stores one-time codes.
type CodeService interface {
	// CreateCode stores c and removes the account's other codes of the same
	// purpose: only the last code mailed works.
	CreateCode(ctx context.Context, c *OneTimeCode) error
	// UseCode consumes the code of that hash and purpose if it has not
	// expired at now: it works once. ENOTFOUND otherwise.
	UseCode(ctx context.Context, hash string, purpose CodePurpose, now time.Time) (*OneTimeCode, error)
}

// CaptchaService keeps the captchas issued and not yet answered, so that any
// instance of the service can check an answer.
type CaptchaService interface {
	// SaveCaptcha stores the expected digits of captcha id until expires.
	SaveCaptcha(ctx context.Context, id string, digits []byte, expires time.Time) error
	// FindCaptcha returns the digits of captcha id, ENOTFOUND when it is
	// unknown or expired at now.
	FindCaptcha(ctx context.Context, id string, now time.Time) ([]byte, error)
	// TakeCaptcha consumes captcha id: it returns its digits if it is
	// valid at now and forgets it in the same statement, so that one
	// captcha answers one try even when tries race. ENOTFOUND otherwise.
	TakeCaptcha(ctx context.Context, id string, now time.Time) ([]byte, error)
	// DeleteExpiredCaptchas forgets the captchas expired at now.
	DeleteExpiredCaptchas(ctx context.Context, now time.Time) (int, error)
}

// ThrottleService counts failed logins per client address in a fixed
// window, across every instance of the service.
type ThrottleService interface {
	// RecordLoginFailure counts one failure from address at now and returns
	// the number of failures in the current window (a window longer ago than
	// window starts again at 1).
	RecordLoginFailure(ctx context.Context, address string, now time.Time, window time.Duration) (int, error)
	// LoginFailures returns the failures from address in the window that
	// contains now (0 when it is over).
	LoginFailures(ctx context.Context, address string, now time.Time, window time.Duration) (int, error)
}
