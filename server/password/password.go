// Package password hashes and checks passwords, applies the password policy,
// and makes the secrets that are sent or handed out: generated passwords,
// one-time codes typed from a mail, and session tokens.
//
// Passwords are hashed with argon2id at OWASP's minimum parameters (m=19 MiB,
// t=2, p=1) and stored in the PHC string form, so that the parameters can be
// raised later: Verify reads them from the stored string and says when a hash
// should be redone at the current ones. The policy follows NIST SP 800-63B and
// OWASP ASVS 5.0 §6.2: a minimum and a maximum length, no composition rules,
// and a refusal of the e-mail address, of the generated password and of the
// most common passwords.
//
// No function of this package logs or returns a password, a code or a token
// in an error.
package password

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"runtime"
	"strconv"
	"strings"

	"golang.org/x/crypto/argon2"
)

// The current argon2id parameters: OWASP's minimum for argon2id (Password
// Storage Cheat Sheet): 19 MiB of memory, 2 passes, 1 lane; a 16-byte salt and
// a 32-byte key. Raising them makes Verify report needsRehash for older
// hashes, which the caller then replaces at the next successful login.
const (
	Memory    = 19 * 1024 // KiB
	Time      = 2
	Threads   = 1
	SaltLen   = 16
	KeyLen    = 32
	algorithm = "argon2id"
)

// Bounds on the parameters accepted from a stored hash, so that a corrupt or
// hostile string cannot make Verify allocate without limit or accept a
// trivially weak hash as well formed.
const (
	maxMemory  = 1 << 20 // KiB: 1 GiB
	maxTime    = 64
	minSaltLen = 8
	minKeyLen  = 16
	maxLen     = 1024 // bytes of salt or key
)

// ErrMalformed is returned by Verify for a stored hash that is not a valid
// argon2id PHC string. Its text says what is wrong, never the hash itself.
var ErrMalformed = errors.New("password: malformed argon2id hash")

// b64 is the PHC encoding: standard base64 without padding.
var b64 = base64.RawStdEncoding

// slots bounds how many argon2 computations run at once. Each one takes
// Memory KiB; beyond one per core they add no throughput, only memory, so a
// burst of logins waits here instead of allocating 19 MiB per request.
var slots = make(chan struct{}, max(runtime.GOMAXPROCS(0), 1))

// params is the decoded content of a PHC string.
type params struct {
	memory  uint32
	time    uint32
	threads uint8
	salt    []byte
	key     []byte
}

// Hash returns the argon2id hash of password at the current parameters, with
// a fresh random salt, in the PHC string form
// $argon2id$v=19$m=19456,t=2,p=1$<salt>$<key> (base64 without padding).
func Hash(password string) (string, error) {
	salt := make([]byte, SaltLen)
	if _, err := rand.Read(salt); err != nil {
		return "", fmt.Errorf("password: reading random salt: %w", err)
	}
	p := params{memory: Memory, time: Time, threads: Threads, salt: salt}
	p.key = derive(password, p, KeyLen)
	return p.encode(), nil
}

// Verify reports whether password matches encoded, a hash made by Hash,
// possibly with other parameters, which it reads from the string. needsRehash
// is true when the password matched and the hash is weaker than the current
// parameters (lower memory, time or lanes, shorter salt or key): the caller
// should then store Hash(password) in its place. err is non-nil, wrapping
// ErrMalformed, only when encoded is not a valid argon2id PHC string; a wrong
// password is ok == false with a nil error. The comparison takes constant
// time.
func Verify(password, encoded string) (ok bool, needsRehash bool, err error) {
	p, err := decode(encoded)
	if err != nil {
		return false, false, err
	}
	key := derive(password, p, uint32(len(p.key)))
	if subtle.ConstantTimeCompare(key, p.key) != 1 {
		return false, false, nil
	}
	return true, p.weak(), nil
}

// dummyHash is a well-formed hash at the current parameters that no password
// matches in practice (its key is all zeroes).
var dummyHash = params{
	memory:  Memory,
	time:    Time,
	threads: Threads,
	salt:    make([]byte, SaltLen),
	key:     make([]byte, KeyLen),
}.encode()

