package ui

import (
	"context"
	"errors"
	"image/color"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"espacepro/data"
	"espacepro/sync/client"
	"espacepro/sync/wire"
)

// openFile opens a file with the system's default program (the captcha's
// sound with the system's player: Fyne plays no audio). The tests replace it.
var openFile = func(path string) error {
	p := filepath.ToSlash(path)
	if !strings.HasPrefix(p, "/") {
		p = "/" + p // C:/Users/… on Windows
	}
	return fyne.CurrentApp().OpenURL(&url.URL{Scheme: "file", Path: p})
}

// requestCaptchaSize is the size the captcha image is shown at (the
// service draws 240×80 images).
var requestCaptchaSize = fyne.NewSize(240, 80)

// requestScreen is the habilitation request wizard (SPEC §2, the seed's
// « Demande d'habilitation »): the choice of kind, the form with its
// captcha, then the confirmation. Everything typed lives in its widgets, so
// going back and forth, or having content swapped out of the window and
// back, loses nothing.
type requestScreen struct {
	content fyne.CanvasObject
	// onClose goes back to the login screen.
	onClose func()

	svc   Service
	win   fyne.Window
	steps *fyne.Container // holds the step shown

	// Step 1: the kind.
	choiceStep  fyne.CanvasObject
	kind        *widget.RadioGroup
	kindMessage *widget.Label
	proceed     *widget.Button
	backToLogin *widget.Button

	// Step 2: the form.
	formStep       fyne.CanvasObject
	kindChosen     *widget.Label
	civility       *widget.RadioGroup
	civilityLabel  *widget.Label
	lastNameLabel  *widget.Label
	firstNameLabel *widget.Label
	structureName  *widget.Entry
	agrement       *widget.Entry
	lastName       *widget.Entry
	firstName      *widget.Entry
	streetNumber   *widget.Entry
	streetType     *widget.Entry
	streetName     *widget.Entry
	postalCode     *widget.Entry
	commune        *widget.Select
	phone          *widget.Entry
	email          *widget.Entry
	emailConfirm   *widget.Entry
	captchaImage   *canvas.Image
	captchaAnswer  *widget.Entry
	newCaptcha     *widget.Button
	listen         *widget.Button
	previous       *widget.Button
	submit         *widget.Button
	summary        *widget.Label
	// errors holds the message label under each field, by the wire's JSON
	// field name.
	errors map[string]*widget.Label
	// structureOnly and childminderOnly are the form rows (label and
	// field) shown for one kind only.
	structureOnly   []fyne.CanvasObject
	childminderOnly []fyne.CanvasObject

	// Step 3: the confirmation.
	doneStep       fyne.CanvasObject
	confirmMessage *widget.Label
	confirmCaf     *widget.Label
	notListed      *widget.Label
	finish         *widget.Button

	captcha      *client.Captcha // nil until one is drawn
	communesOf   string          // the postal code whose communes are offered
	communesDone bool            // whether the lookup of communesOf answered
	sending      bool
	submitted    bool   // the request was sent: closing starts afresh
	audioFile    string // the captcha's sound, removed on close
}

// newRequestScreen builds the wizard on its first step.
func newRequestScreen(svc Service, win fyne.Window) *requestScreen {
	s := &requestScreen{svc: svc, win: win, errors: map[string]*widget.Label{}}
	s.choiceStep = requestReadable(s.buildChoice())
	s.formStep = requestReadable(s.buildForm())
	s.doneStep = requestReadable(s.buildDone())
	s.steps = container.NewStack(s.choiceStep)
	s.content = s.steps
	return s
}

// requestKinds are the two choices of step 1, in the order shown.
var requestKinds = []data.Kind{data.KindChildminder, data.KindStructure}

