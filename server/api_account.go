package server

import (
	"net/http"

	"espacepro/data"
	"espacepro/sync/wire"
)

func (s *Server) loginResponse(token string, acc *data.Account, p *data.Professional, mustChange bool) wire.LoginResponse {
	res := wire.LoginResponse{Token: token, MustChangePassword: mustChange, Account: wire.AccountOf(acc),
		IdleTimeout: int(data.SessionIdle.Seconds())}
	if p != nil {
		res.Professional = wire.ProfessionalOf(p)
	}
	return res
}

func (s *Server) handleLogin(w http.ResponseWriter, r *http.Request) {
	var in wire.LoginRequest
	if err := decode(w, r, &in); err != nil {
		s.writeError(w, r, err)
		return
	}
	res, err := s.svc.Login(r.Context(), in.Email, in.Password, clientAddress(r))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, s.loginResponse(res.Token, res.Account, res.Professional, res.MustChangePassword))
}

func (s *Server) handleLogout(w http.ResponseWriter, r *http.Request) {
	if err := s.svc.Logout(r.Context(), caller(r)); err != nil {
		s.writeError(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (s *Server) handleMe(w http.ResponseWriter, r *http.Request) {
	c := caller(r)
	var p *data.Professional
	if c.Account.Role.IsProfessional() {
		var err error
		if p, err = s.svc.store.FindProfessionalByID(r.Context(), c.Account.ProfessionalID); err != nil {
			s.writeError(w, r, err)
			return
		}
	}
	writeJSON(w, http.StatusOK, s.loginResponse("", c.Account, p, c.Session.Restricted))
}

func (s *Server) handlePasswordChange(w http.ResponseWriter, r *http.Request) {
	var in wire.PasswordChange
	if err := decode(w, r, &in); err != nil {
		s.writeError(w, r, err)
		return
	}
	c := caller(r)
	token, err := s.svc.ChangePassword(r.Context(), c, in.CurrentPassword, in.NewPassword)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	var p *data.Professional
	if c.Account.Role.IsProfessional() {
		p, _ = s.svc.store.FindProfessionalByID(r.Context(), c.Account.ProfessionalID)
	}
	writeJSON(w, http.StatusOK, s.loginResponse(token, c.Account, p, false))
}

// ForgotMessage is the one answer to « Mot de passe oublié ? », whether the
// address has an account or not.
const ForgotMessage = "Si un compte existe avec cette adresse, un courriel contenant un code à usage unique vient d'y être envoyé. Le code est valable 30 minutes."

func (s *Server) handlePasswordForgot(w http.ResponseWriter, r *http.Request) {
	var in wire.PasswordForgot
	if err := decode(w, r, &in); err != nil {
		s.writeError(w, r, err)
		return
	}
	if err := s.svc.ForgotPassword(r.Context(), in.Email, clientAddress(r)); err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusAccepted, wire.Message{Message: ForgotMessage})
}

func (s *Server) handlePasswordReset(w http.ResponseWriter, r *http.Request) {
	var in wire.PasswordReset
	if err := decode(w, r, &in); err != nil {
		s.writeError(w, r, err)
		return
	}
	if err := s.svc.ResetPassword(r.Context(), in.Email, in.Code, in.NewPassword, clientAddress(r)); err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, wire.Message{Message: "Votre nouveau mot de passe est enregistré : vous pouvez vous connecter."})
}
