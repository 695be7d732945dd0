package password

import (
	"encoding/base64"
	"errors"
	"regexp"
	"strings"
	"testing"
	"unicode/utf8"

	"espacepro/data"
)

// lowHash returns a hash of pw at parameters below the current ones, as an
// older version of the service might have stored.
func lowHash(t testing.TB, pw string, memory, time uint32, saltLen, keyLen int) string {
	t.Helper()
	p := params{memory: memory, time: time, threads: 1, salt: make([]byte, saltLen)}
	for i := range p.salt {
		p.salt[i] = byte(i + 1)
	}
	p.key = derive(pw, p, uint32(keyLen))
	return p.encode()
}

func TestHashVerify(t *testing.T) {
	for _, pw := range []string{"x1WisU2H", "correct horse battery staple", "crèche-été 2025 ✓", ""} {
		enc, err := Hash(pw)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(enc, "$argon2id$v=19$m=19456,t=2,p=1$") {
			t.Fatalf("Hash(%q) = %q, want the PHC form at m=19456,t=2,p=1", pw, enc)
		}
		parts := strings.Split(enc, "$")
		if salt, _ := base64.RawStdEncoding.DecodeString(parts[4]); len(salt) != SaltLen {
			t.Errorf("salt of %d bytes, want %d", len(salt), SaltLen)
		}
		if key, _ := base64.RawStdEncoding.DecodeString(parts[5]); len(key) != KeyLen {
			t.Errorf("key of %d bytes, want %d", len(key), KeyLen)
		}
		ok, rehash, err := Verify(pw, enc)
		if err != nil || !ok || rehash {
			t.Errorf("Verify(%q, Hash) = %v, %v, %v; want true, false, nil", pw, ok, rehash, err)
		}
		ok, rehash, err = Verify(pw+"x", enc)
		if err != nil || ok || rehash {
			t.Errorf("Verify(wrong password) = %v, %v, %v; want false, false, nil", ok, rehash, err)
		}
	}
}

func TestVerifyWrongPassword(t *testing.T) {
	enc, err := Hash("x1WisU2H")
	if err != nil {
		t.Fatal(err)
	}
	for _, wrong := range []string{"X1WISU2H", "x1WisU2", "x1WisU2H ", ""} {
		if ok, _, err := Verify(wrong, enc); ok || err != nil {
			t.Errorf("Verify(%q) = %v, %v; want false, nil", wrong, ok, err)
		}
	}
}

func TestHashSalted(t *testing.T) {
	a, err := Hash("motdepasse-unique")
	if err != nil {
		t.Fatal(err)
	}
	b, err := Hash("motdepasse-unique")
	if err != nil {
		t.Fatal(err)
	}
	if a == b {
		t.Fatalf("two hashes of the same password are equal: %q", a)
	}
	if strings.Split(a, "$")[4] == strings.Split(b, "$")[4] {
		t.Fatal("two hashes share their salt")
	}
}

