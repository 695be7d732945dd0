package main

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math/rand/v2"
	"sort"
	"strings"
	"time"

	"espacepro/data"
	"espacepro/data/sqlstore"

	"github.com/google/uuid"
)

// The national seed: childminders spread over every commune of the
// reference data, weighted so that a village holds a handful and a city
// several hundred, one Caf (PullCaf) holding exactly the pull's count, and
// about six in ten with an availability (a global colour and the current
// week, used, with random cells).

// PullCaf is the Caf whose first pull is measured: the Hauts-de-Seine.
const PullCaf = "921"

// seedBatch is the number of childminders written per transaction.
var seedBatch = 10000

// slot is one childminder to seed: where she lives, and what she declared.
type slot struct {
	commune data.Commune
	caf     string
	n       int // her number within her département, for her agrément number
}

// plan is the whole seed, decided before anything is written.
type plan struct {
	slots []slot
	// byCaf counts the childminders of each Caf.
	byCaf map[string]int
	// communes lists the populated communes' INSEE codes, one entry per
	// childminder: a uniform pick from it is a pick weighted by population.
	communes []string
}

// communeWeight is the rough size of a commune: every commune some, a town
// with several postal codes (the cities) or an arrondissement municipal of
// Paris, Lyon or Marseille a lot more.
func communeWeight(c data.Commune) float64 {
	w := 4.0 + 150*float64(len(c.PostalCodes)-1)
	if c.ParentINSEE != "" {
		w += 300
	}
	return w
}

// makePlan spreads total childminders: exactly pullCount in PullCaf (round
// robin over its communes), the rest over every other commune by weight.
func makePlan(ref *data.Reference, total, pullCount int) (*plan, error) {
	if total < pullCount {
		return nil, fmt.Errorf("--childminders %d is less than the %d of Caf %s", total, pullCount, PullCaf)
	}
	type place struct {
		c   data.Commune
		caf string
		w   float64
	}
	var pull, rest []place
	var sum float64
	for _, c := range ref.Communes() {
		if len(c.PostalCodes) == 0 {
			continue
		}
		caf, err := ref.CafOfCommune(c)
		if err != nil {
			continue // a collectivité d'outre-mer that no Caf serves
		}
		p := place{c: c, caf: caf.Code, w: communeWeight(c)}
		if caf.Code == PullCaf {
			pull = append(pull, p)
		} else {
			rest = append(rest, p)
			sum += p.w
		}
	}
	if len(pull) == 0 {
		return nil, fmt.Errorf("no commune of Caf %s in the reference data", PullCaf)
	}
	counts := make([]int, len(rest))
	others, given := total-pullCount, 0
	for i, p := range rest {
		counts[i] = int(float64(others) * p.w / sum)
		given += counts[i]
	}
	for i := 0; given < others; i = (i + 1) % len(rest) {
		counts[i]++
		given++
	}
	pl := &plan{byCaf: map[string]int{}}
	perDept := map[string]int{}
	add := func(p place) {
		perDept[p.c.Department]++
		pl.slots = append(pl.slots, slot{commune: p.c, caf: p.caf, n: perDept[p.c.Department]})
		pl.byCaf[p.caf]++
		pl.communes = append(pl.communes, p.c.INSEE)
	}
	for i := range pullCount {
		add(pull[i%len(pull)])
	}
	for i, p := range rest {
		for range counts[i] {
			add(p)
		}
	}
	return pl, nil
}

// Names and streets the seed draws from.
var (
	lastNames = []string{"Martin", "Bernard", "Thomas", "Petit", "Robert", "Richard", "Durand", "Dubois",
		"Moreau", "Laurent", "Simon", "Michel", "Lefebvre", "Leroy", "Roux", "David", "Bertrand", "Morel",
		"Fournier", "Girard", "Bonnet", "Dupont", "Lambert", "Fontaine", "Rousseau", "Vincent", "Muller",
		"Lefèvre", "Faure", "André", "Mercier", "Blanc", "Guérin", "Boyer", "Garnier", "Chevalier"}
	firstNames = []string{"Marie", "Nathalie", "Isabelle", "Sylvie", "Catherine", "Sandrine", "Valérie",
		"Christine", "Stéphanie", "Céline", "Sophie", "Nadia", "Fatima", "Aurélie", "Hélène", "Émilie"}
	streets = []string{"de la République", "Victor Hugo", "Jean Jaurès", "de la Gare", "Pasteur",
		"du Général de Gaulle", "des Écoles", "de l'Église", "Gambetta", "du Moulin"}
)

