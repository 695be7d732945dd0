package client

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"time"

	"espacepro/data"
	"espacepro/sync/wire"
)

// Calls that need the central service (no local copy), and the local
// copy's reads, as the desktop's screens use them. A call that gets no
// answer fails with MsgUnreachable (data.EUNAVAILABLE), so that the UI can
// say that this needs the server.

// Captcha is a captcha to copy: its ID and its PNG image.
type Captcha struct {
	ID    string
	Image []byte
}

// AuditQuery selects audit entries of the agent's Caf, newest first.
type AuditQuery struct {
	Action   string // one action ("" for all)
	TargetID string // one professional or request ("" for all)
	Since    time.Time
	Until    time.Time
	Offset   int
	Limit    int
}

// Actions of a Caf agent on a professional of her register (online only).
const (
	ActionSuspend       = "suspend"
	ActionReactivate    = "reactivate"
	ActionRevoke        = "revoke"
	ActionPasswordReset = "password-reset"
)

// fetch sends one request with a raw body (none when body is nil) and
// returns the raw answer, with call's error handling: no answer gives
// MsgUnreachable, an error answer the service's French message, and a 401
// with a token ends the session.
func (c *Client) fetch(ctx context.Context, method, path string, query url.Values, token, contentType string, body []byte) ([]byte, error) {
	req := c.http.R().SetContext(ctx).SetHeader("Accept", "*/*")
	if token != "" {
		req.SetAuthToken(token)
	}
	if body != nil {
		req.SetHeader("Content-Type", contentType).SetBody(body)
	}
	if query != nil {
		req.SetQueryParamsFromValues(query)
	}
	resp, err := req.Execute(method, path)
	if err != nil {
		return nil, c.transportError(ctx, err)
	}
	c.update(func(s *Status) { s.Online = true })
	if resp.StatusCode() >= 300 {
		return nil, c.answerError(resp, token != "")
	}
	return resp.Body(), nil
}

// agentToken returns the session's token, or the error that says to log
// in first.
func (c *Client) agentToken() (string, error) {
	token := c.sessionToken()
	if token == "" {
		return "", data.Errorf(data.EUNAUTHORIZED, MsgNotLoggedIn)
	}
	return token, nil
}

// Account ------------------------------------------------------------------

// ForgotPassword asks the service to mail a reset code to email and
// returns its message, which never says whether the address has an account.
func (c *Client) ForgotPassword(ctx context.Context, email string) (string, error) {
	var res wire.Message
	if err := c.call(ctx, http.MethodPost, "/api/v1/password/forgot", nil, "", wire.PasswordForgot{Email: email}, &res); err != nil {
		return "", err
	}
	return res.Message, nil
}

// ResetPassword sets a new password with the code mailed by ForgotPassword
// (or the welcome mail of an agent). It opens no session: log in after.
func (c *Client) ResetPassword(ctx context.Context, email, code, newPassword string) error {
	return c.call(ctx, http.MethodPost, "/api/v1/password/reset", nil, "",
		wire.PasswordReset{Email: email, Code: code, NewPassword: newPassword}, nil)
}

// CurrentAccount returns the account of the last online login on this
// computer, read from the local copy (nil when none).
func (c *Client) CurrentAccount(ctx context.Context) (*wire.Account, error) { return c.account(ctx) }

// Habilitation request -----------------------------------------------------

// Communes lists the communes of a postal code, from the service's
// reference data. An unknown code fails with a field error on
// "postal_code".
func (c *Client) Communes(ctx context.Context, postalCode string) ([]wire.Commune, error) {
	var out []wire.Commune
	q := url.Values{"postal_code": {postalCode}}
	if err := c.call(ctx, http.MethodGet, "/api/v1/communes", q, "", nil, &out); err != nil {
		return nil, err
	}
	return out, nil
}

