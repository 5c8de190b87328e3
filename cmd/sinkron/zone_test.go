package main

import (
	"context"
	"errors"
	"regexp"
	"strings"
	"testing"
	"time"

	"connectrpc.com/connect"
	"google.golang.org/protobuf/types/known/timestamppb"

	v1 "github.com/sinkron-id/sinkron/api/gen/sinkron/v1"
)

// statusOf answers GetStatus for an office of region, or fails.
type statusOf struct {
	region string
	err    error
}

func (s statusOf) GetStatus(context.Context, *connect.Request[v1.GetStatusRequest]) (*connect.Response[v1.GetStatusResponse], error) {
	if s.err != nil {
		return nil, s.err
	}
	return connect.NewResponse(&v1.GetStatusResponse{RegionCode: s.region}), nil
}

// The CLI reads times in the zone of the office whose node it talks to,
// which the node's status names by its region, not in the zone of the
// machine it runs on; each time says its zone.
func TestTimesInTheOfficeZone(t *testing.T) {
	at := timestamppb.New(time.Date(2026, 12, 7, 7, 5, 9, 0, time.UTC))
	tests := []struct {
		name   string
		status statusOf
		want   string
	}{
		{"Lampung", statusOf{region: "180601"}, "2026-12-07 14.05.09 WIB"},
		{"Bali", statusOf{region: "510101"}, "2026-12-07 15.05.09 WITA"},
		{"a dinas in Papua", statusOf{region: "9401"}, "2026-12-07 16.05.09 WIT"},
		{"a node that does not say", statusOf{err: errors.New("unavailable")}, "2026-12-07 14.05.09 WIB"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			v := &view{zone: func() *time.Location { return officeZone(context.Background(), tc.status) }}
			if got := v.when(at); got != tc.want {
				t.Errorf("%s, want %s", got, tc.want)
			}
		})
	}
}

// peers, audit, the logbook and a request print their times in the
// office's zone (WIB at a Lampung kecamatan), with the zone shown: peers
// printed the machine's local time and audit UTC, neither saying which.
func TestTimesShowTheOfficeZone(t *testing.T) {
	k := serveOffice(t, true)
	t.Setenv("SINKRON_ADDR", k.addr)
	t.Setenv("SINKRON_TOKEN", k.token)
	wib := time.FixedZone("", 7*3600)
	stamp := regexp.MustCompile(`(\d{4}-\d{2}-\d{2} )?\d{2}[.:]\d{2}([.:]\d{2})?( [A-Z]+)?`)
	tests := []struct {
		name string
		args []string
	}{
		{"peers", []string{"peers"}},
		{"audit", []string{"audit"}},
		{"logbook", []string{"request", "logbook"}},
	}
	kk, ktp := writePhotos(t, t.TempDir())
	if _, err := runEnv(t, "request", "create", "--nama", "Siti Aminah", "--nik", "1806015708900003", "--kk", "1806010101150007",
		"--masalah", "NIK tidak ditemukan di BPJS", "--wa", "0812-3456-7890", "--foto-kk", kk, "--foto-ktp", ktp, "--petugas", "Rina"); err != nil {
		t.Fatal(err)
	}
	waitFor(t, func() bool { out, _ := runEnv(t, "peers"); return stamp.MatchString(out) })
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			now := time.Now()
			out, err := runEnv(t, tc.args...)
			if err != nil {
				t.Fatal(err)
			}
			found := stamp.FindAllString(out, -1)
			if len(found) == 0 {
				t.Fatalf("no time in:\n%s", out)
			}
			for _, s := range found {
				if !strings.HasSuffix(s, " WIB") {
					t.Errorf("%q does not say its zone, WIB", s)
					continue
				}
				clock := regexp.MustCompile(`\d{2}\.\d{2}`).FindString(s)
				if near := now.In(wib).Format("15.04"); clock != near && clock != now.Add(-time.Minute).In(wib).Format("15.04") {
					t.Errorf("%q is not the office's clock (%s WIB)", s, near)
				}
			}
		})
	}
}

// waitFor polls cond for up to ten seconds.
func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); !cond(); time.Sleep(100 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("condition not met in 10s")
		}
	}
}
