package ui

import (
	"errors"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/widget"

	"espacepro/data"
)

// errorMessage returns the French message of err for the user; the
// service's and the client's errors carry one (data.ErrorMessage).
func errorMessage(err error) string {
	if err == nil {
		return ""
	}
	return data.ErrorMessage(err)
}

// fieldErrors returns the per-field messages of a validation error, keyed
// by the wire's JSON field names (nil when there are none).
func fieldErrors(err error) map[string]string {
	var e *data.Error
	if errors.As(err, &e) {
		return e.Fields
	}
	return nil
}

// showError shows err's message in a dialog of win.
func showError(win fyne.Window, err error) {
	dialog.ShowInformation(lang.L("Erreur"), errorMessage(err), win)
}

// newMessageLabel returns a hidden, wrapping label for an inline message
// (an error under a form, a field's error next to it).
func newMessageLabel(importance widget.Importance) *widget.Label {
	l := widget.NewLabel("")
	l.Importance = importance
	l.Wrapping = fyne.TextWrapWord
	l.Hide()
	return l
}

// setMessage shows text in l, or hides l when text is empty.
func setMessage(l *widget.Label, text string) {
	l.SetText(text)
	if text == "" {
		l.Hide()
	} else {
		l.Show()
	}
}