// letters names i with letters only (names may not hold digits).
func letters(i int) string {
	s := ""
	for {
		s = string(rune('a'+i%26)) + s
		if i /= 26; i == 0 {
			return s
		}
	}
}

// capital returns s with its first letter in upper case (s is ASCII).
func capital(s string) string { return strings.ToUpper(s[:1]) + s[1:] }

// person is one seeded childminder and what she declared.
type person struct {
	p     *data.Professional
	avail *data.Availability // nil: never saved anything
}

// makePerson builds the i-th childminder of the plan, the same on every run.
func makePerson(s slot, i int, now time.Time) person {
	r := rand.New(rand.NewPCG(uint64(i), 0x6573706163))
	p := &data.Professional{
		Kind:           data.KindChildminder,
		Department:     s.commune.Department,
		CafCode:        s.caf,
		AgrementNumber: fmt.Sprintf("%s-%06d", s.commune.Department, s.n),
		Civility:       data.CivilityMme,
		LastName:       lastNames[r.IntN(len(lastNames))] + "-" + capital(letters(i%676)),
		FirstName:      firstNames[r.IntN(len(firstNames))],
		Address: data.Address{Number: fmt.Sprint(1 + r.IntN(120)), StreetType: "rue",
			StreetName: streets[r.IntN(len(streets))], PostalCode: s.commune.PostalCodes[0],
			CommuneINSEE: s.commune.INSEE, CommuneName: s.commune.Name},
		Phone:        fmt.Sprintf("06%08d", i),
		PlacesAgreed: 1 + r.IntN(4),
		AgrementDate: data.Date{Year: 2005 + r.IntN(20), Month: time.Month(1 + r.IntN(12)), Day: 1 + r.IntN(28)},
		Listing:      data.Listed,
		Habilitation: data.HabilitationNone,
	}
	if i%10 == 0 {
		p.Civility = data.CivilityM
	}
	if i%3 == 0 {
		p.Email = fmt.Sprintf("am%d@exemple.fr", i)
	}
	if r.IntN(100) >= 60 {
		if r.IntN(5) == 0 {
			p.Habilitation = data.HabilitationActive // habilitated, never filled in
		}
		return person{p: p}
	}
	p.Habilitation = data.HabilitationActive
	global := data.ColourGreen
	if r.IntN(10) < 3 {
		global = data.ColourRed
	}
	w := data.Week{Monday: data.Today(now, p.Department).Monday(), Use: true}
	for d := range w.Grid {
		for t := range w.Grid[d] {
			w.Grid[d][t] = data.SlotStates[r.IntN(len(data.SlotStates))]
		}
	}
	if r.IntN(2) == 0 {
		w.Places = data.PlacesOf(r.IntN(4))
	}
	return person{p: p, avail: &data.Availability{Global: global, Weeks: []data.Week{w}}}
}

// seeded is what the seed leaves for the phases.
type seeded struct {
	// active lists, by Caf, childminders with an active habilitation and a
	// current week, who may log in and push.
	active map[string][]activePerson
	// withWeek counts, by Caf, the childminders with an availability.
	withWeek map[string]int
	took     time.Duration
	rows     int // childminders written
}

type activePerson struct {
	ID, FirstName, LastName, Department string
}

func (sd *seeded) note(p *data.Professional, hasWeek bool) {
	if hasWeek {
		sd.withWeek[p.CafCode]++
	}
	if hasWeek && p.Habilitation == data.HabilitationActive && len(sd.active[p.CafCode]) < 64 {
		sd.active[p.CafCode] = append(sd.active[p.CafCode], activePerson{p.ID, p.FirstName, p.LastName, p.Department})
	}
}

