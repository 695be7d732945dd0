// Command refdata turns the JSON files of the npm package
// @etalab/decoupage-administratif (Licence Ouverte data of the INSEE's Code
// officiel géographique and La Poste's postal codes) into the compact files
// that package data embeds:
//
//	data/refdata/communes.tsv.gz   one line per commune
//	data/refdata/departements.tsv  one line per département or collectivité
//
// Run it through generate.sh, which fetches the package with npm; the build
// and the tests never need npm, because the output is committed. The output
// is deterministic: the same input gives the same bytes (sorted lines, a
// gzip header without name nor time).
//
// What it keeps, and how:
//
//   - Only current communes (type "commune-actuelle") that have at least one
//     postal code. The five districts of the Terres australes et antarctiques
//     françaises (984) have none and are left out: nobody lives there.
//   - Paris, Lyon and Marseille are replaced by their arrondissements
//     municipaux (75101…75120, 69381…69389, 13201…13216), which carry the
//     postal codes one by one (75015 → Paris 15e Arrondissement; 75016 and
//     75116 → Paris 16e Arrondissement). Each such line names its commune in
//     the last two columns (75056, Paris) so that a person who types « Paris »
//     with 75015 is understood. Those are the codes that the Base adresse
//     nationale uses too.
//   - The collectivités d'outre-mer that have communes with postal codes
//     (975 Saint-Pierre-et-Miquelon, 977 Saint-Barthélemy, 978 Saint-Martin,
//     986 Wallis-et-Futuna, 987 Polynésie française, 988 Nouvelle-Calédonie,
//     989 Clipperton) are kept for completeness, with kind "com" in
//     departements.tsv. Saint-Barthélemy and Saint-Martin are served by the
//     Caf de la Guadeloupe (see data/refdata/cafs.tsv); the others have no
//     Caf, and routing there gives a clear error.
//
// Columns of communes.tsv (tab-separated, UTF-8, lines starting with # are
// comments): INSEE code, name, département code, INSEE arrondissement code
// (used to split the Pyrénées-Atlantiques between its two Caf), postal codes
// separated by commas, and for a municipal arrondissement the INSEE code and
// name of its commune.
//
// Columns of departements.tsv: code, name, kind ("metro", "drom" for the
// five overseas départements, "com" for the collectivités d'outre-mer).
package main

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// source names the data in the files' headers.
const source = "@etalab/decoupage-administratif 6.0.0 (Licence Ouverte / Open Licence, Etalab)"

type commune struct {
	Code           string   `json:"code"`
	Name           string   `json:"nom"`
	Type           string   `json:"type"`
	Department     string   `json:"departement"`
	Arrondissement string   `json:"arrondissement"`
	PostalCodes    []string `json:"codesPostaux"`
	Parent         string   `json:"commune"` // for an arrondissement municipal
}

type department struct {
	Code string `json:"code"`
	Name string `json:"nom"`
	Zone string `json:"zone"`
}

func main() {
	src := flag.String("src", "", "the data folder of the npm package (…/package/data)")
	out := flag.String("out", "data/refdata", "the folder to write communes.tsv.gz and departements.tsv to")
	flag.Parse()
	if *src == "" {
		fmt.Fprintln(os.Stderr, "usage: refdata -src …/package/data [-out data/refdata]")
		os.Exit(2)
	}
	if err := run(*src, *out); err != nil {
		fmt.Fprintln(os.Stderr, "refdata:", err)
		os.Exit(1)
	}
}

func run(src, out string) error {
	var communes []commune
	if err := readJSON(filepath.Join(src, "communes.json"), &communes); err != nil {
		return err
	}
	var departments []department
	if err := readJSON(filepath.Join(src, "departements.json"), &departments); err != nil {
		return err
	}
	lines, err := communeLines(communes, departments)
	if err != nil {
		return err
	}
	gz, err := gzipBytes(lines)
	if err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(out, "communes.tsv.gz"), gz, 0o644); err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(out, "departements.tsv"), departmentLines(departments), 0o644)
}

func readJSON(path string, v any) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	if err := json.Unmarshal(b, v); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	return nil
}

