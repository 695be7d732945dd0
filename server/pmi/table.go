package pmi

import (
	"strconv"
	"strings"

	"espacepro/data"
)

// record is one line of a CSV file or one row of a worksheet.
type record struct {
	line  int
	cells []string
}

// nextFunc returns the next record of a file; ok is false at the end.
type nextFunc func() (rec record, ok bool, err error)

// isBlank reports whether every cell of a record is empty or blank.
func isBlank(cells []string) bool {
	for _, c := range cells {
		if len(c) >= 3 && strings.HasPrefix(c, `="`) && strings.HasSuffix(c, `"`) {
			c = c[2 : len(c)-1]
		}
		if strings.IndexFunc(c, func(r rune) bool { return !isBlankRune(r) }) >= 0 {
			return false
		}
	}
	return true
}

// firstRecords reads up to headerScan non-blank records, the candidates for
// the header.
func firstRecords(next nextFunc) ([]record, error) {
	var recs []record
	for len(recs) < headerScan {
		rec, ok, err := next()
		if err != nil {
			return recs, err
		}
		if !ok {
			break
		}
		if !isBlank(rec.cells) {
			recs = append(recs, rec)
		}
	}
	return recs, nil
}

// bestHeader returns the record that recognisably names the most fields
// (the first one on a tie, the first record when none names any) and its
// columns; -1 and nil when there is no record.
func bestHeader(recs []record) (int, *columns) {
	best, bestCols := -1, (*columns)(nil)
	for i, r := range recs {
		if c := matchHeader(r.cells); bestCols == nil || c.score > bestCols.score {
			best, bestCols = i, c
		}
	}
	return best, bestCols
}

// findHeader reads the first records of a table and returns its header, its
// columns and the records read after the header. A table without any
// non-blank record is EINVALID « Le fichier est vide. ».
func findHeader(next nextFunc) (hdr record, cols *columns, rest []record, err error) {
	recs, err := firstRecords(next)
	if err != nil {
		return record{}, nil, nil, err
	}
	i, cols := bestHeader(recs)
	if i < 0 {
		return record{}, nil, nil, data.Errorf(data.EINVALID, msgEmpty)
	}
	return recs[i], cols, recs[i+1:], nil
}

// readRows checks the columns of the header, then checks every non-blank
// record after it into res. fix, when set, adjusts each record before it is
// checked (an XLSX date serial…).
func readRows(res *Result, hdr record, cols *columns, rest []record, next nextFunc, chk *checker, fix func(*record)) error {
	if missing := cols.missing(); len(missing) > 0 {
		return missingColumnsError(missing, hdr.cells)
	}
	res.HeaderLine, res.Header = hdr.line, hdr.cells
	res.Columns, res.Ignored = cols.headers, cols.ignored
	handle := func(rec record) error {
		if isBlank(rec.cells) {
			return nil
		}
		if len(res.Rows) >= MaxRows {
			return data.Errorf(data.EINVALID,
				"Le fichier compte plus de %s lignes de données : découpez la liste en plusieurs fichiers puis recommencez.", frenchNumber(MaxRows))
		}
		if fix != nil {
			fix(&rec)
		}
		res.Rows = append(res.Rows, chk.check(rec, cols))
		return nil
	}
	for _, rec := range rest {
		if err := handle(rec); err != nil {
			return err
		}
	}
	for {
		rec, ok, err := next()
		if err != nil {
			return err
		}
		if !ok {
			break
		}
		if err := handle(rec); err != nil {
			return err
		}
	}
	if len(res.Rows) == 0 {
		return data.Errorf(data.EINVALID, msgNoData)
	}
	return nil
}

// frenchNumber writes n with its thousands apart: « 200 000 ».
func frenchNumber(n int) string {
	s := strconv.Itoa(n)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "\u00a0" + s[i:]
	}
	return s
}
