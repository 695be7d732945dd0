package ui

import (
	"image/color"
	"math"
	"os"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"espacepro/data"
	"espacepro/sync/client"
	"espacepro/sync/wire"
)

// newTestRequest opens the request wizard on a fake service in a window of
// the app's size.
func newTestRequest(t *testing.T) (*requestScreen, *fakeService, fyne.Window) {
	t.Helper()
	a := test.NewTempApp(t)
	w := a.NewWindow("Espace professionnel")
	t.Cleanup(w.Close)
	f := newFakeService()
	f.communes["92100"] = []wire.Commune{{INSEE: "92012", Name: "Boulogne-Billancourt", Department: "92", PostalCodes: []string{"92100"}}}
	f.communes["16190"] = []wire.Commune{
		{INSEE: "16051", Name: "Bors (Canton de Montmoreau)", Department: "16"},
		{INSEE: "16052", Name: "Bors (Canton de Tude-et-Lavalette)", Department: "16"},
		{INSEE: "16230", Name: "Montmoreau", Department: "16"},
	}
	s := newRequestScreen(f, w)
	w.SetContent(s.content)
	w.Resize(fyne.NewSize(700, 560))
	return s, f, w
}

// requestChoose picks the kind at index i (0: childminder, 1: structure)
// and goes on to the form.
func requestChoose(s *requestScreen, i int) {
	s.kind.SetSelected(s.kind.Options[i])
	test.Tap(s.proceed)
}

// requestFill types a valid childminder's request, captcha answer included.
func requestFill(s *requestScreen) {
	s.civility.SetSelected("Mme")
	test.Type(s.lastName, "Dupont")
	test.Type(s.firstName, "Marie")
	test.Type(s.agrement, "AG-92-1234")
	test.Type(s.streetNumber, "12")
	test.Type(s.streetType, "rue")
	test.Type(s.streetName, "des Lilas")
	test.Type(s.postalCode, "92100")
	test.Type(s.phone, "06 12 34 56 78")
	test.Type(s.email, "marie.dupont@exemple.fr")
	test.Type(s.emailConfirm, "marie.dupont@exemple.fr")
	test.Type(s.captchaAnswer, "123456")
}

// requestShown returns every text of the window in one string, so that a
// wrapped message, drawn as several lines, can be looked for.
func requestShown(w fyne.Window) string {
	var out []string
	var walk func(o fyne.CanvasObject)
	walk = func(o fyne.CanvasObject) {
		if !o.Visible() {
			return
		}
		switch o := o.(type) {
		case *canvas.Text:
			if o.Text != "" {
				out = append(out, o.Text)
			}
		case *fyne.Container:
			for _, c := range o.Objects {
				walk(c)
			}
		case fyne.Widget:
			for _, c := range test.WidgetRenderer(o).Objects() {
				walk(c)
			}
		}
	}
	walk(w.Canvas().Content())
	for _, o := range w.Canvas().Overlays().List() {
		walk(o)
	}
	return strings.Join(out, " ")
}

// requestFieldError returns the message shown under the field of key ("" when
// hidden).
func requestFieldError(s *requestScreen, key string) string {
	l := s.errors[key]
	if l == nil || !l.Visible() {
		return ""
	}
	return l.Text
}

// assertUnder checks that msg is shown right under field, at its left edge,
// in bold at the text's size, and that its text is nearer to the field than
// to the next row of the form (a form's padding under the label).
func assertUnder(t *testing.T, field fyne.CanvasObject, msg *widget.Label) {
	t.Helper()
	d := fyne.CurrentApp().Driver()
	fp, mp := d.AbsolutePositionForObject(field), d.AbsolutePositionForObject(msg)
	bottom := fp.Y + field.Size().Height
	textTop := mp.Y + theme.InnerPadding() // a label's text is inset by its inner padding
	above := textTop - bottom
	below := theme.InnerPadding() + theme.Padding()
	if !msg.Visible() || above < 0 || above >= below || mp.X != fp.X {
		t.Errorf("message %q at %v, field at %v (bottom %v): not right under it", msg.Text, mp, fp, bottom)
	}
	if msg.SizeName != "" && msg.SizeName != theme.SizeNameText || !msg.TextStyle.Bold {
		t.Errorf("message %q: size %q, style %+v; want the text's size, in bold", msg.Text, msg.SizeName, msg.TextStyle)
	}
}

