// Package merge holds the one rule that settles two edits of the same field
// (DESIGN.md §3). Conflicts are detected with versions, not clocks: an edit
// made on the field's current version simply applies. Only two edits of the
// same field made concurrently are resolved, by their hybrid-logical-clock
// stamps (the later wins; ties go to the higher node), and the loser is
// always kept in the conflict log.
package merge

import "espacepro/data"

// Current is what the service holds of a field.
type Current struct {
	Value   string
	Version int64    // the version of its last change (0: never changed)
	Stamp   data.HLC // the stamp of its last change
}

// Edit is an incoming edit of the field.
type Edit struct {
	Value string
	Base  int64    // the version the editor read
	Stamp data.HLC // already clamped to the service's clock
}

// Outcome says what an edit does.
type Outcome struct {
	Apply bool // write the edit's value
	// Conflict: two concurrent edits of the field disagreed. When Apply,
	// the current value is overwritten and lost; otherwise the edit's
	// value lost. Either way the loser goes to the conflict log.
	Conflict bool
}

// Decide is the rule. An edit whose base is stale but whose field was last
// changed by the same node (the same desktop copy, which sends its edits in
// order and has not pulled the versions of its own earlier ones yet)
// follows that edit: it is not concurrent with it.
func Decide(cur Current, e Edit) Outcome {
	switch {
	case e.Base == cur.Version || (cur.Stamp.Node != "" && cur.Stamp.Node == e.Stamp.Node):
		return Outcome{Apply: e.Value != cur.Value}
	case e.Value == cur.Value:
		return Outcome{} // concurrent, but they agree: nothing is lost
	case cur.Stamp.Before(e.Stamp):
		return Outcome{Apply: true, Conflict: true}
	default:
		return Outcome{Conflict: true}
	}
}
