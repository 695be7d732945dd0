package pmi

import (
	"archive/zip"
	"bytes"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/unicode"

	"espacepro/data"
)

// stdHeader is the header of most test lists.
var stdHeader = []string{"Civilité", "Nom", "Prénom", "N° de voie", "Type de voie", "Nom de voie",
	"Code postal", "Commune", "Téléphone", "N° d'agrément", "Nombre de places agréées", "Date d'agrément"}

// goodRow returns a valid row of stdHeader, with the given columns changed.
func goodRow(edit map[string]string) []string {
	r := []string{"Mme", "Dupont", "Hélène", "12", "rue", "des Lilas", "92100", "Boulogne-Billancourt",
		"06 12 34 56 78", "92-2019-0147", "4", "15/01/2019"}
	for col, v := range edit {
		i := indexOf(stdHeader, col)
		if i < 0 {
			panic("no column " + col)
		}
		r[i] = v
	}
	return r
}

func indexOf(list []string, s string) int {
	for i, v := range list {
		if v == s {
			return i
		}
	}
	return -1
}

// csvText joins rows with sep and LF, quoting nothing.
func csvText(sep string, rows ...[]string) string {
	var b strings.Builder
	for _, r := range rows {
		b.WriteString(strings.Join(r, sep))
		b.WriteString("\n")
	}
	return b.String()
}

func mustParse(t *testing.T, content []byte, caf string) *Result {
	t.Helper()
	res, err := Parse("liste.csv", bytes.NewReader(content), caf)
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	if res.Valid+res.Rejected != len(res.Rows) {
		t.Fatalf("Valid %d + Rejected %d != %d rows", res.Valid, res.Rejected, len(res.Rows))
	}
	return res
}

// parseError parses content, expects a file-level EINVALID error and returns
// its message.
func parseError(t *testing.T, content []byte) string {
	t.Helper()
	res, err := Parse("liste", bytes.NewReader(content), "921")
	if err == nil {
		t.Fatalf("Parse succeeded (%d rows), want an error", len(res.Rows))
	}
	if data.ErrorCode(err) != data.EINVALID {
		t.Fatalf("error %v: code %q, want EINVALID", err, data.ErrorCode(err))
	}
	return data.ErrorMessage(err)
}

func TestParseFormatsAndEncodings(t *testing.T) {
	rows := [][]string{stdHeader,
		goodRow(map[string]string{"Nom": "Cœurdevey", "Prénom": "Léa"}),
		goodRow(map[string]string{"Nom": "ŒILLET", "Prénom": "Hélène", "N° d'agrément": "92-2019-0148", "Civilité": "Melle"}),
	}
	semi := csvText(";", rows...)
	cp1252 := func(s string) []byte {
		b, err := charmap.Windows1252.NewEncoder().Bytes([]byte(s))
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	utf16 := func(s string) []byte {
		b, err := unicode.UTF16(unicode.LittleEndian, unicode.UseBOM).NewEncoder().Bytes([]byte(s))
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	tests := []struct {
		name    string
		content []byte
		enc     string
		sep     rune
	}{
		{"utf-8 ;", []byte(semi), EncodingUTF8, ';'},
		{"utf-8 bom ;", []byte("\ufeff" + semi), EncodingUTF8BOM, ';'},
		{"utf-8 ,", []byte(csvText(",", rows...)), EncodingUTF8, ','},
		{"utf-8 tab", []byte(csvText("\t", rows...)), EncodingUTF8, '\t'},
		{"windows-1252 ; CRLF", cp1252(strings.ReplaceAll(semi, "\n", "\r\n")), EncodingWindows1252, ';'},
		{"windows-1252 ,", cp1252(csvText(",", rows...)), EncodingWindows1252, ','},
		{"utf-16le tab", utf16(csvText("\t", rows...)), EncodingUTF16LE, '\t'},
		{"utf-8 CRLF, no final newline", []byte(strings.TrimSuffix(strings.ReplaceAll(semi, "\n", "\r\n"), "\r\n")), EncodingUTF8, ';'},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.enc == EncodingWindows1252 && !bytes.Contains(tt.content, []byte{0x8c}) {
				t.Fatal("the Windows-1252 test lacks Œ (0x8C)")
			}
			res := mustParse(t, tt.content, "921")
			if res.Format != FormatCSV || res.Encoding != tt.enc || res.Separator != tt.sep {
				t.Errorf("format %q encoding %q separator %q, want csv %q %q", res.Format, res.Encoding, res.Separator, tt.enc, tt.sep)
			}
			if res.Valid != 2 || res.Rejected != 0 {
				t.Fatalf("Valid %d Rejected %d, want 2 and 0: %+v", res.Valid, res.Rejected, res.Rows)
			}
			p := res.Rows[0].Professional
			if p.LastName != "Cœurdevey" || p.FirstName != "Léa" {
				t.Errorf("names %q %q, want Cœurdevey Léa", p.LastName, p.FirstName)
			}
			if q := res.Rows[1].Professional; q.LastName != "ŒILLET" || q.FirstName != "Hélène" || q.Civility != data.CivilityMme {
				t.Errorf("second row %q %q %q", q.Civility, q.LastName, q.FirstName)
			}
			if res.Rows[0].Line != 2 || res.Rows[1].Line != 3 || res.HeaderLine != 1 {
				t.Errorf("lines %d, %d (header %d), want 2, 3 (1)", res.Rows[0].Line, res.Rows[1].Line, res.HeaderLine)
			}
		})
	}
}