// buildChoice returns step 1: the choice of kind.
func (s *requestScreen) buildChoice() fyne.CanvasObject {
	s.kind = widget.NewRadioGroup([]string{
		lang.L("Vous êtes assistant(e) maternel(le) et déjà inscrit(e) sur le site"),
		lang.L("Vous êtes une structure, une entité juridique, une personne morale"),
	}, func(string) { setMessage(s.kindMessage, "") })
	s.kind.Required = true
	s.kindMessage = newMessageLabel(widget.DangerImportance)
	notListed := requestWrapped(lang.L("Si vous n'êtes pas encore inscrit(e) sur le site, rapprochez-vous de la Caf de votre département pour connaître la procédure à suivre."))
	s.proceed = widget.NewButton(lang.L("Poursuivre"), s.tapProceed)
	s.proceed.Importance = widget.HighImportance
	s.backToLogin = widget.NewButton(lang.L("Retour à la connexion"), s.close)
	return container.NewVScroll(container.NewPadded(container.NewVBox(
		requestTitle(lang.L("Demande d'habilitation")),
		requestWrapped(lang.L("Cet espace vous permet de demander une habilitation pour afficher vos disponibilités et/ou modifier les informations de votre fiche « structure ».")),
		s.kind,
		notListed,
		s.kindMessage,
		container.NewHBox(s.backToLogin, layout.NewSpacer(), s.proceed),
	)))
}

// buildForm returns step 2: the form, its captcha and its buttons.
func (s *requestScreen) buildForm() fyne.CanvasObject {
	s.kindChosen = widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Italic: true})
	s.kindChosen.Wrapping = fyne.TextWrapWord

	s.civility = widget.NewRadioGroup([]string{lang.L("M"), lang.L("Mme")}, func(string) { s.clearError("civility") })
	s.civility.Horizontal = true
	s.structureName = s.newEntry("structure_name")
	s.agrement = s.newEntry("agrement_number")
	s.agrement.SetPlaceHolder(lang.L("facultatif"))
	s.lastName = s.newEntry("last_name")
	s.firstName = s.newEntry("first_name")
	s.streetNumber = s.newEntry("street_number")
	s.streetType = s.newEntry("street_type")
	s.streetType.SetPlaceHolder(lang.L("rue, avenue, allée…"))
	s.streetName = s.newEntry("street_name")
	s.postalCode = s.newEntry("postal_code")
	s.postalCode.OnChanged = s.postalCodeChanged
	s.commune = widget.NewSelect(nil, func(string) { s.clearError("commune") })
	s.commune.PlaceHolder = lang.L("Indiquez d'abord le code postal")
	s.commune.Disable()
	s.phone = s.newEntry("phone")
	s.phone.SetPlaceHolder(lang.L("01 23 45 67 89"))
	s.email = s.newEntry("email")
	s.email.SetPlaceHolder(lang.L("nom@exemple.fr"))
	s.emailConfirm = s.newEntry("email_confirm")

	s.civilityLabel = widget.NewLabel("")
	s.lastNameLabel = widget.NewLabel("")
	s.firstNameLabel = widget.NewLabel("")
	structureLabel := widget.NewLabel(lang.L("Nom de la structure* :"))
	structureCell := s.cell("structure_name", s.structureName)
	agrementLabel := widget.NewLabel(lang.L("Votre n° d'agrément :"))
	agrementCell := s.cell("agrement_number", s.agrement)
	s.structureOnly = []fyne.CanvasObject{structureLabel, structureCell}
	s.childminderOnly = []fyne.CanvasObject{agrementLabel, agrementCell}

	form := container.New(layout.NewFormLayout(),
		structureLabel, structureCell,
		s.civilityLabel, s.cell("civility", s.civility),
		s.lastNameLabel, s.cell("last_name", s.lastName),
		s.firstNameLabel, s.cell("first_name", s.firstName),
		agrementLabel, agrementCell,
		heading(lang.L("Votre adresse :")), layout.NewSpacer(),
		widget.NewLabel(lang.L("N° de voie :")), s.cell("street_number", s.streetNumber),
		widget.NewLabel(lang.L("Type de voie :")), s.cell("street_type", s.streetType),
		widget.NewLabel(lang.L("Nom de voie* :")), s.cell("street_name", s.streetName),
		widget.NewLabel(lang.L("Code postal* :")), s.cell("postal_code", s.postalCode),
		widget.NewLabel(lang.L("Commune* :")), s.cell("commune", s.commune),
		widget.NewLabel(lang.L("Téléphone où vous contacter* :")), s.cell("phone", s.phone),
		widget.NewLabel(lang.L("Adresse électronique* :")), s.cell("email", s.email),
		widget.NewLabel(lang.L("Confirmer l'adresse électronique* :")), s.cell("email_confirm", s.emailConfirm),
		layout.NewSpacer(), requestNote(lang.L("L'adresse électronique est obligatoire pour vous adresser un courriel de confirmation de votre demande. En aucun cas, l'adresse électronique collectée dans cette demande ne fait l'objet d'une mise en ligne sur le site mon-enfant.fr.")),
		layout.NewSpacer(), requestWrapped(lang.L("Avant de terminer votre demande, recopiez le texte (lettres et/ou chiffres) qui apparaît dans l'emplacement ci-dessous. Cette démarche permet de sécuriser votre demande. Si vous n'y arrivez pas correctement, cliquez sur « Recommencer » et recopiez le nouveau texte qui s'affiche. « Écouter » vous le fait entendre.")),
		widget.NewLabel(lang.L("Vérification du texte* :")), s.buildCaptcha(),
	)

	s.summary = newMessageLabel(widget.DangerImportance)
	s.previous = widget.NewButton(lang.L("Page précédente"), s.showChoice)
	s.submit = widget.NewButton(lang.L("Terminer la demande"), s.tapSubmit)
	s.submit.Importance = widget.HighImportance

	return container.NewVScroll(container.NewPadded(container.NewVBox(
		requestTitle(lang.L("Demande d'habilitation")),
		s.kindChosen,
		widget.NewLabel(lang.L("Veuillez renseigner les informations suivantes :")),
		widget.NewLabel(lang.L("(* champ obligatoire)")),
		form,
		widget.NewSeparator(),
		s.summary,
		// The buttons' left edge lines up with the text of the labels.
		container.New(layout.NewCustomPaddedLayout(0, 0, theme.InnerPadding(), 0),
			container.NewHBox(s.previous, layout.NewSpacer(), s.submit)),
	)))
}

