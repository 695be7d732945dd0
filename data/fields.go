package data

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// The sync protocol moves records as fields: named string values, each
// with its own version, so that two edits of different fields (two cells of
// one week) both survive. This file is the one mapping between the domain
// types and their fields, used by the service and by the desktop alike.

// WeekKey is the record key of a professional's week.
func WeekKey(professionalID string, monday Date) string {
	return professionalID + "/" + monday.String()
}

// DatedKey is the record key of a professional's 1 January or 1 September.
func DatedKey(professionalID string, d Date) string { return professionalID + "/" + d.String() }

// SplitDateKey reads a week or dated record key.
func SplitDateKey(key string) (professionalID string, d Date, err error) {
	i := strings.LastIndexByte(key, '/')
	if i <= 0 {
		return "", Date{}, Errorf(EINVALID, "Clé d'enregistrement « %s » invalide.", key)
	}
	d, err = ParseDate(key[i+1:])
	return key[:i], d, err
}

// CellField names the field of one cell of a week: c<day><slot>.
func CellField(day, slot int) string { return fmt.Sprintf("c%d%d", day, slot) }

// DayField names the field of one weekday of a dated tab: d<day>.
func DayField(day int) string { return fmt.Sprintf("d%d", day) }

func boolField(b bool) string {
	if b {
		return "1"
	}
	return "0"
}

func parseBoolField(name, v string) (bool, error) {
	switch v {
	case "1":
		return true, nil
	case "0":
		return false, nil
	}
	return false, Errorf(EINVALID, "Valeur « %s » invalide pour %s : 0 ou 1 attendu.", v, name)
}

func parseSlotField(name, v string) (SlotState, error) {
	if len(v) != 1 || !SlotState(v[0]).Valid() {
		return 0, Errorf(EINVALID, "Valeur « %s » invalide pour %s : D, N ou T attendu.", v, name)
	}
	return SlotState(v[0]), nil
}

// Fields returns the fields of a week.
func (w Week) Fields() map[string]string {
	f := map[string]string{"use": boolField(w.Use), "places": FormatPlaces(w.Places)}
	for d := 0; d < DaysPerWeek; d++ {
		for s := 0; s < SlotsPerDay; s++ {
			f[CellField(d, s)] = string(rune(w.Grid[d][s]))
		}
	}
	return f
}

// SetField changes one field of a week, checking its value.
func (w *Week) SetField(name, value string) error {
	switch {
	case name == "use":
		b, err := parseBoolField(name, value)
		w.Use = b
		return err
	case name == "places":
		p, err := ParsePlaces(value)
		if err == nil {
			w.Places = p
		}
		return err
	case len(name) == 3 && name[0] == 'c' && name[1] >= '0' && name[1] <= '6' && name[2] >= '0' && name[2] <= '6':
		s, err := parseSlotField(name, value)
		if err == nil {
			w.Grid[name[1]-'0'][name[2]-'0'] = s
		}
		return err
	}
	return Errorf(EINVALID, "Champ « %s » inconnu pour une semaine.", name)
}

// Fields returns the fields of a dated tab.
func (x Dated) Fields() map[string]string {
	f := map[string]string{"use": boolField(x.Use), "places": FormatPlaces(x.Places)}
	for d := 0; d < DaysPerWeek; d++ {
		f[DayField(d)] = string(rune(x.Days[d]))
	}
	return f
}

// SetField changes one field of a dated tab, checking its value.
func (x *Dated) SetField(name, value string) error {
	switch {
	case name == "use":
		b, err := parseBoolField(name, value)
		x.Use = b
		return err
	case name == "places":
		p, err := ParsePlaces(value)
		if err == nil {
			x.Places = p
		}
		return err
	case len(name) == 2 && name[0] == 'd' && name[1] >= '0' && name[1] <= '6':
		s, err := parseSlotField(name, value)
		if err == nil {
			x.Days[name[1]-'0'] = s
		}
		return err
	}
	return Errorf(EINVALID, "Champ « %s » inconnu pour une date.", name)
}

// EditableFields lists the fields of her fiche a professional of kind k may
// change herself (the rest comes from the PMI list or from the Caf): her
// phone, and for a structure its name, capacity and opening hours.
func EditableFields(k Kind) []string {
	if k == KindStructure {
		return []string{"phone", "structure_name", "capacity", "opening_hours"}
	}
	return []string{"phone"}
}

// ProfessionalFields returns the fields of a professional's fiche.
func ProfessionalFields(p *Professional) map[string]string {
	a := p.Address
	return map[string]string{
		"kind": string(p.Kind), "department": p.Department, "caf": p.CafCode,
		"agrement_number": p.AgrementNumber, "civility": string(p.Civility),
		"last_name": p.LastName, "first_name": p.FirstName, "structure_name": p.StructureName,
		"street_number": a.Number, "street_type": a.StreetType, "street_name": a.StreetName,
		"postal_code": a.PostalCode, "commune_insee": a.CommuneINSEE, "commune": a.CommuneName,
		"phone": p.Phone, "email": p.Email, "places_agreed": strconv.Itoa(p.PlacesAgreed),
		"agrement_date": p.AgrementDate.String(), "capacity": strconv.Itoa(p.Capacity),
		"opening_hours": p.OpeningHours, "listing": string(p.Listing), "habilitation": string(p.Habilitation),
	}
}

