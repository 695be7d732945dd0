package letter

import (
	"bytes"
	"fmt"
	"math"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"espacepro/data"

	"github.com/go-pdf/fpdf"
	"rsc.io/pdf"
)

// run is a piece of text the PDF draws with one text-showing operator.
type run struct {
	font string  // base font, e.g. "Helvetica-Bold"
	size float64 // points
	x, y float64 // points from the bottom left corner
	raw  string  // the bytes drawn, in the font's encoding
	text string  // the same, in UTF-8
}

// parsed is a PDF read back.
type parsed struct {
	pages int
	runs  []run
	info  pdf.Value
}

// text returns every run of the PDF, one per line.
func (p parsed) text() string {
	var b strings.Builder
	for _, r := range p.runs {
		b.WriteString(r.text)
		b.WriteByte('\n')
	}
	return b.String()
}

// readPDF parses b with rsc.io/pdf and collects the text it draws. fpdf
// writes each line as « BT x y Td (…) Tj ET » with the core fonts, which
// carry no widths, so the runs are read from the operators directly.
func readPDF(t *testing.T, b []byte) (p parsed) {
	t.Helper()
	defer func() {
		if e := recover(); e != nil {
			t.Fatalf("reading the PDF: %v", e)
		}
	}()
	r, err := pdf.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		t.Fatalf("reading the PDF: %v", err)
	}
	p.pages = r.NumPage()
	p.info = r.Trailer().Key("Info")
	for i := 1; i <= p.pages; i++ {
		page := r.Page(i)
		box := page.V.Key("MediaBox")
		if box.Kind() == pdf.Null { // inherited from the page tree
			box = page.V.Key("Parent").Key("MediaBox")
		}
		if w, h := box.Index(2).Float64(), box.Index(3).Float64(); math.Abs(w-595.28) > 0.5 || math.Abs(h-841.89) > 0.5 {
			t.Errorf("page %d is %.2f × %.2f pt, not A4", i, w, h)
		}
		var enc pdf.TextEncoding
		var font string
		var size, x, y float64
		pdf.Interpret(page.V.Key("Contents"), func(stk *pdf.Stack, op string) {
			args := make([]pdf.Value, stk.Len())
			for j := len(args) - 1; j >= 0; j-- {
				args[j] = stk.Pop()
			}
			switch op {
			case "Tf":
				f := page.Font(args[0].Name())
				font, size = f.BaseFont(), args[1].Float64()
				enc = nil
				if f.V.Key("Encoding").Kind() == pdf.Name {
					enc = f.Encoder()
				}
			case "Td":
				x, y = args[0].Float64(), args[1].Float64()
			case "Tj":
				raw := args[0].RawString()
				text := raw
				if enc != nil {
					text = enc.Decode(raw)
				}
				p.runs = append(p.runs, run{font, size, x, y, raw, text})
			case "TJ":
				t.Fatalf("unexpected TJ operator")
			}
		})
	}
	return p
}

// checkInside fails unless every run of p lies within the page's margins
// (10 mm from every edge).
func checkInside(t *testing.T, p parsed) {
	t.Helper()
	m := fpdf.New("P", "pt", "A4", "")
	const mm = 72 / 25.4
	for _, r := range p.runs {
		family, style := "Helvetica", ""
		switch r.font {
		case "Helvetica":
		case "Helvetica-Bold":
			style = "B"
		case "Helvetica-Oblique":
			style = "I"
		case "ZapfDingbats":
			family = "ZapfDingbats"
		default:
			t.Errorf("unexpected font %q", r.font)
			continue
		}
		m.SetFont(family, style, r.size)
		right := r.x + m.GetStringWidth(r.raw)
		if r.x < 10*mm-0.5 || right > (210-10)*mm+0.5 || r.y < 10*mm || r.y > (297-10)*mm {
			t.Errorf("%q (%s %.1fpt) at x %.1f–%.1f mm, y %.1f mm from the bottom: outside the page",
				r.text, r.font, r.size, r.x/mm, right/mm, r.y/mm)
		}
	}
}

// normalized joins the lines of the text with spaces and collapses runs of
// spaces, so that a phrase is found even when it wraps.
func normalized(s string) string { return strings.Join(strings.Fields(s), " ") }

// keep writes the PDF b to look at when LETTER_PDF names a file, e.g.
// LETTER_PDF=/tmp/letter.pdf go test ./server/letter; a suffix other than ""
// gives /tmp/letter-suffix.pdf.
func keep(t *testing.T, suffix string, b []byte) {
	t.Helper()
	name := os.Getenv("LETTER_PDF")
	if name == "" {
		return
	}
	if suffix != "" {
		name = strings.TrimSuffix(name, ".pdf") + "-" + suffix + ".pdf"
	}
	if err := os.WriteFile(name, b, 0o644); err != nil {
		t.Fatal(err)
	}
}

