package server

import (
	"context"
	"fmt"

	"espacepro/data"
	"espacepro/server/password"
)

// DemoAccount is an account the demo data creates, with its password: the
// demo prints them so that a person trying the product can log in. Only
// the demo ever knows a password.
type DemoAccount struct {
	Role, Email, Password, Who string
}

// demoPerson is a listed childminder of the demo.
type demoPerson struct {
	civility                   data.Civility
	last, first                string
	number, streetType, street string
	postalCode, commune, phone string
	agrement                   string
	places                     int
	habilitation               data.Habilitation
	global                     data.Colour
	request                    data.RequestState // a request in this state, "" for none
}

var demoPeople = []demoPerson{
	{data.CivilityMme, "Martin", "Sophie", "12", "rue", "de Billancourt", "92100", "Boulogne-Billancourt", "0611223344", "92-2019-0147", 3, data.HabilitationActive, data.ColourGreen, ""},
	{data.CivilityMme, "N'Diaye", "Aïssatou", "5", "avenue", "Jean-Baptiste Clément", "92100", "Boulogne-Billancourt", "0622334455", "92-2017-0533", 4, data.HabilitationRequested, data.ColourGrey, data.RequestReceived},
	{data.CivilityMme, "Lefèvre", "Hélène", "48", "boulevard", "Jean Jaurès", "92100", "Boulogne-Billancourt", "0633445566", "92-2021-0081", 2, data.HabilitationRequested, data.ColourGrey, data.RequestLetter},
	{data.CivilityMme, "Moreau", "Céline", "3", "allée", "des Acacias", "92000", "Nanterre", "0644556677", "92-2015-1290", 3, data.HabilitationRequested, data.ColourGrey, data.RequestAgreement},
	{data.CivilityM, "Garcia", "Thomas", "27", "rue", "Gabriel Péri", "92700", "Colombes", "0655667788", "92-2022-0412", 2, data.HabilitationNone, data.ColourGrey, ""},
	{data.CivilityMme, "Santoni", "Marie-Laure", "9", "cours", "Napoléon", "20000", "Ajaccio", "0495112233", "2A-2018-0057", 3, data.HabilitationActive, data.ColourRed, ""},
	{data.CivilityMme, "Casanova", "Julie", "14", "avenue", "du Maréchal Lyautey", "20090", "Ajaccio", "0495223344", "2A-2020-0102", 4, data.HabilitationRequested, data.ColourGrey, data.RequestReceived},
	{data.CivilityMme, "Peretti", "Anna", "2", "rue", "Fesch", "20000", "Ajaccio", "0495334455", "2A-2016-0231", 2, data.HabilitationNone, data.ColourGrey, ""},
}

// demoUnmatched is a request of the demo from a childminder who is not on
// the PMI's list: the Caf sees it flagged as not matched.
var demoUnmatched = data.Request{Kind: data.KindChildminder, Civility: data.CivilityMme, LastName: "Benali",
	FirstName: "Nadia", Address: data.Address{Number: "31", StreetType: "rue", StreetName: "Saint-Denis",
		PostalCode: "92700", CommuneName: "Colombes"}, Phone: "0766778899", Email: "nadia.benali@demo.espacepro.example"}

