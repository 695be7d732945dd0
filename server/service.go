package server

import (
	"context"
	"log/slog"
	"strings"
	"sync"
	"time"

	"espacepro/data"
	"espacepro/server/mail"
	"espacepro/server/password"
)

// Service is the central service's logic: the habilitation workflow,
// accounts and sessions, administration. It knows nothing of HTTP; the
// handlers (and later the sync merge) call it.
type Service struct {
	store  data.CentralStore
	ref    *data.Reference
	mail   mail.Sender
	log    *slog.Logger
	policy password.Policy

	// Site is the name of the site given in mails (« Votre compte a été
	// créé sur … »).
	Site string
	// Now gives the time; tests replace it with a test clock.
	Now func() time.Time
	// Pause slows a login down after repeated failures; tests replace it.
	Pause func(ctx context.Context, d time.Duration)

	work sync.WaitGroup // work going on after its call answered
}

// Limits of the accounts and of the workflow.
const (
	GeneratedPasswordValidity = 5 * 24 * time.Hour // a generated password expires after a few days
	ResetCodeValidity         = 30 * time.Minute   // « Mot de passe oublié ? » code
	AgentCodeValidity         = 72 * time.Hour     // a new agent's first code
	CaptchaValidity           = 20 * time.Minute   // time to fill in the request form
	ThrottleWindow            = 15 * time.Minute   // login failures are counted in this window
	AccountSlowAfter          = 3                  // failures of one account before logins slow down
	AccountLockAfter          = 5                  // failures of one account before it locks for the window
	AddressLockAfter          = 30                 // failures from one address before it is refused for the window
	MaxPause                  = 4 * time.Second    // longest slow-down of one attempt
	DefaultSite               = "Espace professionnel"
)

// NewService builds the service over a store and a mail sender.
func NewService(store data.CentralStore, sender mail.Sender, log *slog.Logger) *Service {
	if log == nil {
		log = slog.Default()
	}
	return &Service{
		store:  store,
		ref:    data.DefaultReference(),
		mail:   sender,
		log:    log,
		policy: password.Policy{MinLength: 8},
		Site:   DefaultSite,
		Now:    time.Now,
		Pause: func(ctx context.Context, d time.Duration) {
			select {
			case <-time.After(d):
			case <-ctx.Done():
			}
		},
	}
}

// SetMinPasswordLength sets the minimum length of a chosen password (8 by
// default; 6 at the least, the seed's minimum).
func (s *Service) SetMinPasswordLength(n int) { s.policy.MinLength = n }

// Store returns the service's store.
func (s *Service) Store() data.CentralStore { return s.store }

// now returns the service's clock in UTC at the stores' precision.
func (s *Service) now() time.Time { return s.Now().UTC().Truncate(time.Millisecond) }

// send mails m after the work it reports on was committed. A mail that
// cannot be sent is logged (never its body) and reported to the caller,
// who decides whether the person must be told.
func (s *Service) send(ctx context.Context, m mail.Message) error {
	if err := s.mail.Send(ctx, m); err != nil {
		s.log.Error("mail not sent", "to", m.To, "subject", m.Subject, "err", err)
		return err
	}
	return nil
}

// audit appends an entry in ctx's transaction.
func (s *Service) audit(ctx context.Context, actor *Caller, caf, action, kind, id, detail string) error {
	e := &data.AuditEntry{At: s.now(), CafCode: caf, Action: action, TargetKind: kind, TargetID: id, Detail: detail}
	if actor != nil && actor.Account != nil {
		e.ActorID, e.ActorName = actor.Account.ID, actor.Account.Email
	} else if actor != nil {
		e.ActorName = actor.Name
	}
	return s.store.AppendAudit(ctx, e)
}

// authored returns ctx stamped with the service's clock and the caller's
// name as the author of its writes (the versions the sync compares).
func (s *Service) authored(ctx context.Context, c *Caller) context.Context {
	by := "service"
	if c != nil && c.Account != nil {
		by = strings.TrimSpace(c.Account.FirstName + " " + c.Account.LastName)
	} else if c != nil {
		by = c.Name
	}
	return data.WithChangeAuthor(ctx, data.ChangeAuthor{Stamp: data.HLC{Wall: s.now().UnixMilli(), Node: "service"}, By: by})
}

// Caller is who makes a call: an account with its session, or the command
// line (Account nil, Name set).
type Caller struct {
	Account *data.Account
	Session *data.Session
	Name    string
}

// System is the caller of actions the service takes by itself.
var System = &Caller{Name: "système"}

// CommandLine is the caller of the administration commands.
var CommandLine = &Caller{Name: "administrateur (ligne de commande)"}

// forbidden is the answer to an action outside the caller's rights.
func forbidden() error {
	return data.Errorf(data.EFORBIDDEN, "Vous n'avez pas accès à cette fonction ou à cet enregistrement.")
}

// requireAgent checks that the caller is an agent of Caf caf (any Caf when
// caf is empty) and returns her Caf.
func requireAgent(c *Caller, caf string) (string, error) {
	if c == nil || c.Account == nil || c.Account.Role != data.RoleAgent {
		return "", forbidden()
	}
	if caf != "" && c.Account.CafCode != caf {
		return "", forbidden()
	}
	return c.Account.CafCode, nil
}

// background runs fn after the call that asks for it has answered, with
// the call's values but not its cancellation. Wait waits for every such
// work, at shutdown.
func (s *Service) background(ctx context.Context, fn func(ctx context.Context)) {
	s.work.Add(1)
	go func() {
		defer s.work.Done()
		fn(context.WithoutCancel(ctx))
	}()
}

// Wait waits for the work started in the background to end.
func (s *Service) Wait() { s.work.Wait() }

// HousekeepingInterval is how often expired sessions and captchas are
// removed.
const HousekeepingInterval = 10 * time.Minute

// Housekeeping removes expired sessions and captchas every interval until
// ctx ends. Any instance may do it: the deletes are idempotent.
func (s *Service) Housekeeping(ctx context.Context, interval time.Duration) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		now := s.now()
		if n, err := s.store.DeleteExpiredSessions(ctx, now); err != nil {
			s.log.Error("housekeeping: sessions", "err", err)
		} else if n > 0 {
			s.log.Info("housekeeping: expired sessions removed", "count", n)
		}
		if _, err := s.store.DeleteExpiredCaptchas(ctx, now); err != nil {
			s.log.Error("housekeeping: captchas", "err", err)
		}
	}
}
