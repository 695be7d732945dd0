package pmi

import (
	"fmt"
	"strings"

	"espacepro/data"
)

// The fields of a PMI list, as keys of Result.Columns. They are the keys of
// the habilitation request form where the two share a field.
const (
	FieldCivility          = "civility"
	FieldLastName          = "last_name"
	FieldFirstName         = "first_name"
	FieldStreetNumber      = "street_number"
	FieldStreetType        = "street_type"
	FieldStreetName        = "street_name"
	FieldAddress           = "address" // one column holding the whole street address
	FieldAddressComplement = "address_complement"
	FieldPostalCode        = "postal_code"
	FieldCommune           = "commune"
	FieldPhone             = "phone"
	FieldAgrementNumber    = "agrement_number"
	FieldPlacesAgreed      = "places_agreed"
	FieldAgrementDate      = "agrement_date"
)

// fieldSpec describes one field: its French label, for messages, and the
// headers it answers to, best first. When two columns answer to one field,
// the one whose header comes first in this list is used and the other is
// ignored (phones excepted: every phone column is kept).
type fieldSpec struct {
	field    string
	label    string
	synonyms []string
}

var fieldSpecs = []fieldSpec{
	{FieldCivility, "Civilité", []string{"civilité", "civ", "titre", "civilité AM"}},
	{FieldLastName, "Nom", []string{"nom d'usage", "nom usuel", "nom", "nom de famille", "nom marital",
		"nom de naissance", "nom AM", "nom de l'assistante maternelle", "nom assistante maternelle",
		"nom de l'assistant maternel", "nom assistant maternel"}},
	{FieldFirstName, "Prénom", []string{"prénom", "prénom usuel", "prénom AM",
		"prénom de l'assistante maternelle", "prénom assistante maternelle"}},
	{FieldStreetNumber, "N° de voie", []string{"n° de voie", "numéro de voie", "num voie", "n° voie",
		"n°", "numéro", "numéro dans la voie", "n° de rue", "numéro de rue"}},
	{FieldStreetType, "Type de voie", []string{"type de voie", "type voie", "type", "nature de voie",
		"nature voie", "type de rue"}},
	{FieldStreetName, "Nom de voie", []string{"nom de voie", "nom voie", "nom de la voie", "voie",
		"libellé de voie", "libellé voie", "libellé de la voie", "libellé", "rue", "nom de rue", "nom de la rue"}},
	{FieldAddress, "Adresse", []string{"adresse", "adresse postale", "adresse complète", "adresse 1",
		"adresse ligne 1", "ligne adresse 1", "adresse AM", "adresse du domicile", "adresse domicile"}},
	{FieldAddressComplement, "Complément d'adresse", []string{"complément d'adresse", "complément adresse",
		"complément", "adresse 2", "adresse ligne 2", "ligne adresse 2", "adresse complément"}},
	{FieldPostalCode, "Code postal", []string{"code postal", "cp", "c.p.", "code post"}},
	{FieldCommune, "Commune", []string{"commune", "ville", "localité", "commune de résidence",
		"nom de la commune", "nom commune", "libellé commune", "libellé de la commune"}},
	{FieldPhone, "Téléphone", []string{"téléphone", "tél", "téléphone fixe", "tél fixe", "fixe",
		"portable", "téléphone portable", "tél portable", "mobile", "téléphone mobile", "tél mobile",
		"n° de téléphone", "numéro de téléphone", "n° tél", "tél 1", "tél 2", "téléphone 1",
		"téléphone 2", "gsm"}},
	{FieldAgrementNumber, "N° d'agrément", []string{"n° d'agrément", "numéro d'agrément", "num agrément",
		"n agrément", "n° agrément", "agrément", "numéro agrément", "référence agrément",
		"référence de l'agrément", "n° de l'agrément", "identifiant agrément"}},
	{FieldPlacesAgreed, "Nombre de places agréées", []string{"nombre de places agréées", "places agréées",
		"nombre de places", "nb places", "nb de places", "places", "nb places agréées", "capacité",
		"capacité d'accueil", "capacité agréée", "nombre d'enfants agréés", "nombre d'enfants", "nb enfants"}},
	{FieldAgrementDate, "Date d'agrément", []string{"date d'agrément", "date agrément", "date de l'agrément",
		"date du premier agrément", "date 1er agrément", "date de premier agrément", "agréée depuis",
		"agréé depuis", "date de début d'agrément", "date début agrément", "date de début de l'agrément"}},
}

// headerIndex maps a normalised header to its field and the rank of the
// synonym in the field's list.
var headerIndex = buildHeaderIndex()

type headerMatch struct {
	field string
	rank  int
}

func buildHeaderIndex() map[string]headerMatch {
	idx := map[string]headerMatch{}
	for _, spec := range fieldSpecs {
		for rank, s := range spec.synonyms {
			key := headerKey(s)
			if m, dup := idx[key]; dup && m.field != spec.field {
				panic(fmt.Sprintf("pmi: header %q answers to both %s and %s", s, m.field, spec.field))
			}
			if _, dup := idx[key]; !dup {
				idx[key] = headerMatch{spec.field, rank}
			}
		}
	}
	return idx
}