// buildCaptcha returns the value of the form's « Vérification du texte »
// row: the image with its buttons, then the answer and its message.
func (s *requestScreen) buildCaptcha() fyne.CanvasObject {
	s.captchaImage = canvas.NewImageFromResource(nil)
	s.captchaImage.FillMode = canvas.ImageFillContain
	s.captchaImage.SetMinSize(requestCaptchaSize)
	frame := canvas.NewRectangle(color.Transparent)
	frame.StrokeColor = theme.Color(theme.ColorNameInputBorder)
	frame.StrokeWidth = 1
	frame.SetMinSize(requestCaptchaSize)

	s.captchaAnswer = s.newEntry("captcha")
	s.captchaAnswer.SetPlaceHolder(lang.L("Recopiez le texte de l'image"))
	s.captchaAnswer.OnSubmitted = func(string) { s.tapSubmit() }
	s.newCaptcha = widget.NewButtonWithIcon(lang.L("Recommencer"), theme.ViewRefreshIcon(), func() {
		s.clearError("captcha")
		s.drawCaptcha()
	})
	s.listen = widget.NewButtonWithIcon(lang.L("Écouter"), theme.VolumeUpIcon(), s.tapListen)

	return container.NewVBox(
		container.NewHBox(
			container.NewStack(frame, s.captchaImage),
			container.NewVBox(s.newCaptcha, s.listen),
		),
		s.cell("captcha", s.captchaAnswer),
	)
}

