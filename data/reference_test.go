package data

import (
	"bytes"
	"compress/gzip"
	"errors"
	"fmt"
	"io/fs"
	"slices"
	"strings"
	"testing"
	"testing/fstest"
)

func TestEmbeddedReferenceLoads(t *testing.T) {
	if _, err := loadTables(refdataFS, "refdata"); err != nil {
		t.Fatalf("embedded reference data: %v", err)
	}
	if DefaultReference() == nil {
		t.Fatal("DefaultReference returned nil")
	}
}

// TestGeneratedFileIsReproducible checks the fixed gzip header that makes
// tools/refdata/generate.sh give the same bytes on every run.
func TestGeneratedFileIsReproducible(t *testing.T) {
	b, err := fs.ReadFile(refdataFS, "refdata/communes.tsv.gz")
	if err != nil {
		t.Fatal(err)
	}
	zr, err := gzip.NewReader(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	if zr.Name != "" || !zr.ModTime.IsZero() || zr.Comment != "" {
		t.Errorf("gzip header: name %q, time %v, comment %q; want none", zr.Name, zr.ModTime, zr.Comment)
	}
}

func TestReferenceCounts(t *testing.T) {
	ref := DefaultReference()
	communes := ref.Communes()
	if len(communes) <= 34000 {
		t.Errorf("%d communes, want more than 34,000", len(communes))
	}
	if !slices.IsSortedFunc(communes, func(a, b Commune) int { return strings.Compare(a.INSEE, b.INSEE) }) {
		t.Error("Communes() is not sorted by INSEE code")
	}
	deps := ref.Departments()
	if len(deps) != 101 {
		t.Errorf("%d départements, want 101", len(deps))
	}
	overseas := 0
	for _, d := range deps {
		if len(d.Code) == 3 {
			overseas++
		}
	}
	if overseas != 5 {
		t.Errorf("%d overseas départements, want 5", overseas)
	}
	perDept := map[string]int{}
	for _, c := range communes {
		perDept[c.Department]++
	}
	for _, code := range []string{"2A", "2B", "971", "972", "973", "974", "976"} {
		d, ok := ref.Department(code)
		if !ok || d.Name == "" {
			t.Errorf("département %s missing", code)
		}
		if perDept[code] == 0 {
			t.Errorf("no commune in département %s", code)
		}
	}
	for _, d := range deps {
		if perDept[d.Code] == 0 {
			t.Errorf("no commune in département %s %s", d.Code, d.Name)
		}
	}
	if n := len(ref.Cafs()); n != 102 {
		t.Errorf("%d caisses, want 101 Caf and the CSSM of Mayotte", n)
	}
	arr := 0
	for _, c := range communes {
		if c.ParentINSEE != "" {
			arr++
		}
	}
	if arr != 20+9+16 {
		t.Errorf("%d arrondissements municipaux, want 45", arr)
	}
	for _, parent := range []string{"75056", "69123", "13055"} {
		if _, ok := ref.Commune(parent); ok {
			t.Errorf("commune %s is listed beside its arrondissements", parent)
		}
	}
}

// TestEveryCommuneRoutes walks every commune and every one of its postal
// codes, and checks that the postal code and the official name lead back to
// that commune, its département and a caisse that serves it.
func TestEveryCommuneRoutes(t *testing.T) {
	ref := DefaultReference()
	noCaf := map[string]bool{"975": true, "984": true, "986": true, "987": true, "988": true, "989": true}
	routes := 0
	for _, c := range ref.Communes() {
		if len(c.PostalCodes) == 0 {
			t.Errorf("commune %s %s has no postal code", c.INSEE, c.Name)
		}
		for _, pc := range c.PostalCodes {
			r, err := ref.Route(pc, c.Name)
			if noCaf[c.Department] {
				if ErrorCode(err) != ENOTFOUND || !strings.Contains(ErrorMessage(err), "Aucune Caf") {
					t.Errorf("Route(%s, %s) in %s: err %v, want ENOTFOUND « Aucune Caf … »", pc, c.Name, c.Department, err)
				}
				if got, err := ref.ResolveCommune(pc, c.Name, ""); err != nil || got.INSEE != c.INSEE {
					t.Errorf("ResolveCommune(%s, %s) = %s, %v; want %s", pc, c.Name, got.INSEE, err, c.INSEE)
				}
				continue
			}
			if err != nil {
				t.Errorf("Route(%s, %s): %v", pc, c.Name, err)
				continue
			}
			routes++
			if r.Commune.INSEE != c.INSEE {
				t.Errorf("Route(%s, %s) gives commune %s, want %s", pc, c.Name, r.Commune.INSEE, c.INSEE)
			}
			if r.Department.Code != c.Department || r.Department.Name == "" {
				t.Errorf("Route(%s, %s) gives département %+v, want %s", pc, c.Name, r.Department, c.Department)
			}
			if !slices.Contains(r.Caf.Departments, c.Department) {
				t.Errorf("Route(%s, %s) gives %s %s, which does not serve %s", pc, c.Name, r.Caf.Code, r.Caf.Name, c.Department)
			}
			if want := expectedCaf(c); r.Caf.Code != want {
				t.Errorf("Route(%s, %s) gives Caf %s, want %s", pc, c.Name, r.Caf.Code, want)
			}
			if c.ParentName != "" {
				if r2, err := ref.Route(pc, c.ParentName); err != nil || r2.Commune.INSEE != c.INSEE {
					t.Errorf("Route(%s, %s) = %s, %v; want %s", pc, c.ParentName, r2.Commune.INSEE, err, c.INSEE)
				}
			}
		}
	}
	if routes < 35000 {
		t.Errorf("only %d (postal code, commune) pairs routed", routes)
	}
}

// expectedCaf is the routing rule written out independently of
// CafOfCommune and of the data files' mechanics.
func expectedCaf(c Commune) string {
	switch {
	case c.Department == "2A":
		return "201"
	case c.Department == "2B":
		return "202"
	case c.Department == "64" && c.Arrondissement == "641":
		return "641" // Pays Basque
	case c.Department == "64":
		return "642" // Béarn et Soule
	case c.Department == "40" && slices.Contains(seignanx, c.Name):
		return "641"
	case c.Department == "977", c.Department == "978":
		return "971"
	case len(c.Department) == 3:
		return c.Department
	}
	return c.Department + "1"
}

var seignanx = []string{"Biarrotte", "Biaudos", "Ondres", "Saint-André-de-Seignanx", "Saint-Barthélemy",
	"Saint-Laurent-de-Gosse", "Saint-Martin-de-Seignanx", "Tarnos"}

func TestEveryDepartmentHasOneCaf(t *testing.T) {
	ref := DefaultReference()
	tables := ref.tables()
	for _, d := range ref.Departments() {
		code, ok := tables.cafOfDept[d.Code]
		if !ok {
			t.Errorf("département %s %s has no Caf", d.Code, d.Name)
			continue
		}
		caf, _ := ref.Caf(code)
		if !strings.HasPrefix(caf.Code, strings.NewReplacer("2A", "20", "2B", "20").Replace(d.Code)) {
			t.Errorf("Caf %s of département %s: the code does not start with the département's", caf.Code, d.Code)
		}
	}
	// Only 64 is split, and both of its caisses say they serve it.
	var of64 []string
	for _, caf := range ref.Cafs() {
		if slices.Contains(caf.Departments, "64") {
			of64 = append(of64, caf.Code)
		}
		if caf.Code != "976" && !strings.HasPrefix(caf.Name, "Caf ") {
			t.Errorf("Caf %s is named %q", caf.Code, caf.Name)
		}
		if !strings.HasSuffix(caf.HabilitationEmail, "@espacepro.example") || ValidateEmail(caf.HabilitationEmail) != nil {
			t.Errorf("Caf %s: habilitation address %q", caf.Code, caf.HabilitationEmail)
		}
		// A département a caisse serves only in part must be backed by
		// an exception routing some of its communes there.
		for _, d := range caf.Departments {
			if tables.cafOfDept[d] == caf.Code {
				continue
			}
			found := false
			for _, c := range ref.Communes() {
				if c.Department == d {
					if got, err := ref.CafOfCommune(c); err == nil && got.Code == caf.Code {
						found = true
						break
					}
				}
			}
			if !found {
				t.Errorf("Caf %s says it serves %s in part, but no commune of %s goes to it", caf.Code, d, d)
			}
		}
	}
	if !slices.Equal(of64, []string{"641", "642"}) {
		t.Errorf("caisses serving 64: %v, want [641 642]", of64)
	}
	if c, _ := ref.Caf("976"); !strings.Contains(c.Name, "Mayotte") {
		t.Errorf("caisse 976 is %q", c.Name)
	}
}

// TestCafExceptionLabels checks that each commune exception names the
// commune its INSEE code designates, so that a typo in a code shows.
func TestCafExceptionLabels(t *testing.T) {
	ref := DefaultReference()
	b, err := fs.ReadFile(refdataFS, "refdata/caf_exceptions.tsv")
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	err = eachLine("caf_exceptions.tsv", string(b), func(_ int, f []string) error {
		if f[0] != "commune" {
			return nil
		}
		n++
		c, ok := ref.Commune(f[1])
		if !ok || c.Name != f[3] {
			return fmt.Errorf("commune %s is %q, the label says %q", f[1], c.Name, f[3])
		}
		return nil
	})
	if err != nil {
		t.Error(err)
	}
	if n != len(seignanx) {
		t.Errorf("%d commune exceptions, want the %d of the Seignanx", n, len(seignanx))
	}
}

func TestRoute(t *testing.T) {
	ref := DefaultReference()
	tests := []struct {
		pc, name        string
		insee, dep, caf string
	}{
		{"92100", "Boulogne-Billancourt", "92012", "92", "921"},
		{"92100", "boulogne billancourt", "92012", "92", "921"},
		{"20090", "Ajaccio", "2A004", "2A", "201"},
		{"20200", "Bastia", "2B033", "2B", "202"},
		{"97400", "Saint-Denis", "97411", "974", "974"},
		{"97400", "St Denis", "97411", "974", "974"},
		{"75015", "Paris 15e", "75115", "75", "751"},
		{"75015", "Paris 15e Arrondissement", "75115", "75", "751"},
		{"75015", "Paris", "75115", "75", "751"},
		{"75015", "PARIS 15EME", "75115", "75", "751"},
		{"75116", "Paris", "75116", "75", "751"},
		{"75001", "Paris 1er", "75101", "75", "751"},
		{"69003", "Lyon 3e", "69383", "69", "691"},
		{"13008", "Marseille", "13208", "13", "131"},
		{"13780", "Riboux", "83105", "83", "831"},
		{"13780", "Cuges-les-Pins", "13030", "13", "131"},
		{"64100", "Bayonne", "64102", "64", "641"},
		{"64220", "Saint-Jean-Pied-de-Port", "64485", "64", "641"},
		{"64000", "Pau", "64445", "64", "642"},
		{"64130", "Mauléon-Licharre", "64371", "64", "642"}, // the Soule
		{"40220", "Tarnos", "40312", "40", "641"},
		{"40000", "Mont-de-Marsan", "40192", "40", "401"},
		{"97133", "Saint-Barthélemy", "97701", "977", "971"},
		{"97150", "Saint-Martin", "97801", "978", "971"},
		{"97600", "Mamoudzou", "97611", "976", "976"},
		{"94240", "L'Haÿ-les-Roses", "94038", "94", "941"},
		{"94240", "LHay les Roses", "94038", "94", "941"},
		{"42000", "St-Étienne", "42218", "42", "421"},
		{"16190", "Bors", "16052", "16", "161"},
	}
	for _, tt := range tests {
		r, err := ref.Route(tt.pc, tt.name)
		if err != nil {
			t.Errorf("Route(%q, %q): %v", tt.pc, tt.name, err)
			continue
		}
		if r.Commune.INSEE != tt.insee || r.Department.Code != tt.dep || r.Caf.Code != tt.caf {
			t.Errorf("Route(%q, %q) = %s %s / %s / %s; want %s / %s / %s", tt.pc, tt.name,
				r.Commune.INSEE, r.Commune.Name, r.Department.Code, r.Caf.Code, tt.insee, tt.dep, tt.caf)
		}
	}
	r, _ := ref.Route("64100", "Bayonne")
	if r.Caf.Name != "Caf du Pays Basque et du Seignanx" {
		t.Errorf("Bayonne's Caf is %q", r.Caf.Name)
	}
	r, _ = ref.Route("64000", "Pau")
	if r.Caf.Name != "Caf du Béarn et de la Soule" {
		t.Errorf("Pau's Caf is %q", r.Caf.Name)
	}
}

// TestStraddlingPostalCodes finds the postal codes whose communes lie in two
// départements and checks that the commune's name settles the département.
func TestStraddlingPostalCodes(t *testing.T) {
	ref := DefaultReference()
	deps := map[string]map[string]bool{}
	for _, c := range ref.Communes() {
		for _, pc := range c.PostalCodes {
			if deps[pc] == nil {
				deps[pc] = map[string]bool{}
			}
			deps[pc][c.Department] = true
		}
	}
	var straddling []string
	for pc, d := range deps {
		if len(d) > 1 {
			straddling = append(straddling, pc)
		}
	}
	if len(straddling) == 0 {
		t.Fatal("no postal code straddles two départements")
	}
	for _, pc := range straddling {
		cs, err := ref.CommunesOfPostalCode(pc)
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range cs {
			r, err := ref.Route(pc, c.Name)
			if err != nil || r.Department.Code != c.Department {
				t.Errorf("Route(%s, %s) = %s, %v; want département %s", pc, c.Name, r.Department.Code, err, c.Department)
			}
		}
	}
	if !slices.Contains(straddling, "13780") {
		t.Errorf("13780 (Cuges-les-Pins 13, Riboux 83) is not among %v", straddling)
	}
	_, err := ref.Route("13780", "")
	if want := "Choisissez votre commune parmi : Cuges-les-Pins, Riboux."; ErrorCode(err) != EINVALID || ErrorMessage(err) != want {
		t.Errorf("Route(13780, \"\"): %v, want %q", err, want)
	}
}

func TestResolveCommuneErrors(t *testing.T) {
	ref := DefaultReference()
	tests := []struct {
		pc, name, insee string
		code, msg       string
	}{
		{"9210", "Boulogne-Billancourt", "", EINVALID, "Code postal « 9210 » invalide : il doit comporter 5 chiffres."},
		{"92A00", "", "", EINVALID, "Code postal « 92A00 » invalide : il doit comporter 5 chiffres."},
		{"", "", "", EINVALID, "Code postal «  » invalide : il doit comporter 5 chiffres."},
		{"99999", "Paris", "", ENOTFOUND, "Le code postal 99999 n'existe pas : vérifiez-le."},
		{"20200", "", "", EINVALID, "Choisissez votre commune parmi : Bastia, San-Martino-di-Lota, Santa-Maria-di-Lota, Ville-di-Pietrabugno."},
		{"92100", "Nanterre", "", EINVALID, "La commune « Nanterre » ne correspond pas au code postal 92100 : il s'agit de Boulogne-Billancourt."},
		{"20200", "Ajaccio", "", EINVALID, "La commune « Ajaccio » ne correspond pas au code postal 20200 : choisissez parmi : Bastia, San-Martino-di-Lota, Santa-Maria-di-Lota, Ville-di-Pietrabugno."},
		{"72000", "Mans", "", EINVALID, "La commune « Mans » ne correspond pas au code postal 72000 : il s'agit de Le Mans."},
		{"92100", "", "92050", EINVALID, "La commune de code INSEE 92050 ne correspond pas au code postal 92100 : choisissez parmi : Boulogne-Billancourt."},
		{"75015", "Paris 16e", "", EINVALID, "La commune « Paris 16e » ne correspond pas au code postal 75015 : il s'agit de Paris 15e Arrondissement."},
	}
	for _, tt := range tests {
		_, err := ref.ResolveCommune(tt.pc, tt.name, tt.insee)
		if ErrorCode(err) != tt.code || ErrorMessage(err) != tt.msg {
			t.Errorf("ResolveCommune(%q, %q, %q):\n got %s %q\nwant %s %q", tt.pc, tt.name, tt.insee,
				ErrorCode(err), ErrorMessage(err), tt.code, tt.msg)
		}
		var e *Error
		if !errors.As(err, &e) {
			t.Errorf("ResolveCommune(%q, %q, %q): %T is not an *Error", tt.pc, tt.name, tt.insee, err)
		}
	}
}

func TestResolveCommuneListsAtMostTen(t *testing.T) {
	ref := DefaultReference()
	var big string
	for pc, idx := range ref.tables().byPostal {
		if len(idx) > maxListed {
			big = pc
			break
		}
	}
	if big == "" {
		t.Fatal("no postal code with more than ten communes")
	}
	_, err := ref.ResolveCommune(big, "", "")
	msg := ErrorMessage(err)
	if ErrorCode(err) != EINVALID || !strings.HasSuffix(msg, ", …") || strings.Count(msg, ",") != maxListed {
		t.Errorf("ResolveCommune(%s, \"\"): %q", big, msg)
	}
}

func TestResolveCommuneByINSEE(t *testing.T) {
	ref := DefaultReference()
	tests := []struct{ pc, name, insee, want string }{
		{"92100", "", "92012", "92012"},
		{"92100", "n'importe quoi", "92012", "92012"}, // the code wins over the name
		{"20090", "", "2a004", "2A004"},
		{"75015", "", "75056", "75115"}, // the commune of Paris means its arrondissement
		{"13780", "", "83105", "83105"},
	}
	for _, tt := range tests {
		c, err := ref.ResolveCommune(tt.pc, tt.name, tt.insee)
		if err != nil || c.INSEE != tt.want {
			t.Errorf("ResolveCommune(%q, %q, %q) = %s, %v; want %s", tt.pc, tt.name, tt.insee, c.INSEE, err, tt.want)
		}
	}
}

func TestCommunesOfPostalCode(t *testing.T) {
	ref := DefaultReference()
	cs, err := ref.CommunesOfPostalCode("20200")
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, c := range cs {
		names = append(names, c.Name)
	}
	if want := []string{"Bastia", "San-Martino-di-Lota", "Santa-Maria-di-Lota", "Ville-di-Pietrabugno"}; !slices.Equal(names, want) {
		t.Errorf("CommunesOfPostalCode(20200) = %v, want %v", names, want)
	}
	// Sorted by name with accents ignored: « Éloise » among the E.
	cs, _ = ref.CommunesOfPostalCode("01200")
	for i := 1; i < len(cs); i++ {
		if NormalizeName(cs[i-1].Name) > NormalizeName(cs[i].Name) {
			t.Errorf("01200: %s before %s", cs[i-1].Name, cs[i].Name)
		}
	}
	if _, err := ref.CommunesOfPostalCode("00000"); ErrorCode(err) != ENOTFOUND {
		t.Errorf("CommunesOfPostalCode(00000): %v, want ENOTFOUND", err)
	}
	if _, err := ref.CommunesOfPostalCode("1234"); ErrorCode(err) != EINVALID {
		t.Errorf("CommunesOfPostalCode(1234): %v, want EINVALID", err)
	}
}

func TestCafOfCommuneWithoutCaf(t *testing.T) {
	ref := DefaultReference()
	tests := []struct{ insee, where string }{
		{"98818", "Nouvelle-Calédonie"},
		{"97502", "Saint-Pierre-et-Miquelon"},
		{"98714", "Polynésie française"},
	}
	for _, tt := range tests {
		c, ok := ref.Commune(tt.insee)
		if !ok {
			t.Fatalf("commune %s missing", tt.insee)
		}
		_, err := ref.CafOfCommune(c)
		if ErrorCode(err) != ENOTFOUND || !strings.Contains(ErrorMessage(err), tt.where) || !strings.Contains(ErrorMessage(err), c.Name) {
			t.Errorf("CafOfCommune(%s): %v", c.Name, err)
		}
	}
	if _, err := ref.CafOfCommune(Commune{INSEE: "00000", Name: "Nulle-Part", Department: "00"}); ErrorCode(err) != ENOTFOUND {
		t.Errorf("CafOfCommune of an unknown département: %v", err)
	}
	// A commune given by its INSEE code alone is looked up.
	if caf, err := ref.CafOfCommune(Commune{INSEE: "40312"}); err != nil || caf.Code != "641" {
		t.Errorf("CafOfCommune(Tarnos by INSEE) = %s, %v", caf.Code, err)
	}
}

func TestSearchCommunes(t *testing.T) {
	ref := DefaultReference()
	has := func(cs []Commune, insee string) bool {
		return slices.ContainsFunc(cs, func(c Commune) bool { return c.INSEE == insee })
	}
	tests := []struct{ q, insee string }{
		{"boulogne-b", "92012"},
		{"BOULOGNE BILL", "92012"},
		{"st etienne", "42218"},
		{"saint-étienne", "42218"},
		{"mans", "72181"},
		{"le mans", "72181"},
		{"lhay", ""}, // no space: not a prefix of « l hay les roses »
		{"l'hay", "94038"},
		{"hay les", "94038"},
		{"paris 15", "75115"},
		{"9210", "92012"},
		{"75015", "75115"},
		{"2009", "2A004"},
		{"92 1", "92012"},
	}
	for _, tt := range tests {
		cs := ref.SearchCommunes(tt.q, 50)
		if tt.insee != "" && !has(cs, tt.insee) {
			t.Errorf("SearchCommunes(%q) misses %s: %d results", tt.q, tt.insee, len(cs))
		}
		if len(cs) > 50 {
			t.Errorf("SearchCommunes(%q, 50) gave %d", tt.q, len(cs))
		}
	}
	if cs := ref.SearchCommunes("s", 7); len(cs) != 7 {
		t.Errorf("SearchCommunes(s, 7) gave %d", len(cs))
	}
	if cs := ref.SearchCommunes("s", 0); len(cs) != defaultSearchLimit {
		t.Errorf("SearchCommunes(s, 0) gave %d", len(cs))
	}
	if cs := ref.SearchCommunes("  ", 10); cs != nil {
		t.Errorf("SearchCommunes(blank) = %v", cs)
	}
	if cs := ref.SearchCommunes("zzzzq", 10); len(cs) != 0 {
		t.Errorf("SearchCommunes(zzzzq) = %v", cs)
	}
	// Paris's arrondissements come in numeric order.
	cs := ref.SearchCommunes("paris", 25)
	if len(cs) != 23 || cs[0].INSEE != "75101" || cs[1].INSEE != "75102" || cs[9].INSEE != "75110" || cs[19].INSEE != "75120" {
		var got []string
		for _, c := range cs {
			got = append(got, c.Name)
		}
		t.Errorf("SearchCommunes(paris) = %v", got)
	}
	// Names that start with the query come before those that start with it
	// after an article.
	cs = ref.SearchCommunes("mans", 50)
	if len(cs) == 0 || !strings.HasPrefix(NormalizeName(cs[0].Name), "mans") || !has(cs, "72181") {
		t.Errorf("SearchCommunes(mans) starts with %v", cs[:min(3, len(cs))])
	}
	// Postal searches come in postal-code order.
	cs = ref.SearchCommunes("750", 30)
	if len(cs) != 20 || cs[0].INSEE != "75101" {
		t.Errorf("SearchCommunes(750) = %d results, first %v", len(cs), cs[:min(1, len(cs))])
	}
}

func TestNormalizeName(t *testing.T) {
	tests := []struct{ in, want string }{
		{"L'Haÿ-les-Roses", "l hay les roses"},
		{"  Saint-Étienne  ", "saint etienne"},
		{"ŒUVRES", "oeuvres"},
		{"Lætitia", "laetitia"},
		{"Straße", "strasse"},
		{"Bors (Canton de Charente-Sud)", "bors canton de charente sud"},
		{"Île-d’Yeu", "ile d yeu"},
		{"Çà--et  là", "ca et la"},
		{"Paris 15e Arrondissement", "paris 15e arrondissement"},
		{"Łódź", "lodz"},
		{"", ""},
		{"'-.", ""},
	}
	for _, tt := range tests {
		if got := NormalizeName(tt.in); got != tt.want {
			t.Errorf("NormalizeName(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
	for _, c := range DefaultReference().Communes() {
		n := NormalizeName(c.Name)
		if strings.Trim(n, "abcdefghijklmnopqrstuvwxyz0123456789 ") != "" || strings.Contains(n, "  ") {
			t.Errorf("NormalizeName(%q) = %q: not plain ASCII", c.Name, n)
		}
	}
}

func TestMatchKey(t *testing.T) {
	same := [][]string{
		{"Paris 15e Arrondissement", "Paris 15e", "PARIS 15EME", "paris 15 ème", "Paris 15", "Paris 015", "Paris 15e arr."},
		{"Paris 1er Arrondissement", "Paris 1er", "Paris 1", "Paris 01"},
		{"Saint-Étienne", "St Etienne", "st-étienne", "SAINTETIENNE"},
		{"Sainte-Maxime", "Ste Maxime"},
		{"L'Haÿ-les-Roses", "LHay les Roses", "l hay les roses"},
	}
	for _, group := range same {
		for _, s := range group[1:] {
			if matchKey(s) != matchKey(group[0]) {
				t.Errorf("matchKey(%q) = %q, matchKey(%q) = %q", s, matchKey(s), group[0], matchKey(group[0]))
			}
		}
	}
	different := [][2]string{{"Le Mans", "Mans"}, {"Paris 1er", "Paris 10e"}, {"Les Lilas", "Lilas"}, {"Stains", "Saintains"}}
	for _, d := range different {
		if matchKey(d[0]) == matchKey(d[1]) {
			t.Errorf("matchKey(%q) = matchKey(%q)", d[0], d[1])
		}
	}
}

// TestZeroReference checks that the zero value and nil use the embedded data.
func TestZeroReference(t *testing.T) {
	var zero Reference
	if r, err := zero.Route("92100", "Boulogne-Billancourt"); err != nil || r.Caf.Code != "921" {
		t.Errorf("zero Reference: %v, %v", r.Caf.Code, err)
	}
	var nilRef *Reference
	if _, ok := nilRef.Commune("92012"); !ok {
		t.Error("nil Reference does not find 92012")
	}
}

// TestValidateAddressWithReference checks how validateAddress places the
// reference's errors on the form's fields.
func TestValidateAddressWithReference(t *testing.T) {
	ref := DefaultReference()
	tests := []struct {
		pc, name, field string
	}{
		{"99999", "Paris", "postal_code"},
		{"9999", "Paris", "postal_code"},
		{"92100", "Nanterre", "commune"},
		{"20200", "", "commune"},
	}
	for _, tt := range tests {
		f := FieldErrors{}
		a := Address{StreetName: "rue des Lilas", PostalCode: tt.pc, CommuneName: tt.name}
		validateAddress(f, ref, &a)
		if _, ok := f[tt.field]; !ok || len(f) != 1 {
			t.Errorf("validateAddress(%s, %s): %v, want one error on %s", tt.pc, tt.name, f, tt.field)
		}
	}
	f := FieldErrors{}
	a := Address{StreetName: "rue des Lilas", PostalCode: "75015", CommuneName: "paris"}
	validateAddress(f, ref, &a)
	if len(f) != 0 || a.CommuneINSEE != "75115" || a.CommuneName != "Paris 15e Arrondissement" {
		t.Errorf("validateAddress(75015, paris): %v, %+v", f, a)
	}
}

// TestLoadRejectsCorruptData feeds loadTables broken files.
func TestLoadRejectsCorruptData(t *testing.T) {
	good := map[string]string{}
	for _, name := range []string{"communes.tsv.gz", "departements.tsv", "cafs.tsv", "caf_exceptions.tsv"} {
		b, err := fs.ReadFile(refdataFS, "refdata/"+name)
		if err != nil {
			t.Fatal(err)
		}
		good[name] = string(b)
	}
	communes := gunzipString(t, good["communes.tsv.gz"])
	build := func(change func(files map[string]string)) fstest.MapFS {
		files := map[string]string{}
		for k, v := range good {
			files[k] = v
		}
		change(files)
		m := fstest.MapFS{}
		for k, v := range files {
			m["d/"+k] = &fstest.MapFile{Data: []byte(v)}
		}
		return m
	}
	if _, err := loadTables(build(func(map[string]string) {}), "d"); err != nil {
		t.Fatalf("the good files do not load: %v", err)
	}
	tests := map[string]func(files map[string]string){
		"truncated gzip": func(f map[string]string) { f["communes.tsv.gz"] = f["communes.tsv.gz"][:1000] },
		"not gzip":       func(f map[string]string) { f["communes.tsv.gz"] = communes },
		"missing file":   func(f map[string]string) { delete(f, "cafs.tsv") },
		"short line": func(f map[string]string) {
			f["communes.tsv.gz"] = gzipString(t, communes+"99999\tNulle-Part\n")
		},
		"bad postal code": func(f map[string]string) {
			f["communes.tsv.gz"] = gzipString(t, communes+"99999\tNulle-Part\t75\t751\t7501\t\t\n")
		},
		"unsorted": func(f map[string]string) {
			f["communes.tsv.gz"] = gzipString(t, communes+"01001\tNulle-Part\t01\t011\t01000\t\t\n")
		},
		"unknown département": func(f map[string]string) {
			f["communes.tsv.gz"] = gzipString(t, communes+"99999\tNulle-Part\t99\t991\t99000\t\t\n")
		},
		"département served twice": func(f map[string]string) {
			f["cafs.tsv"] += "999\tCaf de trop\t92\thabilitations.caf999@espacepro.example\n"
		},
		"Caf of an unknown département": func(f map[string]string) {
			f["cafs.tsv"] += "999\tCaf de nulle part\t99\thabilitations.caf999@espacepro.example\n"
		},
		"exception to an unknown Caf": func(f map[string]string) {
			f["caf_exceptions.tsv"] += "commune\t92012\t999\tBoulogne-Billancourt\n"
		},
		"exception for an unknown commune": func(f map[string]string) {
			f["caf_exceptions.tsv"] += "commune\t99999\t921\tNulle-Part\n"
		},
		"exception of an unknown kind": func(f map[string]string) {
			f["caf_exceptions.tsv"] += "canton\t4012\t641\tSeignanx\n"
		},
	}
	for name, change := range tests {
		if _, err := loadTables(build(change), "d"); err == nil {
			t.Errorf("%s: loaded without error", name)
		}
	}
}

func gunzipString(t *testing.T, s string) string {
	t.Helper()
	text, err := readText(fstest.MapFS{"x.gz": &fstest.MapFile{Data: []byte(s)}}, "x.gz")
	if err != nil {
		t.Fatal(err)
	}
	return text
}

func gzipString(t *testing.T, s string) string {
	t.Helper()
	var b bytes.Buffer
	zw := gzip.NewWriter(&b)
	if _, err := zw.Write([]byte(s)); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

// TestConcurrentUse runs lookups from several goroutines; run it with -race.
func TestConcurrentUse(t *testing.T) {
	var zero Reference
	done := make(chan error)
	for i := range 8 {
		go func() {
			var err error
			for j := range 200 {
				if _, e := zero.Route("92100", "Boulogne-Billancourt"); e != nil {
					err = e
				}
				zero.SearchCommunes([]string{"st", "75", "mans"}[(i+j)%3], 10)
			}
			done <- err
		}()
	}
	for range 8 {
		if err := <-done; err != nil {
			t.Error(err)
		}
	}
}
