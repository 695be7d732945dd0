// Command pmisample writes the sample PMI lists of testdata/pmi: lists of
// approved childminders as the PMI of a département sends them to its Caf,
// in every format the import reads. Everything is made up here, from hand
// lists of French names and streets and the embedded communes of
// data.DefaultReference(); nothing is copied from a real list. The output
// is the same at every run (fixed seed).
//
//	go run ./tools/pmisample -out testdata/pmi
//
// It writes, for the Caf des Hauts-de-Seine (921):
//
//   - liste-pmi-92.csv: UTF-8 with BOM, « ; »;
//   - liste-pmi-92-excel.csv: Windows-1252, « ; », CRLF, as French Excel
//     saves « CSV (séparateur : point-virgule) », other header spellings,
//     some phones without their leading zero, empty trailing columns;
//   - liste-pmi-92-virgules.csv: UTF-8, « , », every field quoted,
//     lower-case headers without accents;
//   - liste-pmi-92.xlsx: a notice sheet, then the list under a title row,
//     one « Adresse » column, two phone columns, postal codes, places and
//     dates stored as numbers, an « Observations » column;
//   - liste-pmi-92-v2.csv: the next month's list in the format of the
//     first: some childminders gone, some new, some moved or with another
//     phone, the rest identical;
//
// and liste-pmi-2a.csv for the Caf de la Corse-du-Sud (201). Each list has
// a few broken rows on purpose; README.md, written too, tells which, and
// the counts that server/pmi's tests expect. The program reads every file it
// wrote back with pmi.Parse and fails if a count is not the expected one.
package main

import (
	"bytes"
	"encoding/csv"
	"flag"
	"fmt"
	"log"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/charmap"

	"espacepro/data"
	"espacepro/server/pmi"
)

func main() {
	out := flag.String("out", "testdata/pmi", "output folder")
	flag.Parse()
	log.SetFlags(0)
	if err := run(*out); err != nil {
		log.Fatal(err)
	}
}

// person is one childminder as a list shows her.
type person struct {
	civility, last, first      string
	number, streetType, street string
	complement                 string
	postalCode, commune        string
	fixed, mobile              string // « 01 46 05 12 34 », either may be empty
	agrement                   string
	places                     string
	date                       time.Time // zero: not given
	broken                     string    // why the row is broken on purpose, "" if valid
}

// phone is the one phone of a single-phone list: the fixed one first.
func (p person) phone() string {
	if p.fixed != "" {
		return p.fixed
	}
	return p.mobile
}

func (p person) frenchDate() string {
	if p.date.IsZero() {
		return ""
	}
	return p.date.Format("02/01/2006")
}

// Counts of the lists.
const (
	listSize92  = 400
	listSize2A  = 100
	removedInV2 = 10
	addedInV2   = 10
	movedInV2   = 8
	rephonedV2  = 7
)

func run(out string) error {
	if err := os.MkdirAll(out, 0o755); err != nil {
		return err
	}
	rng := rand.New(rand.NewPCG(2025, 92))
	ref := data.DefaultReference()
	g92 := &generator{rng: rng, dept: "92", communes: communesOf(ref, "92", "921", nil), seen: map[string]bool{}}
	v1 := g92.people(listSize92)
	broken := g92.broken92()
	list1 := withBroken(v1, broken)

	files := []struct {
		name string
		fn   func(string, []person) error
		rows []person
	}{
		{"liste-pmi-92.csv", writeStandard, list1},
		{"liste-pmi-92-excel.csv", writeExcelCSV, list1},
		{"liste-pmi-92-virgules.csv", writeCommaCSV, list1},
		{"liste-pmi-92.xlsx", writeXLSX, list1},
	}
	v2, changes := g92.nextMonth(v1)
	files = append(files, struct {
		name string
		fn   func(string, []person) error
		rows []person
	}{"liste-pmi-92-v2.csv", writeStandard, v2})

	g2A := &generator{rng: rng, dept: "2A", communes: communesOf(ref, "2A", "201", map[string]int{"Ajaccio": 40, "Porto-Vecchio": 12, "Propriano": 5, "Sartène": 5, "Bastelicaccia": 4}), seen: map[string]bool{}}
	list2A := withBroken(g2A.people(listSize2A), g2A.broken2A())
	files = append(files, struct {
		name string
		fn   func(string, []person) error
		rows []person
	}{"liste-pmi-2a.csv", writeStandard2A, list2A})

	for _, f := range files {
		if err := f.fn(filepath.Join(out, f.name), f.rows); err != nil {
			return fmt.Errorf("%s: %w", f.name, err)
		}
	}
	if err := writeReadme(filepath.Join(out, "README.md"), list1, list2A, changes); err != nil {
		return err
	}
	// Read every file back: the counts must be the ones the README states.
	for _, f := range files {
		caf := "921"
		if strings.Contains(f.name, "2a") {
			caf = "201"
		}
		if err := check(filepath.Join(out, f.name), caf, f.rows); err != nil {
			return err
		}
	}
	return nil
}

