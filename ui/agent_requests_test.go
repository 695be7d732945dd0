package ui

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"espacepro/data"
	"espacepro/sync/client"
)

// agentRequestsFixture fills f with requests of every state and the
// listed fiches they may be matched to.
func agentRequestsFixture(f *fakeService) {
	day := func(d int) time.Time { return time.Date(2026, 3, d, 9, 30, 0, 0, time.UTC) }
	addr := func(pc, commune string) data.Address {
		return data.Address{Number: "12", StreetType: "rue", StreetName: "des Lilas", PostalCode: pc, CommuneName: commune}
	}
	f.pros["p-martin"] = &data.Professional{ID: "p-martin", Kind: data.KindChildminder, LastName: "Martin", FirstName: "Sophie",
		AgrementNumber: "92-0002", Address: addr("92160", "Antony"), Listing: data.Listed, Habilitation: data.HabilitationRequested}
	f.pros["p-bernard"] = &data.Professional{ID: "p-bernard", Kind: data.KindChildminder, LastName: "Bernard", FirstName: "Julie",
		AgrementNumber: "92-0003", Address: addr("92100", "Boulogne-Billancourt"), Listing: data.Listed, Habilitation: data.HabilitationRequested}
	f.pros["p-dupont"] = &data.Professional{ID: "p-dupont", Kind: data.KindChildminder, LastName: "Dupont", FirstName: "Marie",
		AgrementNumber: "92-0001", Address: addr("92160", "Antony"), Listing: data.Listed, Habilitation: data.HabilitationNone}
	f.requests = []*data.Request{
		{ID: "r-dupont", Kind: data.KindChildminder, Civility: data.CivilityMme, LastName: "Dupont", FirstName: "Marie",
			Address: addr("92160", "Antony"), Phone: "0612345678", Email: "marie.dupont@exemple.fr", Department: "92",
			CafCode: "921", State: data.RequestReceived, CreatedAt: day(2)},
		{ID: "r-martin", Kind: data.KindChildminder, Civility: data.CivilityMme, LastName: "Martin", FirstName: "Sophie",
			AgrementNumber: "92-0002", Address: addr("92160", "Antony"), Phone: "0611111111", Email: "sophie.martin@exemple.fr",
			Department: "92", CafCode: "921", State: data.RequestLetter, ProfessionalID: "p-martin", Match: data.MatchAuto, CreatedAt: day(3)},
		{ID: "r-bernard", Kind: data.KindChildminder, Civility: data.CivilityMme, LastName: "Bernard", FirstName: "Julie",
			Address: addr("92100", "Boulogne-Billancourt"), Phone: "0622222222", Email: "julie.bernard@exemple.fr",
			Department: "92", CafCode: "921", State: data.RequestAgreement, ProfessionalID: "p-bernard", Match: data.MatchAgent, CreatedAt: day(4)},
		{ID: "r-petit", Kind: data.KindChildminder, Civility: data.CivilityMme, LastName: "Petit", FirstName: "Anne",
			Address: addr("92120", "Montrouge"), Phone: "0633333333", Email: "anne.petit@exemple.fr",
			Department: "92", CafCode: "921", State: data.RequestAgreement, CreatedAt: day(5)},
		{ID: "r-leroy", Kind: data.KindChildminder, Civility: data.CivilityM, LastName: "Leroy", FirstName: "Paul",
			Address: addr("92160", "Antony"), Phone: "0644444444", Email: "paul.leroy@exemple.fr",
			Department: "92", CafCode: "921", State: data.RequestValidated, ProfessionalID: "p-martin", Match: data.MatchAuto, CreatedAt: day(6)},
		{ID: "r-moreau", Kind: data.KindChildminder, Civility: data.CivilityMme, LastName: "Moreau", FirstName: "Claire",
			Address: addr("92160", "Antony"), Phone: "0655555555", Email: "claire.moreau@exemple.fr",
			Department: "92", CafCode: "921", State: data.RequestRefused, RefusalReason: "Vous ne figurez pas sur la liste de la PMI.", CreatedAt: day(7)},
		{ID: "r-lutins", Kind: data.KindStructure, LastName: "Garnier", FirstName: "Hélène", StructureName: "Crèche Les Lutins",
			Address: addr("92160", "Antony"), Phone: "0146000000", Email: "contact@leslutins.fr",
			Department: "92", CafCode: "921", State: data.RequestReceived, CreatedAt: day(8)},
	}
}