func TestParseProfessional(t *testing.T) {
	res := mustParse(t, []byte(csvText(";", stdHeader, goodRow(map[string]string{
		"Nom de voie": "  des   Lilas ", "N° d'agrément": " 92-2019 0147 ", "Commune": "boulogne billancourt",
		"Téléphone": "+33 6 12 34 56 78", "Civilité": "Mademoiselle",
	}))), "921")
	p := res.Rows[0].Professional
	if p == nil {
		t.Fatalf("row rejected: %s", res.Rows[0].Reason)
	}
	want := data.Professional{
		Kind: data.KindChildminder, Department: "92", CafCode: "921", AgrementNumber: "92-20190147",
		Civility: data.CivilityMme, LastName: "Dupont", FirstName: "Hélène",
		Address: data.Address{Number: "12", StreetType: "rue", StreetName: "des Lilas", PostalCode: "92100",
			CommuneINSEE: "92012", CommuneName: "Boulogne-Billancourt"},
		Phone: "0612345678", PlacesAgreed: 4, AgrementDate: data.Date{Year: 2019, Month: time.January, Day: 15},
		Listing: data.Listed, Habilitation: data.HabilitationNone,
	}
	if *p != want {
		t.Errorf("got  %+v\nwant %+v", *p, want)
	}
	if got := res.Rows[0].Raw[indexOf(stdHeader, "Nom de voie")]; got != "  des   Lilas " {
		t.Errorf("Raw keeps the cell as read: got %q", got)
	}
	if res.Columns[FieldAgrementNumber] != "N° d'agrément" || res.Columns[FieldPhone] != "Téléphone" {
		t.Errorf("Columns %v", res.Columns)
	}
}

func TestParseQuotedFields(t *testing.T) {
	content := "Civilité;Nom;Prénom;Adresse;Complément d'adresse;Code postal;Commune;N° d'agrément;Places\r\n" +
		"Mme;\"Dupont; dite \"\"Lili\"\"\";Marie;\"12 rue des Lilas\";\"Bâtiment B\r\nporte 4\";92100;Boulogne-Billancourt;A1;3\r\n" +
		"Mme;Martin;Léa;\"3, avenue Foch\";;92200;Neuilly-sur-Seine;A2;2\r\n"
	res := mustParse(t, []byte(content), "921")
	if res.Valid != 2 {
		t.Fatalf("Valid %d: %+v", res.Valid, res.Rows)
	}
	p := res.Rows[0].Professional
	if p.LastName != `Dupont; dite "Lili"` {
		t.Errorf("last name %q", p.LastName)
	}
	if p.Address.StreetName != "12 rue des Lilas, Bâtiment B porte 4" || p.Address.Number != "" {
		t.Errorf("street %q number %q", p.Address.StreetName, p.Address.Number)
	}
	if res.Rows[1].Line != 4 {
		t.Errorf("the row after a two-line record is on line %d, want 4", res.Rows[1].Line)
	}
	if got := res.Rows[1].Professional.Address.StreetName; got != "3, avenue Foch" {
		t.Errorf("street %q", got)
	}
}

// headerCase is a list of one row under a header, and what to check of it.
type headerCase struct {
	header []string
	row    []string
	check  func(*data.Professional) string
}

func TestParseHeaderVariants(t *testing.T) {
	tests := []headerCase{
		{
			[]string{"CIVILITE", "NOM D'USAGE", "PRENOM", "NUMERO", "TYPE", "LIBELLE VOIE", "CP", "VILLE", "TEL", "NUM AGREMENT", "NB PLACES", "DATE AGREMENT"},
			[]string{"M.", "Durand", "Jean", "5", "avenue", "Foch", "92000", "Nanterre", "0147000000", "x-1", "2", "2019-03-01"},
			func(p *data.Professional) string {
				if p.Civility != data.CivilityM || p.AgrementNumber != "X-1" || p.AgrementDate.String() != "2019-03-01" {
					return fmt.Sprintf("%+v", p)
				}
				return ""
			},
		},
		{
			[]string{"Titre", "Nom de famille", "Prénoms", "No voie", "Nature de voie", "Rue", "Code Postal", "Localité", "Tél. fixe", "Portable", "N°agrément", "Capacité d'accueil", "Agréée depuis", "Courriel", "Observations"},
			[]string{"Mme", "Petit", "Anne", "7", "rue", "Pasteur", "92000", "Nanterre", "", "07 11 22 33 44", "N-7", "1", "01/02/2003", "a@b.fr", "rien"},
			func(p *data.Professional) string {
				if p.Phone != "0711223344" || p.PlacesAgreed != 1 || p.Address.StreetName != "Pasteur" {
					return fmt.Sprintf("%+v", p)
				}
				return ""
			},
		},
		{
			[]string{" civilité ", "nom", "prénom", "adresse", "complément", "code postal", "commune", "téléphone portable", "téléphone fixe", "numéro d'agrément", "nombre de places", "date de l'agrément", "", ""},
			[]string{"Mme", "Roux", "Zoé", "4 bis rue de la Paix", "Bât. C", "92200", "Neuilly-sur-Seine", "06 00 00 00 01", "01 00 00 00 02", "r 4", "3,0", "", "", ""},
			func(p *data.Professional) string {
				if p.Address.StreetName != "4 bis rue de la Paix, Bât. C" || p.Phone != "0600000001" || p.PlacesAgreed != 3 || p.AgrementNumber != "R4" || !p.AgrementDate.IsZero() {
					return fmt.Sprintf("%+v", p)
				}
				return ""
			},
		},
	}
	tests = append(tests, headerCase{
		// A « N° » column that counts the rows beside a whole address.
		[]string{"N°", "Civilité", "Nom", "Prénom", "Adresse", "Code postal", "Commune", "Agrément", "Places"},
		[]string{"1", "Mme", "Roux", "Zoé", "4 bis rue de la Paix", "92200", "Neuilly-sur-Seine", "r5", "3"},
		func(p *data.Professional) string {
			if p.Address.Number != "" || p.Address.Line() != "4 bis rue de la Paix" {
				return fmt.Sprintf("%+v", p.Address)
			}
			return ""
		},
	}, headerCase{
		// A number column and an address column without the number.
		[]string{"Civilité", "Nom", "Prénom", "N°", "Adresse", "Code postal", "Commune", "Agrément", "Places"},
		[]string{"Mme", "Roux", "Zoé", "4 bis", "rue de la Paix", "92200", "Neuilly-sur-Seine", "r5", "3"},
		func(p *data.Professional) string {
			if p.Address.Number != "4 bis" || p.Address.Line() != "4 bis rue de la Paix" {
				return fmt.Sprintf("%+v", p.Address)
			}
			return ""
		},
	})
	for i, tt := range tests {
		res := mustParse(t, []byte(csvText(";", tt.header, tt.row)), "921")
		if res.Valid != 1 {
			t.Errorf("%d: row rejected: %s (columns %v)", i, res.Rows[0].Reason, res.Columns)
			continue
		}
		if msg := tt.check(res.Rows[0].Professional); msg != "" {
			t.Errorf("%d: %s", i, msg)
		}
	}
	res := mustParse(t, []byte(csvText(";", tests[1].header, tests[1].row)), "921")
	if strings.Join(res.Ignored, "|") != "Courriel|Observations" {
		t.Errorf("Ignored %q, want Courriel and Observations", res.Ignored)
	}
	if res.Columns[FieldPhone] != "Tél. fixe, Portable" || res.Columns[FieldStreetNumber] != "No voie" {
		t.Errorf("Columns %v", res.Columns)
	}
}