func childminder() Letter {
	return Letter{
		Caf: data.Caf{
			Code:              "921",
			Name:              "Caf des Hauts-de-Seine",
			Departments:       []string{"92"},
			HabilitationEmail: "habilitations.caf921@espacepro.example",
		},
		CafPostalAddress: []string{"70-88 rue Paul Lescop", "92023 Nanterre Cedex"},
		Request: &data.Request{
			ID:             "1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d",
			Kind:           data.KindChildminder,
			Civility:       data.CivilityMme,
			LastName:       "N'Diaye",
			FirstName:      "Hélène",
			AgrementNumber: "92-2019-0042",
			Address: data.Address{
				Number: "12 bis", StreetType: "rue", StreetName: "des Œillets",
				PostalCode: "92000", CommuneINSEE: "92050", CommuneName: "Nanterre",
			},
			Phone:      "0612345678",
			Email:      "helene.ndiaye@example.fr",
			Department: "92",
			CafCode:    "921",
			State:      data.RequestReceived,
			CreatedAt:  time.Date(2026, 11, 12, 9, 30, 0, 0, time.UTC),
		},
		Date:      data.Date{Year: 2026, Month: time.November, Day: 29},
		Reference: "1a2b3c4d",
		Site:      "Espace professionnel",
		Place:     "Nanterre",
	}
}

func structure() Letter {
	l := childminder()
	l.Request = &data.Request{
		ID:            "9f8e7d6c-0000-4000-8000-000000000000",
		Kind:          data.KindStructure,
		Civility:      data.CivilityM,
		LastName:      "Lefèvre",
		FirstName:     "François",
		StructureName: "Micro-crèche « Les Petits Pas »",
		Address: data.Address{
			Number: "3", StreetType: "place", StreetName: "de l'Église",
			PostalCode: "92100", CommuneINSEE: "92012", CommuneName: "Boulogne-Billancourt",
		},
		Phone:      "0146000000",
		Email:      "direction@petitspas.example",
		Department: "92",
		CafCode:    "921",
	}
	l.Reference = "9f8e7d6c"
	return l
}

func render(t *testing.T, l Letter) ([]byte, parsed) {
	t.Helper()
	b, err := Render(l)
	if err != nil {
		t.Fatalf("Render: %v", err)
	}
	p := readPDF(t, b)
	if p.pages != 1 {
		t.Errorf("%d pages, want 1", p.pages)
	}
	checkInside(t, p)
	return b, p
}

func wantText(t *testing.T, text string, want ...string) {
	t.Helper()
	for _, w := range want {
		if !strings.Contains(text, w) {
			t.Errorf("the PDF's text lacks %q; it reads:\n%s", w, text)
		}
	}
}

func TestChildminder(t *testing.T) {
	b, p := render(t, childminder())
	text := p.text()
	// Whole runs, as drawn: the accents, the apostrophe and « Œ » survive.
	wantText(t, text,
		"Caf des Hauts-de-Seine\n",
		"Madame Hélène N'DIAYE\n",
		"12 bis rue des Œillets\n",
		"92000 NANTERRE\n",
		"Nanterre, le 29 novembre 2026\n",
		"Réf. : 1a2b3c4d\n",
		"Objet : votre demande d'habilitation à l'Espace professionnel\n",
		"Madame,\n",
		"Coupon-réponse à retourner à la Caf des Hauts-de-Seine\n",
		"06 12 34 56 78\n",
		"92-2019-0042\n",
		"helene.ndiaye@example.fr\n",
		"Le responsable habilitations\n",
		"Signature :\n",
		"Fait à\n",
	)
	flat := normalized(text)
	wantText(t, flat,
		"Courriel : habilitations.caf921@espacepro.example",
		"demande d'habilitation à l'Espace professionnel du 12/11/2026",
		"compléter, signer et nous retourner le coupon-réponse",
		"à l'adresse habilitations.caf921@espacepro.example",
		"ou par voie postale",
		"adressé automatiquement par courrier électronique",
		"la Caf n'en a jamais connaissance",
		"Je demande mon habilitation à l'Espace professionnel et m'engage à tenir mes disponibilités à jour.",
		"Nous vous prions d'agréer, Madame, l'expression",
		"70-88 rue Paul Lescop – 92023 Nanterre Cedex",
	)
	if strings.Contains(text, "?") {
		t.Errorf("a character was replaced by « ? »:\n%s", text)
	}
	// The slip comes after the letter: the title below the signature.
	var sig, slip float64
	for _, r := range p.runs {
		switch r.text {
		case "Le responsable habilitations":
			sig = r.y
		case "Coupon-réponse à retourner à la Caf des Hauts-de-Seine":
			slip = r.y
		}
	}
	if !(slip < sig) {
		t.Errorf("the slip's title (y %.0f) is not below the signature (y %.0f)", slip, sig)
	}
	// The reply slip's title is the biggest text after the letterhead.
	for _, r := range p.runs {
		if r.text == "Coupon-réponse à retourner à la Caf des Hauts-de-Seine" && r.font != "Helvetica-Bold" {
			t.Errorf("slip title in %s, want Helvetica-Bold", r.font)
		}
	}
	if got := p.info.Key("Title").Text(); got != "Courrier d'habilitation" {
		t.Errorf("Title = %q", got)
	}
	for _, k := range []string{"Producer", "Creator"} {
		if got := p.info.Key(k).Text(); got != "Espace professionnel" {
			t.Errorf("%s = %q", k, got)
		}
	}
	if got := p.info.Key("CreationDate").Text(); got != "D:20261129000000" {
		t.Errorf("CreationDate = %q, want the letter's date", got)
	}
	if !bytes.Contains(b, []byte("/Encoding /WinAnsiEncoding")) {
		t.Error("the core fonts are not declared in WinAnsiEncoding")
	}
	keep(t, "", b)
}

