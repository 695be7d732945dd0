package mail_test

import (
	"bytes"
	"context"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"

	espmail "espacepro/server/mail"
	"espacepro/server/mail/mailtest"
)

func TestAccountCreatedHasTheSeedWording(t *testing.T) {
	m := espmail.AccountCreated(cafFrom, recipient, fullName, "http://www.mon-enfant.fr", "x1WisU2H",
		"habilitations-mon-enfant-fr.caf921@cnafmail.fr", 7)
	seed := "Bonjour Marie Dupont,\n" +
		"Votre compte a été créé sur http://www.mon-enfant.fr.\n" +
		"Votre mot de passe est « x1WisU2H ».\n" +
		"Cordialement,\n" +
		"Le responsable habilitations\n" +
		"habilitations-mon-enfant-fr.caf921@cnafmail.fr\n"
	if !strings.HasPrefix(m.Text, seed) {
		t.Errorf("body does not start with the seed's lines:\n%s\nwant:\n%s", m.Text, seed)
	}
	rest := strings.TrimPrefix(m.Text, seed)
	for _, want := range []string{"première connexion", "modifié", "7 jours"} {
		if !strings.Contains(rest, want) {
			t.Errorf("the line after the signature lacks %q: %q", want, rest)
		}
	}
	if !m.Secret {
		t.Error("AccountCreated carries a password: Secret must be set")
	}
	if m.From != cafFrom || m.To != recipient {
		t.Errorf("From/To = %q/%q", m.From, m.To)
	}

	one := espmail.AccountCreated(cafFrom, recipient, fullName, "https://x.fr", "pw", cafFrom, 1)
	if !strings.Contains(one.Text, "1 jour ") || strings.Contains(one.Text, "1 jours") {
		t.Errorf("singular not used for one day: %q", one.Text)
	}
}

func TestRequestConfirmation(t *testing.T) {
	const notListed = "Si vous n'êtes pas encore inscrit(e) sur le site, rapprochez-vous de la Caf de votre département"
	matched := espmail.RequestConfirmation(cafFrom, recipient, fullName, cafName, true)
	unmatched := espmail.RequestConfirmation(cafFrom, recipient, fullName, cafName, false)
	for _, m := range []espmail.Message{matched, unmatched} {
		if !strings.Contains(m.Text, "bien été reçue") || !strings.Contains(m.Text, "à la "+cafName) {
			t.Errorf("body does not confirm reception by %s: %q", cafName, m.Text)
		}
	}
	if strings.Contains(matched.Text, notListed) {
		t.Error("a matched request is told to contact the Caf to get listed")
	}
	if !strings.Contains(unmatched.Text, notListed) {
		t.Errorf("an unmatched request lacks the seed's sentence: %q", unmatched.Text)
	}
	if !strings.Contains(unmatched.Text, "la Caf l'examinera") {
		t.Errorf("an unmatched request is not told that the Caf will look at it: %q", unmatched.Text)
	}
}

func TestHabilitationLetterAttachesThePDF(t *testing.T) {
	pdf := []byte("%PDF-1.4 letter")
	m := espmail.HabilitationLetter(cafFrom, recipient, fullName, cafName, pdf)
	if len(m.Attachments) != 1 || !bytes.Equal(m.Attachments[0].Data, pdf) ||
		m.Attachments[0].ContentType != "application/pdf" || !strings.HasSuffix(m.Attachments[0].Name, ".pdf") {
		t.Fatalf("attachments = %+v", m.Attachments)
	}
	for _, want := range []string{"courrier d'habilitation", "compléter", "signer", "par mail", "voie postale"} {
		if !strings.Contains(m.Text, want) {
			t.Errorf("body lacks %q: %q", want, m.Text)
		}
	}
}

func TestReasons(t *testing.T) {
	for name, fn := range map[string]func(from, to, fullName, cafName, reason string) espmail.Message{
		"refused":     espmail.HabilitationRefused,
		"suspended":   espmail.HabilitationSuspended,
		"reactivated": espmail.HabilitationReactivated,
		"revoked":     espmail.HabilitationRevoked,
	} {
		with := fn(cafFrom, recipient, fullName, cafName, "Vous ne figurez plus sur la liste de la PMI.")
		if !strings.Contains(with.Text, " : Vous ne figurez plus sur la liste de la PMI.\n") {
			t.Errorf("%s: reason missing: %q", name, with.Text)
		}
		without := fn(cafFrom, recipient, fullName, cafName, "  ")
		if strings.Contains(without.Text, "Motif") || strings.Contains(without.Text, "Précision") {
			t.Errorf("%s: empty reason still labelled: %q", name, without.Text)
		}
	}
}

func TestCodesAreInTheirMails(t *testing.T) {
	reset := espmail.PasswordResetCode(cafFrom, recipient, fullName, "483920", 15)
	for _, want := range []string{"« 483920 »", "15 minutes", "Mot de passe oublié", "ignorez ce message"} {
		if !strings.Contains(reset.Text, want) {
			t.Errorf("reset mail lacks %q: %q", want, reset.Text)
		}
	}
	welcome := espmail.AgentWelcome(cafFrom, "agent@caf92.example", "Anne Martin", cafName, "K7PQ-22XM", 48)
	for _, want := range []string{"« K7PQ-22XM »", "48 heures", cafName, "administrateur national", "mot de passe"} {
		if !strings.Contains(welcome.Text, want) {
			t.Errorf("welcome mail lacks %q: %q", want, welcome.Text)
		}
	}
}

