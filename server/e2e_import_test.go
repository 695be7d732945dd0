package server_test

import (
	"net/http"
	"os"
	"path/filepath"
	"testing"

	"espacepro/data"
	"espacepro/server/servertest"
	"espacepro/sync/wire"
)

// testImport drives a PMI import through HTTPS as an agent would: preview,
// apply the file previewed, the register and the professional's file; an
// agent of another Caf, a stale SHA-256 and a childminder are refused.
func testImport(t *testing.T, w *world) {
	file, err := os.ReadFile(filepath.Join("..", "testdata", "pmi", "liste-pmi-92.csv"))
	if err != nil {
		t.Fatal(err)
	}
	var pv wire.ImportPreview
	w.Want(t, http.StatusOK, "POST", "/api/v1/caf/imports/preview?name=liste-pmi-92.csv", w.agent921, file, &pv)
	if pv.Counts["new"] != 400 || pv.Counts["rejected"] != 8 || pv.Applied || len(pv.SHA256) != 64 {
		t.Fatalf("preview: %+v", pv.Counts)
	}
	rejected := 0
	for _, ch := range pv.Changes {
		if ch.Kind == "rejected" {
			rejected++
			if ch.Line == 0 || ch.Reason == "" {
				t.Errorf("a rejected row without its line or reason: %+v", ch)
			}
		}
	}
	if rejected != 8 {
		t.Errorf("%d rejected rows listed", rejected)
	}
	_, before, _ := w.Store.FindProfessionals(t.Context(), data.ProfessionalFilter{CafCode: "921"})

	r := w.Do(t, "POST", "/api/v1/caf/imports/apply?name=liste-pmi-92.csv&sha256="+pv.SHA256[:63]+"0", w.agent921, file)
	servertest.WantError(t, r, http.StatusConflict, data.ECONFLICT, "")
	r = w.Do(t, "POST", "/api/v1/caf/imports/preview", w.agent201, file)
	servertest.WantError(t, r, http.StatusUnprocessableEntity, data.EINVALID, "")
	if _, n, _ := w.Store.FindProfessionals(t.Context(), data.ProfessionalFilter{CafCode: "921"}); n != before {
		t.Fatalf("a refused import changed the register: %d → %d", before, n)
	}

	var done wire.ImportPreview
	w.Want(t, http.StatusOK, "POST", "/api/v1/caf/imports/apply?name=liste-pmi-92.csv&sha256="+pv.SHA256, w.agent921, file, &done)
	if !done.Applied || done.Counts["new"] != 400 {
		t.Fatalf("apply: %+v", done.Counts)
	}
	var page wire.Page[*wire.Professional]
	w.Want(t, http.StatusOK, "GET", "/api/v1/caf/professionals?q=clement&postal_code=92160", w.agent921, nil, &page)
	if page.Total == 0 {
		t.Fatal("the imported childminder is not in the register")
	}
	var pf wire.ProfessionalFile
	w.Want(t, http.StatusOK, "GET", "/api/v1/caf/professionals/"+page.Items[0].ID+"/file", w.agent921, nil, &pf)
	if pf.Professional.ID != page.Items[0].ID || !pf.Visible || pf.Public.Colour != "grey" || len(pf.Public.Tabs) != 6 {
		t.Errorf("professional file: %+v", pf)
	}
	r = w.Do(t, "GET", "/api/v1/caf/professionals/"+page.Items[0].ID+"/file", w.agent201, nil)
	servertest.WantError(t, r, http.StatusForbidden, data.EFORBIDDEN, "")

	var audit wire.Page[wire.AuditEntry]
	w.Want(t, http.StatusOK, "GET", "/api/v1/caf/audit?action=import.apply", w.agent921, nil, &audit)
	if audit.Total != 1 || audit.Items[0].ActorName != agent921Email {
		t.Errorf("import audit: %+v", audit)
	}
}
