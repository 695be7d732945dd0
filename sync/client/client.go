// Package client is the desktop's side of the sync protocol (DESIGN.md §3,
// sync/wire): it logs in to the central service, writes the user's edits to
// the local copy together with their outbox entries, pushes the outbox,
// pulls the service's changes into the copy, and tells the UI where it
// stands. It runs no SQL itself (the copy is a data.LocalStore and
// data.LocalSync) and shows nothing: the UI calls it.
//
//	c, err := client.New(client.Config{ServerURL: url, Fingerprint: fp}, local)
//	_, err = c.Login(ctx, email, password)
//	err = c.SaveAvailability(ctx, a) // works offline too
//	report, err := c.Sync(ctx)
//
// The session token lives in memory only. Every error it returns carries a
// French message for the user (data.ErrorMessage).
package client

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"espacepro/data"
	"espacepro/sync/wire"

	"github.com/go-resty/resty/v2"
	"github.com/google/uuid"
)

// Local is the desktop's copy as the client uses it.
type Local interface {
	data.LocalStore
	data.LocalSync
}

// Config says how to reach the central service.
type Config struct {
	// ServerURL is the service's base address, https only
	// ("https://espacepro.example:8443").
	ServerURL string
	// CAFile is a PEM file of the authority that signed the service's
	// certificate; Fingerprint is the SHA-256 fingerprint of the
	// certificate itself, as the service prints it. One of them is
	// required: the client refuses a certificate it cannot verify.
	CAFile      string
	Fingerprint string
	// Timeout bounds one HTTP call (30 s when zero).
	Timeout time.Duration
	// Retries is how many times a call is tried again after a network
	// failure or a 503, with a growing pause (3 when zero; none when
	// negative). Other answers are never retried.
	Retries int
	// RetryWait is the first pause between tries (500 ms when zero).
	RetryWait time.Duration
	// PushBatch is how many outbox entries one push sends (100 when zero);
	// PullLimit how many records one pull asks for (500 when zero).
	PushBatch int
	PullLimit int
	// OnChange, when set, is called with the new status after every
	// change of it, from the goroutine that made the change (the UI moves
	// to its own with fyne.Do).
	OnChange func(Status)
}

// Status is where the client stands, for the UI.
type Status struct {
	Online      bool      // the last call reached the service
	LoggedIn    bool      // a session is open
	SessionOver bool      // the session ended: log in again (nothing is lost)
	Pending     int       // edits waiting in the outbox
	Rejected    int       // edits the service refused, kept to be shown
	Conflicts   int       // conflict records not seen yet
	LastSuccess time.Time // end of the last complete sync
	LastError   string    // French message of the last failure, "" after a success
}

// Sync-state keys the client keeps in the local copy.
const (
	keyClientID = "client_id"    // this copy's ID (UUIDv7), made once
	keySeq      = "mutation_seq" // the last mutation's sequence number
	keyHLC      = "hlc"          // the copy's hybrid logical clock
	keyAccount  = "account"      // the account of the last online login (wire.Account JSON)
	keyVerifier = "verifier"     // argon2id verifier of that login's password
)

// French messages of the client.
const (
	MsgUnreachable = "Le serveur n'est pas joignable : vos modifications sont enregistrées sur cet ordinateur et seront envoyées à la prochaine connexion."
	MsgSessionOver = "Votre session a expiré : reconnectez-vous. Vos modifications sont enregistrées sur cet ordinateur et seront envoyées après la connexion."
	MsgNotLoggedIn = "Connectez-vous au serveur pour envoyer vos modifications : elles sont enregistrées sur cet ordinateur en attendant."
	MsgUpgrade     = "Cette version de l'application est trop ancienne pour le serveur : installez la dernière version. Vos modifications restent enregistrées sur cet ordinateur."
	msgBadAnswer   = "Le serveur a envoyé une réponse illisible. Vos modifications restent enregistrées sur cet ordinateur ; réessayez plus tard."
)

// Client talks to the central service for one local copy. Its methods are
// safe for concurrent use; syncs run one at a time.
type Client struct {
	cfg      Config
	http     *resty.Client
	local    Local
	clientID string

	// Now gives the time of edits (their clock stamps); tests replace it.
	Now func() time.Time

	mu     sync.Mutex
	token  string
	status Status

	syncMu sync.Mutex
}