func TestRequestKindIsRequired(t *testing.T) {
	s, f, w := newTestRequest(t)
	assertShows(t, w, "Demande d'habilitation",
		"Vous êtes assistant(e) maternel(le) et déjà inscrit(e) sur le site",
		"Vous êtes une structure, une entité juridique, une personne morale",
		"Poursuivre", "Retour à la connexion")

	test.Tap(s.proceed)
	if !strings.Contains(requestShown(w), "Choisissez si vous êtes assistant(e) maternel(le) ou une structure") {
		t.Errorf("no message when nothing is chosen; shown: %q", texts(w))
	}
	if strings.Contains(requestShown(w), "Votre nom* :") || f.called("NewCaptcha") {
		t.Error("the form is shown without a choice")
	}

	requestChoose(s, 0)
	assertShows(t, w, "Votre civilité* :", "Votre nom* :", "Votre prénom* :", "N° de voie :", "Type de voie :",
		"Nom de voie* :", "Code postal* :", "Commune* :", "Téléphone où vous contacter* :",
		"Adresse électronique* :", "Confirmer l'adresse électronique* :", "Vérification du texte* :",
		"Recommencer", "Écouter", "Page précédente", "Terminer la demande")
	if s.kindMessage.Visible() {
		t.Error("the choice message is still shown")
	}
	if strings.Contains(requestShown(w), "Nom de la structure* :") {
		t.Error("a childminder is asked for a structure's name")
	}
}

func TestRequestBackToLogin(t *testing.T) {
	s, _, _ := newTestRequest(t)
	closed := 0
	s.onClose = func() { closed++ }
	test.Tap(s.backToLogin)
	if closed != 1 {
		t.Errorf("onClose called %d times", closed)
	}
}

func TestRequestKeepsWhatIsTypedBackAndForth(t *testing.T) {
	s, f, w := newTestRequest(t)
	requestChoose(s, 0)
	requestFill(s)

	test.Tap(s.previous)
	if strings.Contains(requestShown(w), "Votre nom* :") {
		t.Fatal("« Page précédente » stays on the form")
	}
	if s.kind.Selected != s.kind.Options[0] {
		t.Errorf("the choice is lost: %q", s.kind.Selected)
	}
	// Content swapped out of the window and back, as the app does.
	w.SetContent(widget.NewLabel("ailleurs"))
	w.SetContent(s.content)
	test.Tap(s.proceed)

	assertShows(t, w, "Dupont", "Marie", "AG-92-1234", "12", "rue", "des Lilas", "92100",
		"Boulogne-Billancourt", "06 12 34 56 78", "marie.dupont@exemple.fr", "123456")
	if s.civility.Selected != "Mme" {
		t.Errorf("civility = %q", s.civility.Selected)
	}
	if f.captchas != 1 {
		t.Errorf("%d captchas drawn; coming back must keep the one typed", f.captchas)
	}

	// As a structure, the names are kept and the structure's name is asked.
	test.Tap(s.previous)
	requestChoose(s, 1)
	assertShows(t, w, "Nom de la structure* :", "Nom de la personne à contacter* :", "Dupont", "Marie")
	if strings.Contains(requestShown(w), "Votre n° d'agrément :") {
		t.Error("a structure is asked for a childminder's agrément")
	}
}

func TestRequestRequiredFieldsNextToTheirFields(t *testing.T) {
	s, f, w := newTestRequest(t)
	requestChoose(s, 0)
	test.Tap(s.submit)

	for key, want := range map[string]string{
		"civility":      "Choisissez votre civilité : M ou Mme.",
		"last_name":     "Indiquez votre nom.",
		"first_name":    "Indiquez votre prénom.",
		"street_name":   "Indiquez le nom de voie.",
		"postal_code":   "Indiquez le code postal.",
		"phone":         "Indiquez un numéro de téléphone où vous contacter.",
		"email":         "Indiquez votre adresse électronique.",
		"captcha":       "Recopiez le texte de l'image.",
		"street_number": "",
		"commune":       "",
	} {
		if got := requestFieldError(s, key); got != want {
			t.Errorf("%s: message %q, want %q", key, got, want)
		}
	}
	assertUnder(t, s.lastName, s.errors["last_name"])
	assertUnder(t, s.postalCode, s.errors["postal_code"])
	assertUnder(t, s.captchaAnswer, s.errors["captcha"])
	if !strings.Contains(requestShown(w), "Certains champs sont incorrects") {
		t.Errorf("no summary; shown: %q", texts(w))
	}
	if f.called("SubmitRequest") {
		t.Error("an incomplete form was sent")
	}

	// Typing in a field clears its message.
	test.Type(s.lastName, "Dupont")
	if got := requestFieldError(s, "last_name"); got != "" {
		t.Errorf("the name's message stays after typing: %q", got)
	}
}

