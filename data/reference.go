package data

// Commune is a current French commune (reference data).
type Commune struct {
	INSEE       string   // code INSEE (code officiel géographique), e.g. "92012"
	Name        string   // official name, e.g. "Boulogne-Billancourt"
	PostalCodes []string // the postal codes serving it
	Department  string   // "92", "2A", "974"
}

// Department is a French département.
type Department struct {
	Code string // "01" … "95", "2A", "2B", "971" … "976"
	Name string
}

// Caf is a Caisse d'allocations familiales: the caisse that handles the
// habilitations of its département (or part of it).
type Caf struct {
	Code              string   // département code + digit: "921", "201", "641"
	Name              string   // « Caf des Hauts-de-Seine »
	Departments       []string // the départements it serves (in part for the exceptions)
	HabilitationEmail string   // the sender of its habilitation mails
}

// Route is where a request or a professional belongs.
type Route struct {
	Commune    Commune
	Department Department
	Caf        Caf
}

// Reference holds the embedded reference data. STUB: replaced by the
// reference data work.
type Reference struct{}

// ResolveCommune STUB.
func (r *Reference) ResolveCommune(postalCode, name, insee string) (Commune, error) {
	return Commune{}, Errorf(EINTERNAL, "not implemented")
}
