package ui

import (
	"context"

	"espacepro/data"
	"espacepro/sync/client"
	"espacepro/sync/wire"
)

// Service is everything the screens ask of the rest of the app. The app's
// implementation is *client.Client: it reads and writes the local copy
// (offline too) and calls the central service for what needs it. Screens
// never run SQL or HTTP themselves. Every error carries a French message
// (data.ErrorMessage); a validation error may carry per-field messages
// (data.Error.Fields) keyed by the wire's JSON field names.
type Service interface {
	// Session (client.Client: session.go).
	Login(ctx context.Context, email, password string) (*wire.LoginResponse, error)
	Unlock(ctx context.Context, email, password string) (*wire.Account, error)
	ChangePassword(ctx context.Context, current, next string) (*wire.LoginResponse, error)
	Logout(ctx context.Context) error
	// ForgotPassword asks for a reset code by mail; the answer never says
	// whether the address has an account. It returns the service's message.
	ForgotPassword(ctx context.Context, email string) (string, error)
	// ResetPassword sets a new password with the mailed code.
	ResetPassword(ctx context.Context, email, code, newPassword string) error
	// CurrentAccount is the account of the last login on this computer
	// (nil when none), read from the local copy.
	CurrentAccount(ctx context.Context) (*wire.Account, error)

	// Sync state and results.
	State() client.Status
	Sync(ctx context.Context) (client.Report, error)
	Conflicts(ctx context.Context) ([]data.LocalConflict, error)
	MarkConflictsSeen(ctx context.Context, ids ...string) error
	Rejected(ctx context.Context) ([]data.RejectedMutation, error)

	// Habilitation request, online, no account (client.Client: online.go).
	Communes(ctx context.Context, postalCode string) ([]wire.Commune, error)
	NewCaptcha(ctx context.Context) (*client.Captcha, error)
	CaptchaAudio(ctx context.Context, captchaID string) ([]byte, error)
	SubmitRequest(ctx context.Context, form wire.RequestForm) (*wire.SubmitResponse, error)

	// A professional's own records, from the local copy; the edits work
	// offline and are sent by Sync.
	Professional(ctx context.Context, id string) (*data.Professional, error)
	Availability(ctx context.Context, professionalID string) (*data.Availability, error)
	SaveAvailability(ctx context.Context, a *data.Availability) error
	SaveFiche(ctx context.Context, p *data.Professional) error

	// A Caf agent's copy: her Caf's requests and professionals, local;
	// actions on requests are prepared offline and sent by Sync.
	Requests(ctx context.Context, f data.RequestFilter) ([]*data.Request, int, error)
	Request(ctx context.Context, id string) (*data.Request, error)
	Professionals(ctx context.Context, f data.ProfessionalFilter) ([]*data.Professional, int, error)
	RequestAction(ctx context.Context, requestID, action string, args map[string]string) error

	// A Caf agent's online calls: they need the service (an error says so
	// when it cannot be reached).
	Letter(ctx context.Context, requestID string) ([]byte, error)
	ProfessionalFile(ctx context.Context, id string) (*wire.ProfessionalFile, error)
	// ProfessionalAction is one of client.ActionSuspend, ActionReactivate,
	// ActionRevoke, ActionPasswordReset; reason is for suspend and revoke.
	ProfessionalAction(ctx context.Context, id, action, reason string) error
	ImportPreview(ctx context.Context, fileName string, content []byte) (*wire.ImportPreview, error)
	// ImportApply applies the file previewed (sha256 is the preview's).
	ImportApply(ctx context.Context, fileName string, content []byte, sha256 string, force bool) (*wire.ImportPreview, error)
	Audit(ctx context.Context, q client.AuditQuery) (*wire.Page[wire.AuditEntry], error)
}