// check parses a written list and compares its counts with the rows made.
func check(path, caf string, rows []person) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	res, err := pmi.Parse(filepath.Base(path), bytes.NewReader(b), caf)
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	wantRejected := 0
	for _, p := range rows {
		if p.broken != "" {
			wantRejected++
		}
	}
	if res.Valid != len(rows)-wantRejected || res.Rejected != wantRejected {
		for _, r := range res.Rows {
			if r.Reason != "" {
				log.Printf("%s:%d: %s", path, r.Line, r.Reason)
			}
		}
		return fmt.Errorf("%s: %d valid and %d rejected rows, want %d and %d", path, res.Valid, res.Rejected, len(rows)-wantRejected, wantRejected)
	}
	fmt.Printf("%-28s %7d bytes  %s %-12s %3d valid, %d rejected\n", filepath.Base(path), len(b), res.Format, res.Encoding, res.Valid, res.Rejected)
	return nil
}

// commune is a commune a generated row may live in.
type commune struct {
	name        string
	postalCodes []string
	weight      int
}

// communesOf returns the communes of dept whose Caf is caf, each with
// weight 1 unless weights says otherwise.
func communesOf(ref *data.Reference, dept, caf string, weights map[string]int) []commune {
	var out []commune
	for _, c := range ref.Communes() {
		if c.Department != dept {
			continue
		}
		var pcs []string
		for _, pc := range c.PostalCodes {
			if r, err := ref.Route(pc, c.Name); err == nil && r.Caf.Code == caf && r.Commune.INSEE == c.INSEE {
				pcs = append(pcs, pc)
			}
		}
		if len(pcs) == 0 {
			continue
		}
		w := weights[c.Name]
		if w == 0 {
			w = 1
		}
		out = append(out, commune{c.Name, pcs, w})
	}
	return out
}

// generator makes up the people of one département.
type generator struct {
	rng      *rand.Rand
	dept     string
	communes []commune
	seq      int             // the last agrément sequence number given
	seen     map[string]bool // names given, to keep people distinct
}

func (g *generator) pick(list []string) string { return list[g.rng.IntN(len(list))] }

func (g *generator) commune() commune {
	total := 0
	for _, c := range g.communes {
		total += c.weight
	}
	n := g.rng.IntN(total)
	for _, c := range g.communes {
		if n -= c.weight; n < 0 {
			return c
		}
	}
	return g.communes[len(g.communes)-1]
}

// people makes n valid childminders, sorted by commune and name as the PMI
// prints them.
func (g *generator) people(n int) []person {
	ps := make([]person, n)
	for i := range ps {
		ps[i] = g.person()
	}
	sortPeople(ps)
	return ps
}

func sortPeople(ps []person) {
	slices.SortStableFunc(ps, func(a, b person) int {
		return strings.Compare(data.NormalizeName(a.commune+" "+a.last+" "+a.first), data.NormalizeName(b.commune+" "+b.last+" "+b.first))
	})
}

