package client

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"strings"

	"espacepro/data"
	"espacepro/server/servertest"
	"espacepro/sync/wire"
)

// The invariants of the convergence tests, checked once every copy has
// settled (and checkPendingShown after every round).

// fieldRef names one field of one record.
type fieldRef struct{ entity, key, field string }

func (r fieldRef) String() string { return r.entity + " " + r.key + " " + r.field }

// holder is a value that was for a while the service's value of a field.
type holder struct {
	version int64
	value   string
	node    string
	stamp   data.HLC
	mut     string // the mutation that wrote it; "" for the value before the test
}

// check asserts every invariant once the copies have settled.
func (s *sim) check() {
	s.checkOutboxes()
	s.checkModel()
	s.checkActions()
	s.checkPages()
	for _, a := range []*actor{s.a, s.b, s.c} {
		s.checkProfessionalCopy(a)
	}
	s.checkAgentCopy(s.d)
}

// checkOutboxes: nothing is left to send, and no edit of a childminder was
// refused (they are all valid).
func (s *sim) checkOutboxes() {
	ctx := context.Background()
	for _, a := range s.actors {
		if n, err := a.local.CountOutbox(ctx); err != nil || n != 0 {
			s.t.Errorf("%s: %d edits left in the outbox (%v)", a.name, n, err)
		}
		if st := a.c.State(); st.Pending != 0 || st.LastError != "" || !st.LoggedIn {
			s.t.Errorf("%s: status %+v", a.name, st)
		}
		rej, err := a.local.FindRejected(ctx)
		must(s.t, err, "FindRejected")
		if a.proID != "" && len(rej) > 0 {
			s.t.Errorf("%s: %d valid edits refused, first %+v", a.name, len(rej), rej[0])
		}
		s.count("actions refused (state of the request)", len(rej))
	}
}

// checkPendingShown: the copy shows every field that has an edit waiting
// in the outbox with the value of its latest edit (a pull never overwrites
// it).
func (s *sim) checkPendingShown(a *actor) {
	ctx := context.Background()
	entries, err := a.local.PendingOutbox(ctx, 0)
	must(s.t, err, "PendingOutbox")
	latest := map[fieldRef]string{}
	var refs []fieldRef
	for _, e := range entries {
		var m wire.Mutation
		must(s.t, json.Unmarshal(e.Payload, &m), "outbox payload")
		for f, fe := range m.Fields {
			ref := fieldRef{m.Entity, m.Key, f}
			if _, ok := latest[ref]; !ok {
				refs = append(refs, ref)
			}
			latest[ref] = fe.Value
		}
	}
	for _, ref := range refs {
		if got := s.localFields(a, ref.entity, ref.key)[ref.field]; got != latest[ref] {
			s.t.Errorf("%s: %s shows %q while its edit to %q waits in the outbox", a.name, ref, got, latest[ref])
		}
	}
}

// localFields returns a record's fields as the copy shows them.
func (s *sim) localFields(a *actor, entity, key string) map[string]string {
	ctx := context.Background()
	switch entity {
	case wire.EntityProfessional:
		p, err := a.local.FindProfessionalByID(ctx, key)
		must(s.t, err, "local FindProfessionalByID")
		return data.ProfessionalFields(p)
	case wire.EntityAvailability, wire.EntityWeek, wire.EntityDated:
		id := key
		var day data.Date
		if entity != wire.EntityAvailability {
			var err error
			id, day, err = data.SplitDateKey(key)
			must(s.t, err, "key")
		}
		av, err := a.local.FindAvailability(ctx, id)
		must(s.t, err, "local FindAvailability")
		for k, f := range availabilityRecords(av) {
			if k == [2]string{entity, key} {
				return f
			}
		}
		_ = day
		return nil
	}
	return nil
}

