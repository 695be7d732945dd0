package server

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"gopkg.in/yaml.v3"

	"espacepro/data"
	"espacepro/data/sqlite"
	"espacepro/server/password"
	"espacepro/server/pmi"
)

// The tests of this file keep openapi.yaml true: the document and the router
// list the same routes, every $ref resolves, every schema mirrors a message
// of sync/wire/wire.go, every error code sits under the status statusOf
// gives it, and real answers of the router — errors, and a whole request's
// life from the form to the revocation — validate against the document.

// catchAllPrefix starts the message of the catch-all « unknown address »
// answer of apiRoutes; a handler's own 404 says something else.
const catchAllPrefix = "Adresse d'API inconnue"

// oaDummyID stands for {id} when no real record is meant.
const oaDummyID = "00000000-0000-7000-8000-000000000000"

var oaMethods = []string{"get", "put", "post", "delete", "patch", "head", "options", "trace"}

// --- the document ---------------------------------------------------------

type oaDoc struct {
	root map[string]any
}

func loadOpenAPI(t *testing.T) *oaDoc {
	t.Helper()
	var root map[string]any
	if err := yaml.Unmarshal(openAPI, &root); err != nil {
		t.Fatalf("openapi.yaml: %v", err)
	}
	if root == nil {
		t.Fatal("openapi.yaml is empty")
	}
	return &oaDoc{root: root}
}

func oaMap(v any) map[string]any {
	m, _ := v.(map[string]any)
	return m
}

func oaList(v any) []any {
	l, _ := v.([]any)
	return l
}

func oaStrings(v any) []string {
	var out []string
	for _, x := range oaList(v) {
		if s, ok := x.(string); ok {
			out = append(out, s)
		}
	}
	return out
}

// pointer resolves a local JSON pointer such as #/components/schemas/Error.
func (d *oaDoc) pointer(ref string) (any, error) {
	if !strings.HasPrefix(ref, "#/") {
		return nil, fmt.Errorf("%q is not a local reference", ref)
	}
	var cur any = d.root
	for _, tok := range strings.Split(ref[2:], "/") {
		tok = strings.ReplaceAll(strings.ReplaceAll(tok, "~1", "/"), "~0", "~")
		m := oaMap(cur)
		if m == nil {
			return nil, fmt.Errorf("%q: %q is not inside an object", ref, tok)
		}
		next, ok := m[tok]
		if !ok {
			return nil, fmt.Errorf("%q: no %q", ref, tok)
		}
		cur = next
	}
	return cur, nil
}

// deref follows $ref until an object without one.
func (d *oaDoc) deref(m map[string]any) map[string]any {
	for i := 0; m != nil && i < 10; i++ {
		ref, ok := m["$ref"].(string)
		if !ok {
			return m
		}
		v, err := d.pointer(ref)
		if err != nil {
			return nil
		}
		m = oaMap(v)
	}
	return m
}

// oaOperation is one operation of the document.
type oaOperation struct {
	Method, Path string // "GET", "/api/v1/me"
	Op           map[string]any
}

func (o oaOperation) key() string { return o.Method + " " + o.Path }

func (o oaOperation) secured() bool { return len(oaList(o.Op["security"])) > 0 }

func (o oaOperation) restrictedOK() bool { b, _ := o.Op["x-restricted-session"].(bool); return b }

func (d *oaDoc) operations() []oaOperation {
	var out []oaOperation
	for path, item := range oaMap(d.root["paths"]) {
		for _, m := range oaMethods {
			if op := oaMap(oaMap(item)[m]); op != nil {
				out = append(out, oaOperation{strings.ToUpper(m), path, op})
			}
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].key() < out[j].key() })
	return out
}

// parameters returns an operation's parameters (path item's and its own),
// resolved.
func (d *oaDoc) parameters(o oaOperation) []map[string]any {
	var out []map[string]any
	for _, src := range []any{oaMap(oaMap(d.root["paths"])[o.Path])["parameters"], o.Op["parameters"]} {
		for _, p := range oaList(src) {
			out = append(out, d.deref(oaMap(p)))
		}
	}
	return out
}

// walk calls f on every object of the document with its location.
func oaWalk(v any, at string, f func(at string, m map[string]any)) {
	switch x := v.(type) {
	case map[string]any:
		f(at, x)
		for k, c := range x {
			oaWalk(c, at+"/"+k, f)
		}
	case []any:
		for i, c := range x {
			oaWalk(c, at+"/"+strconv.Itoa(i), f)
		}
	}
}

// --- schema validation (the subset of JSON Schema the document uses) ------

// validate checks a decoded JSON value against schema and returns what is
// wrong. Objects that declare type object and properties are strict: a key
// the document does not list is an error, so a field the server sends but
// the document forgets is caught.
func (d *oaDoc) validate(at string, schema map[string]any, v any) []string {
	if schema == nil {
		return []string{at + ": no schema"}
	}
	var errs []string
	if ref, ok := schema["$ref"].(string); ok {
		target, err := d.pointer(ref)
		if err != nil {
			return []string{at + ": " + err.Error()}
		}
		errs = append(errs, d.validate(at, oaMap(target), v)...)
	}
	for _, sub := range oaList(schema["allOf"]) {
		errs = append(errs, d.validate(at, oaMap(sub), v)...)
	}
	if cond := oaMap(schema["if"]); cond != nil && len(d.validate(at, cond, v)) == 0 {
		if then := oaMap(schema["then"]); then != nil {
			errs = append(errs, d.validate(at, then, v)...)
		}
	}
	if c, ok := schema["const"]; ok && fmt.Sprint(c) != fmt.Sprint(v) {
		errs = append(errs, fmt.Sprintf("%s: %v, want %v", at, v, c))
	}
	if enum, ok := schema["enum"]; ok {
		found := false
		for _, e := range oaList(enum) {
			found = found || fmt.Sprint(e) == fmt.Sprint(v)
		}
		if !found {
			errs = append(errs, fmt.Sprintf("%s: %v is not one of %v", at, v, enum))
		}
	}
	typ, _ := schema["type"].(string)
	switch typ {
	case "":
	case "string":
		s, ok := v.(string)
		if !ok {
			return append(errs, fmt.Sprintf("%s: %T, want a string", at, v))
		}
		switch schema["format"] {
		case "date-time":
			if _, err := time.Parse(time.RFC3339Nano, s); err != nil {
				errs = append(errs, fmt.Sprintf("%s: %q is not a date-time", at, s))
			}
		case "date":
			if _, err := time.Parse("2006-01-02", s); err != nil {
				errs = append(errs, fmt.Sprintf("%s: %q is not a date", at, s))
			}
		}
	case "integer":
		if f, ok := v.(float64); !ok || f != float64(int64(f)) {
			errs = append(errs, fmt.Sprintf("%s: %v, want an integer", at, v))
		}
	case "boolean":
		if _, ok := v.(bool); !ok {
			errs = append(errs, fmt.Sprintf("%s: %T, want a boolean", at, v))
		}
	case "array":
		l, ok := v.([]any)
		if !ok {
			return append(errs, fmt.Sprintf("%s: %T, want an array", at, v))
		}
		for i, x := range l {
			errs = append(errs, d.validate(fmt.Sprintf("%s[%d]", at, i), oaMap(schema["items"]), x)...)
		}
	case "object":
		m, ok := v.(map[string]any)
		if !ok {
			return append(errs, fmt.Sprintf("%s: %T, want an object", at, v))
		}
		for _, r := range oaStrings(schema["required"]) {
			if _, ok := m[r]; !ok {
				errs = append(errs, fmt.Sprintf("%s: required %q missing", at, r))
			}
		}
		props := oaMap(schema["properties"])
		extra := oaMap(schema["additionalProperties"])
		for k, x := range m {
			if p := oaMap(props[k]); p != nil {
				errs = append(errs, d.validate(at+"."+k, p, x)...)
			} else if extra != nil {
				errs = append(errs, d.validate(at+"."+k, extra, x)...)
			} else if props != nil || schema["additionalProperties"] == false {
				errs = append(errs, fmt.Sprintf("%s: %q is not in the document", at, k))
			}
		}
	default:
		errs = append(errs, fmt.Sprintf("%s: type %q not handled by the test", at, typ))
	}
	return errs
}

