package server

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"
	"sync"
	"time"

	"espacepro/data"
	"espacepro/server/pmi"
)

// The kinds of change an imported list makes.
const (
	ChangeNew       = "new"       // on the list, not known yet
	ChangeUpdated   = "updated"   // known, some fields differ
	ChangeUnchanged = "unchanged" // known, nothing differs
	ChangeRelisted  = "relisted"  // delisted before, back on the list with her data
	ChangeDelisted  = "delisted"  // listed before, missing from this list
	ChangeRejected  = "rejected"  // a row that cannot be imported
)

// MassDelistingShare is the share of the listed childminders beyond which an
// import that would delist them needs to be forced: a truncated file must
// not silently hide a whole département from parents.
const MassDelistingShare = 0.2

// ImportChange is one change of an import: a row of the file, or a
// childminder missing from it.
type ImportChange struct {
	Kind         string
	Line         int                // the row of the file; 0 for a delisted childminder
	Professional *data.Professional // the new state (the current one for a delisted)
	Before       *data.Professional // the current state of an updated or relisted one
	Fields       []string           // the fields an update changes
	Reason       string             // why a row is rejected
}

// ImportPreview is what an import would do; Apply does exactly that.
type ImportPreview struct {
	CafCode  string
	File     string
	SHA256   string // of the file: apply checks it is the file previewed
	Format   string
	Encoding string
	Columns  map[string]string
	Counts   map[string]int
	Changes  []ImportChange // every change but the unchanged rows
	// NeedsForce: the import would delist more than MassDelistingShare of
	// the listed childminders; Warning says so in French.
	NeedsForce bool
	Warning    string
}

// importCaf is the Caf an import is for: the agent's own, or the one the
// command line names.
func (s *Service) importCaf(c *Caller, caf string) (string, error) {
	if c == CommandLine {
		if _, ok := s.ref.Caf(caf); !ok {
			return "", data.Errorf(data.EINVALID, "Caf « %s » inconnue : indiquez son numéro, par exemple 921 pour les Hauts-de-Seine.", caf)
		}
		return caf, nil
	}
	return requireAgent(c, caf)
}

// PreviewImport reads a PMI list for a Caf (an agent's own; caf may be
// empty for her) and compares it with the register, changing nothing. The
// parsed list is kept for ApplyImport of the same file: the preview's
// professionals are shared with it and must not be changed.
func (s *Service) PreviewImport(ctx context.Context, c *Caller, caf, name string, file []byte) (*ImportPreview, error) {
	caf, err := s.importCaf(c, caf)
	if err != nil {
		return nil, err
	}
	return s.previewImport(ctx, caf, name, file)
}

func (s *Service) previewImport(ctx context.Context, caf, name string, file []byte) (*ImportPreview, error) {
	res, err := pmi.Parse(name, bytes.NewReader(file), caf)
	if err != nil {
		return nil, err
	}
	sum := fileSum(file)
	parsedFiles.keep(caf, name, sum, res)
	return s.compareImport(ctx, caf, name, sum, res)
}

// fileSum is the SHA-256 of a file, in hex.
func fileSum(file []byte) string {
	sum := sha256.Sum256(file)
	return hex.EncodeToString(sum[:])
}

// compareImport compares a parsed list with the register as ctx reads it.
func (s *Service) compareImport(ctx context.Context, caf, name, sum string, res *pmi.Result) (*ImportPreview, error) {
	pv := &ImportPreview{CafCode: caf, File: name, SHA256: sum, Format: res.Format,
		Encoding: res.Encoding, Columns: res.Columns, Counts: map[string]int{}}
	current, _, err := s.store.FindProfessionals(ctx, data.ProfessionalFilter{CafCode: caf, Kind: data.KindChildminder})
	if err != nil {
		return nil, err
	}
	byNumber := make(map[string]*data.Professional, len(current))
	byBareNumber := make(map[string][]*data.Professional, len(current))
	listed := 0
	for _, p := range current {
		byNumber[p.Department+"\x00"+p.AgrementNumber] = p
		if p.AgrementNumber != "" {
			byBareNumber[p.AgrementNumber] = append(byBareNumber[p.AgrementNumber], p)
		}
		if p.Listing == data.Listed {
			listed++
		}
	}
	seen := map[*data.Professional]bool{}
	for _, row := range res.Rows {
		ch := ImportChange{Line: row.Line, Professional: row.Professional, Reason: row.Reason}
		switch {
		case row.Professional == nil:
			ch.Kind = ChangeRejected
			// A known childminder whose row is rejected stays as she is:
			// a typo in the file must not hide her from parents.
			for _, p := range byBareNumber[row.AgrementNumber] {
				seen[p] = true
			}
		default:
			old := byNumber[row.Professional.Department+"\x00"+row.Professional.AgrementNumber]
			ch.Kind, ch.Before, ch.Fields = compareRow(old, row.Professional)
			if old != nil {
				seen[old] = true
			}
		}
		pv.Counts[ch.Kind]++
		if ch.Kind != ChangeUnchanged {
			pv.Changes = append(pv.Changes, ch)
		}
	}
	if pv.Counts[ChangeNew]+pv.Counts[ChangeUpdated]+pv.Counts[ChangeUnchanged]+pv.Counts[ChangeRelisted] == 0 {
		return nil, data.Errorf(data.EINVALID, "Aucune ligne du fichier n'est valide (%d ligne(s) rejetée(s)) : rien ne peut être importé. Corrigez le fichier puis recommencez.", pv.Counts[ChangeRejected])
	}
	for _, p := range current {
		if p.Listing == data.Listed && !seen[p] {
			pv.Changes = append(pv.Changes, ImportChange{Kind: ChangeDelisted, Professional: p})
			pv.Counts[ChangeDelisted]++
		}
	}
	if n := pv.Counts[ChangeDelisted]; n > 10 && float64(n) > MassDelistingShare*float64(listed) {
		pv.NeedsForce = true
		pv.Warning = fmt.Sprintf("Attention : ce fichier retirerait %d des %d assistant(e)s maternel(le)s inscrit(e)s (plus de %d %%). Vérifiez que le fichier est complet ; pour l'importer quand même, confirmez explicitement.",
			n, listed, int(MassDelistingShare*100))
	}
	return pv, nil
}