// serverFields returns the service's fields of a record (a week or dated
// tab never saved has the fields of a new one).
func (s *sim) serverFields(entity, key string) map[string]string {
	ctx := context.Background()
	st := s.cl.store()
	switch entity {
	case wire.EntityProfessional:
		p, err := st.FindProfessionalByID(ctx, key)
		must(s.t, err, "store FindProfessionalByID")
		return data.ProfessionalFields(p)
	case wire.EntityAvailability:
		a, err := st.FindAvailability(ctx, key)
		must(s.t, err, "store FindAvailability")
		return map[string]string{"global": string(a.Global)}
	case wire.EntityWeek, wire.EntityDated:
		id, day, err := data.SplitDateKey(key)
		must(s.t, err, "key")
		a, err := st.FindAvailability(ctx, id)
		must(s.t, err, "store FindAvailability")
		if entity == wire.EntityWeek {
			w, ok := a.WeekOf(day)
			if !ok {
				w = data.Week{Monday: day, Grid: data.NewWeekGrid()}
			}
			return w.Fields()
		}
		x, ok := a.DatedOf(day)
		if !ok {
			x = data.Dated{Date: day, Days: data.NewWeekDays()}
		}
		return x.Fields()
	}
	s.t.Fatalf("no fields for entity %q", entity)
	return nil
}

// newTabFields returns the fields of a week or dated tab never saved.
func newTabFields(entity string) map[string]string {
	if entity == wire.EntityWeek {
		return data.Week{Grid: data.NewWeekGrid()}.Fields()
	}
	return data.Dated{Days: data.NewWeekDays()}.Fields()
}

// initialHolder is the field's value before the test.
func (s *sim) initialHolder(ref fieldRef) holder {
	if h, ok := s.initial[ref]; ok {
		return h
	}
	return holder{value: newTabFields(ref.entity)[ref.field]}
}

// confirmedConflicts returns the conflicts the service appended and kept
// (a transaction that rolled back leaves none), by field.
func (s *sim) confirmedConflicts() map[fieldRef][]data.Conflict {
	ctx := context.Background()
	s.cl.obs.mu.Lock()
	list := append([]data.Conflict(nil), s.cl.obs.conflicts...)
	s.cl.obs.mu.Unlock()
	out := map[fieldRef][]data.Conflict{}
	for _, c := range list {
		if _, err := s.cl.store().FindConflict(ctx, c.ID); err != nil {
			continue
		}
		ref := fieldRef{c.Entity, c.Key, c.Field}
		out[ref] = append(out[ref], c)
	}
	return out
}

