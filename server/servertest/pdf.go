package servertest

import (
	"bytes"
	"strings"
	"testing"

	"rsc.io/pdf"
)

// PDFText returns the text a PDF draws, one line per text-showing
// operator, as server/letter's tests read it: fpdf writes each line as
// « BT x y Td (…) Tj ET » with the core fonts, whose encoding rsc.io/pdf
// decodes.
func PDFText(tb testing.TB, b []byte) (text string) {
	tb.Helper()
	defer func() {
		if e := recover(); e != nil {
			tb.Fatalf("reading the PDF: %v", e)
		}
	}()
	r, err := pdf.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		tb.Fatalf("reading the PDF: %v", err)
	}
	var out strings.Builder
	for i := 1; i <= r.NumPage(); i++ {
		page := r.Page(i)
		var enc pdf.TextEncoding
		show := func(raw string) {
			if enc != nil {
				raw = enc.Decode(raw)
			}
			out.WriteString(raw)
		}
		pdf.Interpret(page.V.Key("Contents"), func(stk *pdf.Stack, op string) {
			args := make([]pdf.Value, stk.Len())
			for j := len(args) - 1; j >= 0; j-- {
				args[j] = stk.Pop()
			}
			switch op {
			case "Tf":
				f := page.Font(args[0].Name())
				enc = nil
				if f.V.Key("Encoding").Kind() == pdf.Name {
					enc = f.Encoder()
				}
			case "Tj", "'", `"`:
				show(args[len(args)-1].RawString())
				out.WriteByte('\n')
			case "TJ":
				a := args[0]
				for k := 0; k < a.Len(); k++ {
					if a.Index(k).Kind() == pdf.String {
						show(a.Index(k).RawString())
					}
				}
				out.WriteByte('\n')
			}
		})
	}
	return out.String()
}