// New returns a client of the service cfg names for the copy local. The
// copy's client ID is made at the first use and kept in it.
func New(cfg Config, local Local) (*Client, error) {
	u, err := url.Parse(strings.TrimSpace(cfg.ServerURL))
	if err != nil || u.Scheme != "https" || u.Host == "" {
		return nil, data.Errorf(data.EINVALID, "Adresse du serveur « %s » invalide : une adresse https:// est attendue.", cfg.ServerURL)
	}
	tc, err := tlsConfig(cfg)
	if err != nil {
		return nil, err
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = 30 * time.Second
	}
	if cfg.Retries == 0 {
		cfg.Retries = 3
	} else if cfg.Retries < 0 {
		cfg.Retries = 0
	}
	if cfg.RetryWait <= 0 {
		cfg.RetryWait = 500 * time.Millisecond
	}
	if cfg.PushBatch <= 0 {
		cfg.PushBatch = 100
	}
	if cfg.PullLimit <= 0 {
		cfg.PullLimit = 500
	}
	hc := resty.New().
		SetBaseURL(strings.TrimRight(u.String(), "/")).
		SetTimeout(cfg.Timeout).
		SetTLSClientConfig(tc).
		SetRedirectPolicy(resty.NoRedirectPolicy()). // never send the token elsewhere
		SetRetryCount(cfg.Retries).
		SetRetryWaitTime(cfg.RetryWait).
		SetRetryMaxWaitTime(10*cfg.RetryWait).
		AddRetryCondition(retryable).
		SetLogger(quietLogger{}).
		SetHeader("Accept", "application/json").
		SetHeader("User-Agent", fmt.Sprintf("espacepro-sync/%d", wire.ProtocolVersion))
	c := &Client{cfg: cfg, http: hc, local: local, Now: time.Now}
	ctx := context.Background()
	if c.clientID, err = c.ensureClientID(ctx); err != nil {
		return nil, err
	}
	c.refresh(ctx)
	return c, nil
}

// ClientID returns the ID of this copy, sent with every mutation.
func (c *Client) ClientID() string { return c.clientID }

// Close releases the client's connections.
func (c *Client) Close() { c.http.GetClient().CloseIdleConnections() }

func (c *Client) ensureClientID(ctx context.Context) (string, error) {
	id, err := c.local.SyncState(ctx, keyClientID)
	if err != nil || id != "" {
		return id, c.local.LocalError(err)
	}
	u, err := uuid.NewV7()
	if err != nil {
		return "", err
	}
	return u.String(), c.local.LocalError(c.local.SetSyncState(ctx, keyClientID, u.String()))
}

// State returns the client's status.
func (c *Client) State() Status {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.status
}

// update changes the status and tells OnChange.
func (c *Client) update(change func(*Status)) {
	c.mu.Lock()
	change(&c.status)
	s := c.status
	c.mu.Unlock()
	if c.cfg.OnChange != nil {
		c.cfg.OnChange(s)
	}
}

// refresh recounts the outbox, the rejected edits and the conflicts.
func (c *Client) refresh(ctx context.Context) {
	pending, err1 := c.local.CountOutbox(ctx)
	rejected, err2 := c.local.FindRejected(ctx)
	conflicts, err3 := c.local.CountConflicts(ctx)
	c.update(func(s *Status) {
		if err1 == nil {
			s.Pending = pending
		}
		if err2 == nil {
			s.Rejected = len(rejected)
		}
		if err3 == nil {
			s.Conflicts = conflicts
		}
	})
}

func (c *Client) sessionToken() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.token
}

func (c *Client) setSession(token string) {
	c.update(func(s *Status) {
		c.token = token
		s.LoggedIn, s.SessionOver, s.Online = token != "", false, true
	})
}

// endSession forgets the token after the service said it is no longer
// valid.
func (c *Client) endSession() {
	c.update(func(s *Status) {
		c.token = ""
		s.LoggedIn, s.SessionOver, s.LastError = false, true, MsgSessionOver
	})
}

// HTTP ---------------------------------------------------------------------

// quietLogger keeps resty from writing to the standard error: the client
// reports through its errors and its status.
type quietLogger struct{}

func (quietLogger) Errorf(string, ...any) {}
func (quietLogger) Warnf(string, ...any)  {}
func (quietLogger) Debugf(string, ...any) {}

