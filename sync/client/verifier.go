package client

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"golang.org/x/crypto/argon2"
)

// The offline verifier of the password (SPEC §6): after one successful
// online login, the local copy keeps an argon2id hash of the password so
// that the user can unlock the copy offline. It is the PHC string form that
// server/password writes, at the same parameters (OWASP's minimum for
// argon2id); it is written here rather than imported because sync sits
// below server in the dependency order.
const (
	verifierMemory  = 19 * 1024 // KiB
	verifierTime    = 2
	verifierThreads = 1
	verifierSaltLen = 16
	verifierKeyLen  = 32
)

// errMalformedVerifier is returned for a stored verifier that is not an
// argon2id PHC string within sane bounds.
var errMalformedVerifier = errors.New("client: malformed password verifier")

var phc = base64.RawStdEncoding

// hashVerifier returns the argon2id PHC string of password with a new salt.
func hashVerifier(password string) (string, error) {
	salt := make([]byte, verifierSaltLen)
	if _, err := rand.Read(salt); err != nil {
		return "", fmt.Errorf("client: random salt: %w", err)
	}
	key := argon2.IDKey([]byte(password), salt, verifierTime, verifierMemory, verifierThreads, verifierKeyLen)
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, verifierMemory,
		verifierTime, verifierThreads, phc.EncodeToString(salt), phc.EncodeToString(key)), nil
}

// checkVerifier reports whether password matches encoded, in constant time.
// A wrong password is false with a nil error.
func checkVerifier(password, encoded string) (bool, error) {
	parts := strings.Split(encoded, "$")
	if len(parts) != 6 || parts[0] != "" || parts[1] != "argon2id" || parts[2] != "v="+strconv.Itoa(argon2.Version) {
		return false, errMalformedVerifier
	}
	var m, t, p uint64
	params := strings.Split(parts[3], ",")
	if len(params) != 3 {
		return false, errMalformedVerifier
	}
	for i, into := range []*uint64{&m, &t, &p} {
		v, ok := strings.CutPrefix(params[i], string("mtp"[i])+"=")
		n, err := strconv.ParseUint(v, 10, 32)
		if !ok || err != nil {
			return false, errMalformedVerifier
		}
		*into = n
	}
	if p < 1 || p > 255 || t < 1 || t > 64 || m < 8*p || m > 1<<20 {
		return false, errMalformedVerifier
	}
	salt, err1 := phc.DecodeString(parts[4])
	key, err2 := phc.DecodeString(parts[5])
	if err1 != nil || err2 != nil || len(salt) < 8 || len(key) < 16 || len(salt) > 1024 || len(key) > 1024 {
		return false, errMalformedVerifier
	}
	got := argon2.IDKey([]byte(password), salt, uint32(t), uint32(m), uint8(p), uint32(len(key)))
	return subtle.ConstantTimeCompare(got, key) == 1, nil
}