// DummyVerify spends the time of a Verify against a hash at the current
// parameters, and returns nothing. Call it when a login names an e-mail that
// has no account (or an account that cannot log in), so that the answer takes
// as long as for a wrong password and timing does not reveal whether the
// account exists (ASVS 6.3.8).
func DummyVerify(password string) {
	_, _, _ = Verify(password, dummyHash)
}

// derive runs argon2id, holding one of the slots meanwhile.
func derive(password string, p params, keyLen uint32) []byte {
	slots <- struct{}{}
	defer func() { <-slots }()
	return argon2.IDKey([]byte(password), p.salt, p.time, p.memory, p.threads, keyLen)
}

// weak reports whether p is below the current parameters.
func (p params) weak() bool {
	return p.memory < Memory || p.time < Time || p.threads < Threads ||
		len(p.salt) < SaltLen || len(p.key) < KeyLen
}

// encode returns the PHC string of p.
func (p params) encode() string {
	return fmt.Sprintf("$%s$v=%d$m=%d,t=%d,p=%d$%s$%s",
		algorithm, argon2.Version, p.memory, p.time, p.threads,
		b64.EncodeToString(p.salt), b64.EncodeToString(p.key))
}

// decode parses a PHC string of argon2id, version 19, with the parameters m,
// t and p in that order and nothing else, within sane bounds.
func decode(encoded string) (params, error) {
	var p params
	fields := strings.Split(encoded, "$")
	// "", "argon2id", "v=19", "m=..,t=..,p=..", salt, key
	if len(fields) != 6 || fields[0] != "" {
		return p, fmt.Errorf("%w: want 5 fields separated by $", ErrMalformed)
	}
	if fields[1] != algorithm {
		return p, fmt.Errorf("%w: algorithm is not %s", ErrMalformed, algorithm)
	}
	if fields[2] != "v="+strconv.Itoa(argon2.Version) {
		return p, fmt.Errorf("%w: version is not %d", ErrMalformed, argon2.Version)
	}
	kv := strings.Split(fields[3], ",")
	if len(kv) != 3 {
		return p, fmt.Errorf("%w: want parameters m, t and p", ErrMalformed)
	}
	var vals [3]uint64
	for i, name := range []string{"m", "t", "p"} {
		v, ok := strings.CutPrefix(kv[i], name+"=")
		if !ok {
			return p, fmt.Errorf("%w: want parameter %s in position %d", ErrMalformed, name, i+1)
		}
		// Base 10 accepts decimal digits only: no sign, no underscore.
		n, err := strconv.ParseUint(v, 10, 32)
		if err != nil {
			return p, fmt.Errorf("%w: parameter %s is not a number up to 2³²-1", ErrMalformed, name)
		}
		vals[i] = n
	}
	p.memory, p.time = uint32(vals[0]), uint32(vals[1])
	if vals[2] < 1 || vals[2] > 255 {
		return p, fmt.Errorf("%w: parameter p must be 1 to 255", ErrMalformed)
	}
	p.threads = uint8(vals[2])
	if p.time < 1 || p.time > maxTime {
		return p, fmt.Errorf("%w: parameter t must be 1 to %d", ErrMalformed, maxTime)
	}
	if p.memory < 8*uint32(p.threads) || p.memory > maxMemory {
		return p, fmt.Errorf("%w: parameter m must be 8×p to %d KiB", ErrMalformed, maxMemory)
	}
	var err error
	if p.salt, err = decodeB64(fields[4], minSaltLen); err != nil {
		return p, fmt.Errorf("%w: salt: %v", ErrMalformed, err)
	}
	if p.key, err = decodeB64(fields[5], minKeyLen); err != nil {
		return p, fmt.Errorf("%w: key: %v", ErrMalformed, err)
	}
	return p, nil
}

// decodeB64 decodes unpadded standard base64 of minLen to maxLen bytes.
func decodeB64(s string, minLen int) ([]byte, error) {
	if len(s) > b64.EncodedLen(maxLen) {
		return nil, errors.New("too long")
	}
	b, err := b64.Strict().DecodeString(s)
	if err != nil {
		return nil, errors.New("not unpadded base64")
	}
	if len(b) < minLen {
		return nil, fmt.Errorf("shorter than %d bytes", minLen)
	}
	return b, nil
}
