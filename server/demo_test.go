package server

import (
	"context"
	"io"
	"log/slog"
	"path/filepath"
	"testing"

	"espacepro/data"
	"espacepro/data/sqlite"
	"espacepro/server/mail"
)

// The demo accounts printed by make run really log in, and a store that
// already has accounts is not seeded twice.
func TestSeedDemo(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	store, err := sqlite.OpenCentral(ctx, filepath.Join(dir, "central.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	svc := NewService(store, &mail.FileSender{Dir: filepath.Join(dir, "mail"), Log: log}, log)
	accounts, seeded, err := svc.SeedDemo(ctx)
	if err != nil || !seeded || len(accounts) < 3 {
		t.Fatalf("SeedDemo: %v %v %d", err, seeded, len(accounts))
	}
	for _, a := range accounts {
		res, err := svc.Login(ctx, a.Email, a.Password, "127.0.0.1")
		if err != nil {
			t.Fatalf("%s cannot log in: %v", a.Email, err)
		}
		if res.MustChangePassword {
			t.Errorf("%s must change a demo password", a.Email)
		}
	}
	_, n, _ := store.FindProfessionals(ctx, data.ProfessionalFilter{CafCode: "201"})
	if n < 3 {
		t.Errorf("%d demo childminders in Corse-du-Sud", n)
	}
	if _, seeded, err := svc.SeedDemo(ctx); err != nil || seeded {
		t.Fatalf("second SeedDemo: seeded=%v err=%v", seeded, err)
	}
}
