package pmi

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"

	"espacepro/data"
)

// FuzzParseCSV feeds Parse any bytes: it must not panic, and either return
// a file-level EINVALID error or a Result whose counts add up and whose
// valid rows pass their own checks again.
func FuzzParseCSV(f *testing.F) {
	f.Add([]byte(csvText(";", stdHeader, goodRow(nil), goodRow(map[string]string{"N° d'agrément": "B", "Téléphone": ""}))))
	f.Add([]byte(csvText(",", stdHeader, goodRow(map[string]string{"Nom": "Œillet", "Date d'agrément": ""}))))
	f.Add([]byte("\ufeffCivilité;Nom;Prénom;Adresse;CP;Ville;Agrément;Places\r\nMme;\"A;B\";C;\"1 rue X\r\nbât B\";92100;;1;3\r\n"))
	f.Add([]byte("Civilit\xe9\tNom\tPr\xe9nom\tRue\tCode postal\tCommune\tN\xb0 agr\xe9ment\tNb places\nMlle\tL\x8cuillet\tL\xe9a\tFoch\t92200\tNeuilly-sur-Seine\tx\t2\n"))
	f.Add([]byte(csvText(";", stdHeader, goodRow(nil), goodRow(nil))))
	f.Add([]byte("a;\"b\n"))
	f.Add([]byte{})
	for _, name := range []string{"liste-pmi-92-v2.csv", "liste-pmi-2a.csv"} {
		if b, err := os.ReadFile(filepath.Join(sampleDir, name)); err == nil {
			f.Add(b[:min(len(b), 4000)])
		}
	}
	ref := data.DefaultReference()
	f.Fuzz(func(t *testing.T, b []byte) {
		res, err := Parse("fuzz.csv", bytes.NewReader(b), "921")
		if err != nil {
			if data.ErrorCode(err) != data.EINVALID || data.ErrorMessage(err) == "" {
				t.Fatalf("error %v is not a file-level EINVALID", err)
			}
			return
		}
		if res.Valid+res.Rejected != len(res.Rows) || len(res.Rows) == 0 {
			t.Fatalf("Valid %d + Rejected %d, %d rows", res.Valid, res.Rejected, len(res.Rows))
		}
		seen := map[string]bool{}
		last := res.HeaderLine
		for _, r := range res.Rows {
			if r.Line <= last {
				t.Fatalf("line %d after %d", r.Line, last)
			}
			last = r.Line
			if (r.Professional == nil) == (r.Reason == "") {
				t.Fatalf("line %d: professional %v, reason %q", r.Line, r.Professional, r.Reason)
			}
			if r.Professional == nil {
				if !utf8.ValidString(r.Reason) {
					t.Fatalf("line %d: reason not UTF-8: %q", r.Line, r.Reason)
				}
				continue
			}
			p := *r.Professional
			checkValidProfessional(t, ref, r.Line, p)
			if seen[p.AgrementNumber] {
				t.Fatalf("line %d: agrément %q valid twice", r.Line, p.AgrementNumber)
			}
			seen[p.AgrementNumber] = true
		}
	})
}

// checkValidProfessional checks again what Parse promises of a valid row.
func checkValidProfessional(t *testing.T, ref *data.Reference, line int, p data.Professional) {
	t.Helper()
	q := p
	if err := q.Validate(ref); err != nil {
		t.Fatalf("line %d: %+v fails Validate: %v", line, p, err)
	}
	if q != p {
		t.Fatalf("line %d: Validate changed %+v into %+v", line, p, q)
	}
	switch {
	case p.Kind != data.KindChildminder, p.Listing != data.Listed, p.Habilitation != data.HabilitationNone:
		t.Fatalf("line %d: states %+v", line, p)
	case p.CafCode != "921" || p.Department != "92":
		t.Fatalf("line %d: Caf %q département %q", line, p.CafCode, p.Department)
	case p.PlacesAgreed < MinPlacesAgreed || p.PlacesAgreed > MaxPlacesAgreed:
		t.Fatalf("line %d: %d places", line, p.PlacesAgreed)
	case p.AgrementNumber == "" || utf8.RuneCountInString(p.AgrementNumber) > MaxAgrementLength ||
		strings.ToUpper(p.AgrementNumber) != p.AgrementNumber || strings.ContainsAny(p.AgrementNumber, " \t\r\n"):
		t.Fatalf("line %d: agrément %q", line, p.AgrementNumber)
	case p.Civility != data.CivilityM && p.Civility != data.CivilityMme:
		t.Fatalf("line %d: civility %q", line, p.Civility)
	case p.LastName == "" || p.FirstName == "" || p.Address.StreetName == "":
		t.Fatalf("line %d: empty name or street %+v", line, p)
	case !p.AgrementDate.IsZero() && (p.AgrementDate.Year < MinAgrementYear || data.Today(now(), p.Department).Before(p.AgrementDate)):
		t.Fatalf("line %d: date %s", line, p.AgrementDate)
	}
	if p.Phone != "" {
		if n, err := data.NormalizePhone(p.Phone); err != nil || n != p.Phone {
			t.Fatalf("line %d: phone %q not normalised", line, p.Phone)
		}
	}
	c, err := ref.ResolveCommune(p.Address.PostalCode, "", p.Address.CommuneINSEE)
	if err != nil || c.Name != p.Address.CommuneName {
		t.Fatalf("line %d: commune %+v: %v", line, p.Address, err)
	}
	if caf, err := ref.CafOfCommune(c); err != nil || caf.Code != "921" {
		t.Fatalf("line %d: commune %s belongs to Caf %q (%v)", line, c.Name, caf.Code, err)
	}
	for _, s := range []string{p.LastName, p.FirstName, p.Address.Number, p.Address.StreetType, p.Address.StreetName} {
		if s != strings.TrimSpace(s) || strings.ContainsAny(s, "\r\n\t\x00") || !utf8.ValidString(s) {
			t.Fatalf("line %d: unclean value %q", line, s)
		}
	}
}