// NewCaptcha issues a captcha and fetches its PNG image.
func (c *Client) NewCaptcha(ctx context.Context) (*Captcha, error) {
	var res wire.Captcha
	if err := c.call(ctx, http.MethodPost, "/api/v1/captcha", nil, "", nil, &res); err != nil {
		return nil, err
	}
	img, err := c.fetch(ctx, http.MethodGet, captchaPath(res.ID, "image.png"), nil, "", "", nil)
	if err != nil {
		return nil, err
	}
	return &Captcha{ID: res.ID, Image: img}, nil
}

// CaptchaAudio returns the spoken digits of a captcha, as a WAV file.
func (c *Client) CaptchaAudio(ctx context.Context, captchaID string) ([]byte, error) {
	return c.fetch(ctx, http.MethodGet, captchaPath(captchaID, "audio.wav"), nil, "", "", nil)
}

// captchaPath is the address of one of captcha id's files.
func captchaPath(id, file string) string {
	return "/api/v1/captcha/" + url.PathEscape(id) + "/" + file
}

// SubmitRequest sends a habilitation request (form holds the captcha's ID
// and answer). A refused form fails with a *data.Error whose Fields hold
// the French message of each wrong field, keyed by its JSON name.
func (c *Client) SubmitRequest(ctx context.Context, form wire.RequestForm) (*wire.SubmitResponse, error) {
	var res wire.SubmitResponse
	if err := c.call(ctx, http.MethodPost, "/api/v1/requests", nil, "", form, &res); err != nil {
		return nil, err
	}
	return &res, nil
}

// Local copy -----------------------------------------------------------------

// Professional returns a professional's fiche from the local copy
// (ENOTFOUND when the copy does not hold it).
func (c *Client) Professional(ctx context.Context, id string) (*data.Professional, error) {
	p, err := c.local.FindProfessionalByID(ctx, id)
	return p, c.localErr(err)
}

// Availability returns a professional's availability from the local copy.
func (c *Client) Availability(ctx context.Context, professionalID string) (*data.Availability, error) {
	a, err := c.local.FindAvailability(ctx, professionalID)
	return a, c.localErr(err)
}

// Requests searches the habilitation requests of the local copy (a Caf
// agent's, as last synced) and returns the page and the total count.
func (c *Client) Requests(ctx context.Context, f data.RequestFilter) ([]*data.Request, int, error) {
	list, total, err := c.local.FindRequests(ctx, f)
	return list, total, c.localErr(err)
}

// Request returns one request of the local copy (ENOTFOUND when absent).
func (c *Client) Request(ctx context.Context, id string) (*data.Request, error) {
	r, err := c.local.FindRequestByID(ctx, id)
	return r, c.localErr(err)
}

// Professionals searches the professionals of the local copy (a Caf
// agent's register, as last synced) and returns the page and the total.
func (c *Client) Professionals(ctx context.Context, f data.ProfessionalFilter) ([]*data.Professional, int, error) {
	list, total, err := c.local.FindProfessionals(ctx, f)
	return list, total, c.localErr(err)
}

// Caf agent, online ------------------------------------------------------------

// Letter returns the habilitation letter of a request, as a PDF made by
// the service.
func (c *Client) Letter(ctx context.Context, requestID string) ([]byte, error) {
	token, err := c.agentToken()
	if err != nil {
		return nil, err
	}
	path := "/api/v1/caf/requests/" + url.PathEscape(requestID) + "/letter.pdf"
	return c.fetch(ctx, http.MethodGet, path, nil, token, "", nil)
}

// ProfessionalFile returns a professional's full file from the service:
// fiche, requests, history and what parents see.
func (c *Client) ProfessionalFile(ctx context.Context, id string) (*wire.ProfessionalFile, error) {
	token, err := c.agentToken()
	if err != nil {
		return nil, err
	}
	var res wire.ProfessionalFile
	path := "/api/v1/caf/professionals/" + url.PathEscape(id) + "/file"
	if err := c.call(ctx, http.MethodGet, path, nil, token, nil, &res); err != nil {
		return nil, err
	}
	return &res, nil
}

