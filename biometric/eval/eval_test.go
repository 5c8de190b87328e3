package eval

import (
	"math"
	"os"
	"path/filepath"
	"testing"

	"go.uber.org/goleak"

	"github.com/sinkron-id/sinkron/biometric/mcc"
	"github.com/sinkron-id/sinkron/biometric/synth"
)

func TestRates(t *testing.T) {
	imp := make([]float64, 1000)
	for i := range imp {
		imp[i] = float64(i) / 1000 // 0 … 0.999
	}
	s := Scores{Genuine: []float64{0.5, 0.9985, 0.9995, 2, 3}, Impostor: imp}
	cases := []struct {
		fmr, fnmr float64
		ok        bool
	}{
		{0.01, 0.2, true},  // threshold just above 0.989: 0.5 is missed
		{0.001, 0.2, true}, // just above 0.998: 0.9985 still matches
		{0.0001, 0, false}, // 1000 impostors cannot resolve 0.01 %
	}
	for _, c := range cases {
		fnmr, _, ok := s.AtFMR(c.fmr)
		if ok != c.ok || (ok && math.Abs(fnmr-c.fnmr) > 1e-9) {
			t.Errorf("AtFMR(%v) = %v, %v; want %v, %v", c.fmr, fnmr, ok, c.fnmr, c.ok)
		}
	}
	if e := (Scores{Genuine: []float64{1, 2, 3}, Impostor: []float64{-1, 0}}).EER(); e != 0 {
		t.Errorf("separated scores: EER %v", e)
	}
	if d := s.DET(); d[0].FMR != 0 || d[len(d)-1].FNMR != 0 {
		t.Errorf("DET ends: %v %v", d[0], d[len(d)-1])
	}
}

func TestSetRoundTrip(t *testing.T) {
	dir := t.TempDir()
	info := SetInfo{Orang: 3, Tayangan: 2, Seed: 4, Impostors: 10, Params: synth.DefaultParams()}
	if err := WriteSet(dir, info); err != nil {
		t.Fatal(err)
	}
	pairs, err := ReadPairs(filepath.Join(dir, PairsFile))
	if err != nil {
		t.Fatal(err)
	}
	gen := 0
	for _, p := range pairs {
		if _, _, _, err := ReadFinger(filepath.Join(dir, p.A)); err != nil {
			t.Fatal(err)
		}
		if p.Genuine {
			gen++
		}
	}
	if gen < 29 || len(pairs)-gen != 10 {
		t.Fatalf("%d genuine and %d impostor pairs", gen, len(pairs)-gen)
	}
	if got, err := ReadInfo(dir); err != nil || got.Orang != 3 {
		t.Fatal(got, err)
	}
	png := filepath.Join(dir, "det.png")
	s := Scores{Genuine: []float64{1, 2}, Impostor: []float64{0, 1.5}}
	if err := WriteDETPNG(png, []Curve{{"x", s.DET()}}); err != nil {
		t.Fatal(err)
	}
	if st, err := os.Stat(png); err != nil || st.Size() == 0 {
		t.Fatal(err)
	}
}

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// TestScoreMCC: scores come back in the pairs' order, genuine pairs above
// impostor ones, and through a scores file unchanged.
func TestScoreMCC(t *testing.T) {
	dir := t.TempDir()
	info := SetInfo{Orang: 6, Tayangan: 2, Seed: 9, Impostors: 60, Params: synth.DefaultParams()}
	if err := WriteSet(dir, info); err != nil {
		t.Fatal(err)
	}
	pairs, err := ReadPairs(filepath.Join(dir, PairsFile))
	if err != nil {
		t.Fatal(err)
	}
	scores, err := ScoreMCC(dir, pairs, mcc.Default())
	if err != nil {
		t.Fatal(err)
	}
	s, err := Split(pairs, scores)
	if err != nil {
		t.Fatal(err)
	}
	if e := s.EER(); e > 0.1 {
		t.Errorf("EER %.3f on a tiny set", e)
	}
	path := filepath.Join(dir, "skor.csv")
	if err := WriteScores(path, scores); err != nil {
		t.Fatal(err)
	}
	back, err := ReadScores(path)
	if err != nil || len(back) != len(scores) {
		t.Fatal(err, len(back))
	}
	for i := range back {
		if math.Abs(back[i]-scores[i]) > 1e-7*math.Max(1, scores[i]) {
			t.Fatalf("score %d: %v became %v", i, scores[i], back[i])
		}
	}
}