func TestVerifyMalformed(t *testing.T) {
	good, err := Hash("x1WisU2H")
	if err != nil {
		t.Fatal(err)
	}
	f := strings.Split(good, "$")
	salt, key := f[4], f[5]
	join := func(parts ...string) string { return strings.Join(parts, "$") }
	cases := map[string]string{
		"empty":           "",
		"garbage":         "not a hash",
		"bcrypt":          "$2a$10$N9qo8uLOickgx2ZMRZoMyeIjZAgcfl7p92ldGxad68LJZdL17lhWy",
		"argon2i":         join("", "argon2i", "v=19", "m=19456,t=2,p=1", salt, key),
		"argon2d":         join("", "argon2d", "v=19", "m=19456,t=2,p=1", salt, key),
		"no version":      join("", "argon2id", "m=19456,t=2,p=1", salt, key),
		"version 16":      join("", "argon2id", "v=16", "m=19456,t=2,p=1", salt, key),
		"leading text":    "x" + good,
		"trailing field":  good + "$",
		"params order":    join("", "argon2id", "v=19", "t=2,m=19456,p=1", salt, key),
		"missing p":       join("", "argon2id", "v=19", "m=19456,t=2", salt, key),
		"extra param":     join("", "argon2id", "v=19", "m=19456,t=2,p=1,k=1", salt, key),
		"m not a number":  join("", "argon2id", "v=19", "m=lots,t=2,p=1", salt, key),
		"negative t":      join("", "argon2id", "v=19", "m=19456,t=-2,p=1", salt, key),
		"plus t":          join("", "argon2id", "v=19", "m=19456,t=+2,p=1", salt, key),
		"t zero":          join("", "argon2id", "v=19", "m=19456,t=0,p=1", salt, key),
		"t huge":          join("", "argon2id", "v=19", "m=19456,t=100000,p=1", salt, key),
		"p zero":          join("", "argon2id", "v=19", "m=19456,t=2,p=0", salt, key),
		"p 256":           join("", "argon2id", "v=19", "m=19456,t=2,p=256", salt, key),
		"m too small":     join("", "argon2id", "v=19", "m=4,t=2,p=1", salt, key),
		"m too large":     join("", "argon2id", "v=19", "m=4194304,t=2,p=1", salt, key),
		"m overflow":      join("", "argon2id", "v=19", "m=99999999999,t=2,p=1", salt, key),
		"salt not base64": join("", "argon2id", "v=19", "m=19456,t=2,p=1", "!!!!", key),
		"salt padded":     join("", "argon2id", "v=19", "m=19456,t=2,p=1", salt+"==", key),
		"salt empty":      join("", "argon2id", "v=19", "m=19456,t=2,p=1", "", key),
		"salt too short":  join("", "argon2id", "v=19", "m=19456,t=2,p=1", "AAAA", key),
		"key empty":       join("", "argon2id", "v=19", "m=19456,t=2,p=1", salt, ""),
		"key too short":   join("", "argon2id", "v=19", "m=19456,t=2,p=1", salt, "AAAAAAAA"),
		"key url base64":  join("", "argon2id", "v=19", "m=19456,t=2,p=1", salt, strings.NewReplacer("+", "-", "/", "_").Replace(key)+"-_"),
	}
	for name, enc := range cases {
		ok, rehash, err := Verify("x1WisU2H", enc)
		if err == nil || !errors.Is(err, ErrMalformed) || ok || rehash {
			t.Errorf("%s: Verify(%q) = %v, %v, %v; want false, false, ErrMalformed", name, enc, ok, rehash, err)
			continue
		}
		if strings.Contains(err.Error(), "x1WisU2H") || (key != "" && strings.Contains(err.Error(), key)) {
			t.Errorf("%s: error reveals a secret: %v", name, err)
		}
	}
}

func TestVerifyNeedsRehash(t *testing.T) {
	const pw = "ancien mot de passe"
	cases := map[string]string{
		"lower memory": lowHash(t, pw, 4096, Time, SaltLen, KeyLen),
		"lower time":   lowHash(t, pw, Memory, 1, SaltLen, KeyLen),
		"shorter salt": lowHash(t, pw, Memory, Time, 8, KeyLen),
		"shorter key":  lowHash(t, pw, Memory, Time, SaltLen, 16),
	}
	for name, enc := range cases {
		ok, rehash, err := Verify(pw, enc)
		if err != nil || !ok || !rehash {
			t.Errorf("%s: Verify = %v, %v, %v; want true, true, nil", name, ok, rehash, err)
		}
		// A wrong password never asks for a rehash.
		if ok, rehash, err := Verify("autre", enc); err != nil || ok || rehash {
			t.Errorf("%s: Verify(wrong) = %v, %v, %v; want false, false, nil", name, ok, rehash, err)
		}
	}
	// Higher parameters than the current ones are accepted and kept.
	enc := lowHash(t, pw, Memory+1024, Time+1, SaltLen, KeyLen)
	if ok, rehash, err := Verify(pw, enc); err != nil || !ok || rehash {
		t.Errorf("higher params: Verify = %v, %v, %v; want true, false, nil", ok, rehash, err)
	}
}