func TestParseHeaderAfterTitle(t *testing.T) {
	content := "Liste des assistantes maternelles agréées au 01/03/2025\n\n" + csvText(";", stdHeader, goodRow(nil))
	res := mustParse(t, []byte(content), "921")
	if res.HeaderLine != 3 || res.Valid != 1 || res.Rows[0].Line != 4 {
		t.Errorf("header line %d, valid %d, row line %d; want 3, 1, 4", res.HeaderLine, res.Valid, res.Rows[0].Line)
	}
}

func TestParseRowReasons(t *testing.T) {
	tests := []struct {
		edit map[string]string
		want string
	}{
		{map[string]string{"Civilité": ""}, "Civilité manquante"},
		{map[string]string{"Civilité": "Dr"}, "Civilité « Dr » inconnue"},
		{map[string]string{"Nom": ""}, "Nom manquant."},
		{map[string]string{"Prénom": " "}, "Prénom manquant."},
		{map[string]string{"Nom": "Dupont2"}, "Nom « Dupont2 » invalide"},
		{map[string]string{"Prénom": "--"}, "Prénom « -- » invalide"},
		{map[string]string{"Nom": strings.Repeat("a", 101)}, "Nom trop long"},
		{map[string]string{"Nom de voie": ""}, "Adresse manquante"},
		{map[string]string{"Nom de voie": strings.Repeat("b", 101)}, "Adresse trop longue"},
		{map[string]string{"N° de voie": "12345678901"}, "N° de voie « 12345678901 » trop long"},
		{map[string]string{"Code postal": ""}, "Code postal manquant."},
		{map[string]string{"Code postal": "9210"}, "Code postal « 9210 » invalide"},
		{map[string]string{"Code postal": "92OOO"}, "Code postal « 92OOO » invalide"},
		{map[string]string{"Code postal": "92999"}, "Le code postal 92999 n'existe pas"},
		{map[string]string{"Commune": "Nanterre"}, "La commune « Nanterre » ne correspond pas au code postal 92100"},
		{map[string]string{"Code postal": "75015", "Commune": "Paris"}, "relève de la Caf de Paris (751), pas de la Caf des Hauts-de-Seine"},
		{map[string]string{"Téléphone": "01 46 05"}, "Numéro de téléphone « 01 46 05 » invalide"},
		{map[string]string{"Téléphone": "n/c"}, "Numéro de téléphone « n/c » invalide"},
		{map[string]string{"N° d'agrément": ""}, "N° d'agrément manquant."},
		{map[string]string{"N° d'agrément": strings.Repeat("1", 31)}, "trop long (30 caractères au plus)"},
		{map[string]string{"N° d'agrément": "92#1"}, "N° d'agrément « 92#1 » invalide"},
		{map[string]string{"Nombre de places agréées": ""}, "Nombre de places agréées manquant"},
		{map[string]string{"Nombre de places agréées": "quatre"}, "Nombre de places agréées « quatre » invalide : indiquez un nombre entier de 1 à 6."},
		{map[string]string{"Nombre de places agréées": "0"}, "« 0 » invalide"},
		{map[string]string{"Nombre de places agréées": "7"}, "« 7 » invalide"},
		{map[string]string{"Nombre de places agréées": "2.5"}, "« 2.5 » invalide"},
		{map[string]string{"Date d'agrément": "15/13/2019"}, "Date d'agrément « 15/13/2019 » invalide"},
		{map[string]string{"Date d'agrément": "43480"}, "Date d'agrément « 43480 » invalide"},
		{map[string]string{"Date d'agrément": "01/01/1960"}, "Date d'agrément 01/01/1960 improbable"},
		{map[string]string{"Date d'agrément": "01/01/2999"}, "Date d'agrément 01/01/2999 dans le futur"},
		// The first problem is the one reported.
		{map[string]string{"Nom": "", "Code postal": "1"}, "Nom manquant."},
	}
	for _, tt := range tests {
		res := mustParse(t, []byte(csvText(";", stdHeader, goodRow(tt.edit))), "921")
		row := res.Rows[0]
		if row.Professional != nil || res.Rejected != 1 {
			t.Errorf("%v: accepted, want %q", tt.edit, tt.want)
			continue
		}
		if !strings.Contains(row.Reason, tt.want) {
			t.Errorf("%v: reason %q, want it to contain %q", tt.edit, row.Reason, tt.want)
		}
	}
}

