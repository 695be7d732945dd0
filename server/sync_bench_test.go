package server

import (
	"compress/gzip"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"path/filepath"
	"testing"
	"time"

	"espacepro/data"
	"espacepro/data/sqlite"
	"espacepro/server/mail"
	"espacepro/sync/wire"
)

// seedCaf stores n listed childminders of Caf 921, each with a week of
// availability, as a large Caf holds them.
func seedCaf(b *testing.B, svc *Service, n int) {
	ctx := context.Background()
	monday := data.Today(time.Now(), "92").Monday()
	grid := data.NewWeekGrid()
	grid.SetDay(0, data.Available)
	err := svc.store.InTx(ctx, func(ctx context.Context) error {
		for i := 0; i < n; i++ {
			p := &data.Professional{Kind: data.KindChildminder, Department: "92", CafCode: "921",
				AgrementNumber: fmt.Sprintf("92-%06d", i), Civility: data.CivilityMme, LastName: "Nom" + letters(i),
				FirstName: "Hélène", Address: data.Address{StreetName: "rue de la Paix", PostalCode: "92100",
					CommuneINSEE: "92012", CommuneName: "Boulogne-Billancourt"},
				PlacesAgreed: 3, Listing: data.Listed, Habilitation: data.HabilitationActive}
			if err := svc.store.CreateProfessional(ctx, p); err != nil {
				return err
			}
			a := &data.Availability{ProfessionalID: p.ID, Global: data.ColourGreen,
				Weeks: []data.Week{{Monday: monday, Use: true, Grid: grid}}}
			if err := svc.store.SaveAvailability(ctx, a); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
}

// BenchmarkFirstPull10k is the first pull of a Caf agent's copy of 10,000
// childminders, page by page, on SQLite: time and bytes of JSON.
func BenchmarkFirstPull10k(b *testing.B) {
	dir := b.TempDir()
	store, err := sqlite.OpenCentral(context.Background(), filepath.Join(dir, "central.db"))
	if err != nil {
		b.Fatal(err)
	}
	defer store.Close()
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	svc := NewService(store, &mail.FileSender{Dir: dir, Log: log}, log)
	seedCaf(b, svc, 10000)
	agent := &Caller{Account: &data.Account{ID: "a", Role: data.RoleAgent, CafCode: "921"}}
	var bytes, zipped int64
	b.ResetTimer()
	for b.Loop() {
		bytes, zipped = 0, 0
		cursor, records := "", 0
		for {
			res, err := svc.Pull(context.Background(), agent, wire.ProtocolVersion, cursor, MaxPullLimit)
			if err != nil {
				b.Fatal(err)
			}
			body, _ := json.Marshal(res)
			bytes += int64(len(body))
			var z countingWriter
			gz, _ := gzip.NewWriterLevel(&z, gzip.BestSpeed)
			gz.Write(body)
			gz.Close()
			zipped += int64(z)
			records += len(res.Records)
			cursor = res.Cursor
			if !res.HasMore {
				break
			}
		}
		if records < 20000 {
			b.Fatalf("%d records pulled", records)
		}
	}
	b.ReportMetric(float64(bytes)/1e6, "MB-json")
	b.ReportMetric(float64(zipped)/1e6, "MB-gzip")
}

// countingWriter counts the bytes written to it.
type countingWriter int64

func (c *countingWriter) Write(p []byte) (int, error) {
	*c += countingWriter(len(p))
	return len(p), nil
}
