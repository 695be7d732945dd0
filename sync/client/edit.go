package client

import (
	"context"
	"encoding/json"
	"slices"
	"strconv"

	"espacepro/data"
	"espacepro/sync/wire"

	"github.com/google/uuid"
)

// The edits the UI makes. Each one is one transaction of the local copy:
// the local rows, and one mutation per changed record in the outbox, with
// only the changed fields and the version each was read at. They work
// offline; Sync sends them.

// change is the new values of the changed fields of one record, or an
// action on it.
type change struct {
	entity, key string
	fields      map[string]string
	action      string
	args        map[string]string
}

// changedFields returns the fields of after whose values differ from before.
func changedFields(before, after map[string]string) map[string]string {
	out := map[string]string{}
	for _, name := range data.ChangedFields(before, after) {
		out[name] = after[name]
	}
	return out
}

// SaveAvailability saves a as « Valider » does: the global colour and every
// week and dated tab a holds (tabs it does not hold are left as they are).
// Only what differs from the local copy becomes a mutation.
func (c *Client) SaveAvailability(ctx context.Context, a *data.Availability) error {
	if a == nil || a.ProfessionalID == "" {
		return data.Errorf(data.EINVALID, "Disponibilités sans professionnel.")
	}
	if err := c.checkOwner(ctx, a.ProfessionalID); err != nil {
		return err
	}
	err := c.local.InTx(ctx, func(ctx context.Context) error {
		before, err := c.local.FindAvailability(ctx, a.ProfessionalID)
		if err != nil {
			return err
		}
		changes := availabilityChanges(before, a)
		if err := c.local.SaveAvailability(ctx, a, nil); err != nil {
			return err
		}
		return c.queue(ctx, changes)
	})
	c.refresh(ctx)
	return c.localErr(err)
}

// availabilityChanges compares a with the copy's state before: one change
// for the global colour, one per week and dated tab. A tab never saved
// compares with a new one (« Non travaillé » everywhere, details unused),
// as the service creates it.
func availabilityChanges(before, a *data.Availability) []change {
	id := a.ProfessionalID
	var out []change
	if a.Global != before.Global {
		out = append(out, change{entity: wire.EntityAvailability, key: id,
			fields: map[string]string{"global": string(a.Global)}})
	}
	for _, w := range a.Weeks {
		old, ok := before.WeekOf(w.Monday)
		if !ok {
			old = data.Week{Monday: w.Monday, Grid: data.NewWeekGrid()}
		}
		if f := changedFields(old.Fields(), w.Fields()); len(f) > 0 {
			out = append(out, change{entity: wire.EntityWeek, key: data.WeekKey(id, w.Monday), fields: f})
		}
	}
	for _, x := range a.Dated {
		old, ok := before.DatedOf(x.Date)
		if !ok {
			old = data.Dated{Date: x.Date, Days: data.NewWeekDays()}
		}
		if f := changedFields(old.Fields(), x.Fields()); len(f) > 0 {
			out = append(out, change{entity: wire.EntityDated, key: data.DatedKey(id, x.Date), fields: f})
		}
	}
	return out
}

// SaveFiche saves the fields of her fiche a professional may change
// (data.EditableFields); the other fields of p are not read.
func (c *Client) SaveFiche(ctx context.Context, p *data.Professional) error {
	if p == nil || p.ID == "" {
		return data.Errorf(data.EINVALID, "Fiche sans identifiant.")
	}
	if err := c.checkOwner(ctx, p.ID); err != nil {
		return err
	}
	err := c.local.InTx(ctx, func(ctx context.Context) error {
		before, err := c.local.FindProfessionalByID(ctx, p.ID)
		if err != nil {
			return err
		}
		after := *before
		wanted, had := data.ProfessionalFields(p), data.ProfessionalFields(before)
		for _, name := range data.EditableFields(before.Kind) {
			if wanted[name] != had[name] {
				if err := data.SetProfessionalField(&after, name, wanted[name]); err != nil {
					return err
				}
			}
		}
		f := changedFields(had, data.ProfessionalFields(&after))
		if len(f) == 0 {
			return nil
		}
		after.UpdatedAt = c.Now().UTC()
		if err := c.local.SaveProfessional(ctx, &after, nil); err != nil {
			return err
		}
		return c.queue(ctx, []change{{entity: wire.EntityProfessional, key: p.ID, fields: f}})
	})
	c.refresh(ctx)
	return c.localErr(err)
}