func (g *generator) person() person {
	p := person{civility: "Mme"}
	switch n := g.rng.IntN(100); {
	case n < 6:
		p.civility = "M"
	case n < 10:
		p.civility = "Melle"
	case n < 12:
		p.civility = "Mlle"
	case n < 15:
		p.civility = "MME"
	}
	for {
		p.last = g.pick(lastNames)
		if g.dept == "2A" && g.rng.IntN(2) == 0 {
			p.last = g.pick(corsicanLastNames)
		}
		if g.rng.IntN(3) == 0 {
			p.last = strings.ToUpper(p.last) // many lists write the name in capitals
		}
		if p.civility == "M" {
			p.first = g.pick(maleFirstNames)
		} else {
			p.first = g.pick(femaleFirstNames)
		}
		if key := data.NormalizeName(p.last + " " + p.first); !g.seen[key] {
			g.seen[key] = true
			break
		}
	}
	g.address(&p)
	g.phones(&p)
	p.date = time.Date(1996, 1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, g.rng.IntN(29*365))
	g.seq++
	p.agrement = fmt.Sprintf("%s-%d-%04d", g.dept, p.date.Year(), g.seq*7%9973)
	if g.rng.IntN(30) == 0 {
		p.date = time.Time{}
	}
	p.places = fmt.Sprint([]int{1, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 4}[g.rng.IntN(12)])
	return p
}

func (g *generator) address(p *person) {
	c := g.commune()
	p.postalCode = c.postalCodes[g.rng.IntN(len(c.postalCodes))]
	p.commune = c.name
	switch n := g.rng.IntN(10); {
	case n == 0:
		p.commune = strings.ToUpper(c.name)
	case n == 1 && strings.HasPrefix(c.name, "Saint-"):
		p.commune = "St " + strings.ReplaceAll(strings.TrimPrefix(c.name, "Saint-"), "-", " ")
	}
	p.number = fmt.Sprint(1 + g.rng.IntN(140))
	switch g.rng.IntN(15) {
	case 0:
		p.number += " bis"
	case 1:
		p.number += " ter"
	case 2:
		p.number = ""
	}
	p.streetType = g.pick(streetTypes)
	p.street = g.pick(streetNames)
	p.complement = ""
	if g.rng.IntN(8) == 0 {
		p.complement = g.pick(complements)
	}
}

func (g *generator) phones(p *person) {
	p.fixed, p.mobile = "", ""
	pair := func() string { return fmt.Sprintf(" %02d", g.rng.IntN(100)) }
	fixed := func() string {
		if g.dept == "2A" {
			return "04 95" + pair() + pair() + pair()
		}
		return fmt.Sprintf("01 4%d", g.rng.IntN(10)) + pair() + pair() + pair()
	}
	mobile := func() string { return g.pick([]string{"06", "07"}) + pair() + pair() + pair() + pair() }
	switch n := g.rng.IntN(20); {
	case n < 6:
		p.fixed = fixed()
	case n < 9:
		p.fixed, p.mobile = fixed(), mobile()
	case n < 19:
		p.mobile = mobile()
	}
	// Some lists write phones with dots or run together.
	switch g.rng.IntN(6) {
	case 0:
		p.fixed, p.mobile = strings.ReplaceAll(p.fixed, " ", "."), strings.ReplaceAll(p.mobile, " ", ".")
	case 1:
		p.fixed, p.mobile = strings.ReplaceAll(p.fixed, " ", ""), strings.ReplaceAll(p.mobile, " ", "")
	}
}

// broken92 makes the rows of the 92 list that are wrong on purpose.
func (g *generator) broken92() []person {
	bad := func(why string, edit func(*person)) person {
		p := g.person()
		p.broken = why
		edit(&p)
		return p
	}
	dupA := bad("n° d'agrément en double", func(*person) {})
	dupB := bad("n° d'agrément en double", func(p *person) { p.agrement = dupA.agrement })
	return []person{
		bad("code postal de 4 chiffres", func(p *person) { p.postalCode = p.postalCode[:4] }),
		bad("commune qui ne correspond pas au code postal", func(p *person) { p.postalCode, p.commune = "92100", "Nanterre" }),
		dupA,
		bad("nom vide", func(p *person) { p.last = "" }),
		bad("nombre de places en lettres", func(p *person) { p.places = "quatre" }),
		bad("commune d'un autre département (Paris, Caf de Paris)", func(p *person) { p.postalCode, p.commune = "75015", "Paris" }),
		dupB,
		bad("téléphone incomplet", func(p *person) { p.fixed, p.mobile = "01 46 05", "" }),
	}
}