// compareRow says what the row next does to the known childminder old
// (nil when unknown), and which fields change.
func compareRow(old, next *data.Professional) (kind string, before *data.Professional, fields []string) {
	if old == nil {
		return ChangeNew, nil, nil
	}
	pairs := []struct {
		name string
		a, b string
	}{
		{"civility", string(old.Civility), string(next.Civility)},
		{"last_name", old.LastName, next.LastName},
		{"first_name", old.FirstName, next.FirstName},
		// One list splits the street in three columns, another keeps it in
		// one: compare the street as it reads.
		{"street", data.NormalizeName(old.Address.Line()), data.NormalizeName(next.Address.Line())},
		{"postal_code", old.Address.PostalCode, next.Address.PostalCode},
		{"commune", old.Address.CommuneINSEE, next.Address.CommuneINSEE},
		{"phone", old.Phone, next.Phone},
		{"places_agreed", fmt.Sprint(old.PlacesAgreed), fmt.Sprint(next.PlacesAgreed)},
		{"agrement_date", old.AgrementDate.String(), next.AgrementDate.String()},
	}
	for _, p := range pairs {
		if p.a != p.b {
			fields = append(fields, p.name)
		}
	}
	switch {
	case old.Listing != data.Listed:
		return ChangeRelisted, old, fields
	case len(fields) > 0:
		return ChangeUpdated, old, fields
	}
	return ChangeUnchanged, old, nil
}

// ImportResult is what an applied import did.
type ImportResult struct {
	Preview *ImportPreview
}

// ApplyImport applies a PMI list to the agent's Caf register: all of it in
// one transaction, or nothing. expectedSHA256, when given, must be the
// preview's: the file applied is the file previewed. An import that would
// delist a large share of the register needs force.
//
// The file is parsed outside the transaction, or not at all when it is the
// one PreviewImport last parsed (same Caf, name and SHA-256); within the
// transaction it is compared again with the register as it is then, so the
// changes applied are those of a preview made at that moment.
func (s *Service) ApplyImport(ctx context.Context, c *Caller, caf, name string, file []byte, expectedSHA256 string, force bool) (*ImportResult, error) {
	caf, err := s.importCaf(c, caf)
	if err != nil {
		return nil, err
	}
	sum := fileSum(file)
	res := parsedFiles.take(caf, name, sum)
	if res == nil {
		if res, err = pmi.Parse(name, bytes.NewReader(file), caf); err != nil {
			return nil, err
		}
	}
	var pv *ImportPreview
	err = s.store.InTx(s.authored(ctx, c), func(ctx context.Context) error {
		var err error
		if pv, err = s.compareImport(ctx, caf, name, sum, res); err != nil {
			return err
		}
		if expectedSHA256 != "" && !strings.EqualFold(expectedSHA256, pv.SHA256) {
			return data.Errorf(data.ECONFLICT, "Le fichier n'est pas celui de l'aperçu : affichez à nouveau l'aperçu avant d'importer.")
		}
		if pv.NeedsForce && !force {
			return data.Errorf(data.ECONFLICT, "%s", pv.Warning)
		}
		if err := s.applyChanges(ctx, pv.Changes); err != nil {
			return err
		}
		return s.audit(ctx, c, caf, "import.apply", "import", pv.SHA256[:16], fmt.Sprintf(
			"%s : %d nouvelle(s), %d modifiée(s), %d réinscrite(s), %d retirée(s), %d inchangée(s), %d rejetée(s)",
			name, pv.Counts[ChangeNew], pv.Counts[ChangeUpdated], pv.Counts[ChangeRelisted],
			pv.Counts[ChangeDelisted], pv.Counts[ChangeUnchanged], pv.Counts[ChangeRejected]))
	})
	if err != nil {
		return nil, err
	}
	return &ImportResult{Preview: pv}, nil
}