func TestDummyVerify(t *testing.T) {
	if _, err := decode(dummyHash); err != nil {
		t.Fatalf("dummy hash is malformed: %v", err)
	}
	p, _ := decode(dummyHash)
	if p.weak() {
		t.Fatal("dummy hash is below the current parameters, so it would be faster than a real Verify")
	}
	DummyVerify("x1WisU2H") // must not panic
}

// checkErr asserts that err is an EINVALID *data.Error whose message
// contains want.
func checkErr(t *testing.T, name string, err error, want string) {
	t.Helper()
	if err == nil {
		t.Errorf("%s: accepted, want refused with %q", name, want)
		return
	}
	var e *data.Error
	if !errors.As(err, &e) || e.Code != data.EINVALID {
		t.Errorf("%s: error %v, want a *data.Error with code %s", name, err, data.EINVALID)
		return
	}
	if !strings.Contains(e.Message, want) {
		t.Errorf("%s: message %q, want it to contain %q", name, e.Message, want)
	}
}

func TestPolicyMin(t *testing.T) {
	for in, want := range map[int]int{0: 8, -3: 6, 1: 6, 5: 6, 6: 6, 7: 7, 8: 8, 12: 12, 500: MaxLength} {
		if got := (Policy{MinLength: in}).Min(); got != want {
			t.Errorf("Policy{MinLength: %d}.Min() = %d, want %d", in, got, want)
		}
	}
}

func TestPolicyCheck(t *testing.T) {
	const (
		email     = "Marie.Dupont@Example.fr"
		generated = "x1WisU2H"
	)
	const (
		short    = "Le mot de passe doit comporter au moins 8 caractères."
		short6   = "Le mot de passe doit comporter au moins 6 caractères."
		long     = "ne doit pas dépasser 128 caractères"
		isEmail  = "ne doit pas être votre adresse électronique"
		isLocal  = "la partie avant « @ »"
		isGen    = "différent de celui qui vous a été envoyé"
		isCommon = "Ce mot de passe fait partie des plus courants : choisissez-en un autre."
	)
	def := Policy{}
	six := Policy{MinLength: 6}
	low := Policy{MinLength: 3}
	refused := []struct {
		name string
		p    Policy
		pw   string
		want string
	}{
		{"7 chars, default", def, "k7#pQ2z", short},
		{"empty", def, "", short},
		{"7 runes of 14 bytes", def, "éèàùçœæ", short},
		{"5 chars, MinLength 6", six, "k7#pQ", short6},
		{"5 chars, MinLength 3", low, "k7#pQ", short6},
		{"129 chars", def, strings.Repeat("é", 129), long},
		{"e-mail", def, email, isEmail},
		{"e-mail, other case", def, "marie.dupont@example.FR", isEmail},
		{"e-mail with spaces", def, " marie.dupont@example.fr ", isEmail},
		{"local part", def, "marie.dupont", isLocal},
		{"local part, upper case", def, "MARIE.DUPONT", isLocal},
		{"generated", def, generated, isGen},
		{"generated, other case", def, "X1WISU2H", isGen},
		{"azerty123", def, "azerty123", isCommon},
		{"AZERTY123", def, "AZERTY123", isCommon},
		{"Password1", def, "Password1", isCommon},
		{"password", def, "password", isCommon},
		{"motdepasse", def, "MotDePasse", isCommon},
		{"azerty, MinLength 6", six, "azerty", isCommon},
		{"soleil, MinLength 6", six, "Soleil", isCommon},
		{"common with a trailing space", def, "azerty123 ", isCommon},
		{"French first name", def, "Nathalie", isCommon},
		{"marseille", def, "marseille", isCommon},
	}
	for _, c := range refused {
		checkErr(t, c.name, c.p.Check(c.pw, email, generated), c.want)
	}

	accepted := []struct {
		name string
		p    Policy
		pw   string
	}{
		{"8 chars", def, "k7#pQ2zw"},
		{"6 chars, MinLength 6", six, "k7#pQ2"},
		{"128 chars", def, strings.Repeat("é", 128)},
		{"spaces", def, "ma nounou est là"},
		{"lower case only, no digit", def, "tournesol bleu"},
		{"contains the e-mail local part", def, "marie.dupont.2025!"},
		{"no e-mail, no generated", def, "k7#pQ2zw"},
	}
	for _, c := range accepted {
		if err := c.p.Check(c.pw, email, generated); err != nil {
			t.Errorf("%s: Check(%q) = %v, want nil", c.name, c.pw, err)
		}
	}
	// Empty e-mail and generated password are not compared with.
	if err := def.Check("k7#pQ2zw", "", ""); err != nil {
		t.Errorf("Check with no e-mail = %v", err)
	}
	if err := def.Check("k7#pQ2zw", "@", ""); err != nil {
		t.Errorf("Check with e-mail « @ » = %v", err)
	}
}

