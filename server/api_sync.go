package server

import (
	"compress/gzip"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"

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
	// A first pull of a Caf is tens of megabytes of repetitive JSON: sent
	// compressed to the clients that accept it (Go's does by default).
	if !strings.Contains(r.Header.Get("Accept-Encoding"), "gzip") {
		writeJSON(w, http.StatusOK, res)
		return
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Content-Encoding", "gzip")
	w.Header().Add("Vary", "Accept-Encoding")
	gz, _ := gzip.NewWriterLevel(w, gzip.BestSpeed)
	if err := json.NewEncoder(gz).Encode(res); err != nil {
		s.log.Warn("sync pull: answer cut", "err", err)
	}
	gz.Close()
}
