package server

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"

	"espacepro/data"
	"espacepro/sync/merge"
	"espacepro/sync/wire"
)

// Limits of the sync calls.
const (
	MaxPushMutations = 500
	DefaultPullLimit = 500
	MaxPullLimit     = 5000
)

// syncScope is what a caller's copy holds: a Caf's records, or only one
// professional's.
type syncScope struct {
	caf            string
	professionalID string
}

func (s *Service) scopeOf(c *Caller) (syncScope, error) {
	switch {
	case c == nil || c.Account == nil:
		return syncScope{}, forbidden()
	case c.Account.Role == data.RoleAgent:
		return syncScope{caf: c.Account.CafCode}, nil
	case c.Account.Role.IsProfessional():
		return syncScope{caf: c.Account.CafCode, professionalID: c.Account.ProfessionalID}, nil
	}
	return syncScope{}, forbidden()
}

// cursor encodes where a copy is in its scope's sequence; a cursor of
// another scope means the scope changed.
func (sc syncScope) cursor(seq int64) string {
	who := sc.professionalID
	if who == "" {
		who = "*"
	}
	return sc.caf + ":" + who + ":" + strconv.FormatInt(seq, 10)
}

func (sc syncScope) parse(cursor string) (seq int64, ok bool) {
	if cursor == "" {
		return 0, true
	}
	i := strings.LastIndexByte(cursor, ':')
	if i < 0 || sc.cursor(0) != cursor[:i]+":0" {
		return 0, false
	}
	seq, err := strconv.ParseInt(cursor[i+1:], 10, 64)
	return seq, err == nil && seq >= 0
}

func (s *Service) serverHLC() string {
	return data.HLC{Wall: s.now().UnixMilli(), Node: "service"}.String()
}

func checkProtocol(v int) error {
	if v != wire.ProtocolVersion {
		return data.Errorf(data.EUPGRADE, "Cette version de l'application est trop ancienne pour le service : installez la dernière version. Vos modifications restent enregistrées sur cet ordinateur.")
	}
	return nil
}

// Pull returns the records of the caller's scope changed after cursor.
func (s *Service) Pull(ctx context.Context, c *Caller, protocol int, cursor string, limit int) (*wire.PullResponse, error) {
	if err := checkProtocol(protocol); err != nil {
		return nil, err
	}
	sc, err := s.scopeOf(c)
	if err != nil {
		return nil, err
	}
	since, ok := sc.parse(cursor)
	if !ok {
		return &wire.PullResponse{Records: []wire.Record{}, Cursor: "", Resync: true, ServerHLC: s.serverHLC()}, nil
	}
	if limit <= 0 {
		limit = DefaultPullLimit
	}
	limit = min(limit, MaxPullLimit)
	changes, err := s.store.Changes(ctx, sc.caf, sc.professionalID, since, limit)
	if err != nil {
		return nil, err
	}
	res := &wire.PullResponse{Records: []wire.Record{}, Cursor: sc.cursor(since), HasMore: len(changes) == limit, ServerHLC: s.serverHLC()}
	// Several changes of one record in a page give it once, at its last place.
	last := map[data.RecordRef]int{}
	for i, ch := range changes {
		last[data.RecordRef{Entity: ch.Entity, Key: ch.Key}] = i
	}
	page := make([]data.Change, 0, len(last))
	refs := make([]data.RecordRef, 0, len(last))
	for i, ch := range changes {
		ref := data.RecordRef{Entity: ch.Entity, Key: ch.Key}
		if last[ref] != i {
			continue
		}
		page = append(page, ch)
		if ch.Deleted {
			continue
		}
		if err := checkRecordRef(ch); err != nil {
			return nil, err
		}
		refs = append(refs, ref)
	}
	// The page's records and their versions, read in bulk.
	recs := &data.SyncRecords{}
	if len(refs) > 0 {
		if recs, err = s.store.ReadRecords(ctx, refs); err != nil {
			return nil, err
		}
	}
	for _, ch := range page {
		res.Records = append(res.Records, record(sc, ch, recs))
	}
	if n := len(changes); n > 0 {
		res.Cursor = sc.cursor(changes[n-1].Seq)
	}
	return res, nil
}

// checkRecordRef refuses a change of an entity the protocol does not know,
// or with a key that is not of its entity.
func checkRecordRef(ch data.Change) error {
	switch ch.Entity {
	case wire.EntityProfessional, wire.EntityAvailability, wire.EntityRequest, wire.EntityConflict:
		return nil
	case wire.EntityWeek, wire.EntityDated:
		_, _, err := data.SplitDateKey(ch.Key)
		return err
	}
	return fmt.Errorf("sync: unknown entity %q in the change log", ch.Entity)
}