func TestRequestEmailsMustMatchAndPhoneBeValid(t *testing.T) {
	s, f, _ := newTestRequest(t)
	requestChoose(s, 0)
	requestFill(s)
	s.emailConfirm.SetText("marie.dupond@exemple.fr")
	s.phone.SetText("06 12 34")
	test.Tap(s.submit)

	if got := requestFieldError(s, "email_confirm"); got != "Les deux adresses électroniques ne sont pas identiques : vérifiez-les." {
		t.Errorf("email_confirm: %q", got)
	}
	if got := requestFieldError(s, "phone"); !strings.HasPrefix(got, "Numéro de téléphone « 06 12 34 » invalide") {
		t.Errorf("phone: %q", got)
	}
	assertUnder(t, s.emailConfirm, s.errors["email_confirm"])
	assertUnder(t, s.phone, s.errors["phone"])
	if got := requestFieldError(s, "email"); got != "" {
		t.Errorf("email: %q", got)
	}
	if f.called("SubmitRequest") {
		t.Error("the form was sent")
	}
}

func TestRequestPostalCodeOffersCommunes(t *testing.T) {
	s, f, _ := newTestRequest(t)
	requestChoose(s, 0)

	test.Type(s.postalCode, "9210")
	if f.called("Communes") || !s.commune.Disabled() {
		t.Error("communes looked up before the code is complete")
	}
	test.Type(s.postalCode, "0")
	if s.commune.Selected != "Boulogne-Billancourt" {
		t.Errorf("one commune: selected %q", s.commune.Selected)
	}

	s.postalCode.SetText("16190")
	if got := s.commune.Options; len(got) != 3 || got[1] != "Bors (Canton de Tude-et-Lavalette)" {
		t.Errorf("options %q", got)
	}
	if s.commune.Selected != "" {
		t.Errorf("several communes: %q chosen for her", s.commune.Selected)
	}
	test.Tap(s.submit)
	if got := requestFieldError(s, "commune"); got != "Choisissez votre commune dans la liste." {
		t.Errorf("commune: %q", got)
	}
	s.commune.SetSelected("Montmoreau")
	if got := requestFieldError(s, "commune"); got != "" {
		t.Errorf("commune message stays after the choice: %q", got)
	}

	s.postalCode.SetText("99999")
	if got := requestFieldError(s, "postal_code"); got != "Code postal inconnu : vérifiez-le." {
		t.Errorf("unknown code: %q", got)
	}
	if len(s.commune.Options) != 0 || s.commune.Selected != "" {
		t.Errorf("unknown code still offers %q (%q)", s.commune.Options, s.commune.Selected)
	}
	assertUnder(t, s.postalCode, s.errors["postal_code"])
}

func TestRequestPostalCodeOffline(t *testing.T) {
	s, f, w := newTestRequest(t)
	requestChoose(s, 0)
	f.fail["Communes"] = data.Errorf(data.EUNAVAILABLE, client.MsgUnreachable)
	test.Type(s.postalCode, "92100")
	if !strings.Contains(requestFieldError(s, "commune"), "le serveur n'est pas joignable") {
		t.Errorf("commune: %q", requestFieldError(s, "commune"))
	}
	// Back online, « Terminer la demande » asks again.
	delete(f.fail, "Communes")
	test.Tap(s.submit)
	if s.commune.Selected != "Boulogne-Billancourt" {
		t.Errorf("communes not asked again: %q; shown %q", s.commune.Selected, texts(w))
	}
}