// broken2A makes the rows of the 2A list that are wrong on purpose.
func (g *generator) broken2A() []person {
	bad := func(why string, edit func(*person)) person {
		p := g.person()
		p.broken = why
		edit(&p)
		return p
	}
	return []person{
		bad("commune de Haute-Corse (Caf de la Haute-Corse)", func(p *person) { p.postalCode, p.commune = "20200", "Bastia" }),
		bad("code postal inexistant", func(p *person) { p.postalCode = "20999" }),
		bad("civilité inconnue", func(p *person) { p.civility = "Dr" }),
	}
}

// withBroken spreads the broken rows through the valid ones.
func withBroken(valid, broken []person) []person {
	out := make([]person, 0, len(valid)+len(broken))
	step := len(valid) / (len(broken) + 1)
	j := 0
	for i, p := range valid {
		out = append(out, p)
		if (i+1)%step == step/2 && j < len(broken) {
			out = append(out, broken[j])
			j++
		}
	}
	return append(out, broken[j:]...)
}

// changes records how the next month's list differs, for the README.
type changes struct {
	removed, added, moved, rephoned []string // agrément numbers
}

// nextMonth makes the next month's list from v1: some removed, some added,
// some moved or with a new phone; and one new row that is broken.
func (g *generator) nextMonth(v1 []person) ([]person, changes) {
	var ch changes
	idx := g.rng.Perm(len(v1))
	gone := map[int]bool{}
	for _, i := range idx[:removedInV2] {
		gone[i] = true
	}
	var v2 []person
	for i, p := range v1 {
		if gone[i] {
			ch.removed = append(ch.removed, p.agrement)
			continue
		}
		v2 = append(v2, p)
	}
	order := g.rng.Perm(len(v2))
	for _, i := range order[:movedInV2] {
		p := &v2[i]
		old := p.number + p.street + p.postalCode
		for p.number+p.street+p.postalCode == old {
			g.address(p)
		}
		ch.moved = append(ch.moved, p.agrement)
	}
	for _, i := range order[movedInV2 : movedInV2+rephonedV2] {
		p := &v2[i]
		old := p.phone()
		for p.phone() == old {
			g.phones(p)
		}
		ch.rephoned = append(ch.rephoned, p.agrement)
	}
	for range addedInV2 {
		p := g.person()
		p.date = time.Date(2025, 2, 1+g.rng.IntN(28), 0, 0, 0, 0, time.UTC)
		p.agrement = fmt.Sprintf("%s-%d-%s", g.dept, p.date.Year(), p.agrement[len(p.agrement)-4:])
		ch.added = append(ch.added, p.agrement)
		v2 = append(v2, p)
	}
	bad := g.person()
	bad.postalCode, bad.broken = "92OOO", "code postal avec des lettres O"
	sortPeople(v2)
	v2 = withBroken(v2, []person{bad})
	for _, l := range [][]string{ch.removed, ch.added, ch.moved, ch.rephoned} {
		slices.Sort(l)
	}
	return v2, ch
}

// The columns of each format.
var (
	standardHeader = []string{"Civilité", "Nom", "Prénom", "N° de voie", "Type de voie", "Nom de voie",
		"Complément d'adresse", "Code postal", "Commune", "Téléphone", "N° d'agrément",
		"Nombre de places agréées", "Date d'agrément"}
	excelHeader = []string{"Civilité", "NOM", "Prénom", "N°", "Type voie", "Libellé voie", "Complément",
		"CP", "Commune", "Tél", "Numéro d'agrément", "Nb places", "Date agrément", "", ""}
	commaHeader = []string{"civilite", "nom", "prenom", "numero de voie", "type de voie", "voie",
		"complement d'adresse", "code postal", "ville", "telephone", "n agrement", "places", "date d'agrement"}
	xlsxHeader = []string{"Titre", "NOM", "Prénom", "Adresse", "Complément d'adresse", "Code postal",
		"Commune", "Téléphone fixe", "Portable", "N° agrément", "Nombre de places", "Date d'agrément", "Observations"}
)

func (p person) standardCells() []string {
	return []string{p.civility, p.last, p.first, p.number, p.streetType, p.street, p.complement,
		p.postalCode, p.commune, p.phone(), p.agrement, p.places, p.frenchDate()}
}

