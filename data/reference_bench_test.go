package data

import "testing"

// BenchmarkLoadReference measures the one-time load: gunzip and parse of the
// embedded files, and the building of the indexes.
func BenchmarkLoadReference(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := loadTables(refdataFS, "refdata"); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkCommunesOfPostalCode(b *testing.B) {
	ref := DefaultReference()
	codes := []string{"92100", "01200", "75015", "20200", "97400", "13780"}
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		if _, err := ref.CommunesOfPostalCode(codes[i%len(codes)]); err != nil {
			b.Fatal(err)
		}
		i++
	}
}

func BenchmarkRoute(b *testing.B) {
	ref := DefaultReference()
	cases := [][2]string{
		{"92100", "Boulogne-Billancourt"},
		{"75015", "Paris 15e"},
		{"13780", "Riboux"},
		{"40220", "Tarnos"},
		{"42000", "St-Étienne"},
		{"01200", "Éloise"},
	}
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		c := cases[i%len(cases)]
		if _, err := ref.Route(c[0], c[1]); err != nil {
			b.Fatal(err)
		}
		i++
	}
}

func BenchmarkSearchCommunes(b *testing.B) {
	ref := DefaultReference()
	for _, q := range []string{"s", "saint-", "st et", "boulogne", "mans", "75", "92100"} {
		b.Run(q, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				ref.SearchCommunes(q, 20)
			}
		})
	}
}

func BenchmarkNormalizeName(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		NormalizeName("Saint-Rémy-en-Bouzemont-Saint-Genest-et-Isson")
	}
}
