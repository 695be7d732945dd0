package server

import (
	"context"
	_ "embed"
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"

	"espacepro/data"
	"espacepro/sync/wire"
)

//go:embed openapi.yaml
var openAPI []byte

// maxBody bounds the JSON body of a call; maxSyncBody that of a push.
const (
	maxBody     = 64 << 10
	maxSyncBody = 8 << 20
)

// apiRoutes registers the JSON API (documented in openapi.yaml).
func (s *Server) apiRoutes() {
	m := s.mux
	m.HandleFunc("GET /api/v1/openapi.yaml", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/yaml; charset=utf-8")
		w.Write(openAPI)
	})
	m.HandleFunc("GET /api/v1/communes", s.handleCommunes)
	m.HandleFunc("GET /api/v1/public/communes", s.handlePublicCommunes)
	m.HandleFunc("GET /api/v1/public/search", s.handlePublicSearch)
	m.HandleFunc("POST /api/v1/captcha", s.handleCaptchaNew)
	m.HandleFunc("GET /api/v1/captcha/{id}/image.png", s.handleCaptchaImage)
	m.HandleFunc("GET /api/v1/captcha/{id}/audio.wav", s.handleCaptchaAudio)
	m.HandleFunc("POST /api/v1/requests", s.handleRequestSubmit)

	m.HandleFunc("POST /api/v1/session", s.handleLogin)
	m.HandleFunc("DELETE /api/v1/session", s.auth(true, s.handleLogout))
	m.HandleFunc("GET /api/v1/me", s.auth(true, s.handleMe))
	m.HandleFunc("POST /api/v1/password/change", s.auth(true, s.handlePasswordChange))
	m.HandleFunc("POST /api/v1/password/forgot", s.handlePasswordForgot)
	m.HandleFunc("POST /api/v1/password/reset", s.handlePasswordReset)

	m.HandleFunc("GET /api/v1/caf/requests", s.auth(false, s.handleCafRequests))
	m.HandleFunc("GET /api/v1/caf/requests/{id}", s.auth(false, s.handleCafRequest))
	m.HandleFunc("POST /api/v1/caf/requests/{id}/match", s.auth(false, s.handleCafMatch))
	m.HandleFunc("GET /api/v1/caf/requests/{id}/letter.pdf", s.auth(false, s.handleCafLetter))
	m.HandleFunc("POST /api/v1/caf/requests/{id}/letter-sent", s.auth(false, s.handleCafLetterSent))
	m.HandleFunc("POST /api/v1/caf/requests/{id}/agreement", s.auth(false, s.handleCafAgreement))
	m.HandleFunc("POST /api/v1/caf/requests/{id}/validate", s.auth(false, s.handleCafValidate))
	m.HandleFunc("POST /api/v1/caf/requests/{id}/refuse", s.auth(false, s.handleCafRefuse))
	m.HandleFunc("GET /api/v1/caf/professionals", s.auth(false, s.handleCafProfessionals))
	m.HandleFunc("GET /api/v1/caf/professionals/{id}", s.auth(false, s.handleCafProfessional))
	m.HandleFunc("POST /api/v1/caf/professionals/{id}/suspend", s.auth(false, s.handleCafSuspend))
	m.HandleFunc("POST /api/v1/caf/professionals/{id}/reactivate", s.auth(false, s.handleCafReactivate))
	m.HandleFunc("POST /api/v1/caf/professionals/{id}/revoke", s.auth(false, s.handleCafRevoke))
	m.HandleFunc("POST /api/v1/caf/professionals/{id}/password-reset", s.auth(false, s.handleCafPasswordReset))
	m.HandleFunc("GET /api/v1/caf/professionals/{id}/file", s.auth(false, s.handleCafProfessionalFile))
	m.HandleFunc("POST /api/v1/caf/imports/preview", s.auth(false, s.handleImportPreview))
	m.HandleFunc("POST /api/v1/caf/imports/apply", s.auth(false, s.handleImportApply))
	m.HandleFunc("GET /api/v1/caf/audit", s.auth(false, s.handleCafAudit))
	m.HandleFunc("POST /api/v1/sync/push", s.auth(false, s.handleSyncPush))
	m.HandleFunc("GET /api/v1/sync/pull", s.auth(false, s.handleSyncPull))
	m.HandleFunc("/api/", func(w http.ResponseWriter, r *http.Request) {
		s.writeError(w, r, data.Errorf(data.ENOTFOUND, "Adresse d'API inconnue : %s %s.", r.Method, r.URL.Path))
	})
}

