package client

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"strconv"
	"time"

	"espacepro/data"
	"espacepro/sync/wire"
)

// Rejection is an edit the service refused for good.
type Rejection struct {
	ID, Entity, Key string
	Code, Message   string
}

// Report says what one Sync did.
type Report struct {
	Pushed    int         // edits the service acknowledged
	Rejected  []Rejection // edits it refused (moved to the rejected list)
	Pulled    int         // records received
	Conflicts int         // conflict records received (each counted once)
	Resynced  bool        // the copy was rebuilt from the start
	Pending   int         // edits still waiting after the sync
	Duration  time.Duration
}

// maxResyncs bounds how many times one Sync rebuilds the copy: a service
// that keeps asking is at fault, and the copy must not spin.
const maxResyncs = 2

// Sync pushes the outbox, then pulls the service's changes until it has
// them all. A failure stops it where it is, losing nothing: acknowledged
// edits are gone from the outbox, applied pages are in the copy with their
// cursor, and the next Sync goes on from there. After a 401 the status says
// SessionOver until the next Login.
func (c *Client) Sync(ctx context.Context) (Report, error) {
	c.syncMu.Lock()
	defer c.syncMu.Unlock()
	start := time.Now()
	var rep Report
	seen := map[string]bool{} // conflict keys received
	err := c.syncOnce(ctx, &rep, seen)
	rep.Conflicts = len(seen)
	rep.Duration = time.Since(start)
	rep.Pending, _ = c.local.CountOutbox(ctx)
	c.refresh(ctx)
	c.update(func(s *Status) {
		if err == nil {
			s.LastSuccess, s.LastError = c.Now(), ""
		} else if ctx.Err() == nil {
			s.LastError = data.ErrorMessage(err)
		}
	})
	return rep, err
}

func (c *Client) syncOnce(ctx context.Context, rep *Report, seen map[string]bool) error {
	token := c.sessionToken()
	if token == "" {
		if c.State().SessionOver {
			return data.Errorf(data.EUNAUTHORIZED, MsgSessionOver)
		}
		return data.Errorf(data.EUNAUTHORIZED, MsgNotLoggedIn)
	}
	if err := c.push(ctx, token, rep, seen); err != nil {
		return err
	}
	return c.pull(ctx, token, rep, seen)
}

// push sends the outbox in order, in batches, until it is empty.
func (c *Client) push(ctx context.Context, token string, rep *Report, seen map[string]bool) error {
	for {
		entries, err := c.local.PendingOutbox(ctx, c.cfg.PushBatch)
		if err != nil {
			return c.localErr(err)
		}
		if len(entries) == 0 {
			return nil
		}
		req := wire.PushRequest{Protocol: wire.ProtocolVersion, ClientID: c.clientID}
		for _, e := range entries {
			var m wire.Mutation
			if err := json.Unmarshal(e.Payload, &m); err != nil || m.ID != e.ID {
				// It could never be sent: out of the way, and shown.
				if err := c.local.RejectOutbox(ctx, e.ID, data.EINVALID, "Modification locale illisible : elle ne peut pas être envoyée."); err != nil {
					return c.localErr(err)
				}
				rep.Rejected = append(rep.Rejected, Rejection{ID: e.ID, Entity: e.Entity, Key: e.Key, Code: data.EINVALID,
					Message: "Modification locale illisible."})
				continue
			}
			req.Mutations = append(req.Mutations, m)
		}
		if len(req.Mutations) == 0 {
			continue
		}
		var res wire.PushResponse
		if err := c.call(ctx, "POST", "/api/v1/sync/push", nil, token, req, &res); err != nil {
			for _, e := range entries {
				_ = c.local.FailOutbox(ctx, e.ID, data.ErrorMessage(err))
			}
			return err
		}
		if err := c.observe(ctx, res.ServerHLC); err != nil {
			return err
		}
		progress, err := c.applyResults(ctx, entries, res.Results, rep, seen)
		if err != nil {
			return err
		}
		if progress == 0 {
			return data.Errorf(data.EINTERNAL, "Le serveur n'a répondu pour aucune des modifications envoyées : elles restent enregistrées sur cet ordinateur et seront renvoyées.")
		}
	}
}