func TestRequestCaptchaStartAgain(t *testing.T) {
	s, f, _ := newTestRequest(t)
	requestChoose(s, 0)
	if f.captchas != 1 || s.captchaImage.Resource == nil || s.captchaImage.Resource.Name() != "captcha-captcha-1.png" {
		t.Fatalf("captchas %d, image %v", f.captchas, s.captchaImage.Resource)
	}
	if min := s.captchaImage.MinSize(); min.Width < 200 || min.Height < 60 {
		t.Errorf("captcha shown at %v", min)
	}
	test.Type(s.captchaAnswer, "1234")
	test.Tap(s.newCaptcha)
	if f.captchas != 2 || s.captchaImage.Resource.Name() != "captcha-captcha-2.png" {
		t.Errorf("captchas %d, image %v", f.captchas, s.captchaImage.Resource.Name())
	}
	if s.captchaAnswer.Text != "" {
		t.Errorf("the old answer stays: %q", s.captchaAnswer.Text)
	}
}

func TestRequestCaptchaListen(t *testing.T) {
	s, f, _ := newTestRequest(t)
	var played []byte
	old := openFile
	t.Cleanup(func() { openFile = old })
	openFile = func(path string) error {
		var err error
		played, err = os.ReadFile(path)
		return err
	}
	requestChoose(s, 0)
	test.Tap(s.listen)
	if !f.called("CaptchaAudio captcha-1") || string(played) != "RIFF....WAVE" {
		t.Errorf("calls %q, played %q", f.calls, played)
	}
	file := s.audioFile
	s.close()
	if _, err := os.Stat(file); !os.IsNotExist(err) {
		t.Errorf("the sound file %s stays after closing: %v", file, err)
	}
}

func TestRequestServerFieldErrors(t *testing.T) {
	// The service names the captcha's error "captcha" (server/habilitation.go);
	// "captcha_answer", the wire's field, is understood too.
	for _, key := range []string{"captcha_answer", "captcha"} {
		t.Run(key, func(t *testing.T) {
			s, f, w := newTestRequest(t)
			requestChoose(s, 0)
			requestFill(s)
			f.fail["SubmitRequest"] = &data.Error{Code: data.EINVALID,
				Message: "Certains champs sont incorrects : corrigez les champs signalés puis recommencez.",
				Fields: map[string]string{
					key:           "Le texte recopié ne correspond pas à l'image, ou il a expiré : recopiez le nouveau texte.",
					"postal_code": "Le code postal 92100 n'existe pas : vérifiez-le.",
				}}
			test.Tap(s.submit)

			if got := requestFieldError(s, "captcha"); !strings.HasPrefix(got, "Le texte recopié ne correspond pas") {
				t.Errorf("captcha: %q", got)
			}
			if got := requestFieldError(s, "postal_code"); got != "Le code postal 92100 n'existe pas : vérifiez-le." {
				t.Errorf("postal_code: %q", got)
			}
			assertUnder(t, s.captchaAnswer, s.errors["captcha"])
			if f.captchas != 2 || s.captcha.ID != "captcha-2" || s.captchaAnswer.Text != "" {
				t.Errorf("no new captcha: %d drawn, shown %s, answer %q", f.captchas, s.captcha.ID, s.captchaAnswer.Text)
			}
			if !strings.Contains(requestShown(w), "Certains champs sont incorrects") {
				t.Errorf("no summary; shown %q", texts(w))
			}
			assertShows(t, w, "Dupont", "Marie", "des Lilas", "92100", "marie.dupont@exemple.fr")
			if s.submit.Disabled() {
				t.Error("« Terminer la demande » stays disabled")
			}
		})
	}
}

