// Command espacepro is the desktop app of Espace professionnel: childminders,
// structures and Caf agents use it to keep availability and requests up to
// date, working on a local copy that syncs with the central service.
//
// Environment: ESPACEPRO_SERVER is the central service's URL
// (e.g. https://127.0.0.1:8443).
package main

import (
	"log"
	"os"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/app"

	"espacepro/assets"
	"espacepro/ui"
)

// appID is also in FyneApp.toml.
const appID = "fr.espacepro.app"

func main() {
	if err := ui.SetupLanguage(); err != nil {
		log.Printf("translations: %v", err)
	}
	a := app.NewWithID(appID)
	a.SetIcon(fyne.NewStaticResource("icon.png", assets.Icon))
	ui.Run(a, ui.Config{ServerURL: os.Getenv(ui.ServerEnv)})
}
