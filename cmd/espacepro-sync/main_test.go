package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"espacepro/data"
	"espacepro/data/sqlite"
	"espacepro/server/servertest"
	"espacepro/sync/client"
)

const (
	email    = "sophie.martin@example.fr"
	password = "Hortensia bleue sous la pluie"
)

func runCLI(t *testing.T, stdin string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code = run(context.Background(), args, strings.NewReader(stdin), &out, &errOut)
	return code, out.String(), errOut.String()
}

func TestSyncCommand(t *testing.T) {
	ctx := context.Background()
	env := servertest.Start(t, servertest.OpenSQLite(t))
	p := &data.Professional{Kind: data.KindChildminder, Department: "92", CafCode: "921",
		AgrementNumber: "92-2019-0147", Civility: data.CivilityMme, LastName: "Martin", FirstName: "Sophie",
		Address: data.Address{Number: "12", StreetType: "rue", StreetName: "de Billancourt",
			PostalCode: "92100", CommuneINSEE: "92012", CommuneName: "Boulogne-Billancourt"},
		Phone: "0611223344", PlacesAgreed: 3}
	env.SeedActive(t, p, email, password)
	dir := filepath.Join(t.TempDir(), "copy")
	pwFile := filepath.Join(t.TempDir(), "pw")
	if err := os.WriteFile(pwFile, []byte(password+"\r\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	base := []string{"--server", env.URL, "--fingerprint", env.Server.Fingerprint(), "--email", email, "--data", dir}

	code, out, errOut := runCLI(t, "", append(base, "--password-file", pwFile)...)
	if code != 0 {
		t.Fatalf("first sync: exit %d\n%s%s", code, out, errOut)
	}
	for _, want := range []string{"as Sophie Martin", "Pushed:    0", "Pending:   0"} {
		if !strings.Contains(out, want) {
			t.Errorf("first sync output lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "Pulled:    0 ") {
		t.Errorf("first sync pulled nothing:\n%s", out)
	}

	// An edit made in the copy (as the desktop app would), sent by the
	// command, the password typed on the standard input.
	local, err := sqlite.OpenLocal(ctx, filepath.Join(dir, "local.db"))
	if err != nil {
		t.Fatal(err)
	}
	c, err := client.New(client.Config{ServerURL: env.URL, Fingerprint: env.Server.Fingerprint()}, local)
	if err != nil {
		t.Fatal(err)
	}
	a, err := local.FindAvailability(ctx, p.ID)
	if err != nil {
		t.Fatal(err)
	}
	a.Global = data.ColourGreen
	if err := c.SaveAvailability(ctx, a); err != nil {
		t.Fatal(err)
	}
	c.Close()
	local.Close()
	code, out, errOut = runCLI(t, password+"\n", base...)
	if code != 0 || !strings.Contains(out, "Pushed:    1 edit(s)") {
		t.Fatalf("second sync: exit %d\n%s%s", code, out, errOut)
	}
	stored, err := env.Store.FindAvailability(ctx, p.ID)
	if err != nil || stored.Global != data.ColourGreen {
		t.Errorf("service's availability: %+v, %v", stored, err)
	}

	// Failures: exit 1 with the reason.
	wrongPin := append([]string{}, base...)
	wrongPin[3] = strings.Repeat("AB:", 31) + "AB"
	for _, tc := range []struct {
		name, stdin, want string
		args              []string
	}{
		{"wrong pin", password + "\n", "n'est pas celui attendu", wrongPin},
		{"wrong password", "mauvais\n", "[unauthorized]", base},
		{"no password", "", "no password", base},
		{"missing flags", "", "missing --server", []string{"--email", email}},
	} {
		code, out, errOut := runCLI(t, tc.stdin, tc.args...)
		if code != 1 || !strings.Contains(errOut, tc.want) {
			t.Errorf("%s: exit %d, stderr lacks %q:\n%s%s", tc.name, code, tc.want, out, errOut)
		}
	}
}
