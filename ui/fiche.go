package ui

import (
	"slices"
	"strconv"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/widget"

	"espacepro/data"
)

// ficheField is one line of the fiche: a field of data.ProfessionalFields,
// its label and how its value is shown.
type ficheField struct {
	name  string // data.ProfessionalFields' name
	label string // French, through lang.L
	// show returns the value as shown; nil shows the stored value.
	show func(p *data.Professional) string
	// multiLine: a free text over several lines.
	multiLine bool
}

// ficheFields lists the lines of a fiche in the order shown: the ones
// data.EditableFields allows are entries, the others read-only text (a
// read-only line with no value is left out).
func ficheFields(k data.Kind) []ficheField {
	var out []ficheField
	if k == data.KindStructure {
		out = append(out, ficheField{name: "structure_name", label: lang.L("Nom de la structure")})
	} else {
		out = append(out,
			ficheField{name: "civility", label: lang.L("Civilité")},
			ficheField{name: "last_name", label: lang.L("Nom")},
			ficheField{name: "first_name", label: lang.L("Prénom")},
		)
	}
	out = append(out,
		ficheField{name: "street_name", label: lang.L("Adresse"),
			show: func(p *data.Professional) string { return p.Address.Line() }},
		ficheField{name: "postal_code", label: lang.L("Code postal")},
		ficheField{name: "commune", label: lang.L("Commune")},
		ficheField{name: "phone", label: lang.L("Téléphone"),
			show: func(p *data.Professional) string { return data.FormatPhone(p.Phone) }},
		ficheField{name: "email", label: lang.L("Adresse électronique (jamais publiée)")},
	)
	if k == data.KindStructure {
		out = append(out,
			ficheField{name: "capacity", label: lang.L("Capacité d'accueil (nombre de places)")},
			ficheField{name: "opening_hours", label: lang.L("Horaires d'ouverture"), multiLine: true},
		)
	}
	out = append(out,
		ficheField{name: "agrement_number", label: lang.L("N° d'agrément")},
		ficheField{name: "agrement_date", label: lang.L("Date d'agrément"),
			show: func(p *data.Professional) string {
				if p.AgrementDate.IsZero() {
					return ""
				}
				return p.AgrementDate.French()
			}},
		ficheField{name: "places_agreed", label: lang.L("Nombre de places agréées"),
			show: func(p *data.Professional) string {
				if p.PlacesAgreed == 0 {
					return ""
				}
				return strconv.Itoa(p.PlacesAgreed)
			}},
		ficheField{name: "caf", label: lang.L("Caf"),
			show: func(p *data.Professional) string {
				if caf, ok := data.DefaultReference().Caf(p.CafCode); ok {
					return caf.Name
				}
				return p.CafCode
			}},
	)
	return out
}

// value returns f's value in p as shown.
func (f ficheField) value(p *data.Professional) string {
	if f.show != nil {
		return f.show(p)
	}
	return data.ProfessionalFields(p)[f.name]
}

// ficheEdit is an editable line: its entry and its error.
type ficheEdit struct {
	field   ficheField
	entry   *widget.Entry
	message *widget.Label
}

// ficheScreen lets a professional edit the fields of her fiche that are
// hers to change (data.EditableFields: the phone, and a structure's name,
// capacity and opening hours); the rest comes from the PMI list or the Caf
// and is shown read-only. The edit is saved locally and sent at the next
// sync.
type ficheScreen struct {
	content fyne.CanvasObject

	svc   Service
	win   fyne.Window
	saved *data.Professional // the fiche as last saved
	edits []*ficheEdit
	ro    map[string]*widget.Label // read-only values by field name

	save    *widget.Button
	cancel  *widget.Button
	message *widget.Label // the result of « Enregistrer »

	// onSaved is called after a successful save.
	onSaved func()
}

