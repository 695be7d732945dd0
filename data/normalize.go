package data

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// foldTable maps the lower-case accented letters of Latin-1 and Latin
// Extended-A (and a few ligatures) to their base letters. The standard
// library has no Unicode normalisation (that lives in golang.org/x/text), and
// French names need no more than this.
var foldTable = buildFoldTable(map[string]string{
	"a":  "àáâãäåāăą",
	"c":  "çćĉċč",
	"d":  "ďđð",
	"e":  "èéêëēĕėęě",
	"g":  "ĝğġģ",
	"h":  "ĥħ",
	"i":  "ìíîïĩīĭįı",
	"j":  "ĵ",
	"k":  "ķĸ",
	"l":  "ĺļľŀł",
	"n":  "ñńņňŉŋ",
	"o":  "òóôõöøōŏő",
	"r":  "ŕŗř",
	"s":  "śŝşšſ",
	"t":  "ţťŧ",
	"u":  "ùúûüũūŭůűų",
	"w":  "ŵ",
	"y":  "ýÿŷ",
	"z":  "źżž",
	"ae": "æ",
	"oe": "œ",
	"ss": "ß",
	"th": "þ",
	"ij": "ĳ",
})

func buildFoldTable(groups map[string]string) map[rune]string {
	t := make(map[rune]string)
	for base, letters := range groups {
		for _, r := range letters {
			t[r] = base
		}
	}
	return t
}

// NormalizeName returns the form in which names are compared: lower case,
// without accents (« é » → « e », « œ » → « oe », « ß » → « ss »), every
// character that is neither a letter nor a digit (hyphens, apostrophes of
// any kind, dots, parentheses…) turned into a space, and spaces collapsed
// and trimmed. « L'Haÿ-les-Roses » and « l hay  LES roses » both give
// « l hay les roses ». Letters outside Latin-1 and Latin Extended-A are kept,
// lower-cased.
func NormalizeName(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	space := false // a separator is pending
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			i++
			switch {
			case 'a' <= c && c <= 'z', '0' <= c && c <= '9':
			case 'A' <= c && c <= 'Z':
				c += 'a' - 'A'
			default:
				space = true
				continue
			}
			if space && b.Len() > 0 {
				b.WriteByte(' ')
			}
			space = false
			b.WriteByte(c)
			continue
		}
		r, n := utf8.DecodeRuneInString(s[i:])
		i += n
		r = unicode.ToLower(r)
		base, folded := foldTable[r]
		if !folded && !unicode.IsLetter(r) && !unicode.IsDigit(r) {
			space = true
			continue
		}
		if space && b.Len() > 0 {
			b.WriteByte(' ')
		}
		space = false
		if folded {
			b.WriteString(base)
		} else {
			b.WriteRune(r)
		}
	}
	return b.String()
}