func TestParseAcceptedValues(t *testing.T) {
	tests := []struct {
		edit  map[string]string
		check func(*data.Professional) bool
	}{
		{map[string]string{"Téléphone": ""}, func(p *data.Professional) bool { return p.Phone == "" }},
		{map[string]string{"Téléphone": "612345678"}, func(p *data.Professional) bool { return p.Phone == "0612345678" }},
		{map[string]string{"Téléphone": `"=""0612345678"""`}, func(p *data.Professional) bool { return p.Phone == "0612345678" }},
		{map[string]string{"Date d'agrément": ""}, func(p *data.Professional) bool { return p.AgrementDate.IsZero() }},
		{map[string]string{"Date d'agrément": "2019-01-15"}, func(p *data.Professional) bool { return p.AgrementDate.String() == "2019-01-15" }},
		{map[string]string{"Date d'agrément": "5/1/2019"}, func(p *data.Professional) bool { return p.AgrementDate.String() == "2019-01-05" }},
		{map[string]string{"Date d'agrément": "15/01/2019 00:00:00"}, func(p *data.Professional) bool { return p.AgrementDate.String() == "2019-01-15" }},
		{map[string]string{"Date d'agrément": "15.01.2019"}, func(p *data.Professional) bool { return p.AgrementDate.String() == "2019-01-15" }},
		{map[string]string{"Nombre de places agréées": "6"}, func(p *data.Professional) bool { return p.PlacesAgreed == 6 }},
		{map[string]string{"Nombre de places agréées": "1"}, func(p *data.Professional) bool { return p.PlacesAgreed == 1 }},
		{map[string]string{"Code postal": "92 100"}, func(p *data.Professional) bool { return p.Address.PostalCode == "92100" }},
		{map[string]string{"Commune": ""}, func(p *data.Professional) bool { return p.Address.CommuneINSEE == "92012" }}, // 92100 has one commune
		{map[string]string{"Commune": "BOULOGNE BILLANCOURT"}, func(p *data.Professional) bool { return p.Address.CommuneName == "Boulogne-Billancourt" }},
		{map[string]string{"Civilité": "MLLE"}, func(p *data.Professional) bool { return p.Civility == data.CivilityMme }},
		{map[string]string{"Civilité": "Monsieur", "Prénom": "Jean-François"}, func(p *data.Professional) bool { return p.Civility == data.CivilityM }},
		{map[string]string{"N° d'agrément": "am 92/2019 . 01"}, func(p *data.Professional) bool { return p.AgrementNumber == "AM92/2019.01" }},
	}
	for _, tt := range tests {
		res := mustParse(t, []byte(csvText(";", stdHeader, goodRow(tt.edit))), "921")
		p := res.Rows[0].Professional
		if p == nil {
			t.Errorf("%v: rejected: %s", tt.edit, res.Rows[0].Reason)
			continue
		}
		if !tt.check(p) {
			t.Errorf("%v: got %+v", tt.edit, *p)
		}
	}
}

func TestParseDateToday(t *testing.T) {
	defer func(f func() time.Time) { now = f }(now)
	// 23:30 UTC on 14 March is already 15 March in Paris.
	now = func() time.Time { return time.Date(2025, 3, 14, 23, 30, 0, 0, time.UTC) }
	for date, ok := range map[string]bool{"15/03/2025": true, "16/03/2025": false, "14/03/2025": true} {
		res := mustParse(t, []byte(csvText(";", stdHeader, goodRow(map[string]string{"Date d'agrément": date}))), "921")
		if got := res.Valid == 1; got != ok {
			t.Errorf("%s: valid %v, want %v (%s)", date, got, ok, res.Rows[0].Reason)
		}
	}
}

func TestParseOnlyBadRows(t *testing.T) {
	res := mustParse(t, []byte(csvText(";", stdHeader,
		goodRow(map[string]string{"Nom": ""}),
		goodRow(map[string]string{"Code postal": "1234", "N° d'agrément": "B"}),
		goodRow(map[string]string{"Nombre de places agréées": "quatre", "N° d'agrément": "C"}),
	)), "921")
	if res.Valid != 0 || res.Rejected != 3 {
		t.Errorf("Valid %d Rejected %d, want 0 and 3", res.Valid, res.Rejected)
	}
	for _, r := range res.Rows {
		if r.Reason == "" || r.Professional != nil {
			t.Errorf("line %d: %+v", r.Line, r)
		}
	}
}

func TestParseDuplicateAgrement(t *testing.T) {
	res := mustParse(t, []byte(csvText(";", stdHeader,
		goodRow(nil),
		goodRow(map[string]string{"N° d'agrément": "92-2019-0200", "Prénom": "Léa"}),
		goodRow(map[string]string{"N° d'agrément": "92 - 2019 - 0147", "Prénom": "Zoé"}),
		goodRow(map[string]string{"N° d'agrément": "92-2019-0147", "Prénom": "Inès", "Nom": ""}),
	)), "921")
	if res.Valid != 1 || res.Rows[1].Professional == nil {
		t.Fatalf("Valid %d, want only line 3: %+v", res.Valid, res.Rows)
	}
	want := "N° d'agrément 92-2019-0147 en double dans le fichier (lignes 2, 4 et 5)."
	for _, i := range []int{0, 2} {
		if res.Rows[i].Reason != want {
			t.Errorf("line %d: reason %q, want %q", res.Rows[i].Line, res.Rows[i].Reason, want)
		}
	}
	if res.Rows[3].Reason != "Nom manquant." {
		t.Errorf("a row rejected for another reason keeps it: %q", res.Rows[3].Reason)
	}
}

