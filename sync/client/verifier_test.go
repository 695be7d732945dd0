package client

import (
	"context"
	"strings"
	"testing"

	"espacepro/data"
	"espacepro/server/password"
	"espacepro/sync/wire"
)

func TestVerifier(t *testing.T) {
	v, err := hashVerifier("Cerisier-42 été")
	must(t, err, "hashVerifier")
	if !strings.HasPrefix(v, "$argon2id$v=19$m=19456,t=2,p=1$") {
		t.Errorf("verifier %q is not the PHC form", v)
	}
	if ok, err := checkVerifier("Cerisier-42 été", v); !ok || err != nil {
		t.Errorf("right password: %v, %v", ok, err)
	}
	for _, wrong := range []string{"", "cerisier-42 été", "Cerisier-42 ete", "Cerisier-42 été "} {
		if ok, err := checkVerifier(wrong, v); ok || err != nil {
			t.Errorf("wrong password %q: %v, %v", wrong, ok, err)
		}
	}
	if v2, _ := hashVerifier("Cerisier-42 été"); v2 == v {
		t.Error("two verifiers of one password are equal: no salt")
	}
	// The same form as the service's hashes, both ways.
	h, err := password.Hash("Cerisier-42 été")
	must(t, err, "password.Hash")
	if ok, err := checkVerifier("Cerisier-42 été", h); !ok || err != nil {
		t.Errorf("service hash: %v, %v", ok, err)
	}
	if ok, _, err := password.Verify("Cerisier-42 été", v); !ok || err != nil {
		t.Errorf("password.Verify of a client verifier: %v, %v", ok, err)
	}
	for _, bad := range []string{"", "plain", "$argon2i$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ$a2V5a2V5a2V5a2V5a2V5",
		"$argon2id$v=19$m=99999999,t=2,p=1$c2FsdHNhbHRzYWx0$a2V5a2V5a2V5a2V5a2V5a2V5",
		"$argon2id$v=19$m=19456,t=0,p=1$c2FsdHNhbHRzYWx0$a2V5a2V5a2V5a2V5a2V5a2V5",
		"$argon2id$v=19$t=2,m=19456,p=1$c2FsdHNhbHRzYWx0$a2V5a2V5a2V5a2V5a2V5a2V5",
		"$argon2id$v=19$m=19456,t=2,p=1$!!$a2V5a2V5a2V5a2V5a2V5a2V5",
		"$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHRzYWx0$a2V5"} {
		if ok, err := checkVerifier("x", bad); ok || err == nil {
			t.Errorf("malformed %q: %v, %v", bad, ok, err)
		}
	}
}

func TestUnlockNeedsAnOnlineLoginFirst(t *testing.T) {
	ctx := context.Background()
	l := openTestLocal(t)
	c := offlineClient(t, l)
	_, err := c.Unlock(ctx, "sophie@example.org", "Cerisier-42")
	if data.ErrorCode(err) != data.EUNAUTHORIZED || !strings.Contains(data.ErrorMessage(err), "une première fois") {
		t.Errorf("Unlock before any login: %v", err)
	}
	// What an online login leaves behind.
	must(t, c.adopt(ctx, &wire.Account{ID: "a1", Email: "Sophie@Example.org", Role: "assistant_maternel", FirstName: "Sophie"}), "adopt")
	must(t, c.rememberPassword(ctx, "Cerisier-42"), "rememberPassword")
	acc, err := c.Unlock(ctx, " sophie@example.org", "Cerisier-42")
	if err != nil || acc.ID != "a1" || acc.FirstName != "Sophie" {
		t.Errorf("Unlock: %+v, %v", acc, err)
	}
	for _, tc := range [][2]string{{"sophie@example.org", "cerisier-42"}, {"autre@example.org", "Cerisier-42"}} {
		_, err := c.Unlock(ctx, tc[0], tc[1])
		if data.ErrorCode(err) != data.EUNAUTHORIZED || !strings.Contains(data.ErrorMessage(err), "incorrect") {
			t.Errorf("Unlock(%q, %q): %v", tc[0], tc[1], err)
		}
	}
}
