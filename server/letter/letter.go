// Package letter produces the habilitation letter that a Caf sends to a
// childminder or a structure (SPEC §3): a one-page A4 PDF with the Caf's
// letterhead, the recipient's details, the explanation of what follows, and
// a reply slip to complete, sign and return to the Caf.
//
// The PDF uses only the core fonts of every PDF reader (Helvetica and, for
// the scissors, ZapfDingbats), so it embeds no font and no image; its text is
// written in Windows-1252, and characters outside it are replaced by their
// nearest equivalent. The same Letter always gives the same bytes.
package letter

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
	"time"

	"espacepro/data"

	"github.com/go-pdf/fpdf"
)

// Letter is what the habilitation letter says.
type Letter struct {
	// Caf is the caisse that sends the letter: its name heads the page and
	// the reply slip goes back to its HabilitationEmail.
	Caf data.Caf
	// CafPostalAddress holds the lines of the Caf's postal address, e.g.
	// {"70-88 rue Paul Lescop", "92023 Nanterre Cedex"}; it may be empty.
	CafPostalAddress []string
	// Request is the habilitation request the letter answers. Required.
	Request *data.Request
	// Date is the date of the letter, also the PDF's creation date. Required.
	Date data.Date
	// Reference is the letter's reference, e.g. the request ID's first 8
	// characters; it is printed on the letter and on the reply slip.
	Reference string
	// Site names the site, e.g. « Espace professionnel » (the default).
	Site string
	// Place is where the letter is written, e.g. « Nanterre ». When it is
	// empty the date line reads « Le 29 novembre 2026 ».
	Place string
}

// Title is the title of the PDF document, in its metadata.
const Title = "Courrier d'habilitation"

// producer is the producer and creator in the PDF's metadata.
const producer = "Espace professionnel"

// Page geometry, in millimetres.
const (
	pageW   = 210.0
	pageH   = 297.0
	marginL = 20.0
	marginR = 20.0
	textW   = pageW - marginL - marginR
	top     = 14.0
	bottom  = pageH - 10.0 // nothing is drawn below this line
)

// Field lengths beyond which a value is cut, so that even absurd data fits.
const (
	maxName    = 150
	maxAddress = 160
	maxShort   = 80
)

// The text is drawn at scale 1, then, until the letter fits on its page,
// smaller by scaleStep down to minScale, the smallest that still reads well.
const (
	scaleStep = 0.02
	minScale  = 0.56
)

// Colours.
var (
	blue      = [3]int{0, 83, 155}
	darkGray  = [3]int{60, 60, 60}
	midGray   = [3]int{105, 105, 105}
	lightFill = [3]int{241, 245, 250}
	frame     = [3]int{190, 200, 215}
	black     = [3]int{0, 0, 0}
)

// Render returns the letter as a PDF of one A4 page. Long names and
// addresses wrap, long words shrink, and the whole text shrinks when needed
// so that everything stays on the page; every field is cut to a bounded
// length first, so any request fits. It fails on a missing request or an
// invalid date. It is safe for concurrent use.
func Render(l Letter) ([]byte, error) {
	if l.Request == nil {
		return nil, errors.New("letter: no request")
	}
	if l.Date.Month < 1 || l.Date.Month > 12 || l.Date.Day < 1 || l.Date.Day > 31 {
		return nil, errors.New("letter: no valid date")
	}
	c := newContent(l)
	for i := 0; ; i++ {
		s := 1 - float64(i)*scaleStep
		if s < minScale-1e-9 {
			break
		}
		// A first pass, with the slip right after the letter, measures both
		// parts; the second draws the slip at the foot of the page.
		probe := newDoc(l, s)
		letterEnd := probe.drawLetter(c)
		slipStart := letterEnd + 4*s
		end := probe.drawSlip(c, slipStart)
		if probe.pdf.Err() {
			return nil, fmt.Errorf("letter: %w", probe.pdf.Error())
		}
		if end > bottom {
			continue
		}
		d := newDoc(l, s)
		d.drawLetter(c)
		d.drawSlip(c, max(slipStart, bottom-(end-slipStart)))
		var buf bytes.Buffer
		if err := d.pdf.Output(&buf); err != nil {
			return nil, fmt.Errorf("letter: %w", err)
		}
		return buf.Bytes(), nil
	}
	return nil, errors.New("letter: the text does not fit on one page")
}