// newAgentRequestsWindow shows the requests screen on a fake service.
func newAgentRequestsWindow(t *testing.T) (*agentRequestsScreen, *fakeService, fyne.Window) {
	t.Helper()
	f := newFakeService()
	agentRequestsFixture(f)
	w := newSizedWindow(t, "Demandes", 1200, 760)
	s := newAgentRequestsScreen(f, w)
	w.SetContent(s.content)
	return s, f, w
}

// openAgentRequest shows the requests screen on a fake service and
// selects the request of lastName.
func openAgentRequest(t *testing.T, lastName string) (*agentRequestsScreen, *fakeService, fyne.Window) {
	t.Helper()
	s, f, w := newAgentRequestsWindow(t)
	selectAgentRequest(t, s, lastName)
	return s, f, w
}

// selectAgentRequest selects the request of the row showing lastName.
func selectAgentRequest(t *testing.T, s *agentRequestsScreen, lastName string) {
	t.Helper()
	for i, r := range s.rows {
		if r.LastName == lastName {
			s.table.Select(widget.TableCellID{Row: i, Col: 1})
			if s.selected == nil || s.selected.ID != r.ID {
				t.Fatalf("selecting %s shows %v", lastName, s.selected)
			}
			return
		}
	}
	t.Fatalf("no row for %s among %d", lastName, len(s.rows))
}

// requestRowNames returns the last names listed.
func requestRowNames(s *agentRequestsScreen) []string {
	var out []string
	for _, r := range s.rows {
		out = append(out, r.LastName)
	}
	return out
}

// actionCalls returns the RequestAction calls made.
func actionCalls(f *fakeService) []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []string
	for _, c := range f.calls {
		if strings.HasPrefix(c, "RequestAction") {
			out = append(out, c)
		}
	}
	return out
}

func TestAgentRequestsListsTheLocalCopy(t *testing.T) {
	s, _, w := newAgentRequestsWindow(t)
	if got := len(s.rows); got != 7 {
		t.Fatalf("%d rows, want 7", got)
	}
	assertShows(t, w, "Reçue le", "Nom", "Prénom / structure", "Commune", "État", "Rapprochée",
		"1–7 sur 7", "Choisissez une demande dans la liste pour voir son détail.")
	assertTableShows(t, s.table, "02/03/2026", "DUPONT", "Marie", "Antony", "Reçue", "non inscrite",
		"Courrier envoyé", "Accord reçu", "Validée", "Refusée", "oui", "oui (agent)", "Crèche Les Lutins")
	if !s.pager.prev.Disabled() || !s.pager.next.Disabled() {
		t.Error("one page: « Précédent » and « Suivant » should be disabled")
	}
}

func TestAgentRequestsFilters(t *testing.T) {
	s, f, _ := newAgentRequestsWindow(t)

	s.stateFilter.SetSelected("Accord reçu")
	if got := requestRowNames(s); !slices.Equal(got, []string{"Bernard", "Petit"}) {
		t.Errorf("« Accord reçu » lists %v", got)
	}
	if !f.called("Requests accord_recu") {
		t.Errorf("the state filter was not passed: %v", f.calls)
	}
	if got := s.pager.label.Text; got != "1–2 sur 2" {
		t.Errorf("page label %q", got)
	}

	s.unmatched.SetChecked(true)
	if got := requestRowNames(s); !slices.Equal(got, []string{"Petit"}) {
		t.Errorf("« Accord reçu », unmatched lists %v", got)
	}

	s.stateFilter.SetSelected("Toutes")
	s.unmatched.SetChecked(false)
	test.Type(s.search, "mar")
	if got := requestRowNames(s); !slices.Equal(got, []string{"Dupont", "Martin"}) {
		t.Errorf("« mar » lists %v", got)
	}
	if !f.called("Requests  mar") {
		t.Errorf("the name was not passed: %v", f.calls)
	}

	s.search.SetText("personne")
	if len(s.rows) != 0 || s.pager.label.Text != "Aucune demande" {
		t.Errorf("no match: rows %v, label %q", requestRowNames(s), s.pager.label.Text)
	}
}

