package server

import (
	"errors"
	"io"
	"net/http"
	"strings"

	"espacepro/data"
	"espacepro/sync/wire"
)

// MaxImportSize bounds an uploaded PMI list.
const MaxImportSize = 50 << 20

// readUpload reads the raw body of an upload and its file name (?name=).
func readUpload(w http.ResponseWriter, r *http.Request) (string, []byte, error) {
	name := strings.TrimSpace(r.URL.Query().Get("name"))
	if name == "" {
		name = "liste.csv"
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, MaxImportSize))
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) {
		return "", nil, data.Errorf(data.EINVALID, "Le fichier dépasse %d Mo : découpez-le ou enregistrez-le au format CSV.", MaxImportSize>>20)
	} else if err != nil {
		return "", nil, data.Errorf(data.EINVALID, "Le fichier n'a pas pu être reçu en entier : recommencez.")
	}
	return name, body, nil
}

func importPreviewOf(pv *ImportPreview, applied bool) wire.ImportPreview {
	out := wire.ImportPreview{Caf: pv.CafCode, File: pv.File, SHA256: pv.SHA256, Format: pv.Format,
		Encoding: pv.Encoding, Columns: pv.Columns, Counts: pv.Counts, Changes: []wire.ImportChange{},
		NeedsForce: pv.NeedsForce, Warning: pv.Warning, Applied: applied}
	for _, ch := range pv.Changes {
		wc := wire.ImportChange{Kind: ch.Kind, Line: ch.Line, Fields: ch.Fields, Reason: ch.Reason}
		if ch.Professional != nil {
			wc.Professional = wire.ProfessionalOf(ch.Professional)
		}
		if ch.Before != nil {
			wc.Before = wire.ProfessionalOf(ch.Before)
		}
		out.Changes = append(out.Changes, wc)
	}
	return out
}

func (s *Server) handleImportPreview(w http.ResponseWriter, r *http.Request) {
	name, body, err := readUpload(w, r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	pv, err := s.svc.PreviewImport(r.Context(), caller(r), "", name, body)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, importPreviewOf(pv, false))
}

func (s *Server) handleImportApply(w http.ResponseWriter, r *http.Request) {
	name, body, err := readUpload(w, r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	q := r.URL.Query()
	res, err := s.svc.ApplyImport(r.Context(), caller(r), "", name, body, q.Get("sha256"), q.Get("force") == "true")
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, importPreviewOf(res.Preview, true))
}

func (s *Server) handleCafProfessionalFile(w http.ResponseWriter, r *http.Request) {
	f, err := s.svc.ProfessionalFile(r.Context(), caller(r), r.PathValue("id"))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	out := wire.ProfessionalFile{Professional: wire.ProfessionalOf(f.Professional), Requests: []*wire.Request{},
		History: []wire.AuditEntry{}, Public: wire.PublicAvailabilityOf(f.Public), Visible: f.Professional.VisibleToParents()}
	for _, x := range f.Requests {
		out.Requests = append(out.Requests, wire.RequestOf(x))
	}
	for _, e := range f.History {
		out.History = append(out.History, wire.AuditEntryOf(e))
	}
	writeJSON(w, http.StatusOK, out)
}
