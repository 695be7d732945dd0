package mail

import (
	"errors"
	"fmt"
	"net"
	"net/textproto"
	"strings"
	"testing"

	"espacepro/data"
)

func TestSafeAddress(t *testing.T) {
	for in, want := range map[string]string{
		"Marie.Dupont@Example.fr": "marie.dupont_at_example.fr",
		"../../etc/passwd@x.fr":   "_._.._etc_passwd_at_x.fr",
		".hidden@x.fr":            "_hidden_at_x.fr",
		"hélène+caf@exemple.fr":   "h__l__ne_caf_at_exemple.fr",
		"":                        "unknown",
		strings.Repeat("a", 200):  strings.Repeat("a", 64),
		`a\b:c*d?e"f<g>h|i@x.fr`:  "a_b_c_d_e_f_g_h_i_at_x.fr",
	} {
		got := safeAddress(in)
		if got != want {
			t.Errorf("safeAddress(%q) = %q, want %q", in, got, want)
		}
		if strings.ContainsAny(got, `/\`) || strings.HasPrefix(got, ".") || len(got) > 67 {
			t.Errorf("safeAddress(%q) = %q is not a safe file name", in, got)
		}
	}
}

func TestMessageIDDomain(t *testing.T) {
	for in, want := range map[string]string{
		"habilitations.caf921@espacepro.example": "espacepro.example",
		"a@Caf-Ain.EXAMPLE":                      "caf-ain.example",
		"a@exémple.fr":                           "espacepro.invalid",
		"a@[127.0.0.1]":                          "espacepro.invalid",
	} {
		if got := messageIDDomain(in); got != want {
			t.Errorf("messageIDDomain(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestIsTemporary(t *testing.T) {
	for _, tc := range []struct {
		err  error
		want bool
	}{
		{nil, false},
		{data.Errorf(data.EINVALID, "bad address"), false},
		{fmt.Errorf("mail: %w", &textproto.Error{Code: 451, Msg: "later"}), true},
		{fmt.Errorf("mail: %w", &textproto.Error{Code: 535, Msg: "auth failed"}), false},
		{&net.OpError{Op: "dial", Net: "tcp", Err: errors.New("connection refused")}, true},
		{errors.New("STARTTLS mode set to: \"TLSMandatory\", but target host does not support STARTTLS"), false},
	} {
		if got := IsTemporary(tc.err); got != tc.want {
			t.Errorf("IsTemporary(%v) = %v, want %v", tc.err, got, tc.want)
		}
	}
}