func TestAgentRequestsPaging(t *testing.T) {
	s, f, w := newAgentRequestsWindow(t)
	f.requests = nil
	for i := range 123 {
		f.requests = append(f.requests, &data.Request{ID: fmt.Sprintf("r%03d", i), Kind: data.KindChildminder,
			LastName: fmt.Sprintf("Nom%03d", i), FirstName: "Prénom", State: data.RequestReceived, Department: "92"})
	}
	s.reload()
	assertPaging(t, w, s.pager, "1–50 sur 123", "51–100 sur 123", "101–123 sur 123")
	if s.rows[0].LastName != "Nom050" {
		t.Errorf("second page starts with %s", s.rows[0].LastName)
	}

	// A new filter goes back to the first page.
	s.search.SetText("Nom1")
	if got := s.pager.label.Text; got != "1–23 sur 23" {
		t.Errorf("after a search: %q", got)
	}
}

func TestAgentRequestDetailShowsEveryFieldAndTheAllowedActions(t *testing.T) {
	s, _, w := newAgentRequestsWindow(t)
	type actions struct{ match, letter, letterSent, agreement, validate, refuse bool }
	for _, tc := range []struct {
		name string
		want actions
	}{
		{"Dupont", actions{match: true, letter: true, letterSent: true, refuse: true}},
		{"Martin", actions{match: true, letter: true, letterSent: true, agreement: true, refuse: true}},
		{"Bernard", actions{match: true, letter: true, validate: true, refuse: true}},
		{"Leroy", actions{}},
		{"Moreau", actions{}},
	} {
		selectAgentRequest(t, s, tc.name)
		got := actions{s.match.Visible(), s.letter.Visible(), s.letterSent.Visible(), s.agreement.Visible(),
			s.validate.Visible(), s.refuse.Visible()}
		if got != tc.want {
			t.Errorf("%s: actions %+v, want %+v", tc.name, got, tc.want)
		}
		if s.sendMail.Visible() != tc.want.letterSent {
			t.Errorf("%s: the e-mail check should go with « Courrier envoyé »", tc.name)
		}
		if final := tc.want == (actions{}); s.closedLabel.Visible() != final {
			t.Errorf("%s: closed label visible = %v", tc.name, s.closedLabel.Visible())
		}
	}

	selectAgentRequest(t, s, "Dupont")
	assertShows(t, w, "Marie DUPONT", "Mme", "DUPONT", "Marie", "12 rue des Lilas", "92160 Antony",
		"06 12 34 56 78", "marie.dupont@exemple.fr", "02/03/2026")

	selectAgentRequest(t, s, "Martin")
	assertShowsWrapped(t, w, "Sophie MARTIN, n° d'agrément 92-0002 (automatiquement)", "92-0002")

	selectAgentRequest(t, s, "Moreau")
	assertShowsWrapped(t, w, "Refusée", "Vous ne figurez pas sur la liste de la PMI.",
		"Cette demande est close : aucune action n'est possible.")

	// An unmatched childminder cannot be validated before she is matched.
	selectAgentRequest(t, s, "Petit")
	if !s.validate.Visible() || !s.validate.Disabled() || !s.validateHint.Visible() {
		t.Error("« Valider » should be shown disabled, with a hint, for an unmatched childminder")
	}
	// A structure may be validated unmatched: the service creates its fiche.
	selectAgentRequest(t, s, "Garnier")
	assertShows(t, w, "Crèche Les Lutins")
}

