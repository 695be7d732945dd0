package ui

import (
	"net/url"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/storage"
	"fyne.io/fyne/v2/widget"

	"espacepro/sync/client"
)

// Settings is how the app reaches the central service: its address and how
// its certificate is checked (a pinned SHA-256 fingerprint or a CA file;
// the setup screen sets one of the two).
type Settings struct {
	ServerURL   string // https://host[:port], without a trailing slash
	Fingerprint string // SHA-256 in client.Fingerprint's form, or ""
	CAFile      string // path of a PEM file of the certificate authority, or ""
}

// setupScreen is the first-run screen: the service's address and how to
// verify it. The app connects with the saved settings (onSave) and the
// screen shows its error inline, e.g. a certificate that does not match.
type setupScreen struct {
	content fyne.CanvasObject

	server       *widget.Entry
	serverError  *widget.Label
	method       *widget.RadioGroup
	fingerprint  *widget.Entry
	fingerError  *widget.Label
	caBox        *fyne.Container // the CA file's button, path and error
	chooseCA     *widget.Button
	caPath       *widget.Label
	caError      *widget.Label
	fingerBox    *fyne.Container // the fingerprint's entry and error
	save         *widget.Button
	message      *widget.Label // the result of onSave, under the button
	caFile       string        // the chosen CA file
	methodLabels [2]string     // the radio's options: fingerprint, CA file

	// window is the parent of the file dialog; when nil, the app's first
	// window is used.
	window fyne.Window
	// pickFile asks for the CA file and calls chosen with its path (never
	// with ""); the default shows dialog.ShowFileOpen. Tests replace it.
	pickFile func(chosen func(path string))

	// onSave receives the checked, normalised settings and connects with
	// them; a non-nil error (its French message, e.g. a certificate that
	// does not match) is shown under the button. It is called on the UI
	// goroutine.
	onSave func(Settings) error
	// onSaved, when set, is called after onSave has succeeded.
	onSaved func(Settings)
}

// newSetupScreen builds the setup screen filled with initial (the saved
// settings, or the zero value at first run).
func newSetupScreen(initial Settings) *setupScreen {
	s := &setupScreen{caFile: initial.CAFile}
	s.pickFile = s.showFileOpen
	s.methodLabels = [2]string{
		lang.L("Empreinte du certificat (SHA-256)"),
		lang.L("Fichier de l'autorité de certification (CA)"),
	}

	title := widget.NewRichText(&widget.TextSegment{
		Text: lang.L("Connexion au serveur de votre Caf"), Style: widget.RichTextStyleHeading,
	})
	explain := widget.NewLabel(lang.L("Demandez ces informations à votre Caf ; l'application refuse un serveur qu'elle ne peut pas vérifier."))
	explain.Wrapping = fyne.TextWrapWord

	s.server = widget.NewEntry()
	s.server.SetPlaceHolder("https://…")
	s.server.SetText(initial.ServerURL)
	s.serverError = newMessageLabel(widget.DangerImportance)

	s.fingerprint = widget.NewEntry()
	s.fingerprint.SetPlaceHolder("AB:CD:EF:…")
	s.fingerprint.SetText(initial.Fingerprint)
	s.fingerError = newMessageLabel(widget.DangerImportance)
	fingerHint := widget.NewLabel(lang.L("64 chiffres hexadécimaux, séparés ou non par « : »."))
	fingerHint.Wrapping = fyne.TextWrapWord
	s.fingerBox = container.NewVBox(s.fingerprint, fingerHint, s.fingerError)

	s.chooseCA = widget.NewButton(lang.L("Choisir…"), s.tapChooseCA)
	s.caPath = widget.NewLabel("")
	s.caPath.Wrapping = fyne.TextWrapBreak
	s.caError = newMessageLabel(widget.DangerImportance)
	s.caBox = container.NewVBox(container.NewBorder(nil, nil, s.chooseCA, nil, s.caPath), s.caError)
	s.showCAPath()

	s.method = widget.NewRadioGroup(s.methodLabels[:], func(string) { s.showMethod() })
	s.method.Required = true
	if initial.CAFile != "" && initial.Fingerprint == "" {
		s.method.SetSelected(s.methodLabels[1])
	} else {
		s.method.SetSelected(s.methodLabels[0])
	}
	s.showMethod()

	s.save = widget.NewButton(lang.L("Enregistrer"), s.tapSave)
	s.save.Importance = widget.HighImportance
	s.server.OnSubmitted = func(string) { s.tapSave() }
	s.fingerprint.OnSubmitted = func(string) { s.tapSave() }
	s.message = newMessageLabel(widget.DangerImportance)

	s.content = container.NewVScroll(container.NewPadded(container.NewVBox(
		title,
		explain,
		widget.NewSeparator(),
		heading(lang.L("Adresse du serveur")),
		s.server,
		s.serverError,
		heading(lang.L("Comment vérifier le serveur")),
		s.method,
		s.fingerBox,
		s.caBox,
		container.NewHBox(layout.NewSpacer(), s.save),
		s.message,
	)))
	return s
}