func TestRequestSubmitted(t *testing.T) {
	for _, matched := range []bool{false, true} {
		s, f, w := newTestRequest(t)
		f.submit = &wire.SubmitResponse{ID: "r1", Caf: wire.Caf{Code: "921", Name: "Caf des Hauts-de-Seine"},
			Matched: matched, MailSent: true,
			Message: "Votre demande d'habilitation a bien été enregistrée et transmise à la Caf des Hauts-de-Seine. Un message de confirmation a été envoyé à marie.dupont@exemple.fr."}
		closed := 0
		s.onClose = func() { closed++ }
		requestChoose(s, 0)
		requestFill(s)
		test.Tap(s.submit)

		if len(f.forms) != 1 {
			t.Fatalf("%d forms sent; shown %q", len(f.forms), texts(w))
		}
		want := wire.RequestForm{Kind: "assistant_maternel", Civility: "Mme", LastName: "Dupont", FirstName: "Marie",
			AgrementNumber: "AG-92-1234", StreetNumber: "12", StreetType: "rue", StreetName: "des Lilas",
			PostalCode: "92100", Commune: "Boulogne-Billancourt", Phone: "06 12 34 56 78",
			Email: "marie.dupont@exemple.fr", EmailConfirm: "marie.dupont@exemple.fr",
			CaptchaID: "captcha-1", CaptchaAnswer: "123456"}
		if f.forms[0] != want {
			t.Errorf("form sent\n%+v, want\n%+v", f.forms[0], want)
		}
		shown := requestShown(w)
		for _, s := range []string{
			"Votre demande d'habilitation est enregistrée",
			"Votre demande d'habilitation a bien été enregistrée et transmise à la Caf des Hauts-de-Seine.",
			"Caf destinataire : Caf des Hauts-de-Seine",
		} {
			if !strings.Contains(shown, s) {
				t.Errorf("matched=%v: %q not shown; shown %q", matched, s, shown)
			}
		}
		notListed := strings.Contains(shown, "Si vous n'êtes pas encore inscrit(e) sur le site, rapprochez-vous de la Caf de votre département")
		if notListed == matched {
			t.Errorf("matched=%v: not-listed message shown: %v", matched, notListed)
		}
		if strings.Contains(shown, "Terminer la demande") {
			t.Error("the form is still shown")
		}

		test.Tap(s.finish)
		if closed != 1 {
			t.Errorf("onClose called %d times", closed)
		}
		// Shown again, the wizard starts afresh.
		if s.kind.Selected != "" || s.lastName.Text != "" || s.captcha != nil {
			t.Errorf("the wizard keeps the request sent: %q %q", s.kind.Selected, s.lastName.Text)
		}
	}
}

func TestRequestNotListedMessageNotTwice(t *testing.T) {
	s, f, w := newTestRequest(t)
	f.submit = &wire.SubmitResponse{Caf: wire.Caf{Name: "Caf des Hauts-de-Seine"},
		Message: "Votre demande a bien été enregistrée. Si vous n'êtes pas encore inscrit(e) sur le site, rapprochez-vous de la Caf de votre département pour connaître la procédure à suivre."}
	requestChoose(s, 0)
	requestFill(s)
	test.Tap(s.submit)
	if n := strings.Count(requestShown(w), "rapprochez-vous"); n != 1 {
		t.Errorf("the not-listed advice is shown %d times", n)
	}
}

func TestRequestStructure(t *testing.T) {
	s, f, _ := newTestRequest(t)
	f.submit = &wire.SubmitResponse{Caf: wire.Caf{Name: "Caf des Hauts-de-Seine"}, Matched: true, Message: "Enregistrée."}
	requestChoose(s, 1)
	requestFill(s)
	test.Tap(s.submit)
	if got := requestFieldError(s, "structure_name"); got != "Indiquez le nom de la structure." {
		t.Errorf("structure_name: %q", got)
	}
	assertUnder(t, s.structureName, s.errors["structure_name"])

	test.Type(s.structureName, "Micro-crèche Les Lutins")
	s.civility.Selected = "" // optional for a structure
	s.civility.Refresh()
	test.Type(s.captchaAnswer, "123456")
	test.Tap(s.submit)
	if len(f.forms) != 1 {
		t.Fatalf("not sent: %q", f.calls)
	}
	got := f.forms[0]
	if got.Kind != "structure" || got.StructureName != "Micro-crèche Les Lutins" || got.AgrementNumber != "" || got.Civility != "" {
		t.Errorf("form sent %+v", got)
	}
}

