package ui

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"

	"espacepro/data"
	"espacepro/sync/client"
	"espacepro/sync/wire"
)

// fakeService is the screens' unit-test double of Service: an in-memory
// copy that records the calls made and fails the methods named in fail.
// The end-to-end tests (e2e_test.go) run the screens on the real client,
// local copy and service instead.
type fakeService struct {
	mu sync.Mutex

	account   *wire.Account
	login     *wire.LoginResponse // what Login answers (nil: EUNAUTHORIZED)
	password  string              // Login's and Unlock's password
	status    client.Status       // what State answers
	report    client.Report       // what Sync answers
	pros      map[string]*data.Professional
	avail     map[string]*data.Availability
	requests  []*data.Request
	communes  map[string][]wire.Commune // by postal code
	captchas  int                       // captchas drawn
	submit    *wire.SubmitResponse      // what SubmitRequest answers
	forms     []wire.RequestForm        // forms submitted
	conflicts []data.LocalConflict
	rejected  []data.RejectedMutation
	letter    []byte
	file      *wire.ProfessionalFile
	preview   *wire.ImportPreview
	audit     []wire.AuditEntry

	calls []string         // "Method arg…", in order
	fail  map[string]error // method name → error it returns
}

func newFakeService() *fakeService {
	return &fakeService{
		pros:     map[string]*data.Professional{},
		avail:    map[string]*data.Availability{},
		fail:     map[string]error{},
		communes: map[string][]wire.Commune{},
	}
}

// record notes a call and returns the error set for method.
func (f *fakeService) record(method string, args ...any) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	parts := []string{method}
	for _, a := range args {
		parts = append(parts, fmt.Sprint(a))
	}
	f.calls = append(f.calls, strings.Join(parts, " "))
	return f.fail[method]
}

// called reports whether a call starting with prefix was made.
func (f *fakeService) called(prefix string) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.ContainsFunc(f.calls, func(c string) bool { return strings.HasPrefix(c, prefix) })
}

func (f *fakeService) Login(_ context.Context, email, password string) (*wire.LoginResponse, error) {
	if err := f.record("Login", email); err != nil {
		return nil, err
	}
	if f.login == nil || password != f.password {
		return nil, data.Errorf(data.EUNAUTHORIZED, "Adresse e-mail ou mot de passe incorrect.")
	}
	f.account = f.login.Account
	f.status.LoggedIn, f.status.Online, f.status.SessionOver = true, true, false
	return f.login, nil
}

func (f *fakeService) Unlock(_ context.Context, email, password string) (*wire.Account, error) {
	if err := f.record("Unlock", email); err != nil {
		return nil, err
	}
	if f.account == nil || password != f.password {
		return nil, data.Errorf(data.EUNAUTHORIZED, "Adresse e-mail ou mot de passe incorrect.")
	}
	return f.account, nil
}

func (f *fakeService) ChangePassword(_ context.Context, current, next string) (*wire.LoginResponse, error) {
	if err := f.record("ChangePassword"); err != nil {
		return nil, err
	}
	if current != f.password {
		return nil, data.Errorf(data.EUNAUTHORIZED, "Mot de passe actuel incorrect.")
	}
	f.password = next
	res := *f.login
	res.MustChangePassword = false
	return &res, nil
}

func (f *fakeService) Logout(context.Context) error {
	f.status.LoggedIn = false
	return f.record("Logout")
}

func (f *fakeService) ForgotPassword(_ context.Context, email string) (string, error) {
	if err := f.record("ForgotPassword", email); err != nil {
		return "", err
	}
	return "Si un compte existe pour cette adresse, un code vient d'y être envoyé.", nil
}

func (f *fakeService) ResetPassword(_ context.Context, email, code, newPassword string) error {
	if err := f.record("ResetPassword", email, code); err != nil {
		return err
	}
	f.password = newPassword
	return nil
}

func (f *fakeService) CurrentAccount(context.Context) (*wire.Account, error) {
	return f.account, f.record("CurrentAccount")
}

func (f *fakeService) State() client.Status {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.status
}