func TestAgentRequestSimpleActions(t *testing.T) {
	for _, tc := range []struct {
		name, request string
		do            func(s *agentRequestsScreen)
		want          string
	}{
		{"courrier envoyé par la poste", "Dupont", func(s *agentRequestsScreen) { test.Tap(s.letterSent) },
			"RequestAction r-dupont letter_sent map[send_mail:false]"},
		{"courrier envoyé par e-mail", "Dupont", func(s *agentRequestsScreen) {
			test.Tap(s.sendMail)
			test.Tap(s.letterSent)
		}, "RequestAction r-dupont letter_sent map[send_mail:true]"},
		{"accord reçu", "Martin", func(s *agentRequestsScreen) { test.Tap(s.agreement) },
			"RequestAction r-martin agreement map[]"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, f, w := openAgentRequest(t, tc.request)
			tc.do(s)
			if got := actionCalls(f); !slices.Equal(got, []string{tc.want}) {
				t.Errorf("calls %v, want %q", got, tc.want)
			}
			if got := s.actionMessage.Text; got != "Action enregistrée : elle sera envoyée au serveur à la prochaine synchronisation." {
				t.Errorf("message %q", got)
			}
			// The request is marked while its action waits to be sent.
			assertTableShows(t, s.table, s.selected.State.Label()+" (en attente)")
			if !s.pendingLabel.Visible() {
				t.Error("no pending marker in the detail")
			}
			assertShowsWrapped(t, w, "Action en attente : elle sera envoyée au serveur à la prochaine synchronisation.")
			// After a sync, the marker goes.
			f.status.Pending = 0
			s.reload()
			if s.pendingLabel.Visible() || slices.Contains(tableTexts(s.table), s.selected.State.Label()+" (en attente)") {
				t.Error("the pending marker stays after the sync")
			}
		})
	}
}

func TestAgentRequestValidateAsksFirst(t *testing.T) {
	s, f, w := openAgentRequest(t, "Bernard")
	test.Tap(s.validate)
	requireDialog(t, w, "no confirmation")
	found := false
	for _, txt := range texts(w) {
		found = found || strings.Contains(txt, "mot de passe sera généré")
	}
	if !found {
		t.Errorf("the confirmation does not say a password will be generated: %q", texts(w))
	}
	tapDialogButton(t, w, "Annuler")
	if len(actionCalls(f)) != 0 {
		t.Fatalf("cancelled, yet %v", actionCalls(f))
	}
	test.Tap(s.validate)
	tapDialogButton(t, w, "Valider")
	if got := actionCalls(f); !slices.Equal(got, []string{"RequestAction r-bernard validate map[]"}) {
		t.Errorf("calls %v", got)
	}
}

func TestAgentRequestRefuseNeedsAReason(t *testing.T) {
	s, f, w := openAgentRequest(t, "Dupont")
	test.Tap(s.refuse)
	test.Tap(s.refuseConfirm)
	if len(actionCalls(f)) != 0 {
		t.Fatalf("refused without a reason: %v", actionCalls(f))
	}
	if !s.refuseMessage.Visible() || s.refuseMessage.Text != "Indiquez le motif du refus." {
		t.Errorf("message %q (visible %v)", s.refuseMessage.Text, s.refuseMessage.Visible())
	}
	requireDialog(t, w, "the dialog closed without a reason")
	test.Type(s.refuseReason, "Vous ne figurez pas sur la liste de la PMI.")
	test.Tap(s.refuseConfirm)
	want := "RequestAction r-dupont refuse map[reason:Vous ne figurez pas sur la liste de la PMI.]"
	if got := actionCalls(f); !slices.Equal(got, []string{want}) {
		t.Errorf("calls %v", got)
	}
	if w.Canvas().Overlays().Top() != nil {
		t.Error("the dialog stays open")
	}
}

func TestAgentRequestMatchPicksAProfessional(t *testing.T) {
	s, f, w := openAgentRequest(t, "Dupont")
	test.Tap(s.match)
	requireDialog(t, w, "no match dialog")
	// The search starts with the request's name.
	if s.matchSearch.Text != "Dupont" || len(s.matchResults) != 1 || s.matchResults[0].ID != "p-dupont" {
		t.Fatalf("search %q found %v", s.matchSearch.Text, s.matchResults)
	}
	assertShows(t, w, "DUPONT Marie — n° 92-0001 — 92160 Antony")
	if !s.matchChoose.Disabled() {
		t.Error("« Rapprocher » is enabled before a fiche is chosen")
	}

	s.matchSearch.SetText("")
	if len(s.matchResults) != 3 {
		t.Fatalf("an empty search lists %d fiches", len(s.matchResults))
	}
	s.matchList.Select(1) // Dupont, sorted by name: Bernard, Dupont, Martin
	test.Tap(s.matchChoose)
	if got := actionCalls(f); !slices.Equal(got, []string{"RequestAction r-dupont match map[professional_id:p-dupont]"}) {
		t.Errorf("calls %v", got)
	}
	if w.Canvas().Overlays().Top() != nil {
		t.Error("the dialog stays open")
	}
	assertTableShows(t, s.table, "Reçue (en attente)")
}

