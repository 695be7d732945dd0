package data

import (
	"strings"
	"testing"
)

// A phone number is either refused with EINVALID or normalised to ten digits
// starting with 0, and normalising is idempotent.
func FuzzNormalizePhone(f *testing.F) {
	for _, s := range []string{"01 23 45 67 89", "+33612345678", "0033 6 12", "+262692123456", "", "+", "0٣"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n, err := NormalizePhone(s)
		if err != nil {
			if ErrorCode(err) != EINVALID {
				t.Fatalf("%q: error code %s", s, ErrorCode(err))
			}
			return
		}
		if len(n) != 10 || n[0] != '0' || strings.Trim(n, "0123456789") != "" {
			t.Fatalf("%q normalised to %q", s, n)
		}
		if again, err := NormalizePhone(n); err != nil || again != n {
			t.Fatalf("%q: not idempotent: %q %v", n, again, err)
		}
	})
}

// A postal code and commune typed by anyone either resolve to a commune
// that has that postal code, or give an EINVALID/ENOTFOUND error.
func FuzzResolveCommune(f *testing.F) {
	for _, s := range [][2]string{{"92100", "Boulogne-Billancourt"}, {"75015", "Paris"}, {"20200", ""}, {"9", "x"}, {"00000", "é"}} {
		f.Add(s[0], s[1])
	}
	ref := DefaultReference()
	f.Fuzz(func(t *testing.T, pc, name string) {
		c, err := ref.ResolveCommune(pc, name, "")
		if err != nil {
			if code := ErrorCode(err); code != EINVALID && code != ENOTFOUND {
				t.Fatalf("%q %q: error code %s", pc, name, code)
			}
			return
		}
		for _, p := range c.PostalCodes {
			if p == pc {
				return
			}
		}
		t.Fatalf("%q %q resolved to %s, which has postal codes %v", pc, name, c.Name, c.PostalCodes)
	})
}