func (f *fakeService) Sync(context.Context) (client.Report, error) {
	if err := f.record("Sync"); err != nil {
		return client.Report{}, err
	}
	f.status.Pending = 0
	return f.report, nil
}

func (f *fakeService) Conflicts(context.Context) ([]data.LocalConflict, error) {
	return f.conflicts, f.record("Conflicts")
}

func (f *fakeService) MarkConflictsSeen(_ context.Context, ids ...string) error {
	for i := range f.conflicts {
		if slices.Contains(ids, f.conflicts[i].ID) {
			f.conflicts[i].Seen = true
		}
	}
	return f.record("MarkConflictsSeen", ids)
}

func (f *fakeService) Rejected(context.Context) ([]data.RejectedMutation, error) {
	return f.rejected, f.record("Rejected")
}

func (f *fakeService) Communes(_ context.Context, postalCode string) ([]wire.Commune, error) {
	if err := f.record("Communes", postalCode); err != nil {
		return nil, err
	}
	return f.communes[postalCode], nil
}

func (f *fakeService) NewCaptcha(context.Context) (*client.Captcha, error) {
	if err := f.record("NewCaptcha"); err != nil {
		return nil, err
	}
	f.captchas++
	return &client.Captcha{ID: fmt.Sprintf("captcha-%d", f.captchas), Image: tinyPNG}, nil
}

func (f *fakeService) CaptchaAudio(_ context.Context, id string) ([]byte, error) {
	return []byte("RIFF....WAVE"), f.record("CaptchaAudio", id)
}

func (f *fakeService) SubmitRequest(_ context.Context, form wire.RequestForm) (*wire.SubmitResponse, error) {
	if err := f.record("SubmitRequest"); err != nil {
		return nil, err
	}
	f.forms = append(f.forms, form)
	return f.submit, nil
}

func (f *fakeService) Professional(_ context.Context, id string) (*data.Professional, error) {
	if err := f.record("Professional", id); err != nil {
		return nil, err
	}
	p, ok := f.pros[id]
	if !ok {
		return nil, data.Errorf(data.ENOTFOUND, "Professionnel introuvable.")
	}
	cp := *p
	return &cp, nil
}

func (f *fakeService) Availability(_ context.Context, id string) (*data.Availability, error) {
	if err := f.record("Availability", id); err != nil {
		return nil, err
	}
	a, ok := f.avail[id]
	if !ok {
		return &data.Availability{ProfessionalID: id, Global: data.ColourGrey}, nil
	}
	return cloneAvailability(a), nil
}

func (f *fakeService) SaveAvailability(_ context.Context, a *data.Availability) error {
	if err := f.record("SaveAvailability", a.ProfessionalID); err != nil {
		return err
	}
	stored, ok := f.avail[a.ProfessionalID]
	if !ok {
		stored = &data.Availability{ProfessionalID: a.ProfessionalID}
		f.avail[a.ProfessionalID] = stored
	}
	stored.Global = a.Global
	for _, w := range a.Weeks {
		stored.Weeks = slices.DeleteFunc(stored.Weeks, func(x data.Week) bool { return x.Monday == w.Monday })
		stored.Weeks = append(stored.Weeks, w)
	}
	for _, d := range a.Dated {
		stored.Dated = slices.DeleteFunc(stored.Dated, func(x data.Dated) bool { return x.Date == d.Date })
		stored.Dated = append(stored.Dated, d)
	}
	f.status.Pending++
	return nil
}

func cloneAvailability(a *data.Availability) *data.Availability {
	cp := *a
	cp.Weeks = slices.Clone(a.Weeks)
	cp.Dated = slices.Clone(a.Dated)
	return &cp
}

func (f *fakeService) SaveFiche(_ context.Context, p *data.Professional) error {
	if err := f.record("SaveFiche", p.ID); err != nil {
		return err
	}
	cp := *p
	f.pros[p.ID] = &cp
	f.status.Pending++
	return nil
}

