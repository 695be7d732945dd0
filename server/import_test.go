package server

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"path/filepath"
	"reflect"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"espacepro/data"
	"espacepro/data/postgres"
	"espacepro/data/postgres/pgtest"
	"espacepro/data/sqlite"
	"espacepro/server/mail"
)

// pmiRow is one childminder of a generated list.
type pmiRow struct {
	civ, last, first, num, typ, street, cp, commune, phone, agrement, places, date string
}

func pmiRows(n int) []pmiRow {
	communes := [][2]string{{"92100", "Boulogne-Billancourt"}, {"92000", "Nanterre"}, {"92700", "Colombes"}, {"92130", "Issy-les-Moulineaux"}}
	rows := make([]pmiRow, n)
	for i := range rows {
		c := communes[i%len(communes)]
		rows[i] = pmiRow{"Mme", "Nom" + letters(i), "Hélène", fmt.Sprint(1 + i%90), "rue", "de la République",
			c[0], c[1], fmt.Sprintf("06%08d", i), fmt.Sprintf("92-2020-%05d", i), fmt.Sprint(1 + i%4), "01/09/2020"}
	}
	return rows
}

// letters names i with letters only (names may not hold digits).
func letters(i int) string {
	s := ""
	for {
		s = string(rune('a'+i%26)) + s
		if i /= 26; i == 0 {
			return s
		}
	}
}

func pmiCSV(rows []pmiRow) []byte {
	var b strings.Builder
	b.WriteString("Civilité;Nom;Prénom;N° de voie;Type de voie;Nom de voie;Code postal;Commune;Téléphone;N° d'agrément;Nombre de places agréées;Date d'agrément\r\n")
	for _, r := range rows {
		fmt.Fprintf(&b, "%s;%s;%s;%s;%s;%s;%s;%s;%s;%s;%s;%s\r\n", r.civ, r.last, r.first, r.num, r.typ, r.street, r.cp, r.commune, r.phone, r.agrement, r.places, r.date)
	}
	return []byte(b.String())
}

// failingStore fails the nth professional write, to prove that an import is
// all or nothing.
type failingStore struct {
	data.CentralStore
	writes, failAt int
}

func (f *failingStore) fail() error {
	if f.writes++; f.failAt > 0 && f.writes == f.failAt {
		return fmt.Errorf("disque plein (simulé)")
	}
	return nil
}

func (f *failingStore) CreateProfessional(ctx context.Context, p *data.Professional) error {
	if err := f.fail(); err != nil {
		return err
	}
	return f.CentralStore.CreateProfessional(ctx, p)
}

func (f *failingStore) UpdateProfessional(ctx context.Context, p *data.Professional) error {
	if err := f.fail(); err != nil {
		return err
	}
	return f.CentralStore.UpdateProfessional(ctx, p)
}

// WriteProfessionals writes the professionals before the failing one, then
// fails, as the store fails on one of a batch.
func (f *failingStore) WriteProfessionals(ctx context.Context, ps []*data.Professional) (int, error) {
	for i := range ps {
		if err := f.fail(); err != nil {
			if _, werr := f.CentralStore.WriteProfessionals(ctx, ps[:i]); werr != nil {
				return 0, werr
			}
			return i, err
		}
	}
	return f.CentralStore.WriteProfessionals(ctx, ps)
}

func newImportService(t *testing.T) (*Service, *failingStore) { return newImportServiceB(t) }