// content holds the letter's texts, cleaned and cut to size.
type content struct {
	structure   bool
	cafName     string // « Caf des Hauts-de-Seine »
	cafEmail    string
	cafAddress  string // the postal address on one line, or ""
	dateLine    string
	recipient   []string // the address block; the first line in bold
	postalLast  bool     // the block ends with the postal code and commune
	reference   string
	object      string
	salutation  string // « Madame »
	paragraphs  []paragraph
	slipTitle   string
	slipHow     string
	fields      []field
	commitment  string
	signatory   string
	structureOf string // the structure's name, for a structure
}

// paragraph is a block of the letter's body.
type paragraph struct {
	text   string
	bullet bool // an item of a list, indented after a dash
	bold   bool
}

// field is a pre-filled detail of the reply slip. Half-width fields are
// paired two by two on a row.
type field struct {
	label, value string
	half         bool
}

func newContent(l Letter) content {
	r := l.Request
	c := content{structure: r.Kind == data.KindStructure}
	c.cafName = clip(l.Caf.Name, maxShort)
	if c.cafName == "" {
		c.cafName = "Caf"
	}
	c.cafEmail = clip(l.Caf.HabilitationEmail, maxShort)
	var addr []string
	for _, line := range l.CafPostalAddress {
		if line = clip(line, maxShort); line != "" {
			addr = append(addr, line)
		}
	}
	c.cafAddress = strings.Join(addr, " – ")
	c.dateLine = dateLine(clip(l.Place, maxShort), l.Date)
	c.reference = clip(l.Reference, 24)

	name := clip(personName(r), maxName)
	civName := strings.TrimSpace(civilityWord(r.Civility) + " " + name)
	street := clip(r.Address.Line(), maxAddress)
	postal := clip(postalLine(r.Address), maxShort)
	if c.structure {
		c.structureOf = clip(r.StructureName, maxName)
		if c.structureOf != "" {
			c.recipient = append(c.recipient, c.structureOf)
		}
		if name != "" {
			c.recipient = append(c.recipient, "À l'attention de "+civName)
		}
	} else {
		c.recipient = append(c.recipient, civName)
	}
	if street != "" {
		c.recipient = append(c.recipient, street)
	}
	if postal != "" {
		c.recipient = append(c.recipient, postal)
		c.postalLast = true
	}

	site := siteOf(l.Site)
	c.object = "Objet : votre demande d'habilitation " + site
	c.salutation = salutation(r)
	when := ""
	if !r.CreatedAt.IsZero() {
		when = " du " + data.DateOf(r.CreatedAt.In(data.DepartmentLocation(r.Department))).French()
	}
	purpose := "Cette habilitation vous permettra de mettre à jour vos disponibilités d'accueil, que les parents consultent en ligne."
	if c.structure {
		purpose = "Cette habilitation vous permettra de mettre à jour les disponibilités d'accueil et la fiche « structure » de votre établissement, que les parents consultent en ligne."
	}
	byPost := "ou par voie postale, à l'adresse indiquée en tête de ce courrier."
	if c.cafAddress == "" {
		byPost = "ou par voie postale, à la " + c.cafName + "."
	}
	byMail := "par courrier électronique (coupon scanné ou photographié), à l'adresse " + c.cafEmail + " ;"
	if c.cafEmail == "" {
		byMail = "par courrier électronique (coupon scanné ou photographié), en réponse à ce courrier ;"
	}
	c.paragraphs = []paragraph{
		{text: "Nous avons bien reçu votre demande d'habilitation " + site + when + " et nous vous en remercions. " + purpose},
		{text: "Pour activer votre habilitation, nous vous invitons à compléter, signer et nous retourner le coupon-réponse ci-dessous :"},
		{text: byMail, bullet: true},
		{text: byPost, bullet: true},
		{text: "Dès réception de votre accord signé, nous validerons votre demande. Votre mot de passe vous sera alors adressé automatiquement par courrier électronique, à l'adresse indiquée dans votre demande ; vous devrez le modifier lors de votre première connexion."},
		{text: "Ce mot de passe est généré par le système : la Caf n'en a jamais connaissance et ne le gère pas. Ne le communiquez à personne.", bold: true},
		{text: "Nous vous prions d'agréer, " + c.salutation + ", l'expression de nos salutations distinguées."},
	}
	c.signatory = "Le responsable habilitations"

	c.slipTitle = "Coupon-réponse à retourner à la " + c.cafName
	if c.cafEmail != "" {
		c.slipHow = "À compléter, signer et retourner par courrier électronique à " + c.cafEmail + " ou par voie postale."
	} else {
		c.slipHow = "À compléter, signer et retourner par courrier électronique ou par voie postale."
	}
	if c.structure {
		c.fields = append(c.fields, field{label: "Structure", value: c.structureOf})
		c.fields = append(c.fields, field{label: "Contact", value: civName})
	} else {
		c.fields = append(c.fields,
			field{label: "Nom", value: clip(strings.ToUpper(r.LastName), maxName), half: true},
			field{label: "Prénom", value: clip(r.FirstName, maxName), half: true},
		)
	}
	c.fields = append(c.fields,
		field{label: "Adresse", value: joinNonEmpty(", ", street, postal)},
		field{label: "Téléphone", value: clip(data.FormatPhone(r.Phone), maxShort), half: true},
	)
	if a := clip(r.AgrementNumber, maxShort); a != "" {
		c.fields = append(c.fields, field{label: "N° d'agrément", value: a, half: true})
	}
	c.fields = append(c.fields, field{label: "Adresse électronique", value: clip(r.Email, maxAddress)})
	if c.structure {
		c.commitment = "Je demande l'habilitation de la structure " + site + " et m'engage à tenir ses disponibilités à jour."
	} else {
		c.commitment = "Je demande mon habilitation " + site + " et m'engage à tenir mes disponibilités à jour."
	}
	return c
}

