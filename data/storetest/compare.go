package storetest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"espacepro/data"
)

// testTimeout bounds every subtest, so that a store that deadlocks (a
// transaction left open after a panic, a busy SQLite never retried) fails
// instead of hanging the whole run.
const testTimeout = 2 * time.Minute

// testContext returns the context a subtest passes to the store.
func testContext(t testing.TB) context.Context {
	ctx, cancel := context.WithTimeout(t.Context(), testTimeout)
	t.Cleanup(cancel)
	return ctx
}

// errBoom is what the transaction tests return from fn to ask for a rollback.
var errBoom = errors.New("storetest: boom")

// unknownIDs are IDs that no store holds: a well-formed UUID and a plain word.
var unknownIDs = []string{"01890a5d-ac96-774b-bcce-b302099a8057", "inconnu"}

// must stops the subtest when err is not nil.
func must(t testing.TB, err error, format string, args ...any) {
	t.Helper()
	if err != nil {
		t.Fatalf("%s: %v", fmt.Sprintf(format, args...), err)
	}
}

// wantCode checks that err carries the data error code want.
func wantCode(t testing.TB, err error, want string, format string, args ...any) {
	t.Helper()
	if got := data.ErrorCode(err); got != want {
		t.Errorf("%s: got error %v (code %q), want code %q", fmt.Sprintf(format, args...), err, got, want)
	}
}

// sameInstant compares two times to the millisecond; a zero time only equals
// a zero time.
func sameInstant(a, b time.Time) bool {
	if a.IsZero() || b.IsZero() {
		return a.IsZero() == b.IsZero()
	}
	return a.Truncate(time.Millisecond).Equal(b.Truncate(time.Millisecond))
}

// wantEqual reports every field where got differs from want.
func wantEqual(t testing.TB, what string, want, got any) {
	t.Helper()
	if d := diff(want, got); len(d) > 0 {
		t.Errorf("%s differs from what was stored:\n\t%s", what, strings.Join(d, "\n\t"))
	}
}

// diff lists the differences between want and got, one per field, cell or
// element, with its path. Times are compared with sameInstant, pointers by
// what they point to (nil only equals nil), byte slices exactly.
func diff(want, got any) []string {
	var out []string
	diffValue(&out, "", reflect.ValueOf(want), reflect.ValueOf(got))
	return out
}

var (
	timeType = reflect.TypeFor[time.Time]()
	slotType = reflect.TypeFor[data.SlotState]()
)

func diffValue(out *[]string, path string, w, g reflect.Value) {
	if !w.IsValid() || !g.IsValid() {
		if w.IsValid() != g.IsValid() {
			*out = append(*out, fmt.Sprintf("%s: want %s, got %s", label(path), show(w), show(g)))
		}
		return
	}
	if w.Type() != g.Type() {
		*out = append(*out, fmt.Sprintf("%s: want type %s, got %s", label(path), w.Type(), g.Type()))
		return
	}
	if w.Type() == timeType {
		wt, gt := w.Interface().(time.Time), g.Interface().(time.Time)
		if !sameInstant(wt, gt) {
			*out = append(*out, fmt.Sprintf("%s: want %s, got %s", label(path), showTime(wt), showTime(gt)))
		}
		return
	}
	switch w.Kind() {
	case reflect.Pointer, reflect.Interface:
		if w.IsNil() || g.IsNil() {
			if w.IsNil() != g.IsNil() {
				*out = append(*out, fmt.Sprintf("%s: want %s, got %s", label(path), show(w), show(g)))
			}
			return
		}
		diffValue(out, path, w.Elem(), g.Elem())
	case reflect.Struct:
		for i := range w.NumField() {
			f := w.Type().Field(i)
			if !f.IsExported() {
				continue
			}
			diffValue(out, join(path, f.Name), w.Field(i), g.Field(i))
		}
	case reflect.Slice:
		if w.Type().Elem().Kind() == reflect.Uint8 {
			if !bytes.Equal(w.Bytes(), g.Bytes()) {
				*out = append(*out, fmt.Sprintf("%s: want bytes %q, got %q", label(path), w.Bytes(), g.Bytes()))
			}
			return
		}
		if w.Len() != g.Len() {
			*out = append(*out, fmt.Sprintf("%s: want %d elements, got %d", label(path), w.Len(), g.Len()))
			return
		}
		fallthrough
	case reflect.Array:
		for i := range w.Len() {
			diffValue(out, fmt.Sprintf("%s[%d]", path, i), w.Index(i), g.Index(i))
		}
	default:
		if !reflect.DeepEqual(w.Interface(), g.Interface()) {
			*out = append(*out, fmt.Sprintf("%s: want %s, got %s", label(path), show(w), show(g)))
		}
	}
}

func join(path, name string) string {
	if path == "" {
		return name
	}
	return path + "." + name
}

func label(path string) string {
	if path == "" {
		return "value"
	}
	return path
}

func show(v reflect.Value) string {
	switch {
	case !v.IsValid():
		return "nothing"
	case (v.Kind() == reflect.Pointer || v.Kind() == reflect.Interface) && v.IsNil():
		return "nil"
	case v.Kind() == reflect.Pointer:
		return show(v.Elem())
	case v.Type() == slotType:
		return fmt.Sprintf("%q", rune(v.Uint()))
	case v.Type() == timeType:
		return showTime(v.Interface().(time.Time))
	}
	return fmt.Sprintf("%#v", v.Interface())
}

func showTime(t time.Time) string {
	if t.IsZero() {
		return "zero time"
	}
	return t.UTC().Format("2006-01-02T15:04:05.000000000Z")
}