func newImportServiceB(t testing.TB) (*Service, *failingStore) {
	t.Helper()
	dir := t.TempDir()
	store, err := sqlite.OpenCentral(context.Background(), filepath.Join(dir, "central.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	fs := &failingStore{CentralStore: store}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	return NewService(fs, &mail.FileSender{Dir: filepath.Join(dir, "mail"), Log: log}, log), fs
}

func counts(pv *ImportPreview) string {
	return fmt.Sprintf("new=%d updated=%d relisted=%d unchanged=%d delisted=%d rejected=%d",
		pv.Counts[ChangeNew], pv.Counts[ChangeUpdated], pv.Counts[ChangeRelisted],
		pv.Counts[ChangeUnchanged], pv.Counts[ChangeDelisted], pv.Counts[ChangeRejected])
}

func TestImportLifecycle(t *testing.T) {
	svc, _ := newImportService(t)
	ctx := context.Background()
	rows := pmiRows(40)
	first := pmiCSV(rows)

	pv, err := svc.PreviewImport(ctx, CommandLine, "921", "liste.csv", first)
	if err != nil {
		t.Fatal(err)
	}
	if got := counts(pv); got != "new=40 updated=0 relisted=0 unchanged=0 delisted=0 rejected=0" {
		t.Fatalf("first preview: %s", got)
	}
	if _, n, _ := svc.store.FindProfessionals(ctx, data.ProfessionalFilter{CafCode: "921"}); n != 0 {
		t.Fatalf("a preview wrote %d professionals", n)
	}
	if _, err := svc.ApplyImport(ctx, CommandLine, "921", "liste.csv", first, "0000", false); data.ErrorCode(err) != data.ECONFLICT {
		t.Fatalf("apply with another file's SHA-256: %v", err)
	}
	if _, err := svc.ApplyImport(ctx, CommandLine, "921", "liste.csv", first, pv.SHA256, false); err != nil {
		t.Fatal(err)
	}
	list, n, _ := svc.store.FindProfessionals(ctx, data.ProfessionalFilter{CafCode: "921"})
	if n != 40 || list[0].Listing != data.Listed || list[0].Department != "92" {
		t.Fatalf("after apply: %d professionals", n)
	}

	// The same file again changes nothing.
	res, err := svc.ApplyImport(ctx, CommandLine, "921", "liste.csv", first, "", false)
	if err != nil {
		t.Fatal(err)
	}
	if got := counts(res.Preview); got != "new=0 updated=0 relisted=0 unchanged=40 delisted=0 rejected=0" {
		t.Fatalf("same file again: %s", got)
	}
	again, _, _ := svc.store.FindProfessionals(ctx, data.ProfessionalFilter{CafCode: "921"})
	for i := range again {
		if !again[i].UpdatedAt.Equal(list[i].UpdatedAt) {
			t.Fatalf("re-importing the same file touched %s", again[i].AgrementNumber)
		}
	}

	// Next month: row 0 leaves (she had an active habilitation and a
	// session), row 1 moves, a new one comes.
	gone, _ := svc.store.FindProfessionalByAgrement(ctx, "92", rows[0].agrement)
	gone.Habilitation = data.HabilitationActive
	mustOK(t, svc.store.UpdateProfessional(ctx, gone))
	acc := &data.Account{Email: "noma@example.fr", Role: data.RoleChildminder, ProfessionalID: gone.ID, CafCode: "921", PasswordHash: "x"}
	mustOK(t, svc.store.CreateAccount(ctx, acc))
	mustOK(t, svc.store.CreateSession(ctx, &data.Session{ID: "s0", AccountID: acc.ID}))
	mustOK(t, svc.store.SaveAvailability(ctx, &data.Availability{ProfessionalID: gone.ID, Global: data.ColourGreen}))

	next := append([]pmiRow{}, rows[1:]...)
	next[0].street, next[0].phone = "avenue Victor Hugo", "0700000001"
	next = append(next, pmiRow{"Melle", "Nouvelle", "Zoé", "3", "allée", "des Tilleuls", "92000", "Nanterre", "", "92-2026-99999", "2", ""})
	res, err = svc.ApplyImport(ctx, CommandLine, "921", "liste-v2.csv", pmiCSV(next), "", false)
	if err != nil {
		t.Fatal(err)
	}
	if got := counts(res.Preview); got != "new=1 updated=1 relisted=0 unchanged=38 delisted=1 rejected=0" {
		t.Fatalf("v2: %s", got)
	}
	gone, _ = svc.store.FindProfessionalByID(ctx, gone.ID)
	if gone.Listing != data.Delisted || gone.Habilitation != data.HabilitationExpired {
		t.Fatalf("the missing childminder is %s/%s", gone.Listing, gone.Habilitation)
	}
	if _, err := svc.store.FindSession(ctx, "s0"); data.ErrorCode(err) != data.ENOTFOUND {
		t.Errorf("the delisted childminder's session survived: %v", err)
	}
	moved, _ := svc.store.FindProfessionalByAgrement(ctx, "92", rows[1].agrement)
	if moved.Address.StreetName != "avenue Victor Hugo" || moved.Phone != "0700000001" {
		t.Errorf("update not applied: %+v", moved.Address)
	}
	newcomer, err := svc.store.FindProfessionalByAgrement(ctx, "92", "92-2026-99999")
	if err != nil || newcomer.Civility != data.CivilityMme {
		t.Errorf("newcomer: %v %+v", err, newcomer)
	}

	// She comes back on a later list, with her data.
	back := append(next, rows[0])
	res, err = svc.ApplyImport(ctx, CommandLine, "921", "liste-v3.csv", pmiCSV(back), "", false)
	if err != nil {
		t.Fatal(err)
	}
	if res.Preview.Counts[ChangeRelisted] != 1 {
		t.Fatalf("v3: %s", counts(res.Preview))
	}
	gone, _ = svc.store.FindProfessionalByID(ctx, gone.ID)
	a, _ := svc.store.FindAvailability(ctx, gone.ID)
	if gone.Listing != data.Listed || a.Global != data.ColourGreen {
		t.Errorf("relisted: %s, availability %s", gone.Listing, a.Global)
	}
	audit, _, _ := svc.store.FindAudit(ctx, data.AuditFilter{Action: "import.apply"})
	if len(audit) != 4 || !strings.Contains(audit[0].Detail, "liste-v3.csv") {
		t.Errorf("audit of imports: %d entries", len(audit))
	}
}

func TestImportMassDelistingNeedsForce(t *testing.T) {
	svc, _ := newImportService(t)
	ctx := context.Background()
	rows := pmiRows(60)
	if _, err := svc.ApplyImport(ctx, CommandLine, "921", "a.csv", pmiCSV(rows), "", false); err != nil {
		t.Fatal(err)
	}
	truncated := pmiCSV(rows[:20])
	pv, err := svc.PreviewImport(ctx, CommandLine, "921", "b.csv", truncated)
	if err != nil || !pv.NeedsForce || !strings.Contains(pv.Warning, "40 des 60") {
		t.Fatalf("preview of a truncated list: %v %+v", err, pv)
	}
	if _, err := svc.ApplyImport(ctx, CommandLine, "921", "b.csv", truncated, "", false); data.ErrorCode(err) != data.ECONFLICT {
		t.Fatalf("mass delisting without force: %v", err)
	}
	if _, n, _ := svc.store.FindProfessionals(ctx, data.ProfessionalFilter{Listing: data.Listed}); n != 60 {
		t.Fatalf("refused import changed the register: %d listed", n)
	}
	if _, err := svc.ApplyImport(ctx, CommandLine, "921", "b.csv", truncated, "", true); err != nil {
		t.Fatal(err)
	}
	if _, n, _ := svc.store.FindProfessionals(ctx, data.ProfessionalFilter{Listing: data.Listed}); n != 20 {
		t.Fatalf("forced import: %d listed", n)
	}
}

// A failure in the middle of an apply leaves the register as it was.
func TestImportAllOrNothing(t *testing.T) {
	svc, fs := newImportService(t)
	ctx := context.Background()
	fs.failAt = 25
	_, err := svc.ApplyImport(ctx, CommandLine, "921", "a.csv", pmiCSV(pmiRows(40)), "", false)
	if err == nil {
		t.Fatal("the simulated failure did not stop the import")
	}
	// The 25th row, after the header: line 26.
	if !strings.Contains(err.Error(), "ligne 26 : disque plein") {
		t.Errorf("the failure does not name its line: %v", err)
	}
	if _, n, _ := svc.store.FindProfessionals(ctx, data.ProfessionalFilter{}); n != 0 {
		t.Fatalf("%d professionals written by a failed import", n)
	}
	if _, n, _ := svc.store.FindAudit(ctx, data.AuditFilter{}); n != 0 {
		t.Fatalf("a failed import was audited")
	}
}

// oneByOne is a store whose bulk writes are single writes in turn, as
// ApplyImport wrote before it wrote in bulk.
type oneByOne struct{ data.CentralStore }

func (o oneByOne) WriteProfessionals(ctx context.Context, ps []*data.Professional) (int, error) {
	for i, p := range ps {
		write := o.UpdateProfessional
		if p.ID == "" {
			write = o.CreateProfessional
		}
		if err := write(ctx, p); err != nil {
			return i, err
		}
	}
	return len(ps), nil
}

func (o oneByOne) DeleteProfessionalSessions(ctx context.Context, ids []string) (int, error) {
	n := 0
	for _, id := range ids {
		list, _, err := o.FindAccounts(ctx, data.AccountFilter{ProfessionalID: id})
		if err != nil {
			return n, err
		}
		for _, a := range list {
			k, err := o.DeleteAccountSessions(ctx, a.ID)
			if err != nil {
				return n, err
			}
			n += k
		}
	}
	return n, nil
}

// The same imports, applied in bulk and one write at a time, leave the
// same register, change log (numbers, entities, tombstones, in order),
// field versions, sessions and audit.
func TestImportBulkMatchesOneByOne(t *testing.T) {
	ctx := context.Background()
	rows := pmiRows(700)
	seed := rows[:600]
	// Next month: some gone, some moved, newcomers among them; then two
	// back after they left.
	var next []pmiRow
	for i, r := range rows[:600] {
		switch i % 7 {
		case 0: // gone
		case 1:
			r.street, r.phone = "avenue Victor Hugo", fmt.Sprintf("07%08d", i)
			next = append(next, r)
		case 2:
			next = append(next, r, rows[600+i/7])
		default:
			next = append(next, r)
		}
	}
	lists := [][]pmiRow{seed, next, append(next, rows[0], rows[7])}
	var worlds []*Service
	for _, bulk := range []bool{false, true} {
		svc, fs := newImportService(t)
		if !bulk {
			svc.store = oneByOne{fs}
		}
		for i, list := range lists {
			if _, err := svc.ApplyImport(ctx, CommandLine, "921", fmt.Sprintf("liste-%d.csv", i), pmiCSV(list), "", true); err != nil {
				t.Fatal(err)
			}
			if i == 0 {
				// Rows 0 (gone next month) and 1 (staying) have an
				// account and a session.
				for _, r := range []pmiRow{rows[0], rows[1]} {
					p, err := svc.store.FindProfessionalByAgrement(ctx, "92", r.agrement)
					mustOK(t, err)
					p.Habilitation = data.HabilitationActive
					mustOK(t, svc.store.UpdateProfessional(ctx, p))
					acc := &data.Account{Email: r.agrement + "@example.fr", Role: data.RoleChildminder, ProfessionalID: p.ID, CafCode: "921", PasswordHash: "x"}
					mustOK(t, svc.store.CreateAccount(ctx, acc))
					now := time.Now()
					mustOK(t, svc.store.CreateSession(ctx, &data.Session{ID: "s-" + r.agrement, AccountID: acc.ID, CreatedAt: now, LastSeenAt: now}))
				}
			}
		}
		worlds = append(worlds, svc)
	}
	type change struct {
		seq             int64
		agrement        string
		deleted         bool
		versions, stamp string
	}
	read := func(svc *Service) (changes []change, fiches map[string]data.Professional, audit []string) {
		list, _, err := svc.store.FindProfessionals(ctx, data.ProfessionalFilter{})
		mustOK(t, err)
		fiches = map[string]data.Professional{}
		number := map[string]string{}
		for _, p := range list {
			number[p.ID] = p.AgrementNumber
			q := *p
			q.ID, q.CreatedAt, q.UpdatedAt = "", time.Time{}, time.Time{}
			fiches[p.AgrementNumber] = q
		}
		log, err := svc.store.Changes(ctx, "921", "", 0, 0)
		mustOK(t, err)
		for _, c := range log {
			if c.Entity != "professional" {
				t.Fatalf("change of a %s", c.Entity)
			}
			stamps, err := svc.store.FieldStamps(ctx, c.Entity, c.Key)
			mustOK(t, err)
			var versions []string
			for f, st := range stamps {
				versions = append(versions, fmt.Sprintf("%s=%d/%s", f, st.Version, st.By))
			}
			slices.Sort(versions)
			changes = append(changes, change{c.Seq, number[c.Key], c.Deleted, strings.Join(versions, " "), ""})
		}
		entries, _, err := svc.store.FindAudit(ctx, data.AuditFilter{})
		mustOK(t, err)
		for _, e := range entries {
			audit = append(audit, e.Action+" "+e.Detail)
		}
		for _, r := range []pmiRow{rows[0], rows[1]} {
			_, err := svc.store.FindSession(ctx, "s-"+r.agrement)
			audit = append(audit, fmt.Sprintf("session of %s: %s", r.agrement, data.ErrorCode(err)))
		}
		return changes, fiches, audit
	}
	wantChanges, wantFiches, wantAudit := read(worlds[0])
	gotChanges, gotFiches, gotAudit := read(worlds[1])
	if len(wantChanges) < 850 {
		t.Fatalf("only %d changes one by one", len(wantChanges))
	}
	if !slices.Equal(gotChanges, wantChanges) {
		for i := range min(len(gotChanges), len(wantChanges)) {
			if gotChanges[i] != wantChanges[i] {
				t.Fatalf("change %d: %+v in bulk, %+v one by one", i, gotChanges[i], wantChanges[i])
			}
		}
		t.Fatalf("%d changes in bulk, %d one by one", len(gotChanges), len(wantChanges))
	}
	if !reflect.DeepEqual(gotFiches, wantFiches) {
		t.Errorf("the registers differ")
	}
	if want := []string{"session of 92-2020-00000: not_found", "session of 92-2020-00001: "}; !slices.Equal(gotAudit[len(gotAudit)-2:], want) {
		t.Errorf("sessions after the imports: %q, want %q", gotAudit[len(gotAudit)-2:], want)
	}
	if !slices.Equal(gotAudit, wantAudit) {
		t.Errorf("audit and sessions in bulk:\n%s\none by one:\n%s", strings.Join(gotAudit, "\n"), strings.Join(wantAudit, "\n"))
	}
}

// ApplyImport takes the list PreviewImport parsed when it is the same file
// for the same Caf, once; another file is parsed again.
func TestImportParseCache(t *testing.T) {
	svc, _ := newImportService(t)
	ctx := context.Background()
	file := pmiCSV(pmiRows(5))
	pv, err := svc.PreviewImport(ctx, CommandLine, "921", "a.csv", file)
	mustOK(t, err)
	if parsedFiles.take("921", "b.csv", pv.SHA256) != nil || parsedFiles.take("201", "a.csv", pv.SHA256) != nil ||
		parsedFiles.take("921", "a.csv", fileSum(pmiCSV(pmiRows(6)))) != nil {
		t.Error("the parsed list served another file")
	}
	if parsedFiles.take("921", "a.csv", pv.SHA256) == nil {
		t.Fatal("the parsed list is not kept for its apply")
	}
	if parsedFiles.take("921", "a.csv", pv.SHA256) != nil {
		t.Error("the parsed list served twice")
	}
	// Applied from the kept list or from the file, the same import.
	pv, err = svc.PreviewImport(ctx, CommandLine, "921", "a.csv", file)
	mustOK(t, err)
	res, err := svc.ApplyImport(ctx, CommandLine, "921", "a.csv", file, pv.SHA256, false)
	mustOK(t, err)
	if counts(res.Preview) != counts(pv) || parsedFiles.take("921", "a.csv", pv.SHA256) != nil {
		t.Errorf("apply of the previewed list: %s", counts(res.Preview))
	}
}

func TestImportRights(t *testing.T) {
	svc, _ := newImportService(t)
	ctx := context.Background()
	agent := &Caller{Account: &data.Account{ID: "a", Role: data.RoleAgent, CafCode: "921"}}
	if _, err := svc.PreviewImport(ctx, agent, "201", "a.csv", pmiCSV(pmiRows(3))); data.ErrorCode(err) != data.EFORBIDDEN {
		t.Errorf("agent of 921 previewing for 201: %v", err)
	}
	am := &Caller{Account: &data.Account{ID: "b", Role: data.RoleChildminder}}
	if _, err := svc.ApplyImport(ctx, am, "", "a.csv", pmiCSV(pmiRows(3)), "", false); data.ErrorCode(err) != data.EFORBIDDEN {
		t.Errorf("childminder importing: %v", err)
	}
	if _, err := svc.PreviewImport(ctx, agent, "", "a.csv", pmiCSV(pmiRows(3))); err != nil {
		t.Errorf("agent previewing her own Caf's list: %v", err)
	}
	bad := pmiRows(3)
	for i := range bad {
		bad[i].cp = "99999"
	}
	if _, err := svc.PreviewImport(ctx, agent, "", "a.csv", pmiCSV(bad)); data.ErrorCode(err) != data.EINVALID {
		t.Errorf("a file of bad rows only: %v", err)
	}
}

func mustOK(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// importBenchStores are the stores BenchmarkApplyImport runs on; the
// PostgreSQL one needs ESPACEPRO_TEST_POSTGRES (a fresh schema per run).
var importBenchStores = []struct {
	name string
	open func(b *testing.B) data.CentralStore
}{
	{"SQLite", func(b *testing.B) data.CentralStore {
		s, err := sqlite.OpenCentral(context.Background(), filepath.Join(b.TempDir(), "central.db"))
		if err != nil {
			b.Fatal(err)
		}
		b.Cleanup(func() { s.Close() })
		return s
	}},
	{"PostgreSQL", func(b *testing.B) data.CentralStore {
		s, err := postgres.Open(context.Background(), pgtest.FreshSchema(b))
		if err != nil {
			b.Fatal(err)
		}
		b.Cleanup(func() { s.Close() })
		return s
	}},
}

// BenchmarkApplyImport times PreviewImport then ApplyImport on SQLite and
// PostgreSQL, as `espacepro-server import --apply` runs them:
//
//   - new-50000: a list of 50,000 childminders over a register of 5,000
//     others, who are all delisted (forced): 50,000 creates, 5,000 updates;
//
//   - monthly-10000: next month's list of a register of 10,000 — 200 gone,
//     200 changed, 200 new, interleaved as a real list is.
//
//     go test ./server -run '^$' -bench ApplyImport -benchtime 1x
func BenchmarkApplyImport(b *testing.B) {
	for _, st := range importBenchStores {
		b.Run(st.name+"/new-50000", func(b *testing.B) {
			seed := pmiRows(5000)
			for i := range seed {
				seed[i].agrement = fmt.Sprintf("92-2019-%05d", i)
			}
			benchImport(b, st.open, pmiCSV(seed), pmiCSV(pmiRows(50000)), 50000)
		})
		b.Run(st.name+"/monthly-10000", func(b *testing.B) {
			rows := pmiRows(10200)
			next := make([]pmiRow, 0, 10000)
			for i, r := range rows[:10000] {
				switch i % 50 {
				case 0: // gone
				case 1: // moved
					r.street, r.places = "avenue Victor Hugo", "4"
					next = append(next, r)
				case 2: // a newcomer next to her
					next = append(next, r, rows[10000+i/50])
				default:
					next = append(next, r)
				}
			}
			benchImport(b, st.open, pmiCSV(rows[:10000]), pmiCSV(next), 10000)
		})
	}
}

// benchImport applies seed to a new store, then times the preview and the
// apply of file, whose rows it reports per second.
func benchImport(b *testing.B, open func(*testing.B) data.CentralStore, seed, file []byte, rows int) {
	ctx := context.Background()
	var preview, apply time.Duration
	for b.Loop() {
		b.StopTimer()
		log := slog.New(slog.NewTextHandler(io.Discard, nil))
		svc := NewService(open(b), &mail.FileSender{Dir: filepath.Join(b.TempDir(), "mail"), Log: log}, log)
		if _, err := svc.ApplyImport(ctx, CommandLine, "921", "avant.csv", seed, "", true); err != nil {
			b.Fatal(err)
		}
		runtime.GC()
		b.StartTimer()
		start := time.Now()
		pv, err := svc.PreviewImport(ctx, CommandLine, "921", "liste.csv", file)
		if err != nil {
			b.Fatal(err)
		}
		preview += time.Since(start)
		start = time.Now()
		if _, err := svc.ApplyImport(ctx, CommandLine, "921", "liste.csv", file, pv.SHA256, true); err != nil {
			b.Fatal(err)
		}
		apply += time.Since(start)
		b.Logf("%s: preview %v, apply %v", counts(pv), preview, apply)
	}
	n := float64(b.N)
	b.ReportMetric(preview.Seconds()/n, "preview-s")
	b.ReportMetric(apply.Seconds()/n, "apply-s")
	b.ReportMetric(float64(rows)*n/b.Elapsed().Seconds(), "rows/s")
}