// seedStore writes the plan through the store's own methods
// (CreateProfessional, SaveAvailability), one transaction per seedBatch
// childminders: every change-log row and field stamp is the store's.
func seedStore(ctx context.Context, st *sqlstore.Store, pl *plan, progress func(done int)) (*seeded, error) {
	sd := &seeded{active: map[string][]activePerson{}, withWeek: map[string]int{}}
	start := time.Now()
	for lo := 0; lo < len(pl.slots); lo += seedBatch {
		hi := min(lo+seedBatch, len(pl.slots))
		err := st.InTx(ctx, func(ctx context.Context) error {
			now := time.Now()
			for i := lo; i < hi; i++ {
				x := makePerson(pl.slots[i], i, now)
				if err := st.CreateProfessional(ctx, x.p); err != nil {
					return fmt.Errorf("childminder %d: %w", i, err)
				}
				if x.avail != nil {
					x.avail.ProfessionalID = x.p.ID
					if err := st.SaveAvailability(ctx, x.avail); err != nil {
						return fmt.Errorf("availability %d: %w", i, err)
					}
				}
				sd.note(x.p, x.avail != nil)
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
		progress(hi)
	}
	sd.took, sd.rows = time.Since(start), len(pl.slots)
	return sd, nil
}

// seedBulk writes the same rows as seedStore — professionals, availability,
// weeks, and for each the change-log rows, field stamps and Caf sequence
// numbers the store records — with multi-row INSERTs, one transaction per
// seedBatch childminders. It exists because the store's one-statement-per-
// row path takes some 80 round trips per childminder, which on PostgreSQL
// makes a national seed last longer than the whole benchmark may; the test
// TestSeedBulkMatchesStore proves that both paths leave the same tables.
// The phases measured afterwards all go through the real service.
func seedBulk(ctx context.Context, st *sqlstore.Store, pl *plan, progress func(done int)) (*seeded, error) {
	sd := &seeded{active: map[string][]activePerson{}, withWeek: map[string]int{}}
	start := time.Now()
	maxParams := 30000 // below SQLite's 32,766 and PostgreSQL's 65,535
	for lo := 0; lo < len(pl.slots); lo += seedBatch {
		hi := min(lo+seedBatch, len(pl.slots))
		err := st.InTx(ctx, func(ctx context.Context) error {
			now := time.Now().UTC().Truncate(time.Millisecond)
			ms := now.UnixMilli()
			author := data.HLC{Wall: ms, Node: "service"}.String()
			b := &bulk{st: st, maxParams: maxParams}
			seqs := map[string]int64{}
			nextSeq := func(caf string) (int64, error) {
				if _, ok := seqs[caf]; !ok {
					var v int64
					err := st.QueryRow(ctx, `SELECT value FROM seq_counters WHERE caf_code = ?`, caf).Scan(&v)
					if err != nil && !isNoRows(err) {
						return 0, err
					}
					seqs[caf] = v
				}
				seqs[caf]++
				return seqs[caf], nil
			}
			record := func(caf, pid, entity, key string, before, after map[string]string) error {
				changed := data.ChangedFields(before, after)
				if len(changed) == 0 {
					return nil
				}
				sort.Strings(changed)
				seq, err := nextSeq(caf)
				if err != nil {
					return err
				}
				b.add("change_log", []string{"caf_code", "seq", "professional_id", "entity", "key", "deleted"},
					caf, seq, pid, entity, key, false)
				for _, f := range changed {
					b.add("field_stamps", []string{"entity", "key", "field", "version", "stamp", "by_name"},
						entity, key, f, seq, author, "service")
				}
				return nil
			}
			for i := lo; i < hi; i++ {
				x := makePerson(pl.slots[i], i, now)
				id, err := uuid.NewV7()
				if err != nil {
					return err
				}
				p := x.p
				p.ID, p.CreatedAt, p.UpdatedAt = id.String(), now, now
				last, first, search := data.NormalizeName(p.LastName), data.NormalizeName(p.FirstName),
					data.NormalizeName(p.LastName+" "+p.FirstName+" "+p.StructureName)
				a := p.Address
				b.add("professionals", []string{"id", "kind", "department", "caf_code",
					"agrement_number", "civility", "last_name", "first_name", "structure_name", "street_number",
					"street_type", "street_name", "postal_code", "commune_insee", "commune_name", "phone", "email",
					"places_agreed", "agrement_date", "capacity", "opening_hours", "listing", "habilitation",
					"sort_last", "sort_first", "search_text", "created_at", "updated_at"},
					p.ID, p.Kind, p.Department, p.CafCode, p.AgrementNumber, p.Civility, p.LastName,
					p.FirstName, p.StructureName, a.Number, a.StreetType, a.StreetName, a.PostalCode,
					a.CommuneINSEE, a.CommuneName, p.Phone, p.Email, p.PlacesAgreed, p.AgrementDate.String(),
					p.Capacity, p.OpeningHours, p.Listing, p.Habilitation, last, first, search, ms, ms)
				if err := record(p.CafCode, p.ID, "professional", p.ID, nil, data.ProfessionalFields(p)); err != nil {
					return err
				}
				if x.avail != nil {
					av := x.avail
					av.ProfessionalID = p.ID
					if err := sqlstore.ValidateAvailability(av); err != nil {
						return err
					}
					b.add("availability", []string{"professional_id", "global", "updated_at"}, p.ID, av.Global, ms)
					if err := record(p.CafCode, p.ID, "availability", p.ID,
						map[string]string{"global": string(data.ColourGrey)}, map[string]string{"global": string(av.Global)}); err != nil {
						return err
					}
					for _, w := range av.Weeks {
						var places any
						if w.Places != nil {
							places = int64(*w.Places)
						}
						b.add("availability_weeks", []string{"professional_id", "monday", "use_detail", "grid", "places", "updated_at"},
							p.ID, w.Monday.String(), w.Use, w.Grid.Encode(), places, ms)
						// A new week is compared with an empty one, as the store does.
						empty := data.Week{Monday: w.Monday, Grid: data.NewWeekGrid()}.Fields()
						if err := record(p.CafCode, p.ID, "week", data.WeekKey(p.ID, w.Monday), empty, w.Fields()); err != nil {
							return err
						}
					}
				}
				sd.note(p, x.avail != nil)
			}
			// Parents before children: the foreign keys are checked at once.
			for _, t := range []string{"professionals", "availability", "availability_weeks", "change_log", "field_stamps"} {
				if err := b.flush(ctx, t); err != nil {
					return err
				}
			}
			for caf, v := range seqs {
				if _, err := st.Exec(ctx, `INSERT INTO seq_counters (caf_code, value) VALUES (?, ?)
					ON CONFLICT (caf_code) DO UPDATE SET value = excluded.value`, caf, v); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
		progress(hi)
	}
	sd.took, sd.rows = time.Since(start), len(pl.slots)
	return sd, nil
}

// bulk collects rows per table and writes them as multi-row INSERTs.
type bulk struct {
	st        *sqlstore.Store
	maxParams int
	cols      map[string][]string
	rows      map[string][][]any
}

func (b *bulk) add(table string, cols []string, values ...any) {
	if b.cols == nil {
		b.cols, b.rows = map[string][]string{}, map[string][][]any{}
	}
	b.cols[table] = cols
	b.rows[table] = append(b.rows[table], values)
}

func (b *bulk) flush(ctx context.Context, table string) error {
	cols, rows := b.cols[table], b.rows[table]
	if len(rows) == 0 {
		return nil
	}
	per := max(1, b.maxParams/len(cols))
	tuple := "(" + strings.TrimSuffix(strings.Repeat("?,", len(cols)), ",") + ")"
	for lo := 0; lo < len(rows); lo += per {
		hi := min(lo+per, len(rows))
		var q strings.Builder
		q.WriteString("INSERT INTO " + table + " (" + strings.Join(cols, ", ") + ") VALUES ")
		args := make([]any, 0, (hi-lo)*len(cols))
		for i := lo; i < hi; i++ {
			if i > lo {
				q.WriteByte(',')
			}
			q.WriteString(tuple)
			args = append(args, rows[i]...)
		}
		if _, err := b.st.Exec(ctx, q.String(), args...); err != nil {
			return fmt.Errorf("seed %s: %w", table, err)
		}
	}
	delete(b.rows, table)
	return nil
}

// isNoRows reports whether err says that a query found no row.
func isNoRows(err error) bool { return errors.Is(err, sql.ErrNoRows) }