// record gives the current state of a changed record, from the records
// read for its page, or its tombstone.
func record(sc syncScope, ch data.Change, recs *data.SyncRecords) wire.Record {
	rec := wire.Record{Entity: ch.Entity, Key: ch.Key}
	if ch.Deleted {
		rec.Deleted = true
		return rec
	}
	var fields map[string]string
	switch ch.Entity {
	case wire.EntityProfessional:
		p := recs.Professionals[ch.Key]
		if p.CafCode != sc.caf {
			rec.Deleted = true
			return rec
		}
		fields = data.ProfessionalFields(p)
	case wire.EntityAvailability:
		fields = map[string]string{"global": string(recs.Globals[ch.Key])}
	case wire.EntityWeek:
		w, ok := recs.Weeks[ch.Key]
		if !ok {
			rec.Deleted = true
			return rec
		}
		fields = w.Fields()
	case wire.EntityDated:
		x, ok := recs.Dated[ch.Key]
		if !ok {
			rec.Deleted = true
			return rec
		}
		fields = x.Fields()
	case wire.EntityRequest:
		fields = data.RequestFields(recs.Requests[ch.Key])
	case wire.EntityConflict:
		fields = data.ConflictRecordFields(recs.Conflicts[ch.Key])
	}
	rec.Fields, rec.Versions = fields, recs.Versions[data.RecordRef{Entity: ch.Entity, Key: ch.Key}]
	if rec.Versions == nil {
		rec.Versions = map[string]int64{}
	}
	return rec
}

// Push applies mutations in order, each once, and answers each.
func (s *Service) Push(ctx context.Context, c *Caller, req wire.PushRequest) (*wire.PushResponse, error) {
	if err := checkProtocol(req.Protocol); err != nil {
		return nil, err
	}
	if _, err := s.scopeOf(c); err != nil {
		return nil, err
	}
	if len(req.Mutations) > MaxPushMutations {
		return nil, data.Errorf(data.EINVALID, "Trop de modifications en un envoi (%d au plus).", MaxPushMutations)
	}
	res := &wire.PushResponse{Results: []wire.PushResult{}}
	for _, m := range req.Mutations {
		r, err := s.applyMutation(ctx, c, m)
		if err != nil {
			// A fault of ours or of the database: answer the mutations
			// done so far; this one and the rest stay in the client's
			// outbox and come back with its next sync.
			if len(res.Results) == 0 {
				return nil, err
			}
			s.log.Error("sync push: stopped at a mutation", "mutation", m.ID, "err", err)
			break
		}
		res.Results = append(res.Results, r)
	}
	res.ServerHLC = s.serverHLC()
	return res, nil
}

// rejection turns a refusal into the answer of a mutation.
func rejection(id string, err error) wire.PushResult {
	return wire.PushResult{ID: id, Status: wire.StatusRejected, Code: data.ErrorCode(err), Message: data.ErrorMessage(err)}
}

// refusal reports whether err refuses a mutation for good (rather than
// being a fault to retry).
func refusal(err error) bool {
	switch data.ErrorCode(err) {
	case data.EINVALID, data.EFORBIDDEN, data.ENOTFOUND, data.ECONFLICT, data.EHABILITATION:
		return true
	}
	return false
}

// errAnswered says that a mutation's answer was recorded meanwhile, by a
// copy of the same push that ran at the same time (a retry while the first
// try still ran, or a proxy that repeated it): that answer is the answer.
var errAnswered = errors.New("sync: mutation answered meanwhile")

// priorResult returns the answer recorded for mutation id, if any.
func (s *Service) priorResult(ctx context.Context, id string) (wire.PushResult, bool, error) {
	prior, err := s.store.MutationResult(ctx, id)
	if data.ErrorCode(err) == data.ENOTFOUND {
		return wire.PushResult{}, false, nil
	} else if err != nil {
		return wire.PushResult{}, false, err
	}
	var r wire.PushResult
	if err := json.Unmarshal([]byte(prior), &r); err != nil {
		return wire.PushResult{}, false, fmt.Errorf("sync: stored result of %s: %w", id, err)
	}
	return r, true, nil
}

