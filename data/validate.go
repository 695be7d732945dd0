package data

import (
	"net/mail"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Civility is « M » or « Mme ».
type Civility string

// The two civilities; the 2012 circular retired « Mademoiselle ».
const (
	CivilityM   Civility = "M"
	CivilityMme Civility = "Mme"
)

// ParseCivility reads a civility as typed or imported: « Melle », « Mlle »
// and « Mademoiselle » are accepted as Mme.
func ParseCivility(s string) (Civility, error) {
	switch strings.ToLower(strings.Trim(strings.TrimSpace(s), ".")) {
	case "m", "mr", "monsieur":
		return CivilityM, nil
	case "mme", "madame", "melle", "mlle", "mademoiselle":
		return CivilityMme, nil
	}
	return "", Errorf(EINVALID, "Civilité « %s » inconnue : choisissez M ou Mme.", s)
}

// NormalizePhone checks a French telephone number and returns it in the
// stored form: ten digits starting with 0 (« 0612345678 »). Spaces, dots,
// dashes and the +33 / 0033 prefixes are accepted, as are the overseas
// prefixes +262, +269, +590, +594, +596.
func NormalizePhone(s string) (string, error) {
	var b strings.Builder
	for i, r := range strings.TrimSpace(s) {
		switch {
		case r >= '0' && r <= '9':
			b.WriteRune(r)
		case r == '+' && i == 0:
			b.WriteRune(r)
		case r == ' ' || r == '.' || r == '-' || r == '/' || r == '\u00a0' || r == '(' || r == ')':
		default:
			return "", phoneError(s)
		}
	}
	n := b.String()
	switch {
	case strings.HasPrefix(n, "+33"):
		n = "0" + strings.TrimPrefix(strings.TrimPrefix(n, "+33"), "0")
	case strings.HasPrefix(n, "0033"):
		n = "0" + strings.TrimPrefix(strings.TrimPrefix(n, "0033"), "0")
	case strings.HasPrefix(n, "+262"), strings.HasPrefix(n, "+269"), strings.HasPrefix(n, "+590"),
		strings.HasPrefix(n, "+594"), strings.HasPrefix(n, "+596"):
		n = overseasNational(n[1:])
	}
	if len(n) != 10 || n[0] != '0' || n[1] == '0' {
		return "", phoneError(s)
	}
	return n, nil
}

// overseasNational turns an international overseas number (262692123456)
// into its national form (0692123456).
func overseasNational(n string) string {
	if len(n) != 12 {
		return n
	}
	return "0" + n[3:]
}

func phoneError(s string) error {
	return Errorf(EINVALID, "Numéro de téléphone « %s » invalide : indiquez 10 chiffres, par exemple 01 23 45 67 89.", s)
}

// FormatPhone returns the stored form grouped by two: « 06 12 34 56 78 ».
func FormatPhone(n string) string {
	if len(n) != 10 {
		return n
	}
	return n[0:2] + " " + n[2:4] + " " + n[4:6] + " " + n[6:8] + " " + n[8:10]
}

// ValidateEmail checks the syntax of an e-mail address: one address, no
// display name, a domain with a dot.
func ValidateEmail(s string) error {
	bad := Errorf(EINVALID, "Adresse électronique « %s » invalide : elle doit avoir la forme nom@domaine.fr.", s)
	if s == "" {
		return Errorf(EINVALID, "Indiquez votre adresse électronique.")
	}
	if len(s) > 254 || strings.TrimSpace(s) != s {
		return bad
	}
	a, err := mail.ParseAddress(s)
	if err != nil || a.Address != s || a.Name != "" {
		return bad
	}
	at := strings.LastIndexByte(s, '@')
	domain := s[at+1:]
	if !strings.Contains(domain, ".") || strings.HasPrefix(domain, ".") || strings.HasSuffix(domain, ".") {
		return bad
	}
	return nil
}

// NormalizeEmail returns the form used to compare and look up addresses:
// trimmed and lower case.
func NormalizeEmail(s string) string { return strings.ToLower(strings.TrimSpace(s)) }

// ValidatePostalCodeSyntax checks that s is five digits; whether the code
// exists is Reference.CommunesOfPostalCode's business.
func ValidatePostalCodeSyntax(s string) error {
	if len(s) != 5 {
		return Errorf(EINVALID, "Code postal « %s » invalide : il doit comporter 5 chiffres.", s)
	}
	for _, r := range s {
		if r < '0' || r > '9' {
			return Errorf(EINVALID, "Code postal « %s » invalide : il doit comporter 5 chiffres.", s)
		}
	}
	return nil
}

// maxNameLength bounds names and street names.
const maxNameLength = 100

func validateName(f FieldErrors, field, value, missing string) {
	v := strings.TrimSpace(value)
	switch {
	case v == "":
		f.Add(field, missing)
	case utf8.RuneCountInString(v) > maxNameLength:
		f.Add(field, "Ce champ est trop long (100 caractères au plus).")
	case strings.IndexFunc(v, unicode.IsControl) >= 0 || strings.IndexFunc(v, unicode.IsDigit) >= 0:
		f.Add(field, "Ce champ ne doit contenir que des lettres, espaces, tirets et apostrophes.")
	}
}

func validatePerson(f FieldErrors, c Civility, last, first string) {
	if c != CivilityM && c != CivilityMme {
		f.Add("civility", "Choisissez votre civilité : M ou Mme.")
	}
	validateName(f, "last_name", last, "Indiquez votre nom.")
	validateName(f, "first_name", first, "Indiquez votre prénom.")
}

// validateAddress checks the street, postal code and commune of a, filling
// in the commune's INSEE code and name when the commune is found.
func validateAddress(f FieldErrors, ref *Reference, a *Address) {
	if strings.TrimSpace(a.StreetName) == "" {
		f.Add("street_name", "Indiquez le nom de voie.")
	} else if utf8.RuneCountInString(a.StreetName) > maxNameLength {
		f.Add("street_name", "Ce champ est trop long (100 caractères au plus).")
	}
	if len(a.Number) > 10 {
		f.Add("street_number", "N° de voie trop long (10 caractères au plus).")
	}
	if len(a.StreetType) > 30 {
		f.Add("street_type", "Type de voie trop long (30 caractères au plus).")
	}
	if a.PostalCode == "" {
		f.Add("postal_code", "Indiquez le code postal.")
		return
	}
	c, err := ref.ResolveCommune(a.PostalCode, a.CommuneName, a.CommuneINSEE)
	if err != nil {
		field := "commune"
		if ErrorCode(err) == ENOTFOUND || ValidatePostalCodeSyntax(a.PostalCode) != nil {
			field = "postal_code"
		}
		f.Add(field, ErrorMessage(err))
		return
	}
	a.CommuneINSEE, a.CommuneName = c.INSEE, c.Name
}