// A value with a line break cannot add lines (or headers) to a mail.
func TestValuesStayOnTheirLine(t *testing.T) {
	m := espmail.AccountCreated(cafFrom, recipient, "Marie\nDupont\r\nBcc: x@y.fr", "https://x.fr", "pw", cafFrom, 7)
	if first, _, _ := strings.Cut(m.Text, "\n"); !strings.HasPrefix(first, "Bonjour Marie Dupont") || !strings.Contains(first, "Bcc") {
		t.Errorf("first line = %q, want the whole name on it", first)
	}
}

// Every template: a French subject, the right addresses, Secret where a
// password or a code is carried, a greeting, and text that survives the
// trip through MIME encoding unchanged.
func TestEveryTemplate(t *testing.T) {
	const (
		password = "x1WisU2H"
		code     = "739104"
	)
	pdf := []byte("%PDF-1.4 courrier")
	cases := []struct {
		name        string
		m           espmail.Message
		secret      bool
		subjectWord string // a French word of the subject
		bodyWords   []string
	}{
		{"RequestConfirmation", espmail.RequestConfirmation(cafFrom, recipient, fullName, cafName, true), false, "demande", []string{cafName}},
		{"RequestConfirmation unmatched", espmail.RequestConfirmation(cafFrom, recipient, fullName, cafName, false), false, "demande", []string{cafName}},
		{"AccountCreated", espmail.AccountCreated(cafFrom, recipient, fullName, "http://www.mon-enfant.fr", password, cafFrom, 7), true, "compte", []string{password}},
		{"PasswordResetCode", espmail.PasswordResetCode(cafFrom, recipient, fullName, code, 20), true, "Mot de passe oublié", []string{code, "20 minutes"}},
		{"AgentWelcome", espmail.AgentWelcome(cafFrom, recipient, fullName, cafName, code, 72), true, "agent", []string{code, "72 heures", cafName}},
		{"HabilitationLetter", espmail.HabilitationLetter(cafFrom, recipient, fullName, cafName, pdf), false, "courrier", []string{cafName}},
		{"HabilitationRefused", espmail.HabilitationRefused(cafFrom, recipient, fullName, cafName, "Dossier incomplet"), false, "acceptée", []string{cafName, "Dossier incomplet"}},
		{"HabilitationSuspended", espmail.HabilitationSuspended(cafFrom, recipient, fullName, cafName, "Agrément expiré"), false, "suspendue", []string{cafName, "Agrément expiré"}},
		{"HabilitationReactivated", espmail.HabilitationReactivated(cafFrom, recipient, fullName, cafName, ""), false, "active", []string{cafName}},
		{"HabilitationRevoked", espmail.HabilitationRevoked(cafFrom, recipient, fullName, cafName, "Fin d'activité"), false, "retirée", []string{cafName, "Fin d'activité"}},
	}
	dir := t.TempDir()
	s := &espmail.FileSender{Dir: dir, Log: slog.New(slog.DiscardHandler)}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			m := tc.m
			if m.Subject == "" || !strings.Contains(m.Subject, tc.subjectWord) {
				t.Errorf("subject %q lacks %q", m.Subject, tc.subjectWord)
			}
			if !strings.HasPrefix(m.Subject, "Votre") && !strings.HasPrefix(m.Subject, "Mot de passe") {
				t.Errorf("subject %q does not read as French", m.Subject)
			}
			if m.From != cafFrom || m.To != recipient {
				t.Errorf("From/To = %q/%q", m.From, m.To)
			}
			if m.Secret != tc.secret {
				t.Errorf("Secret = %v, want %v", m.Secret, tc.secret)
			}
			if !strings.HasPrefix(m.Text, "Bonjour "+fullName+",\n") {
				t.Errorf("body does not greet %s: %q", fullName, m.Text)
			}
			if !strings.Contains(m.Text, "Cordialement,\n") {
				t.Errorf("body has no closing: %q", m.Text)
			}
			for _, w := range tc.bodyWords {
				if !strings.Contains(m.Text, w) {
					t.Errorf("body lacks %q: %q", w, m.Text)
				}
			}
			if strings.Contains(m.Text, "%!") || strings.Contains(m.Text, "\n\n\n") || !strings.HasSuffix(m.Text, "\n") {
				t.Errorf("badly formatted body: %q", m.Text)
			}
			if !tc.secret && (strings.Contains(m.Text, password) || strings.Contains(m.Text, code)) {
				t.Errorf("a mail not marked Secret carries a secret: %q", m.Text)
			}

			before, _ := os.ReadDir(dir)
			if err := s.Send(context.Background(), m); err != nil {
				t.Fatal(err)
			}
			after, _ := os.ReadDir(dir)
			name := newEntry(before, after)
			raw, err := os.ReadFile(filepath.Join(dir, name))
			if err != nil {
				t.Fatal(err)
			}
			got, err := mailtest.Parse(raw)
			if err != nil {
				t.Fatal(err)
			}
			if got.Subject != m.Subject || got.Text != m.Text || len(got.Attachments) != len(m.Attachments) {
				t.Errorf("mail changed through MIME:\n%q\n%q", got.Subject, got.Text)
			}
		})
	}
}

// newEntry returns the name in after that is not in before.
func newEntry(before, after []os.DirEntry) string {
	seen := map[string]bool{}
	for _, e := range before {
		seen[e.Name()] = true
	}
	for _, e := range after {
		if !seen[e.Name()] {
			return e.Name()
		}
	}
	return ""
}