// usesFingerprint reports whether the fingerprint option is chosen.
func (s *setupScreen) usesFingerprint() bool { return s.method.Selected != s.methodLabels[1] }

// showMethod shows the fields of the chosen way of verifying the server.
func (s *setupScreen) showMethod() {
	if s.fingerBox == nil || s.caBox == nil {
		return
	}
	if s.usesFingerprint() {
		s.fingerBox.Show()
		s.caBox.Hide()
	} else {
		s.fingerBox.Hide()
		s.caBox.Show()
	}
}

// showCAPath shows the chosen CA file, or that none is chosen.
func (s *setupScreen) showCAPath() {
	if s.caFile == "" {
		s.caPath.SetText(lang.L("Aucun fichier choisi"))
	} else {
		s.caPath.SetText(s.caFile)
	}
}

// tapChooseCA asks for the CA file.
func (s *setupScreen) tapChooseCA() {
	s.pickFile(func(path string) {
		s.caFile = path
		s.showCAPath()
		setMessage(s.caError, "")
	})
}

// showFileOpen is the default pickFile: Fyne's file dialog, showing the
// usual certificate file extensions.
func (s *setupScreen) showFileOpen(chosen func(path string)) {
	win := s.window
	if win == nil {
		if wins := fyne.CurrentApp().Driver().AllWindows(); len(wins) > 0 {
			win = wins[0]
		}
	}
	d := dialog.NewFileOpen(func(r fyne.URIReadCloser, err error) {
		if err != nil || r == nil {
			return
		}
		path := r.URI().Path()
		r.Close()
		if path != "" {
			chosen(path)
		}
	}, win)
	d.SetFilter(storage.NewExtensionFileFilter([]string{".pem", ".crt", ".cer"}))
	d.Show()
}

// checkServerURL returns the address normalised (no trailing slash) or a
// French message saying what is wrong.
func checkServerURL(text string) (string, string) {
	text = strings.TrimSpace(text)
	if text == "" {
		return "", lang.L("Saisissez l'adresse du serveur, par exemple https://espacepro.exemple.fr.")
	}
	u, err := url.Parse(text)
	if err != nil || u.Host == "" || u.Hostname() == "" || u.Opaque != "" {
		return "", lang.L("Cette adresse n'est pas valide : saisissez-la en entier, par exemple https://espacepro.exemple.fr.")
	}
	if !strings.EqualFold(u.Scheme, "https") {
		return "", lang.L("L'adresse doit commencer par https:// : l'application ne communique qu'en connexion chiffrée.")
	}
	if u.RawQuery != "" || u.Fragment != "" || u.User != nil {
		return "", lang.L("Cette adresse n'est pas valide : saisissez-la en entier, par exemple https://espacepro.exemple.fr.")
	}
	u.Scheme = "https"
	return strings.TrimRight(u.String(), "/"), ""
}

// tapSave checks the fields, showing each error next to its field, then
// hands the settings to onSave and shows its error.
func (s *setupScreen) tapSave() {
	var set Settings
	ok := true
	server, msg := checkServerURL(s.server.Text)
	setMessage(s.serverError, msg)
	ok = ok && msg == ""
	set.ServerURL = server

	setMessage(s.fingerError, "")
	setMessage(s.caError, "")
	if s.usesFingerprint() {
		switch text := strings.TrimSpace(s.fingerprint.Text); {
		case text == "":
			setMessage(s.fingerError, lang.L("Saisissez l'empreinte du certificat que votre Caf vous a donnée."))
			ok = false
		default:
			fp, err := client.NormalizeFingerprint(text)
			if err != nil {
				setMessage(s.fingerError, errorMessage(err))
				ok = false
			}
			set.Fingerprint = fp
		}
	} else {
		if s.caFile == "" {
			setMessage(s.caError, lang.L("Choisissez le fichier de l'autorité de certification que votre Caf vous a donné."))
			ok = false
		}
		set.CAFile = s.caFile
	}
	if !ok {
		setMessage(s.message, "")
		return
	}
	if set.Fingerprint != "" {
		s.fingerprint.SetText(set.Fingerprint)
	}
	s.server.SetText(set.ServerURL)
	if s.onSave == nil {
		return
	}
	if err := s.onSave(set); err != nil {
		setMessage(s.message, errorMessage(err))
		return
	}
	setMessage(s.message, "")
	if s.onSaved != nil {
		s.onSaved(set)
	}
}