func TestCommonList(t *testing.T) {
	n := CommonCount()
	if n < 9000 || n > 11000 {
		t.Errorf("common list holds %d passwords, want about 10,000", n)
	}
	for w := range commonSet {
		if w != strings.ToLower(w) || strings.TrimSpace(w) != w || utf8.RuneCountInString(w) < LowestMinLength {
			t.Errorf("list entry %q is not lower-case, trimmed and of 6 characters or more", w)
		}
	}
	for _, w := range []string{"123456789", "password1", "azerty", "azerty123", "motdepasse", "doudou", "chouchou", "nounou", "assmat", "creche", "crèche"} {
		if !IsCommon(w) {
			t.Errorf("IsCommon(%q) = false", w)
		}
	}
	if IsCommon("k7#pQ2zw") {
		t.Error(`IsCommon("k7#pQ2zw") = true`)
	}
}

func TestGenerate(t *testing.T) {
	const draws = 10000
	seen := make([]map[byte]int, GeneratedLength) // per position
	for i := range seen {
		seen[i] = map[byte]int{}
	}
	distinct := map[string]bool{}
	for range draws {
		s, err := Generate()
		if err != nil {
			t.Fatal(err)
		}
		if len(s) != GeneratedLength {
			t.Fatalf("Generate() = %q, want %d characters", s, GeneratedLength)
		}
		if strings.Trim(s, genChars) != "" {
			t.Fatalf("Generate() = %q: character outside the alphabet", s)
		}
		if strings.ContainsAny(s, "0Oo1lI") {
			t.Fatalf("Generate() = %q: look-alike character", s)
		}
		if !strings.ContainsAny(s, genUpper) || !strings.ContainsAny(s, genLower) || !strings.ContainsAny(s, genDigits) {
			t.Fatalf("Generate() = %q: lacks an upper-case letter, a lower-case letter or a digit", s)
		}
		for i := range len(s) {
			seen[i][s[i]]++
		}
		distinct[s] = true
	}
	// About 2⁴⁶ possible passwords: a repeat in 10,000 draws has a
	// probability near 10⁻⁶.
	if len(distinct) < draws-1 {
		t.Errorf("%d distinct passwords in %d draws", len(distinct), draws)
	}
	// Every character at every position: each is expected about 180 times
	// (digits more, as passwords without one are redrawn), so a miss has a
	// probability far below 10⁻⁵⁰ for a uniform generator, while a modulo
	// bias or a dropped character would show.
	for i, m := range seen {
		for j := range len(genChars) {
			c := genChars[j]
			if m[c] == 0 {
				t.Errorf("position %d: %q never drawn in %d passwords", i, c, draws)
			}
			// A loose upper bound that a uniform draw cannot exceed in
			// practice (expected at most ~280, for digits).
			if m[c] > 600 {
				t.Errorf("position %d: %q drawn %d times in %d passwords", i, c, m[c], draws)
			}
		}
	}
}

func TestAlphabets(t *testing.T) {
	for name, a := range map[string]string{"generated": genChars, "code": codeChars} {
		for i := range len(a) {
			if strings.IndexByte(a[i+1:], a[i]) >= 0 {
				t.Errorf("%s alphabet repeats %q", name, a[i])
			}
		}
		if strings.ContainsAny(a, "0Oo1lI") {
			t.Errorf("%s alphabet has a look-alike", name)
		}
	}
	if len(genChars) != 56 || len(codeChars) != 32 {
		t.Errorf("alphabets of %d and %d characters, want 56 and 32", len(genChars), len(codeChars))
	}
}

