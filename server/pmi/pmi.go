// Package pmi reads the lists of approved childminders (assistantes
// maternelles agréées) that the PMI of each département sends its Caf: CSV
// as a person or Excel saves it, or an XLSX workbook. Parse finds the format,
// the encoding, the separator and the columns, and checks every row; the
// comparison with the stored childminders is the import's business.
package pmi

import (
	"bytes"
	"fmt"
	"io"
	"time"

	"espacepro/data"
)

// Limits of a list. A département's list has a few thousand rows; the
// largest (Paris, Nord) some 15,000.
const (
	MaxFileSize = 50 << 20 // bytes
	MaxRows     = 200_000  // data rows
)

// The formats and encodings Parse reports.
const (
	FormatCSV  = "csv"
	FormatXLSX = "xlsx"

	EncodingUTF8        = "utf-8"
	EncodingUTF8BOM     = "utf-8-bom"
	EncodingWindows1252 = "windows-1252"
	EncodingUTF16LE     = "utf-16le" // Excel's « Texte Unicode »
	EncodingUTF16BE     = "utf-16be"
)

// Row is one line of the list, checked.
type Row struct {
	// Line is the 1-based line of the row in a CSV file (the line where the
	// record starts, when a quoted field spans lines) or its row number in
	// the worksheet of an XLSX workbook. The header is line 1 unless title
	// lines come before it.
	Line int
	// Professional is set when the row is valid: a listed childminder with
	// no habilitation yet, her commune resolved and her Caf checked.
	Professional *data.Professional
	// Reason says in French why the row is rejected (the first problem
	// found); empty when the row is valid.
	Reason string
	// Raw holds the cells as read, for display. In a workbook, a date is
	// shown as JJ/MM/AAAA rather than as its serial number, and a postal
	// code stored as a number gets back the leading zero Excel dropped.
	Raw []string
	// AgrementNumber is the row's agrément number, normalised, when it
	// could be read — also on a rejected row, so that an import never
	// delists a childminder whose row is only badly filled in.
	AgrementNumber string
}

// Result is a list read and checked.
type Result struct {
	Name      string // the file name given to Parse
	Format    string // FormatCSV or FormatXLSX
	Encoding  string // a CSV's encoding (EncodingUTF8…); "" for XLSX
	Separator rune   // a CSV's separator: ';', ',' or '\t'; 0 for XLSX
	Sheet     string // the worksheet read, for XLSX

	HeaderLine int               // the line (or row) of the header
	Header     []string          // the header cells as read
	Columns    map[string]string // field (FieldLastName…) → the header found; phones joined by ", "
	Ignored    []string          // headers not recognised, or a second column for one field

	Rows            []Row // in file order; blank lines are left out
	Valid, Rejected int
}

// now returns the current time; tests replace it.
var now = time.Now

// Messages of the file-level errors.
const (
	msgNotTabular = "Ce fichier n'est ni un CSV ni un classeur Excel (.xlsx) : enregistrez la liste au format CSV ou XLSX puis recommencez."
	msgEmpty      = "Le fichier est vide."
	msgNoData     = "Le fichier ne contient aucune ligne de données."
)

// Parse reads the list in r, named name, for Caf caf (« 921 »). The format is
// told by the content, not by the name. A file that cannot be read as a list
// (not CSV nor XLSX, empty, no data row, a required column missing, a CSV
// quote left open, too large) is an EINVALID *data.Error whose French message
// says what to do. Otherwise every row is in the Result, valid or rejected
// with its reason: a row whose commune belongs to another Caf (the other
// caisse of the Pyrénées-Atlantiques, another département) is rejected with
// a reason that names that Caf, and every row of an agrément number that
// appears more than once is rejected.
func Parse(name string, r io.Reader, caf string) (*Result, error) {
	ref := data.DefaultReference()
	c, ok := ref.Caf(caf)
	if !ok {
		return nil, data.Errorf(data.EINVALID, "Caf « %s » inconnue.", caf)
	}
	b, err := io.ReadAll(io.LimitReader(r, MaxFileSize+1))
	if err != nil {
		return nil, fmt.Errorf("pmi: read %s: %w", name, err)
	}
	if len(b) > MaxFileSize {
		return nil, data.Errorf(data.EINVALID, "Le fichier dépasse %d Mo : découpez la liste en plusieurs fichiers puis recommencez.", MaxFileSize>>20)
	}
	if len(bytes.TrimSpace(b)) == 0 {
		return nil, data.Errorf(data.EINVALID, msgEmpty)
	}
	chk := &checker{ref: ref, caf: c}
	var res *Result
	switch sniff(b) {
	case kindZip:
		res, err = readXLSX(b, chk)
	case kindText:
		res, err = readCSV(b, chk)
	default:
		return nil, data.Errorf(data.EINVALID, msgNotTabular)
	}
	if err != nil {
		return nil, err
	}
	res.Name = name
	chk.markDuplicates(res.Rows)
	for _, row := range res.Rows {
		if row.Professional != nil {
			res.Valid++
		} else {
			res.Rejected++
		}
	}
	return res, nil
}

type fileKind int

const (
	kindOther fileKind = iota
	kindZip
	kindText
)

// binaryMagics are the beginnings of files that are certainly not a list:
// PDF, images, OLE2 (.doc, .xls 97-2003, encrypted workbooks), RTF, other
// archives and executables.
var binaryMagics = [][]byte{
	[]byte("%PDF"), []byte("\x89PNG"), []byte("GIF8"), []byte("\xff\xd8\xff"),
	[]byte("\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"), []byte("{\\rtf"), []byte("II*\x00"), []byte("MM\x00*"),
	[]byte("RIFF"), []byte("\x1f\x8b"), []byte("7z\xbc\xaf"), []byte("Rar!"), []byte("\x7fELF"),
	[]byte("PK\x05\x06"), []byte("PK\x07\x08"), // an empty or spanned zip
}

// sniff tells a workbook (a zip) from text and from anything else.
func sniff(b []byte) fileKind {
	if bytes.HasPrefix(b, []byte("PK\x03\x04")) {
		return kindZip
	}
	for _, m := range binaryMagics {
		if bytes.HasPrefix(b, m) {
			return kindOther
		}
	}
	return kindText
}