// ProfessionalAction applies one of ActionSuspend, ActionReactivate,
// ActionRevoke or ActionPasswordReset to a professional; reason goes with
// a suspension or a revocation. The local copy gets the new state with
// the next sync.
func (c *Client) ProfessionalAction(ctx context.Context, id, action, reason string) error {
	if !slices.Contains([]string{ActionSuspend, ActionReactivate, ActionRevoke, ActionPasswordReset}, action) {
		return data.Errorf(data.EINVALID, "Action « %s » inconnue.", action)
	}
	token, err := c.agentToken()
	if err != nil {
		return err
	}
	var body any
	if action == ActionSuspend || action == ActionRevoke {
		body = wire.Reason{Reason: reason}
	}
	path := "/api/v1/caf/professionals/" + url.PathEscape(id) + "/" + action
	return c.call(ctx, http.MethodPost, path, nil, token, body, nil)
}

// ImportPreview sends a PMI list (CSV or XLSX, as read from the file) and
// returns what importing it would change, changing nothing.
func (c *Client) ImportPreview(ctx context.Context, fileName string, content []byte) (*wire.ImportPreview, error) {
	return c.importFile(ctx, "preview", url.Values{"name": {fileName}}, content)
}

// ImportApply imports the PMI list previewed: sha256 is the preview's, so
// that a file changed since is refused; force confirms a mass delisting
// (the preview's NeedsForce).
func (c *Client) ImportApply(ctx context.Context, fileName string, content []byte, sha256 string, force bool) (*wire.ImportPreview, error) {
	q := url.Values{"name": {fileName}, "sha256": {sha256}}
	if force {
		q.Set("force", "true")
	}
	return c.importFile(ctx, "apply", q, content)
}

// importFile posts a PMI list to /caf/imports/{step}.
func (c *Client) importFile(ctx context.Context, step string, q url.Values, content []byte) (*wire.ImportPreview, error) {
	token, err := c.agentToken()
	if err != nil {
		return nil, err
	}
	if content == nil {
		content = []byte{}
	}
	path := "/api/v1/caf/imports/" + step
	b, err := c.fetch(ctx, http.MethodPost, path, q, token, "application/octet-stream", content)
	if err != nil {
		return nil, err
	}
	var res wire.ImportPreview
	if err := json.Unmarshal(b, &res); err != nil {
		return nil, fmt.Errorf("%w: POST %s: %w", data.Errorf(data.EINTERNAL, msgBadAnswer), path, err)
	}
	return &res, nil
}

// Audit reads a page of the audit log of the agent's Caf. Since and Until
// are read as days in Paris time (Until's day included).
func (c *Client) Audit(ctx context.Context, q AuditQuery) (*wire.Page[wire.AuditEntry], error) {
	token, err := c.agentToken()
	if err != nil {
		return nil, err
	}
	var res wire.Page[wire.AuditEntry]
	if err := c.call(ctx, http.MethodGet, "/api/v1/caf/audit", auditValues(q), token, nil, &res); err != nil {
		return nil, err
	}
	return &res, nil
}

// auditValues is q as the audit handler reads it.
func auditValues(q AuditQuery) url.Values {
	v := url.Values{}
	set := func(name, value string) {
		if value != "" {
			v.Set(name, value)
		}
	}
	day := func(t time.Time) string {
		if t.IsZero() {
			return ""
		}
		return data.DateOf(t.In(data.DepartmentLocation(""))).String()
	}
	set("action", q.Action)
	set("target", q.TargetID)
	set("since", day(q.Since))
	set("until", day(q.Until))
	if q.Offset > 0 {
		v.Set("offset", strconv.Itoa(q.Offset))
	}
	if q.Limit > 0 {
		v.Set("limit", strconv.Itoa(q.Limit))
	}
	return v
}
