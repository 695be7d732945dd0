package ui

import (
	"image/color"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/theme"
)

// readableTheme is the app's theme: Fyne's, with error and warning colours
// readable on the background (at least 4.5:1, WCAG 1.4.3). Fyne's red
// (#F44336) is 3.7:1 on the light theme's white and its orange 2.2:1. Run
// sets it for the whole app; the request form also sets it on itself, so
// that its tests check it.
type readableTheme struct{}

// Color returns the base theme's colour of name, darker reds and oranges in
// the light variant and a lighter red in the dark one.
func (readableTheme) Color(name fyne.ThemeColorName, variant fyne.ThemeVariant) color.Color {
	switch {
	case name == theme.ColorNameError && variant == theme.VariantDark:
		return color.NRGBA{R: 0xf2, G: 0xb8, B: 0xb5, A: 0xff} // 10.5:1 on #171718
	case name == theme.ColorNameError:
		return color.NRGBA{R: 0xb3, G: 0x26, B: 0x1e, A: 0xff} // 6.5:1 on white
	case name == theme.ColorNameWarning && variant != theme.VariantDark:
		return color.NRGBA{R: 0x8a, G: 0x4b, B: 0x00, A: 0xff} // 6.8:1 on white
	}
	return baseTheme().Color(name, variant)
}

// Font returns the base theme's font.
func (readableTheme) Font(style fyne.TextStyle) fyne.Resource { return baseTheme().Font(style) }

// Icon returns the base theme's icon.
func (readableTheme) Icon(name fyne.ThemeIconName) fyne.Resource { return baseTheme().Icon(name) }

// Size returns the base theme's size.
func (readableTheme) Size(name fyne.ThemeSizeName) float32 { return baseTheme().Size(name) }

// baseTheme is the theme readableTheme adjusts: the app's (the test theme
// in tests), or Fyne's default when the app's is readableTheme itself.
func baseTheme() fyne.Theme {
	if a := fyne.CurrentApp(); a != nil {
		if th := a.Settings().Theme(); th != nil {
			if _, ours := th.(readableTheme); !ours {
				return th
			}
		}
	}
	return theme.DefaultTheme()
}