// newFicheScreen builds the fiche of p (p is not changed: the screen edits
// a copy).
func newFicheScreen(svc Service, win fyne.Window, p *data.Professional) *ficheScreen {
	cp := *p
	s := &ficheScreen{svc: svc, win: win, saved: &cp, ro: map[string]*widget.Label{}}
	editable := data.EditableFields(p.Kind)

	title := widget.NewRichText(&widget.TextSegment{
		Text: lang.L("Votre fiche"), Style: widget.RichTextStyleHeading,
	})
	intro := widget.NewLabel(lang.L("Vous pouvez modifier les champs ci-dessous. Les autres informations viennent de la liste transmise par la PMI ou de votre Caf : pour les corriger, contactez votre Caf."))
	intro.Wrapping = fyne.TextWrapWord

	form := container.New(layout.NewFormLayout())
	for _, f := range ficheFields(p.Kind) {
		if slices.Contains(editable, f.name) {
			e := &ficheEdit{field: f, message: newMessageLabel(widget.DangerImportance)}
			if f.multiLine {
				e.entry = widget.NewMultiLineEntry()
				e.entry.Wrapping = fyne.TextWrapWord
				e.entry.SetMinRowsVisible(3)
			} else {
				e.entry = widget.NewEntry()
			}
			e.entry.SetText(f.value(s.saved))
			e.entry.OnChanged = func(string) { s.entryChanged(e) }
			s.edits = append(s.edits, e)
			form.Add(widget.NewLabel(f.label))
			form.Add(container.NewVBox(e.entry, e.message))
			continue
		}
		v := f.value(s.saved)
		if v == "" {
			continue
		}
		l := widget.NewLabel(v)
		l.Wrapping = fyne.TextWrapWord
		s.ro[f.name] = l
		name := widget.NewLabel(f.label)
		form.Add(name)
		form.Add(l)
	}

	s.save = widget.NewButton(lang.L("Enregistrer"), s.tapSave)
	s.save.Importance = widget.HighImportance
	s.cancel = widget.NewButton(lang.L("Annuler"), s.tapCancel)
	s.message = newMessageLabel(widget.MediumImportance)

	s.content = container.NewVScroll(container.NewPadded(container.NewVBox(
		title,
		intro,
		form,
		container.NewHBox(layout.NewSpacer(), s.cancel, s.save),
		s.message,
	)))
	return s
}

// check returns a copy of the saved fiche with the entries' values, and
// the French message of each refused value by field name.
func (s *ficheScreen) check() (*data.Professional, map[string]string) {
	cp := *s.saved
	errs := map[string]string{}
	for _, e := range s.edits {
		text := strings.TrimSpace(e.entry.Text)
		if e.field.name == "capacity" && text == "" {
			text = "0"
		}
		if e.field.name == "structure_name" && text == "" {
			errs[e.field.name] = lang.L("Indiquez le nom de la structure.")
			continue
		}
		if err := data.SetProfessionalField(&cp, e.field.name, text); err != nil {
			errs[e.field.name] = errorMessage(err)
		}
	}
	return &cp, errs
}

// hasUnsavedChanges reports whether an entry differs from the saved fiche
// (a value written differently but stored the same, such as a phone number
// with or without spaces, is no change).
func (s *ficheScreen) hasUnsavedChanges() bool {
	edited, errs := s.check()
	if len(errs) > 0 {
		return true
	}
	before, after := data.ProfessionalFields(s.saved), data.ProfessionalFields(edited)
	for _, e := range s.edits {
		if before[e.field.name] != after[e.field.name] {
			return true
		}
	}
	return false
}

// entryChanged clears the previous result, and rechecks a field that
// showed an error so that the message goes as soon as it is corrected.
func (s *ficheScreen) entryChanged(e *ficheEdit) {
	setMessage(s.message, "")
	if !e.message.Visible() {
		return
	}
	_, errs := s.check()
	setMessage(e.message, errs[e.field.name])
}

// tapSave checks every entry, showing each refusal next to its field, then
// saves the fiche (locally first: it works offline).
func (s *ficheScreen) tapSave() {
	edited, errs := s.check()
	for _, e := range s.edits {
		setMessage(e.message, errs[e.field.name])
	}
	if len(errs) > 0 {
		s.showResult(lang.L("Corrigez les champs signalés puis recommencez."), widget.DangerImportance)
		return
	}
	if !s.hasUnsavedChanges() {
		s.showResult(lang.L("Aucune modification à enregistrer."), widget.MediumImportance)
		return
	}
	s.save.Disable()
	var err error
	online := false
	background(func() {
		ctx, cancel := serviceContext()
		defer cancel()
		if err = s.svc.SaveFiche(ctx, edited); err == nil {
			st := s.svc.State()
			online = st.Online && st.LoggedIn
		}
	}, func() {
		s.save.Enable()
		if err != nil {
			byField := fieldErrors(err)
			for _, e := range s.edits {
				setMessage(e.message, byField[e.field.name])
			}
			s.showResult(errorMessage(err), widget.DangerImportance)
			return
		}
		s.saved = edited
		s.fill()
		if online {
			s.showResult(lang.L("Votre fiche est enregistrée."), widget.SuccessImportance)
		} else {
			s.showResult(lang.L("Enregistré sur cet ordinateur ; sera envoyé à la prochaine connexion."), widget.WarningImportance)
		}
		call(s.onSaved)
	})
}

// tapCancel puts the saved values back.
func (s *ficheScreen) tapCancel() {
	s.fill()
	setMessage(s.message, "")
}

// fill shows the saved fiche in the entries and clears their errors.
func (s *ficheScreen) fill() {
	for _, e := range s.edits {
		e.entry.SetText(e.field.value(s.saved))
		setMessage(e.message, "")
	}
}

// showResult shows text under the buttons with the given importance.
func (s *ficheScreen) showResult(text string, importance widget.Importance) {
	s.message.Importance = importance
	setMessage(s.message, text)
}