// communeLines returns the content of communes.tsv.
func communeLines(all []commune, departments []department) ([]byte, error) {
	known := map[string]bool{}
	for _, d := range departments {
		known[d.Code] = true
	}
	current := map[string]commune{}
	hasArrondissements := map[string]bool{}
	for _, c := range all {
		switch c.Type {
		case "commune-actuelle":
			current[c.Code] = c
		case "arrondissement-municipal":
			hasArrondissements[c.Parent] = true
		}
	}
	var rows []string
	dropped := 0
	for _, c := range all {
		parentCode, parentName := "", ""
		switch {
		case c.Type == "commune-actuelle" && !hasArrondissements[c.Code]:
		case c.Type == "arrondissement-municipal":
			p, ok := current[c.Parent]
			if !ok {
				return nil, fmt.Errorf("arrondissement %s: no current commune %s", c.Code, c.Parent)
			}
			parentCode, parentName = p.Code, p.Name
		default:
			continue
		}
		if len(c.PostalCodes) == 0 {
			dropped++
			continue
		}
		if !known[c.Department] {
			return nil, fmt.Errorf("commune %s: unknown département %q", c.Code, c.Department)
		}
		pcs := slices.Clone(c.PostalCodes)
		slices.Sort(pcs)
		pcs = slices.Compact(pcs)
		for _, pc := range pcs {
			if len(pc) != 5 || strings.Trim(pc, "0123456789") != "" {
				return nil, fmt.Errorf("commune %s: bad postal code %q", c.Code, pc)
			}
		}
		fields := []string{c.Code, c.Name, c.Department, c.Arrondissement, strings.Join(pcs, ","), parentCode, parentName}
		for _, f := range fields {
			if strings.ContainsAny(f, "\t\n\r") {
				return nil, fmt.Errorf("commune %s: a field holds a tab or a newline", c.Code)
			}
		}
		rows = append(rows, strings.Join(fields, "\t"))
	}
	slices.Sort(rows)
	if len(rows) < 34000 {
		return nil, fmt.Errorf("only %d communes: the input looks incomplete", len(rows))
	}
	fmt.Fprintf(os.Stderr, "refdata: %d communes written, %d without postal code left out\n", len(rows), dropped)
	var b bytes.Buffer
	b.WriteString("# Communes (arrondissements municipaux for Paris, Lyon, Marseille) — " + source + "\n")
	b.WriteString("# Generated by tools/refdata/generate.sh: do not edit.\n")
	b.WriteString("# insee\tnom\tdepartement\tarrondissement\tcodes_postaux\tcommune_parent\tnom_parent\n")
	for _, r := range rows {
		b.WriteString(r)
		b.WriteByte('\n')
	}
	return b.Bytes(), nil
}

// departmentLines returns the content of departements.tsv.
func departmentLines(departments []department) []byte {
	ds := slices.Clone(departments)
	slices.SortFunc(ds, func(a, b department) int { return strings.Compare(a.Code, b.Code) })
	var b bytes.Buffer
	b.WriteString("# Départements and collectivités d'outre-mer — " + source + "\n")
	b.WriteString("# Generated by tools/refdata/generate.sh: do not edit. Kind: metro, drom (overseas département), com (collectivité d'outre-mer, no département).\n")
	b.WriteString("# code\tnom\ttype\n")
	for _, d := range ds {
		fmt.Fprintf(&b, "%s\t%s\t%s\n", d.Code, d.Name, d.Zone)
	}
	return b.Bytes()
}

// gzipBytes compresses b with a fixed header (no name, zero time) so that
// the same input always gives the same bytes.
func gzipBytes(b []byte) ([]byte, error) {
	var buf bytes.Buffer
	zw, err := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	if err != nil {
		return nil, err
	}
	if _, err := zw.Write(b); err != nil {
		return nil, err
	}
	if err := zw.Close(); err != nil {
		return nil, err
	}
	if buf.Len() == 0 {
		return nil, errors.New("empty gzip output")
	}
	return buf.Bytes(), nil
}