func TestRequestUnreachableKeepsTheForm(t *testing.T) {
	s, f, w := newTestRequest(t)
	requestChoose(s, 0)
	requestFill(s)
	f.fail["SubmitRequest"] = data.Errorf(data.EUNAVAILABLE, client.MsgUnreachable)
	test.Tap(s.submit)

	if !strings.Contains(requestShown(w), "La demande d'habilitation se fait en ligne : le serveur n'est pas joignable.") {
		t.Errorf("no message; shown %q", texts(w))
	}
	assertShows(t, w, "Dupont", "Marie", "des Lilas", "92100", "Boulogne-Billancourt", "06 12 34 56 78",
		"marie.dupont@exemple.fr", "123456")
	if f.captchas != 1 {
		t.Errorf("%d captchas: the answer typed is thrown away", f.captchas)
	}
	if s.submit.Disabled() {
		t.Error("« Terminer la demande » stays disabled")
	}

	// Back online, the same form goes.
	delete(f.fail, "SubmitRequest")
	f.submit = &wire.SubmitResponse{Caf: wire.Caf{Name: "Caf des Hauts-de-Seine"}, Matched: true, Message: "Enregistrée."}
	test.Tap(s.submit)
	if len(f.forms) != 1 || f.forms[0].CaptchaAnswer != "123456" {
		t.Errorf("forms %+v", f.forms)
	}
}

func TestRequestSubmitDisabledWhileSending(t *testing.T) {
	s, f, _ := newTestRequest(t)
	f.submit = &wire.SubmitResponse{Matched: true, Message: "Enregistrée."}
	requestChoose(s, 0)
	requestFill(s)

	var pending []func()
	sync := background
	t.Cleanup(func() { background = sync })
	background = func(work, done func()) { pending = append(pending, func() { work(); done() }) }
	test.Tap(s.submit)
	if !s.submit.Disabled() || !s.previous.Disabled() {
		t.Error("the buttons are enabled while sending")
	}
	test.Tap(s.submit)
	if len(pending) != 1 {
		t.Fatalf("%d sends pending", len(pending))
	}
	pending[0]()
	if len(f.forms) != 1 || s.submit.Disabled() {
		t.Errorf("forms %d, disabled %v", len(f.forms), s.submit.Disabled())
	}
}

func TestRequestFormErrorsGolden(t *testing.T) {
	s, _, w := newTestRequest(t)
	requestChoose(s, 0)
	test.Type(s.lastName, "Dupont")
	test.Type(s.postalCode, "16190")
	test.Type(s.email, "marie.dupont@exemple.fr")
	test.Type(s.emailConfirm, "marie@exemple.fr")
	test.Tap(s.submit)
	// The test canvas does not lay containers out again when a message
	// appears, as the app's does at its next frame.
	w.Content().Refresh()
	test.AssertRendersToMarkup(t, "request_form_errors.xml", w.Canvas())
}

// requestLabel returns the label of the window showing text (nil when none
// does).
func requestLabel(w fyne.Window, text string) *widget.Label {
	var found *widget.Label
	var walk func(o fyne.CanvasObject)
	walk = func(o fyne.CanvasObject) {
		switch o := o.(type) {
		case *widget.Label:
			if o.Text == text {
				found = o
			}
		case *fyne.Container:
			for _, c := range o.Objects {
				walk(c)
			}
		case fyne.Widget:
			for _, c := range test.WidgetRenderer(o).Objects() {
				walk(c)
			}
		}
	}
	walk(w.Canvas().Content())
	return found
}

// requestContrast returns the WCAG contrast ratio of a and b.
func requestContrast(a, b color.Color) float64 {
	lum := func(c color.Color) float64 {
		r, g, b, _ := c.RGBA()
		lin := func(v uint32) float64 {
			x := float64(v) / 0xffff
			if x <= 0.03928 {
				return x / 12.92
			}
			return math.Pow((x+0.055)/1.055, 2.4)
		}
		return 0.2126*lin(r) + 0.7152*lin(g) + 0.0722*lin(b)
	}
	la, lb := lum(a), lum(b)
	return (math.Max(la, lb) + 0.05) / (math.Min(la, lb) + 0.05)
}