// writeStandard writes UTF-8 with a byte order mark, « ; », LF.
func writeStandard(path string, ps []person) error {
	var b bytes.Buffer
	b.WriteString("\ufeff")
	w := csv.NewWriter(&b)
	w.Comma = ';'
	w.Write(standardHeader)
	for _, p := range ps {
		w.Write(p.standardCells())
	}
	w.Flush()
	if err := w.Error(); err != nil {
		return err
	}
	return os.WriteFile(path, b.Bytes(), 0o644)
}

// writeStandard2A writes the Corse-du-Sud list: UTF-8 without BOM, « ; ».
func writeStandard2A(path string, ps []person) error {
	var b bytes.Buffer
	w := csv.NewWriter(&b)
	w.Comma = ';'
	w.Write(standardHeader)
	for _, p := range ps {
		w.Write(p.standardCells())
	}
	w.Flush()
	if err := w.Error(); err != nil {
		return err
	}
	return os.WriteFile(path, b.Bytes(), 0o644)
}

// writeExcelCSV writes what French Excel saves: Windows-1252, « ; », CRLF,
// quotes only where needed, phones kept as numbers losing their leading
// zero, two empty columns at the end.
func writeExcelCSV(path string, ps []person) error {
	var b bytes.Buffer
	w := csv.NewWriter(&b)
	w.Comma = ';'
	w.UseCRLF = true
	w.Write(excelHeader)
	for i, p := range ps {
		cells := p.standardCells()
		if ph := strings.NewReplacer(" ", "", ".", "").Replace(cells[9]); i%4 == 0 && len(ph) == 10 {
			cells[9] = ph[1:] // the column was a number in Excel
		}
		w.Write(append(cells, "", ""))
	}
	w.Flush()
	if err := w.Error(); err != nil {
		return err
	}
	enc, err := charmap.Windows1252.NewEncoder().Bytes(b.Bytes())
	if err != nil {
		return fmt.Errorf("not representable in Windows-1252: %w", err)
	}
	return os.WriteFile(path, enc, 0o644)
}

// writeCommaCSV writes UTF-8 without BOM, « , », every field quoted.
func writeCommaCSV(path string, ps []person) error {
	var b bytes.Buffer
	line := func(cells []string) {
		for i, c := range cells {
			if i > 0 {
				b.WriteByte(',')
			}
			b.WriteString(`"` + strings.ReplaceAll(c, `"`, `""`) + `"`)
		}
		b.WriteString("\n")
	}
	line(commaHeader)
	for _, p := range ps {
		line(p.standardCells())
	}
	return os.WriteFile(path, b.Bytes(), 0o644)
}

// writeXLSX writes a workbook: a notice sheet first, then the list under a
// title, with numbers stored as numbers and dates as dates.
func writeXLSX(path string, ps []person) error {
	f := excelize.NewFile()
	defer f.Close()
	if err := f.SetSheetName("Sheet1", "Lisez-moi"); err != nil {
		return err
	}
	f.SetCellValue("Lisez-moi", "A1", "Liste transmise par la PMI des Hauts-de-Seine à la Caf des Hauts-de-Seine.")
	f.SetCellValue("Lisez-moi", "A2", "La liste se trouve dans la feuille « Liste AM ».")
	const sheet = "Liste AM"
	if _, err := f.NewSheet(sheet); err != nil {
		return err
	}
	f.SetCellValue(sheet, "A1", "Assistantes maternelles agréées des Hauts-de-Seine souhaitant figurer sur le site — liste de mars 2025")
	if err := f.SetSheetRow(sheet, "A3", &xlsxHeader); err != nil {
		return err
	}
	dateStyle, err := f.NewStyle(&excelize.Style{CustomNumFmt: ptr("dd/mm/yyyy")})
	if err != nil {
		return err
	}
	for i, p := range ps {
		row := i + 4
		var pc any = p.postalCode
		if v, err := strconv.Atoi(p.postalCode); err == nil && len(p.postalCode) == 5 {
			pc = v // Excel keeps a postal code as a number
		}
		var places any = p.places
		if v, err := strconv.Atoi(p.places); err == nil {
			places = v
		}
		var date any
		if !p.date.IsZero() {
			date = p.date
		}
		addr := strings.Join(strings.Fields(p.number+" "+p.streetType+" "+p.street), " ")
		obs := ""
		if i%17 == 0 {
			obs = "Renouvellement en cours"
		}
		cells := []any{p.civility, p.last, p.first, addr, p.complement, pc, p.commune, p.fixed, p.mobile,
			p.agrement, places, date, obs}
		cell, _ := excelize.CoordinatesToCellName(1, row)
		if err := f.SetSheetRow(sheet, cell, &cells); err != nil {
			return err
		}
		dc, _ := excelize.CoordinatesToCellName(12, row)
		if err := f.SetCellStyle(sheet, dc, dc, dateStyle); err != nil {
			return err
		}
	}
	f.SetActiveSheet(1)
	var b bytes.Buffer
	if _, err := f.WriteTo(&b); err != nil {
		return err
	}
	return os.WriteFile(path, b.Bytes(), 0o644)
}

