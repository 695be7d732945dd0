package ui

import (
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"espacepro/data"
)

// ficheStructure is a crèche's fiche as the local copy holds it.
func ficheStructure() *data.Professional {
	return &data.Professional{
		ID: "p-creche", Kind: data.KindStructure, Department: "92", CafCode: "921",
		AgrementNumber: "92-EAJE-0042", StructureName: "Crèche Les Lucioles",
		Address: data.Address{Number: "12", StreetType: "rue", StreetName: "des Lilas",
			PostalCode: "92160", CommuneINSEE: "92002", CommuneName: "Antony"},
		Phone: "0146112233", Email: "direction@lucioles.fr", Capacity: 30,
		OpeningHours: "Du lundi au vendredi, 7h30 - 19h",
		Listing:      data.Listed, Habilitation: data.HabilitationActive,
	}
}

// newFicheWindow shows the fiche of p in a test window, the fake holding p.
func newFicheWindow(t *testing.T, f *fakeService, p *data.Professional) (*ficheScreen, fyne.Window) {
	t.Helper()
	f.pros[p.ID] = p
	a := test.NewTempApp(t)
	w := a.NewWindow("fiche")
	t.Cleanup(w.Close)
	s := newFicheScreen(f, w, p)
	w.SetContent(s.content)
	w.Resize(fyne.NewSize(640, 700))
	return s, w
}

// editOf returns the editable line of a field, failing when there is
// none.
func (s *ficheScreen) editOf(t *testing.T, name string) *ficheEdit {
	t.Helper()
	for _, e := range s.edits {
		if e.field.name == name {
			return e
		}
	}
	t.Fatalf("%s is not editable", name)
	return nil
}

// retype replaces an entry's text as a user would.
func retype(e *ficheEdit, text string) {
	e.entry.SetText("")
	test.Type(e.entry, text)
}

func TestFicheShowsEditableAndReadOnlyFields(t *testing.T) {
	f := newFakeService()
	s, w := newFicheWindow(t, f, ficheStructure())
	var names []string
	for _, e := range s.edits {
		names = append(names, e.field.name)
	}
	want := data.EditableFields(data.KindStructure)
	if len(names) != len(want) {
		t.Errorf("editable fields %v, want %v", names, want)
	}
	if got := s.editOf(t, "phone").entry.Text; got != "01 46 11 22 33" {
		t.Errorf("phone shown as %q", got)
	}
	for _, name := range []string{"agrement_number", "caf", "street_name", "postal_code", "commune", "email"} {
		if s.ro[name] == nil {
			t.Errorf("%s is not shown read-only", name)
		}
	}
	assertShowsWrapped(t, w, "92-EAJE-0042", "Caf des Hauts-de-Seine", "12 rue des Lilas", "Antony",
		"Nom de la structure", "Téléphone", "Capacité d'accueil (nombre de places)", "Horaires d'ouverture",
		"Enregistrer", "Annuler")
	test.AssertRendersToMarkup(t, "fiche.xml", w.Canvas())
}

func TestFicheOfAChildminderEditsOnlyThePhone(t *testing.T) {
	p := &data.Professional{ID: "p-am", Kind: data.KindChildminder, CafCode: "921", Department: "92",
		Civility: data.CivilityMme, LastName: "Dupont", FirstName: "Marie", AgrementNumber: "92-123",
		PlacesAgreed: 3, Phone: "0612345678", Listing: data.Listed}
	s, w := newFicheWindow(t, newFakeService(), p)
	if len(s.edits) != 1 || s.edits[0].field.name != "phone" {
		t.Fatalf("editable: %d fields", len(s.edits))
	}
	assertShowsWrapped(t, w, "Dupont", "Marie", "92-123", "3")
}

func TestFicheRefusesABadPhone(t *testing.T) {
	f := newFakeService()
	s, w := newFicheWindow(t, f, ficheStructure())
	phone := s.editOf(t, "phone")
	retype(phone, "12 34")
	test.Tap(s.save)
	if f.called("SaveFiche") {
		t.Fatal("SaveFiche called with a bad phone")
	}
	want := errorMessage(data.SetProfessionalField(&data.Professional{}, "phone", "12 34"))
	if !phone.message.Visible() || phone.message.Text != want {
		t.Errorf("phone message %q (visible %v), want %q", phone.message.Text, phone.message.Visible(), want)
	}
	assertShowsWrapped(t, w, want)

	// The message goes as soon as the number is right.
	retype(phone, "01 46 11 22 34")
	if phone.message.Visible() {
		t.Errorf("message stays after the fix: %q", phone.message.Text)
	}
}