// --- the sources ----------------------------------------------------------

// oaRoute is a route registered in the sources.
type oaRoute struct {
	Method, Path string
	Auth         bool   // wrapped in s.auth
	Restricted   bool   // s.auth(true, …)
	Handler      string // the method name, "" for an inline func
}

var oaRouteRE = regexp.MustCompile(`\.HandleFunc\("([A-Z]+) (/[^"]*)",\s*(s\.auth\((true|false),\s*)?(?:s\.(\w+)|func)`)

// sourceRoutes reads the routes of apiRoutes (api.go) and of routes
// (https.go) from their source text.
func sourceRoutes(t *testing.T) map[string]oaRoute {
	t.Helper()
	out := map[string]oaRoute{}
	for _, file := range []string{"api.go", "https.go"} {
		src, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range oaRouteRE.FindAllStringSubmatch(string(src), -1) {
			r := oaRoute{Method: m[1], Path: m[2], Auth: m[3] != "", Restricted: m[4] == "true", Handler: m[5]}
			out[r.Method+" "+r.Path] = r
		}
	}
	if len(out) < 2 {
		t.Fatalf("found %d routes in api.go and https.go: has the registration changed form?", len(out))
	}
	return out
}

// serverSource is the text of the package's non-test files.
func serverSource(t *testing.T) string {
	t.Helper()
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		b.Write(src)
		b.WriteByte('\n')
	}
	return b.String()
}

