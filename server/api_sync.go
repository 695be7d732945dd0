package server

import (
	"net/http"
	"strconv"

	"espacepro/sync/wire"
)

func (s *Server) handleSyncPush(w http.ResponseWriter, r *http.Request) {
	var req wire.PushRequest
	if err := decodeLimit(w, r, &req, maxSyncBody); err != nil {
		s.writeError(w, r, err)
		return
	}
	res, err := s.svc.Push(r.Context(), caller(r), req)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, res)
}

func (s *Server) handleSyncPull(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	protocol, _ := strconv.Atoi(q.Get("protocol"))
	limit, _ := strconv.Atoi(q.Get("limit"))
	res, err := s.svc.Pull(r.Context(), caller(r), protocol, q.Get("since"), limit)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, res)
}
