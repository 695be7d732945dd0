package password

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"strings"
	"unicode"
)

// Alphabets of the secrets a person reads and types. None holds characters
// that look alike in common fonts: 0, O and o; 1, l and I.
const (
	genUpper  = "ABCDEFGHJKLMNPQRSTUVWXYZ" // no I, O
	genLower  = "abcdefghijkmnpqrstuvwxyz" // no l, o
	genDigits = "23456789"                 // no 0, 1
	genChars  = genUpper + genLower + genDigits

	// codeChars has 32 symbols, so each character of a code carries 5 bits
	// and a 10-character code 50 bits. A code is read upper-case, where L
	// is not mistaken for 1.
	codeChars = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
)

// Sizes of generated secrets.
const (
	GeneratedLength = 8  // characters of a generated password
	CodeLength      = 10 // characters of a one-time code, dashes apart
	codeGroup       = 4  // a code is shown in groups of this many characters
	tokenBytes      = 16 // 128 bits, the least OWASP ASVS 5.0 asks of a session token
)

// Generate returns a new password of GeneratedLength characters, such as
// « x1WisU2H » but without look-alike characters, with at least one
// upper-case letter, one lower-case letter and one digit. It is drawn
// uniformly from crypto/rand among all such strings (about 2⁴⁶ of them):
// characters by rejection sampling, so with no modulo bias, and whole
// passwords lacking a class are drawn again.
func Generate() (string, error) {
	for {
		s, err := randomString(genChars, GeneratedLength)
		if err != nil {
			return "", err
		}
		if strings.ContainsAny(s, genUpper) && strings.ContainsAny(s, genLower) && strings.ContainsAny(s, genDigits) {
			return s, nil
		}
	}
}

// NewCode returns a new one-time code to send by mail and type back, and the
// hash to store instead of it. The code has CodeLength characters drawn
// uniformly from upper-case letters and digits without look-alikes, shown in
// groups of four, as « ABCD-EFGH-JK »; hash is HashCode(code).
func NewCode() (code string, hash string, err error) {
	raw, err := randomString(codeChars, CodeLength)
	if err != nil {
		return "", "", err
	}
	var b strings.Builder
	for i := 0; i < len(raw); i += codeGroup {
		if i > 0 {
			b.WriteByte('-')
		}
		b.WriteString(raw[i:min(i+codeGroup, len(raw))])
	}
	code = b.String()
	return code, HashCode(code), nil
}

// HashCode returns the hash to store for a one-time code, or to look a typed
// code up with: hex SHA-256 of the code normalised as a person may type it,
// that is without spaces or dashes anywhere and upper-cased, so that
// « abcd efgh jk » and « ABCD-EFGH-JK » hash alike.
//
// A fast hash is right here, unlike for passwords: a code is random (50
// bits), valid for a short time, used once, and its attempts are limited, so
// the hash only has to keep a copy of the database from yielding usable
// codes, and a slow hash would not make a short-lived random secret any
// harder to guess online.
func HashCode(code string) string {
	norm := strings.Map(func(r rune) rune {
		if unicode.IsSpace(r) || unicode.Is(unicode.Pd, r) {
			return -1
		}
		return unicode.ToUpper(r)
	}, code)
	sum := sha256.Sum256([]byte(norm))
	return hex.EncodeToString(sum[:])
}

// NewToken returns a new session token, 128 random bits in base64url without
// padding (22 characters), and the hash to store instead of it,
// HashToken(token). Only the hash is kept on the server, so a copy of the
// database does not yield usable sessions.
func NewToken() (token string, hash string, err error) {
	b := make([]byte, tokenBytes)
	if _, err := rand.Read(b); err != nil {
		return "", "", fmt.Errorf("password: reading random token: %w", err)
	}
	token = base64.RawURLEncoding.EncodeToString(b)
	return token, HashToken(token), nil
}

// HashToken returns the hex SHA-256 of token, as given. A fast hash is right
// for a 128-bit random token: there is nothing to guess a dictionary from.
func HashToken(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// randomString returns n characters drawn uniformly and independently from
// alphabet (at most 256 single-byte characters) using crypto/rand. Bytes at
// or above the largest multiple of len(alphabet) are rejected, so that the
// modulo favours no character.
func randomString(alphabet string, n int) (string, error) {
	k := len(alphabet)
	limit := 256 - 256%k // bytes below limit map uniformly onto alphabet
	out := make([]byte, 0, n)
	buf := make([]byte, n+n/2)
	for len(out) < n {
		if _, err := rand.Read(buf); err != nil {
			return "", fmt.Errorf("password: reading random bytes: %w", err)
		}
		for _, c := range buf {
			if int(c) < limit {
				out = append(out, alphabet[int(c)%k])
				if len(out) == n {
					break
				}
			}
		}
	}
	return string(out), nil
}
