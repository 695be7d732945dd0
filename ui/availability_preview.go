package ui

import (
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/widget"

	"espacepro/data"
)

// showPreview opens « Aperçu parents »: exactly what parents would see of
// the professional with the values on screen, saved or not.
func (s *availabilityScreen) showPreview() {
	a, _, _ := s.availabilityOf(s.current(), false)
	content := newParentPreview(s.p, a, s.today, s.hasUnsavedChanges())
	d := dialog.NewCustom(lang.L("Aperçu parents"), lang.L("Fermer"), container.NewScroll(content), s.win)
	size := s.win.Canvas().Size()
	d.Resize(fyne.NewSize(min(size.Width*0.95, 1100), min(size.Height*0.95, 760)))
	d.Show()
}

// newParentPreview lays out what parents see of p with availability a on
// civil date today, worded as the parents' page (server/templates): the
// global colour in words, then each week and dated tab either in detail or
// « disponibilités non renseignées ». It says so when parents cannot find p
// at all.
func newParentPreview(p *data.Professional, a *data.Availability, today data.Date, unsaved bool) fyne.CanvasObject {
	rows := []fyne.CanvasObject{
		wrappedLabel(lang.L("Voici ce que les parents voient de vous dans leur recherche, avec les valeurs affichées à l'écran.")),
	}
	if unsaved {
		rows = append(rows, wrappedLabel(lang.L("Ces valeurs ne sont pas encore enregistrées : les parents ne les verront qu'après « Valider » et l'envoi au serveur.")))
	}
	if !p.VisibleToParents() {
		rows = append(rows,
			heading(lang.L("Vous n'apparaissez pas dans la recherche des parents")),
			wrappedLabel(parentHiddenReason(p)))
		return container.NewVBox(rows...)
	}
	if p.Habilitation != data.HabilitationActive {
		rows = append(rows, wrappedLabel(lang.L("Votre habilitation n'est pas active : les parents voient vos disponibilités comme non renseignées.")))
	}
	view := data.PublicView(p, a, today)
	rows = append(rows, widget.NewSeparator(), heading(p.DisplayName()), widget.NewLabel(parentKindLabel(p)))
	rows = append(rows, parentFicheLines(p)...)

	colour := widget.NewRichText(
		&widget.TextSegment{Text: lang.L(view.Colour.ParentLabel()), Style: widget.RichTextStyleStrong},
		&widget.TextSegment{Text: " — " + lang.L(view.Colour.ParentSentence()), Style: widget.RichTextStyleInline},
	)
	rows = append(rows, container.NewHBox(colourSwatch(view.Colour), colour))

	informed := false
	for _, t := range view.Tabs {
		informed = informed || t.Informed
	}
	if !informed {
		rows = append(rows, wrappedLabel(lang.L("Détail par semaine, au 1er janvier et au 1er septembre : {{.NotInformed}}.",
			map[string]any{"NotInformed": lang.L(data.NotInformed)})))
		return container.NewVBox(rows...)
	}
	for _, t := range view.Tabs {
		title := parentTabTitle(t.Tab)
		if !t.Informed {
			rows = append(rows, wrappedLabel(lang.L("{{.Title}} : {{.NotInformed}}",
				map[string]any{"Title": title, "NotInformed": lang.L(data.NotInformed)})))
			continue
		}
		rows = append(rows, widget.NewSeparator(), heading(title))
		if text := parentPlacesText(t.Places); text != "" {
			rows = append(rows, widget.NewLabel(text))
		}
		rows = append(rows, parentTable(t))
	}
	return container.NewVBox(rows...)
}