// handlerQuery returns the query parameters a handler reads: q.Get("x"),
// r.URL.Query().Get("x"), a {"x", &f.X} table, itself or in the helpers it
// passes the request to (pageOf, readUpload).
func handlerQuery(t *testing.T, src, handler string) []string {
	t.Helper()
	body := funcBody(src, handler)
	if body == "" {
		t.Fatalf("handler %s not found in the sources", handler)
		return nil
	}
	// The helpers it hands the request to (pageOf(r), readUpload(w, r)…)
	// read parameters too.
	for _, m := range regexp.MustCompile(`\b(\w+)\((?:w, )?r\)`).FindAllStringSubmatch(body, -1) {
		if m[1] != handler {
			body += funcBody(src, m[1])
		}
	}
	seen := map[string]bool{}
	for _, re := range []*regexp.Regexp{regexp.MustCompile(`\.Get\("(\w+)"\)`), regexp.MustCompile(`\{"(\w+)", &`)} {
		for _, m := range re.FindAllStringSubmatch(body, -1) {
			seen[m[1]] = true
		}
	}
	out := make([]string, 0, len(seen))
	for k := range seen {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// funcBody returns the text of function (or method) name, "" when there is
// none.
func funcBody(src, name string) string {
	start := regexp.MustCompile(`(?m)^func (?:\([^)]*\) )?` + name + `\(`).FindStringIndex(src)
	if start == nil {
		return ""
	}
	body := src[start[0]:]
	if line, _, _ := strings.Cut(body, "\n"); strings.HasSuffix(strings.TrimSpace(line), "}") {
		return line // a one-line function
	}
	if end := strings.Index(body, "\n}\n"); end >= 0 {
		body = body[:end]
	}
	return body
}

// wireField is one field of a struct of wire.go.
type wireField struct {
	Name, Type, Tag string
	OmitEmpty       bool
}

var (
	wireStructRE = regexp.MustCompile(`(?ms)^type (\w+)(?:\[[^\]]*\])? struct \{\n(.*?)^\}`)
	wireFieldRE  = regexp.MustCompile("(?m)^\\s+(\\w+)\\s+(\\S+)\\s+`json:\"([^\"]*)\"`")
)

// wireStructs parses the JSON messages of sync/wire (and data.Record, which
// the wire package names Record) from their text.
func wireStructs(t *testing.T) map[string][]wireField {
	t.Helper()
	var src []byte
	for _, f := range []string{"../sync/wire/wire.go", "../sync/wire/sync.go", "../data/fields.go"} {
		b, err := os.ReadFile(filepath.FromSlash(f))
		if err != nil {
			t.Fatal(err)
		}
		src = append(src, b...)
	}
	out := map[string][]wireField{}
	for _, m := range wireStructRE.FindAllStringSubmatch(string(src), -1) {
		for _, f := range wireFieldRE.FindAllStringSubmatch(m[2], -1) {
			name, opts, _ := strings.Cut(f[3], ",")
			if name == "-" {
				continue
			}
			out[m[1]] = append(out[m[1]], wireField{Name: f[1], Type: f[2], Tag: name,
				OmitEmpty: slices.Contains(strings.Split(opts, ","), "omitempty")})
		}
	}
	if len(out) < 10 {
		t.Fatalf("found %d structs in wire.go: has its form changed?", len(out))
	}
	return out
}

// --- the document alone ---------------------------------------------------

func TestOpenAPIDocument(t *testing.T) {
	d := loadOpenAPI(t)
	if v, _ := d.root["openapi"].(string); !strings.HasPrefix(v, "3.1.") {
		t.Errorf("openapi = %q, want 3.1.x", v)
	}
	info := oaMap(d.root["info"])
	if info["title"] != "Espace professionnel — service central" || fmt.Sprint(info["version"]) != "1" {
		t.Errorf("info: title %q, version %v", info["title"], info["version"])
	}
	servers := oaList(d.root["servers"])
	if len(servers) == 0 || oaMap(servers[0])["url"] != "https://127.0.0.1:8443" {
		t.Errorf("servers = %v, want https://127.0.0.1:8443", servers)
	}
	bearer := oaMap(oaMap(oaMap(d.root["components"])["securitySchemes"])["bearerAuth"])
	if bearer["type"] != "http" || bearer["scheme"] != "bearer" {
		t.Errorf("bearerAuth = %v, want an HTTP bearer scheme", bearer)
	}
	ops := d.operations()
	if len(ops) == 0 {
		t.Fatal("no paths")
	}
	ids := map[string]string{}
	pathParam := regexp.MustCompile(`\{(\w+)\}`)
	for _, o := range ops {
		for _, f := range []string{"summary", "description", "operationId"} {
			if s, _ := o.Op[f].(string); strings.TrimSpace(s) == "" {
				t.Errorf("%s: no %s", o.key(), f)
			}
		}
		if id, _ := o.Op["operationId"].(string); ids[id] != "" {
			t.Errorf("%s: operationId %q already used by %s", o.key(), id, ids[id])
		} else {
			ids[id] = o.key()
		}
		responses := oaMap(o.Op["responses"])
		if len(responses) == 0 {
			t.Errorf("%s: no responses", o.key())
		}
		for status := range responses {
			if n, err := strconv.Atoi(status); err != nil || n < 100 || n > 599 {
				t.Errorf("%s: response key %q is not a status code", o.key(), status)
			}
		}
		if !oaHas(responses, "500") && o.Path != "/healthz" && o.Path != "/api/v1/openapi.yaml" {
			t.Errorf("%s: every call can answer 500 internal; document it", o.key())
		}
		for _, s := range oaList(o.Op["security"]) {
			for name := range oaMap(s) {
				if name != "bearerAuth" {
					t.Errorf("%s: unknown security scheme %q", o.key(), name)
				}
			}
		}
		if o.restrictedOK() && !o.secured() {
			t.Errorf("%s: x-restricted-session without security", o.key())
		}
		// Path parameters and the template agree.
		var want, got []string
		for _, m := range pathParam.FindAllStringSubmatch(o.Path, -1) {
			want = append(want, m[1])
		}
		for _, p := range d.parameters(o) {
			if p == nil {
				t.Errorf("%s: a parameter does not resolve", o.key())
				continue
			}
			if p["in"] == "path" {
				got = append(got, p["name"].(string))
				if p["required"] != true {
					t.Errorf("%s: path parameter %v must be required", o.key(), p["name"])
				}
			}
		}
		if !slices.Equal(want, got) {
			t.Errorf("%s: path parameters %v, template has %v", o.key(), got, want)
		}
		if rb, ok := o.Op["requestBody"]; ok && len(oaMap(d.deref(oaMap(rb))["content"])) == 0 {
			t.Errorf("%s: request body without content", o.key())
		}
	}
}

func oaHas(m map[string]any, k string) bool { _, ok := m[k]; return ok }

func TestOpenAPIRefsResolve(t *testing.T) {
	d := loadOpenAPI(t)
	used := map[string]bool{}
	oaWalk(d.root, "#", func(at string, m map[string]any) {
		ref, ok := m["$ref"]
		if !ok {
			return
		}
		s, ok := ref.(string)
		if !ok {
			t.Errorf("%s: $ref is not a string", at)
			return
		}
		if _, err := d.pointer(s); err != nil {
			t.Errorf("%s: %v", at, err)
		}
		used[s] = true
	})
	for kind, set := range oaMap(d.root["components"]) {
		if kind == "securitySchemes" {
			continue
		}
		for name := range oaMap(set) {
			if ref := "#/components/" + kind + "/" + name; !used[ref] {
				t.Errorf("%s is never used", ref)
			}
		}
	}
}

// Every error response is an Error whose code sits under the status that
// statusOf gives it; the Error schema lists every code of the data package.
func TestOpenAPIErrorCodes(t *testing.T) {
	d := loadOpenAPI(t)
	all := []string{data.EINVALID, data.ENOTFOUND, data.EUNAUTHORIZED, data.EFORBIDDEN, data.EHABILITATION,
		data.EPASSWORDCHANGE, data.ECONFLICT, data.ERATELIMIT, data.EUPGRADE, data.EUNAVAILABLE, data.EINTERNAL}
	errSchema := oaMap(oaMap(oaMap(d.root["components"])["schemas"])["Error"])
	code := oaStrings(oaMap(oaMap(errSchema["properties"])["code"])["enum"])
	if !oaSameSet(code, all) {
		t.Errorf("Error.code enum = %v, want %v", code, all)
	}
	for _, o := range d.operations() {
		if o.Path == "/healthz" {
			continue
		}
		for status, r := range oaMap(o.Op["responses"]) {
			n, _ := strconv.Atoi(status)
			if n < 400 {
				continue
			}
			codes := d.errorCodes(oaMap(r))
			if codes == nil {
				t.Errorf("%s %s: not an Error with a code enum", o.key(), status)
			}
			for _, c := range codes {
				if statusOf(c) != n {
					t.Errorf("%s %s: code %s, but statusOf gives %d", o.key(), status, c, statusOf(c))
				}
			}
		}
	}
}

// errorCodes returns the codes an error response documents: the code enum
// of its allOf beside the Error schema.
func (d *oaDoc) errorCodes(resp map[string]any) []string {
	resp = d.deref(resp)
	schema := oaMap(oaMap(oaMap(resp["content"])["application/json"])["schema"])
	isError := false
	var codes []string
	for _, sub := range oaList(schema["allOf"]) {
		s := oaMap(sub)
		if s["$ref"] == "#/components/schemas/Error" {
			isError = true
		}
		codes = append(codes, oaStrings(oaMap(oaMap(s["properties"])["code"])["enum"])...)
	}
	if !isError || len(codes) == 0 {
		return nil
	}
	return codes
}

func oaSameSet(a, b []string) bool {
	a, b = slices.Clone(a), slices.Clone(b)
	sort.Strings(a)
	sort.Strings(b)
	return slices.Equal(a, b)
}

// The enums are the data package's values.
func TestOpenAPIEnums(t *testing.T) {
	d := loadOpenAPI(t)
	schemas := oaMap(oaMap(d.root["components"])["schemas"])
	enum := func(name string) []string { return oaStrings(oaMap(schemas[name])["enum"]) }
	for _, c := range []struct {
		schema string
		want   []string
	}{
		{"Kind", []string{string(data.KindChildminder), string(data.KindStructure)}},
		{"Civility", []string{string(data.CivilityM), string(data.CivilityMme)}},
		{"RequestState", []string{string(data.RequestReceived), string(data.RequestLetter), string(data.RequestAgreement),
			string(data.RequestValidated), string(data.RequestRefused)}},
		{"Habilitation", []string{string(data.HabilitationNone), string(data.HabilitationRequested), string(data.HabilitationActive),
			string(data.HabilitationSuspended), string(data.HabilitationRevoked), string(data.HabilitationExpired)}},
		{"Listing", []string{string(data.Listed), string(data.Delisted)}},
		{"Role", []string{string(data.RoleChildminder), string(data.RoleStructure), string(data.RoleAgent), string(data.RoleAdmin)}},
	} {
		if got := enum(c.schema); !oaSameSet(got, c.want) {
			t.Errorf("%s enum = %v, want %v", c.schema, got, c.want)
		}
	}
	for _, v := range enum("RequestState") {
		if !data.RequestState(v).Valid() {
			t.Errorf("RequestState %q is not valid", v)
		}
	}
	for _, v := range enum("Habilitation") {
		if !data.Habilitation(v).Valid() {
			t.Errorf("Habilitation %q is not valid", v)
		}
	}
	for _, v := range enum("Role") {
		if !data.Role(v).Valid() {
			t.Errorf("Role %q is not valid", v)
		}
	}
	if got, want := enum("Colour"), []string{string(data.ColourGrey), string(data.ColourRed), string(data.ColourGreen)}; !oaSameSet(got, want) {
		t.Errorf("Colour enum = %v, want %v", got, want)
	}
	prop := func(schema, name string) map[string]any {
		return oaMap(oaMap(oaMap(schemas[schema])["properties"])[name])
	}
	changes := []string{ChangeNew, ChangeUpdated, ChangeRelisted, ChangeDelisted, ChangeRejected}
	if got := oaStrings(prop("ImportChange", "kind")["enum"]); !oaSameSet(got, changes) {
		t.Errorf("ImportChange.kind enum = %v, want %v (unchanged rows are not listed)", got, changes)
	}
	if got := oaStrings(oaMap(prop("ImportPreview", "counts")["propertyNames"])["enum"]); !oaSameSet(got, append(changes, ChangeUnchanged)) {
		t.Errorf("ImportPreview.counts keys = %v", got)
	}
	if got := oaStrings(prop("ImportPreview", "format")["enum"]); !oaSameSet(got, []string{pmi.FormatCSV, pmi.FormatXLSX}) {
		t.Errorf("ImportPreview.format enum = %v", got)
	}
	if got := oaStrings(prop("ImportPreview", "encoding")["enum"]); !oaSameSet(got, []string{pmi.EncodingUTF8, pmi.EncodingUTF8BOM,
		pmi.EncodingWindows1252, pmi.EncodingUTF16LE, pmi.EncodingUTF16BE}) {
		t.Errorf("ImportPreview.encoding enum = %v", got)
	}
	match := oaStrings(oaMap(oaMap(oaMap(schemas["Request"])["properties"])["match"])["enum"])
	if !oaSameSet(match, []string{string(data.MatchAuto), string(data.MatchAgent)}) {
		t.Errorf("Request.match enum = %v", match)
	}
}

// Every schema of components mirrors its message in wire.go: the same
// property names as the json tags, the same types, a field with omitempty
// never required, and in an answer every field without omitempty required.
// A renamed, added or removed field breaks this test.
func TestOpenAPISchemasMatchWire(t *testing.T) {
	d := loadOpenAPI(t)
	structs := wireStructs(t)
	tags := map[string]bool{}
	for _, fields := range structs {
		for _, f := range fields {
			tags[f.Tag] = true
		}
	}
	components := oaMap(d.root["components"])
	oaWalk(components, "#/components", func(at string, m map[string]any) {
		if props := oaMap(m["properties"]); props != nil && !strings.HasSuffix(at, "/properties") {
			for name := range props {
				if !tags[name] {
					t.Errorf("%s: property %q is no json tag of wire.go", at, name)
				}
			}
		}
	})

	// Which schemas answers carry, and which request bodies carry.
	inResponse, inRequest := map[string]bool{}, map[string]bool{}
	for _, o := range d.operations() {
		for _, r := range oaMap(o.Op["responses"]) {
			d.reach(oaMap(r), inResponse)
		}
		d.reach(oaMap(o.Op["requestBody"]), inRequest)
	}

	schemas := oaMap(components["schemas"])
	for name, v := range schemas {
		s := oaMap(v)
		goType, _ := s["x-go-type"].(string)
		if goType == "" {
			if s["type"] != "string" || s["enum"] == nil || s["properties"] != nil {
				t.Errorf("schema %s: no x-go-type, and not a string enum", name)
			}
			continue
		}
		fields, ok := structs[goType]
		if !ok {
			t.Errorf("schema %s: x-go-type %s is no struct of wire.go", name, goType)
			continue
		}
		props := oaMap(s["properties"])
		required := oaStrings(s["required"])
		var tagList []string
		for _, f := range fields {
			tagList = append(tagList, f.Tag)
			p := oaMap(props[f.Tag])
			if p == nil {
				t.Errorf("schema %s: no property %q (field %s.%s)", name, f.Tag, goType, f.Name)
				continue
			}
			if msg := d.typeMismatch(f.Type, p); msg != "" {
				t.Errorf("schema %s.%s: Go type %s, %s", name, f.Tag, f.Type, msg)
			}
			req := slices.Contains(required, f.Tag)
			if f.OmitEmpty && req {
				t.Errorf("schema %s: %q is omitempty in wire.go, so it cannot be required", name, f.Tag)
			}
			if inResponse[name] && !f.OmitEmpty && !req {
				t.Errorf("schema %s: %q is always sent (no omitempty): mark it required", name, f.Tag)
			}
		}
		for p := range props {
			if !slices.Contains(tagList, p) {
				t.Errorf("schema %s: property %q is no json tag of %s", name, p, goType)
			}
		}
		if inRequest[name] && s["additionalProperties"] != false {
			t.Errorf("schema %s: request bodies refuse unknown fields; say additionalProperties: false", name)
		}
		if !inRequest[name] && !inResponse[name] {
			t.Errorf("schema %s: used by no request nor response", name)
		}
	}
}

// reach marks the component schemas reachable from v.
func (d *oaDoc) reach(v map[string]any, seen map[string]bool) {
	oaWalk(v, "", func(_ string, m map[string]any) {
		ref, _ := m["$ref"].(string)
		if ref == "" {
			return
		}
		if name, ok := strings.CutPrefix(ref, "#/components/schemas/"); ok {
			if seen[name] {
				return
			}
			seen[name] = true
		}
		if target, err := d.pointer(ref); err == nil {
			d.reach(oaMap(target), seen)
		}
	})
}

// typeMismatch says how property schema p does not fit Go type goType.
func (d *oaDoc) typeMismatch(goType string, p map[string]any) string {
	r := d.deref(p)
	typ, _ := r["type"].(string)
	want := func(t string) string {
		if typ != t {
			return fmt.Sprintf("schema type %q, want %q", typ, t)
		}
		return ""
	}
	if basic := strings.TrimPrefix(goType, "*"); basic != goType && !regexp.MustCompile(`^[A-Z]`).MatchString(basic) {
		goType = basic // a pointer to a basic type: the same JSON, or absent
	}
	switch {
	case goType == "string":
		return want("string")
	case goType == "int" || goType == "int64":
		return want("integer")
	case goType == "bool":
		return want("boolean")
	case goType == "time.Time":
		if typ != "string" || r["format"] != "date-time" {
			return "want a string of format date-time"
		}
	case goType == "[]string":
		if typ != "array" || oaMap(r["items"])["type"] != "string" {
			return "want an array of strings"
		}
	case goType == "map[string]string":
		if typ != "object" || oaMap(r["additionalProperties"])["type"] != "string" {
			return "want an object of strings"
		}
	case goType == "map[string]int" || goType == "map[string]int64":
		if typ != "object" || oaMap(r["additionalProperties"])["type"] != "integer" {
			return "want an object of integers"
		}
	case strings.HasPrefix(goType, "map[string]"):
		name := strings.TrimPrefix(goType, "map[string]")
		ref, _ := oaMap(r["additionalProperties"])["$ref"].(string)
		target, err := d.pointer(ref)
		if typ != "object" || err != nil || oaMap(target)["x-go-type"] != name {
			return fmt.Sprintf("want an object of $ref to the schema of %s", name)
		}
	case strings.HasPrefix(goType, "[]"):
		return want("array")
	default: // a struct of wire.go, or a pointer to one
		name := strings.TrimPrefix(goType, "*")
		ref, _ := p["$ref"].(string)
		target, err := d.pointer(ref)
		if err != nil || oaMap(target)["x-go-type"] != name {
			return fmt.Sprintf("want a $ref to the schema of %s", name)
		}
	}
	return ""
}

// --- the document and the router ------------------------------------------

// The routes registered in the sources are the routes of the document, with
// the same authentication, restricted sessions and query parameters.
func TestOpenAPIListsEveryRoute(t *testing.T) {
	d := loadOpenAPI(t)
	routes := sourceRoutes(t)
	src := serverSource(t)
	ops := map[string]oaOperation{}
	for _, o := range d.operations() {
		ops[o.key()] = o
		if _, ok := routes[o.key()]; !ok {
			t.Errorf("%s is in openapi.yaml but not registered in api.go or https.go", o.key())
		}
	}
	for key, r := range routes {
		o, ok := ops[key]
		if !ok {
			t.Errorf("%s is registered but missing from openapi.yaml", key)
			continue
		}
		if o.secured() != r.Auth {
			t.Errorf("%s: security in the document %v, s.auth in api.go %v", key, o.secured(), r.Auth)
		}
		if o.restrictedOK() != r.Restricted {
			t.Errorf("%s: x-restricted-session %v, s.auth(%v, …) in api.go", key, o.restrictedOK(), r.Restricted)
		}
		if r.Handler == "" {
			continue
		}
		var documented []string
		for _, p := range d.parameters(o) {
			if p["in"] == "query" {
				documented = append(documented, p["name"].(string))
			}
		}
		sort.Strings(documented)
		if read := handlerQuery(t, src, r.Handler); !slices.Equal(documented, read) {
			t.Errorf("%s: query parameters %v documented, %s reads %v", key, documented, r.Handler, read)
		}
	}
}

// oaEnv is a server with a store, an agent of the Caf of the
// Hauts-de-Seine and an account whose password is still the generated one.
type oaEnv struct {
	t     *testing.T
	doc   *oaDoc
	srv   *Server
	store data.CentralStore
}

const (
	oaAgentEmail      = "agent.openapi@caf92.example"
	oaRestrictedEmail = "provisoire.openapi@caf92.example"
	oaPassword        = "Tournesol-Violet-42"
)

func newOAEnv(t *testing.T) *oaEnv {
	t.Helper()
	dir := t.TempDir()
	store, err := sqlite.OpenCentral(context.Background(), filepath.Join(dir, "central.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	srv, err := New(Config{DataDir: dir, Store: store, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	e := &oaEnv{t: t, doc: loadOpenAPI(t), srv: srv, store: store}
	srv.Service().Pause = func(context.Context, time.Duration) {} // no slow-down in tests
	ctx := context.Background()
	for _, a := range []struct {
		email     string
		generated bool
	}{{oaAgentEmail, false}, {oaRestrictedEmail, true}} {
		acc, err := srv.Service().CreateAgent(ctx, CommandLine, "921", a.email, "Anne", "Agent")
		if err != nil {
			t.Fatal(err)
		}
		if acc.PasswordHash, err = password.Hash(oaPassword); err != nil {
			t.Fatal(err)
		}
		if a.generated {
			acc.PasswordGenerated, acc.PasswordExpiresAt = true, time.Now().Add(24*time.Hour)
		}
		if err := store.UpdateAccount(ctx, acc); err != nil {
			t.Fatal(err)
		}
	}
	return e
}

// oaAnswer is an answer of the router.
type oaAnswer struct {
	Status int
	Header http.Header
	Body   []byte
	JSON   any
}

// call sends a request through the router and checks the answer against the
// document: not the catch-all, not 405, a documented status, a documented
// content type, and a body that validates against the documented schema.
func (e *oaEnv) call(method, path, docPath, token string, body any) oaAnswer {
	e.t.Helper()
	var rd io.Reader = http.NoBody
	raw, isRaw := body.([]byte)
	if isRaw {
		rd = bytes.NewReader(raw)
	} else if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			e.t.Fatal(err)
		}
		rd = bytes.NewReader(b)
	}
	req := httptest.NewRequest(method, path, rd)
	if isRaw {
		req.Header.Set("Content-Type", "text/csv")
	} else if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	rec := httptest.NewRecorder()
	e.srv.Handler().ServeHTTP(rec, req)
	a := oaAnswer{Status: rec.Code, Header: rec.Header(), Body: rec.Body.Bytes()}
	ct, _, _ := mime.ParseMediaType(a.Header.Get("Content-Type"))
	if ct == "application/json" && len(a.Body) > 0 {
		if err := json.Unmarshal(a.Body, &a.JSON); err != nil {
			e.t.Errorf("%s %s: answer is not JSON: %v", method, path, err)
		}
	}
	where := fmt.Sprintf("%s %s (%d)", method, path, a.Status)
	if a.Status == http.StatusMethodNotAllowed {
		e.t.Errorf("%s: 405: the router does not serve the documented method", where)
	}
	if m := oaMap(a.JSON); a.Status == http.StatusNotFound && m != nil && strings.HasPrefix(fmt.Sprint(m["message"]), catchAllPrefix) {
		e.t.Errorf("%s: the catch-all answered %q: no route for a documented call", where, m["message"])
		return a
	}

	op := oaMap(oaMap(oaMap(e.doc.root["paths"])[docPath])[strings.ToLower(method)])
	if op == nil {
		e.t.Fatalf("%s %s is not in the document", method, docPath)
	}
	if rb := e.doc.deref(oaMap(op["requestBody"])); rb != nil && isRaw && oaMap(rb["content"])["text/csv"] == nil {
		e.t.Errorf("%s: a text/csv body is not documented", where)
	} else if rb != nil && body != nil && !isRaw {
		var sent any
		b, _ := json.Marshal(body)
		json.Unmarshal(b, &sent)
		schema := oaMap(oaMap(oaMap(rb["content"])["application/json"])["schema"])
		for _, msg := range e.doc.validate("request", schema, sent) {
			e.t.Errorf("%s: the test's body does not fit the document: %s", where, msg)
		}
	}
	resp := e.doc.deref(oaMap(oaMap(op["responses"])[strconv.Itoa(a.Status)]))
	if resp == nil {
		e.t.Errorf("%s: status not documented; body %s", where, a.Body)
		return a
	}
	content := oaMap(resp["content"])
	if len(content) == 0 {
		if len(a.Body) > 0 {
			e.t.Errorf("%s: documented without a body, got %q", where, a.Body)
		}
		return a
	}
	media := oaMap(content[ct])
	if media == nil {
		e.t.Errorf("%s: Content-Type %q not documented", where, a.Header.Get("Content-Type"))
		return a
	}
	for h, spec := range oaMap(resp["headers"]) {
		s := e.doc.deref(oaMap(spec))
		if c, ok := oaMap(s["schema"])["const"]; ok && a.Header.Get(h) != c {
			e.t.Errorf("%s: header %s = %q, documented %q", where, h, a.Header.Get(h), c)
		}
	}
	if ct == "application/json" {
		for _, msg := range e.doc.validate("answer", oaMap(media["schema"]), a.JSON) {
			e.t.Errorf("%s: %s; body %s", where, msg, a.Body)
		}
	} else if len(a.Body) == 0 {
		e.t.Errorf("%s: empty %s", where, ct)
	}
	return a
}

// login opens a session through the API and returns its token.
func (e *oaEnv) login(email string) string {
	e.t.Helper()
	a := e.call("POST", "/api/v1/session", "/api/v1/session", "", map[string]string{"email": email, "password": oaPassword})
	if a.Status != http.StatusCreated {
		e.t.Fatalf("login %s: %d %s", email, a.Status, a.Body)
	}
	return oaMap(a.JSON)["token"].(string)
}

func oaCode(a oaAnswer) string { return fmt.Sprint(oaMap(a.JSON)["code"]) }

// Every documented call reaches its handler, without a session, with an
// agent's session and with a restricted session, and answers as documented.
func TestOpenAPIMatchesRouter(t *testing.T) {
	e := newOAEnv(t)
	ops := e.doc.operations()
	// Logging out ends the session the other calls use: last.
	sort.SliceStable(ops, func(i, j int) bool { return ops[i].Method != "DELETE" && ops[j].Method == "DELETE" })
	// Required query parameters, with a value the handler accepts.
	required := map[string]string{"/api/v1/sync/pull": "?protocol=1"}
	concrete := func(o oaOperation) string {
		return strings.ReplaceAll(o.Path, "{id}", oaDummyID) + required[o.Path]
	}

	t.Run("anonymous", func(t *testing.T) {
		e.t = t
		for _, o := range ops {
			a := e.call(o.Method, concrete(o), o.Path, "", nil)
			if o.secured() && (a.Status != http.StatusUnauthorized || oaCode(a) != data.EUNAUTHORIZED) {
				t.Errorf("%s without a session: %d %s, want 401 unauthorized", o.key(), a.Status, a.Body)
			}
			if !o.secured() && a.Status == http.StatusUnauthorized && o.key() != "POST /api/v1/session" {
				t.Errorf("%s is documented without security but answers 401", o.key())
			}
		}
		// An undocumented call gets the catch-all, which is what the other
		// checks tell apart.
		for _, m := range []string{"GET /api/v1/nowhere", "PUT /api/v1/session"} {
			method, path, _ := strings.Cut(m, " ")
			rec := httptest.NewRecorder()
			e.srv.Handler().ServeHTTP(rec, httptest.NewRequest(method, path, nil))
			if rec.Code != http.StatusNotFound || !strings.Contains(rec.Body.String(), catchAllPrefix) {
				t.Errorf("%s: %d %s, want the catch-all 404", m, rec.Code, rec.Body)
			}
		}
	})

	t.Run("agent", func(t *testing.T) {
		e.t = t
		token := e.login(oaAgentEmail)
		for _, o := range ops {
			if !o.secured() {
				continue
			}
			a := e.call(o.Method, concrete(o), o.Path, token, nil)
			if a.Status == http.StatusUnauthorized || a.Status == http.StatusForbidden {
				t.Errorf("%s with an agent's session: %d %s", o.key(), a.Status, a.Body)
			}
			if o.Method == "GET" && !strings.Contains(o.Path, "{") && a.Status != http.StatusOK {
				t.Errorf("%s with an agent's session: %d %s, want 200", o.key(), a.Status, a.Body)
			}
		}
	})

	t.Run("restricted", func(t *testing.T) {
		e.t = t
		token := e.login(oaRestrictedEmail)
		for _, o := range ops {
			if !o.secured() {
				continue
			}
			a := e.call(o.Method, concrete(o), o.Path, token, nil)
			refused := a.Status == http.StatusForbidden && oaCode(a) == data.EPASSWORDCHANGE
			if o.restrictedOK() && refused {
				t.Errorf("%s is documented as open to a restricted session but answers %s", o.key(), a.Body)
			}
			if !o.restrictedOK() && !refused {
				t.Errorf("%s with a restricted session: %d %s, want 403 password_change_required", o.key(), a.Status, a.Body)
			}
		}
	})
}

// The public calls and a request's whole life answer as documented, with
// real records: every shape the document gives is checked on a real answer.
func TestOpenAPIWorkflowAnswers(t *testing.T) {
	e := newOAEnv(t)
	ctx := context.Background()

	if a := e.call("GET", "/healthz", "/healthz", "", nil); a.Status != http.StatusOK {
		t.Fatalf("healthz: %d", a.Status)
	}
	if a := e.call("GET", "/api/v1/openapi.yaml", "/api/v1/openapi.yaml", "", nil); !bytes.Equal(a.Body, openAPI) {
		t.Error("GET /api/v1/openapi.yaml does not serve the document")
	}
	if a := e.call("GET", "/api/v1/communes?postal_code=92100", "/api/v1/communes", "", nil); a.Status != http.StatusOK || len(oaList(a.JSON)) == 0 {
		t.Errorf("communes of 92100: %d %s", a.Status, a.Body)
	}
	e.call("GET", "/api/v1/communes?postal_code=9210", "/api/v1/communes", "", nil)
	e.call("GET", "/api/v1/communes?postal_code=99999", "/api/v1/communes", "", nil)

	// The habilitation request of a structure, with its CAPTCHA.
	c := e.call("POST", "/api/v1/captcha", "/api/v1/captcha", "", nil)
	if c.Status != http.StatusCreated {
		t.Fatalf("captcha: %d %s", c.Status, c.Body)
	}
	captcha := oaMap(c.JSON)
	id := captcha["id"].(string)
	for _, u := range []struct{ url, doc string }{
		{captcha["image_url"].(string), "/api/v1/captcha/{id}/image.png"},
		{captcha["audio_url"].(string), "/api/v1/captcha/{id}/audio.wav"},
	} {
		if a := e.call("GET", u.url, u.doc, "", nil); a.Status != http.StatusOK {
			t.Errorf("%s: %d %s", u.url, a.Status, a.Body)
		}
	}
	digits, err := e.store.FindCaptcha(ctx, id, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	answer := make([]byte, len(digits))
	for i, dg := range digits {
		answer[i] = '0' + dg
	}
	form := map[string]any{
		"kind": "structure", "civility": "", "last_name": "Martin", "first_name": "Claire",
		"structure_name": "Micro-crèche Les Lutins", "street_number": "12", "street_type": "rue",
		"street_name": "de Paris", "postal_code": "92100", "commune": "Boulogne-Billancourt",
		"phone": "01 46 00 00 00", "email": "lutins@example.org", "email_confirm": "lutins@example.org",
		"captcha_id": id, "captcha_answer": string(answer),
	}
	s := e.call("POST", "/api/v1/requests", "/api/v1/requests", "", form)
	if s.Status != http.StatusCreated {
		t.Fatalf("submit: %d %s", s.Status, s.Body)
	}
	requestID := oaMap(s.JSON)["id"].(string)
	// The CAPTCHA was spent: the same form again is refused, field by field.
	if a := e.call("POST", "/api/v1/requests", "/api/v1/requests", "", form); a.Status != http.StatusUnprocessableEntity {
		t.Errorf("resubmit with a spent captcha: %d %s", a.Status, a.Body)
	}

	// The agent handles it.
	agent := e.login(oaAgentEmail)
	e.call("GET", "/api/v1/me", "/api/v1/me", agent, nil)
	reqPath := "/api/v1/caf/requests/" + requestID
	if a := e.call("GET", "/api/v1/caf/requests?state=recue&unmatched=true&q=lutins&offset=0&limit=10", "/api/v1/caf/requests", agent, nil); len(oaList(oaMap(a.JSON)["items"])) != 1 {
		t.Errorf("list requests: %s", a.Body)
	}
	e.call("GET", reqPath, "/api/v1/caf/requests/{id}", agent, nil)
	e.call("POST", reqPath+"/agreement", "/api/v1/caf/requests/{id}/agreement", agent, nil) // 409: no letter yet
	if a := e.call("GET", reqPath+"/letter.pdf", "/api/v1/caf/requests/{id}/letter.pdf", agent, nil); !bytes.HasPrefix(a.Body, []byte("%PDF")) {
		t.Errorf("letter.pdf: %d, not a PDF", a.Status)
	}
	e.call("POST", reqPath+"/letter-sent", "/api/v1/caf/requests/{id}/letter-sent", agent, map[string]any{"send_mail": false})
	e.call("POST", reqPath+"/agreement", "/api/v1/caf/requests/{id}/agreement", agent, nil)
	v := e.call("POST", reqPath+"/validate", "/api/v1/caf/requests/{id}/validate", agent, nil)
	if v.Status != http.StatusOK {
		t.Fatalf("validate: %d %s", v.Status, v.Body)
	}
	if bytes.Contains(bytes.ToLower(v.Body), []byte("password\":")) {
		t.Errorf("validate answers a password: %s", v.Body)
	}
	e.call("POST", reqPath+"/refuse", "/api/v1/caf/requests/{id}/refuse", agent, map[string]any{"reason": "trop tard"}) // 409: closed
	e.call("POST", reqPath+"/match", "/api/v1/caf/requests/{id}/match", agent, map[string]any{"professional_id": oaDummyID})

	profID := fmt.Sprint(oaMap(oaMap(v.JSON)["request"])["professional_id"])
	profPath := "/api/v1/caf/professionals/" + profID
	if a := e.call("GET", "/api/v1/caf/professionals?q=lutins&postal_code=92100&commune=92012&kind=structure&listing=listed&habilitation=active", "/api/v1/caf/professionals", agent, nil); len(oaList(oaMap(a.JSON)["items"])) != 1 {
		t.Errorf("list professionals: %s", a.Body)
	}
	e.call("GET", profPath, "/api/v1/caf/professionals/{id}", agent, nil)
	if a := e.call("GET", profPath+"/file", "/api/v1/caf/professionals/{id}/file", agent, nil); a.Status != http.StatusOK {
		t.Errorf("file: %d %s", a.Status, a.Body)
	}
	e.call("POST", profPath+"/reactivate", "/api/v1/caf/professionals/{id}/reactivate", agent, nil) // 409: active
	e.call("POST", profPath+"/suspend", "/api/v1/caf/professionals/{id}/suspend", agent, map[string]any{"reason": "contrôle"})
	e.call("POST", profPath+"/reactivate", "/api/v1/caf/professionals/{id}/reactivate", agent, nil)
	if a := e.call("POST", profPath+"/password-reset", "/api/v1/caf/professionals/{id}/password-reset", agent, nil); a.Status != http.StatusAccepted {
		t.Errorf("password-reset: %d %s", a.Status, a.Body)
	}
	e.call("POST", profPath+"/revoke", "/api/v1/caf/professionals/{id}/revoke", agent, map[string]any{"reason": ""})
	if a := e.call("GET", "/api/v1/caf/audit?action=request.validate&since=2000-01-01&until=2999-01-01", "/api/v1/caf/audit", agent, nil); len(oaList(oaMap(a.JSON)["items"])) != 1 {
		t.Errorf("audit: %s", a.Body)
	}
	e.call("GET", "/api/v1/caf/audit?since=hier", "/api/v1/caf/audit", agent, nil)

	// A PMI list: preview, a stale apply, the apply.
	list := []byte("Civilité;Nom;Prénom;N° de voie;Type de voie;Nom de voie;Code postal;Commune;Téléphone;N° d'agrément;Nombre de places agréées;Date d'agrément\r\n" +
		"Mme;Durand;Hélène;3;rue;de la République;92100;Boulogne-Billancourt;0601020304;92-2020-00001;3;01/09/2020\r\n" +
		"Mme;Petit;Anne;5;avenue;Foch;92100;Lyon;0601020305;92-2020-00002;2;01/09/2020\r\n")
	pv := e.call("POST", "/api/v1/caf/imports/preview?name=liste.csv", "/api/v1/caf/imports/preview", agent, list)
	if pv.Status != http.StatusOK {
		t.Fatalf("import preview: %d %s", pv.Status, pv.Body)
	}
	sum := fmt.Sprint(oaMap(pv.JSON)["sha256"])
	e.call("POST", "/api/v1/caf/imports/apply?name=liste.csv&sha256="+strings.Repeat("0", 64), "/api/v1/caf/imports/apply", agent, list) // 409
	if a := e.call("POST", "/api/v1/caf/imports/apply?name=liste.csv&force=false&sha256="+sum, "/api/v1/caf/imports/apply", agent, list); oaMap(a.JSON)["applied"] != true {
		t.Errorf("import apply: %d %s", a.Status, a.Body)
	}
	e.call("POST", "/api/v1/caf/imports/preview", "/api/v1/caf/imports/preview", agent, []byte("\x00\x01 pas une liste"))

	// Passwords: forgot, reset with a wrong code, change.
	e.call("POST", "/api/v1/password/forgot", "/api/v1/password/forgot", "", map[string]any{"email": oaAgentEmail})
	e.call("POST", "/api/v1/password/reset", "/api/v1/password/reset", "", map[string]any{"email": oaAgentEmail, "code": "000000", "new_password": "Un-Autre-Mot-De-Passe-7"})
	e.call("POST", "/api/v1/session", "/api/v1/session", "", map[string]any{"email": oaAgentEmail, "password": "faux mot de passe"})
	restricted := e.login(oaRestrictedEmail)
	if me := e.call("GET", "/api/v1/me", "/api/v1/me", restricted, nil); oaMap(me.JSON)["must_change_password"] != true {
		t.Errorf("me of a restricted session: %s", me.Body)
	}
	ch := e.call("POST", "/api/v1/password/change", "/api/v1/password/change", restricted,
		map[string]any{"current_password": oaPassword, "new_password": "Un-Autre-Mot-De-Passe-7"})
	if ch.Status != http.StatusOK {
		t.Fatalf("password change: %d %s", ch.Status, ch.Body)
	}
	fresh := oaMap(ch.JSON)["token"].(string)
	if a := e.call("GET", "/api/v1/caf/requests", "/api/v1/caf/requests", fresh, nil); a.Status != http.StatusOK {
		t.Errorf("after the change the session is not restricted: %d %s", a.Status, a.Body)
	}
	if a := e.call("DELETE", "/api/v1/session", "/api/v1/session", fresh, nil); a.Status != http.StatusNoContent {
		t.Errorf("logout: %d %s", a.Status, a.Body)
	}
	if a := e.call("GET", "/api/v1/me", "/api/v1/me", fresh, nil); a.Status != http.StatusUnauthorized {
		t.Errorf("me after logout: %d %s", a.Status, a.Body)
	}

	// The throttles answer 429 as documented.
	for _, c := range []struct {
		path string
		body map[string]any
	}{
		{"/api/v1/session", map[string]any{"email": "inconnue@example.org", "password": "faux mot de passe"}},
		{"/api/v1/password/forgot", map[string]any{"email": "inconnue@example.org"}},
		{"/api/v1/password/reset", map[string]any{"email": "inconnue@example.org", "code": "000000", "new_password": "Un-Autre-Mot-De-Passe-7"}},
	} {
		status := 0
		for i := 0; i < 10 && status != http.StatusTooManyRequests; i++ {
			status = e.call("POST", c.path, c.path, "", c.body).Status
		}
		if status != http.StatusTooManyRequests {
			t.Errorf("%s: no 429 after 10 attempts", c.path)
		}
	}
}