// buildDone returns step 3: the confirmation of the request sent.
func (s *requestScreen) buildDone() fyne.CanvasObject {
	s.confirmMessage = requestWrapped("")
	s.confirmCaf = widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	s.confirmCaf.Wrapping = fyne.TextWrapWord
	s.notListed = newMessageLabel(widget.WarningImportance)
	s.finish = widget.NewButton(lang.L("Retour à la connexion"), s.close)
	s.finish.Importance = widget.HighImportance
	return container.NewVScroll(container.NewPadded(container.NewVBox(
		requestTitle(lang.L("Votre demande d'habilitation est enregistrée")),
		s.confirmMessage,
		s.confirmCaf,
		s.notListed,
		requestWrapped(lang.L("Lors du traitement de votre demande, la Caf vous adresse un courrier comprenant une partie à compléter, signer et lui retourner. À réception de cet accord, elle valide votre demande et un mot de passe vous est envoyé par courriel.")),
		container.NewHBox(layout.NewSpacer(), s.finish),
	)))
}

// newEntry returns an entry whose error message is cleared when it is
// edited.
func (s *requestScreen) newEntry(key string) *widget.Entry {
	e := widget.NewEntry()
	e.OnChanged = func(string) { s.clearError(key) }
	return e
}

// cell returns field with its (hidden) error message under it, and
// registers that message under key. The message is in bold, at the text's
// size, in the screen's readable red (requestTheme).
func (s *requestScreen) cell(key string, field fyne.CanvasObject) fyne.CanvasObject {
	msg := newMessageLabel(widget.DangerImportance)
	msg.TextStyle = fyne.TextStyle{Bold: true}
	s.errors[key] = msg
	return container.New(requestCellLayout{}, field, msg)
}

// requestCellLayout lays out a field (the first object) at its minimum
// height with its message (the second, a label) under it, the message's
// text nearer to its field than to the next row of the form.
type requestCellLayout struct{}

// requestCellGap is how far a message label goes up into the space under
// its field: its text then starts half a label padding under the field.
func requestCellGap() float32 { return theme.InnerPadding() / 2 }

// Layout places the field at the top and the message under it, both at full
// width.
func (requestCellLayout) Layout(objects []fyne.CanvasObject, size fyne.Size) {
	field, msg := objects[0], objects[1]
	h := field.MinSize().Height
	field.Move(fyne.NewPos(0, 0))
	field.Resize(fyne.NewSize(size.Width, h))
	y := h - requestCellGap()
	msg.Move(fyne.NewPos(0, y))
	msg.Resize(fyne.NewSize(size.Width, max(size.Height-y, msg.MinSize().Height)))
}

// MinSize is the field's, and the message's height when it is shown.
func (requestCellLayout) MinSize(objects []fyne.CanvasObject) fyne.Size {
	field, msg := objects[0], objects[1]
	min := field.MinSize()
	if msg.Visible() {
		m := msg.MinSize()
		min.Width = max(min.Width, m.Width)
		min.Height += m.Height - requestCellGap()
	}
	return min
}

// clearError hides the message of the field of key.
func (s *requestScreen) clearError(key string) {
	if l := s.errors[key]; l != nil {
		setMessage(l, "")
	}
}

// show puts step in the window's content.
func (s *requestScreen) show(step fyne.CanvasObject) {
	s.steps.Objects = []fyne.CanvasObject{step}
	s.steps.Refresh()
}

// showChoice goes back to step 1, keeping everything typed.
func (s *requestScreen) showChoice() { s.show(s.choiceStep) }

// chosenKind returns the kind chosen in step 1, "" when none is.
func (s *requestScreen) chosenKind() data.Kind {
	for i, o := range s.kind.Options {
		if o == s.kind.Selected {
			return requestKinds[i]
		}
	}
	return ""
}

