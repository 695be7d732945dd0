package mailtest_test

import (
	"context"
	"log/slog"
	"strings"
	"testing"
	"time"

	"espacepro/server/mail"
	"espacepro/server/mail/mailtest"
)

// A message as another mailer writes it: base64 text, B-encoded subject,
// nested multipart/alternative, an RFC 2231 file name, LF line endings.
const handWritten = `From: =?ISO-8859-1?Q?Caf_de_l'H=E9rault?= <caf@example.fr>
To: "Élodie" <elodie@example.fr>
Subject: =?UTF-8?B?RMOpasOgIHZ1IMOgIE7Drm1lcw==?=
 =?UTF-8?Q?_=E2=80=93_fin?=
MIME-Version: 1.0
Content-Type: multipart/mixed; boundary="outer"

--outer
Content-Type: multipart/alternative; boundary="inner"

--inner
Content-Type: text/plain; charset=utf-8
Content-Transfer-Encoding: base64

w4lsb2RpZSwKY2Fmw6kgZXQgZ8OidGVhdS4K
--inner
Content-Type: text/html; charset=utf-8

<p>ignored</p>
--inner--
--outer
Content-Type: application/pdf
Content-Disposition: attachment; filename*=UTF-8''courrier%20r%C3%A9ponse.pdf
Content-Transfer-Encoding: base64

JVBERi0x
--outer--
`

func TestParseHandWrittenMIME(t *testing.T) {
	p, err := mailtest.Parse([]byte(handWritten))
	if err != nil {
		t.Fatal(err)
	}
	if p.Subject != "Déjà vu à Nîmes – fin" {
		t.Errorf("subject = %q", p.Subject)
	}
	if p.From != "caf@example.fr" || p.To != "elodie@example.fr" {
		t.Errorf("from/to = %q/%q", p.From, p.To)
	}
	if p.Text != "Élodie,\ncafé et gâteau.\n" {
		t.Errorf("text = %q", p.Text)
	}
	// The HTML alternative is listed among the attachments; find the PDF.
	var pdf *mail.Attachment
	for i := range p.Attachments {
		if p.Attachments[i].ContentType == "application/pdf" {
			pdf = &p.Attachments[i]
		}
	}
	if pdf == nil || pdf.Name != "courrier réponse.pdf" || string(pdf.Data) != "%PDF-1" {
		t.Errorf("attachments = %+v", p.Attachments)
	}
}

func TestParseRejectsGarbage(t *testing.T) {
	for _, raw := range []string{
		"no header line at all",
		"Subject: x\nContent-Type: text/plain\nContent-Transfer-Encoding: base64\n\n!!!not base64!!!\n",
		"Subject: x\nContent-Type: text/plain; charset=iso-8859-1\n\ncaf\xe9\n",
	} {
		if _, err := mailtest.Parse([]byte(raw)); err == nil {
			t.Errorf("Parse(%q) succeeded", raw)
		}
	}
}

func TestWaitForReturnsEachMessageOnce(t *testing.T) {
	srv := mailtest.Start(t)
	s, err := mail.NewSMTPSender(srv.Config(), slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	for _, code := range []string{"111111", "222222"} {
		m := mail.PasswordResetCode("caf@example.fr", "Elodie@Example.fr", "Élodie", code, 10)
		if err := s.Send(context.Background(), m); err != nil {
			t.Fatal(err)
		}
	}
	first := srv.WaitFor(t, "elodie@example.fr", 5*time.Second).Parse(t)
	second := srv.WaitFor(t, "ELODIE@example.fr", 5*time.Second).Parse(t)
	if !strings.Contains(first.Text, "111111") || !strings.Contains(second.Text, "222222") {
		t.Errorf("WaitFor order: %q then %q", first.Text, second.Text)
	}
	if n := len(srv.Messages()); n != 2 {
		t.Errorf("Messages() = %d, want 2", n)
	}
}
