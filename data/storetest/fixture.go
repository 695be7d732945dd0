package storetest

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"time"

	"espacepro/data"
)

// Communes used by the suite's data (INSEE codes and postal codes as in the
// Code officiel géographique). The stores do not check them against the
// reference data; they only need to be realistic.
var (
	boulogne = data.Address{Number: "12 bis", StreetType: "rue", StreetName: "de l'Église", PostalCode: "92100", CommuneINSEE: "92012", CommuneName: "Boulogne-Billancourt"}
	nanterre = data.Address{Number: "3", StreetType: "allée", StreetName: "des Œillets", PostalCode: "92000", CommuneINSEE: "92050", CommuneName: "Nanterre"}
	colombes = data.Address{Number: "45", StreetType: "avenue", StreetName: "Henri Barbusse", PostalCode: "92700", CommuneINSEE: "92025", CommuneName: "Colombes"}
	pau      = data.Address{Number: "8", StreetType: "place", StreetName: "Clemenceau", PostalCode: "64000", CommuneINSEE: "64445", CommuneName: "Pau"}
	bayonne  = data.Address{Number: "21", StreetType: "quai", StreetName: "Amiral Jauréguiberry", PostalCode: "64100", CommuneINSEE: "64102", CommuneName: "Bayonne"}
	ajaccio  = data.Address{Number: "5", StreetType: "cours", StreetName: "Napoléon", PostalCode: "20000", CommuneINSEE: "2A004", CommuneName: "Ajaccio"}
)

var (
	lastNames  = []string{"Martin", "Bernard", "Dubois", "Thomas", "Robert", "Richard", "Petit", "Durand", "Leroy", "Moreau", "Simon", "Laurent", "Lefèvre", "Michel", "Garcia", "David", "Bertrand", "Roux", "Vincent", "Fournier", "Morel", "Girard", "André", "Mercier", "Dupont", "Lambert", "Bonnet", "François", "Martinez", "N'Diaye", "Œillet", "Hélie"}
	firstNames = []string{"Hélène", "Marie", "Nathalie", "Isabelle", "Sylvie", "Catherine", "Françoise", "Zoé", "Chloé", "Anaïs", "Léa", "Aïssatou", "Maëlle", "Céline", "Sandrine", "Véronique", "Marion"}
)

// newProfessional returns a valid childminder of the Caf des Hauts-de-Seine
// (département 92, Caf 921) living in Boulogne-Billancourt, listed and
// without habilitation, whose agrément number and name depend on i.
func newProfessional(i int) *data.Professional {
	return &data.Professional{
		Kind:           data.KindChildminder,
		Department:     "92",
		CafCode:        "921",
		AgrementNumber: fmt.Sprintf("92-%06d", i),
		Civility:       data.CivilityMme,
		LastName:       lastNames[i%len(lastNames)],
		FirstName:      firstNames[(i/len(lastNames))%len(firstNames)],
		Address:        boulogne,
		Phone:          fmt.Sprintf("06%08d", i%100000000),
		Email:          fmt.Sprintf("am%d@example.fr", i),
		PlacesAgreed:   1 + i%4,
		AgrementDate:   data.Date{Year: 2015 + i%10, Month: time.Month(1 + i%12), Day: 1 + i%28},
		Listing:        data.Listed,
		Habilitation:   data.HabilitationNone,
	}
}

// childminder returns a childminder with the given identity and place.
func childminder(dept, caf, agrement, last, first string, addr data.Address, l data.Listing, h data.Habilitation) *data.Professional {
	p := newProfessional(0)
	p.Department, p.CafCode, p.AgrementNumber = dept, caf, agrement
	p.LastName, p.FirstName, p.Address = last, first, addr
	p.Listing, p.Habilitation = l, h
	return p
}

// structure returns a structure (no agrément number, no person names).
func structure(dept, caf, name string, addr data.Address, l data.Listing, h data.Habilitation) *data.Professional {
	return &data.Professional{
		Kind:          data.KindStructure,
		Department:    dept,
		CafCode:       caf,
		StructureName: name,
		Address:       addr,
		Phone:         "0146000000",
		Email:         "direction@creche.example.fr",
		Capacity:      30,
		OpeningHours:  "Du lundi au vendredi, 7 h 30 – 19 h",
		Listing:       l,
		Habilitation:  h,
	}
}

// localID returns the n-th ID the local tests give to records, in the form
// of a UUID so that it suits any column type.
func localID(n int) string { return fmt.Sprintf("00000000-0000-4000-8000-%012d", n) }

// sessionID returns the hex SHA-256 of a made-up token, as sessions are keyed.
func sessionID(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// Dates of the availability tests: two Mondays, a Tuesday, the two dated
// tabs and a day that is neither.
var (
	monday1  = data.Date{Year: 2026, Month: time.November, Day: 23}
	monday2  = data.Date{Year: 2026, Month: time.November, Day: 30}
	monday3  = data.Date{Year: 2026, Month: time.December, Day: 7}
	tuesday  = data.Date{Year: 2026, Month: time.November, Day: 24}
	january1 = data.Date{Year: 2027, Month: time.January, Day: 1}
	sept1    = data.Date{Year: 2027, Month: time.September, Day: 1}
	january2 = data.Date{Year: 2027, Month: time.January, Day: 2}
)

// sampleGrid returns a grid holding all three values, spread differently
// for each seed, so that a swapped day, slot or value shows.
func sampleGrid(seed int) data.WeekGrid {
	var g data.WeekGrid
	for d := range g {
		for s := range g[d] {
			g[d][s] = data.SlotStates[(d*2+s+seed)%len(data.SlotStates)]
		}
	}
	return g
}

// sampleDays returns weekday values holding all three values.
func sampleDays(seed int) data.WeekDays {
	var w data.WeekDays
	for d := range w {
		w[d] = data.SlotStates[(d+seed)%len(data.SlotStates)]
	}
	return w
}

// paris is the zone the suite writes times in, to check that stores do not
// depend on the location of the times they are given.
var paris = data.DepartmentLocation("92")