func TestParseOtherCaf(t *testing.T) {
	header := []string{"Civilité", "Nom", "Prénom", "Adresse", "Code postal", "Commune", "N° d'agrément", "Places"}
	content := []byte(csvText(";", header,
		[]string{"Mme", "Etcheverry", "Maite", "3 rue Thiers", "64100", "Bayonne", "64-1", "3"},
		[]string{"Mme", "Lasserre", "Anne", "1 place Royale", "64000", "Pau", "64-2", "2"},
		[]string{"Mme", "Larralde", "Irati", "8 avenue de Verdun", "64200", "Biarritz", "64-3", "4"},
	))
	res := mustParse(t, content, "642")
	if res.Valid != 1 || res.Rows[1].Professional == nil || res.Rows[1].Professional.CafCode != "642" || res.Rows[1].Professional.Department != "64" {
		t.Fatalf("for the Caf du Béarn et de la Soule only Pau is valid: %+v", res.Rows)
	}
	for _, i := range []int{0, 2} {
		if r := res.Rows[i].Reason; !strings.Contains(r, "relève de la Caf du Pays Basque et du Seignanx (641), pas de la Caf du Béarn et de la Soule") {
			t.Errorf("line %d: reason %q", res.Rows[i].Line, r)
		}
	}
	res = mustParse(t, content, "641")
	if res.Valid != 2 || !strings.Contains(res.Rows[1].Reason, "Caf du Béarn et de la Soule (642)") {
		t.Errorf("for the Caf du Pays Basque: Valid %d, reason %q", res.Valid, res.Rows[1].Reason)
	}

	// A whole list of the 92 sent to the Caf de Paris.
	res = mustParse(t, []byte(csvText(";", stdHeader, goodRow(nil), goodRow(map[string]string{"N° d'agrément": "2"}))), "751")
	if res.Valid != 0 || res.Rejected != 2 {
		t.Errorf("Valid %d Rejected %d, want 0 and 2", res.Valid, res.Rejected)
	}
	for _, r := range res.Rows {
		if !strings.Contains(r.Reason, "Boulogne-Billancourt (92100, Hauts-de-Seine) relève de la Caf des Hauts-de-Seine (921), pas de la Caf de Paris") {
			t.Errorf("line %d: reason %q", r.Line, r.Reason)
		}
	}
}

func TestParseStraddlingPostalCode(t *testing.T) {
	header := []string{"Civilité", "Nom", "Prénom", "Adresse", "Code postal", "Commune", "N° d'agrément", "Places"}
	res := mustParse(t, []byte(csvText(";", header,
		[]string{"Mme", "Santoni", "Maria", "Lieu-dit Vignola", "20167", "Alata", "2A-1", "2"},
		[]string{"Mme", "Pietri", "Rose", "Route de Sagone", "20167", "", "2A-2", "2"},
	)), "201")
	if p := res.Rows[0].Professional; p == nil || p.Address.CommuneINSEE != "2A006" || p.Department != "2A" {
		t.Errorf("Alata: %+v %s", p, res.Rows[0].Reason)
	}
	if r := res.Rows[1].Reason; !strings.Contains(r, "Choisissez votre commune parmi") || !strings.Contains(r, "Alata") {
		t.Errorf("20167 without commune: reason %q", r)
	}
}

func TestParseFileErrors(t *testing.T) {
	var plainZip bytes.Buffer
	zw := zip.NewWriter(&plainZip)
	w, _ := zw.Create("liste.txt")
	w.Write([]byte(csvText(";", stdHeader, goodRow(nil))))
	zw.Close()
	var emptyZip bytes.Buffer
	zip.NewWriter(&emptyZip).Close()
	random := make([]byte, 4096)
	rng := rand.New(rand.NewPCG(1, 2))
	for i := range random {
		random[i] = byte(rng.IntN(256))
	}
	notTabular := "Ce fichier n'est ni un CSV ni un classeur Excel (.xlsx) : enregistrez la liste au format CSV ou XLSX puis recommencez."
	tests := []struct {
		name    string
		content []byte
		want    string
	}{
		{"empty", nil, "Le fichier est vide."},
		{"blank", []byte(" \r\n\n\t"), "Le fichier est vide."},
		{"bom and separators", []byte("\ufeff;;;\n;;\n"), "Le fichier est vide."},
		{"header only", []byte(csvText(";", stdHeader)), "Le fichier ne contient aucune ligne de données."},
		{"header and blank lines", []byte(csvText(";", stdHeader) + "\n;;;;\n\n"), "Le fichier ne contient aucune ligne de données."},
		{"pdf", []byte("%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n"), notTabular},
		{"png", []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01"), notTabular},
		{"jpeg", []byte("\xff\xd8\xff\xe0\x00\x10JFIF"), notTabular},
		{"doc or xls 97", []byte("\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1\x00\x00\x00\x00"), notTabular},
		{"random bytes", random, notTabular},
		{"plain zip", plainZip.Bytes(), notTabular},
		{"empty zip", emptyZip.Bytes(), notTabular},
		{"html", []byte("<html><body><table><tr><td>Nom</td></tr></table></body></html>"), notTabular},
		{"missing columns", []byte(csvText(";", []string{"Nom", "Prénom", "Adresse", "Code postal", "Téléphone", "Divers"}, []string{"a", "b", "c", "d", "e", "f"})),
			"Colonnes manquantes : Civilité, Commune, N° d'agrément, Nombre de places agréées. Colonnes trouvées : Nom, Prénom, Adresse, Code postal, Téléphone, Divers."},
		{"missing street", []byte(csvText(";", []string{"Civilité", "Nom", "Prénom", "Code postal", "Commune", "N° d'agrément", "Places"}, []string{"a", "b", "c", "d", "e", "f", "g"})),
			"Colonnes manquantes : Nom de voie (ou Adresse)."},
		{"no header", []byte("a;b;c\n1;2;3\n"), "Colonnes manquantes : Civilité, Nom, Prénom, Nom de voie (ou Adresse), Code postal, Commune, N° d'agrément, Nombre de places agréées. Colonnes trouvées : a, b, c."},
		{"unclosed quote", []byte(csvText(";", stdHeader, goodRow(nil)) + "Mme;\"Dupont;Léa\n" + csvText(";", goodRow(nil))), "Ligne 3 : un champ entre guillemets n'est pas refermé"},
		{"bare quote", []byte(csvText(";", stdHeader, goodRow(nil), goodRow(map[string]string{"Nom": `Du"pont`}))), "Ligne 3 : un guillemet (\") se trouve au milieu d'un champ"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := parseError(t, tt.content); !strings.HasPrefix(got, tt.want) {
				t.Errorf("message %q, want it to begin with %q", got, tt.want)
			}
		})
	}
}

