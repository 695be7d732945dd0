package data

import (
	"sort"
	"testing"
	"time"
)

func TestHLC(t *testing.T) {
	t0 := time.UnixMilli(1_700_000_000_000)
	a := HLC{Node: "a"}.Tick(t0)
	a2 := a.Tick(t0) // same millisecond
	if !a.Before(a2) || a2.Logical != 1 {
		t.Fatalf("tick within a millisecond: %v %v", a, a2)
	}
	// A stamp from a node whose clock runs ahead moves ours past it.
	b := HLC{Wall: t0.UnixMilli() + 5000, Logical: 3, Node: "b"}
	a3 := a2.Observe(b, t0)
	if !b.Before(a3) || a3.Node != "a" {
		t.Fatalf("observe: %v is not after %v", a3, b)
	}
	// The service clamps a stamp from the future.
	if c := b.Clamp(t0); c.Wall != t0.UnixMilli() || c.Node != "b" {
		t.Fatalf("clamp: %v", c)
	}
	// Encoded stamps sort like stamps, and parse back.
	stamps := []HLC{a3, a, b, a2, {Wall: 5, Node: "z"}, {Wall: 5, Node: "y"}}
	enc := make([]string, len(stamps))
	for i, s := range stamps {
		enc[i] = s.String()
		back, err := ParseHLC(enc[i])
		if err != nil || back != s {
			t.Fatalf("parse %q: %v %v", enc[i], back, err)
		}
	}
	sort.Slice(stamps, func(i, j int) bool { return stamps[i].Before(stamps[j]) })
	sort.Strings(enc)
	for i := range stamps {
		if stamps[i].String() != enc[i] {
			t.Fatalf("order of %d: %s vs %s", i, stamps[i], enc[i])
		}
	}
	for _, bad := range []string{"", "x", "1-2", "-1-0-a", "1-x-a"} {
		if _, err := ParseHLC(bad); ErrorCode(err) != EINVALID {
			t.Errorf("ParseHLC(%q) accepted", bad)
		}
	}
}