// SetProfessionalField changes one field of a fiche, checking its value.
func SetProfessionalField(p *Professional, name, value string) error {
	a := &p.Address
	number := func(into *int) error {
		n, err := strconv.Atoi(value)
		if err != nil || n < 0 || n > 9999 {
			return Errorf(EINVALID, "Valeur « %s » invalide pour %s : un nombre est attendu.", value, name)
		}
		*into = n
		return nil
	}
	switch name {
	case "kind":
		p.Kind = Kind(value)
	case "department":
		p.Department = value
	case "caf":
		p.CafCode = value
	case "agrement_number":
		p.AgrementNumber = value
	case "civility":
		p.Civility = Civility(value)
	case "last_name":
		p.LastName = value
	case "first_name":
		p.FirstName = value
	case "structure_name":
		p.StructureName = value
	case "street_number":
		a.Number = value
	case "street_type":
		a.StreetType = value
	case "street_name":
		a.StreetName = value
	case "postal_code":
		a.PostalCode = value
	case "commune_insee":
		a.CommuneINSEE = value
	case "commune":
		a.CommuneName = value
	case "phone":
		if value != "" {
			n, err := NormalizePhone(value)
			if err != nil {
				return err
			}
			value = n
		}
		p.Phone = value
	case "email":
		p.Email = value
	case "places_agreed":
		return number(&p.PlacesAgreed)
	case "agrement_date":
		d := Date{}
		if value != "" {
			var err error
			if d, err = ParseDate(value); err != nil {
				return err
			}
		}
		p.AgrementDate = d
	case "capacity":
		return number(&p.Capacity)
	case "opening_hours":
		if len([]rune(value)) > 500 {
			return Errorf(EINVALID, "Horaires trop longs (500 caractères au plus).")
		}
		p.OpeningHours = value
	case "listing":
		p.Listing = Listing(value)
	case "habilitation":
		p.Habilitation = Habilitation(value)
	default:
		return Errorf(EINVALID, "Champ « %s » inconnu pour une fiche.", name)
	}
	return nil
}

// RequestFields returns the fields of a habilitation request.
func RequestFields(r *Request) map[string]string {
	a := r.Address
	return map[string]string{
		"kind": string(r.Kind), "civility": string(r.Civility), "last_name": r.LastName,
		"first_name": r.FirstName, "structure_name": r.StructureName, "agrement_number": r.AgrementNumber,
		"street_number": a.Number, "street_type": a.StreetType, "street_name": a.StreetName,
		"postal_code": a.PostalCode, "commune_insee": a.CommuneINSEE, "commune": a.CommuneName,
		"phone": r.Phone, "email": r.Email, "department": r.Department, "caf": r.CafCode,
		"state": string(r.State), "refusal_reason": r.RefusalReason, "professional_id": r.ProfessionalID,
		"match": string(r.Match), "created_at": r.CreatedAt.UTC().Format(time.RFC3339Nano),
	}
}

// RequestFromFields rebuilds a request from its fields.
func RequestFromFields(id string, f map[string]string) *Request {
	created, _ := time.Parse(time.RFC3339Nano, f["created_at"])
	return &Request{ID: id, Kind: Kind(f["kind"]), Civility: Civility(f["civility"]),
		LastName: f["last_name"], FirstName: f["first_name"], StructureName: f["structure_name"],
		AgrementNumber: f["agrement_number"], Address: Address{Number: f["street_number"],
			StreetType: f["street_type"], StreetName: f["street_name"], PostalCode: f["postal_code"],
			CommuneINSEE: f["commune_insee"], CommuneName: f["commune"]},
		Phone: f["phone"], Email: f["email"], Department: f["department"], CafCode: f["caf"],
		State: RequestState(f["state"]), RefusalReason: f["refusal_reason"],
		ProfessionalID: f["professional_id"], Match: Match(f["match"]), CreatedAt: created}
}

// ChangedFields lists the names whose values differ between two field
// maps (a field missing from one counts as empty).
func ChangedFields(before, after map[string]string) []string {
	var names []string
	for k, v := range after {
		if before[k] != v {
			names = append(names, k)
		}
	}
	for k, v := range before {
		if _, ok := after[k]; !ok && v != "" {
			names = append(names, k)
		}
	}
	return names
}

// Record is the state of one record as the sync protocol moves it: its
// fields and their versions (the service's sequence number at each field's
// last change), or a tombstone.
type Record struct {
	Entity   string            `json:"entity"`
	Key      string            `json:"key"`
	Fields   map[string]string `json:"fields,omitempty"`
	Versions map[string]int64  `json:"versions,omitempty"`
	// Deleted: the record left the reader's scope or was removed.
	Deleted bool `json:"deleted,omitempty"`
}
