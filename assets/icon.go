// Package assets holds the files that the desktop app embeds.
package assets

import _ "embed"

// Icon is the app's 512×512 PNG icon, also named in FyneApp.toml.
//
//go:embed icon.png
var Icon []byte
