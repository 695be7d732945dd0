package pmi

import (
	"fmt"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"espacepro/data"
)

// Bounds of the values of a row.
const (
	// MinPlacesAgreed and MaxPlacesAgreed bound the nombre de places
	// agréées: an agrément is for 1 to 4 children at once, up to 6 by
	// derogation (Code de l'action sociale et des familles, art. L421-4).
	MinPlacesAgreed = 1
	MaxPlacesAgreed = 6
	// MaxAgrementLength bounds an agrément number, spaces removed.
	MaxAgrementLength = 30
	// MinAgrementYear bounds the date d'agrément from below: the status of
	// assistante maternelle dates from 1977; earlier dates are typing errors.
	MinAgrementYear = 1970

	maxNameLength   = 100 // names and street, as data.Professional.Validate
	maxNumberLength = 10
	maxTypeLength   = 30
)

// checker checks the rows of one file for one Caf.
type checker struct {
	ref  *data.Reference
	caf  data.Caf
	keys []string // the normalised agrément number of each row checked, "" when unusable

	// today holds today's date in each département met, computed once per
	// file: data.Today loads the zone from the embedded database each time.
	today map[string]data.Date
}

// todayIn returns today's date in département dept.
func (k *checker) todayIn(dept string) data.Date {
	d, ok := k.today[dept]
	if !ok {
		if k.today == nil {
			k.today = map[string]data.Date{}
		}
		d = data.Today(now(), dept)
		k.today[dept] = d
	}
	return d
}

// check turns a record into a Row: valid with its Professional, or rejected
// with the first problem found.
func (k *checker) check(rec record, cols *columns) Row {
	get := func(field string) string {
		if i := cols.col(field); i >= 0 && i < len(rec.cells) {
			return cleanCell(rec.cells[i])
		}
		return ""
	}
	agrement, agrementReason := parseAgrement(get(FieldAgrementNumber))
	if agrementReason != "" {
		k.keys = append(k.keys, "")
	} else {
		k.keys = append(k.keys, agrement)
	}
	row := Row{Line: rec.line, Raw: rec.cells}
	if agrementReason == "" {
		row.AgrementNumber = agrement
	}
	p, reason := k.professional(get, cols, rec.cells, agrement, agrementReason)
	if reason != "" {
		row.Reason = reason
		return row
	}
	row.Professional = p
	return row
}

// professional checks the fields of a row in the order of the list's
// columns and returns the first problem.
func (k *checker) professional(get func(string) string, cols *columns, cells []string, agrement, agrementReason string) (*data.Professional, string) {
	civility, reason := parseCivility(get(FieldCivility))
	if reason != "" {
		return nil, reason
	}
	last, first := get(FieldLastName), get(FieldFirstName)
	if reason := checkName("Nom", last); reason != "" {
		return nil, reason
	}
	if reason := checkName("Prénom", first); reason != "" {
		return nil, reason
	}
	addr, reason := parseStreet(get)
	if reason != "" {
		return nil, reason
	}
	pc := strings.ReplaceAll(get(FieldPostalCode), " ", "")
	route, reason := k.route(pc, get(FieldCommune))
	if reason != "" {
		return nil, reason
	}
	addr.PostalCode, addr.CommuneINSEE, addr.CommuneName = pc, route.Commune.INSEE, route.Commune.Name
	phone, reason := parsePhone(cols, cells)
	if reason != "" {
		return nil, reason
	}
	if agrementReason != "" {
		return nil, agrementReason
	}
	places, reason := parsePlaces(get(FieldPlacesAgreed))
	if reason != "" {
		return nil, reason
	}
	date, reason := parseAgrementDate(get(FieldAgrementDate), k.todayIn(route.Commune.Department))
	if reason != "" {
		return nil, reason
	}
	p := &data.Professional{
		Kind:           data.KindChildminder,
		Department:     route.Commune.Department,
		CafCode:        k.caf.Code,
		AgrementNumber: agrement,
		Civility:       civility,
		LastName:       last,
		FirstName:      first,
		Address:        addr,
		Phone:          phone,
		PlacesAgreed:   places,
		AgrementDate:   date,
		Listing:        data.Listed,
		Habilitation:   data.HabilitationNone,
	}
	// The checks above are stricter than the fiche's; this is a guard
	// against the two drifting apart.
	if err := p.Validate(k.ref); err != nil {
		return nil, "Ligne invalide : " + firstFieldMessage(err)
	}
	return p, ""
}

// route resolves the commune of a row and checks that it belongs to the
// Caf importing the list.
func (k *checker) route(pc, commune string) (data.Route, string) {
	if pc == "" {
		return data.Route{}, "Code postal manquant."
	}
	r, err := k.ref.Route(pc, commune)
	if err != nil {
		return data.Route{}, data.ErrorMessage(err)
	}
	if r.Caf.Code != k.caf.Code {
		return data.Route{}, fmt.Sprintf("%s (%s, %s) relève de la %s (%s), pas de la %s : cette ligne n'appartient pas à la liste de votre Caf.",
			r.Commune.Name, pc, r.Department.Name, r.Caf.Name, r.Caf.Code, k.caf.Name)
	}
	return r, ""
}

