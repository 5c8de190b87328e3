package main

import (
	"context"
	"encoding/csv"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/sinkron-id/sinkron/biometric/eval"
	"github.com/sinkron-id/sinkron/biometric/iso19794"
	"github.com/sinkron-id/sinkron/biometric/mcc"
	"github.com/sinkron-id/sinkron/biometric/search"
	"github.com/sinkron-id/sinkron/biometric/synth"
)

// biometricCmd runs the biometric tools: a synthetic set (gen), its
// evaluation (eval) and the comparison of ISO/IEC 19794-2 records
// (cocokkan). Nothing here talks to a node.
func biometricCmd(ctx context.Context, args []string, out io.Writer) error {
	if len(args) == 0 {
		return fmt.Errorf("usage: sinkron biometric gen|eval|cocokkan")
	}
	switch args[0] {
	case "gen":
		return biometricGen(args[1:], out)
	case "eval":
		return biometricEval(ctx, args[1:], out)
	case "cocokkan":
		return biometricMatch(args[1:], out)
	}
	return fmt.Errorf("perintah biometric tidak dikenal: %q (gen, eval, cocokkan)", args[0])
}

func biometricGen(args []string, out io.Writer) error {
	fs := flag.NewFlagSet("biometric gen", flag.ContinueOnError)
	orang := fs.Int("orang", 0, "jumlah orang")
	seed := fs.Uint64("seed", 1, "benih acak")
	tayangan := fs.Int("tayangan", 2, "tayangan (impressions) tiap jari dan mata")
	impostor := fs.Int("impostor", 100_000, "pasangan jari orang berbeda yang didaftar")
	dir := fs.String("out", "", "direktori keluaran")
	if _, err := parseArgs(fs, args); err != nil {
		return err
	}
	if *orang <= 0 || *dir == "" || *tayangan < 1 {
		return fmt.Errorf("biometric gen: --orang N (>0), --tayangan K (≥1) dan --out DIR wajib")
	}
	start := time.Now()
	info := eval.SetInfo{Orang: *orang, Tayangan: *tayangan, Seed: *seed, Impostors: *impostor, Params: synth.DefaultParams()}
	if err := eval.WriteSet(*dir, info); err != nil {
		return err
	}
	fmt.Fprintf(out, "%d orang × %d tayangan ditulis ke %s dalam %v (pasangan: %s)\n",
		*orang, *tayangan, *dir, time.Since(start).Round(time.Millisecond), filepath.Join(*dir, eval.PairsFile))
	return nil
}

func biometricEval(ctx context.Context, args []string, out io.Writer) error {
	fs := flag.NewFlagSet("biometric eval", flag.ContinueOnError)
	set := fs.String("set", "", "direktori set dari `sinkron biometric gen`")
	afis := fs.String("sourceafis", "", "skor SourceAFIS untuk pasangan yang sama (bawaan: SET/skor_sourceafis.csv bila ada)")
	galeri := fs.String("galeri", "10000,100000", "ukuran galeri 1:N, dipisah koma (mis. 10000,100000,1000000); kosong: lewati 1:N")
	sama := fs.Int("cari-sama", 200, "pencarian 1:N orang yang terdaftar (mated) tiap ukuran galeri")
	asing := fs.Int("cari-asing", 200, "pencarian 1:N orang asing (non-mated) tiap ukuran galeri")
	dir := fs.String("out", "", "direktori hasil (bawaan: SET/hasil)")
	if _, err := parseArgs(fs, args); err != nil {
		return err
	}
	if *set == "" {
		return fmt.Errorf("biometric eval: --set DIR wajib")
	}
	if *dir == "" {
		*dir = filepath.Join(*set, "hasil")
	}
	if err := os.MkdirAll(*dir, 0o755); err != nil {
		return err
	}
	info, err := eval.ReadInfo(*set)
	if err != nil {
		return err
	}
	if err := evalVerification(*set, *afis, *dir, out); err != nil {
		return err
	}
	sizes, err := parseSizes(*galeri)
	if err != nil || len(sizes) == 0 {
		return err
	}
	pop := synth.Population{Seed: info.Seed, Params: info.Params}
	res, err := eval.Identification(ctx, pop, sizes, *sama, *asing, search.DefaultConfig(), func(s string) { fmt.Fprintln(out, s) })
	if err != nil {
		return err
	}
	return writeIdent(filepath.Join(*dir, "hasil_1banyak.csv"), res, out)
}

