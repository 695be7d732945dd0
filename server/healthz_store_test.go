package server

import (
	"context"
	"net/http"
	"path/filepath"
	"testing"

	"espacepro/data/sqlite"
)

// /healthz says whether the store answers: 200 with an open SQLite store,
// 503 once it is closed.
func TestHealthzChecksStore(t *testing.T) {
	dir := t.TempDir()
	store, err := sqlite.OpenCentral(context.Background(), filepath.Join(dir, "central.db"))
	if err != nil {
		t.Fatal(err)
	}
	s, url := startServer(t, Config{DataDir: dir, Store: store})
	client := pinnedClient(s.Fingerprint())
	getHealthz(t, client, url)

	store.Close()
	resp, err := client.Get(url + "/healthz")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusServiceUnavailable {
		t.Fatalf("closed store: status %d, want 503", resp.StatusCode)
	}
}
