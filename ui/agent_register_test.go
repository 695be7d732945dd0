package ui

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"espacepro/data"
	"espacepro/sync/client"
	"espacepro/sync/wire"
)

// seedRegister fills the fake with n numbered childminders (Nom001…) and
// returns it.
func seedRegister(f *fakeService, n int) *fakeService {
	for i := 1; i <= n; i++ {
		id := fmt.Sprintf("pro-%03d", i)
		f.pros[id] = &data.Professional{
			ID: id, Kind: data.KindChildminder, Department: "92", CafCode: "921",
			AgrementNumber: fmt.Sprintf("92-%05d", i), Civility: data.CivilityMme,
			LastName: fmt.Sprintf("Nom%03d", i), FirstName: "Prénom",
			Address: data.Address{Number: "1", StreetType: "rue", StreetName: "de la Paix", PostalCode: "92100", CommuneName: "Boulogne-Billancourt"},
			Listing: data.Listed, Habilitation: data.HabilitationActive,
		}
	}
	return f
}

// marieDupont is a childminder of the Caf of the Hauts-de-Seine.
func marieDupont(h data.Habilitation) *data.Professional {
	return &data.Professional{
		ID: "pro-dupont", Kind: data.KindChildminder, Department: "92", CafCode: "921",
		AgrementNumber: "92-12345", Civility: data.CivilityMme, LastName: "Dupont", FirstName: "Marie",
		Address: data.Address{Number: "12", StreetType: "rue", StreetName: "des Lilas",
			PostalCode: "92100", CommuneName: "Boulogne-Billancourt"},
		Phone: "0612345678", Email: "marie.dupont@exemple.fr", PlacesAgreed: 3,
		AgrementDate: data.Date{Year: 2019, Month: 3, Day: 5},
		Listing:      data.Listed, Habilitation: h,
		UpdatedAt: time.Date(2026, 11, 20, 9, 30, 0, 0, time.UTC),
	}
}

// newRegisterTest opens the register on f in a test window.
func newRegisterTest(t *testing.T, f Service) (*registerScreen, fyne.Window) {
	t.Helper()
	w := newSizedWindow(t, "register", 1200, 700)
	s := newRegisterScreen(f, w)
	s.loc = paris
	w.SetContent(s.content)
	return s, w
}

// newDupontTest opens the register on a fake holding Marie Dupont, of
// habilitation h, and selects her.
func newDupontTest(t *testing.T, h data.Habilitation) (*registerScreen, *fakeService, fyne.Window) {
	t.Helper()
	f := newFakeService()
	f.pros["pro-dupont"] = marieDupont(h)
	s, w := newRegisterTest(t, f)
	selectPro(t, s, "pro-dupont")
	return s, f, w
}

// selectPro selects the row of the professional id in the page shown.
func selectPro(t *testing.T, s *registerScreen, id string) {
	t.Helper()
	i := slices.IndexFunc(s.rows, func(p *data.Professional) bool { return p.ID == id })
	if i < 0 {
		t.Fatalf("%s is not on the page shown", id)
	}
	s.table.Select(widget.TableCellID{Row: i, Col: 0})
}

func TestRegisterSearchByNameNarrows(t *testing.T) {
	f := seedRegister(newFakeService(), 120)
	f.pros["pro-dupont"] = marieDupont(data.HabilitationActive)
	s, w := newRegisterTest(t, f)
	if len(s.rows) != 50 {
		t.Fatalf("first page has %d rows, want 50", len(s.rows))
	}

	test.Type(s.search, "dupont")
	test.Tap(s.searchButton)

	if !f.called("Professionals dupont") {
		t.Errorf("the search did not ask for the name; calls %q", f.calls)
	}
	if len(s.rows) != 1 || s.rows[0].ID != "pro-dupont" {
		t.Fatalf("rows after the search = %d", len(s.rows))
	}
	if got := rowTexts(s.rows[0]); !slices.Equal(got, []string{"Dupont", "Marie", "92-12345", "Boulogne-Billancourt", "Sur la liste", "Active"}) {
		t.Errorf("row = %q", got)
	}
	assertShows(t, w, "1–1 sur 1")

	s.search.SetText("Personne")
	test.Tap(s.searchButton)
	assertShows(t, w, "Aucun professionnel ne correspond à cette recherche.", "Aucun résultat")
}