// doc draws on one PDF at one text scale.
type doc struct {
	pdf *fpdf.Fpdf
	tr  func(string) string
	s   float64
}

func newDoc(l Letter, scale float64) *doc {
	pdf := fpdf.New("P", "mm", "A4", "")
	t := l.Date.Time(time.UTC)
	pdf.SetCreationDate(t)
	pdf.SetModificationDate(t)
	pdf.SetCatalogSort(true)
	pdf.SetProducer(producer, true)
	pdf.SetCreator(producer, true)
	pdf.SetTitle(Title, true)
	if l.Caf.Name != "" {
		pdf.SetAuthor(l.Caf.Name, true)
	}
	pdf.SetLang("fr-FR")
	pdf.SetMargins(marginL, top, marginR)
	pdf.SetAutoPageBreak(false, 0)
	pdf.SetCellMargin(0)
	pdf.AddPage()
	tr := pdf.UnicodeTranslatorFromDescriptor("") // Windows-1252
	return &doc{pdf: pdf, tr: func(s string) string { return tr(fold(s)) }, s: scale}
}

// font sets Helvetica of the style and size (in points, before scaling).
func (d *doc) font(style string, size float64, color [3]int) {
	d.pdf.SetFont("Helvetica", style, size*d.s)
	d.pdf.SetTextColor(color[0], color[1], color[2])
}

// lineH returns the line height, in mm, of text of size points.
func (d *doc) lineH(size float64) float64 { return size * d.s * 0.3528 * 1.3 }

// text writes s at (x, y) within width w, wrapping it, and returns the y
// below it.
func (d *doc) text(x, y, w float64, style string, size float64, color [3]int, align, s string) float64 {
	d.font(style, size, color)
	d.pdf.SetXY(x, y)
	d.pdf.MultiCell(w, d.lineH(size), d.tr(s), "", align, false)
	return d.pdf.GetY()
}

// minSize is the smallest text size, in points, that fit goes down to.
const minSize = 6.0

// fit returns the size, at most size, at which s fits width w: its longest
// word, or all of it when whole is set, so that a long commune, e-mail
// address or agrément number shrinks rather than breaking in the middle.
// It goes no lower than minSize; text then breaks the word.
func (d *doc) fit(w float64, style string, size float64, s string, whole bool) float64 {
	d.pdf.SetFont("Helvetica", style, size*d.s)
	words := strings.Fields(s)
	if whole {
		words = []string{strings.Join(words, " ")}
	}
	widest := 0.0
	for _, word := range words {
		widest = max(widest, d.pdf.GetStringWidth(d.tr(word)))
	}
	if widest <= w {
		return size
	}
	return max(size*w/widest*0.98, minSize/d.s)
}