func TestCodes(t *testing.T) {
	shape := regexp.MustCompile(`^[` + codeChars + `]{4}-[` + codeChars + `]{4}-[` + codeChars + `]{2}$`)
	codes := map[string]bool{}
	for range 1000 {
		code, hash, err := NewCode()
		if err != nil {
			t.Fatal(err)
		}
		if !shape.MatchString(code) {
			t.Fatalf("NewCode() = %q, want « ABCD-EFGH-JK »", code)
		}
		if hash != HashCode(code) || len(hash) != 64 {
			t.Fatalf("NewCode() hash %q, want HashCode(code), 64 hex digits", hash)
		}
		codes[code] = true
		typed := []string{
			strings.ToLower(code),
			" " + strings.ReplaceAll(code, "-", " ") + " ",
			strings.ReplaceAll(code, "-", ""),
			strings.ToLower(strings.ReplaceAll(code, "-", "  ")),
			strings.ReplaceAll(code, "-", "–"), // en dash from a word processor
			"\t" + code + "\n",
		}
		for _, s := range typed {
			if HashCode(s) != hash {
				t.Fatalf("HashCode(%q) differs from HashCode(%q)", s, code)
			}
		}
	}
	if len(codes) < 1000 {
		t.Errorf("%d distinct codes in 1000", len(codes))
	}
	if HashCode("ABCD-EFGH-JK") == HashCode("ABCD-EFGH-JL") {
		t.Error("different codes hash alike")
	}
	// Known value: hex SHA-256 of "ABCDEFGHJK".
	if got, want := HashCode("abcd-efgh-jk"), "f57cbf1e3e471b25db4b8ad0844df41b2dae9c7d1944944d128e49294d412f66"; got != want {
		t.Errorf("HashCode(%q) = %q, want %q", "abcd-efgh-jk", got, want)
	}
}

func TestTokens(t *testing.T) {
	shape := regexp.MustCompile(`^[A-Za-z0-9_-]{22}$`)
	tokens := map[string]bool{}
	for range 1000 {
		tok, hash, err := NewToken()
		if err != nil {
			t.Fatal(err)
		}
		if !shape.MatchString(tok) {
			t.Fatalf("NewToken() = %q, want 22 base64url characters", tok)
		}
		if b, err := base64.RawURLEncoding.DecodeString(tok); err != nil || len(b) != 16 {
			t.Fatalf("NewToken() = %q: not 16 bytes of base64url (%v)", tok, err)
		}
		if hash != HashToken(tok) || len(hash) != 64 || strings.Trim(hash, "0123456789abcdef") != "" {
			t.Fatalf("NewToken() hash %q, want HashToken(token) in lower-case hex", hash)
		}
		tokens[tok] = true
	}
	if len(tokens) != 1000 {
		t.Errorf("%d distinct tokens in 1000", len(tokens))
	}
	// Tokens are case-sensitive: unlike codes, no normalisation.
	if HashToken("abc") == HashToken("ABC") {
		t.Error("HashToken ignores case")
	}
}

func BenchmarkHash(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Hash("x1WisU2H"); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkVerify(b *testing.B) {
	enc, err := Hash("x1WisU2H")
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if ok, _, _ := Verify("x1WisU2H", enc); !ok {
			b.Fatal("Verify failed")
		}
	}
}

// BenchmarkVerifyParallel shows how many logins per second the machine
// sustains with every core verifying.
func BenchmarkVerifyParallel(b *testing.B) {
	enc, err := Hash("x1WisU2H")
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if ok, _, _ := Verify("x1WisU2H", enc); !ok {
				b.Error("Verify failed")
				return
			}
		}
	})
}

func BenchmarkPolicyCheck(b *testing.B) {
	p := Policy{}
	IsCommon("") // load the list outside the measure
	b.ReportAllocs()
	for b.Loop() {
		if err := p.Check("tournesol bleu 42", "marie.dupont@example.fr", "x1WisU2H"); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkGenerate(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Generate(); err != nil {
			b.Fatal(err)
		}
	}
}