// applyMutation applies one mutation, or answers as it was answered before.
func (s *Service) applyMutation(ctx context.Context, c *Caller, m wire.Mutation) (wire.PushResult, error) {
	if m.ID == "" {
		return rejection("", data.Errorf(data.EINVALID, "Modification sans identifiant.")), nil
	}
	if r, ok, err := s.priorResult(ctx, m.ID); err != nil || ok {
		return r, err
	}
	var result wire.PushResult
	var err error
	if m.Action != "" {
		// An action runs in transactions of its own and mails people: one
		// run at a time, so that two copies of its push apply it once.
		release, lockErr := s.store.LockMutation(ctx, m.ID)
		if lockErr != nil {
			return wire.PushResult{}, lockErr
		}
		defer release()
		if r, ok, err := s.priorResult(ctx, m.ID); err != nil || ok {
			return r, err
		}
		result, err = s.applyAction(ctx, c, m)
	} else {
		// Once begun, the edit's transaction runs to its commit even if
		// the client goes away meanwhile (database/sql would roll it back
		// when the request's context ends, right after the answer was
		// written): the client's retry then finds the answer recorded.
		err = s.store.InTx(context.WithoutCancel(ctx), func(ctx context.Context) error {
			// Her records stay locked to the end: the check below and
			// the merge see the last committed state, and a copy of this
			// mutation that ran meanwhile has its answer recorded.
			if c.Account != nil && c.Account.Role.IsProfessional() {
				if err := s.store.LockProfessional(ctx, c.Account.ProfessionalID); err != nil {
					return err
				}
			}
			r, ok, err := s.priorResult(ctx, m.ID)
			if err != nil || ok {
				result = r
				return err
			}
			if result, err = s.applyFields(ctx, c, m); err != nil {
				return err
			}
			return s.saveResult(ctx, c, m, result)
		})
	}
	if err != nil && refusal(err) {
		result = rejection(m.ID, err)
		err = s.saveResult(ctx, c, m, result)
	}
	if errors.Is(err, errAnswered) {
		// The answer recorded first stands (a field edit's transaction
		// rolled back with this run).
		r, ok, err := s.priorResult(ctx, m.ID)
		if err == nil && !ok {
			err = fmt.Errorf("sync: no answer recorded for %s", m.ID)
		}
		return r, err
	}
	return result, err
}

// saveResult records the answer to m; errAnswered when one was recorded
// meanwhile.
func (s *Service) saveResult(ctx context.Context, c *Caller, m wire.Mutation, r wire.PushResult) error {
	b, err := json.Marshal(r)
	if err != nil {
		return err
	}
	err = s.store.SaveMutationResult(ctx, m.ID, m.ClientID, c.Account.ID, string(b))
	if data.ErrorCode(err) == data.ECONFLICT {
		return errAnswered
	}
	return err
}

// authorName names the author of a desktop's edits in the conflict log.
func authorName(c *Caller) string {
	return strings.TrimSpace(c.Account.FirstName + " " + c.Account.LastName)
}

