package server

import (
	"net/http"
	"time"

	"espacepro/data"
	"espacepro/sync/wire"
)

func (s *Server) handleCafRequests(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	f := data.RequestFilter{State: data.RequestState(q.Get("state")), Unmatched: q.Get("unmatched") == "true",
		Name: q.Get("q")}
	f.Offset, f.Limit = pageOf(r)
	list, total, err := s.svc.FindRequests(r.Context(), caller(r), f)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	page := wire.Page[*wire.Request]{Total: total, Offset: f.Offset, Items: []*wire.Request{}}
	for _, x := range list {
		page.Items = append(page.Items, wire.RequestOf(x))
	}
	writeJSON(w, http.StatusOK, page)
}

func (s *Server) handleCafRequest(w http.ResponseWriter, r *http.Request) {
	x, err := s.svc.Request(r.Context(), caller(r), r.PathValue("id"))
	s.writeRequest(w, r, x, err)
}

func (s *Server) writeRequest(w http.ResponseWriter, r *http.Request, x *data.Request, err error) {
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, wire.RequestOf(x))
}

func (s *Server) handleCafMatch(w http.ResponseWriter, r *http.Request) {
	var in wire.Match
	if err := decode(w, r, &in); err != nil {
		s.writeError(w, r, err)
		return
	}
	x, err := s.svc.MatchRequest(r.Context(), caller(r), r.PathValue("id"), in.ProfessionalID)
	s.writeRequest(w, r, x, err)
}

func (s *Server) handleCafLetter(w http.ResponseWriter, r *http.Request) {
	pdf, x, err := s.svc.Letter(r.Context(), caller(r), r.PathValue("id"))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "application/pdf")
	w.Header().Set("Content-Disposition", `attachment; filename="courrier-habilitation-`+x.ID[len(x.ID)-8:]+`.pdf"`)
	w.Header().Set("Cache-Control", "no-store")
	w.Write(pdf)
}

func (s *Server) handleCafLetterSent(w http.ResponseWriter, r *http.Request) {
	var in wire.LetterSent
	if err := decode(w, r, &in); err != nil {
		s.writeError(w, r, err)
		return
	}
	x, err := s.svc.MarkLetterSent(r.Context(), caller(r), r.PathValue("id"), in.SendMail)
	s.writeRequest(w, r, x, err)
}

func (s *Server) handleCafAgreement(w http.ResponseWriter, r *http.Request) {
	x, err := s.svc.RecordAgreement(r.Context(), caller(r), r.PathValue("id"))
	s.writeRequest(w, r, x, err)
}

func (s *Server) handleCafValidate(w http.ResponseWriter, r *http.Request) {
	res, err := s.svc.ValidateRequest(r.Context(), caller(r), r.PathValue("id"))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, wire.ValidateResponse{Request: wire.RequestOf(res.Request),
		Account: wire.AccountOf(res.Account), MailSent: res.MailSent})
}

func (s *Server) handleCafRefuse(w http.ResponseWriter, r *http.Request) {
	var in wire.Reason
	if err := decode(w, r, &in); err != nil {
		s.writeError(w, r, err)
		return
	}
	x, err := s.svc.RefuseRequest(r.Context(), caller(r), r.PathValue("id"), in.Reason)
	s.writeRequest(w, r, x, err)
}

func (s *Server) handleCafProfessionals(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	f := data.ProfessionalFilter{Name: q.Get("q"), PostalCode: q.Get("postal_code"),
		CommuneINSEE: q.Get("commune"), AgrementNumber: q.Get("agrement_number"),
		Kind: data.Kind(q.Get("kind")), Listing: data.Listing(q.Get("listing")),
		Habilitation: data.Habilitation(q.Get("habilitation"))}
	f.Offset, f.Limit = pageOf(r)
	list, total, err := s.svc.FindProfessionals(r.Context(), caller(r), f)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	page := wire.Page[*wire.Professional]{Total: total, Offset: f.Offset, Items: []*wire.Professional{}}
	for _, p := range list {
		page.Items = append(page.Items, wire.ProfessionalOf(p))
	}
	writeJSON(w, http.StatusOK, page)
}

func (s *Server) writeProfessional(w http.ResponseWriter, r *http.Request, p *data.Professional, err error) {
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, wire.ProfessionalOf(p))
}

func (s *Server) handleCafProfessional(w http.ResponseWriter, r *http.Request) {
	p, err := s.svc.Professional(r.Context(), caller(r), r.PathValue("id"))
	s.writeProfessional(w, r, p, err)
}

func (s *Server) handleCafSuspend(w http.ResponseWriter, r *http.Request) {
	var in wire.Reason
	if err := decode(w, r, &in); err != nil {
		s.writeError(w, r, err)
		return
	}
	p, err := s.svc.SuspendHabilitation(r.Context(), caller(r), r.PathValue("id"), in.Reason)
	s.writeProfessional(w, r, p, err)
}

func (s *Server) handleCafReactivate(w http.ResponseWriter, r *http.Request) {
	p, err := s.svc.ReactivateHabilitation(r.Context(), caller(r), r.PathValue("id"))
	s.writeProfessional(w, r, p, err)
}

func (s *Server) handleCafRevoke(w http.ResponseWriter, r *http.Request) {
	var in wire.Reason
	if err := decode(w, r, &in); err != nil {
		s.writeError(w, r, err)
		return
	}
	p, err := s.svc.RevokeHabilitation(r.Context(), caller(r), r.PathValue("id"), in.Reason)
	s.writeProfessional(w, r, p, err)
}

func (s *Server) handleCafPasswordReset(w http.ResponseWriter, r *http.Request) {
	if err := s.svc.SendPasswordReset(r.Context(), caller(r), r.PathValue("id")); err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusAccepted, wire.Message{Message: "Un courriel contenant un code pour choisir un nouveau mot de passe a été envoyé à la personne."})
}

func (s *Server) handleCafAudit(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	f := data.AuditFilter{ActorID: q.Get("actor"), TargetID: q.Get("target"), Action: q.Get("action")}
	for _, p := range []struct {
		name string
		into *time.Time
	}{{"since", &f.Since}, {"until", &f.Until}} {
		if v := q.Get(p.name); v != "" {
			d, err := data.ParseDate(v)
			if err != nil {
				s.writeError(w, r, err)
				return
			}
			if p.name == "until" {
				d = d.AddDays(1) // the whole day given is included
			}
			*p.into = d.Time(data.DepartmentLocation(""))
		}
	}
	f.Offset, f.Limit = pageOf(r)
	list, total, err := s.svc.Audit(r.Context(), caller(r), f)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	page := wire.Page[wire.AuditEntry]{Total: total, Offset: f.Offset, Items: []wire.AuditEntry{}}
	for _, e := range list {
		page.Items = append(page.Items, wire.AuditEntryOf(e))
	}
	writeJSON(w, http.StatusOK, page)
}