// parentFicheLines returns the fiche as the parents' page shows it: the
// address, the phone, the places agreed (a childminder) or the capacity and
// opening hours (a structure). Never the e-mail address.
func parentFicheLines(p *data.Professional) []fyne.CanvasObject {
	var lines []string
	address := strings.TrimSpace(p.Address.PostalCode + " " + p.Address.CommuneName)
	if street := p.Address.Line(); street != "" {
		address = street + ", " + address
	}
	lines = append(lines, lang.L("Adresse : {{.Address}}", map[string]any{"Address": address}))
	if p.Phone != "" {
		lines = append(lines, lang.L("Téléphone : {{.Phone}}", map[string]any{"Phone": data.FormatPhone(p.Phone)}))
	}
	if p.Kind == data.KindStructure {
		if p.Capacity > 0 {
			lines = append(lines, lang.L("Capacité d'accueil : {{.N}} places", map[string]any{"N": p.Capacity}))
		}
		if p.OpeningHours != "" {
			lines = append(lines, lang.L("Horaires : {{.Hours}}", map[string]any{"Hours": p.OpeningHours}))
		}
	} else {
		lines = append(lines, lang.L("Places agréées : {{.N}}", map[string]any{"N": p.PlacesAgreed}))
	}
	out := make([]fyne.CanvasObject, len(lines))
	for i, l := range lines {
		out[i] = wrappedLabel(l)
	}
	return out
}

// parentHiddenReason says why parents cannot find p.
func parentHiddenReason(p *data.Professional) string {
	switch {
	case p.Listing != data.Listed:
		return lang.L("Vous n'êtes plus inscrit(e) sur la liste transmise par la PMI de votre département. Rapprochez-vous de la Caf de votre département.")
	case p.Habilitation == data.HabilitationSuspended:
		return lang.L("Votre habilitation est suspendue par votre Caf. Contactez la Caf de votre département pour la faire réactiver.")
	default:
		return lang.L("Votre habilitation a été retirée par votre Caf. Contactez la Caf de votre département si vous pensez qu'il s'agit d'une erreur.")
	}
}

// parentKindLabel names what p is, as the parents' page does.
func parentKindLabel(p *data.Professional) string {
	switch {
	case p.Kind == data.KindStructure:
		return lang.L("Structure d'accueil")
	case p.Civility == data.CivilityM:
		return lang.L("Assistant maternel")
	}
	return lang.L("Assistante maternelle")
}

// parentTabTitle is a tab's title on the parents' page: « Semaine courante :
// du lundi 30/11/2026 au dimanche 06/12/2026 », « Au 01/01/2027 ».
func parentTabTitle(t data.Tab) string {
	if t.Kind == data.TabDated {
		return lang.L("Au {{.Date}}", map[string]any{"Date": t.Date.French()})
	}
	return lang.L("{{.Tab}} : du lundi {{.Start}} au dimanche {{.End}}", map[string]any{
		"Tab": availabilityTabLabel(t), "Start": t.Date.French(), "End": t.Date.AddDays(6).French(),
	})
}

// parentPlacesText returns « 2 places disponibles annoncées », or "".
func parentPlacesText(n data.Places) string {
	switch {
	case n == nil:
		return ""
	case *n == 0:
		return lang.L("Aucune place disponible annoncée")
	case *n == 1:
		return lang.L("1 place disponible annoncée")
	}
	return lang.L("{{.N}} places disponibles annoncées", map[string]any{"N": *n})
}

// parentTable shows an informed tab's detail, read only: the time slots by
// day for a week, one value per day for a dated tab.
func parentTable(t data.PublicTab) fyne.CanvasObject {
	objects := []fyne.CanvasObject{widget.NewLabelWithStyle(lang.L("Créneau"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true})}
	if t.Kind == data.TabDated {
		objects[0] = widget.NewLabelWithStyle(lang.L("Jour"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	}
	for d := range data.DaysPerWeek {
		head := lang.L(data.DayNames[d])
		if t.Kind == data.TabWeek {
			head += "\n" + t.Date.AddDays(d).French()[:5]
		}
		objects = append(objects, widget.NewLabelWithStyle(head, fyne.TextAlignCenter, fyne.TextStyle{Bold: true}))
	}
	switch {
	case t.Grid != nil:
		for slot, label := range data.SlotLabels {
			objects = append(objects, widget.NewLabel(lang.L(label)))
			for d := range data.DaysPerWeek {
				objects = append(objects, newSlotBadge(t.Grid[d][slot]))
			}
		}
	case t.Days != nil:
		objects = append(objects, widget.NewLabel(lang.L("Toute la journée")))
		for d := range data.DaysPerWeek {
			objects = append(objects, newSlotBadge(t.Days[d]))
		}
	}
	return container.New(&slotTableLayout{cols: data.DaysPerWeek + 1}, objects...)
}