func TestRegisterSearchByAgrementNumber(t *testing.T) {
	f := seedRegister(newFakeService(), 3)
	var got data.ProfessionalFilter
	s, _ := newRegisterTest(t, &filterSpy{fakeService: f, got: &got})
	test.Type(s.search, "92-00002")
	s.search.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
	if got.AgrementNumber != "92-00002" || got.Name != "" || got.Limit != registerPageSize {
		t.Errorf("filter = %+v, want the agrément number and a page", got)
	}
}

// filterSpy records the last filter the register asked for.
type filterSpy struct {
	*fakeService
	got *data.ProfessionalFilter
}

func (f *filterSpy) Professionals(ctx context.Context, filter data.ProfessionalFilter) ([]*data.Professional, int, error) {
	*f.got = filter
	return f.fakeService.Professionals(ctx, filter)
}

func TestRegisterFiltersAskTheStore(t *testing.T) {
	f := seedRegister(newFakeService(), 3)
	var got data.ProfessionalFilter
	s, _ := newRegisterTest(t, &filterSpy{fakeService: f, got: &got})
	s.kind.SetSelectedIndex(1)
	s.listing.SetSelectedIndex(2)
	s.habilitation.SetSelected("Suspendue")
	test.Type(s.postalCode, "92100")
	test.Tap(s.searchButton)
	want := data.ProfessionalFilter{PostalCode: "92100", Kind: data.KindChildminder, Listing: data.Delisted,
		Habilitation: data.HabilitationSuspended, Limit: registerPageSize}
	if got != want {
		t.Errorf("filter = %+v, want %+v", got, want)
	}
}

func TestRegisterPaging(t *testing.T) {
	f := seedRegister(newFakeService(), 120)
	s, w := newRegisterTest(t, f)
	if s.rows[0].LastName != "Nom001" || len(s.rows) != 50 {
		t.Errorf("first page starts with %s, has %d rows", s.rows[0].LastName, len(s.rows))
	}
	assertPaging(t, w, s.pager, "1–50 sur 120", "51–100 sur 120", "101–120 sur 120")
	if s.rows[0].LastName != "Nom051" {
		t.Errorf("second page starts with %s", s.rows[0].LastName)
	}
}

func TestRegisterPagerWritesThousands(t *testing.T) {
	p := newPageNav(50, "", func(int) {})
	p.set(0, 50, 10000)
	if got := p.label.Text; got != "1–50 sur 10\u00a0000" {
		t.Errorf("label = %q", got)
	}
}

func TestRegisterReloadKeepsThePageAndTheFiche(t *testing.T) {
	f := seedRegister(newFakeService(), 120)
	s, w := newRegisterTest(t, f)
	test.Tap(s.pager.next)
	selectPro(t, s, "pro-060")
	f.pros["pro-060"].Phone = "0147000000"
	s.reload()
	assertShows(t, w, "51–100 sur 120", "01 47 00 00 00")
}

func TestRegisterFicheShowsOnlyAllowedActions(t *testing.T) {
	for _, tc := range []struct {
		h       data.Habilitation
		listing data.Listing
		want    []string // the visible action buttons
	}{
		{data.HabilitationActive, data.Listed, []string{"Suspendre", "Révoquer", "Envoyer un lien de réinitialisation du mot de passe"}},
		{data.HabilitationSuspended, data.Listed, []string{"Réactiver", "Révoquer"}},
		{data.HabilitationExpired, data.Listed, []string{"Réactiver", "Révoquer"}},
		{data.HabilitationExpired, data.Delisted, []string{"Révoquer"}},
		{data.HabilitationRevoked, data.Listed, nil},
		{data.HabilitationRequested, data.Listed, nil},
		{data.HabilitationNone, data.Listed, nil},
	} {
		t.Run(string(tc.h)+"/"+string(tc.listing), func(t *testing.T) {
			f := newFakeService()
			p := marieDupont(tc.h)
			p.Listing = tc.listing
			f.pros[p.ID] = p
			s, w := newRegisterTest(t, f)
			selectPro(t, s, p.ID)

			assertShows(t, w, "Mme Marie DUPONT", "12 rue des Lilas", "92100 Boulogne-Billancourt",
				"06 12 34 56 78", "3", "05/03/2019", "92-12345", "Dossier complet", "20/11/2026 10:30")
			var got []string
			for _, b := range []*widget.Button{s.suspendButton, s.reactivateButton, s.revokeButton, s.resetButton} {
				if b.Visible() {
					got = append(got, b.Text)
				}
			}
			if !slices.Equal(got, tc.want) {
				t.Errorf("actions = %q, want %q", got, tc.want)
			}
			if s.noAction.Visible() != (tc.want == nil) {
				t.Errorf("« Aucune action » shown = %v", s.noAction.Visible())
			}
		})
	}
}

