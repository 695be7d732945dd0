package ui

import (
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/lang"

	"espacepro/data"
	"espacepro/sync/wire"
)

// The session: logging in (online, or unlocking the local copy offline),
// the forced first change of password, the screens reached from the login
// screen, the session prompt when it ends, logging out, and the loops that
// sync and refresh the status while logged in.

// showLogin shows the login screen.
func (u *appUI) showLogin() {
	u.stopLoops()
	u.account, u.offline, u.home, u.avail = nil, false, nil, nil
	u.login = newLoginScreen(u.settings.ServerURL)
	u.login.email.SetText(u.app.Preferences().String(prefLastEmail))
	u.login.onLogin = u.onLogin
	u.login.onRequestHabilitation = func() {
		s := newRequestScreen(u.svc, u.window)
		s.onClose = u.showLogin
		u.show(narrow(s.content), nil)
	}
	u.login.onChangePassword = u.onChangePasswordFromLogin
	u.login.onForgotPassword = func() {
		s := newForgotPasswordScreen(u.svc, u.window)
		s.onCancel = u.showLogin
		s.onDone = func() {
			// Back to the login with the address the code went to.
			u.showLogin()
			if email := strings.TrimSpace(s.email.Text); email != "" {
				u.login.email.SetText(email)
				u.window.Canvas().Focus(u.login.password)
			}
		}
		u.show(narrow(s.content), nil)
	}
	u.login.onSettings = u.showSetup
	u.show(narrow(u.login.content), nil)
	u.window.Canvas().Focus(u.login.email)
}

// onLogin logs in with the service; when it cannot be reached, the local
// copy is unlocked instead (after one online login on this computer).
func (u *appUI) onLogin(email, password string) {
	u.loginThen(email, password, true, func(res *wire.LoginResponse) {
		if res.MustChangePassword {
			u.showPasswordChange(true)
			return
		}
		u.enterHome()
	})
}

// loginThen logs in and calls next with the answer (online); when the
// service cannot be reached and offline is true, it unlocks the local copy
// and enters the home screen offline.
func (u *appUI) loginThen(email, password string, offline bool, next func(*wire.LoginResponse)) {
	u.login.setBusy(true)
	var (
		res      *wire.LoginResponse
		acc      *wire.Account
		err      error
		unlocked bool
	)
	background(func() {
		ctx, cancel := serviceContext()
		defer cancel()
		res, err = u.svc.Login(ctx, email, password)
		if offline && data.ErrorCode(err) == data.EUNAVAILABLE {
			var uerr error
			if acc, uerr = u.svc.Unlock(ctx, email, password); uerr == nil {
				unlocked = true
			} else if data.ErrorCode(uerr) == data.EUNAUTHORIZED && acc == nil {
				err = uerr
			}
		}
	}, func() {
		u.login.setBusy(false)
		switch {
		case unlocked:
			u.app.Preferences().SetString(prefLastEmail, email)
			u.account, u.offline = acc, true
			u.enterHome()
		case err != nil:
			u.login.password.SetText("")
			u.login.showMessage(errorMessage(err))
		default:
			u.app.Preferences().SetString(prefLastEmail, email)
			u.account, u.offline = res.Account, false
			next(res)
		}
	})
}

// onChangePasswordFromLogin: « Modifier votre mot de passe » on the login
// screen logs in with the typed address and current password, then opens
// the change screen.
func (u *appUI) onChangePasswordFromLogin() {
	email, password := u.login.typed()
	if email == "" || password == "" {
		u.login.showMessage(lang.L("Pour modifier votre mot de passe, saisissez votre adresse électronique et votre mot de passe actuel, puis cliquez sur « Modifier votre mot de passe »."))
		return
	}
	u.loginThen(email, password, false, func(res *wire.LoginResponse) {
		u.showPasswordChange(res.MustChangePassword)
	})
}

// showPasswordChange shows the change screen; forced at the first login.
func (u *appUI) showPasswordChange(forced bool) {
	s := newPasswordChangeScreen(u.svc, u.window, forced)
	s.onDone = func(*wire.LoginResponse) {
		dialog.ShowInformation(lang.L("Modifier votre mot de passe"), lang.L("Votre mot de passe a été modifié."), u.window)
		u.enterHome()
	}
	s.onCancel = func() {
		if u.home != nil {
			u.show(u.home.content, u.home.leave)
			return
		}
		u.enterHome()
	}
	u.show(narrow(s.content), nil)
}