type callerKey struct{}

// auth wraps a handler that needs a logged-in caller. A restricted session
// (opened with a generated password) reaches only the handlers that allow
// it: setting a new password, logging out, reading who is logged in.
func (s *Server) auth(allowRestricted bool, h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		scheme, token, _ := strings.Cut(strings.TrimSpace(r.Header.Get("Authorization")), " ")
		if !strings.EqualFold(scheme, "Bearer") {
			token = ""
		}
		c, err := s.svc.Authenticate(r.Context(), strings.TrimSpace(token))
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		if c.Session.Restricted && !allowRestricted {
			s.writeError(w, r, data.Errorf(data.EPASSWORDCHANGE, "Votre mot de passe provisoire doit d'abord être remplacé par un mot de passe de votre choix."))
			return
		}
		h(w, r.WithContext(context.WithValue(r.Context(), callerKey{}, c)))
	}
}

func caller(r *http.Request) *Caller { return r.Context().Value(callerKey{}).(*Caller) }

// clientAddress is the address a call comes from, for the login throttle.
func clientAddress(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// decode reads a JSON body into v; unknown fields and trailing data are
// refused, so that a client's mistake is not silently ignored.
func decode(w http.ResponseWriter, r *http.Request, v any) error {
	return decodeLimit(w, r, v, maxBody)
}

// decodeLimit is decode with another bound on the body.
func decodeLimit(w http.ResponseWriter, r *http.Request, v any, limit int64) error {
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, limit))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		var tooBig *http.MaxBytesError
		switch {
		case errors.As(err, &tooBig):
			return data.Errorf(data.EINVALID, "Requête trop volumineuse.")
		case errors.Is(err, io.EOF):
			return data.Errorf(data.EINVALID, "Requête vide : un document JSON est attendu.")
		default:
			return data.Errorf(data.EINVALID, "Requête illisible : %s.", err.Error())
		}
	}
	if dec.More() {
		return data.Errorf(data.EINVALID, "Requête illisible : données en trop après le document JSON.")
	}
	return nil
}

// writeJSON answers status with v as JSON.
func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	if w.Header().Get("Cache-Control") == "" {
		w.Header().Set("Cache-Control", "no-store")
	}
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

// statusOf maps an error code to its HTTP status.
func statusOf(code string) int {
	switch code {
	case data.EINVALID:
		return http.StatusUnprocessableEntity
	case data.ENOTFOUND:
		return http.StatusNotFound
	case data.EUNAUTHORIZED:
		return http.StatusUnauthorized
	case data.EFORBIDDEN, data.EHABILITATION, data.EPASSWORDCHANGE:
		return http.StatusForbidden
	case data.ECONFLICT:
		return http.StatusConflict
	case data.ERATELIMIT:
		return http.StatusTooManyRequests
	case data.EUPGRADE:
		return http.StatusUpgradeRequired
	case data.EUNAVAILABLE:
		return http.StatusServiceUnavailable
	}
	return http.StatusInternalServerError
}

// writeError answers with err's code and French message; an internal error
// is logged and answered with a generic message.
func (s *Server) writeError(w http.ResponseWriter, r *http.Request, err error) {
	code := data.ErrorCode(err)
	if code == data.EINTERNAL {
		s.log.Error("internal error", "method", r.Method, "path", r.URL.Path, "err", err)
	}
	writeJSON(w, statusOf(code), wire.Error{Code: code, Message: data.ErrorMessage(err), Fields: data.ErrorFields(err)})
}

// pageOf reads offset and limit from the query, with a default and a cap.
func pageOf(r *http.Request) (offset, limit int) {
	offset, _ = strconv.Atoi(r.URL.Query().Get("offset"))
	limit, _ = strconv.Atoi(r.URL.Query().Get("limit"))
	if offset < 0 {
		offset = 0
	}
	if limit <= 0 || limit > 500 {
		limit = 50
	}
	return offset, limit
}