// applyResults acknowledges or moves aside each answered entry, and keeps
// the conflicts the answers report. It returns how many entries left the
// outbox.
func (c *Client) applyResults(ctx context.Context, entries []data.OutboxEntry, results []wire.PushResult, rep *Report, seen map[string]bool) (int, error) {
	byID := map[string]wire.PushResult{}
	for _, r := range results {
		byID[r.ID] = r
	}
	var acked []string
	var conflicts []data.Record
	progress := 0
	for _, e := range entries {
		r, ok := byID[e.ID]
		if !ok {
			continue
		}
		switch r.Status {
		case wire.StatusApplied:
			acked = append(acked, e.ID)
			for _, cf := range r.Conflicts {
				if cf.Entity == wire.EntityConflict && cf.Key != "" {
					conflicts = append(conflicts, cf)
					seen[cf.Key] = true
				}
			}
		case wire.StatusRejected:
			if err := c.local.RejectOutbox(ctx, e.ID, r.Code, r.Message); err != nil {
				return progress, c.localErr(err)
			}
			rep.Rejected = append(rep.Rejected, Rejection{ID: e.ID, Entity: e.Entity, Key: e.Key, Code: r.Code, Message: r.Message})
			progress++
		default:
			_ = c.local.FailOutbox(ctx, e.ID, "statut inconnu : "+r.Status)
		}
	}
	if len(conflicts) > 0 {
		if err := c.local.SaveRecords(ctx, conflicts); err != nil {
			return progress, c.localErr(err)
		}
	}
	if err := c.local.AckOutbox(ctx, acked...); err != nil {
		return progress, c.localErr(err)
	}
	rep.Pushed += len(acked)
	return progress + len(acked), nil
}

// pull asks for pages after the copy's cursor until there are no more,
// applying each with its cursor, then settles the fields of the edits that
// left the outbox.
func (c *Client) pull(ctx context.Context, token string, rep *Report, seen map[string]bool) error {
	cursor, err := c.local.SyncState(ctx, data.SyncCursorKey)
	if err != nil {
		return c.localErr(err)
	}
	resyncs := 0
	for {
		q := url.Values{"protocol": {strconv.Itoa(wire.ProtocolVersion)}, "since": {cursor},
			"limit": {strconv.Itoa(c.cfg.PullLimit)}}
		var res wire.PullResponse
		if err := c.call(ctx, "GET", "/api/v1/sync/pull", q, token, nil, &res); err != nil {
			return err
		}
		if err := c.observe(ctx, res.ServerHLC); err != nil {
			return err
		}
		if res.Resync {
			if resyncs++; resyncs > maxResyncs {
				return data.Errorf(data.EINTERNAL, "Le serveur demande sans cesse de reconstruire la copie locale : réessayez plus tard.")
			}
			if err := c.local.ResetScope(ctx); err != nil {
				return c.localErr(err)
			}
			rep.Resynced, cursor = true, ""
			continue
		}
		if err := c.local.ApplyPulled(ctx, res.Records, res.Cursor); err != nil {
			if data.ErrorCode(err) == data.EINVALID {
				return fmt.Errorf("%w: %w", data.Errorf(data.EINVALID, "Des données reçues du serveur sont invalides (%s) : "+
					"elles n'ont pas été enregistrées sur cet ordinateur et seront redemandées ; si cela se répète, signalez-le à votre Caf.",
					data.ErrorMessage(err)), err)
			}
			return c.localErr(err)
		}
		rep.Pulled += len(res.Records)
		for _, r := range res.Records {
			if r.Entity == wire.EntityConflict && !r.Deleted {
				seen[r.Key] = true
			}
		}
		cursor = res.Cursor
		if !res.HasMore {
			return c.localErr(c.local.Settle(ctx))
		}
	}
}

// Run syncs every interval while a session is open, until ctx ends: the
// desktop's « while it stays online » (DESIGN.md §2). Failures are in the
// status.
func (c *Client) Run(ctx context.Context, every time.Duration) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		if c.sessionToken() != "" {
			_, _ = c.Sync(ctx)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// Conflicts returns the conflict records of the copy, newest first, for the
// screen that shows them.
func (c *Client) Conflicts(ctx context.Context) ([]data.LocalConflict, error) {
	list, err := c.local.FindConflicts(ctx)
	return list, c.localErr(err)
}

// MarkConflictsSeen records that the user saw those conflicts, and updates
// the status's count.
func (c *Client) MarkConflictsSeen(ctx context.Context, ids ...string) error {
	err := c.local.MarkConflictsSeen(ctx, ids...)
	c.refresh(ctx)
	return c.localErr(err)
}

// Rejected returns the edits the service refused, newest first, with why.
func (c *Client) Rejected(ctx context.Context) ([]data.RejectedMutation, error) {
	list, err := c.local.FindRejected(ctx)
	return list, c.localErr(err)
}
