package server

import (
	"bytes"
	"context"
	"io"
	"net/http"

	"espacepro/data"
	"espacepro/sync/wire"
)

// handleCommunes lists the communes of a postal code, for the forms.
func (s *Server) handleCommunes(w http.ResponseWriter, r *http.Request) {
	list, err := s.svc.ref.CommunesOfPostalCode(r.URL.Query().Get("postal_code"))
	if err != nil {
		s.writeError(w, r, &data.Error{Code: data.ErrorCode(err), Message: data.ErrorMessage(err),
			Fields: map[string]string{"postal_code": data.ErrorMessage(err)}})
		return
	}
	out := make([]wire.Commune, len(list))
	for i, c := range list {
		out[i] = wire.Commune{INSEE: c.INSEE, Name: c.Name, Department: c.Department, PostalCodes: c.PostalCodes}
	}
	w.Header().Set("Cache-Control", "public, max-age=86400")
	writeJSON(w, http.StatusOK, out)
}

func (s *Server) handleCaptchaNew(w http.ResponseWriter, r *http.Request) {
	id, err := s.svc.NewCaptcha(r.Context())
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, wire.Captcha{ID: id,
		ImageURL: "/api/v1/captcha/" + id + "/image.png", AudioURL: "/api/v1/captcha/" + id + "/audio.wav"})
}

func (s *Server) handleCaptchaImage(w http.ResponseWriter, r *http.Request) {
	s.writeCaptcha(w, r, "image/png", s.svc.CaptchaImage)
}

func (s *Server) handleCaptchaAudio(w http.ResponseWriter, r *http.Request) {
	s.writeCaptcha(w, r, "audio/wav", s.svc.CaptchaAudio)
}

func (s *Server) writeCaptcha(w http.ResponseWriter, r *http.Request, contentType string,
	render func(ctx context.Context, id string, w io.Writer) error) {
	var buf bytes.Buffer
	if err := render(r.Context(), r.PathValue("id"), &buf); err != nil {
		s.writeError(w, r, err)
		return
	}
	w.Header().Set("Content-Type", contentType)
	w.Header().Set("Cache-Control", "no-store")
	w.Write(buf.Bytes())
}

func (s *Server) handleRequestSubmit(w http.ResponseWriter, r *http.Request) {
	var form wire.RequestForm
	if err := decode(w, r, &form); err != nil {
		s.writeError(w, r, err)
		return
	}
	res, err := s.svc.SubmitRequest(r.Context(), form.Domain(), form.CaptchaID, form.CaptchaAnswer)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, wire.SubmitResponse{ID: res.Request.ID,
		Caf: wire.Caf{Code: res.Caf.Code, Name: res.Caf.Name}, Matched: res.Matched,
		MailSent: res.MailSent, Message: res.Message})
}