func TestParseUnknownCaf(t *testing.T) {
	_, err := Parse("l.csv", strings.NewReader(csvText(";", stdHeader, goodRow(nil))), "999")
	if data.ErrorCode(err) != data.EINVALID {
		t.Errorf("unknown Caf: %v", err)
	}
}

func TestParseTooLarge(t *testing.T) {
	if testing.Short() {
		t.Skip("reads 50 MB")
	}
	r := io.MultiReader(strings.NewReader(csvText(";", stdHeader)), io.LimitReader(repeatReader('x'), MaxFileSize))
	_, err := Parse("big.csv", r, "921")
	if msg := data.ErrorMessage(err); msg != "Le fichier dépasse 50 Mo : découpez la liste en plusieurs fichiers puis recommencez." {
		t.Errorf("got %q", msg)
	}
}

func TestParseTooManyRows(t *testing.T) {
	if testing.Short() {
		t.Skip("checks 200,000 rows")
	}
	var b strings.Builder
	b.WriteString("Civilité;Nom;Prénom;Adresse;Code postal;Commune;N° d'agrément;Places\n")
	for i := range MaxRows + 1 {
		fmt.Fprintf(&b, "Mme;A;B;C;92100;;%d;1\n", i)
	}
	_, err := Parse("many.csv", strings.NewReader(b.String()), "921")
	if msg := data.ErrorMessage(err); !strings.HasPrefix(msg, "Le fichier compte plus de 200\u00a0000 lignes de données") {
		t.Errorf("got %q", msg)
	}
}

type repeatReader byte

func (r repeatReader) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = byte(r)
	}
	return len(p), nil
}

