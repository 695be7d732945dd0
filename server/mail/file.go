package mail

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"time"
)

// FileSender is the default Sender: it writes each mail as an RFC 5322 .eml
// file in Dir instead of sending it, and logs one line (recipient, subject,
// file name; never the body). The file holds exactly what an SMTP server
// would receive and opens in any mail client.
//
// Dir is created with mode 0700 and each file with mode 0600, because a mail
// may hold a password. Files are named
// 20261129T221500Z-3f9a-marie.dupont_at_example.fr.eml (UTC time of sending,
// 16 random bits, the recipient's address made safe for a file name), so that
// listing them sorts them by time. A file appears at once and complete: it is
// written under a temporary name (starting with a dot and not ending in
// .eml), synced, then linked to its final name.
type FileSender struct {
	Dir string
	Log *slog.Logger // slog.Default() when nil
	// Now is the clock (time.Now when nil).
	Now func() time.Time
}

var _ Sender = (*FileSender)(nil)

// Send writes m to a new .eml file in s.Dir.
func (s *FileSender) Send(ctx context.Context, m Message) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("mail: %w", err)
	}
	if s.Dir == "" {
		return errors.New("mail: FileSender has no folder")
	}
	now := nowOr(s.Now)
	msg, env, err := compose(m, now, newToken())
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	if _, err := msg.WriteTo(&buf); err != nil {
		return fmt.Errorf("mail: build message: %w", err)
	}
	if err := os.MkdirAll(s.Dir, 0o700); err != nil {
		return fmt.Errorf("mail: folder: %w", err)
	}
	name, err := writeNewFile(s.Dir, func() string { return emlName(now, env.to.Address) }, buf.Bytes())
	if err != nil {
		return fmt.Errorf("mail: %w", err)
	}
	logger(s.Log).Info("mail written",
		"to", env.to.Address, "subject", m.Subject, "file", name,
		"message_id", messageID(msg), "secret", m.Secret)
	return nil
}

// logger returns l, or slog.Default() when l is nil.
func logger(l *slog.Logger) *slog.Logger {
	if l != nil {
		return l
	}
	return slog.Default()
}

// emlName returns the file name of a mail sent at t to addr.
func emlName(t time.Time, addr string) string {
	var r [2]byte
	_, _ = rand.Read(r[:])
	return t.UTC().Format("20060102T150405Z") + "-" + hex.EncodeToString(r[:]) + "-" + safeAddress(addr) + ".eml"
}

// safeAddress turns an e-mail address into a portable file-name part:
// lower case, "@" as "_at_", every byte but [a-z0-9.-] as "_", at most 64
// bytes and never starting with a dot.
func safeAddress(addr string) string {
	addr = strings.ToLower(addr)
	var b strings.Builder
	for i := 0; i < len(addr) && b.Len() < 64; i++ {
		c := addr[i]
		switch {
		case c == '@':
			b.WriteString("_at_")
		case c >= 'a' && c <= 'z', c >= '0' && c <= '9', c == '.' && b.Len() > 0, c == '-':
			b.WriteByte(c)
		default:
			b.WriteByte('_')
		}
	}
	if b.Len() == 0 {
		return "unknown"
	}
	return b.String()
}

// writeNewFile writes content to a new file of dir, mode 0600, named by
// name() (called again if the name is taken), and returns the name. The file
// never exists half-written under its final name.
func writeNewFile(dir string, name func() string, content []byte) (string, error) {
	tmp, err := os.CreateTemp(dir, ".mail-*.tmp") // mode 0600
	if err != nil {
		return "", err
	}
	tmpName := tmp.Name()
	defer os.Remove(tmpName) // after the link, removes the temporary name only
	if _, err := tmp.Write(content); err != nil {
		tmp.Close()
		return "", err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return "", err
	}
	if err := tmp.Close(); err != nil {
		return "", err
	}
	for range 10 {
		final := name()
		err := os.Link(tmpName, filepath.Join(dir, final))
		if err == nil {
			syncDir(dir)
			return final, nil
		}
		if errors.Is(err, fs.ErrExist) {
			continue
		}
		// No hard links on this file system: rename, which is atomic too
		// but would replace a file of the same name, so check first.
		if _, statErr := os.Lstat(filepath.Join(dir, final)); statErr == nil {
			continue
		}
		if err := os.Rename(tmpName, filepath.Join(dir, final)); err != nil {
			return "", err
		}
		syncDir(dir)
		return final, nil
	}
	return "", errors.New("no free file name")
}

// syncDir makes a new directory entry durable, where the system allows it.
func syncDir(dir string) {
	if runtime.GOOS == "windows" {
		return
	}
	if d, err := os.Open(dir); err == nil {
		_ = d.Sync()
		_ = d.Close()
	}
}