// RequestAction prepares a Caf agent's action on a request (wire.Action…),
// sent with the next sync. The local request does not change: its new state
// comes back with the pull, once the service has applied the action.
func (c *Client) RequestAction(ctx context.Context, requestID, action string, args map[string]string) error {
	known := []string{wire.ActionMatch, wire.ActionLetterSent, wire.ActionAgreement, wire.ActionValidate, wire.ActionRefuse}
	if !slices.Contains(known, action) {
		return data.Errorf(data.EINVALID, "Action « %s » inconnue.", action)
	}
	if requestID == "" {
		return data.Errorf(data.EINVALID, "Demande sans identifiant.")
	}
	acc, err := c.account(ctx)
	if err != nil {
		return err
	}
	if acc != nil && data.Role(acc.Role) != data.RoleAgent {
		return data.Errorf(data.EFORBIDDEN, "Seul un agent de Caf peut traiter une demande d'habilitation.")
	}
	err = c.local.InTx(ctx, func(ctx context.Context) error {
		return c.queue(ctx, []change{{entity: wire.EntityRequest, key: requestID, action: action, args: args}})
	})
	c.refresh(ctx)
	return c.localErr(err)
}

// checkOwner refuses, before anything is written, an edit of another
// professional's records by the professional logged in on this copy (the
// service would refuse it anyway).
func (c *Client) checkOwner(ctx context.Context, professionalID string) error {
	acc, err := c.account(ctx)
	if err != nil || acc == nil {
		return err
	}
	if !data.Role(acc.Role).IsProfessional() || acc.ProfessionalID != professionalID {
		return data.Errorf(data.EFORBIDDEN, "Vous ne pouvez modifier que vos propres disponibilités et votre propre fiche.")
	}
	return nil
}

// queue turns changes into mutations and appends them to the outbox, in
// ctx's transaction: each takes the copy's next sequence number and clock
// stamp, and each field the version it was read at.
func (c *Client) queue(ctx context.Context, changes []change) error {
	if len(changes) == 0 {
		return nil
	}
	seqText, err := c.local.SyncState(ctx, keySeq)
	if err != nil {
		return err
	}
	seq, _ := strconv.ParseInt(seqText, 10, 64)
	clock, err := c.clock(ctx)
	if err != nil {
		return err
	}
	edits := make([]data.PendingEdit, 0, len(changes))
	for _, ch := range changes {
		id, err := uuid.NewV7()
		if err != nil {
			return err
		}
		seq++
		clock = clock.Tick(c.Now())
		m := wire.Mutation{ID: id.String(), ClientID: c.clientID, Seq: seq, Entity: ch.entity, Key: ch.key,
			Action: ch.action, Args: ch.args, HLC: clock.String()}
		if len(ch.fields) > 0 {
			versions, err := c.local.FieldVersions(ctx, ch.entity, ch.key)
			if err != nil {
				return err
			}
			m.Fields = map[string]wire.FieldEdit{}
			for name, v := range ch.fields {
				m.Fields[name] = wire.FieldEdit{Value: v, Base: versions[name]}
			}
		}
		payload, err := json.Marshal(m)
		if err != nil {
			return err
		}
		edits = append(edits, data.PendingEdit{
			Entry:  data.OutboxEntry{ID: m.ID, Entity: m.Entity, Key: m.Key, Payload: payload, CreatedAt: c.Now().UTC()},
			Fields: ch.fields,
		})
	}
	if err := c.local.QueueEdits(ctx, edits); err != nil {
		return err
	}
	if err := c.local.SetSyncState(ctx, keySeq, strconv.FormatInt(seq, 10)); err != nil {
		return err
	}
	return c.local.SetSyncState(ctx, keyHLC, clock.String())
}