// applyFields applies the field edits of one mutation in ctx's transaction:
// each field by the merge rule, every lost value to the conflict log.
func (s *Service) applyFields(ctx context.Context, c *Caller, m wire.Mutation) (wire.PushResult, error) {
	result := wire.PushResult{ID: m.ID, Status: wire.StatusApplied}
	id := m.Key
	var day data.Date
	if m.Entity == wire.EntityWeek || m.Entity == wire.EntityDated {
		var err error
		if id, day, err = data.SplitDateKey(m.Key); err != nil {
			return result, err
		}
	}
	if !c.Account.Role.IsProfessional() || c.Account.ProfessionalID != id {
		return result, data.Errorf(data.EFORBIDDEN, "Vous ne pouvez modifier que vos propres disponibilités et votre propre fiche.")
	}
	if len(m.Fields) == 0 {
		return result, data.Errorf(data.EINVALID, "Modification vide.")
	}
	stamp, err := data.ParseHLC(m.HLC)
	if err != nil {
		return result, err
	}
	stamp = stamp.Clamp(s.Now())
	author := data.ChangeAuthor{Stamp: stamp, By: authorName(c)}
	p, err := s.store.FindProfessionalByID(ctx, id)
	if err != nil {
		return result, err
	}
	var a *data.Availability // her availability, for the tabs' records
	if m.Entity != wire.EntityProfessional {
		if a, err = s.store.FindAvailability(ctx, id); err != nil {
			return result, err
		}
	}
	// The record as it is, as fields, and how to set one of them (set
	// checks the value and the caller's right to change that field). The
	// availability is saved over a as read: this transaction holds her
	// records locked since, so the store need not read them again.
	var current map[string]string
	var set func(name, value string) error
	var save func(ctx context.Context) error
	saveOver := func(ctx context.Context, after *data.Availability) error {
		return s.store.SaveAvailabilityOver(ctx, p.CafCode, a, after)
	}
	switch m.Entity {
	case wire.EntityAvailability:
		current = map[string]string{"global": string(a.Global)}
		global := a.Global
		set = func(name, value string) error {
			if name != "global" || !data.Colour(value).Valid() {
				return data.Errorf(data.EINVALID, "Disponibilité globale « %s » inconnue.", value)
			}
			global = data.Colour(value)
			return nil
		}
		save = func(ctx context.Context) error {
			return saveOver(ctx, &data.Availability{ProfessionalID: id, Global: global})
		}
	case wire.EntityWeek:
		w, ok := a.WeekOf(day)
		if !ok {
			w = data.Week{Monday: day, Grid: data.NewWeekGrid()}
		}
		current, set = w.Fields(), (&w).SetField
		save = func(ctx context.Context) error {
			return saveOver(ctx, &data.Availability{ProfessionalID: id, Global: a.Global, Weeks: []data.Week{w}})
		}
	case wire.EntityDated:
		x, ok := a.DatedOf(day)
		if !ok {
			x = data.Dated{Date: day, Days: data.NewWeekDays()}
		}
		current, set = x.Fields(), (&x).SetField
		save = func(ctx context.Context) error {
			return saveOver(ctx, &data.Availability{ProfessionalID: id, Global: a.Global, Dated: []data.Dated{x}})
		}
	case wire.EntityProfessional:
		current = data.ProfessionalFields(p)
		set = func(name, value string) error {
			if !slices.Contains(data.EditableFields(p.Kind), name) {
				return data.Errorf(data.EFORBIDDEN, "Le champ « %s » de votre fiche ne peut être modifié que par votre Caf.", name)
			}
			return data.SetProfessionalField(p, name, value)
		}
		save = func(ctx context.Context) error { return s.store.UpdateProfessional(ctx, p) }
	default:
		return result, data.Errorf(data.EINVALID, "Type d'enregistrement « %s » inconnu.", m.Entity)
	}
	stamps, err := s.store.FieldStamps(ctx, m.Entity, m.Key)
	if err != nil {
		return result, err
	}
	names := make([]string, 0, len(m.Fields))
	for name := range m.Fields {
		names = append(names, name)
	}
	sort.Strings(names)
	// Every field is checked first, whatever the merge decides: a value
	// that could never apply refuses the whole mutation.
	for _, name := range names {
		if err := set(name, m.Fields[name].Value); err != nil {
			return result, err
		}
	}
	for _, name := range names {
		if err := set(name, current[name]); err != nil {
			return result, err
		}
	}
	var conflicts []data.Conflict
	changed := false
	for _, name := range names {
		edit := m.Fields[name]
		st := stamps[name]
		out := merge.Decide(merge.Current{Value: current[name], Version: st.Version, Stamp: st.Stamp},
			merge.Edit{Value: edit.Value, Base: edit.Base, Stamp: stamp})
		if out.Apply {
			if err := set(name, edit.Value); err != nil {
				return result, err
			}
			changed = true
		}
		if out.Conflict {
			cf := data.Conflict{CafCode: p.CafCode, ProfessionalID: id, Entity: m.Entity, Key: m.Key, Field: name}
			if out.Apply {
				cf.LostValue, cf.LostBy, cf.KeptValue, cf.KeptBy = current[name], st.By, edit.Value, author.By
			} else {
				cf.LostValue, cf.LostBy, cf.KeptValue, cf.KeptBy = edit.Value, author.By, current[name], st.By
			}
			conflicts = append(conflicts, cf)
		}
	}
	wctx := data.WithChangeAuthor(ctx, author)
	if changed {
		if err := save(wctx); err != nil {
			return result, err
		}
	}
	for i := range conflicts {
		if err := s.store.AppendConflict(wctx, &conflicts[i]); err != nil {
			return result, err
		}
		result.Conflicts = append(result.Conflicts, wire.Record{Entity: wire.EntityConflict, Key: conflicts[i].ID,
			Fields: data.ConflictRecordFields(&conflicts[i])})
	}
	return result, nil
}

// applyAction runs an agent's action on a request prepared offline.
func (s *Service) applyAction(ctx context.Context, c *Caller, m wire.Mutation) (wire.PushResult, error) {
	result := wire.PushResult{ID: m.ID, Status: wire.StatusApplied}
	if m.Entity != wire.EntityRequest {
		return result, data.Errorf(data.EINVALID, "Action « %s » inconnue pour « %s ».", m.Action, m.Entity)
	}
	var err error
	switch m.Action {
	case wire.ActionMatch:
		_, err = s.MatchRequest(ctx, c, m.Key, m.Args["professional_id"])
	case wire.ActionLetterSent:
		_, err = s.MarkLetterSent(ctx, c, m.Key, m.Args["send_mail"] == "true")
	case wire.ActionAgreement:
		_, err = s.RecordAgreement(ctx, c, m.Key)
	case wire.ActionValidate:
		_, err = s.ValidateRequest(ctx, c, m.Key)
	case wire.ActionRefuse:
		_, err = s.RefuseRequest(ctx, c, m.Key, m.Args["reason"])
	default:
		err = data.Errorf(data.EINVALID, "Action « %s » inconnue.", m.Action)
	}
	if err != nil {
		return result, err
	}
	return result, s.saveResult(ctx, c, m, result)
}