// stopWords are left out of headers: « Date d'agrément » is « date agrement ».
var stopWords = map[string]bool{
	"d": true, "de": true, "du": true, "des": true, "l": true, "la": true, "le": true,
	"les": true, "a": true, "au": true, "aux": true, "en": true,
}

// tokenSynonyms reduces the spellings of one word to one token.
var tokenSynonyms = map[string]string{
	"n": "num", "no": "num", "nr": "num", "nro": "num", "numero": "num", "num": "num",
	"nombre": "nb", "nbre": "nb", "nb": "nb",
	"telephone": "tel", "tel": "tel", "telephonique": "tel",
	"agree": "agree", "agreee": "agree",
	"adr": "adresse",
}

// headerKey returns the form in which headers are compared: case, accents,
// punctuation and spacing ignored, « N° », « No », « Num » and « Numéro »
// alike, articles and a final plural s left out.
func headerKey(s string) string {
	s = strings.NewReplacer("°", " ", "º", " ", "ª", " ").Replace(s)
	toks := strings.Fields(data.NormalizeName(s))
	out := toks[:0]
	for _, t := range toks {
		if stopWords[t] {
			continue
		}
		if len(t) > 3 && strings.HasSuffix(t, "s") {
			t = t[:len(t)-1]
		}
		if syn, ok := tokenSynonyms[t]; ok {
			t = syn
		}
		out = append(out, t)
	}
	return strings.Join(out, " ")
}

// columns is the mapping of a header row onto the fields.
type columns struct {
	index   map[string]int // field → column, phones excepted
	phones  []int          // the phone columns, in file order
	headers map[string]string
	ignored []string
	score   int // the number of distinct fields recognised
}

// matchHeader maps the cells of a candidate header row onto the fields.
func matchHeader(cells []string) *columns {
	c := &columns{index: map[string]int{}, headers: map[string]string{}}
	ranks := map[string]int{}
	for i, cell := range cells {
		h := cleanCell(cell)
		if h == "" {
			continue
		}
		m, ok := headerIndex[headerKey(h)]
		switch {
		case !ok:
			c.ignored = append(c.ignored, h)
		case m.field == FieldPhone:
			c.phones = append(c.phones, i)
			if prev := c.headers[FieldPhone]; prev != "" {
				c.headers[FieldPhone] = prev + ", " + h
			} else {
				c.headers[FieldPhone] = h
			}
		default:
			if j, dup := c.index[m.field]; dup {
				if ranks[m.field] <= m.rank {
					c.ignored = append(c.ignored, h)
					continue
				}
				c.ignored = append(c.ignored, cleanCell(cells[j]))
			}
			c.index[m.field] = i
			ranks[m.field] = m.rank
			c.headers[m.field] = h
		}
	}
	c.score = len(c.index)
	if len(c.phones) > 0 {
		c.score++
	}
	return c
}

// requiredFields are the columns a list must have. The street is the
// « Nom de voie » or a single « Adresse » column.
var requiredFields = []string{FieldCivility, FieldLastName, FieldFirstName, FieldStreetName,
	FieldPostalCode, FieldCommune, FieldAgrementNumber, FieldPlacesAgreed}

// missing returns the French labels of the required columns c lacks.
func (c *columns) missing() []string {
	var out []string
	for _, f := range requiredFields {
		if _, ok := c.index[f]; ok {
			continue
		}
		if f == FieldStreetName {
			if _, ok := c.index[FieldAddress]; ok {
				continue
			}
			out = append(out, "Nom de voie (ou Adresse)")
			continue
		}
		out = append(out, fieldLabel(f))
	}
	return out
}

func fieldLabel(field string) string {
	for _, s := range fieldSpecs {
		if s.field == field {
			return s.label
		}
	}
	return field
}

// col returns the column of field, or -1.
func (c *columns) col(field string) int {
	if i, ok := c.index[field]; ok {
		return i
	}
	return -1
}

// maxFoundListed bounds the headers a « Colonnes manquantes » message lists.
const maxFoundListed = 20

// missingColumnsError is the file-level error of a header that lacks
// required columns.
func missingColumnsError(missing []string, cells []string) error {
	var found []string
	for _, h := range cells {
		if h = cleanCell(h); h != "" {
			found = append(found, h)
		}
	}
	list := "aucune"
	if len(found) > maxFoundListed {
		list = strings.Join(found[:maxFoundListed], ", ") + ", …"
	} else if len(found) > 0 {
		list = strings.Join(found, ", ")
	}
	return data.Errorf(data.EINVALID,
		"Colonnes manquantes : %s. Colonnes trouvées : %s. Vérifiez que la ligne d'en-tête du fichier contient les intitulés des colonnes.",
		strings.Join(missing, ", "), list)
}