// height returns the height s takes when text writes it.
func (d *doc) height(w float64, style string, size float64, s string) float64 {
	d.pdf.SetFont("Helvetica", style, size*d.s)
	n := len(d.pdf.SplitLines([]byte(d.tr(s)), w))
	return float64(max(n, 1)) * d.lineH(size)
}

// drawLetter draws the letter, from the letterhead to the signature, and
// returns the y below it.
func (d *doc) drawLetter(c content) float64 {
	p := d.pdf
	s := d.s

	// Letterhead: a blue block with the Caf's initials, its name, service,
	// address and e-mail address, then a rule across the page.
	p.SetFillColor(blue[0], blue[1], blue[2])
	p.Rect(marginL, top, 24, 16, "F")
	p.SetFont("Helvetica", "B", 20)
	p.SetTextColor(255, 255, 255)
	p.SetXY(marginL, top)
	p.CellFormat(24, 16, "caf", "", 0, "CM", false, 0, "")
	x := marginL + 29
	w := pageW - marginR - x
	y := d.text(x, top-0.5, w, "B", 14, blue, "L", c.cafName)
	y = d.text(x, y+0.3, w, "", 8.5, darkGray, "L", "Service des habilitations – Espace professionnel")
	if c.cafAddress != "" {
		y = d.text(x, y, w, "", 8.5, midGray, "L", c.cafAddress)
	}
	if c.cafEmail != "" {
		y = d.text(x, y, w, "", 8.5, midGray, "L", "Courriel : "+c.cafEmail)
	}
	y = max(y, top+16) + 3
	p.SetDrawColor(blue[0], blue[1], blue[2])
	p.SetLineWidth(0.6)
	p.Line(marginL, y, pageW-marginR, y)
	p.SetLineWidth(0.2)
	p.Line(marginL, y+1, pageW-marginR, y+1)
	rule := y

	// Place and date, then the recipient where a window envelope shows it.
	y = d.text(marginL, rule+5*s, textW, "", 10, black, "R", c.dateLine)
	rx := 105.0
	rw := pageW - marginR - rx
	ry := max(y+6*s, rule+13*s)
	for i, line := range c.recipient {
		style := ""
		if i == 0 {
			style = "B"
		}
		last := i == len(c.recipient)-1 && c.postalLast
		size := d.fit(rw, style, 10.5, line, last)
		ry = d.text(rx, ry, rw, style, size, black, "L", line)
	}

	// Reference and object.
	y = ry + 8*s
	if c.reference != "" {
		y = d.text(marginL, y, textW, "", 9, midGray, "L", "Réf. : "+c.reference)
		y += 1 * s
	}
	y = d.text(marginL, y, textW, "B", 10, black, "L", c.object)

	// Body.
	y = d.text(marginL, y+6*s, textW, "", 10, black, "L", c.salutation+",")
	for _, par := range c.paragraphs {
		y += 2.2 * s
		if par.bullet {
			y -= 1.2 * s
			d.text(marginL+3, y, 4, "", 10, black, "L", "–")
			y = d.text(marginL+7, y, textW-7, "", 10, black, "L", par.text)
			continue
		}
		style := ""
		if par.bold {
			style = "B"
		}
		y = d.text(marginL, y, textW, style, 10, black, "L", par.text)
	}

	// Signature.
	sx := 118.0
	y = d.text(sx, y+5*s, pageW-marginR-sx, "B", 10, black, "L", c.signatory)
	y = d.text(sx, y, pageW-marginR-sx, "", 10, black, "L", c.cafName)
	return y
}

