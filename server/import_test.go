package server

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"path/filepath"
	"strings"
	"testing"

	"espacepro/data"
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
	if _, n, _ := svc.store.FindProfessionals(ctx, data.ProfessionalFilter{}); n != 0 {
		t.Fatalf("%d professionals written by a failed import", n)
	}
	if _, n, _ := svc.store.FindAudit(ctx, data.AuditFilter{}); n != 0 {
		t.Fatalf("a failed import was audited")
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