// checkModel replays, field by field, the acknowledged edits in the order
// the service applied them (their versions), by the protocol's rule: an
// edit replaces a value without conflict only when it was made on that
// value's version, or by the same copy; otherwise the two are concurrent
// and the loser must be in the conflict log. It also checks that each
// mutation applied once, and that the service's final value and version
// are those of the last value.
func (s *sim) checkModel() {
	t, ctx := s.t, context.Background()
	o := s.cl.obs
	o.mu.Lock()
	order := append([]string(nil), o.order...)
	muts, results, dups := map[string]*mutationInfo{}, map[string][]resultObs{}, map[string]int{}
	for k, v := range o.muts {
		muts[k] = v
	}
	for k, v := range o.results {
		results[k] = v
	}
	for k, v := range o.dupSaves {
		dups[k] = v
	}
	o.mu.Unlock()
	conflicts := s.confirmedConflicts()

	type write struct {
		id    string
		m     *mutationInfo
		value string
		base  int64
		st    data.FieldStamp
		seq   int
	}
	writes := map[fieldRef][]write{}
	for _, id := range order {
		m, res := muts[id], results[id]
		what := fmt.Sprintf("mutation %s of %s (%s %s %s%v)", id, m.actor, m.Entity, m.Key, m.Action, fieldNames(m))
		switch {
		case len(res) == 0:
			t.Errorf("%s: never applied nor refused", what)
			continue
		case len(res) > 1:
			t.Errorf("%s: applied %d times", what, len(res))
		}
		if dups[id] > 0 && m.Action == "" {
			t.Errorf("%s: its transaction ran again %d time(s) after it was applied", what, dups[id])
		}
		if m.Action != "" {
			continue
		}
		if res[0].status != wire.StatusApplied {
			t.Errorf("%s: refused", what)
			continue
		}
		for f, fe := range m.Fields {
			ref := fieldRef{m.Entity, m.Key, f}
			writes[ref] = append(writes[ref], write{id: id, m: m, value: fe.Value, base: fe.Base, st: res[0].stamps[f], seq: res[0].seq})
		}
	}
	refs := make([]fieldRef, 0, len(writes))
	for ref := range writes {
		refs = append(refs, ref)
	}
	sort.Slice(refs, func(i, j int) bool { return refs[i].String() < refs[j].String() })
	for _, ref := range refs {
		ws := writes[ref]
		sort.Slice(ws, func(i, j int) bool { return ws[i].seq < ws[j].seq })
		h0 := s.initialHolder(ref)
		chain := []holder{h0}
		byVersion := map[int64]holder{h0.version: h0}
		expected := map[[2]string]int{}
		for _, w := range ws {
			last := chain[len(chain)-1]
			node := w.m.ClientID
			if w.st.Stamp.Node == node && w.st.Version > last.version {
				// w made the field's new value: it replaced last.
				h := holder{version: w.st.Version, value: w.value, node: node, stamp: w.st.Stamp, mut: w.id}
				if w.base != last.version && last.node != node {
					expected[[2]string{last.value, w.value}]++
					if !last.stamp.Before(h.stamp) {
						t.Errorf("%s: %s (%q, stamp %s) replaced the concurrent %q (stamp %s) though it is older",
							ref, w.id, w.value, h.stamp, last.value, last.stamp)
					}
				}
				chain = append(chain, h)
				byVersion[h.version] = h
				continue
			}
			h, ok := byVersion[w.st.Version]
			if !ok {
				t.Errorf("%s: after %s of %s the field is at version %d (by %s), which no known edit made",
					ref, w.id, w.m.actor, w.st.Version, w.st.Stamp.Node)
				continue
			}
			if h.version != last.version {
				t.Errorf("%s: %s of %s was decided on version %d, not on the latest one (%d): applied out of order",
					ref, w.id, w.m.actor, h.version, last.version)
			}
			if w.value == h.value {
				continue // it agreed with the value it met: nothing lost
			}
			if w.base == h.version || h.node == node {
				t.Errorf("%s: %s of %s (%q, base %d) was made on the current value %q (version %d, by %s) and yet did not apply",
					ref, w.id, w.m.actor, w.value, w.base, h.value, h.version, h.node)
				continue
			}
			expected[[2]string{w.value, h.value}]++
		}
		last := chain[len(chain)-1]
		stamps, err := s.cl.store().FieldStamps(ctx, ref.entity, ref.key)
		must(t, err, "FieldStamps")
		if got := s.serverFields(ref.entity, ref.key)[ref.field]; got != last.value || stamps[ref.field].Version != last.version {
			t.Errorf("%s: the service holds %q at version %d; the last acknowledged value is %q at version %d (by %s)",
				ref, got, stamps[ref.field].Version, last.value, last.version, last.mut)
		}
		actual := map[[2]string]int{}
		for _, c := range conflicts[ref] {
			actual[[2]string{c.LostValue, c.KeptValue}]++
		}
		if !equalCounts(expected, actual) {
			t.Errorf("%s: conflict log (lost, kept) %v, want %v (history: %s)", ref, actual, expected, describe(chain))
		}
	}
	for ref := range conflicts {
		if _, ok := writes[ref]; !ok {
			t.Errorf("%s: conflicts %v recorded on a field no acknowledged edit touched", ref, conflicts[ref])
		}
	}
}

func fieldNames(m *mutationInfo) []string {
	var names []string
	for f := range m.Fields {
		names = append(names, f)
	}
	sort.Strings(names)
	return names
}

func describe(chain []holder) string {
	var b strings.Builder
	for i, h := range chain {
		if i > 0 {
			b.WriteString(" → ")
		}
		fmt.Fprintf(&b, "%q@%d", h.value, h.version)
	}
	return b.String()
}

