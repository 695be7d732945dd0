// Command espacepro is the desktop app of Espace professionnel: childminders,
// structures and Caf agents use it to keep availability and requests up to
// date, working on a local copy that syncs with the central service.
//
// Environment (all optional; the first-run screen asks otherwise):
//
//	ESPACEPRO_SERVER       the central service's URL (e.g. https://127.0.0.1:8443)
//	ESPACEPRO_FINGERPRINT  SHA-256 fingerprint of its certificate, as the server prints it
//	ESPACEPRO_CA_FILE      or a PEM file of the authority that signed it
//	ESPACEPRO_DATA         the folder of the local copies (default: the user's
//	                       configuration folder, e.g. ~/.config/espacepro or
//	                       %AppData%\espacepro)
package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"log"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/app"

	"espacepro/assets"
	"espacepro/data/sqlite"
	"espacepro/sync/client"
	"espacepro/ui"
)

// appID is also in FyneApp.toml.
const appID = "fr.espacepro.app"

// The app's service is the sync client.
var _ ui.Service = (*client.Client)(nil)

func main() {
	started := time.Now()
	if err := ui.SetupLanguage(); err != nil {
		log.Printf("translations: %v", err)
	}
	a := app.NewWithID(appID)
	a.SetIcon(fyne.NewStaticResource("icon.png", assets.Icon))
	c := &connector{dir: dataDir()}
	defer c.close()
	ui.Run(a, ui.Config{
		Settings: ui.Settings{
			ServerURL:   os.Getenv(ui.ServerEnv),
			Fingerprint: os.Getenv(ui.FingerprintEnv),
			CAFile:      os.Getenv(ui.CAFileEnv),
		},
		Connect: c.connect,
		Started: started,
	})
}

// dataDir is the folder of the local copies.
func dataDir() string {
	if d := os.Getenv("ESPACEPRO_DATA"); d != "" {
		return d
	}
	if d, err := os.UserConfigDir(); err == nil {
		return filepath.Join(d, "espacepro")
	}
	return "espacepro-data"
}

// connector opens the local copy of a server and its client; one copy per
// server address, so that two servers' records never mix.
type connector struct {
	dir   string
	mu    sync.Mutex
	local *sqlite.Local
	cl    *client.Client
}

func (c *connector) connect(s ui.Settings) (ui.Service, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if err := os.MkdirAll(c.dir, 0o700); err != nil {
		return nil, fmt.Errorf("dossier des données %s : %w", c.dir, err)
	}
	sum := sha256.Sum256([]byte(strings.TrimRight(strings.TrimSpace(s.ServerURL), "/")))
	path := filepath.Join(c.dir, "copie-"+hex.EncodeToString(sum[:6])+".db")
	local, err := sqlite.OpenLocal(context.Background(), path)
	if err != nil {
		return nil, err
	}
	cl, err := client.New(client.Config{ServerURL: s.ServerURL, Fingerprint: s.Fingerprint, CAFile: s.CAFile}, local)
	if err != nil {
		local.Close()
		return nil, err
	}
	c.closeLocked()
	c.local, c.cl = local, cl
	return cl, nil
}

func (c *connector) close() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.closeLocked()
}

func (c *connector) closeLocked() {
	if c.cl != nil {
		c.cl.Close()
	}
	if c.local != nil {
		c.local.Close()
	}
	c.cl, c.local = nil, nil
}
