package pmi

import (
	"bytes"
	"strconv"
	"strings"

	"github.com/xuri/excelize/v2"

	"espacepro/data"
)

// maxUnzipped bounds the size of a workbook once unzipped, against zip bombs.
const maxUnzipped = 1 << 30

// minSheetScore is how many fields a row must name to be taken for the
// header of a worksheet; the first worksheet that has one is read.
const minSheetScore = 3

// readXLSX reads a list saved as an Excel workbook. Anything that excelize
// cannot open as a workbook (another kind of zip: .docx, .ods…) is not a list.
func readXLSX(b []byte, chk *checker) (res *Result, err error) {
	defer func() {
		// excelize parses hostile XML: a panic there is a bad file, not a
		// fault of ours.
		if r := recover(); r != nil {
			res, err = nil, data.Errorf(data.EINVALID, msgNotTabular)
		}
	}()
	f, err := excelize.OpenReader(bytes.NewReader(b), excelize.Options{RawCellValue: true, UnzipSizeLimit: maxUnzipped})
	if err != nil {
		if strings.Contains(err.Error(), "unzip size exceeds") { // excelize has no sentinel for it
			return nil, data.Errorf(data.EINVALID, "Le classeur est trop volumineux une fois décompressé : découpez la liste en plusieurs fichiers puis recommencez.")
		}
		return nil, data.Errorf(data.EINVALID, msgNotTabular)
	}
	defer f.Close()
	sheets := f.GetSheetList()
	if len(sheets) == 0 {
		return nil, data.Errorf(data.EINVALID, msgNotTabular)
	}
	var date1904 bool
	if props, err := f.GetWorkbookProps(); err == nil && props.Date1904 != nil {
		date1904 = *props.Date1904
	}
	var firstErr error // the error of the first worksheet that holds anything
	for _, sheet := range sheets {
		rows, err := f.Rows(sheet)
		if err != nil {
			continue
		}
		next := sheetRecords(rows)
		recs, err := firstRecords(next)
		if err != nil {
			rows.Close()
			if firstErr == nil {
				firstErr = err
			}
			continue
		}
		i, cols := bestHeader(recs)
		if i < 0 { // an empty worksheet
			rows.Close()
			continue
		}
		hdr, rest := recs[i], recs[i+1:]
		if cols.score < minSheetScore {
			rows.Close()
			if firstErr == nil {
				firstErr = missingColumnsError(cols.missing(), hdr.cells)
			}
			continue
		}
		res := &Result{Format: FormatXLSX, Sheet: sheet}
		fix := func(rec *record) { fixExcelCells(f, sheet, cols, rec, date1904) }
		err = readRows(res, hdr, cols, rest, next, chk, fix)
		rows.Close()
		if err != nil {
			return nil, err
		}
		return res, nil
	}
	if firstErr != nil {
		return nil, firstErr
	}
	return nil, data.Errorf(data.EINVALID, msgEmpty)
}

// sheetRecords returns the rows of a worksheet one by one, numbered as
// Excel numbers them.
func sheetRecords(rows *excelize.Rows) nextFunc {
	n := 0
	return func() (record, bool, error) {
		if !rows.Next() {
			if err := rows.Error(); err != nil {
				return record{}, false, data.Errorf(data.EINVALID, "Le classeur est illisible : enregistrez-le de nouveau au format XLSX puis recommencez.")
			}
			return record{}, false, nil
		}
		n++
		cells, err := rows.Columns()
		if err != nil {
			return record{}, false, data.Errorf(data.EINVALID, "Ligne %d du classeur illisible : enregistrez-le de nouveau au format XLSX puis recommencez.", n)
		}
		return record{line: n, cells: cells}, true, nil
	}
}

// fixExcelCells undoes what a spreadsheet does to some values: a date
// d'agrément stored as a serial number becomes JJ/MM/AAAA, and a postal code
// stored as a number gets back the leading zero Excel dropped (01000 kept as
// 1000).
func fixExcelCells(f *excelize.File, sheet string, cols *columns, rec *record, date1904 bool) {
	if i := cols.col(FieldAgrementDate); i >= 0 && i < len(rec.cells) {
		if serial, err := strconv.ParseFloat(strings.TrimSpace(rec.cells[i]), 64); err == nil && serial >= 1 {
			if t, err := excelize.ExcelDateToTime(serial, date1904); err == nil {
				rec.cells[i] = data.DateOf(t).French()
			}
		}
	}
	if i := cols.col(FieldPostalCode); i >= 0 && i < len(rec.cells) {
		v := strings.TrimSpace(rec.cells[i])
		if len(v) == 4 && strings.Trim(v, "0123456789") == "" && isNumberCell(f, sheet, i, rec.line) {
			rec.cells[i] = "0" + v
		}
	}
}

// isNumberCell reports whether a cell holds a number rather than text.
func isNumberCell(f *excelize.File, sheet string, col, row int) bool {
	name, err := excelize.CoordinatesToCellName(col+1, row)
	if err != nil {
		return false
	}
	t, err := f.GetCellType(sheet, name)
	return err == nil && (t == excelize.CellTypeNumber || t == excelize.CellTypeUnset)
}