func equalCounts(a, b map[[2]string]int) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

// checkActions: each action the service acknowledged was done exactly
// once (its audit entry), each refused one is in the agent's list.
func (s *sim) checkActions() {
	t, ctx := s.t, context.Background()
	o := s.cl.obs
	audit := map[string]string{wire.ActionLetterSent: "request.letter", wire.ActionAgreement: "request.agreement",
		wire.ActionValidate: "request.validate", wire.ActionRefuse: "request.refuse", wire.ActionMatch: "request.match"}
	want := map[[2]string]int{}
	refused := map[string]bool{}
	o.mu.Lock()
	for _, id := range o.order {
		m := o.muts[id]
		if m.Action == "" || len(o.results[id]) == 0 {
			continue
		}
		if o.results[id][0].status == wire.StatusApplied {
			want[[2]string{m.Key, audit[m.Action]}]++
		} else {
			refused[id] = true
		}
	}
	o.mu.Unlock()
	for _, id := range s.requests {
		entries, _, err := s.cl.store().FindAudit(ctx, data.AuditFilter{TargetID: id})
		must(t, err, "FindAudit")
		got := map[string]int{}
		for _, e := range entries {
			got[e.Action]++
		}
		for _, action := range audit {
			if got[action] != want[[2]string{id, action}] {
				t.Errorf("request %s: %s done %d times, acknowledged %d times", id, action, got[action], want[[2]string{id, action}])
			}
		}
	}
	rej, err := s.d.local.FindRejected(ctx)
	must(t, err, "FindRejected")
	listed := map[string]bool{}
	for _, r := range rej {
		listed[r.ID] = true
		if !refused[r.ID] {
			t.Errorf("the agent's copy lists %s as refused; the service applied it", r.ID)
		}
		servertest.WantFrench(t, "refusal "+r.ID, r.Message)
	}
	for id := range refused {
		if !listed[id] {
			t.Errorf("the service refused %s; the agent's copy does not list it", id)
		}
	}
}

// checkPages: no pull page the service answered skipped a change: every
// change of the scope between the page's two cursors is in it.
func (s *sim) checkPages() {
	t, ctx := s.t, context.Background()
	scope := map[string]string{}
	for _, a := range s.actors {
		scope[a.name] = a.proID
	}
	s.cl.obs.mu.Lock()
	pages := append([]pageObs(nil), s.cl.obs.pages...)
	s.cl.obs.mu.Unlock()
	for _, pg := range pages {
		if pg.resync {
			continue
		}
		from, err1 := cursorSeq(pg.since)
		to, err2 := cursorSeq(pg.cursor)
		if err1 != nil || err2 != nil || to < from {
			t.Errorf("%s: page from %q to %q", pg.proxy, pg.since, pg.cursor)
			continue
		}
		in := map[[2]string]bool{}
		for _, r := range pg.records {
			in[[2]string{r.Entity, r.Key}] = true
		}
		if to == from {
			continue
		}
		changes, err := s.cl.store().Changes(ctx, s.pro.CafCode, scope[pg.proxy], from, int(to-from))
		must(t, err, "Changes")
		for _, ch := range changes {
			if ch.Seq <= to && !in[[2]string{ch.Entity, ch.Key}] {
				t.Errorf("%s: the page (%d, %d] misses change %d (%s %s)", pg.proxy, from, to, ch.Seq, ch.Entity, ch.Key)
			}
		}
		s.checkScope(pg)
	}
}

// checkScope: a childminder's page holds only her own records.
func (s *sim) checkScope(pg pageObs) {
	own := map[string]string{"A": s.pro.ID, "B": s.pro.ID, "C": s.lea.ID}[pg.proxy]
	if own == "" {
		return
	}
	for _, r := range pg.records {
		var owner string
		switch r.Entity {
		case wire.EntityProfessional, wire.EntityAvailability:
			owner = r.Key
		case wire.EntityWeek, wire.EntityDated:
			owner, _, _ = data.SplitDateKey(r.Key)
		case wire.EntityConflict:
			owner = r.Fields["professional_id"]
		}
		if owner != own {
			s.t.Errorf("%s: a pull brought %s %s, not hers", pg.proxy, r.Entity, r.Key)
		}
	}
}

