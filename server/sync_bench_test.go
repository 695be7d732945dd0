package server_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"runtime"
	"slices"
	"sync/atomic"
	"testing"
	"time"

	"espacepro/data"
	"espacepro/data/sqlstore"
	"espacepro/server"
	"espacepro/server/mail"
	"espacepro/server/password"
	"espacepro/server/servertest"
	"espacepro/sync/wire"

	"github.com/google/uuid"
)

// Benchmarks of the sync protocol, on SQLite and on PostgreSQL (the
// PostgreSQL variants need ESPACEPRO_TEST_POSTGRES):
//
//	go test ./server -run '^$' -bench 'Pull|Push' -benchtime 1x
//
// BenchmarkFirstPull10k seeds 10,000 childminders through the store's own
// methods (some 45 s on PostgreSQL), so one run of each page size is
// usually enough.

// syncBenchStores are the stores the sync benchmarks run on.
var syncBenchStores = []struct {
	name string
	open func(b *testing.B) data.CentralStore
}{
	{"SQLite", func(b *testing.B) data.CentralStore { return servertest.OpenSQLite(b) }},
	{"PostgreSQL", func(b *testing.B) data.CentralStore { return servertest.OpenPostgres(b) }},
}

// benchName is a distinct surname per index: Nomaa, Nomab…
func benchName(i int) string {
	const abc = "abcdefghijklmnopqrstuvwxyz"
	b := []byte{abc[i/(26*26*26)%26], abc[i/(26*26)%26], abc[i/26%26], abc[i%26]}
	return "Nom" + string(b)
}

