// Package data is the domain of Espace professionnel: its types, its rules,
// its error type, the interfaces of its stores and its reference data
// (communes, postal codes, départements and Caf). It imports no SQL driver,
// no HTTP and no UI package: every other package depends on it, never the
// other way round.
package data

import (
	"errors"
	"fmt"
	"sort"
	"strings"
)

// Error codes. The HTTP layer maps them to status codes and the client maps
// them back, so that one interface works locally and remotely.
const (
	ECONFLICT       = "conflict"         // the action conflicts with the current state
	EFORBIDDEN      = "forbidden"        // authenticated, but not allowed on that record
	EINTERNAL       = "internal"         // a fault of ours; the message is generic
	EINVALID        = "invalid"          // bad input; Fields says which field and why
	ENOTFOUND       = "not_found"        // no such record
	EUNAUTHORIZED   = "unauthorized"     // no valid session, or wrong credentials
	ERATELIMIT      = "rate_limited"     // too many attempts; try again later
	EUPGRADE        = "upgrade_required" // the client speaks an older protocol
	EUNAVAILABLE    = "unavailable"      // the service cannot be reached or is stopping
	EHABILITATION   = "habilitation"     // logged in, but the habilitation does not allow access
	EPASSWORDCHANGE = "password_change_required"
)

// Error is the one error type of the domain. Message is French and may be
// shown to the user as it is; Fields holds per-field messages for forms.
type Error struct {
	Code    string
	Message string
	Fields  map[string]string
}

// Error implements the error interface.
func (e *Error) Error() string {
	if len(e.Fields) == 0 {
		return fmt.Sprintf("%s: %s", e.Code, e.Message)
	}
	keys := make([]string, 0, len(e.Fields))
	for k := range e.Fields {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = k + ": " + e.Fields[k]
	}
	return fmt.Sprintf("%s: %s (%s)", e.Code, e.Message, strings.Join(parts, "; "))
}

// Errorf returns an *Error with the given code and a formatted message.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// ErrorCode returns the code of the first *Error in err's chain, "" for nil
// and EINTERNAL for any other error.
func ErrorCode(err error) string {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return EINTERNAL
}

// ErrorMessage returns the user-facing message of err: the message of the
// first *Error in its chain, or a generic French message for any other error,
// whose text may reveal internals and is never shown.
func ErrorMessage(err error) string {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Message
	}
	return "Une erreur interne est survenue. Réessayez plus tard ; si elle persiste, contactez votre Caf."
}

// ErrorFields returns the per-field messages of err, or nil.
func ErrorFields(err error) map[string]string {
	var e *Error
	if errors.As(err, &e) {
		return e.Fields
	}
	return nil
}

// FieldErrors collects per-field validation messages and turns them into one
// EINVALID error.
type FieldErrors map[string]string

// Add records msg for field, keeping the first message given for a field.
func (f FieldErrors) Add(field, msg string) {
	if _, ok := f[field]; !ok {
		f[field] = msg
	}
}

// Err returns nil when no field failed, else an EINVALID *Error.
func (f FieldErrors) Err() error {
	if len(f) == 0 {
		return nil
	}
	msg := "Certains champs sont incorrects : corrigez les champs signalés puis recommencez."
	if len(f) == 1 {
		msg = "Un champ est incorrect : corrigez-le puis recommencez."
	}
	return &Error{Code: EINVALID, Message: msg, Fields: map[string]string(f)}
}
