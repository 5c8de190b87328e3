package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"syscall"
)

const usage = `sinkron — replicated KTP-el and civil-data service pipeline

Run:
  sinkron demo      [--kecamatan 3] [--api-port 8080] [--dir DIR]
  sinkron node      --config sinkron.toml
  sinkron init      --dir DIR --office NAME [--listen ADDR]... [--api ADDR] [--admin USER --admin-name "NAMA"]
  sinkron akun admin --config sinkron.toml --user USER [--name "NAMA"]   (an ADB SIAK for a node that has none)
  sinkron genesis   --dir DIR --member DIR... (at the dinas: sign the roster)
  (the load generator and the netns lab are sinkron-lab: go run ./cmd/sinkron-lab)

Client (talks to --addr, default $SINKRON_ADDR or http://127.0.0.1:8080; signs calls with --token, default $SINKRON_TOKEN;
        --json prints the answer as JSON for scripts; these three may stand before or after the command):
  eval $(sinkron login --user NAME --addr ADDR)   (sets SINKRON_ADDR and SINKRON_TOKEN; a token is valid at that node only)
  sinkron login --user NAME --token-only     (just the token, e.g. RINA=$(…))
  sinkron status | peers | conflicts | sync
  sinkron network offline|online
  sinkron request services                   (the catalog: forms, documents, paths, steps and roles)
  sinkron request create --nama N --nik NIK --kk KK --masalah TEXT --wa 08… --foto-kk F --foto-ktp F --petugas NAME
  sinkron request create --layanan S [--jalur P] --isian NAMA=NILAI… --dokumen NAMA=FILE… --petugas NAME
  sinkron request list [--status baru|disetujui|dibatalkan|diproses|selesai] [--konflik]
  sinkron request get ID
  sinkron request approve|cancel ID --peran ROLE --petugas NAME [--catatan TEXT]
  sinkron request process|finish ID --petugas NAME
  sinkron request step ID STEP --peran ROLE --petugas NAME [--masukan KIND=FILE] [--blangko N]
  sinkron request logbook [--tanggal YYYY-MM-DD]   (buku harian of this office)
  sinkron request resolve ID --field status --event EVENT-ID --petugas NAME
  sinkron request efek ID STEP --catatan TEXT   (settle a decided step's failed registry change by hand)
  sinkron request efek-ulang                 (try every failed registry change of this office again now)
  sinkron request watch
  sinkron pemberitahuan gagal | ulang ID     (WhatsApp notices given up on; put one back)
  sinkron audit [--petugas NAMA] [--nik NIK] (who changed or read what)
  sinkron penduduk get NIK | kk NIK | daftar --isian NAMA=NILAI… | ubah NIK --kolom F --nilai V --alasan R
  sinkron keluarga get KK | buat KK --kepala NIK --isian NAMA=NILAI… | tambah KK --nik NIK --hubungan H | keluar KK --nik NIK --alasan R
  sinkron keluarga cetak KK [--pdf F]        (dinas: the KK signed with the cluster key) | periksa QR-TEXT
  sinkron request copy ID [--pdf F]          (the resident's copy, PDF) | logbook --pdf F
  sinkron cluster status|transfer [PEER]|add-voter PEER|add-nonvoter PEER|remove PEER   (dinas)
  sinkron decide nik --wilayah 180601 --lahir 1990-08-17 [--perempuan] --subjek S [--key K]
  sinkron decide verdict --perekaman ID --putusan unik|duplikat|adjudikasi [--nik-ganda NIK]   (dinas: duplicate check)
  sinkron decide lookup --nik NIK | blanks --jumlah N | card --nik NIK --blangko N | active-card --nik NIK
  sinkron decide lease --wilayah W --jumlah N | nik-from-lease --wilayah W --lahir D --subjek S | get KEY
  sinkron decide roster-add --peer P --kantor NAME --peran dinas|kecamatan --wilayah W --alamat MULTIADDR
  sinkron vv --out FILE                      (this node's version vector, for a bundle)
  sinkron bundle export --out FILE [--since FILE] [--no-documents]
  sinkron bundle import FILE
  sinkron institusi daftar|kunci-baru|sertifikat|kuota|pemakaian   (institutions checking NIKs against the DWH)

Biometrics (offline tools; no node):
  sinkron biometric gen --orang N --seed S [--tayangan 2] [--impostor 100000] --out DIR   (synthetic set: ISO records, iris templates, pairs)
  sinkron biometric eval --set DIR [--sourceafis SKOR.csv] [--galeri 10000,100000] [--cari-sama 200] [--cari-asing 200] [--out DIR]
  sinkron biometric cocokkan A.iso B.iso | --daftar pasangan.csv   (MCC similarity of ISO/IEC 19794-2 records)
`

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "sinkron:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string, out io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(out, usage)
		return nil
	}
	args = hoist(args)
	if len(args) == 0 {
		fmt.Fprint(out, usage)
		return nil
	}
	cmd, rest := args[0], args[1:]
	switch cmd {
	case "demo":
		return demo(ctx, rest, out)
	case "node":
		return runNode(ctx, rest)
	case "init":
		return initNode(rest, os.Stdin, out)
	case "genesis":
		return genesis(rest, out)
	case "status", "peers", "conflicts", "sync", "network", "vv":
		return nodeClient(ctx, cmd, rest, out)
	case "request":
		return requestClient(ctx, rest, out)
	case "cluster":
		return clusterClient(ctx, rest, out)
	case "decide":
		return decideClient(ctx, rest, out)
	case "login":
		return loginClient(ctx, rest, os.Stdin, out)
	case "akun":
		return accountCmd(rest, os.Stdin, out)
	case "pemberitahuan":
		return noticeClient(ctx, rest, out)
	case "audit":
		return auditClient(ctx, rest, out)
	case "penduduk", "keluarga":
		return registryClient(ctx, cmd, rest, out)
	case "bundle":
		return bundleClient(ctx, rest, out)
	case "biometric":
		return biometricCmd(ctx, rest, out)
	case "institusi":
		return institutionClient(ctx, rest, out)
	case "help", "-h", "--help":
		fmt.Fprint(out, usage)
		return nil
	}
	return fmt.Errorf("unknown command %q (see `sinkron help`)", cmd)
}

func newLogger(level string) *slog.Logger {
	var l slog.Level
	_ = l.UnmarshalText([]byte(level))
	return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: l}))
}