func TestRegisterSuspendRequiresAReason(t *testing.T) {
	s, f, w := newDupontTest(t, data.HabilitationActive)

	test.Tap(s.suspendButton)
	assertShows(t, w, "Suspendre l'habilitation", "Motif* :")
	test.Type(s.reasonEntry, "   ")
	test.Tap(s.actionConfirm)

	assertShows(t, w, "Indiquez le motif de la suspension.")
	if f.called("ProfessionalAction") {
		t.Errorf("an action was sent without a reason: %q", f.calls)
	}
}

func TestRegisterSuspendWithAReason(t *testing.T) {
	s, f, w := newDupontTest(t, data.HabilitationActive)

	test.Tap(s.suspendButton)
	test.Type(s.reasonEntry, "Agrément suspendu par la PMI")
	test.Tap(s.actionConfirm)

	if !slices.Contains(f.calls, "ProfessionalAction pro-dupont suspend Agrément suspendu par la PMI") {
		t.Fatalf("calls = %q", f.calls)
	}
	if w.Canvas().Overlays().Top() != nil {
		t.Error("the dialog is still open after success")
	}
	assertShows(t, w, "L'habilitation est suspendue.", "Suspendue")
	if !s.reactivateButton.Visible() || s.suspendButton.Visible() {
		t.Error("after suspension, « Réactiver » should replace « Suspendre »")
	}
}

func TestRegisterRevokeAsksAStrongConfirmation(t *testing.T) {
	s, f, w := newDupontTest(t, data.HabilitationSuspended)

	test.Tap(s.revokeButton)
	assertShows(t, w, "Révoquer l'habilitation", "Révoquer définitivement",
		"Je confirme le retrait définitif de cette habilitation")
	assertShowsWrapped(t, w, "Cette action est irréversible : l'habilitation ne pourra plus être réactivée. Il faudra une nouvelle demande d'habilitation.")

	test.Tap(s.actionConfirm)
	assertShows(t, w, "Indiquez le motif de la révocation.")
	test.Type(s.reasonEntry, "Fraude")
	test.Tap(s.actionConfirm)
	assertShows(t, w, "Cochez la case pour confirmer le retrait définitif.")
	if f.called("ProfessionalAction") {
		t.Fatalf("revoked without the confirmation: %q", f.calls)
	}

	test.Tap(s.revokeCheck)
	test.Tap(s.actionConfirm)
	if !slices.Contains(f.calls, "ProfessionalAction pro-dupont revoke Fraude") {
		t.Fatalf("calls = %q", f.calls)
	}
	assertShows(t, w, "L'habilitation est retirée.")
	if !s.noAction.Visible() || s.revokeButton.Visible() {
		t.Error("a revoked habilitation still offers actions")
	}
}

func TestRegisterReactivateAndPasswordReset(t *testing.T) {
	s, f, w := newDupontTest(t, data.HabilitationSuspended)

	test.Tap(s.reactivateButton)
	if s.reasonEntry != nil {
		t.Error("reactivation asks for a reason")
	}
	test.Tap(s.actionConfirm)
	if !f.called("ProfessionalAction pro-dupont " + client.ActionReactivate) {
		t.Fatalf("calls = %q", f.calls)
	}
	assertShows(t, w, "L'habilitation est réactivée.")

	test.Tap(s.resetButton)
	assertShowsWrapped(t, w, "Un courriel contenant un lien à usage unique sera envoyé à Marie DUPONT pour qu'elle choisisse elle-même un nouveau mot de passe. La Caf ne voit jamais les mots de passe : elle ne peut ni les lire ni les choisir.")
	test.Tap(s.actionConfirm)
	if !f.called("ProfessionalAction pro-dupont " + client.ActionPasswordReset) {
		t.Fatalf("calls = %q", f.calls)
	}
	assertShowsWrapped(t, w, "Le courriel de réinitialisation du mot de passe a été envoyé.")
}

