package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/sinkron-id/sinkron/testnet"
)

// writePhotos writes two test photos under dir for --foto-kk and --foto-ktp.
func writePhotos(t *testing.T, dir string) (kk, ktp string) {
	t.Helper()
	kk, ktp = filepath.Join(dir, "kk.png"), filepath.Join(dir, "ktp.png")
	for i, p := range []string{kk, ktp} {
		if err := os.WriteFile(p, testnet.Photo(i+1), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	return kk, ktp
}

// Officers read the answers of client commands in Bahasa, labelled and
// aligned, never raw protojson (STATUS_SELESAI, applicantName); --json
// gives scripts the protojson; `vv --out` says what it wrote.
func TestOutputForOfficers(t *testing.T) {
	k := serveOffice(t, true)
	t.Setenv("SINKRON_ADDR", k.addr)
	t.Setenv("SINKRON_TOKEN", k.token)
	dir := t.TempDir()
	kk, ktp := writePhotos(t, dir)
	create := []string{"request", "create", "--nama", "Siti Aminah", "--nik", "1806015708900003", "--kk", "1806010101150007",
		"--masalah", "NIK tidak ditemukan di BPJS", "--wa", "0812-3456-7890", "--foto-kk", kk, "--foto-ktp", ktp, "--petugas", "Rina"}
	out, err := runEnv(t, append(create, "--json")...)
	if err != nil {
		t.Fatal(err)
	}
	var created struct{ Request struct{ ID string } }
	if err := json.Unmarshal([]byte(out), &created); err != nil || created.Request.ID == "" {
		t.Fatalf("request create --json: %v\n%s", err, out)
	}
	id := created.Request.ID
	vv := filepath.Join(dir, "vv.json")
	bundle := filepath.Join(dir, "bundle.skb")
	raw := []string{"STATUS_", "applicantName", "{", "regionCode", "events_applied", "eventsApplied"}
	tests := []struct {
		name    string
		args    []string
		want    []string
		notWant []string
	}{
		{"create", create, []string{"Status:", "Baru", "Pemohon:", "Siti Aminah", "Dibuat:", "WIB"}, raw},
		{"get", []string{"request", "get", id}, []string{"ID:", id, "Status:", "Baru", "Pemohon:", "Riwayat:"}, raw},
		{"json", []string{"--json", "request", "get", id}, []string{"applicantName", "Siti Aminah", "STATUS_BARU"}, nil},
		{"status", []string{"status"}, []string{"Kantor:", "Kode wilayah:", "180601"}, raw},
		{"conflicts", []string{"conflicts"}, []string{"Tidak ada konflik"}, raw},
		{"sync", []string{"sync"}, []string{"Disinkronkan dengan"}, raw},
		{"vv to a file", []string{"vv", "--out", vv}, []string{vv}, raw},
		{"bundle export", []string{"bundle", "export", "--out", bundle}, []string{bundle}, raw},
		{"bundle import", []string{"bundle", "import", bundle}, []string{"diimpor", "diterapkan", "sudah ada"}, raw},
		{"cancel", []string{"request", "cancel", id, "--petugas", "Rina", "--peran", "petugas-pendukung-pelayanan", "--catatan", "salah input"},
			[]string{"Status:", "Dibatalkan"}, raw},
		{"network offline", []string{"network", "offline"}, []string{"jaringan node: luring"}, raw},
		{"network online", []string{"network", "online"}, []string{"jaringan node: daring"}, raw},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			out, err := runEnv(t, tc.args...)
			if err != nil {
				t.Fatalf("sinkron %s: %v", strings.Join(tc.args, " "), err)
			}
			for _, w := range tc.want {
				if !strings.Contains(out, w) {
					t.Errorf("no %q in:\n%s", w, out)
				}
			}
			for _, w := range tc.notWant {
				if strings.Contains(out, w) {
					t.Errorf("%q in:\n%s", w, out)
				}
			}
		})
	}
	if b, err := os.ReadFile(vv); err != nil || !json.Valid(b) {
		t.Errorf("vv --out wrote %q (%v)", b, err)
	}
}

func TestLama(t *testing.T) {
	for in, want := range map[time.Duration]string{
		0: "-", 30 * time.Second: "< 1 menit", 5 * time.Minute: "5 menit", 24 * time.Hour: "1 hari",
		26*time.Hour + 30*time.Minute: "1 hari 2 jam 30 menit",
	} {
		if got := lama(in); got != want {
			t.Errorf("lama(%v) = %q, want %q", in, got, want)
		}
	}
}