// evalVerification scores the set's pairs with MCC, reads SourceAFIS's
// scores of the same pairs if present, and writes FNMR at three FMRs, the
// EER and the DET curves.
func evalVerification(set, afisPath, dir string, out io.Writer) error {
	pairs, err := eval.ReadPairs(filepath.Join(set, eval.PairsFile))
	if err != nil {
		return err
	}
	start := time.Now()
	scores, err := eval.ScoreMCC(set, pairs, mcc.Default())
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "%d pasangan dinilai MCC dalam %v\n", len(pairs), time.Since(start).Round(time.Millisecond))
	if err := eval.WriteScores(filepath.Join(dir, "skor_sinkron.csv"), scores); err != nil {
		return err
	}
	curves := []eval.Curve{}
	rows := [][]string{{"matcher", "genuine", "impostor", "eer", "fnmr_fmr_1", "fnmr_fmr_0.1", "fnmr_fmr_0.01"}}
	add := func(name string, sc []float64) error {
		s, err := eval.Split(pairs, sc)
		if err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
		row := []string{name, strconv.Itoa(len(s.Genuine)), strconv.Itoa(len(s.Impostor)), percent(s.EER())}
		line := fmt.Sprintf("%-10s EER %s", name, percent(s.EER()))
		for _, fmr := range []float64{0.01, 0.001, 0.0001} {
			fnmr, _, ok := s.AtFMR(fmr)
			v := "-"
			if ok {
				v = percent(fnmr)
			}
			row = append(row, v)
			line += fmt.Sprintf("  FNMR@FMR %g%% %s", fmr*100, v)
		}
		rows = append(rows, row)
		curves = append(curves, eval.Curve{Name: name, Points: s.DET()})
		fmt.Fprintln(out, line)
		return nil
	}
	if err := add("sinkron", scores); err != nil {
		return err
	}
	if afisPath == "" {
		if p := filepath.Join(set, "skor_sourceafis.csv"); bioFileExists(p) {
			afisPath = p
		}
	}
	if afisPath != "" {
		afis, err := eval.ReadScores(afisPath)
		if err != nil {
			return err
		}
		if err := add("sourceafis", afis); err != nil {
			return err
		}
	} else {
		// The command runs in another directory: name the set absolutely.
		abs, err := filepath.Abs(set)
		if err != nil {
			abs = set
		}
		fmt.Fprintln(out, "skor SourceAFIS tidak ada: jalankan (cd bench/sourceafis && go run ./skor --set "+abs+")")
	}
	if err := writeBioCSV(filepath.Join(dir, "hasil_1banding1.csv"), rows); err != nil {
		return err
	}
	if err := eval.WriteDETCSV(filepath.Join(dir, "det.csv"), curves); err != nil {
		return err
	}
	return eval.WriteDETPNG(filepath.Join(dir, "det.png"), curves)
}

func writeIdent(path string, res []eval.IdentResult, out io.Writer) error {
	rows := [][]string{{"galeri", "cari_sama", "cari_asing", "fnir", "fpir", "median_cari_ms", "baca_galeri_ms", "byte_per_orang", "rss_mib", "rata_fine", "rata_fused", "skor_asing_tertinggi"}}
	for _, r := range res {
		rows = append(rows, []string{
			strconv.Itoa(r.Gallery), strconv.Itoa(r.Mated), strconv.Itoa(r.NonMate), percent(r.FNIR), percent(r.FPIR),
			millis(r.MedianSearch), millis(r.ReadOnce), strconv.FormatFloat(r.BytesPerPerson, 'f', 0, 64),
			strconv.FormatInt(r.RSS>>20, 10), strconv.FormatFloat(r.Fine, 'f', 1, 64), strconv.FormatFloat(r.Fused, 'f', 1, 64),
			strconv.FormatFloat(r.BestStranger, 'f', 2, 64),
		})
		fmt.Fprintf(out, "galeri %d: FNIR %s (%d cari), FPIR %s (%d cari, skor orang asing tertinggi %.2f), median cari %s ms (baca galeri sekali %s ms), %.0f byte/orang, RSS %d MiB\n",
			r.Gallery, percent(r.FNIR), r.Mated, percent(r.FPIR), r.NonMate, r.BestStranger, millis(r.MedianSearch), millis(r.ReadOnce), r.BytesPerPerson, r.RSS>>20)
	}
	return writeBioCSV(path, rows)
}