// workbook builds an XLSX with excelize: sheets in order, each a list of
// rows of cells.
func workbook(t *testing.T, sheets []string, rows map[string][][]any, setup func(*excelize.File)) []byte {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	for i, name := range sheets {
		if i == 0 {
			if err := f.SetSheetName("Sheet1", name); err != nil {
				t.Fatal(err)
			}
		} else if _, err := f.NewSheet(name); err != nil {
			t.Fatal(err)
		}
		for j, row := range rows[name] {
			if row == nil {
				continue
			}
			cell, _ := excelize.CoordinatesToCellName(1, j+1)
			if err := f.SetSheetRow(name, cell, &row); err != nil {
				t.Fatal(err)
			}
		}
	}
	if setup != nil {
		setup(f)
	}
	var b bytes.Buffer
	if _, err := f.WriteTo(&b); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func TestParseXLSX(t *testing.T) {
	header := []any{"Civilité", "Nom", "Prénom", "Adresse", "Code postal", "Commune", "Téléphone", "N° d'agrément", "Nombre de places", "Date d'agrément"}
	date := time.Date(2019, 1, 15, 0, 0, 0, 0, time.UTC)
	content := workbook(t, []string{"Notes", "Vide", "Liste"}, map[string][][]any{
		"Notes": {{"Liste transmise par la PMI"}, {"Voir la feuille suivante"}},
		"Liste": {
			{"Assistantes maternelles agréées — mars 2025"},
			nil,
			header,
			{"Mme", "Cœurdevey", "Hélène", "12 rue des Lilas", 1000, "Bourg-en-Bresse", 612345678, "01-2019-7", 4, date},
			nil,
			{"Melle", "Martin", "Léa", "3 avenue Foch", "1000", "Bourg-en-Bresse", "04 74 00 00 00", "01-2019-8", "quatre", "15/01/2019"},
			{"M", "Durand", "Jean", "5 rue Pasteur", 92100, "Boulogne-Billancourt", nil, "01-2019-9", 2, nil},
		},
	}, func(f *excelize.File) {
		style, err := f.NewStyle(&excelize.Style{NumFmt: 14})
		if err != nil {
			t.Fatal(err)
		}
		f.SetCellStyle("Liste", "J4", "J4", style)
	})
	for _, name := range []string{"liste.xlsx", "liste.csv", "liste"} { // by content, not by name
		res, err := Parse(name, bytes.NewReader(content), "011")
		if err != nil {
			t.Fatal(err)
		}
		if res.Format != FormatXLSX || res.Sheet != "Liste" || res.HeaderLine != 3 || res.Encoding != "" || res.Separator != 0 {
			t.Fatalf("format %q sheet %q header %d", res.Format, res.Sheet, res.HeaderLine)
		}
		if len(res.Rows) != 3 || res.Rows[0].Line != 4 || res.Rows[1].Line != 6 || res.Rows[2].Line != 7 {
			t.Fatalf("rows %+v", res.Rows)
		}
		p := res.Rows[0].Professional
		if p == nil {
			t.Fatalf("row 4 rejected: %s", res.Rows[0].Reason)
		}
		if p.Address.PostalCode != "01000" || p.Phone != "0612345678" || p.AgrementDate != data.DateOf(date) || p.PlacesAgreed != 4 || p.LastName != "Cœurdevey" {
			t.Errorf("row 4: %+v", *p)
		}
		if got := res.Rows[0].Raw[9]; got != "15/01/2019" {
			t.Errorf("Raw date %q, want 15/01/2019", got)
		}
		// A postal code typed as text keeps its four digits.
		if r := res.Rows[1].Reason; !strings.Contains(r, "Code postal « 1000 » invalide") {
			t.Errorf("row 6: %q", r)
		}
		if r := res.Rows[2].Reason; !strings.Contains(r, "relève de la Caf des Hauts-de-Seine (921), pas de la Caf de l'Ain") {
			t.Errorf("row 7: %q", r)
		}
	}
}

func TestParseXLSXErrors(t *testing.T) {
	empty := workbook(t, []string{"Feuil1"}, nil, nil)
	if got := parseError(t, empty); got != "Le fichier est vide." {
		t.Errorf("empty workbook: %q", got)
	}
	headerOnly := workbook(t, []string{"Feuil1"}, map[string][][]any{"Feuil1": {{"Civilité", "Nom", "Prénom", "Adresse", "CP", "Commune", "Agrément", "Places"}}}, nil)
	if got := parseError(t, headerOnly); got != "Le fichier ne contient aucune ligne de données." {
		t.Errorf("header only: %q", got)
	}
	missing := workbook(t, []string{"Feuil1"}, map[string][][]any{"Feuil1": {{"Nom", "Prénom", "Commune", "Observations"}, {"a", "b", "c", "d"}}}, nil)
	if got := parseError(t, missing); !strings.HasPrefix(got, "Colonnes manquantes : Civilité, Nom de voie (ou Adresse), Code postal, N° d'agrément, Nombre de places agréées. Colonnes trouvées : Nom, Prénom, Commune, Observations.") {
		t.Errorf("missing columns: %q", got)
	}
	truncated := workbook(t, []string{"Feuil1"}, map[string][][]any{"Feuil1": {{"Nom"}}}, nil)
	if got := parseError(t, truncated[:len(truncated)/2]); got != msgNotTabular {
		t.Errorf("truncated workbook: %q", got)
	}
}

// sampleDir holds the lists written by tools/pmisample.
const sampleDir = "../../testdata/pmi"

func parseSample(t *testing.T, name, caf string) *Result {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(sampleDir, name))
	if err != nil {
		t.Fatal(err)
	}
	res, err := Parse(name, bytes.NewReader(b), caf)
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return res
}

func TestParseSampleLists(t *testing.T) {
	wantReasons := []string{
		"Code postal « ", // a postal code of four digits
		"ne correspond pas au code postal 92100",
		"en double dans le fichier",
		"Nom manquant.",
		"Nombre de places agréées « quatre » invalide",
		"relève de la Caf de Paris (751)",
		"en double dans le fichier",
		"Numéro de téléphone « 01 46 05 » invalide",
	}
	var first map[string]data.Professional
	for _, tt := range []struct{ name, enc string }{
		{"liste-pmi-92.csv", EncodingUTF8BOM},
		{"liste-pmi-92-excel.csv", EncodingWindows1252},
		{"liste-pmi-92-virgules.csv", EncodingUTF8},
		{"liste-pmi-92.xlsx", ""},
	} {
		res := parseSample(t, tt.name, "921")
		if res.Encoding != tt.enc || res.Valid != 400 || res.Rejected != 8 {
			t.Errorf("%s: encoding %q, %d valid, %d rejected; want %q, 400, 8", tt.name, res.Encoding, res.Valid, res.Rejected, tt.enc)
		}
		var reasons []string
		people := map[string]data.Professional{}
		for _, r := range res.Rows {
			if r.Reason != "" {
				reasons = append(reasons, r.Reason)
			} else {
				people[r.Professional.AgrementNumber] = *r.Professional
			}
		}
		for i, want := range wantReasons {
			if i >= len(reasons) || !strings.Contains(reasons[i], want) {
				t.Errorf("%s: reasons %q, want #%d to contain %q", tt.name, reasons, i, want)
				break
			}
		}
		if first == nil {
			first = people
			continue
		}
		// The same people, whatever the format (the workbook has one address column).
		for k, p := range people {
			q := first[k]
			if tt.name == "liste-pmi-92.xlsx" {
				q.Address.Number, q.Address.StreetType, q.Address.StreetName = "", "", q.Address.Line()
			}
			if p != q {
				t.Errorf("%s: %s differs:\n%+v\n%+v", tt.name, k, p, q)
				break
			}
		}
	}

	v2 := parseSample(t, "liste-pmi-92-v2.csv", "921")
	if v2.Valid != 400 || v2.Rejected != 1 {
		t.Errorf("v2: %d valid, %d rejected", v2.Valid, v2.Rejected)
	}
	var same, changed, added int
	for _, r := range v2.Rows {
		if r.Professional == nil {
			continue
		}
		switch p, ok := first[r.Professional.AgrementNumber]; {
		case !ok:
			added++
		case p == *r.Professional:
			same++
		default:
			changed++
		}
	}
	if same != 375 || changed != 15 || added != 10 {
		t.Errorf("v2: %d same, %d changed, %d new; want 375, 15, 10", same, changed, added)
	}

	res := parseSample(t, "liste-pmi-2a.csv", "201")
	if res.Valid != 100 || res.Rejected != 3 {
		t.Errorf("2A: %d valid, %d rejected", res.Valid, res.Rejected)
	}
	for _, r := range res.Rows {
		if p := r.Professional; p != nil && (p.Department != "2A" || p.CafCode != "201") {
			t.Errorf("2A line %d: %+v", r.Line, p)
		}
		if strings.Contains(r.Reason, "Bastia") && !strings.Contains(r.Reason, "Caf de la Haute-Corse (202)") {
			t.Errorf("2A line %d: %s", r.Line, r.Reason)
		}
	}
}

