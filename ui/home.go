package ui

import (
	"strconv"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/widget"

	"espacepro/data"
	"espacepro/sync/client"
	"espacepro/sync/wire"
)

// homeScreen frames the screens of a logged-in user: her name at the top
// right, the sync status always visible (online or not, edits waiting, last
// sync), the notices of conflicts and refused edits, and her screens.
type homeScreen struct {
	content fyne.CanvasObject

	name      *widget.Label
	status    *widget.Label
	problem   *widget.Label // the last sync error, when there is one
	syncNow   *widget.Button
	reconnect *widget.Button
	notices   *widget.Button
	logout    *widget.Button
	tabs      *container.AppTabs // nil for a childminder (one screen)

	reloaders []func()          // screens to re-read after a sync
	leave     func(then func()) // asks before leaving with unsaved edits

	onSync, onReconnect, onNotices, onLogout func()
}

// newHomeScreen frames body for acc.
func newHomeScreen(acc *wire.Account, body fyne.CanvasObject) *homeScreen {
	h := &homeScreen{}
	h.name = widget.NewLabelWithStyle(strings.TrimSpace(acc.FirstName+" "+strings.ToUpper(acc.LastName)), fyne.TextAlignTrailing, fyne.TextStyle{Bold: true})
	h.status = widget.NewLabel("")
	h.status.Wrapping = fyne.TextWrapWord
	h.problem = newMessageLabel(widget.WarningImportance)
	h.syncNow = widget.NewButton(lang.L("Synchroniser"), func() { call(h.onSync) })
	h.reconnect = widget.NewButton(lang.L("Se reconnecter"), func() { call(h.onReconnect) })
	h.reconnect.Importance = widget.HighImportance
	h.reconnect.Hide()
	h.notices = widget.NewButton("", func() { call(h.onNotices) })
	h.notices.Importance = widget.WarningImportance
	h.notices.Hide()
	h.logout = widget.NewButton(lang.L("Se déconnecter"), func() { call(h.onLogout) })

	title := widget.NewLabelWithStyle(lang.L("Espace professionnel"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	top := container.NewBorder(nil, nil, title, container.NewHBox(h.name, h.logout))
	bar := container.NewBorder(nil, nil, nil, container.NewHBox(h.notices, h.reconnect, h.syncNow), h.status)
	h.content = container.NewBorder(
		container.NewVBox(top, widget.NewSeparator()),
		container.NewVBox(widget.NewSeparator(), h.problem, bar),
		nil, nil, body)
	return h
}

// showStatus shows st; offline says the copy was unlocked without the
// service.
func (h *homeScreen) showStatus(st client.Status, offline bool) {
	var parts []string
	switch {
	case st.SessionOver:
		parts = append(parts, lang.L("Session expirée"))
	case st.LoggedIn && st.Online && !offline:
		parts = append(parts, lang.L("En ligne"))
	default:
		parts = append(parts, lang.L("Hors connexion"))
	}
	switch {
	case st.Pending == 0:
		parts = append(parts, lang.L("toutes vos modifications sont envoyées"))
	case st.Pending == 1:
		parts = append(parts, lang.L("1 modification en attente d'envoi"))
	default:
		parts = append(parts, lang.L("{{.N}} modifications en attente d'envoi", map[string]any{"N": st.Pending}))
	}
	if st.LastSuccess.IsZero() {
		parts = append(parts, lang.L("jamais synchronisé sur cet ordinateur"))
	} else {
		t := st.LastSuccess.Local()
		parts = append(parts, lang.L("dernière synchronisation le {{.Date}} à {{.Time}}",
			map[string]any{"Date": t.Format("02/01/2006"), "Time": t.Format("15:04")}))
	}
	h.status.SetText(strings.Join(parts, " · "))
	setMessage(h.problem, st.LastError)
	if st.SessionOver || !st.LoggedIn || offline {
		h.reconnect.Show()
	} else {
		h.reconnect.Hide()
	}
	if n := st.Conflicts + st.Rejected; n > 0 {
		h.notices.SetText(lang.L("Avis ({{.N}})", map[string]any{"N": n}))
		h.notices.Show()
	} else {
		h.notices.Hide()
	}
}

// setSyncing disables the sync button while a sync runs.
func (h *homeScreen) setSyncing(on bool) {
	if on {
		h.syncNow.Disable()
		h.syncNow.SetText(lang.L("Synchronisation…"))
	} else {
		h.syncNow.Enable()
		h.syncNow.SetText(lang.L("Synchroniser"))
	}
}

// reload re-reads the screens after a sync.
func (h *homeScreen) reload() {
	for _, r := range h.reloaders {
		r()
	}
}

// openHome builds the home of the logged-in account: p is her fiche for a
// professional, nil for a Caf agent.
func (u *appUI) openHome(p *data.Professional) {
	var (
		body      fyne.CanvasObject
		reloaders []func()
		leave     func(then func())
	)
	if p != nil {
		av := newAvailabilityScreen(u.svc, u.window, p, u.cfg.Now)
		av.onSaved = u.afterLocalSave
		u.avail = av
		reloaders, leave, body = []func(){av.reload}, av.confirmLeave, av.content
		if p.Kind == data.KindStructure {
			fiche := newFicheScreen(u.svc, u.window, p)
			fiche.onSaved = u.afterLocalSave
			body = container.NewAppTabs(
				container.NewTabItem(lang.L("Mes disponibilités"), av.content),
				container.NewTabItem(lang.L("Ma fiche structure"), fiche.content))
			leave = func(then func()) {
				av.confirmLeave(func() {
					if !fiche.hasUnsavedChanges() {
						then()
						return
					}
					dialog.ShowConfirm(lang.L("Modifications non enregistrées"),
						lang.L("Votre fiche a des modifications non enregistrées. Les abandonner ?"),
						func(ok bool) {
							if ok {
								then()
							}
						}, u.window)
				})
			}
		}
	} else {
		requests := newAgentRequestsScreen(u.svc, u.window)
		register := newRegisterScreen(u.svc, u.window)
		imports := newImportScreen(u.svc, u.window)
		audit := newAuditScreen(u.svc, u.window)
		requests.onActionQueued = u.afterLocalSave
		register.onAction = u.afterOnlineChange
		imports.onApplied = func(*wire.ImportPreview) { u.afterOnlineChange() }
		tabs := container.NewAppTabs(
			container.NewTabItem(lang.L("Demandes d'habilitation"), requests.content),
			container.NewTabItem(lang.L("Registre"), register.content),
			container.NewTabItem(lang.L("Import PMI"), imports.content),
			container.NewTabItem(lang.L("Journal"), audit.content))
		tabs.OnSelected = func(t *container.TabItem) {
			if t.Content == audit.content {
				audit.reload()
			}
		}
		reloaders, body = []func(){requests.reload, register.reload}, tabs
	}
	h := newHomeScreen(u.account, body)
	h.reloaders, h.leave = reloaders, leave
	if t, ok := body.(*container.AppTabs); ok {
		h.tabs = t
	}
	h.onSync = u.syncNow
	h.onReconnect = u.reauth
	h.onNotices = u.showNotices
	h.onLogout = u.logout
	u.home = h
	u.show(h.content, leave)
	u.refreshStatus()
	u.startLoops()
	if !u.offline {
		u.syncNow()
	}
}

// afterLocalSave runs after an edit was written to the local copy: it is
// sent at once when online.
func (u *appUI) afterLocalSave() {
	u.refreshStatus()
	if st := u.svc.State(); st.LoggedIn && !u.offline {
		u.syncNow()
	}
}

// afterOnlineChange runs after the service changed records (an action on
// the register, an import): a sync brings them into the local copy.
func (u *appUI) afterOnlineChange() {
	if st := u.svc.State(); st.LoggedIn {
		u.syncNow()
	}
}

// showNotices lists the conflicts and the refused edits, and marks the
// conflicts seen.
func (u *appUI) showNotices() {
	var (
		conflicts []data.LocalConflict
		rejected  []data.RejectedMutation
		err       error
	)
	background(func() {
		ctx, cancel := serviceContext()
		defer cancel()
		if conflicts, err = u.svc.Conflicts(ctx); err != nil {
			return
		}
		rejected, err = u.svc.Rejected(ctx)
	}, func() {
		if err != nil {
			showError(u.window, err)
			return
		}
		box := container.NewVBox()
		var unseen []string
		for _, c := range conflicts {
			l := widget.NewLabel(describeConflict(c.Conflict))
			l.Wrapping = fyne.TextWrapWord
			if !c.Seen {
				l.TextStyle.Bold = true
				unseen = append(unseen, c.ID)
			}
			box.Add(l)
		}
		for _, r := range rejected {
			l := widget.NewLabel(describeRejection(r))
			l.Wrapping = fyne.TextWrapWord
			l.Importance = widget.DangerImportance
			box.Add(l)
		}
		if len(box.Objects) == 0 {
			box.Add(widget.NewLabel(lang.L("Aucun avis.")))
		}
		scroll := container.NewVScroll(box)
		scroll.SetMinSize(fyne.NewSize(560, 320))
		d := dialog.NewCustom(lang.L("Avis de synchronisation"), lang.L("Fermer"), scroll, u.window)
		d.SetOnClosed(func() {
			if len(unseen) == 0 {
				return
			}
			background(func() {
				ctx, cancel := serviceContext()
				defer cancel()
				_ = u.svc.MarkConflictsSeen(ctx, unseen...)
			}, u.refreshStatus)
		})
		d.Show()
	})
}

// describeConflict says, in French, whose edit replaced what.
func describeConflict(c data.Conflict) string {
	return lang.L("{{.Where}} : la valeur « {{.Lost}} » saisie par {{.LostBy}} a été remplacée par « {{.Kept}} », saisie par {{.KeptBy}} (le {{.Date}} à {{.Time}}).",
		map[string]any{
			"Where": conflictPlace(c), "Lost": fieldValue(c.Field, c.LostValue), "LostBy": personOrUnknown(c.LostBy),
			"Kept": fieldValue(c.Field, c.KeptValue), "KeptBy": personOrUnknown(c.KeptBy),
			"Date": c.At.Local().Format("02/01/2006"), "Time": c.At.Local().Format("15:04"),
		})
}

func personOrUnknown(name string) string {
	if strings.TrimSpace(name) == "" {
		return lang.L("un autre poste")
	}
	return name
}

// conflictPlace names the field of a conflict: « Semaine du 30/11/2026,
// Lundi, Matinée 8h30 - 11h30 », « Disponibilité globale », « Fiche :
// téléphone »…
func conflictPlace(c data.Conflict) string {
	_, day, _ := data.SplitDateKey(c.Key)
	switch c.Entity {
	case wire.EntityAvailability:
		return lang.L("Disponibilité globale")
	case wire.EntityWeek:
		if d, s, ok := cellOf(c.Field); ok {
			return lang.L("Semaine du {{.Date}}, {{.Day}}, {{.Slot}}", map[string]any{
				"Date": day.French(), "Day": lang.L(data.DayNames[d]), "Slot": lang.L(data.SlotLabels[s])})
		}
		return lang.L("Semaine du {{.Date}}", map[string]any{"Date": day.French()}) + " (" + fieldName(c.Field) + ")"
	case wire.EntityDated:
		if strings.HasPrefix(c.Field, "d") && len(c.Field) == 2 {
			if d, err := strconv.Atoi(c.Field[1:]); err == nil && d < data.DaysPerWeek {
				return lang.L("Au {{.Date}}, {{.Day}}", map[string]any{"Date": day.French(), "Day": lang.L(data.DayNames[d])})
			}
		}
		return lang.L("Au {{.Date}}", map[string]any{"Date": day.French()}) + " (" + fieldName(c.Field) + ")"
	default:
		return lang.L("Fiche : {{.Field}}", map[string]any{"Field": fieldName(c.Field)})
	}
}

// cellOf reads a week field name c<day><slot>.
func cellOf(field string) (day, slot int, ok bool) {
	if len(field) != 3 || field[0] != 'c' {
		return 0, 0, false
	}
	day, slot = int(field[1]-'0'), int(field[2]-'0')
	return day, slot, day >= 0 && day < data.DaysPerWeek && slot >= 0 && slot < data.SlotsPerDay
}

// fieldValue shows a field's value as the screens do.
func fieldValue(field, value string) string {
	switch {
	case field == "global":
		return lang.L(data.Colour(value).Sentence())
	case field == "use":
		if value == "1" {
			return lang.L("Utiliser les informations ci-dessous")
		}
		return lang.L("Ne pas spécifier d'informations")
	case len(value) == 1 && (strings.HasPrefix(field, "c") || strings.HasPrefix(field, "d")) && data.SlotState(value[0]).Valid():
		return lang.L(data.SlotState(value[0]).Label())
	case value == "":
		return lang.L("(vide)")
	}
	return value
}

// fieldName names a field of the fiche or of a tab in French.
func fieldName(field string) string {
	names := map[string]string{
		"places": lang.L("nombre de places"), "use": lang.L("choix d'affichage"),
		"structure_name": lang.L("nom de la structure"), "street_number": lang.L("n° de voie"),
		"street_type": lang.L("type de voie"), "street_name": lang.L("nom de voie"),
		"postal_code": lang.L("code postal"), "commune": lang.L("commune"), "phone": lang.L("téléphone"),
		"capacity": lang.L("capacité d'accueil"), "opening_hours": lang.L("horaires d'ouverture"),
		"last_name": lang.L("nom"), "first_name": lang.L("prénom"), "email": lang.L("adresse électronique"),
	}
	if n, ok := names[field]; ok {
		return n
	}
	return field
}

// describeRejection says which edit the service refused and why.
func describeRejection(r data.RejectedMutation) string {
	what := lang.L("Une modification")
	switch r.Entity {
	case wire.EntityAvailability, wire.EntityWeek, wire.EntityDated:
		what = lang.L("Une modification de vos disponibilités")
	case wire.EntityProfessional:
		what = lang.L("Une modification de la fiche")
	case wire.EntityRequest:
		what = lang.L("Une action sur une demande d'habilitation")
	}
	return lang.L("{{.What}} faite le {{.Date}} à {{.Time}} a été refusée par le serveur : {{.Reason}}", map[string]any{
		"What": what, "Date": r.CreatedAt.Local().Format("02/01/2006"), "Time": r.CreatedAt.Local().Format("15:04"),
		"Reason": r.Message})
}