func TestStructure(t *testing.T) {
	b, p := render(t, structure())
	text := p.text()
	wantText(t, text,
		"Micro-crèche « Les Petits Pas »\n",
		"À l'attention de Monsieur François LEFÈVRE\n",
		"3 place de l'Église\n",
		"92100 BOULOGNE-BILLANCOURT\n",
		"Madame, Monsieur,\n",
		"01 46 00 00 00\n",
		"Structure :\n",
		"Contact :\n",
		"Monsieur François LEFÈVRE\n",
	)
	flat := normalized(text)
	wantText(t, flat,
		"la fiche « structure » de votre établissement",
		"Je demande l'habilitation de la structure à l'Espace professionnel et m'engage à tenir ses disponibilités à jour.",
	)
	if strings.Contains(text, "N° d'agrément") {
		t.Error("an agrément line without a number")
	}
	keep(t, "structure", b)
}

func TestLongFieldsStayOnOnePage(t *testing.T) {
	street := string([]rune(strings.Repeat("des Très Longues Allées ", 5))[:100])
	if n := len([]rune(street)); n != 100 {
		t.Fatalf("street of %d characters", n)
	}
	word := strings.Repeat("Abcdefghij", 10) // 100 characters without a space
	cases := map[string]func(*Letter){
		"street": func(l *Letter) { l.Request.Address.StreetName = street },
		"street without a space": func(l *Letter) {
			l.Request.Address.StreetName = word
		},
		"everything long": func(l *Letter) {
			l.Request.Address.StreetName = street
			l.Request.Address.StreetType = "boulevard"
			l.Request.Address.Number = "1234 ter"
			l.Request.Address.CommuneName = "Saint-Remy-en-Bouzemont-Saint-Genest-et-Isson"
			l.Request.LastName = strings.Repeat("Van Der Berghe-", 6)
			l.Request.FirstName = strings.Repeat("Marie-Hélène ", 5)
			l.Request.Email = strings.Repeat("tres.long.", 10) + "@example.fr"
			l.Request.AgrementNumber = strings.Repeat("9", 30)
			l.Caf.Name = "Caisse de sécurité sociale de Mayotte, Caisse d'allocations familiales"
			l.CafPostalAddress = []string{strings.Repeat("Bâtiment ", 10), "Route nationale 1", "97600 Mamoudzou"}
			l.Place = "Mamoudzou"
		},
		"structure, everything long": func(l *Letter) {
			*l = structure()
			l.Request.StructureName = string([]rune(strings.Repeat("Établissement d'accueil du jeune enfant ", 5))[:150])
			l.Request.Address.StreetName = street
			l.Request.LastName = strings.Repeat("Lefèvre-", 8)
			l.Request.Email = strings.Repeat("x", 60) + "@example.fr"
		},
		"absurd lengths are cut": func(l *Letter) {
			l.Request.Address.StreetName = strings.Repeat(street, 50)
			l.Request.LastName = strings.Repeat(word, 20)
			l.Request.FirstName = strings.Repeat(street, 20)
			l.Reference = strings.Repeat("r", 500)
			l.CafPostalAddress = []string{strings.Repeat(street, 10), strings.Repeat(street, 10), strings.Repeat(street, 10)}
		},
	}
	for name, edit := range cases {
		t.Run(name, func(t *testing.T) {
			l := childminder()
			edit(&l)
			b, p := render(t, l)
			keep(t, strings.ReplaceAll(name, " ", "-"), b)
			text := p.text()
			wantText(t, text, "Coupon-réponse à retourner à la", "Signature :", "Le responsable habilitations\n")
		})
	}
	// The street wraps rather than being cut.
	l := childminder()
	l.Request.Address.StreetName = street
	_, p := render(t, l)
	flat := strings.ReplaceAll(p.text(), "\n", " ")
	if !strings.Contains(normalized(flat), "12 bis rue "+strings.TrimSpace(street)) {
		t.Errorf("the 100-character street is not written whole:\n%s", p.text())
	}
}