// availabilityRecords returns an availability as records: the global
// colour, each week and each dated tab.
func availabilityRecords(a *data.Availability) map[[2]string]map[string]string {
	out := map[[2]string]map[string]string{{wire.EntityAvailability, a.ProfessionalID}: {"global": string(a.Global)}}
	for _, w := range a.Weeks {
		out[[2]string{wire.EntityWeek, data.WeekKey(a.ProfessionalID, w.Monday)}] = w.Fields()
	}
	for _, x := range a.Dated {
		out[[2]string{wire.EntityDated, data.DatedKey(a.ProfessionalID, x.Date)}] = x.Fields()
	}
	return out
}

// compareProfessional checks a professional's fiche, availability and
// their field versions in a copy against the service.
func (s *sim) compareProfessional(a *actor, id string) {
	t, ctx := s.t, context.Background()
	st := s.cl.store()
	sp, err := st.FindProfessionalByID(ctx, id)
	must(t, err, "store FindProfessionalByID")
	lp, err := a.local.FindProfessionalByID(ctx, id)
	if err != nil {
		t.Errorf("%s: fiche %s: %v", a.name, id, err)
		return
	}
	if d := diffFields(data.ProfessionalFields(sp), data.ProfessionalFields(lp)); d != "" {
		t.Errorf("%s: fiche %s differs from the service's: %s", a.name, id, d)
	}
	sa, err := st.FindAvailability(ctx, id)
	must(t, err, "store FindAvailability")
	la, err := a.local.FindAvailability(ctx, id)
	must(t, err, "local FindAvailability")
	srec, lrec := availabilityRecords(sa), availabilityRecords(la)
	srec[[2]string{wire.EntityProfessional, id}] = nil
	for k, f := range srec {
		if f != nil {
			lf, ok := lrec[k]
			if !ok {
				t.Errorf("%s: %s %s missing from the copy", a.name, k[0], k[1])
				continue
			}
			if d := diffFields(f, lf); d != "" {
				t.Errorf("%s: %s %s differs from the service's: %s", a.name, k[0], k[1], d)
			}
		}
		stamps, err := st.FieldStamps(ctx, k[0], k[1])
		must(t, err, "FieldStamps")
		lv, err := a.local.FieldVersions(ctx, k[0], k[1])
		must(t, err, "FieldVersions")
		sv := map[string]int64{}
		for f, x := range stamps {
			sv[f] = x.Version
		}
		if fmt.Sprint(sv) != fmt.Sprint(lv) {
			t.Errorf("%s: versions of %s %s: service %v, copy %v", a.name, k[0], k[1], sv, lv)
		}
	}
	for k, f := range lrec {
		if _, ok := srec[k]; ok {
			continue
		}
		// A tab saved with nothing in it (« Valider » on a new tab left as
		// it was) makes no mutation: the copy keeps it, the service never
		// hears of it, and both show the same empty tab.
		if stamps, _ := st.FieldStamps(ctx, k[0], k[1]); len(stamps) == 0 && diffFields(newTabFields(k[0]), f) == "" {
			continue
		}
		t.Errorf("%s: %s %s is in the copy, not on the service: %v", a.name, k[0], k[1], f)
	}
}

func diffFields(want, got map[string]string) string {
	var out []string
	for k, v := range want {
		if got[k] != v {
			out = append(out, fmt.Sprintf("%s: service %q, copy %q", k, v, got[k]))
		}
	}
	for k, v := range got {
		if _, ok := want[k]; !ok && v != "" {
			out = append(out, fmt.Sprintf("%s: copy only %q", k, v))
		}
	}
	sort.Strings(out)
	return strings.Join(out, "; ")
}