// list50k returns a list of n rows of the Caf 921, UTF-8, « ; ».
func list50k(n int) []byte {
	ref := data.DefaultReference()
	var communes []data.Commune
	for _, c := range ref.Communes() {
		if c.Department == "92" {
			communes = append(communes, c)
		}
	}
	var b bytes.Buffer
	b.WriteString("\ufeff" + strings.Join(stdHeader, ";") + "\n")
	for i := range n {
		c := communes[i%len(communes)]
		fmt.Fprintf(&b, "Mme;Dupont-Lefèvre;Hélène;%d;rue;des Écoles;%s;%s;06 12 %02d %02d %02d;92-%d;%d;%02d/%02d/20%02d\n",
			i%150+1, c.PostalCodes[0], c.Name, i%100, i/100%100, i/10000, i, i%4+1, i%28+1, i%12+1, i%25)
	}
	return b.Bytes()
}

func BenchmarkParse50k(b *testing.B) {
	content := list50k(50_000)
	b.SetBytes(int64(len(content)))
	b.ReportAllocs()
	for b.Loop() {
		res, err := Parse("bench.csv", bytes.NewReader(content), "921")
		if err != nil || res.Valid != 50_000 {
			b.Fatalf("%v, %d valid", err, res.Valid)
		}
	}
	b.ReportMetric(float64(50_000*b.N)/b.Elapsed().Seconds(), "rows/s")
}

func TestCleanCell(t *testing.T) {
	for in, want := range map[string]string{
		"":                    "",
		"Dupont":              "Dupont",
		"  Dupont ":           "Dupont",
		"Le  Gall":            "Le Gall",
		"Hélène\u00a0Marie":   "Hélène Marie",
		"a\r\nb\tc":           "a b c",
		"\ufeffNom":           "Nom",
		"x\x00y":              "x y",
		`="0612345678"`:       "0612345678",
		`=" 92100 "`:          "92100",
		"Cœur de Lion":        "Cœur de Lion",
		" \u200b ":            "",
		"é ":                  "é",
		"\u2003Em\u2003space": "Em space",
	} {
		if got := cleanCell(in); got != want {
			t.Errorf("cleanCell(%q) = %q, want %q", in, got, want)
		}
	}
	// isClean, the fast path, agrees with the slow one.
	rng := rand.New(rand.NewPCG(3, 4))
	alphabet := []rune{'a', 'é', ' ', ' ', '\t', '\n', '\u00a0', '\ufeff', 'Œ', '-', '\x01', '\x7f'}
	for range 20000 {
		r := make([]rune, rng.IntN(6))
		for i := range r {
			r[i] = alphabet[rng.IntN(len(alphabet))]
		}
		s := string(r)
		slow := strings.Join(strings.FieldsFunc(s, isBlankRune), " ")
		if isClean(s) != (slow == s) {
			t.Fatalf("isClean(%q) = %v, but the slow path gives %q", s, isClean(s), slow)
		}
	}
}

// BenchmarkParseXLSX50k reads a 50,000-row workbook.
func BenchmarkParseXLSX50k(b *testing.B) {
	f := excelize.NewFile()
	sw, err := f.NewStreamWriter("Sheet1")
	if err != nil {
		b.Fatal(err)
	}
	header := make([]any, len(stdHeader))
	for i, h := range stdHeader {
		header[i] = h
	}
	sw.SetRow("A1", header)
	rows, err := csvRowsOf(list50k(50_000))
	if err != nil {
		b.Fatal(err)
	}
	for i, r := range rows {
		cells := make([]any, len(r))
		for j, c := range r {
			cells[j] = c
		}
		cell, _ := excelize.CoordinatesToCellName(1, i+2)
		if err := sw.SetRow(cell, cells); err != nil {
			b.Fatal(err)
		}
	}
	sw.Flush()
	var buf bytes.Buffer
	f.WriteTo(&buf)
	content := buf.Bytes()
	b.SetBytes(int64(len(content)))
	b.ReportAllocs()
	for b.Loop() {
		res, err := Parse("bench.xlsx", bytes.NewReader(content), "921")
		if err != nil || res.Valid != 50_000 {
			b.Fatalf("%v, %d valid", err, res.Valid)
		}
	}
	b.ReportMetric(float64(50_000*b.N)/b.Elapsed().Seconds(), "rows/s")
}

// csvRowsOf splits a list made by list50k into its data rows.
func csvRowsOf(content []byte) ([][]string, error) {
	lines := strings.Split(strings.TrimSpace(string(content)), "\n")
	out := make([][]string, 0, len(lines)-1)
	for _, l := range lines[1:] {
		out = append(out, strings.Split(l, ";"))
	}
	return out, nil
}
