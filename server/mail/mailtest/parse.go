package mailtest

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	netmail "net/mail"
	"net/textproto"
	"strings"

	"espacepro/server/mail"
)

// Parsed is a message decoded with the standard library alone, as a mail
// client would read it.
type Parsed struct {
	Header  netmail.Header // every header, as received (still encoded)
	From    string         // the address of From, without display name
	To      string         // the address of the first To
	Subject string         // decoded (RFC 2047)
	// Text is the first text/plain part that is not an attachment, decoded
	// (quoted-printable or base64) and with "\n" line endings.
	Text string
	// Attachments holds every other leaf part (an HTML alternative
	// included), decoded; ContentType is without parameters.
	Attachments []mail.Attachment
}

// Parse decodes an RFC 5322 message: headers, RFC 2047 subject, nested
// multipart bodies, quoted-printable and base64 parts. Text must be UTF-8 or
// US-ASCII.
func Parse(raw []byte) (Parsed, error) {
	msg, err := netmail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		return Parsed{}, fmt.Errorf("mailtest: headers: %w", err)
	}
	p := Parsed{Header: msg.Header}
	dec := new(mime.WordDecoder)
	if p.Subject, err = dec.DecodeHeader(msg.Header.Get("Subject")); err != nil {
		return p, fmt.Errorf("mailtest: subject: %w", err)
	}
	if from, err := msg.Header.AddressList("From"); err == nil && len(from) > 0 {
		p.From = from[0].Address
	}
	if to, err := msg.Header.AddressList("To"); err == nil && len(to) > 0 {
		p.To = to[0].Address
	}
	header := textproto.MIMEHeader(msg.Header)
	if err := p.walk(header, msg.Body, 0); err != nil {
		return p, err
	}
	return p, nil
}

// walk decodes one MIME entity, recursing into multiparts.
func (p *Parsed) walk(h textproto.MIMEHeader, body io.Reader, depth int) error {
	if depth > 10 {
		return fmt.Errorf("mailtest: multipart nested too deep")
	}
	ctype := h.Get("Content-Type")
	if ctype == "" {
		ctype = "text/plain; charset=us-ascii"
	}
	mediaType, params, err := mime.ParseMediaType(ctype)
	if err != nil {
		return fmt.Errorf("mailtest: Content-Type %q: %w", ctype, err)
	}
	if strings.HasPrefix(mediaType, "multipart/") {
		mr := multipart.NewReader(body, params["boundary"])
		for {
			part, err := mr.NextRawPart()
			if err == io.EOF {
				return nil
			}
			if err != nil {
				return fmt.Errorf("mailtest: multipart: %w", err)
			}
			if err := p.walk(part.Header, part, depth+1); err != nil {
				return err
			}
		}
	}
	content, err := decodeTransfer(h.Get("Content-Transfer-Encoding"), body)
	if err != nil {
		return err
	}
	disposition, dparams, _ := mime.ParseMediaType(h.Get("Content-Disposition"))
	name := dparams["filename"]
	if name == "" {
		name = params["name"]
	}
	if mediaType == "text/plain" && disposition != "attachment" && name == "" && p.Text == "" {
		charset := strings.ToLower(params["charset"])
		if charset != "" && charset != "utf-8" && charset != "us-ascii" {
			return fmt.Errorf("mailtest: text in charset %q", charset)
		}
		p.Text = strings.ReplaceAll(string(content), "\r\n", "\n")
		return nil
	}
	if decoded, err := new(mime.WordDecoder).DecodeHeader(name); err == nil {
		name = decoded
	}
	p.Attachments = append(p.Attachments, mail.Attachment{Name: name, ContentType: mediaType, Data: content})
	return nil
}

// decodeTransfer undoes a Content-Transfer-Encoding.
func decodeTransfer(encoding string, body io.Reader) ([]byte, error) {
	var r io.Reader
	switch strings.ToLower(strings.TrimSpace(encoding)) {
	case "", "7bit", "8bit", "binary":
		r = body
	case "quoted-printable":
		r = quotedprintable.NewReader(body)
	case "base64":
		r = base64.NewDecoder(base64.StdEncoding, body)
	default:
		return nil, fmt.Errorf("mailtest: unknown Content-Transfer-Encoding %q", encoding)
	}
	b, err := io.ReadAll(r)
	if err != nil {
		return nil, fmt.Errorf("mailtest: decode %s: %w", encoding, err)
	}
	return b, nil
}