func ptr[T any](v T) *T { return &v }

// writeReadme describes the files and what the tests expect of them.
func writeReadme(path string, list92, list2A []person, ch changes) error {
	var b strings.Builder
	b.WriteString("# Sample PMI lists\n\n")
	b.WriteString("Generated by `go run ./tools/pmisample -out testdata/pmi` (fixed seed, same output at every run):\n")
	b.WriteString("made-up people in the real communes of the embedded reference data. Do not edit by hand.\n\n")
	b.WriteString("| file | Caf | format | rows | valid | rejected |\n| --- | --- | --- | --- | --- | --- |\n")
	count := func(ps []person) (int, int) {
		bad := 0
		for _, p := range ps {
			if p.broken != "" {
				bad++
			}
		}
		return len(ps) - bad, bad
	}
	v, r := count(list92)
	for _, f := range []struct{ name, format string }{
		{"liste-pmi-92.csv", "UTF-8 with BOM, `;`, LF"},
		{"liste-pmi-92-excel.csv", "Windows-1252, `;`, CRLF (French Excel)"},
		{"liste-pmi-92-virgules.csv", "UTF-8, `,`, every field quoted"},
		{"liste-pmi-92.xlsx", "XLSX, list on the second sheet, header on row 3"},
	} {
		fmt.Fprintf(&b, "| %s | 921 | %s | %d | %d | %d |\n", f.name, f.format, v+r, v, r)
	}
	fmt.Fprintf(&b, "| liste-pmi-92-v2.csv | 921 | UTF-8 with BOM, `;`, LF | %d | %d | 1 |\n",
		listSize92-removedInV2+addedInV2+1, listSize92-removedInV2+addedInV2)
	v, r = count(list2A)
	fmt.Fprintf(&b, "| liste-pmi-2a.csv | 201 | UTF-8, `;`, LF | %d | %d | %d |\n\n", v+r, v, r)
	b.WriteString("The four lists of the 92 hold the same people; their broken rows:\n\n")
	for _, p := range list92 {
		if p.broken != "" {
			fmt.Fprintf(&b, "- %s (%s %s, %s %s, agrément %s)\n", p.broken, p.first, p.last, p.postalCode, p.commune, p.agrement)
		}
	}
	b.WriteString("\nThe list of the 2A, broken rows:\n\n")
	for _, p := range list2A {
		if p.broken != "" {
			fmt.Fprintf(&b, "- %s (%s %s, %s %s)\n", p.broken, p.first, p.last, p.postalCode, p.commune)
		}
	}
	fmt.Fprintf(&b, "\n`liste-pmi-92-v2.csv` is the next month's list: of the %d valid childminders of `liste-pmi-92.csv`,\n", listSize92)
	fmt.Fprintf(&b, "%d are gone, %d moved (address), %d changed phone, the other %d are identical; %d are new;\n",
		removedInV2, movedInV2, rephonedV2, listSize92-removedInV2-movedInV2-rephonedV2, addedInV2)
	b.WriteString("one new row is broken (postal code written with letters O).\n\n")
	for _, l := range []struct {
		what string
		list []string
	}{{"Gone", ch.removed}, {"New", ch.added}, {"Moved", ch.moved}, {"New phone", ch.rephoned}} {
		fmt.Fprintf(&b, "- %s: %s\n", l.what, strings.Join(l.list, ", "))
	}
	return os.WriteFile(path, []byte(b.String()), 0o644)
}