func TestDeterministic(t *testing.T) {
	letters := []Letter{childminder(), structure()}
	var first [][]byte
	for _, l := range letters {
		b, err := Render(l)
		if err != nil {
			t.Fatal(err)
		}
		first = append(first, b)
	}
	time.Sleep(1100 * time.Millisecond) // a clock in the output would now differ
	for i, l := range letters {
		b, err := Render(l)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(first[i], b) {
			t.Errorf("letter %d rendered twice differs", i)
		}
	}
	l := childminder()
	l.Date = l.Date.AddDays(1)
	b, _ := Render(l)
	if bytes.Equal(first[0], b) {
		t.Error("letters of different dates are identical")
	}
}

func TestConcurrent(t *testing.T) {
	want, err := Render(childminder())
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			b, err := Render(childminder())
			if err != nil || !bytes.Equal(b, want) {
				t.Errorf("concurrent Render: %v, identical %v", err, bytes.Equal(b, want))
			}
		}()
	}
	wg.Wait()
}

func TestDateLine(t *testing.T) {
	l := childminder()
	l.Place = ""
	l.Date = data.Date{Year: 2027, Month: time.August, Day: 1}
	_, p := render(t, l)
	wantText(t, p.text(), "Le 1er août 2027\n")
	if strings.Contains(p.text(), ", le ") {
		t.Error("a place without a place")
	}
	for d, want := range map[data.Date]string{
		{Year: 2026, Month: time.November, Day: 29}: "29 novembre 2026",
		{Year: 2027, Month: time.February, Day: 3}:  "3 février 2027",
		{Year: 2027, Month: time.December, Day: 1}:  "1er décembre 2027",
		{}: "",
	} {
		if got := FrenchDate(d); got != want {
			t.Errorf("FrenchDate(%v) = %q, want %q", d, got, want)
		}
	}
}

func TestFold(t *testing.T) {
	for in, want := range map[string]string{
		"Hélène N'Diaye":          "Hélène N'Diaye",
		"Œillet œuvre Ÿ €":        "Œillet œuvre Ÿ €",
		"« guillemets » – —":      "« guillemets » – —",
		"He\u0301le\u0300ne":      "Hélène", // decomposed accents
		"Ştefan Łukasz Đorđe":     "Stefan Lukasz Dorde",
		"Nguyễn Thị Ánh":          "Nguyen Thi Ánh",
		"ligne\nsuivante\ttab":    "ligne suivante tab",
		"x\u0000y\u001bz":         "xyz",
		"12\u202f€":               "12\u00a0€",
		"✂ 漢字 😀":                  " ?? ?",
		"N\u2116 7 \u2212 \u2010": "NN° 7 - -",
	} {
		if got := fold(in); got != want {
			t.Errorf("fold(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestOutsideCP1252(t *testing.T) {
	l := childminder()
	l.Request.FirstName = "Ştefania 漢字 😀"
	l.Request.LastName = "Nguyễn\u0000"
	l.Request.Address.StreetName = "de la Ŀiberté ✂"
	_, p := render(t, l)
	wantText(t, p.text(), "Madame Stefania ?? ? NGUYEN\n")
}

func TestErrors(t *testing.T) {
	l := childminder()
	l.Request = nil
	if _, err := Render(l); err == nil {
		t.Error("no error without a request")
	}
	l = childminder()
	l.Date = data.Date{}
	if _, err := Render(l); err == nil {
		t.Error("no error without a date")
	}
	// An empty request still renders: the slip is then filled in by hand.
	l = childminder()
	l.Request = &data.Request{}
	l.Caf = data.Caf{}
	l.CafPostalAddress = nil
	l.Reference = ""
	_, p := render(t, l)
	wantText(t, normalized(p.text()), "Coupon-réponse à retourner à la Caf", "Madame, Monsieur,")
}

func ExampleFrenchDate() {
	fmt.Println(FrenchDate(data.Date{Year: 2026, Month: time.November, Day: 29}))
	// Output: 29 novembre 2026
}
