package data

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// HLC is a hybrid-logical-clock stamp: wall time in milliseconds, a logical
// counter for events within one millisecond, and the node (a desktop copy's
// client ID, or "service") that made the event. Stamps order edits across
// computers whose clocks disagree: each node moves its clock past every
// stamp it sees, and the service clamps stamps to its own clock so that a PC
// whose clock runs ahead cannot win forever.
type HLC struct {
	Wall    int64 // Unix milliseconds
	Logical uint32
	Node    string
}

// String encodes h so that encoded stamps sort like the stamps themselves.
func (h HLC) String() string {
	return fmt.Sprintf("%015d-%08d-%s", h.Wall, h.Logical, h.Node)
}

// ParseHLC reads a stamp written by String.
func ParseHLC(s string) (HLC, error) {
	parts := strings.SplitN(s, "-", 3)
	if len(parts) != 3 {
		return HLC{}, Errorf(EINVALID, "Horodatage « %s » invalide.", s)
	}
	wall, err1 := strconv.ParseInt(parts[0], 10, 64)
	logical, err2 := strconv.ParseUint(parts[1], 10, 32)
	if err1 != nil || err2 != nil || wall < 0 {
		return HLC{}, Errorf(EINVALID, "Horodatage « %s » invalide.", s)
	}
	return HLC{Wall: wall, Logical: uint32(logical), Node: parts[2]}, nil
}

// Before reports whether h comes before o: by wall time, then counter,
// then node (so that two stamps are never equal across nodes).
func (h HLC) Before(o HLC) bool {
	if h.Wall != o.Wall {
		return h.Wall < o.Wall
	}
	if h.Logical != o.Logical {
		return h.Logical < o.Logical
	}
	return h.Node < o.Node
}

// Tick returns the stamp of a new local event at now.
func (h HLC) Tick(now time.Time) HLC {
	ms := now.UnixMilli()
	if ms > h.Wall {
		return HLC{Wall: ms, Node: h.Node}
	}
	return HLC{Wall: h.Wall, Logical: h.Logical + 1, Node: h.Node}
}

// Observe moves h past a stamp received from elsewhere.
func (h HLC) Observe(remote HLC, now time.Time) HLC {
	next := h.Tick(now)
	if next.Before(HLC{Wall: remote.Wall, Logical: remote.Logical, Node: next.Node}) {
		return HLC{Wall: remote.Wall, Logical: remote.Logical + 1, Node: h.Node}
	}
	return next
}

// Clamp brings h back to now when it is ahead of it: the service does it to
// every stamp it receives.
func (h HLC) Clamp(now time.Time) HLC {
	if ms := now.UnixMilli(); h.Wall > ms {
		return HLC{Wall: ms, Logical: h.Logical, Node: h.Node}
	}
	return h
}
