package letter

import (
	"fmt"
	"strings"
	"unicode"

	"espacepro/data"

	"golang.org/x/text/unicode/norm"
)

// frenchMonths are the month names of a French date, January first.
var frenchMonths = [...]string{
	"janvier", "février", "mars", "avril", "mai", "juin",
	"juillet", "août", "septembre", "octobre", "novembre", "décembre",
}

// FrenchDate returns d written out the French way: « 29 novembre 2026 »,
// « 1er mai 2027 ». It returns "" for the zero Date or an invalid month.
func FrenchDate(d data.Date) string {
	if d.IsZero() || d.Month < 1 || d.Month > 12 {
		return ""
	}
	day := fmt.Sprint(d.Day)
	if d.Day == 1 {
		day = "1er"
	}
	return fmt.Sprintf("%s %s %d", day, frenchMonths[d.Month-1], d.Year)
}

// dateLine returns « Nanterre, le 29 novembre 2026 », or « Le 29 novembre
// 2026 » when the place is unknown.
func dateLine(place string, d data.Date) string {
	place = strings.TrimSpace(place)
	if place == "" {
		return "Le " + FrenchDate(d)
	}
	return place + ", le " + FrenchDate(d)
}

// cp1252Extra are the characters that Windows-1252 has in 0x80–0x9F, where
// Latin-1 has control codes. Together with printable ASCII and U+00A0–U+00FF
// they are every character the PDF core fonts can show.
const cp1252Extra = "€‚ƒ„…†‡ˆ‰Š‹ŒŽ‘’“”•–—˜™š›œžŸ"

// inCP1252 reports whether r can be written with the core fonts.
func inCP1252(r rune) bool {
	switch {
	case r >= 0x20 && r < 0x7f:
		return true
	case r >= 0xa0 && r <= 0xff:
		return true
	}
	return strings.ContainsRune(cp1252Extra, r)
}

// replacements are the sensible stand-ins for common characters outside
// Windows-1252 that a decomposition does not reduce to one of its letters.
var replacements = map[rune]string{
	'\u2010': "-", '\u2011': "-", '\u2012': "-", '\u2015': "—", '\u2212': "-",
	'\u2032': "'", '\u2033': "\"", '\u02bc': "'", '\u02b9': "'", '\u2035': "'",
	'\u201b': "'", '\u201f': "\"",
	'\u2002': " ", '\u2003': " ", '\u2004': " ", '\u2005': " ", '\u2006': " ",
	'\u2008': " ", '\u2009': " ", '\u200a': " ", '\u205f': " ", '\u3000': " ",
	'\u2007': "\u00a0", '\u202f': "\u00a0", // non-breaking spaces stay non-breaking
	'\u200b': "", '\u200c': "", '\u200d': "", '\u2060': "", '\ufeff': "", '\u00ad': "",
	'ł': "l", 'Ł': "L", 'đ': "d", 'Đ': "D", 'ħ': "h", 'Ħ': "H", 'ı': "i",
	'ŀ': "l", 'Ŀ': "L", 'ŉ': "'n", 'ĳ': "ij", 'Ĳ': "IJ", 'ſ': "s", 'ŧ': "t", 'Ŧ': "T",
	'ŋ': "n", 'Ŋ': "N", 'ĸ': "k", 'ǝ': "e", 'ə': "e", 'Ə': "E",
	'✂': "", '\u2116': "N°",
}

// fold returns s with only characters of Windows-1252: decomposed accents
// are composed (« e » + U+0301 is « é »), letters the code page lacks lose
// their accent (« ă » is « a »), common punctuation gets its nearest
// equivalent, line breaks and tabs become spaces, other control characters
// disappear and anything else becomes « ? ». It never fails.
func fold(s string) string {
	s = norm.NFC.String(s)
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range s {
		switch {
		case inCP1252(r):
			b.WriteRune(r)
		case r == '\n' || r == '\r' || r == '\t' || r == '\v' || r == '\f' ||
			r == '\u2028' || r == '\u2029' || r == '\u0085':
			b.WriteByte(' ')
		case unicode.IsControl(r) || unicode.Is(unicode.Mn, r):
			// dropped: a control code or a combining mark left alone
		default:
			if rep, ok := replacements[r]; ok {
				b.WriteString(rep)
				continue
			}
			base := false
			for _, d := range norm.NFD.String(string(r)) {
				if inCP1252(d) {
					b.WriteRune(d)
					base = true
				}
			}
			if !base {
				b.WriteByte('?')
			}
		}
	}
	return b.String()
}

// clip returns s trimmed, with inner runs of spaces collapsed, and cut to
// at most max characters (the last one an ellipsis when cut), so that no
// field can push the letter past its page whatever was stored.
func clip(s string, max int) string {
	s = strings.Join(strings.Fields(s), " ")
	r := []rune(s)
	if len(r) <= max {
		return s
	}
	return strings.TrimSpace(string(r[:max-1])) + "…"
}

// postalLine returns the last line of a French postal address: the postal
// code and the commune in capitals without accents (« 92000 NANTERRE »), as
// the postal standard (NF Z 10-011) asks.
func postalLine(a data.Address) string {
	commune := strings.ToUpper(stripAccents(a.CommuneName))
	return strings.TrimSpace(strings.TrimSpace(a.PostalCode) + " " + commune)
}

// stripAccents removes the diacritics of s: « Épinay-sur-Orge » is
// « Epinay-sur-Orge »; « Œ » and « Æ » are kept, being letters of their own.
func stripAccents(s string) string {
	var b strings.Builder
	for _, r := range norm.NFD.String(s) {
		if !unicode.Is(unicode.Mn, r) {
			b.WriteRune(r)
		}
	}
	return norm.NFC.String(b.String())
}

// civilityWord returns « Madame » or « Monsieur », or "" when unknown.
func civilityWord(c data.Civility) string {
	switch c {
	case data.CivilityMme:
		return "Madame"
	case data.CivilityM:
		return "Monsieur"
	}
	return ""
}

// salutation returns the opening of the letter: « Madame, », « Monsieur, »,
// or « Madame, Monsieur, » for a structure or an unknown civility.
func salutation(r *data.Request) string {
	if r.Kind != data.KindStructure {
		if w := civilityWord(r.Civility); w != "" {
			return w
		}
	}
	return "Madame, Monsieur"
}

// personName returns « Prénom NOM ».
func personName(r *data.Request) string {
	return strings.TrimSpace(strings.TrimSpace(r.FirstName) + " " + strings.ToUpper(strings.TrimSpace(r.LastName)))
}

// siteOf returns how the letter names the site: « à l'Espace
// professionnel », or « sur le site mon-enfant.fr » for a name that does not
// start with a vowel.
func siteOf(site string) string {
	site = strings.TrimSpace(site)
	if site == "" {
		site = "Espace professionnel"
	}
	first := []rune(stripAccents(strings.ToLower(site)))[0]
	if strings.ContainsRune("aeiouyh", first) {
		return "à l'" + site
	}
	return "sur le site " + site
}