// tapProceed goes on to the form, for the kind chosen.
func (s *requestScreen) tapProceed() {
	kind := s.chosenKind()
	if kind == "" {
		setMessage(s.kindMessage, lang.L("Choisissez si vous êtes assistant(e) maternel(le) ou une structure, puis cliquez sur « Poursuivre »."))
		return
	}
	setMessage(s.kindMessage, "")
	s.kindChosen.SetText(s.kind.Selected)
	structure := kind == data.KindStructure
	requestShowAll(s.structureOnly, structure)
	requestShowAll(s.childminderOnly, !structure)
	if structure {
		s.civilityLabel.SetText(lang.L("Civilité de la personne à contacter :"))
		s.lastNameLabel.SetText(lang.L("Nom de la personne à contacter* :"))
		s.firstNameLabel.SetText(lang.L("Prénom de la personne à contacter* :"))
	} else {
		s.civilityLabel.SetText(lang.L("Votre civilité* :"))
		s.lastNameLabel.SetText(lang.L("Votre nom* :"))
		s.firstNameLabel.SetText(lang.L("Votre prénom* :"))
	}
	s.show(s.formStep)
	if s.captcha == nil {
		s.drawCaptcha()
	}
	first := s.lastName
	if structure {
		first = s.structureName
	}
	s.win.Canvas().Focus(first)
}

// requestShowAll shows or hides every object of objects.
func requestShowAll(objects []fyne.CanvasObject, visible bool) {
	for _, o := range objects {
		if visible {
			o.Show()
		} else {
			o.Hide()
		}
	}
}

// postalCodeChanged offers the communes of a complete postal code.
func (s *requestScreen) postalCodeChanged(text string) {
	s.clearError("postal_code")
	code := strings.TrimSpace(text)
	if code == s.communesOf {
		return
	}
	s.communesOf, s.communesDone = "", false
	s.setCommunes(nil)
	if data.ValidatePostalCodeSyntax(code) == nil {
		s.lookUpCommunes(code)
	}
}

// lookUpCommunes asks the service for the communes of code.
func (s *requestScreen) lookUpCommunes(code string) {
	s.communesOf, s.communesDone = code, false
	var communes []wire.Commune
	var err error
	background(func() {
		ctx, cancel := serviceContext()
		defer cancel()
		communes, err = s.svc.Communes(ctx, code)
	}, func() {
		if s.communesOf != code {
			return // the code changed meanwhile
		}
		if err != nil {
			s.communesOf = "" // asked again at the next try
			if requestUnreachable(err) {
				setMessage(s.errors["commune"], lang.L("La liste des communes n'a pas pu être chargée : la demande d'habilitation se fait en ligne et le serveur n'est pas joignable. Vérifiez votre connexion."))
			} else {
				setMessage(s.errors["commune"], errorMessage(err))
			}
			s.steps.Refresh()
			return
		}
		s.communesDone = true
		names := make([]string, len(communes))
		for i, c := range communes {
			names[i] = c.Name
		}
		s.setCommunes(names)
		if len(names) == 0 {
			setMessage(s.errors["postal_code"], lang.L("Code postal inconnu : vérifiez-le."))
			s.steps.Refresh()
		}
	})
}

// setCommunes offers names in the commune list, keeping the commune chosen
// when it is one of them and choosing the only one.
func (s *requestScreen) setCommunes(names []string) {
	selected := s.commune.Selected
	s.commune.SetOptions(names)
	switch {
	case len(names) == 1:
		s.commune.SetSelected(names[0])
	case s.commune.SelectedIndex() < 0 && selected != "":
		s.commune.ClearSelected()
	}
	if len(names) == 0 {
		s.commune.PlaceHolder = lang.L("Indiquez d'abord le code postal")
		s.commune.Disable()
	} else {
		s.commune.PlaceHolder = lang.L("Choisissez votre commune")
		s.commune.Enable()
	}
	s.commune.Refresh()
}