func firstFieldMessage(err error) string {
	fields := data.ErrorFields(err)
	for _, f := range []string{"kind", "civility", "last_name", "first_name", "street_number", "street_type",
		"street_name", "postal_code", "commune", "phone", "places_agreed"} {
		if m, ok := fields[f]; ok {
			return m
		}
	}
	return data.ErrorMessage(err)
}

// cleanCell returns a cell as it is compared and stored: every run of
// spaces, line breaks and control characters turned into one space, trimmed,
// and an Excel text formula ="0612345678" unwrapped.
func cleanCell(s string) string {
	if len(s) >= 3 && strings.HasPrefix(s, `="`) && strings.HasSuffix(s, `"`) {
		s = s[2 : len(s)-1]
	}
	if isClean(s) {
		return s
	}
	return strings.Join(strings.FieldsFunc(s, isBlankRune), " ")
}

// isBlankRune reports whether r is a space, a control character or an
// invisible mark.
func isBlankRune(r rune) bool {
	return unicode.IsSpace(r) || unicode.IsControl(r) || r == '\uFEFF' || r == '\u200B'
}

// isClean reports whether cleanCell would leave s as it is: no blank at
// either end, and no blank inside but single plain spaces.
func isClean(s string) bool {
	prevSpace := true // a blank at the start is not clean
	for i := 0; i < len(s); {
		c := s[i]
		if c > ' ' && c < utf8.RuneSelf && c != 0x7f {
			prevSpace = false
			i++
			continue
		}
		r, n := rune(c), 1
		if c >= utf8.RuneSelf {
			r, n = utf8.DecodeRuneInString(s[i:])
		}
		i += n
		if !isBlankRune(r) {
			prevSpace = false
			continue
		}
		if r != ' ' || prevSpace {
			return false
		}
		prevSpace = true
	}
	return !prevSpace || s == ""
}

// parseCivility reads a civility; it is required: « Melle » and
// « Mademoiselle » are Mme.
func parseCivility(s string) (data.Civility, string) {
	if s == "" {
		return "", "Civilité manquante : indiquez M ou Mme."
	}
	c, err := data.ParseCivility(s)
	if err != nil {
		return "", data.ErrorMessage(err)
	}
	return c, ""
}

// checkName checks a last or first name: present, at most 100 characters,
// with at least one letter and no digit.
func checkName(label, s string) string {
	switch {
	case s == "":
		return label + " manquant."
	case utf8.RuneCountInString(s) > maxNameLength:
		return fmt.Sprintf("%s trop long (%d caractères au plus).", label, maxNameLength)
	case strings.IndexFunc(s, unicode.IsDigit) >= 0 || strings.IndexFunc(s, unicode.IsLetter) < 0:
		return fmt.Sprintf("%s « %s » invalide : il ne doit contenir que des lettres, espaces, tirets et apostrophes.", label, s)
	}
	return ""
}

// parseStreet reads the street: the three columns n° / type / nom de voie,
// or a single « Adresse » column kept whole in StreetName (with the n° and
// type columns, if any, unless the address begins with its own number); a
// complément d'adresse is appended to the street name after a comma.
func parseStreet(get func(string) string) (data.Address, string) {
	a := data.Address{Number: get(FieldStreetNumber), StreetType: get(FieldStreetType), StreetName: get(FieldStreetName)}
	if a.StreetName == "" {
		a.StreetName = get(FieldAddress)
		if a.StreetName != "" && a.StreetName[0] >= '0' && a.StreetName[0] <= '9' {
			// « 12 rue des Lilas » holds its number and type: a « N° »
			// column beside it is then a row number, not the street's.
			a.Number, a.StreetType = "", ""
		}
	}
	if a.StreetName == "" {
		return a, "Adresse manquante : indiquez le nom de voie."
	}
	if c := get(FieldAddressComplement); c != "" {
		a.StreetName += ", " + c
	}
	switch {
	case utf8.RuneCountInString(a.StreetName) > maxNameLength:
		return a, fmt.Sprintf("Adresse trop longue (%d caractères au plus pour la voie et son complément).", maxNameLength)
	case len(a.Number) > maxNumberLength:
		return a, fmt.Sprintf("N° de voie « %s » trop long (%d caractères au plus).", a.Number, maxNumberLength)
	case len(a.StreetType) > maxTypeLength:
		return a, fmt.Sprintf("Type de voie « %s » trop long (%d caractères au plus).", a.StreetType, maxTypeLength)
	}
	return a, ""
}