// SeedDemo fills an empty store with demo data: listed childminders in the
// Hauts-de-Seine (92) and Corse-du-Sud (2A), two of them habilitated with
// their availability, requests at each step of the Caf's workflow (one not
// matched), and one agent for each of those Caf. A store that
// already holds accounts is left alone (seeded is false).
func (s *Service) SeedDemo(ctx context.Context) (accounts []DemoAccount, seeded bool, err error) {
	_, n, err := s.store.FindAccounts(ctx, data.AccountFilter{Limit: 1})
	if err != nil || n > 0 {
		return nil, false, err
	}
	err = s.store.InTx(ctx, func(ctx context.Context) error {
		for _, caf := range []struct{ code, first, last string }{{"921", "Françoise", "Lemaître"}, {"201", "Paul", "Rossi"}} {
			acc := &data.Account{Email: "agent" + caf.code + "@caf.espacepro.example", Role: data.RoleAgent,
				CafCode: caf.code, FirstName: caf.first, LastName: caf.last}
			pass := "demo-agent-" + caf.code
			if err := s.createDemoAccount(ctx, acc, pass); err != nil {
				return err
			}
			cafInfo, _ := s.ref.Caf(caf.code)
			accounts = append(accounts, DemoAccount{"agent de Caf", acc.Email, pass, cafInfo.Name})
		}
		for i, d := range demoPeople {
			p, err := s.demoProfessional(ctx, d)
			if err != nil {
				return err
			}
			if d.request != "" {
				if err := s.store.CreateRequest(ctx, demoRequest(p, d.request, i)); err != nil {
					return err
				}
			}
			if d.habilitation != data.HabilitationActive {
				continue
			}
			acc := &data.Account{Email: fmt.Sprintf("am%d@demo.espacepro.example", i+1), Role: data.RoleChildminder,
				ProfessionalID: p.ID, CafCode: p.CafCode, FirstName: p.FirstName, LastName: p.LastName}
			pass := fmt.Sprintf("demo-am-%d", i+1)
			if err := s.createDemoAccount(ctx, acc, pass); err != nil {
				return err
			}
			accounts = append(accounts, DemoAccount{"assistante maternelle", acc.Email, pass, p.DisplayName()})
			if err := s.store.SaveAvailability(ctx, demoAvailability(p.ID, d.global, data.Today(s.Now(), p.Department))); err != nil {
				return err
			}
		}
		unmatched := demoUnmatched
		route, err := s.ref.Route(unmatched.Address.PostalCode, unmatched.Address.CommuneName)
		if err != nil {
			return fmt.Errorf("demo: %w", err)
		}
		unmatched.Address.CommuneINSEE, unmatched.Department, unmatched.CafCode = route.Commune.INSEE, route.Department.Code, route.Caf.Code
		unmatched.State = data.RequestReceived
		if err := s.store.CreateRequest(ctx, &unmatched); err != nil {
			return err
		}
		return s.audit(ctx, System, "", "demo.seed", "", "", "données de démonstration")
	})
	return accounts, err == nil, err
}

// demoRequest is p's habilitation request, matched to her, in state.
func demoRequest(p *data.Professional, state data.RequestState, i int) *data.Request {
	return &data.Request{Kind: p.Kind, Civility: p.Civility, LastName: p.LastName, FirstName: p.FirstName,
		AgrementNumber: p.AgrementNumber, Address: p.Address, Phone: p.Phone,
		Email: fmt.Sprintf("am%d@demo.espacepro.example", i+1), Department: p.Department, CafCode: p.CafCode,
		State: state, ProfessionalID: p.ID, Match: data.MatchAuto}
}

func (s *Service) createDemoAccount(ctx context.Context, acc *data.Account, pass string) error {
	hash, err := password.Hash(pass)
	if err != nil {
		return err
	}
	acc.PasswordHash = hash
	return s.store.CreateAccount(ctx, acc)
}

func (s *Service) demoProfessional(ctx context.Context, d demoPerson) (*data.Professional, error) {
	route, err := s.ref.Route(d.postalCode, d.commune)
	if err != nil {
		return nil, fmt.Errorf("demo: %s %s: %w", d.postalCode, d.commune, err)
	}
	p := &data.Professional{
		Kind: data.KindChildminder, Department: route.Department.Code, CafCode: route.Caf.Code,
		AgrementNumber: d.agrement, Civility: d.civility, LastName: d.last, FirstName: d.first,
		Address: data.Address{Number: d.number, StreetType: d.streetType, StreetName: d.street,
			PostalCode: d.postalCode, CommuneINSEE: route.Commune.INSEE, CommuneName: route.Commune.Name},
		Phone: d.phone, PlacesAgreed: d.places, AgrementDate: data.Date{Year: 2019, Month: 9, Day: 1},
		Listing: data.Listed, Habilitation: d.habilitation,
	}
	return p, s.store.CreateProfessional(ctx, p)
}

// demoAvailability fills the current week and the next, and the next
// 1 September, as an active childminder would.
func demoAvailability(id string, global data.Colour, today data.Date) *data.Availability {
	grid := data.NewWeekGrid()
	for day := 0; day < 5; day++ {
		for slot := 1; slot <= 5; slot++ {
			grid[day][slot] = data.Available
		}
		grid[day][5] = data.Unavailable
	}
	grid.SetDay(2, data.Available)
	monday := today.Monday()
	dates := data.NextDatedDates(today)
	sept := dates[0]
	if sept.Month != 9 {
		sept = dates[1]
	}
	days := data.NewWeekDays()
	for i := 0; i < 4; i++ {
		days[i] = data.Available
	}
	days[4] = data.Unavailable
	return &data.Availability{ProfessionalID: id, Global: global,
		Weeks: []data.Week{
			{Monday: monday, Use: true, Grid: grid, Places: data.PlacesOf(1)},
			{Monday: monday.AddDays(7), Use: true, Grid: grid, Places: data.PlacesOf(1)},
		},
		Dated: []data.Dated{{Date: sept, Use: true, Days: days, Places: data.PlacesOf(2)}},
	}
}
