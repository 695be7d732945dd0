package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The administration commands work on a real store and write real mails:
// an agent is created and mailed a code (never a password), listed,
// disabled, and every step is in the audit log.
func TestAdminCommands(t *testing.T) {
	dir := t.TempDir()
	admin := func(args ...string) (string, error) {
		var out, errs bytes.Buffer
		err := run(append([]string{"admin", args[0], "--data", dir}, args[1:]...), &out, &errs)
		return out.String() + errs.String(), err
	}
	out, err := admin("create-agent", "--caf", "921", "--email", "Francoise.Lemaitre@caf92.example.fr",
		"--first-name", "Françoise", "--last-name", "Lemaître")
	if err != nil || !strings.Contains(out, "francoise.lemaitre@caf92.example.fr") {
		t.Fatalf("create-agent: %v\n%s", err, out)
	}
	mails, _ := filepath.Glob(filepath.Join(dir, "mail", "*.eml"))
	if len(mails) != 1 {
		t.Fatalf("%d mails written, want 1", len(mails))
	}
	body, _ := os.ReadFile(mails[0])
	if !strings.Contains(string(body), "francoise.lemaitre@caf92.example.fr") {
		t.Errorf("the welcome mail is not addressed to the agent:\n%s", body)
	}
	if strings.Contains(out, "mot de passe :") {
		t.Errorf("the command printed something like a password:\n%s", out)
	}

	if _, err := admin("create-agent", "--caf", "999", "--email", "x@example.fr", "--first-name", "A", "--last-name", "B"); err == nil ||
		!strings.Contains(err.Error(), "Caf « 999 » inconnue") {
		t.Errorf("unknown Caf: %v", err)
	}
	if _, err := admin("create-agent", "--caf", "921", "--email", "francoise.lemaitre@caf92.example.fr", "--first-name", "A", "--last-name", "B"); err == nil {
		t.Error("a second agent with the same address was created")
	}

	out, err = admin("list-agents", "--caf", "921")
	if err != nil || !strings.Contains(out, "francoise.lemaitre@caf92.example.fr") || !strings.Contains(out, "waiting for her password") {
		t.Fatalf("list-agents: %v\n%s", err, out)
	}
	if out, err = admin("disable-agent", "--email", "francoise.lemaitre@caf92.example.fr"); err != nil || !strings.Contains(out, "disabled") {
		t.Fatalf("disable-agent: %v\n%s", err, out)
	}
	out, err = admin("audit", "--caf", "921")
	if err != nil || !strings.Contains(out, "agent.create") || !strings.Contains(out, "agent.disable") {
		t.Fatalf("audit: %v\n%s", err, out)
	}
	if _, err := admin("audit", "--since", "hier"); err == nil {
		t.Error("a bad date was accepted")
	}
}

// import previews a PMI list, then applies it; the same file again
// changes nothing.
func TestImportCommand(t *testing.T) {
	dir := t.TempDir()
	list := filepath.Join("..", "..", "testdata", "pmi", "liste-pmi-92-excel.csv")
	cmd := func(args ...string) (string, error) {
		var out, errs bytes.Buffer
		err := run(append([]string{"import", "--data", dir, "--caf", "921"}, args...), &out, &errs)
		return out.String() + errs.String(), err
	}
	out, err := cmd(list)
	if err != nil || !strings.Contains(out, "new           400") || !strings.Contains(out, "Nothing was changed") {
		t.Fatalf("preview: %v\n%s", err, out)
	}
	if out, err = cmd(list, "--apply"); err != nil || !strings.Contains(out, "Applied") {
		t.Fatalf("apply: %v\n%s", err, out)
	}
	if out, err = cmd(list, "--apply"); err != nil || !strings.Contains(out, "unchanged     400") {
		t.Fatalf("second apply: %v\n%s", err, out)
	}
	if _, err := cmd(filepath.Join("..", "..", "testdata", "pmi", "README.md")); err == nil {
		t.Error("a Markdown file was read as a list")
	}
}
