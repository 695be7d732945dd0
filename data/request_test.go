package data

import "testing"

func goodForm() RequestForm {
	return RequestForm{
		Kind: KindChildminder, Civility: "Mme", LastName: "Dupont", FirstName: "Hélène",
		StreetNumber: "12", StreetType: "rue", StreetName: "des Lilas",
		PostalCode: "92100", Commune: "Boulogne-Billancourt",
		Phone: "06 12 34 56 78", Email: "helene.dupont@example.fr", EmailConfirm: "Helene.Dupont@example.fr",
	}
}

func TestRequestFormValid(t *testing.T) {
	r, err := goodForm().Validate(DefaultReference())
	if err != nil {
		t.Fatal(err)
	}
	if r.Department != "92" || r.CafCode != "921" || r.Address.CommuneINSEE != "92012" ||
		r.Phone != "0612345678" || r.State != RequestReceived || r.Civility != CivilityMme {
		t.Fatalf("request %+v", r)
	}
	f := goodForm()
	f.PostalCode, f.Commune = "20090", "Ajaccio"
	if r, err := f.Validate(DefaultReference()); err != nil || r.Department != "2A" || r.CafCode != "201" {
		t.Fatalf("Ajaccio: %+v %v", r, err)
	}
	f = goodForm()
	f.Civility = "Melle"
	if r, err := f.Validate(DefaultReference()); err != nil || r.Civility != CivilityMme {
		t.Fatalf("Melle: %v", err)
	}
}

// Each bad field gets its own message, on its own key.
func TestRequestFormFieldErrors(t *testing.T) {
	cases := []struct {
		field string
		edit  func(*RequestForm)
	}{
		{"kind", func(f *RequestForm) { f.Kind = "x" }},
		{"civility", func(f *RequestForm) { f.Civility = "" }},
		{"last_name", func(f *RequestForm) { f.LastName = " " }},
		{"first_name", func(f *RequestForm) { f.FirstName = "" }},
		{"first_name", func(f *RequestForm) { f.FirstName = "H3l3n3" }},
		{"street_name", func(f *RequestForm) { f.StreetName = "" }},
		{"postal_code", func(f *RequestForm) { f.PostalCode = "" }},
		{"postal_code", func(f *RequestForm) { f.PostalCode = "921" }},
		{"postal_code", func(f *RequestForm) { f.PostalCode = "99999" }},
		{"commune", func(f *RequestForm) { f.Commune = "Ajaccio" }},
		{"phone", func(f *RequestForm) { f.Phone = "" }},
		{"phone", func(f *RequestForm) { f.Phone = "12 34" }},
		{"email", func(f *RequestForm) { f.Email = "pas-une-adresse" }},
		{"email_confirm", func(f *RequestForm) { f.EmailConfirm = "autre@example.fr" }},
		{"structure_name", func(f *RequestForm) { f.Kind = KindStructure }},
	}
	for _, c := range cases {
		f := goodForm()
		c.edit(&f)
		r, err := f.Validate(DefaultReference())
		fields := ErrorFields(err)
		if r != nil || ErrorCode(err) != EINVALID || fields[c.field] == "" {
			t.Errorf("%s: got %v (fields %v)", c.field, err, fields)
			continue
		}
		if len(fields) != 1 {
			t.Errorf("%s: other fields flagged too: %v", c.field, fields)
		}
	}
	// Everything wrong at once: every field has its message.
	_, err := RequestForm{Kind: KindChildminder}.Validate(DefaultReference())
	for _, k := range []string{"civility", "last_name", "first_name", "street_name", "postal_code", "phone", "email"} {
		if ErrorFields(err)[k] == "" {
			t.Errorf("empty form: no message for %s", k)
		}
	}
}

func TestRequestStateMachine(t *testing.T) {
	path := []RequestState{RequestReceived, RequestLetter, RequestAgreement, RequestValidated}
	for i := 0; i+1 < len(path); i++ {
		if !path[i].CanMoveTo(path[i+1]) {
			t.Errorf("%s → %s refused", path[i], path[i+1])
		}
	}
	bad := [][2]RequestState{
		{RequestReceived, RequestAgreement}, {RequestReceived, RequestValidated},
		{RequestLetter, RequestValidated}, {RequestValidated, RequestRefused},
		{RequestRefused, RequestReceived}, {RequestAgreement, RequestLetter},
	}
	for _, b := range bad {
		if b[0].CanMoveTo(b[1]) {
			t.Errorf("%s → %s allowed", b[0], b[1])
		}
	}
	for _, s := range []RequestState{RequestReceived, RequestLetter, RequestAgreement} {
		if !s.CanMoveTo(RequestRefused) {
			t.Errorf("%s cannot be refused", s)
		}
	}
}
