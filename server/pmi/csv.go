package pmi

import (
	"bytes"
	"encoding/csv"
	"errors"
	"io"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/unicode"

	"espacepro/data"
)

// separators are the CSV separators Parse recognises, in order of
// preference.
var separators = []rune{';', ',', '\t'}

// readCSV reads a list saved as text.
func readCSV(b []byte, chk *checker) (*Result, error) {
	text, enc := decodeText(b)
	if !looksLikeText(text) {
		return nil, data.Errorf(data.EINVALID, msgNotTabular)
	}
	if isBlankText(text) {
		return nil, data.Errorf(data.EINVALID, msgEmpty)
	}
	sep := detectSeparator(text)
	res := &Result{Format: FormatCSV, Encoding: enc, Separator: sep}
	next := csvRecords(text, sep)
	hdr, cols, rest, err := findHeader(next)
	if err != nil {
		return nil, err
	}
	if err := readRows(res, hdr, cols, rest, next, chk, nil); err != nil {
		return nil, err
	}
	return res, nil
}

// isBlankText reports whether text holds nothing but separators, quotes,
// spaces and invisible marks.
func isBlankText(text string) bool {
	for _, r := range text {
		switch r {
		case ';', ',', '"', ' ', '\t', '\r', '\n', '\u00a0', '\uFEFF', '\u200B':
		default:
			return false
		}
	}
	return true
}

// decodeText turns the bytes of a text file into a string and names their
// encoding: a UTF-8 or UTF-16 byte order mark is believed; otherwise valid
// UTF-8 is UTF-8, and anything else is taken for Windows-1252, which is
// what Excel writes in France when it saves « CSV (séparateur : point-virgule) ».
func decodeText(b []byte) (text, encoding string) {
	switch {
	case bytes.HasPrefix(b, []byte("\xef\xbb\xbf")):
		return strings.ToValidUTF8(string(b[3:]), "\uFFFD"), EncodingUTF8BOM
	case bytes.HasPrefix(b, []byte("\xff\xfe")):
		return decodeUTF16(b, unicode.LittleEndian), EncodingUTF16LE
	case bytes.HasPrefix(b, []byte("\xfe\xff")):
		return decodeUTF16(b, unicode.BigEndian), EncodingUTF16BE
	case utf8.Valid(b):
		return string(b), EncodingUTF8
	}
	out, err := charmap.Windows1252.NewDecoder().Bytes(b)
	if err != nil { // cannot happen: every byte has a meaning or U+FFFD
		return strings.ToValidUTF8(string(b), "\uFFFD"), EncodingWindows1252
	}
	return string(out), EncodingWindows1252
}

func decodeUTF16(b []byte, order unicode.Endianness) string {
	out, err := unicode.UTF16(order, unicode.ExpectBOM).NewDecoder().Bytes(b)
	if err != nil {
		return "\x00" // not text after all
	}
	return strings.TrimPrefix(string(out), "\uFEFF")
}

// textSample is how much of a file looksLikeText examines.
const textSample = 64 << 10

// looksLikeText reports whether a decoded file reads as text rather than as
// binary data or markup: no NUL, at most 1 % of control characters or
// undecodable bytes, and not an HTML or XML document (an « .xls » that a web
// application produced, or an Excel 2003 XML workbook).
func looksLikeText(s string) bool {
	if len(s) > textSample {
		s = s[:textSample]
	}
	if t := strings.TrimLeft(s, " \t\r\n\uFEFF"); strings.HasPrefix(t, "<") {
		return false
	}
	var total, odd int
	for _, r := range s {
		total++
		switch {
		case r == 0:
			return false
		case r == '\t', r == '\n', r == '\r', r == '\f':
		case r < 0x20, r >= 0x7f && r < 0xa0, r == utf8.RuneError:
			odd++
		}
	}
	return odd*100 <= total
}

// headerScan is how many non-blank lines may come before the header: a title
// or a date that some lists carry above it.
const headerScan = 10

// detectSeparator picks the separator under which the first lines hold the
// best header; between equals, the one found most often outside quotes on
// the first non-blank line; between equals again, the first of separators.
func detectSeparator(text string) rune {
	first := firstLine(text)
	best, bestScore, bestCount := separators[0], -1, -1
	for _, sep := range separators {
		recs, _ := firstRecords(csvRecords(text, sep))
		score := 0
		if _, cols := bestHeader(recs); cols != nil {
			score = cols.score
		}
		count := countOutsideQuotes(first, sep)
		if score > bestScore || score == bestScore && count > bestCount {
			best, bestScore, bestCount = sep, score, count
		}
	}
	return best
}

// firstLine returns the first line of text that holds anything.
func firstLine(text string) string {
	for text != "" {
		line, rest, _ := strings.Cut(text, "\n")
		if strings.TrimSpace(line) != "" {
			return line
		}
		text = rest
	}
	return ""
}

// countOutsideQuotes counts sep in line outside double-quoted parts.
func countOutsideQuotes(line string, sep rune) int {
	n, quoted := 0, false
	for _, r := range line {
		switch {
		case r == '"':
			quoted = !quoted
		case r == sep && !quoted:
			n++
		}
	}
	return n
}

// csvRecords returns the records of text one by one. A malformed line (a
// quote left open, a stray quote in an unquoted field) is a file-level
// EINVALID error naming the line.
func csvRecords(text string, sep rune) nextFunc {
	rd := csv.NewReader(strings.NewReader(text))
	rd.Comma = sep
	rd.FieldsPerRecord = -1
	return func() (record, bool, error) {
		cells, err := rd.Read()
		if err == io.EOF {
			return record{}, false, nil
		}
		if err != nil {
			return record{}, false, csvError(err)
		}
		line, _ := rd.FieldPos(0)
		return record{line: line, cells: cells}, true, nil
	}
}

func csvError(err error) error {
	var pe *csv.ParseError
	if !errors.As(err, &pe) {
		return data.Errorf(data.EINVALID, "Le fichier CSV est mal formé : enregistrez-le de nouveau au format CSV puis recommencez.")
	}
	switch {
	case errors.Is(pe.Err, csv.ErrBareQuote):
		return data.Errorf(data.EINVALID,
			"Ligne %d : un guillemet (\") se trouve au milieu d'un champ qui n'est pas entre guillemets. Corrigez cette ligne (ou enregistrez de nouveau le fichier depuis Excel) puis recommencez.", pe.Line)
	case errors.Is(pe.Err, csv.ErrQuote):
		return data.Errorf(data.EINVALID,
			"Ligne %d : un champ entre guillemets n'est pas refermé (ou un guillemet est mal placé). Corrigez cette ligne (ou enregistrez de nouveau le fichier depuis Excel) puis recommencez.", pe.StartLine)
	}
	return data.Errorf(data.EINVALID, "Ligne %d : ligne mal formée. Corrigez-la puis recommencez.", pe.Line)
}
