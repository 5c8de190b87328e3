package testnet

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/sinkron-id/sinkron/node"
	"github.com/sinkron-id/sinkron/node/dwh/pgtest"
	"github.com/sinkron-id/sinkron/node/eventpb"
	"github.com/sinkron-id/sinkron/node/institution"
	"github.com/sinkron-id/sinkron/node/registry"
)

// BenchmarkDWHFreshness is the time from a dinas decision (a consolidation)
// to an institution's check seeing it: the decision is published, the feed
// on the leader writes PostgreSQL, and the check through the institutions'
// API reads it. Reports the median and the p99.
//
//	go test ./testnet -run - -bench DWHFreshness -benchtime 100x
func BenchmarkDWHFreshness(b *testing.B) {
	pg := pgtest.Start(b)
	nw, err := Start(b.TempDir(), Options{SyncInterval: 200 * time.Millisecond,
		Configure: func(c *node.Config) {
			if c.ClusterKeyFile != "" {
				c.DWH.DSN = pg.DSN()
			}
		}})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(nw.Close)
	dinas := nw.Dinas()
	niks := make([]string, b.N)
	for i := range niks {
		niks[i] = fmt.Sprintf("1806015708%06d", 900001+i)
		if _, err := dinas.RegisterResident(registry.Biodata{NIK: niks[i], NamaLengkap: "Siti Aminah", TempatLahir: "Kota Agung",
			TanggalLahir: "1990-08-17", JenisKelamin: "Perempuan", Agama: "Islam", StatusPerkawinan: "Belum Kawin",
			Pekerjaan: "Wiraswasta", Kewarganegaraan: "WNI", Address: registry.Address{Alamat: "Jl. Samudra No. 5", RT: "1", RW: "2",
				DesaKelurahan: "Kuripan", Kecamatan: "Kota Agung", KabupatenKota: "Kabupaten Tanggamus", Provinsi: "Lampung"}}, "Petugas"); err != nil {
			b.Fatal(err)
		}
	}
	check := institutionClient(b, dinas)
	var lat []time.Duration
	b.ResetTimer()
	for i, nik := range niks {
		start := time.Now()
		if _, err := dinas.Decisions.Decide(context.Background(), &eventpb.Command{Key: fmt.Sprintf("bench/%d", i), TimeMs: start.UnixMilli(),
			Op: &eventpb.Command_ConsolidateChange{ConsolidateChange: &eventpb.ConsolidateChange{Nik: nik, Summary: "bench"}}}); err != nil {
			b.Fatal(err)
		}
		for check(nik).Code != institution.CodeConsolidated {
			time.Sleep(5 * time.Millisecond) // an institution polling
		}
		lat = append(lat, time.Since(start))
	}
	b.StopTimer()
	slices.Sort(lat)
	b.ReportMetric(lat[len(lat)/2].Seconds(), "p50-s")
	b.ReportMetric(lat[len(lat)*99/100].Seconds(), "p99-s")
}