// drawCaptcha shows a new captcha and clears the answer typed.
func (s *requestScreen) drawCaptcha() {
	s.captchaAnswer.SetText("")
	var c *client.Captcha
	var err error
	background(func() {
		ctx, cancel := serviceContext()
		defer cancel()
		c, err = s.svc.NewCaptcha(ctx)
	}, func() {
		if err != nil {
			s.captcha = nil
			s.captchaImage.Resource = nil
			s.captchaImage.Refresh()
			if requestUnreachable(err) {
				setMessage(s.errors["captcha"], lang.L("L'image n'a pas pu être chargée : la demande d'habilitation se fait en ligne et le serveur n'est pas joignable. Vérifiez votre connexion puis cliquez sur « Recommencer »."))
			} else {
				setMessage(s.errors["captcha"], errorMessage(err))
			}
			return
		}
		s.captcha = c
		s.captchaImage.Resource = fyne.NewStaticResource("captcha-"+c.ID+".png", c.Image)
		s.captchaImage.Refresh()
	})
}

// tapListen plays the captcha's sound with the system's player.
func (s *requestScreen) tapListen() {
	if s.captcha == nil {
		setMessage(s.errors["captcha"], lang.L("Aucune image n'est affichée : cliquez sur « Recommencer »."))
		return
	}
	id := s.captcha.ID
	var path string
	var err error
	background(func() {
		ctx, cancel := serviceContext()
		defer cancel()
		var wav []byte
		if wav, err = s.svc.CaptchaAudio(ctx, id); err == nil {
			path, err = writeCaptchaSound(wav)
		}
	}, func() {
		switch {
		case requestUnreachable(err):
			setMessage(s.errors["captcha"], lang.L("Le son n'a pas pu être chargé : le serveur n'est pas joignable. Vérifiez votre connexion."))
			return
		case err != nil:
			setMessage(s.errors["captcha"], errorMessage(err))
			return
		}
		s.removeAudio()
		s.audioFile = path
		if err := openFile(path); err != nil {
			setMessage(s.errors["captcha"], lang.L("Le son n'a pas pu être joué : aucun lecteur audio n'est installé sur cet ordinateur."))
		}
	})
}

// writeCaptchaSound writes a captcha's sound to a temporary file for the
// system's player and returns its path.
func writeCaptchaSound(wav []byte) (string, error) {
	f, err := os.CreateTemp("", "espacepro-captcha-*.wav")
	if err != nil {
		return "", err
	}
	_, err = f.Write(wav)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(f.Name())
		return "", err
	}
	return f.Name(), nil
}

// removeAudio deletes the captcha's sound file, if any.
func (s *requestScreen) removeAudio() {
	if s.audioFile != "" {
		os.Remove(s.audioFile)
		s.audioFile = ""
	}
}

// requestForm returns what the form holds, as the service takes it.
func (s *requestScreen) requestForm() wire.RequestForm {
	kind := s.chosenKind()
	f := wire.RequestForm{
		Kind:          string(kind),
		LastName:      strings.TrimSpace(s.lastName.Text),
		FirstName:     strings.TrimSpace(s.firstName.Text),
		StreetNumber:  strings.TrimSpace(s.streetNumber.Text),
		StreetType:    strings.TrimSpace(s.streetType.Text),
		StreetName:    strings.TrimSpace(s.streetName.Text),
		PostalCode:    strings.TrimSpace(s.postalCode.Text),
		Commune:       s.commune.Selected,
		Phone:         strings.TrimSpace(s.phone.Text),
		Email:         strings.TrimSpace(s.email.Text),
		EmailConfirm:  strings.TrimSpace(s.emailConfirm.Text),
		CaptchaAnswer: strings.TrimSpace(s.captchaAnswer.Text),
	}
	switch s.civility.Selected {
	case s.civility.Options[0]:
		f.Civility = string(data.CivilityM)
	case s.civility.Options[1]:
		f.Civility = string(data.CivilityMme)
	}
	if kind == data.KindStructure {
		f.StructureName = strings.TrimSpace(s.structureName.Text)
	} else {
		f.AgrementNumber = strings.TrimSpace(s.agrement.Text)
	}
	if s.captcha != nil {
		f.CaptchaID = s.captcha.ID
	}
	return f
}