// enterHome opens the home screen of the logged-in account, after checking
// her habilitation in the local copy (the service checks it at an online
// login; offline the copy's last known state decides).
func (u *appUI) enterHome() {
	acc := u.account
	if acc == nil {
		u.showLogin()
		return
	}
	role := data.Role(acc.Role)
	if role == data.RoleAdmin {
		u.logoutWith(lang.L("Les administrateurs nationaux utilisent la ligne de commande du serveur, pas cette application."))
		return
	}
	if !role.IsProfessional() {
		u.openHome(nil)
		return
	}
	var (
		p   *data.Professional
		err error
	)
	background(func() {
		ctx, cancel := serviceContext()
		defer cancel()
		p, err = u.svc.Professional(ctx, acc.ProfessionalID)
	}, func() {
		switch {
		case err != nil:
			u.logoutWith(errorMessage(err))
		case p.Habilitation != data.HabilitationActive || p.Listing != data.Listed:
			u.logoutWith(habilitationMessage(p))
		default:
			u.openHome(p)
		}
	})
}

// habilitationMessage says why p may not update her availability.
func habilitationMessage(p *data.Professional) string {
	switch {
	case p.Listing != data.Listed:
		return lang.L("Vous n'êtes plus inscrit(e) sur la liste transmise par la PMI : votre habilitation n'est plus valide. Rapprochez-vous de la Caf de votre département.")
	case p.Habilitation == data.HabilitationSuspended:
		return lang.L("Votre habilitation est suspendue par votre Caf : vous ne pouvez pas mettre à jour vos disponibilités. Rapprochez-vous de la Caf de votre département.")
	case p.Habilitation == data.HabilitationRevoked:
		return lang.L("Votre habilitation a été retirée par votre Caf. Rapprochez-vous de la Caf de votre département.")
	default:
		return lang.L("Votre habilitation n'est pas ou plus valide. Rapprochez-vous de la Caf de votre département.")
	}
}

// logoutWith ends the session and shows msg on the login screen.
func (u *appUI) logoutWith(msg string) {
	background(func() {
		ctx, cancel := serviceContext()
		defer cancel()
		_ = u.svc.Logout(ctx)
	}, func() {
		u.showLogin()
		u.login.showMessage(msg)
	})
}

// logout asks about unsaved edits, then ends the session.
func (u *appUI) logout() {
	u.confirmLeave(func() {
		pending := u.svc.State().Pending
		background(func() {
			ctx, cancel := serviceContext()
			defer cancel()
			if !u.offline {
				_, _ = u.svc.Sync(ctx) // send what waits while the session is open
			}
			_ = u.svc.Logout(ctx)
		}, func() {
			u.showLogin()
			if n := u.svc.State().Pending; n > 0 || (pending > 0 && u.offline) {
				u.login.showMessage(lang.L("Vos modifications non envoyées sont gardées sur cet ordinateur : elles partiront à votre prochaine connexion en ligne."))
			}
		})
	})
}

// syncNow runs one sync (when logged in online) and refreshes the home.
func (u *appUI) syncNow() {
	if u.home == nil {
		return
	}
	u.home.setSyncing(true)
	var err error
	background(func() {
		ctx, cancel := serviceContext()
		defer cancel()
		_, err = u.svc.Sync(ctx)
	}, func() {
		if u.home == nil {
			return
		}
		u.home.setSyncing(false)
		if err == nil {
			u.offline = false
		}
		u.refreshStatus()
		u.home.reload()
	})
}

// refreshStatus shows the sync status, and asks for the password when the
// session has ended.
func (u *appUI) refreshStatus() {
	if u.home == nil {
		return
	}
	st := u.svc.State()
	u.home.showStatus(st, u.offline)
	if st.SessionOver && !u.reauthOn && u.account != nil {
		u.reauth()
	}
}

// reauth asks for the password again after the session ended; what is on
// screen stays as it is.
func (u *appUI) reauth() {
	u.reauthOn = true
	showReauthDialog(u.window, u.account.Email, func(password string, done func(error)) {
		var err error
		background(func() {
			ctx, cancel := serviceContext()
			defer cancel()
			_, err = u.svc.Login(ctx, u.account.Email, password)
		}, func() {
			done(err)
			if err == nil {
				u.reauthOn = false
				u.offline = false
				u.syncNow()
			}
		})
	})
}

// startLoops starts, while logged in, a sync every cfg.SyncEvery and a
// status refresh every second.
func (u *appUI) startLoops() {
	u.stopLoops()
	if u.cfg.SyncEvery < 0 {
		return
	}
	stop := make(chan struct{})
	u.stop = stop
	go func() {
		status := time.NewTicker(time.Second)
		syncs := time.NewTicker(u.cfg.SyncEvery)
		defer status.Stop()
		defer syncs.Stop()
		for {
			select {
			case <-stop:
				return
			case <-status.C:
				fyne.Do(u.refreshStatus)
			case <-syncs.C:
				fyne.Do(u.syncNow)
			}
		}
	}()
}

func (u *appUI) stopLoops() {
	if u.stop != nil {
		close(u.stop)
		u.stop = nil
	}
}
