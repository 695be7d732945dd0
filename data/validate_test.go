package data

import "testing"

func TestNormalizePhone(t *testing.T) {
	good := map[string]string{
		"01 23 45 67 89":       "0123456789",
		"01.23.45.67.89":       "0123456789",
		"06-12-34-56-78":       "0612345678",
		"+33 6 12 34 56 78":    "0612345678",
		"+33 (0)6 12 34 56 78": "0612345678",
		"0033612345678":        "0612345678",
		"+262 692 12 34 56":    "0692123456",
		"0590 12 34 56":        "0590123456",
	}
	for in, want := range good {
		if got, err := NormalizePhone(in); err != nil || got != want {
			t.Errorf("NormalizePhone(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	for _, in := range []string{"", "12345", "01 23 45 67 8", "01 23 45 67 890", "0023456789", "06 12 34 56 7a", "1234567890", "+44 20 7946 0958"} {
		if _, err := NormalizePhone(in); ErrorCode(err) != EINVALID {
			t.Errorf("NormalizePhone(%q) accepted", in)
		}
	}
	if FormatPhone("0612345678") != "06 12 34 56 78" {
		t.Error("FormatPhone")
	}
}

func TestValidateEmail(t *testing.T) {
	for _, s := range []string{"marie.dupont@example.fr", "a+b@sous.domaine.fr", "Helene@Example.FR"} {
		if err := ValidateEmail(s); err != nil {
			t.Errorf("%q refused: %v", s, err)
		}
	}
	for _, s := range []string{"", "marie", "marie@", "@example.fr", "marie@example", "Marie <m@example.fr>", " m@example.fr", "a@b@c.fr", "m@.fr", "m@example.fr."} {
		if ErrorCode(ValidateEmail(s)) != EINVALID {
			t.Errorf("%q accepted", s)
		}
	}
	if NormalizeEmail("  Marie@Example.FR ") != "marie@example.fr" {
		t.Error("NormalizeEmail")
	}
}

func TestParseCivility(t *testing.T) {
	for in, want := range map[string]Civility{"M": CivilityM, "M.": CivilityM, "Monsieur": CivilityM,
		"Mme": CivilityMme, "MME": CivilityMme, "Melle": CivilityMme, "Mlle": CivilityMme, "Mademoiselle": CivilityMme} {
		if got, err := ParseCivility(in); err != nil || got != want {
			t.Errorf("ParseCivility(%q) = %q, %v", in, got, err)
		}
	}
	for _, in := range []string{"", "Dr", "Mx"} {
		if _, err := ParseCivility(in); ErrorCode(err) != EINVALID {
			t.Errorf("%q accepted", in)
		}
	}
}

func TestErrorHelpers(t *testing.T) {
	f := FieldErrors{}
	if f.Err() != nil {
		t.Fatal("no field, yet an error")
	}
	f.Add("phone", "a")
	f.Add("phone", "b")
	err := f.Err()
	if ErrorCode(err) != EINVALID || ErrorFields(err)["phone"] != "a" {
		t.Fatalf("field errors: %v", err)
	}
	if ErrorCode(nil) != "" || ErrorCode(errPlain{}) != EINTERNAL {
		t.Error("ErrorCode of nil or of a foreign error")
	}
	if ErrorMessage(errPlain{}) == "boom" {
		t.Error("a foreign error's text leaks to the user")
	}
}

type errPlain struct{}

func (errPlain) Error() string { return "boom" }