func (f *fakeService) Requests(_ context.Context, filter data.RequestFilter) ([]*data.Request, int, error) {
	if err := f.record("Requests", filter.State, filter.Name); err != nil {
		return nil, 0, err
	}
	var out []*data.Request
	for _, r := range f.requests {
		if filter.State != "" && r.State != filter.State {
			continue
		}
		if filter.Unmatched && r.ProfessionalID != "" {
			continue
		}
		name := strings.ToLower(r.LastName + " " + r.FirstName + " " + r.StructureName)
		if filter.Name != "" && !strings.Contains(name, strings.ToLower(filter.Name)) {
			continue
		}
		out = append(out, r)
	}
	total := len(out)
	if filter.Offset < len(out) {
		out = out[filter.Offset:]
	} else {
		out = nil
	}
	if filter.Limit > 0 && len(out) > filter.Limit {
		out = out[:filter.Limit]
	}
	return out, total, nil
}

func (f *fakeService) Request(_ context.Context, id string) (*data.Request, error) {
	if err := f.record("Request", id); err != nil {
		return nil, err
	}
	for _, r := range f.requests {
		if r.ID == id {
			cp := *r
			return &cp, nil
		}
	}
	return nil, data.Errorf(data.ENOTFOUND, "Demande introuvable.")
}

func (f *fakeService) Professionals(_ context.Context, filter data.ProfessionalFilter) ([]*data.Professional, int, error) {
	if err := f.record("Professionals", filter.Name); err != nil {
		return nil, 0, err
	}
	var out []*data.Professional
	for _, p := range f.pros {
		name := strings.ToLower(p.LastName + " " + p.FirstName + " " + p.StructureName)
		if filter.Name != "" && !strings.Contains(name, strings.ToLower(filter.Name)) {
			continue
		}
		out = append(out, p)
	}
	slices.SortFunc(out, func(a, b *data.Professional) int { return strings.Compare(a.LastName, b.LastName) })
	total := len(out)
	if filter.Offset < len(out) {
		out = out[filter.Offset:]
	} else {
		out = nil
	}
	if filter.Limit > 0 && len(out) > filter.Limit {
		out = out[:filter.Limit]
	}
	return out, total, nil
}

func (f *fakeService) RequestAction(_ context.Context, id, action string, args map[string]string) error {
	if err := f.record("RequestAction", id, action, args); err != nil {
		return err
	}
	f.status.Pending++
	return nil
}

func (f *fakeService) Letter(_ context.Context, id string) ([]byte, error) {
	return f.letter, f.record("Letter", id)
}

func (f *fakeService) ProfessionalFile(_ context.Context, id string) (*wire.ProfessionalFile, error) {
	return f.file, f.record("ProfessionalFile", id)
}

func (f *fakeService) ProfessionalAction(_ context.Context, id, action, reason string) error {
	return f.record("ProfessionalAction", id, action, reason)
}

func (f *fakeService) ImportPreview(_ context.Context, name string, content []byte) (*wire.ImportPreview, error) {
	return f.preview, f.record("ImportPreview", name, len(content))
}

func (f *fakeService) ImportApply(_ context.Context, name string, content []byte, sha256 string, force bool) (*wire.ImportPreview, error) {
	if err := f.record("ImportApply", name, sha256, force); err != nil {
		return nil, err
	}
	res := *f.preview
	res.Applied = true
	return &res, nil
}

func (f *fakeService) Audit(_ context.Context, q client.AuditQuery) (*wire.Page[wire.AuditEntry], error) {
	if err := f.record("Audit", q.Action, q.Offset); err != nil {
		return nil, err
	}
	return &wire.Page[wire.AuditEntry]{Total: len(f.audit), Items: f.audit}, nil
}

// tinyPNG is a 1×1 transparent PNG.
var tinyPNG = []byte{
	0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x48, 0x44, 0x52,
	0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x06, 0x00, 0x00, 0x00, 0x1f, 0x15, 0xc4,
	0x89, 0x00, 0x00, 0x00, 0x0b, 0x49, 0x44, 0x41, 0x54, 0x78, 0x9c, 0x63, 0x60, 0x00, 0x02, 0x00,
	0x00, 0x05, 0x00, 0x01, 0x7a, 0x5e, 0xab, 0x3f, 0x00, 0x00, 0x00, 0x00, 0x49, 0x45, 0x4e, 0x44,
	0xae, 0x42, 0x60, 0x82,
}

var _ Service = (*fakeService)(nil)