func TestAgentRequestLetterIsSaved(t *testing.T) {
	s, f, _ := newAgentRequestsWindow(t)
	f.letter = []byte("%PDF-1.7 courrier")
	var savedName string
	var saved []byte
	s.saveFile = func(name string, content []byte, done func(string, error)) {
		savedName, saved = name, content
		done("/home/agent/courrier.pdf", nil)
	}
	selectAgentRequest(t, s, "Dupont")
	test.Tap(s.letter)
	if !f.called("Letter r-dupont") {
		t.Fatalf("calls %v", f.calls)
	}
	if string(saved) != "%PDF-1.7 courrier" || savedName != "courrier-habilitation-Marie-DUPONT.pdf" {
		t.Errorf("saved %q as %q", saved, savedName)
	}
	if got := s.actionMessage.Text; got != "Courrier enregistré : /home/agent/courrier.pdf" {
		t.Errorf("message %q", got)
	}

	// Cancelled: nothing said.
	s.saveFile = func(_ string, _ []byte, done func(string, error)) { done("", nil) }
	s.showActionMessage("", 0)
	test.Tap(s.letter)
	if s.actionMessage.Visible() {
		t.Errorf("a cancelled save says %q", s.actionMessage.Text)
	}

	// A write error is told.
	s.saveFile = func(_ string, _ []byte, done func(string, error)) { done("", errors.New("disque plein")) }
	test.Tap(s.letter)
	if got := s.actionMessage.Text; got != "Le courrier n'a pas pu être enregistré : disque plein" {
		t.Errorf("message %q", got)
	}
}

func TestAgentRequestLetterNeedsTheServer(t *testing.T) {
	s, f, _ := newAgentRequestsWindow(t)
	f.fail["Letter"] = fmt.Errorf("%w (%w)", data.Errorf(data.EUNAVAILABLE, client.MsgUnreachable), errors.New("dial tcp: connection refused"))
	saved := false
	s.saveFile = func(string, []byte, func(string, error)) { saved = true }
	selectAgentRequest(t, s, "Dupont")
	test.Tap(s.letter)
	if saved {
		t.Error("nothing to save, yet the save step ran")
	}
	want := "Le serveur n'est pas joignable : le courrier ne peut être produit qu'en ligne. Réessayez quand la connexion sera rétablie."
	if got := s.actionMessage.Text; got != want {
		t.Errorf("message %q", got)
	}

	// Working offline (local copy unlocked, no session): said as such.
	f.fail["Letter"] = data.Errorf(data.EUNAUTHORIZED, client.MsgNotLoggedIn)
	test.Tap(s.letter)
	if got := s.actionMessage.Text; got != "Le courrier ne peut être produit qu'en ligne : connectez-vous au serveur puis réessayez." {
		t.Errorf("offline: message %q", got)
	}

	// Another error of the service is told in its own words.
	f.fail["Letter"] = data.Errorf(data.EFORBIDDEN, "Cette demande relève d'une autre Caf.")
	test.Tap(s.letter)
	if got := s.actionMessage.Text; got != "Cette demande relève d'une autre Caf." {
		t.Errorf("message %q", got)
	}
}

// columnsWidth is how wide a data table of columns is: the columns and the
// theme's padding between them.
func columnsWidth(columns []tableColumn) float32 {
	w := theme.Padding() * float32(len(columns)-1)
	for _, c := range columns {
		w += c.width
	}
	return w
}

func TestAgentRequestsTableFitsItsPane(t *testing.T) {
	s, _, _ := newAgentRequestsWindow(t) // the app's default size
	if got, room := columnsWidth(requestColumns()), s.table.Size().Width; got > room {
		t.Errorf("the columns take %v px, the pane %v px: a horizontal scroll bar", got, room)
	}
}