// biometricMatch prints the MCC similarity of two ISO/IEC 19794-2 records,
// or of every pair in a list (one score a line, in the list's order; paths
// in the list are relative to the list's directory).
func biometricMatch(args []string, out io.Writer) error {
	fs := flag.NewFlagSet("biometric cocokkan", flag.ContinueOnError)
	daftar := fs.String("daftar", "", "CSV pasangan: A.iso,B.iso per baris")
	pos, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	p := mcc.Default()
	if *daftar != "" {
		pairs, err := eval.ReadPairs(*daftar)
		if err != nil {
			return err
		}
		scores, err := eval.ScoreMCC(filepath.Dir(*daftar), pairs, p)
		if err != nil {
			return err
		}
		for _, s := range scores {
			fmt.Fprintf(out, "%.6f\n", s)
		}
		return nil
	}
	if len(pos) != 2 {
		return fmt.Errorf("biometric cocokkan: beri dua berkas ISO/IEC 19794-2 (A.iso B.iso) atau --daftar pasangan.csv")
	}
	return matchRecords(pos[0], pos[1], p, out)
}

// matchRecords compares the views of the same finger position in two
// records: one score for one view each, else a line a common position.
func matchRecords(a, b string, p mcc.Params, out io.Writer) error {
	ra, err := readRecord(a)
	if err != nil {
		return err
	}
	rb, err := readRecord(b)
	if err != nil {
		return err
	}
	m := mcc.NewMatcher(p)
	if len(ra.Views) == 1 && len(rb.Views) == 1 {
		fmt.Fprintf(out, "%.6f\n", m.Score(mcc.New(ra.Views[0].Minutiae, &p), mcc.New(rb.Views[0].Minutiae, &p)))
		return nil
	}
	common := 0
	for _, va := range ra.Views {
		for _, vb := range rb.Views {
			if va.Position == vb.Position {
				fmt.Fprintf(out, "jari %d: %.6f\n", va.Position, m.Score(mcc.New(va.Minutiae, &p), mcc.New(vb.Minutiae, &p)))
				common++
			}
		}
	}
	if common == 0 {
		return errors.New("kedua rekaman tidak memuat jari yang sama")
	}
	return nil
}

func readRecord(path string) (iso19794.FingerRecord, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return iso19794.FingerRecord{}, err
	}
	r, err := iso19794.DecodeFinger(b)
	if err != nil {
		return r, fmt.Errorf("%s bukan rekaman ISO/IEC 19794-2:2005 yang sah: %w", path, err)
	}
	if len(r.Views) == 0 {
		return r, fmt.Errorf("%s tidak memuat jari", path)
	}
	return r, nil
}

func parseSizes(s string) ([]int, error) {
	var out []int
	for _, f := range strings.Split(s, ",") {
		if f = strings.TrimSpace(f); f == "" {
			continue
		}
		n, err := strconv.Atoi(f)
		if err != nil || n <= 0 {
			return nil, fmt.Errorf("ukuran galeri tidak sah: %q", f)
		}
		out = append(out, n)
	}
	return out, nil
}

func writeBioCSV(path string, rows [][]string) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	w := csv.NewWriter(f)
	if err := w.WriteAll(rows); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

func bioFileExists(p string) bool { _, err := os.Stat(p); return err == nil }

func percent(v float64) string {
	if math.IsNaN(v) {
		return "-"
	}
	return strconv.FormatFloat(100*v, 'f', 3, 64) + "%"
}

func millis(d time.Duration) string {
	return strconv.FormatFloat(float64(d.Microseconds())/1000, 'f', 1, 64)
}
