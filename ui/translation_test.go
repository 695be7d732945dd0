package ui

import (
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"espacepro/data"
)

func TestTranslationsHaveTheSameKeys(t *testing.T) {
	fr, err := translationTable("fr")
	if err != nil {
		t.Fatal(err)
	}
	en, err := translationTable("en")
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range fr {
		if k != v {
			t.Errorf("fr: %q translates to %q; the French text is its own ID", k, v)
		}
		if en[k] == "" {
			t.Errorf("en lacks %q", k)
		}
	}
	for k := range en {
		if _, ok := fr[k]; !ok {
			t.Errorf("en has %q, which fr lacks", k)
		}
	}
}

// TestEveryVisibleStringIsTranslated reads the screens' sources: every
// lang.L or lang.X call with a literal text must have that text in the
// French and the English tables, and so must the domain's labels that the
// screens pass through lang.L.
func TestEveryVisibleStringIsTranslated(t *testing.T) {
	fr, _ := translationTable("fr")
	en, _ := translationTable("en")
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{} // text → where
	fset := token.NewFileSet()
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		ast.Inspect(f, func(n ast.Node) bool {
			call, ok := n.(*ast.CallExpr)
			if !ok || len(call.Args) == 0 {
				return true
			}
			sel, ok := call.Fun.(*ast.SelectorExpr)
			if !ok {
				return true
			}
			if pkg, ok := sel.X.(*ast.Ident); !ok || pkg.Name != "lang" || (sel.Sel.Name != "L" && sel.Sel.Name != "X") {
				return true
			}
			lit, ok := call.Args[0].(*ast.BasicLit)
			if !ok || lit.Kind != token.STRING {
				return true
			}
			text, err := strconv.Unquote(lit.Value)
			if err != nil {
				t.Fatal(err)
			}
			want[text] = fset.Position(lit.Pos()).String()
			return true
		})
	}
	for _, c := range []data.Colour{data.ColourGrey, data.ColourRed, data.ColourGreen} {
		want[c.Sentence()] = "data.Colour.Sentence"
	}
	for _, s := range data.SlotStates {
		want[s.Label()] = "data.SlotState.Label"
	}
	for _, l := range data.SlotLabels {
		want[l] = "data.SlotLabels"
	}
	for _, d := range data.DayNames {
		want[d] = "data.DayNames"
	}
	for text, where := range want {
		if _, ok := fr[text]; !ok {
			t.Errorf("%s: %q is not in translation/fr", where, text)
		}
		if _, ok := en[text]; !ok {
			t.Errorf("%s: %q is not in translation/en", where, text)
		}
	}
}