func TestAgentRequestActionsTwoALine(t *testing.T) {
	s, _, _ := openAgentRequest(t, "Dupont") // Reçue: all but « Accord reçu » and « Valider »
	line := func(o fyne.CanvasObject) float32 { return o.Position().Y }
	if line(s.match) != line(s.letter) || line(s.letterSent) != line(s.sendMail) || line(s.letterSent) <= line(s.match) ||
		line(s.refuse) <= line(s.letterSent) {
		t.Errorf("lines of Rapprocher %v, Courrier (PDF) %v, Courrier envoyé %v, the e-mail check %v, Refuser %v",
			line(s.match), line(s.letter), line(s.letterSent), line(s.sendMail), line(s.refuse))
	}
	if s.refuse.Position().X != s.match.Position().X || s.refuse.Size().Width != s.match.Size().Width {
		t.Error("« Refuser » is not in the grid of the other buttons")
	}
	// Every button fits in the detail pane.
	for _, b := range []*widget.Button{s.match, s.letter, s.letterSent, s.refuse} {
		if x := b.Position().X + b.Size().Width; x > s.actionGrid.Size().Width || b.Size().Width < b.MinSize().Width {
			t.Errorf("« %s » does not fit: ends at %v of %v, %v wide for %v", b.Text, x, s.actionGrid.Size().Width,
				b.Size().Width, b.MinSize().Width)
		}
	}

	selectAgentRequest(t, s, "Bernard") // Accord reçu: « Valider » beside « Refuser »
	if line(s.validate) != line(s.refuse) || line(s.validate) <= line(s.match) {
		t.Errorf("lines of Valider %v, Refuser %v", line(s.validate), line(s.refuse))
	}
	selectAgentRequest(t, s, "Leroy") // validated: no action
	if s.actionGrid.Visible() || !s.closedLabel.Visible() {
		t.Error("a closed request shows its action grid")
	}
}

func TestAgentRequestDetailScrollsToItsEnd(t *testing.T) {
	// The detail's lines wrap on a narrow pane: the scroll must still
	// hold all of them (the last field, « Rapprochée », wraps).
	for _, width := range []float32{1200, 900} {
		s, _, w := newAgentRequestsWindow(t)
		w.Resize(fyne.NewSize(width, 760))
		for _, name := range []string{"Dupont", "Martin", "Moreau"} {
			selectAgentRequest(t, s, name)
			if got, need := s.detail.Size().Height, s.detail.MinSize().Height; got < need {
				t.Errorf("%v px, %s: the detail is %v px high for %v px of lines", width, name, got, need)
			}
			assertDetailFitsItsScroll(t, s, fmt.Sprintf("%v px, %s", width, name))
		}
		// Narrower, then wider, after the detail was shown.
		w.Resize(fyne.NewSize(width-200, 760))
		assertDetailFitsItsScroll(t, s, fmt.Sprintf("%v px, Moreau", width-200))
		w.Resize(fyne.NewSize(width, 760))
		assertDetailFitsItsScroll(t, s, fmt.Sprintf("%v px again, Moreau", width))
	}
}

// assertDetailFitsItsScroll checks that the scroll of the detail holds
// its lines, its last one included, and no blank after them.
func assertDetailFitsItsScroll(t *testing.T, s *agentRequestsScreen, what string) {
	t.Helper()
	if got, need := s.detail.Size().Height, s.detail.MinSize().Height; got < need {
		t.Errorf("%s: the detail is %v px high for %v px of lines", what, got, need)
	}
	content := s.detailScroll.Content
	last := s.detail.Objects[len(s.detail.Objects)-1]
	if end := last.Position().Y + last.Size().Height; end > content.Size().Height {
		t.Errorf("%s: the last field ends at %v, the scroll at %v", what, end, content.Size().Height)
	}
	if got, want := content.Size().Height, max(content.MinSize().Height, s.detailScroll.Size().Height); got != want {
		t.Errorf("%s: the scrolled detail is %v px high, want %v", what, got, want)
	}
}

func TestAgentRequestsGolden(t *testing.T) {
	_, _, w := openAgentRequest(t, "Dupont")
	test.AssertRendersToMarkup(t, "agent_requests.xml", w.Canvas())
}