// check returns the messages of the fields that are wrong, by the wire's
// field names, as far as they can be checked without the service: the
// domain's rules (data.RequestForm.Validate), except the postal code and the
// commune, which are the service's communes.
func (s *requestScreen) check(f wire.RequestForm) data.FieldErrors {
	errs := data.FieldErrors{}
	d := f.Domain()
	d.PostalCode, d.Commune = "", ""
	_, err := d.Validate(nil)
	for k, v := range data.ErrorFields(err) {
		if k != "postal_code" && k != "commune" {
			errs.Add(k, v)
		}
	}
	switch {
	case f.PostalCode == "":
		errs.Add("postal_code", lang.L("Indiquez le code postal."))
	case data.ValidatePostalCodeSyntax(f.PostalCode) != nil:
		errs.Add("postal_code", errorMessage(data.ValidatePostalCodeSyntax(f.PostalCode)))
	case s.communesOf == f.PostalCode && s.communesDone && len(s.commune.Options) == 0:
		errs.Add("postal_code", lang.L("Code postal inconnu : vérifiez-le."))
	case f.Commune == "":
		errs.Add("commune", lang.L("Choisissez votre commune dans la liste."))
	}
	switch {
	case s.captcha == nil:
		errs.Add("captcha", lang.L("Aucune image n'est affichée : cliquez sur « Recommencer »."))
	case f.CaptchaAnswer == "":
		errs.Add("captcha", lang.L("Recopiez le texte de l'image."))
	}
	return errs
}

// tapSubmit checks the form, then sends it.
func (s *requestScreen) tapSubmit() {
	if s.sending {
		return
	}
	f := s.requestForm()
	if errs := s.check(f); len(errs) > 0 {
		s.showErrors(errs)
		s.showSummary(errorMessage(errs.Err()), widget.DangerImportance)
		if data.ValidatePostalCodeSyntax(f.PostalCode) == nil && s.communesOf != f.PostalCode {
			s.lookUpCommunes(f.PostalCode) // the last lookup failed
		}
		return
	}
	s.showErrors(nil)
	s.setSending(true)
	var res *wire.SubmitResponse
	var err error
	background(func() {
		ctx, cancel := serviceContext()
		defer cancel()
		res, err = s.svc.SubmitRequest(ctx, f)
	}, func() {
		s.setSending(false)
		if err != nil {
			s.showSubmitError(err)
			return
		}
		s.showConfirmation(res)
	})
}

// setSending disables the buttons while the request is being sent.
func (s *requestScreen) setSending(sending bool) {
	s.sending = sending
	if sending {
		s.submit.Disable()
		s.previous.Disable()
		s.showSummary(lang.L("Envoi de votre demande…"), widget.MediumImportance)
	} else {
		s.submit.Enable()
		s.previous.Enable()
		s.showSummary("", widget.MediumImportance)
	}
}

// showSummary shows text on the line above the buttons ("" hides it).
func (s *requestScreen) showSummary(text string, importance widget.Importance) {
	s.summary.Importance = importance
	setMessage(s.summary, text)
}

// showSubmitError shows why the service refused the request, keeping
// everything typed.
func (s *requestScreen) showSubmitError(err error) {
	if requestUnreachable(err) {
		s.showSummary(lang.L("La demande d'habilitation se fait en ligne : le serveur n'est pas joignable. Vérifiez votre connexion puis cliquez de nouveau sur « Terminer la demande » ; ce que vous avez saisi est conservé."), widget.DangerImportance)
		return
	}
	// The service spends the captcha at each try: draw the next one first,
	// so that its cleared answer does not clear the message.
	s.drawCaptcha()
	fields := data.FieldErrors{}
	for k, v := range fieldErrors(err) {
		switch k {
		case "captcha_answer", "captcha_id":
			k = "captcha"
		}
		fields.Add(k, v)
	}
	unshown := s.showErrors(fields)
	s.showSummary(strings.Join(append([]string{errorMessage(err)}, unshown...), " "), widget.DangerImportance)
}