func TestFicheRefusesABadCapacityAndAnEmptyName(t *testing.T) {
	f := newFakeService()
	s, _ := newFicheWindow(t, f, ficheStructure())
	retype(s.editOf(t, "capacity"), "trente")
	retype(s.editOf(t, "structure_name"), "  ")
	test.Tap(s.save)
	if f.called("SaveFiche") {
		t.Fatal("SaveFiche called")
	}
	if !s.editOf(t, "capacity").message.Visible() {
		t.Error("no message next to the capacity")
	}
	if got := s.editOf(t, "structure_name").message.Text; got != "Indiquez le nom de la structure." {
		t.Errorf("name message %q", got)
	}
}

func TestFicheSavesOffline(t *testing.T) {
	f := newFakeService()
	s, w := newFicheWindow(t, f, ficheStructure())
	saved := 0
	s.onSaved = func() { saved++ }
	if s.hasUnsavedChanges() {
		t.Fatal("changes before any edit")
	}
	retype(s.editOf(t, "phone"), "01.46.11.22.44")
	retype(s.editOf(t, "capacity"), "32")
	if !s.hasUnsavedChanges() {
		t.Fatal("no unsaved changes after an edit")
	}
	test.Tap(s.save)
	if !f.called("SaveFiche p-creche") {
		t.Fatalf("calls %v", f.calls)
	}
	got := f.pros["p-creche"]
	if got.Phone != "0146112244" || got.Capacity != 32 || got.StructureName != "Crèche Les Lucioles" {
		t.Errorf("saved phone %q, capacity %d, name %q", got.Phone, got.Capacity, got.StructureName)
	}
	if saved != 1 {
		t.Errorf("onSaved called %d times", saved)
	}
	if s.hasUnsavedChanges() {
		t.Error("unsaved changes after the save")
	}
	if e := s.editOf(t, "phone").entry.Text; e != "01 46 11 22 44" {
		t.Errorf("phone shown as %q after the save", e)
	}
	assertShowsWrapped(t, w, "Enregistré sur cet ordinateur ; sera envoyé à la prochaine connexion.")
}

func TestFicheSavesOnline(t *testing.T) {
	f := newFakeService()
	f.status.Online, f.status.LoggedIn = true, true
	s, w := newFicheWindow(t, f, ficheStructure())
	retype(s.editOf(t, "opening_hours"), "Du lundi au vendredi, 7h - 19h30")
	test.Tap(s.save)
	if got := f.pros["p-creche"].OpeningHours; got != "Du lundi au vendredi, 7h - 19h30" {
		t.Errorf("saved hours %q", got)
	}
	assertShowsWrapped(t, w, "Votre fiche est enregistrée.")
}

func TestFicheShowsTheServiceError(t *testing.T) {
	f := newFakeService()
	f.fail["SaveFiche"] = &data.Error{Code: data.EINVALID, Message: "Un champ est incorrect : corrigez-le puis recommencez.",
		Fields: map[string]string{"phone": "Numéro refusé."}}
	s, w := newFicheWindow(t, f, ficheStructure())
	retype(s.editOf(t, "phone"), "0146112244")
	test.Tap(s.save)
	if got := s.editOf(t, "phone").message.Text; got != "Numéro refusé." {
		t.Errorf("phone message %q", got)
	}
	assertShowsWrapped(t, w, "Un champ est incorrect : corrigez-le puis recommencez.")
	if !s.hasUnsavedChanges() {
		t.Error("the refused edit is forgotten")
	}
}

func TestFicheCancelRestores(t *testing.T) {
	f := newFakeService()
	s, _ := newFicheWindow(t, f, ficheStructure())
	retype(s.editOf(t, "structure_name"), "Crèche Les Papillons")
	retype(s.editOf(t, "phone"), "12")
	test.Tap(s.save)
	test.Tap(s.cancel)
	if got := s.editOf(t, "structure_name").entry.Text; got != "Crèche Les Lucioles" {
		t.Errorf("name after « Annuler »: %q", got)
	}
	if s.editOf(t, "phone").message.Visible() {
		t.Error("the phone's error stays after « Annuler »")
	}
	if s.hasUnsavedChanges() {
		t.Error("unsaved changes after « Annuler »")
	}
	if f.called("SaveFiche") {
		t.Error("SaveFiche called")
	}
}

func TestFicheSameValueWrittenDifferentlyIsNoChange(t *testing.T) {
	s, _ := newFicheWindow(t, newFakeService(), ficheStructure())
	retype(s.editOf(t, "phone"), "01.46.11.22.33")
	if s.hasUnsavedChanges() {
		t.Error("the same number with dots counts as a change")
	}
}