func TestRequestMessagesReadable(t *testing.T) {
	s, _, w := newTestRequest(t)
	requestChoose(s, 0)
	test.Tap(s.submit)

	// The error messages (and the warning of the last step) are drawn in a
	// colour of at least 4.5:1 on the background, in both variants.
	for _, c := range []struct {
		name    fyne.ThemeColorName
		variant fyne.ThemeVariant
		colour  color.Color
	}{
		{theme.ColorNameError, theme.VariantLight, readableTheme{}.Color(theme.ColorNameError, theme.VariantLight)},
		{theme.ColorNameError, theme.VariantDark, readableTheme{}.Color(theme.ColorNameError, theme.VariantDark)},
		{theme.ColorNameWarning, theme.VariantLight, readableTheme{}.Color(theme.ColorNameWarning, theme.VariantLight)},
		// Fyne's orange, kept on the dark background.
		{theme.ColorNameWarning, theme.VariantDark, theme.DefaultTheme().Color(theme.ColorNameWarning, theme.VariantDark)},
	} {
		bg := theme.DefaultTheme().Color(theme.ColorNameBackground, c.variant)
		if r := requestContrast(c.colour, bg); r < 4.5 {
			t.Errorf("variant %d: %s has a contrast of %.2f:1", c.variant, c.name, r)
		}
	}
	msg := s.errors["last_name"]
	if got, want := theme.ColorForWidget(theme.ColorNameError, msg), (readableTheme{}).Color(theme.ColorNameError, fyne.CurrentApp().Settings().ThemeVariant()); got != want {
		t.Errorf("a field's message is drawn in %v, not the readable %v", got, want)
	}
	if msg.Importance != widget.DangerImportance {
		t.Errorf("a field's message has importance %v", msg.Importance)
	}

	// The e-mail's note is in the text's colour and size.
	note := requestLabel(w, "L'adresse électronique est obligatoire pour vous adresser un courriel de confirmation de votre demande. En aucun cas, l'adresse électronique collectée dans cette demande ne fait l'objet d'une mise en ligne sur le site mon-enfant.fr.")
	if note == nil {
		t.Fatal("no note under the e-mail fields")
	}
	if note.Importance != widget.MediumImportance || note.SizeName != "" && note.SizeName != theme.SizeNameText || note.Wrapping != fyne.TextWrapWord {
		t.Errorf("the e-mail note: importance %v, size %q, wrapping %v", note.Importance, note.SizeName, note.Wrapping)
	}
}

func TestRequestCaptchaIsAFormRow(t *testing.T) {
	s, _, w := newTestRequest(t)
	requestChoose(s, 0)
	test.Tap(s.submit)
	d := fyne.CurrentApp().Driver()
	pos := d.AbsolutePositionForObject

	nameLabel, captchaLabel := requestLabel(w, "Votre nom* :"), requestLabel(w, "Vérification du texte* :")
	if nameLabel == nil || captchaLabel == nil {
		t.Fatal("labels not found")
	}
	if pos(captchaLabel).X != pos(nameLabel).X || captchaLabel.Size().Width != nameLabel.Size().Width {
		t.Errorf("« Vérification du texte* : » at %v (width %v), « Votre nom* : » at %v (width %v)",
			pos(captchaLabel), captchaLabel.Size().Width, pos(nameLabel), nameLabel.Size().Width)
	}
	field := pos(s.lastName)
	for name, o := range map[string]fyne.CanvasObject{"image": s.captchaImage, "answer": s.captchaAnswer} {
		if pos(o).X != field.X {
			t.Errorf("the captcha's %s starts at x=%v, the fields at x=%v", name, pos(o).X, field.X)
		}
	}
	if s.captchaAnswer.Size().Width != s.lastName.Size().Width {
		t.Errorf("the answer is %v wide, the fields %v", s.captchaAnswer.Size().Width, s.lastName.Size().Width)
	}
	if y, img := pos(captchaLabel).Y, pos(s.captchaImage).Y; y != img {
		t.Errorf("« Vérification du texte* : » at y=%v, the image at y=%v", y, img)
	}
	if b := pos(s.newCaptcha); b.X <= field.X+s.captchaImage.Size().Width || b.Y != pos(s.captchaImage).Y {
		t.Errorf("« Recommencer » at %v, not right of the image at %v", b, pos(s.captchaImage))
	}
	// « Page précédente » starts where the labels' text does.
	if got, want := pos(s.previous).X, pos(nameLabel).X+theme.InnerPadding(); got != want {
		t.Errorf("« Page précédente » at x=%v, the labels' text at x=%v", got, want)
	}
	if r, fr := pos(s.submit).X+s.submit.Size().Width, field.X+s.lastName.Size().Width; r != fr {
		t.Errorf("« Terminer la demande » ends at x=%v, the fields at x=%v", r, fr)
	}
}