// showErrors puts each message of fields next to its field and clears the
// others; it returns the messages of fields that have no place in the form
// shown.
func (s *requestScreen) showErrors(fields map[string]string) []string {
	for key, l := range s.errors {
		setMessage(l, fields[key])
	}
	var unshown []string
	for key, msg := range fields {
		if _, ok := s.errors[key]; !ok || !s.fieldShown(key) {
			unshown = append(unshown, msg)
		}
	}
	sort.Strings(unshown)
	s.steps.Refresh() // lay the form out again around the messages
	return unshown
}

// fieldShown reports whether the field of key is in the form of the kind
// chosen.
func (s *requestScreen) fieldShown(key string) bool {
	switch key {
	case "structure_name":
		return s.chosenKind() == data.KindStructure
	case "agrement_number":
		return s.chosenKind() != data.KindStructure
	}
	return true
}

// showConfirmation shows the service's answer to the request sent.
func (s *requestScreen) showConfirmation(res *wire.SubmitResponse) {
	s.submitted = true
	s.removeAudio()
	msg := res.Message
	if msg == "" {
		msg = lang.L("Votre demande d'habilitation a bien été enregistrée.")
	}
	s.confirmMessage.SetText(msg)
	if res.Caf.Name != "" {
		s.confirmCaf.SetText(lang.L("Caf destinataire : {{.Name}}", map[string]any{"Name": res.Caf.Name}))
		s.confirmCaf.Show()
	} else {
		s.confirmCaf.Hide()
	}
	notListed := ""
	if !res.Matched && !strings.Contains(msg, "rapprochez-vous de la Caf") {
		notListed = lang.L("Si vous n'êtes pas encore inscrit(e) sur le site, rapprochez-vous de la Caf de votre département pour connaître la procédure à suivre.")
	}
	setMessage(s.notListed, notListed)
	s.show(s.doneStep)
}

// close goes back to the login screen. After a request was sent, the
// wizard starts afresh should it be shown again.
func (s *requestScreen) close() {
	s.removeAudio()
	if s.submitted {
		s.reset()
	}
	call(s.onClose)
}

// reset empties the wizard and shows its first step.
func (s *requestScreen) reset() {
	s.submitted = false
	s.kind.Selected = ""
	s.kind.Refresh()
	s.civility.Selected = ""
	s.civility.Refresh()
	for _, e := range []*widget.Entry{s.structureName, s.agrement, s.lastName, s.firstName, s.streetNumber,
		s.streetType, s.streetName, s.postalCode, s.phone, s.email, s.emailConfirm, s.captchaAnswer} {
		e.SetText("")
	}
	s.captcha = nil
	s.captchaImage.Resource = nil
	s.captchaImage.Refresh()
	s.showErrors(nil)
	s.showSummary("", widget.MediumImportance)
	s.showChoice()
}

// requestUnreachable reports whether err says the service could not be reached.
func requestUnreachable(err error) bool {
	return data.ErrorCode(err) == data.EUNAVAILABLE || errors.Is(err, context.DeadlineExceeded)
}

// requestTitle returns a screen's heading.
func requestTitle(text string) fyne.CanvasObject {
	return widget.NewRichText(&widget.TextSegment{Text: text, Style: widget.RichTextStyleHeading})
}

// requestWrapped returns a label whose text wraps at the width it is given.
func requestWrapped(text string) *widget.Label {
	l := widget.NewLabel(text)
	l.Wrapping = fyne.TextWrapWord
	return l
}

// requestNote returns a wrapping explanation in italics, in the text's
// colour and size.
func requestNote(text string) *widget.Label {
	l := requestWrapped(text)
	l.TextStyle = fyne.TextStyle{Italic: true}
	return l
}

// requestReadable wraps step so that its error and warning messages are
// drawn in colours readable on the theme's background (at least 4.5:1,
// WCAG 1.4.3): Fyne's red (#F44336) is 3.7:1 on the light theme's white and
// its orange 2.2:1.
func requestReadable(step fyne.CanvasObject) fyne.CanvasObject {
	return container.NewThemeOverride(step, readableTheme{})
}
