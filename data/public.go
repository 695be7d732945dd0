package data

// NotInformed is what parents read for a tab whose detail they may not see.
const NotInformed = "disponibilités non renseignées"

// PublicTab is one weekly or dated tab as parents see it.
type PublicTab struct {
	Tab
	Informed bool      // false: parents read NotInformed
	Grid     *WeekGrid // a week's detail when Informed
	Days     *WeekDays // a dated tab's detail when Informed
	Places   Places    // the places announced, when Informed and given
}

// PublicAvailability is exactly what parents may see of a professional.
type PublicAvailability struct {
	Colour Colour
	Tabs   []PublicTab // the four weeks then the two dated tabs, as on the desktop
}

// PublicView is the one function that says what a parent may see of p's
// availability a on civil date today (SPEC §5): the global colour, and the
// detail of a weekly or dated tab only when the colour is green and that tab
// says « Utiliser les informations ci-dessous ». A professional without an
// active habilitation shows grey with nothing informed: her data is not kept
// up to date. Callers check VisibleToParents first; a is nil when nothing was
// ever entered. The desktop's « Aperçu parents » and the public search both
// use it.
func PublicView(p *Professional, a *Availability, today Date) PublicAvailability {
	view := PublicAvailability{Colour: ColourGrey}
	active := p.Habilitation == HabilitationActive && p.Listing == Listed
	if active && a != nil && a.Global.Valid() {
		view.Colour = a.Global
	}
	detail := view.Colour == ColourGreen
	for _, tab := range AvailabilityTabs(today)[1:] {
		pt := PublicTab{Tab: tab}
		switch tab.Kind {
		case TabWeek:
			if w, ok := a.weekIfUsed(tab.Date); detail && ok {
				pt.Informed, pt.Grid, pt.Places = true, &w.Grid, clonePlaces(w.Places)
			}
		case TabDated:
			if d, ok := a.datedIfUsed(tab.Date); detail && ok {
				pt.Informed, pt.Days, pt.Places = true, &d.Days, clonePlaces(d.Places)
			}
		}
		view.Tabs = append(view.Tabs, pt)
	}
	return view
}

func (a *Availability) weekIfUsed(monday Date) (Week, bool) {
	if a == nil {
		return Week{}, false
	}
	w, ok := a.WeekOf(monday)
	return w, ok && w.Use
}

func (a *Availability) datedIfUsed(d Date) (Dated, bool) {
	if a == nil {
		return Dated{}, false
	}
	x, ok := a.DatedOf(d)
	return x, ok && x.Use
}

func clonePlaces(p Places) Places {
	if p == nil {
		return nil
	}
	n := *p
	return &n
}