// retryable says whether a try may be repeated: a network failure (not a
// refused certificate, not a cancelled context) or a 503. Mutations are
// idempotent, so a push is safe to send twice.
func retryable(resp *resty.Response, err error) bool {
	if err != nil {
		return !errors.Is(err, context.Canceled) && certificateError(err) == nil
	}
	return resp != nil && resp.StatusCode() == http.StatusServiceUnavailable
}

// call sends one request and decodes its JSON answer into out. With a
// token, a 401 ends the session.
func (c *Client) call(ctx context.Context, method, path string, query url.Values, token string, body, out any) error {
	req := c.http.R().SetContext(ctx)
	if token != "" {
		req.SetAuthToken(token)
	}
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return err
		}
		req.SetHeader("Content-Type", "application/json").SetBody(b)
	}
	if query != nil {
		req.SetQueryParamsFromValues(query)
	}
	resp, err := req.Execute(method, path)
	if err != nil {
		return c.transportError(ctx, err)
	}
	c.update(func(s *Status) { s.Online = true })
	if resp.StatusCode() >= 300 {
		return c.answerError(resp, token != "")
	}
	if out != nil {
		if err := json.Unmarshal(resp.Body(), out); err != nil {
			return fmt.Errorf("%w: %s %s: %w", data.Errorf(data.EINTERNAL, msgBadAnswer), method, path, err)
		}
	}
	return nil
}

// transportError explains a call that got no answer.
func (c *Client) transportError(ctx context.Context, err error) error {
	if ctx.Err() != nil {
		return ctx.Err()
	}
	c.update(func(s *Status) { s.Online = false })
	if ce := certificateError(err); ce != nil {
		return fmt.Errorf("%w (%w)", ce, err)
	}
	return fmt.Errorf("%w (%w)", data.Errorf(data.EUNAVAILABLE, MsgUnreachable), err)
}

// answerError turns an error answer into the domain's error.
func (c *Client) answerError(resp *resty.Response, authenticated bool) error {
	var e wire.Error
	if json.Unmarshal(resp.Body(), &e) != nil || e.Code == "" {
		e = wire.Error{Code: data.EINTERNAL, Message: msgBadAnswer}
		if resp.StatusCode() == http.StatusServiceUnavailable {
			e.Code = data.EUNAVAILABLE
		}
	}
	switch {
	case resp.StatusCode() == http.StatusUnauthorized && authenticated:
		c.endSession()
		return &data.Error{Code: data.EUNAUTHORIZED, Message: MsgSessionOver}
	case resp.StatusCode() == http.StatusUpgradeRequired || e.Code == data.EUPGRADE:
		return &data.Error{Code: data.EUPGRADE, Message: MsgUpgrade}
	case resp.StatusCode() == http.StatusServiceUnavailable:
		return &data.Error{Code: data.EUNAVAILABLE, Message: MsgUnreachable + " (" + e.Message + ")"}
	}
	return e.Err()
}

// Local state ----------------------------------------------------------------

// localErr explains a failure of the local copy.
func (c *Client) localErr(err error) error { return c.local.LocalError(err) }

// account returns the account of the last online login, nil when none.
func (c *Client) account(ctx context.Context) (*wire.Account, error) {
	s, err := c.local.SyncState(ctx, keyAccount)
	if err != nil || s == "" {
		return nil, c.localErr(err)
	}
	var a wire.Account
	if err := json.Unmarshal([]byte(s), &a); err != nil {
		return nil, fmt.Errorf("client: stored account: %w", err)
	}
	return &a, nil
}

// clock returns the copy's clock, its node being the copy's ID.
func (c *Client) clock(ctx context.Context) (data.HLC, error) {
	s, err := c.local.SyncState(ctx, keyHLC)
	if err != nil {
		return data.HLC{}, err
	}
	h := data.HLC{Node: c.clientID}
	if s != "" {
		if h, err = data.ParseHLC(s); err != nil {
			return data.HLC{}, err
		}
		h.Node = c.clientID
	}
	return h, nil
}

// observe moves the copy's clock past the service's.
func (c *Client) observe(ctx context.Context, serverHLC string) error {
	remote, err := data.ParseHLC(serverHLC)
	if err != nil {
		return nil // an answer without a clock leaves ours as it is
	}
	return c.localErr(c.local.InTx(ctx, func(ctx context.Context) error {
		h, err := c.clock(ctx)
		if err != nil {
			return err
		}
		return c.local.SetSyncState(ctx, keyHLC, h.Observe(remote, c.Now()).String())
	}))
}