// applyChanges writes the changes of an import in ctx's transaction, in
// their order, with one WriteProfessionals (the change log numbers them as
// one write of each in turn would), then ends the delisted childminders'
// sessions. A rejected row writes nothing.
func (s *Service) applyChanges(ctx context.Context, changes []ImportChange) error {
	var ps []*data.Professional
	var of []*ImportChange // the change of each of ps
	var delisted []string
	for i := range changes {
		ch := &changes[i]
		p := importedState(ch)
		if p == nil {
			continue
		}
		ps, of = append(ps, p), append(of, ch)
		if ch.Kind == ChangeDelisted {
			delisted = append(delisted, p.ID)
		}
	}
	if n, err := s.store.WriteProfessionals(ctx, ps); err != nil {
		if n < len(of) {
			return fmt.Errorf("ligne %d : %w", of[n].Line, err)
		}
		return err
	}
	if _, err := s.store.DeleteProfessionalSessions(ctx, delisted); err != nil {
		return fmt.Errorf("ligne 0 : %w", err) // a delisted childminder has no line
	}
	return nil
}

// importedState returns the fiche a change of an import writes: a new
// childminder as the row reads; an updated or relisted one with the row's
// data over her fiche (a phone missing from the row keeps hers), listed; a
// delisted one delisted, her habilitation, if any, expired. It returns nil
// for a change that writes nothing.
func importedState(ch *ImportChange) *data.Professional {
	switch ch.Kind {
	case ChangeNew:
		p := *ch.Professional
		return &p
	case ChangeUpdated, ChangeRelisted:
		p := *ch.Before
		next := ch.Professional
		p.Civility, p.LastName, p.FirstName = next.Civility, next.LastName, next.FirstName
		p.Address, p.PlacesAgreed, p.AgrementDate, p.Listing = next.Address, next.PlacesAgreed, next.AgrementDate, data.Listed
		if next.Phone != "" {
			p.Phone = next.Phone
		}
		return &p
	case ChangeDelisted:
		p := *ch.Professional
		p.Listing = data.Delisted
		switch p.Habilitation {
		case data.HabilitationActive, data.HabilitationSuspended, data.HabilitationRequested:
			p.Habilitation = data.HabilitationExpired
		}
		return &p
	}
	return nil
}

// parsedFiles keeps the list PreviewImport parsed last, so that ApplyImport
// of the same file does not parse it again (a fifth of a second for 50,000
// rows). What pmi.Parse reads depends only on the Caf, the file's name, its
// bytes and today's date (an agrément dated after today is rejected): the
// entry serves the same Caf, name and SHA-256 on the same day, in every
// time zone. It is dropped when ApplyImport takes it, when another file is
// previewed, or after parsedFileLife.
var parsedFiles = &parseCache{}

// parsedFileLife is how long a parsed list waits for its apply.
const parsedFileLife = 15 * time.Minute

// parseCache holds one parsed list.
type parseCache struct {
	mu    sync.Mutex
	key   string
	at    time.Time // when it was parsed
	res   *pmi.Result
	timer *time.Timer
}

// keep stores the parsed list of a file, in place of the one held.
func (c *parseCache) keep(caf, name, sum string, res *pmi.Result) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.timer != nil {
		c.timer.Stop()
	}
	key := caf + "\x00" + name + "\x00" + sum
	c.key, c.at, c.res = key, time.Now(), res
	c.timer = time.AfterFunc(parsedFileLife, func() {
		c.mu.Lock()
		defer c.mu.Unlock()
		if c.key == key {
			c.key, c.res = "", nil
		}
	})
}

// take returns the parsed list of the file and forgets it; nil when the
// file held is another, or was parsed another day.
func (c *parseCache) take(caf, name, sum string) *pmi.Result {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.res == nil || c.key != caf+"\x00"+name+"\x00"+sum {
		return nil
	}
	res, at := c.res, c.at
	c.key, c.res = "", nil
	if c.timer != nil {
		c.timer.Stop()
	}
	now := time.Now()
	for _, d := range data.DefaultReference().Departments() {
		if data.Today(at, d.Code) != data.Today(now, d.Code) {
			return nil
		}
	}
	return res
}