// drawSlip draws the cut line at y and the reply slip below it, and returns
// the y below the slip.
func (d *doc) drawSlip(c content, y float64) float64 {
	p := d.pdf
	s := d.s

	// The cut line: scissors and a dashed line across the page.
	p.SetDrawColor(midGray[0], midGray[1], midGray[2])
	p.SetLineWidth(0.25)
	p.SetDashPattern([]float64{1.6, 1.2}, 0)
	p.Line(10, y, pageW-10, y)
	p.SetDashPattern(nil, 0)
	p.SetFillColor(255, 255, 255)
	p.Rect(13, y-2.5, 6, 5, "F")
	p.SetFont("ZapfDingbats", "", 12)
	p.SetTextColor(midGray[0], midGray[1], midGray[2])
	p.SetXY(13, y-2.5)
	p.CellFormat(6, 5, "\x22", "", 0, "CM", false, 0, "") // ✂ (a2)

	// Title, with the reference on the right.
	y += 5 * s
	refW := 0.0
	if c.reference != "" {
		refW = 35
		ref := "Réf. : " + c.reference
		d.text(pageW-marginR-refW, y+0.8*s, refW, "", d.fit(refW, "", 9, ref, true), midGray, "R", ref)
	}
	y = d.text(marginL, y, textW-refW-2, "B", 12, blue, "L", c.slipTitle)
	y = d.text(marginL, y+0.5*s, textW, "I", 8.5, darkGray, "L", c.slipHow)

	// The pre-filled details in a light box.
	y += 2.5 * s
	const pad = 2.5
	const labelW = 36.0
	inner := textW - 2*pad
	halfW := (inner - 4) / 2
	type row struct {
		fields []field
		h      float64
	}
	var rows []row
	for i := 0; i < len(c.fields); i++ {
		f := c.fields[i]
		r := row{fields: []field{f}}
		if f.half && i+1 < len(c.fields) && c.fields[i+1].half {
			r.fields = append(r.fields, c.fields[i+1])
			i++
		}
		w := inner - labelW
		if len(r.fields) == 2 {
			w = halfW - labelW
		}
		for _, f := range r.fields {
			size := d.fit(w, "", 10, f.value, false)
			r.h = max(r.h, d.height(w, "", size, f.value), d.height(labelW-1, "B", 8.5, f.label+" :"))
		}
		rows = append(rows, r)
	}
	boxH := 2 * pad * s
	for _, r := range rows {
		boxH += r.h + 1.2*s
	}
	boxH -= 1.2 * s
	p.SetFillColor(lightFill[0], lightFill[1], lightFill[2])
	p.SetDrawColor(frame[0], frame[1], frame[2])
	p.SetLineWidth(0.2)
	p.Rect(marginL, y, textW, boxH, "FD")
	ry := y + pad*s
	for _, r := range rows {
		x := marginL + pad
		w := inner - labelW
		if len(r.fields) == 2 {
			w = halfW - labelW
		}
		for _, f := range r.fields {
			d.text(x, ry+0.35*s, labelW-1, "B", 8.5, darkGray, "L", f.label+" :")
			d.text(x+labelW, ry, w, "", d.fit(w, "", 10, f.value, false), black, "L", f.value)
			x += halfW + 4
		}
		ry += r.h + 1.2*s
	}
	y += boxH

	// The commitment, with a box to tick.
	y += 4 * s
	box := 3.8 * s
	p.SetDrawColor(black[0], black[1], black[2])
	p.SetLineWidth(0.3)
	p.Rect(marginL, y+0.5*s, box, box, "D")
	y = d.text(marginL+box+3, y, textW-box-3, "B", 10, black, "L", c.commitment)

	// Place, date and signature.
	y += 5 * s
	lh := d.lineH(10)
	p.SetLineWidth(0.3)
	p.SetDrawColor(midGray[0], midGray[1], midGray[2])
	dotted := func(x1, x2, yy float64) {
		p.SetDashPattern([]float64{0.3, 1}, 0)
		p.Line(x1, yy, x2, yy)
		p.SetDashPattern(nil, 0)
	}
	lineEnd := 100.0
	d.text(marginL, y, 15, "", 10, black, "L", "Fait à")
	dotted(marginL+13*s, lineEnd, y+lh-0.8*s)
	d.text(marginL, y+lh+4*s, 15, "", 10, black, "L", "le")
	dotted(marginL+13*s, lineEnd, y+2*lh+4*s-0.8*s)

	sx := 112.0
	sw := pageW - marginR - sx
	sy := d.text(sx, y, sw, "", 10, black, "L", "Signature :")
	sigH := 22 * s
	p.SetDrawColor(midGray[0], midGray[1], midGray[2])
	p.SetLineWidth(0.25)
	p.Rect(sx, sy+1*s, sw, sigH, "D")
	return max(sy+1*s+sigH, y+2*lh+4*s)
}

// joinNonEmpty joins the non-empty parts with sep.
func joinNonEmpty(sep string, parts ...string) string {
	var out []string
	for _, p := range parts {
		if p != "" {
			out = append(out, p)
		}
	}
	return strings.Join(out, sep)
}