// parsePhone reads the first non-empty phone column. The phone is optional;
// when present it must be a French number, stored normalised. A number of
// nine digits not starting with 0 is taken for one whose leading zero a
// spreadsheet dropped.
func parsePhone(cols *columns, cells []string) (string, string) {
	for _, i := range cols.phones {
		if i >= len(cells) {
			continue
		}
		v := cleanCell(cells[i])
		if v == "" {
			continue
		}
		if len(v) == 9 && v[0] != '0' && strings.Trim(v, "0123456789") == "" {
			v = "0" + v
		}
		n, err := data.NormalizePhone(v)
		if err != nil {
			return "", data.ErrorMessage(err)
		}
		return n, ""
	}
	return "", ""
}

// parseAgrement normalises an agrément number (spaces removed, upper case)
// and checks it: present, at most 30 characters, letters, digits and
// - / . _ only.
func parseAgrement(s string) (string, string) {
	n := strings.ToUpper(strings.Join(strings.Fields(s), ""))
	switch {
	case n == "":
		return "", "N° d'agrément manquant."
	case utf8.RuneCountInString(n) > MaxAgrementLength:
		return "", fmt.Sprintf("N° d'agrément « %s » trop long (%d caractères au plus).", s, MaxAgrementLength)
	case strings.IndexFunc(n, func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r) && !strings.ContainsRune("-/._", r)
	}) >= 0:
		return "", fmt.Sprintf("N° d'agrément « %s » invalide : il ne doit contenir que des lettres, des chiffres et les signes - / . _", s)
	}
	return n, ""
}

// parsePlaces reads the nombre de places agréées: a whole number from
// MinPlacesAgreed to MaxPlacesAgreed; « 4,0 » and « 4.0 » (a spreadsheet's
// number) are 4.
func parsePlaces(s string) (int, string) {
	if s == "" {
		return 0, fmt.Sprintf("Nombre de places agréées manquant : indiquez un nombre de %d à %d.", MinPlacesAgreed, MaxPlacesAgreed)
	}
	v := s
	if i := strings.IndexAny(v, ".,"); i > 0 && strings.Trim(v[i+1:], "0") == "" {
		v = v[:i]
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < MinPlacesAgreed || n > MaxPlacesAgreed {
		return 0, fmt.Sprintf("Nombre de places agréées « %s » invalide : indiquez un nombre entier de %d à %d.", s, MinPlacesAgreed, MaxPlacesAgreed)
	}
	return n, ""
}

// parseAgrementDate reads the optional date d'agrément: JJ/MM/AAAA (or with
// dashes or dots), AAAA-MM-JJ, a time after the date ignored; not before
// MinAgrementYear and not after today (in the row's département).
func parseAgrementDate(s string, today data.Date) (data.Date, string) {
	if s == "" {
		return data.Date{}, ""
	}
	v := s
	if i := strings.IndexAny(v, " T"); i >= 8 && strings.Contains(v[i:], ":") {
		v = v[:i] // « 15/01/2019 00:00:00 », « 2019-01-15T00:00:00Z »
	}
	v = strings.ReplaceAll(v, ".", "/")
	d, err := data.ParseFrenchDate(v)
	if err != nil {
		return data.Date{}, fmt.Sprintf("Date d'agrément « %s » invalide : le format attendu est JJ/MM/AAAA.", s)
	}
	if d.Year < MinAgrementYear {
		return data.Date{}, fmt.Sprintf("Date d'agrément %s improbable : vérifiez-la.", d.French())
	}
	if today.Before(d) {
		return data.Date{}, fmt.Sprintf("Date d'agrément %s dans le futur : vérifiez-la.", d.French())
	}
	return d, ""
}

// markDuplicates rejects every row whose agrément number appears on more
// than one row of the file. A row already rejected keeps its first reason.
func (k *checker) markDuplicates(rows []Row) {
	at := map[string][]int{}
	for i, key := range k.keys {
		if key != "" {
			at[key] = append(at[key], i)
		}
	}
	for key, idx := range at {
		if len(idx) < 2 {
			continue
		}
		lines := make([]int, len(idx))
		for j, i := range idx {
			lines[j] = rows[i].Line
		}
		reason := fmt.Sprintf("N° d'agrément %s en double dans le fichier (lignes %s).", key, frenchList(lines))
		for _, i := range idx {
			if rows[i].Professional != nil {
				rows[i].Professional, rows[i].Reason = nil, reason
			}
		}
	}
}

// maxLinesListed bounds the lines a duplicate's reason lists.
const maxLinesListed = 10

// frenchList returns « 12 et 40 », « 3, 12 et 40 », or the first lines and
// « … » when there are many.
func frenchList(n []int) string {
	s := make([]string, 0, min(len(n), maxLinesListed))
	for _, v := range n[:min(len(n), maxLinesListed)] {
		s = append(s, strconv.Itoa(v))
	}
	if len(n) > maxLinesListed {
		return strings.Join(s, ", ") + ", …"
	}
	if len(s) == 1 {
		return s[0]
	}
	return strings.Join(s[:len(s)-1], ", ") + " et " + s[len(s)-1]
}