// seedCaf stores n listed childminders of Caf 921, each with a week of
// availability, as a large Caf holds them, through the store's methods (so
// every change-log row and field stamp is the store's).
func seedCaf(b *testing.B, store data.CentralStore, n int) {
	ctx := context.Background()
	monday := data.Today(time.Now(), "92").Monday()
	grid := data.NewWeekGrid()
	grid.SetDay(0, data.Available)
	for start := 0; start < n; start += 2000 {
		err := store.InTx(ctx, func(ctx context.Context) error {
			for i := start; i < min(n, start+2000); i++ {
				p := &data.Professional{Kind: data.KindChildminder, Department: "92", CafCode: "921",
					AgrementNumber: fmt.Sprintf("92-%06d", i), Civility: data.CivilityMme, LastName: benchName(i),
					FirstName: "Hélène", Address: data.Address{StreetName: "rue de la Paix", PostalCode: "92100",
						CommuneINSEE: "92012", CommuneName: "Boulogne-Billancourt"},
					PlacesAgreed: 3, Listing: data.Listed, Habilitation: data.HabilitationActive}
				if err := store.CreateProfessional(ctx, p); err != nil {
					return err
				}
				a := &data.Availability{ProfessionalID: p.ID, Global: data.ColourGreen,
					Weeks: []data.Week{{Monday: monday, Use: true, Grid: grid}}}
				if err := store.SaveAvailability(ctx, a); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
	}
}

// analyze gives PostgreSQL's planner the statistics of the seeded tables,
// as a database that has lived has them (autovacuum would take up to a
// minute): without them it reads the field stamps of a page through the
// entity alone, every stamp of the entity, ten times slower.
func analyze(b *testing.B, store data.CentralStore) {
	s, ok := store.(*sqlstore.Store)
	if !ok || s.Dialect().Name != "postgres" {
		return
	}
	if _, err := s.DB().Exec(`ANALYZE professionals, availability, availability_weeks, change_log, field_stamps`); err != nil {
		b.Fatal(err)
	}
}

// BenchmarkFirstPull10k is the first pull of a Caf agent's copy of 10,000
// childminders, page by page, by the service in process (no HTTP): time,
// bytes of JSON and of gzip'd JSON, with the desktop app's page size (500)
// and the largest one.
func BenchmarkFirstPull10k(b *testing.B) {
	for _, st := range syncBenchStores {
		b.Run(st.name, func(b *testing.B) {
			store := st.open(b)
			dir := b.TempDir()
			log := slog.New(slog.NewTextHandler(io.Discard, nil))
			svc := server.NewService(store, &mail.FileSender{Dir: dir, Log: log}, log)
			seedCaf(b, store, 10000)
			analyze(b, store)
			agent := &server.Caller{Account: &data.Account{ID: "a", Role: data.RoleAgent, CafCode: "921"}}
			for _, limit := range []int{500, server.MaxPullLimit} {
				b.Run(fmt.Sprintf("limit=%d", limit), func(b *testing.B) {
					var jsonBytes, zipped int64
					var pages int
					for b.Loop() {
						jsonBytes, zipped, pages = 0, 0, 0
						cursor, records := "", 0
						for {
							res, err := svc.Pull(context.Background(), agent, wire.ProtocolVersion, cursor, limit)
							if err != nil {
								b.Fatal(err)
							}
							body, _ := json.Marshal(res)
							jsonBytes += int64(len(body))
							var z countingWriter
							gz, _ := gzip.NewWriterLevel(&z, gzip.BestSpeed)
							gz.Write(body)
							gz.Close()
							zipped += int64(z)
							records += len(res.Records)
							pages++
							cursor = res.Cursor
							if !res.HasMore {
								break
							}
						}
						if records < 20000 {
							b.Fatalf("%d records pulled", records)
						}
					}
					b.ReportMetric(float64(pages), "pages")
					b.ReportMetric(float64(jsonBytes)/1e6, "MB-json")
					b.ReportMetric(float64(zipped)/1e6, "MB-gzip")
				})
			}
		})
	}
}

// countingWriter counts the bytes written to it.
type countingWriter int64

func (c *countingWriter) Write(p []byte) (int, error) {
	*c += countingWriter(len(p))
	return len(p), nil
}

// pusher is one childminder's desktop copy pushing edits of her week.
type pusher struct {
	token, clientID, key string
	versions             map[string]int64
	fields               map[string]string
	clock                data.HLC
	seq                  int64
	rand                 *rand.Rand
	times                []time.Duration
}

// seedPushers stores n childminders, each of another Caf, with a week of
// availability and an account, and logs each in.
func seedPushers(b *testing.B, e *servertest.Env, n int) []*pusher {
	ctx := context.Background()
	hash, err := password.Hash("Hortensia bleue sous la pluie")
	if err != nil {
		b.Fatal(err)
	}
	cafs := data.DefaultReference().Cafs()
	var out []*pusher
	for i := 0; i < n; i++ {
		caf := cafs[i%len(cafs)]
		p := &data.Professional{Kind: data.KindChildminder, Department: caf.Departments[0], CafCode: caf.Code,
			AgrementNumber: fmt.Sprintf("%s-%06d", caf.Departments[0], i), Civility: data.CivilityMme,
			LastName: benchName(i), FirstName: "Hélène", PlacesAgreed: 3, Listing: data.Listed,
			Habilitation: data.HabilitationActive}
		if err := e.Store.CreateProfessional(ctx, p); err != nil {
			b.Fatal(err)
		}
		monday := data.Today(servertest.Epoch, p.Department).Monday()
		grid := data.NewWeekGrid()
		grid.SetDay(0, data.Available)
		week := data.Week{Monday: monday, Use: true, Grid: grid}
		if err := e.Store.SaveAvailability(ctx, &data.Availability{ProfessionalID: p.ID, Global: data.ColourGreen, Weeks: []data.Week{week}}); err != nil {
			b.Fatal(err)
		}
		email := fmt.Sprintf("am%03d@banc.exemple.fr", i)
		if err := e.Store.CreateAccount(ctx, &data.Account{Email: email, Role: data.RoleChildminder, ProfessionalID: p.ID,
			CafCode: p.CafCode, FirstName: p.FirstName, LastName: p.LastName, PasswordHash: hash}); err != nil {
			b.Fatal(err)
		}
		key := data.WeekKey(p.ID, monday)
		stamps, err := e.Store.FieldStamps(ctx, wire.EntityWeek, key)
		if err != nil {
			b.Fatal(err)
		}
		pu := &pusher{token: e.Login(b, email, "Hortensia bleue sous la pluie").Token, clientID: uuid.NewString(),
			key: key, versions: map[string]int64{}, fields: week.Fields(), rand: rand.New(rand.NewPCG(uint64(i), 11))}
		for f, st := range stamps {
			pu.versions[f] = st.Version
		}
		pu.clock = data.HLC{Node: pu.clientID}
		out = append(out, pu)
	}
	return out
}

// push sends one mutation changing 3 random cells of her week, with the
// versions she pulled (the merge lets a copy's later edit follow its own
// earlier one).
func (pu *pusher) push(e *servertest.Env) error {
	fields := map[string]wire.FieldEdit{}
	for len(fields) < 3 {
		f := data.CellField(pu.rand.IntN(data.DaysPerWeek), pu.rand.IntN(data.SlotsPerDay))
		if _, ok := fields[f]; ok {
			continue
		}
		next := string(rune(data.SlotState(pu.fields[f][0]).Next()))
		fields[f] = wire.FieldEdit{Value: next, Base: pu.versions[f]}
	}
	pu.seq++
	pu.clock = pu.clock.Tick(time.Now())
	body, _ := json.Marshal(wire.PushRequest{Protocol: wire.ProtocolVersion, ClientID: pu.clientID, Mutations: []wire.Mutation{{
		ID: uuid.NewString(), ClientID: pu.clientID, Seq: pu.seq, Entity: wire.EntityWeek, Key: pu.key, Fields: fields, HLC: pu.clock.String()}}})
	start := time.Now()
	req, _ := http.NewRequest("POST", e.URL+"/api/v1/sync/push", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+pu.token)
	resp, err := e.Client.Do(req)
	if err != nil {
		return err
	}
	raw, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	pu.times = append(pu.times, time.Since(start))
	if err != nil {
		return err
	}
	var res wire.PushResponse
	if resp.StatusCode != http.StatusOK || json.Unmarshal(raw, &res) != nil || len(res.Results) != 1 || res.Results[0].Status != wire.StatusApplied {
		return fmt.Errorf("push: %d %s", resp.StatusCode, raw)
	}
	for f, ed := range fields {
		pu.fields[f] = ed.Value
	}
	return nil
}

// BenchmarkPushWeek pushes one week's edits (one mutation of 3 cells) over
// HTTPS on loopback, as the desktop app does: by one client at a time, and
// by 50 clients at once, each another childminder of another Caf. It
// reports the pushes per second and the latency's p50 and p99.
func BenchmarkPushWeek(b *testing.B) {
	for _, st := range syncBenchStores {
		b.Run(st.name, func(b *testing.B) {
			e := servertest.Start(b, st.open(b))
			pushers := seedPushers(b, e, 50)
			for _, clients := range []int{1, 50} {
				b.Run(fmt.Sprintf("clients=%d", clients), func(b *testing.B) {
					for _, pu := range pushers {
						pu.times = pu.times[:0]
					}
					var next atomic.Int64
					var failed atomic.Int64
					b.ResetTimer()
					if clients == 1 {
						for b.Loop() {
							if err := pushers[0].push(e); err != nil {
								b.Fatal(err)
							}
						}
					} else {
						// RunParallel runs GOMAXPROCS × parallelism goroutines.
						b.SetParallelism(max(1, clients/runtime.GOMAXPROCS(0)))
						b.RunParallel(func(pb *testing.PB) {
							pu := pushers[int(next.Add(1)-1)%len(pushers)]
							for pb.Next() {
								if err := pu.push(e); err != nil && failed.Add(1) == 1 {
									b.Error(err)
								}
							}
						})
					}
					b.StopTimer()
					var all []time.Duration
					for _, pu := range pushers {
						all = append(all, pu.times...)
					}
					slices.Sort(all)
					if len(all) > 0 {
						b.ReportMetric(float64(all[len(all)/2].Microseconds())/1000, "ms-p50")
						b.ReportMetric(float64(all[len(all)*99/100].Microseconds())/1000, "ms-p99")
					}
					b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "push/s")
				})
			}
		})
	}
}