// conflictIDs returns the IDs of the confirmed conflicts of a professional
// ("" for all of the Caf).
func (s *sim) conflictIDs(professionalID string) map[string]bool {
	out := map[string]bool{}
	for _, list := range s.confirmedConflicts() {
		for _, c := range list {
			if professionalID == "" || c.ProfessionalID == professionalID {
				out[c.ID] = true
			}
		}
	}
	return out
}

func (s *sim) checkConflictCopy(a *actor, want map[string]bool) {
	list, err := a.c.Conflicts(context.Background())
	must(s.t, err, "Conflicts")
	got := map[string]bool{}
	for _, c := range list {
		got[c.ID] = true
		if !want[c.ID] {
			s.t.Errorf("%s: conflict %s (%s %s) in the copy is not one of its scope on the service", a.name, c.ID, c.Key, c.Field)
		}
	}
	for id := range want {
		if !got[id] {
			s.t.Errorf("%s: conflict %s missing from the copy", a.name, id)
		}
	}
}

// checkProfessionalCopy: a childminder's copy equals the service for her
// records, and holds nobody else's.
func (s *sim) checkProfessionalCopy(a *actor) {
	t, ctx := s.t, context.Background()
	s.compareProfessional(a, a.proID)
	s.checkConflictCopy(a, s.conflictIDs(a.proID))
	list, _, err := a.local.FindProfessionals(ctx, data.ProfessionalFilter{})
	must(t, err, "local FindProfessionals")
	if len(list) != 1 || list[0].ID != a.proID {
		var ids []string
		for _, p := range list {
			ids = append(ids, p.DisplayName())
		}
		t.Errorf("%s: the copy holds the fiches %v, want only hers", a.name, ids)
	}
	other := s.lea.ID
	if a.proID == s.lea.ID {
		other = s.pro.ID
	}
	if oa, err := a.local.FindAvailability(ctx, other); err == nil && (len(oa.Weeks) > 0 || len(oa.Dated) > 0) {
		t.Errorf("%s: the copy holds another childminder's availability", a.name)
	}
	reqs, _, err := a.local.FindRequests(ctx, data.RequestFilter{})
	must(t, err, "local FindRequests")
	if len(reqs) > 0 {
		t.Errorf("%s: a childminder's copy holds %d habilitation requests", a.name, len(reqs))
	}
}

// checkAgentCopy: the agent's copy equals the service's Caf: fiches,
// availability, requests and conflicts.
func (s *sim) checkAgentCopy(a *actor) {
	t, ctx := s.t, context.Background()
	st := s.cl.store()
	caf := s.pro.CafCode
	sps, _, err := st.FindProfessionals(ctx, data.ProfessionalFilter{CafCode: caf})
	must(t, err, "store FindProfessionals")
	lps, _, err := a.local.FindProfessionals(ctx, data.ProfessionalFilter{})
	must(t, err, "local FindProfessionals")
	if len(sps) != len(lps) {
		t.Errorf("%s: %d fiches in the copy, %d in the Caf", a.name, len(lps), len(sps))
	}
	for _, p := range sps {
		s.compareProfessional(a, p.ID)
	}
	srs, _, err := st.FindRequests(ctx, data.RequestFilter{CafCode: caf})
	must(t, err, "store FindRequests")
	lrs, _, err := a.local.FindRequests(ctx, data.RequestFilter{})
	must(t, err, "local FindRequests")
	local := map[string]*data.Request{}
	for _, r := range lrs {
		local[r.ID] = r
	}
	if len(srs) != len(lrs) {
		t.Errorf("%s: %d requests in the copy, %d in the Caf", a.name, len(lrs), len(srs))
	}
	for _, r := range srs {
		l, ok := local[r.ID]
		if !ok {
			t.Errorf("%s: request %s missing", a.name, r.ID)
			continue
		}
		if d := diffFields(data.RequestFields(r), data.RequestFields(l)); d != "" {
			t.Errorf("%s: request %s differs from the service's: %s", a.name, r.ID, d)
		}
	}
	s.checkConflictCopy(a, s.conflictIDs(""))
}
