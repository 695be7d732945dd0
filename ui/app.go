// Package ui holds the desktop app's Fyne screens, one file per screen. It
// never runs SQL or HTTP itself: it calls services. Every visible string goes
// through lang.L, with the French text as its ID; translations are in
// translation/*.json.
package ui

import (
	"embed"
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/lang"
)

// Environment variables the app reads at start (make run sets them for the
// demo); when set they fill in the first-run screen's values.
const (
	ServerEnv      = "ESPACEPRO_SERVER"      // the central service's URL, e.g. https://127.0.0.1:8443
	FingerprintEnv = "ESPACEPRO_FINGERPRINT" // SHA-256 fingerprint of its certificate
	CAFileEnv      = "ESPACEPRO_CA_FILE"     // or a PEM file of the authority that signed it
)

// translations holds one folder per language (fr, en) of JSON files, one
// file per screen, so that screens are translated apart; they are merged
// when loaded.
//
//go:embed translation
var translations embed.FS

// Config is what the app takes from main.
type Config struct {
	// Settings are the server's address and how to trust it, from the
	// environment; empty fields are read from the preferences saved by the
	// first-run screen.
	Settings Settings
	// Connect opens the local copy and the sync client for s. main
	// provides it (the ui package runs no SQL or HTTP itself).
	Connect func(s Settings) (Service, error)
	// Now is the clock of the screens (time.Now when nil).
	Now func() time.Time
	// Started is when the process started: the time to the first screen
	// is logged (cold-start figure). Zero: not logged.
	Started time.Time
	// SyncEvery is the pause between two background syncs while logged in
	// (2 minutes when zero; negative: no background loop, as in tests).
	SyncEvery time.Duration
}

// Preference keys of the server settings.
const (
	prefServerURL   = "server_url"
	prefFingerprint = "server_fingerprint"
	prefCAFile      = "server_ca_file"
	prefLastEmail   = "last_email"
)

// SetupLanguage registers the app's translations and chooses its language:
// English when the user's locale asks for English, French otherwise. Call it
// once at start, before building any screen.
func SetupLanguage() error {
	return useLanguage(userLanguage())
}

// userLanguage returns "en" when the user's locale is English and "fr"
// otherwise (including the C and POSIX locales). On Unix the locale comes from
// LC_ALL, LC_MESSAGES, LANG then LANGUAGE, as Fyne reads it; where none is set
// (Windows, macOS) from the system.
func userLanguage() string {
	loc := ""
	for _, name := range []string{"LC_ALL", "LC_MESSAGES", "LANG"} {
		if loc = os.Getenv(name); loc != "" {
			break
		}
	}
	if loc != "C" && loc != "POSIX" {
		if l := os.Getenv("LANGUAGE"); l != "" {
			loc, _, _ = strings.Cut(l, ":")
		}
	}
	if loc == "" {
		loc = string(lang.SystemLocale())
	}
	if isEnglish(loc) {
		return "en"
	}
	return "fr"
}

// isEnglish reports whether a locale such as en_GB.UTF-8 or en-US is English.
func isEnglish(loc string) bool {
	loc = strings.ToLower(loc)
	return loc == "en" || (strings.HasPrefix(loc, "en") && strings.ContainsAny(loc[2:3], "_-.@"))
}

// useLanguage registers the translations and makes tag ("fr" or "en") the
// language of every lang.L call, Fyne's own strings included.
//
// Fyne has no setter: it matches the locale it reads (environment variables
// on Unix, the system elsewhere) against the registered translations each
// time translations are added, falling back to English. So the environment
// is set for the time of that call, and English is registered only when
// wanted: elsewhere, a fallback to English finds none of our strings and
// shows their French IDs.
func useLanguage(tag string) error {
	names := []string{"LC_ALL", "LC_MESSAGES", "LANG", "LANGUAGE"}
	saved := make(map[string]*string, len(names))
	for _, name := range names {
		if v, ok := os.LookupEnv(name); ok {
			saved[name] = &v
		} else {
			saved[name] = nil
		}
		os.Unsetenv(name)
	}
	defer func() {
		for name, v := range saved {
			if v == nil {
				os.Unsetenv(name)
			} else {
				os.Setenv(name, *v)
			}
		}
	}()
	os.Setenv("LC_ALL", tag)

	table, err := translationTable(tag)
	if err != nil {
		return err
	}
	b, err := json.Marshal(table)
	if err != nil {
		return err
	}
	return lang.AddTranslationsForLocale(b, fyne.Locale(tag))
}

// translationTable merges the JSON files of one language's folder; a text
// translated twice, differently, is an error.
func translationTable(tag string) (map[string]string, error) {
	dir := "translation/" + tag
	entries, err := translations.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("translations %s: %w", tag, err)
	}
	table := map[string]string{}
	for _, e := range entries {
		if !strings.HasSuffix(e.Name(), ".json") {
			continue
		}
		b, err := translations.ReadFile(dir + "/" + e.Name())
		if err != nil {
			return nil, err
		}
		var part map[string]string
		if err := json.Unmarshal(b, &part); err != nil {
			return nil, fmt.Errorf("translations %s/%s: %w", tag, e.Name(), err)
		}
		for k, v := range part {
			if old, ok := table[k]; ok && old != v {
				return nil, fmt.Errorf("translations %s/%s: %q is translated twice (%q, %q)", tag, e.Name(), k, old, v)
			}
			table[k] = v
		}
	}
	return table, nil
}
