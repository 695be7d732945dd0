package server

import (
	"context"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"testing"

	"espacepro/data"
)

func sample(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "testdata", "pmi", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// The four formats of the same list say the same thing: once one is
// applied, each of the others is unchanged row for row; the next month's
// list then makes exactly the changes its README lists.
func TestImportSampleLists(t *testing.T) {
	svc, _ := newImportService(t)
	ctx := context.Background()
	res, err := svc.ApplyImport(ctx, CommandLine, "921", "liste-pmi-92.csv", sample(t, "liste-pmi-92.csv"), "", false)
	if err != nil {
		t.Fatal(err)
	}
	if got := counts(res.Preview); got != "new=400 updated=0 relisted=0 unchanged=0 delisted=0 rejected=8" {
		t.Fatalf("first list: %s", got)
	}
	for _, name := range []string{"liste-pmi-92-excel.csv", "liste-pmi-92-virgules.csv", "liste-pmi-92.xlsx"} {
		pv, err := svc.PreviewImport(ctx, CommandLine, "921", name, sample(t, name))
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if got := counts(pv); got != "new=0 updated=0 relisted=0 unchanged=400 delisted=0 rejected=8" {
			t.Errorf("%s after the UTF-8 list: %s", name, got)
			for _, ch := range pv.Changes {
				if ch.Kind == ChangeUpdated {
					t.Logf("line %d %s: %v", ch.Line, ch.Professional.AgrementNumber, ch.Fields)
				}
			}
		}
	}
	pv, err := svc.PreviewImport(ctx, CommandLine, "921", "liste-pmi-92-v2.csv", sample(t, "liste-pmi-92-v2.csv"))
	if err != nil {
		t.Fatal(err)
	}
	if got := counts(pv); got != "new=10 updated=15 relisted=0 unchanged=375 delisted=10 rejected=1" {
		t.Fatalf("v2: %s", got)
	}
	readme := string(sample(t, "README.md"))
	for _, ch := range pv.Changes {
		if ch.Kind == ChangeDelisted && !strings.Contains(readme, ch.Professional.AgrementNumber) {
			t.Errorf("delisted %s is not among the README's gone", ch.Professional.AgrementNumber)
		}
	}
	// The Corse-du-Sud list is not for the Hauts-de-Seine.
	if _, err := svc.PreviewImport(ctx, CommandLine, "921", "liste-pmi-2a.csv", sample(t, "liste-pmi-2a.csv")); data.ErrorCode(err) != data.EINVALID {
		t.Errorf("the 2A list previewed for Caf 921: %v", err)
	}
	if res, err := svc.PreviewImport(ctx, CommandLine, "201", "liste-pmi-2a.csv", sample(t, "liste-pmi-2a.csv")); err != nil || res.Counts[ChangeNew] != 100 {
		t.Errorf("the 2A list for Caf 201: %v", err)
	}
}

// Files that are not lists get a French message and change nothing.
func TestImportBadFiles(t *testing.T) {
	svc, _ := newImportService(t)
	ctx := context.Background()
	for name, content := range map[string][]byte{
		"vide.csv":       {},
		"entete.csv":     []byte("Civilité;Nom;Prénom;Nom de voie;Code postal;Commune;N° d'agrément;Nombre de places\n"),
		"document.pdf":   []byte("%PDF-1.4\n1 0 obj\n<<>>\nendobj\n"),
		"photo.png":      {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n', 0, 0, 0, 13},
		"colonnes.csv":   []byte("Nom;Prénom\nDupont;Marie\n"),
		"mauvaises.csv":  pmiCSV([]pmiRow{{"Mme", "Durand", "Anne", "1", "rue", "X", "00000", "Nulle-part", "", "A1", "2", ""}}),
		"autre-caf.csv":  pmiCSV([]pmiRow{{"Mme", "Durand", "Anne", "1", "rue", "X", "75015", "Paris", "", "A1", "2", ""}}),
		"guillemets.csv": []byte("Civilité;Nom;Prénom;Nom de voie;Code postal;Commune;N° d'agrément;Nombre de places\nMme;\"Durand;Anne;rue;92100;Boulogne-Billancourt;A1;2\n"),
	} {
		for _, apply := range []bool{false, true} {
			var err error
			if apply {
				_, err = svc.ApplyImport(ctx, CommandLine, "921", name, content, "", true)
			} else {
				_, err = svc.PreviewImport(ctx, CommandLine, "921", name, content)
			}
			msg := data.ErrorMessage(err)
			if data.ErrorCode(err) != data.EINVALID || msg == "" || strings.Contains(msg, "internal") {
				t.Errorf("%s (apply=%v): %v", name, apply, err)
			}
		}
	}
	if _, n, _ := svc.store.FindProfessionals(ctx, data.ProfessionalFilter{}); n != 0 {
		t.Errorf("bad files wrote %d professionals", n)
	}
	if _, n, _ := svc.store.FindAudit(ctx, data.AuditFilter{}); n != 0 {
		t.Errorf("bad files were audited as imports")
	}
}

// BenchmarkImport50k previews then applies a list of 50,000 childminders
// (a large département) on SQLite, and reports the peak resident memory.
func BenchmarkImport50k(b *testing.B) {
	rows := pmiRows(50000)
	file := pmiCSV(rows)
	b.SetBytes(int64(len(file)))
	for b.Loop() {
		b.StopTimer()
		svc, _ := newImportServiceB(b)
		ctx := context.Background()
		runtime.GC()
		b.StartTimer()
		pv, err := svc.PreviewImport(ctx, CommandLine, "921", "grande.csv", file)
		if err != nil || pv.Counts[ChangeNew] != 50000 {
			b.Fatalf("preview: %v", err)
		}
		if _, err := svc.ApplyImport(ctx, CommandLine, "921", "grande.csv", file, pv.SHA256, false); err != nil {
			b.Fatal(err)
		}
	}
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	b.ReportMetric(float64(ru.Maxrss)/1024, "peak-RSS-MB")
	b.ReportMetric(50000*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
}
