package sourceafis

import (
	"path/filepath"
	"testing"

	"github.com/sinkron-id/sinkron/biometric/eval"
	"github.com/sinkron-id/sinkron/biometric/synth"
)

// PublishedEER is SourceAFIS's EER on FVC-onGoing FV-STD (3.87 %).
const PublishedEER = 0.0387

// TestCalibration is the gate on the synthetic population: on a small set
// with the default parameters, SourceAFIS must err at least half as often as
// on real fingers (EER ≥ 1.9 %), or the impressions are too easy and no
// figure measured on them counts.
func TestCalibration(t *testing.T) {
	Init()
	dir := t.TempDir()
	info := eval.SetInfo{Orang: 40, Tayangan: 2, Seed: 2026, Impostors: 2000, Params: synth.DefaultParams()}
	if err := eval.WriteSet(dir, info); err != nil {
		t.Fatal(err)
	}
	pairs, err := eval.ReadPairs(filepath.Join(dir, eval.PairsFile))
	if err != nil {
		t.Fatal(err)
	}
	scores, err := ScorePairs(dir, pairs)
	if err != nil {
		t.Fatal(err)
	}
	var s eval.Scores
	for i, p := range pairs {
		if p.Genuine {
			s.Genuine = append(s.Genuine, scores[i])
		} else {
			s.Impostor = append(s.Impostor, scores[i])
		}
	}
	eer := s.EER()
	t.Logf("SourceAFIS on %d genuine and %d impostor synthetic pairs: EER %.2f %% (published FV-STD %.2f %%)", len(s.Genuine), len(s.Impostor), 100*eer, 100*PublishedEER)
	if eer < PublishedEER/2 {
		t.Fatalf("synthetic impressions are too easy: SourceAFIS EER %.2f %% < %.2f %%", 100*eer, 100*PublishedEER/2)
	}
}