func TestRegisterActionNeedsTheServer(t *testing.T) {
	s, f, w := newDupontTest(t, data.HabilitationActive)
	f.fail["ProfessionalAction"] = data.Errorf(data.EUNAVAILABLE, client.MsgUnreachable)

	test.Tap(s.suspendButton)
	test.Type(s.reasonEntry, "Motif")
	test.Tap(s.actionConfirm)

	assertShowsWrapped(t, w, "Cette action a besoin du serveur, qui n'est pas joignable pour le moment : réessayez quand la connexion sera rétablie.")
	if w.Canvas().Overlays().Top() == nil || s.reasonEntry.Text != "Motif" {
		t.Error("the dialog should stay open with the reason typed")
	}
	if !s.suspendButton.Visible() {
		t.Error("the state changed although the server was not reached")
	}
	for _, text := range texts(w) {
		if strings.Contains(text, "enregistrées sur cet ordinateur") {
			t.Errorf("the message claims the action is kept on this computer: %q", text)
		}
	}

	f.fail["ProfessionalAction"] = data.Errorf(data.EUNAUTHORIZED, client.MsgNotLoggedIn)
	test.Tap(s.actionConfirm)
	assertShows(t, w, "Cette action a besoin du serveur : connectez-vous pour la faire.")
}

func TestRegisterCompleteFile(t *testing.T) {
	s, f, w := newDupontTest(t, data.HabilitationActive)
	places := 2
	f.file = &wire.ProfessionalFile{
		Professional: wire.ProfessionalOf(s.selected),
		Requests: []*wire.Request{{ID: "req-1", State: "refusee", StateLabel: "Refusée", RefusalReason: "Pas sur la liste",
			CreatedAt: time.Date(2025, 1, 10, 10, 0, 0, 0, time.UTC)}},
		History: []wire.AuditEntry{{At: time.Date(2026, 3, 12, 13, 5, 0, 0, time.UTC), ActorName: "agent@caf92.fr",
			Action: "professional.suspend", Detail: "Agrément suspendu"}},
		Public: wire.PublicAvailability{Colour: "green", Tabs: []wire.PublicTab{
			{Label: "Semaine courante", Date: "2026-11-23", Kind: "week", Informed: true, Places: &places},
			{Label: "S+1", Date: "2026-11-30", Kind: "week"},
			{Label: "01/01/2027", Date: "2027-01-01", Kind: "dated"},
		}},
		Visible: true,
	}

	test.Tap(s.fileButton)
	if !f.called("ProfessionalFile pro-dupont") {
		t.Fatalf("calls = %q", f.calls)
	}
	assertShows(t, w, "Dossier complet de Marie DUPONT", "Demandes", "Historique", "Ce que voient les parents",
		"Demande du 10/01/2025 : Refusée", "Motif du refus : Pas sur la liste")
	s.fileTabs.SelectIndex(1)
	assertShows(t, w, "12/03/2026 14:05 — Habilitation suspendue — agent@caf92.fr — Agrément suspendu")
	s.fileTabs.SelectIndex(2)
	assertShows(t, w, "Disponibilités", "Semaine du 23/11/2026 : renseigné — 2 place(s) disponible(s)",
		"Semaine du 30/11/2026 : non renseigné", "Au 01/01/2027 : non renseigné")

	f.file.Visible = false
	s.fileDialog.Hide()
	test.Tap(s.fileButton)
	s.fileTabs.SelectIndex(2)
	assertShowsWrapped(t, w, "Les parents ne la trouvent pas : elle n'est pas sur la liste de la PMI, ou son habilitation est suspendue ou retirée.")
}

func TestRegisterCompleteFileNeedsTheServer(t *testing.T) {
	s, f, w := newDupontTest(t, data.HabilitationActive)
	f.fail["ProfessionalFile"] = data.Errorf(data.EUNAVAILABLE, client.MsgUnreachable)
	test.Tap(s.fileButton)
	assertShowsWrapped(t, w, "Le dossier complet est sur le serveur, qui n'est pas joignable pour le moment : réessayez quand la connexion sera rétablie.")
}

func TestRegisterGolden(t *testing.T) {
	f := seedRegister(newFakeService(), 4)
	f.pros["pro-dupont"] = marieDupont(data.HabilitationActive)
	s, w := newRegisterTest(t, f)
	selectPro(t, s, "pro-dupont")
	test.AssertRendersToMarkup(t, "agent_register.xml", w.Canvas())
}

// rowTexts returns the cells of p's row in the register's table.
func rowTexts(p *data.Professional) []string {
	var out []string
	for col := 0; col < 6; col++ {
		out = append(out, registerCell(p, col))
	}
	return out
}
