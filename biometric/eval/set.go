package eval

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"

	"github.com/sinkron-id/sinkron/biometric/iso19794"
	"github.com/sinkron-id/sinkron/biometric/synth"
	"github.com/sinkron-id/sinkron/biometric/template"
)

// SetInfo describes a set on disk (set.json).
type SetInfo struct {
	Orang     int          `json:"orang"`    // people
	Tayangan  int          `json:"tayangan"` // impressions of each
	Seed      uint64       `json:"seed"`
	Impostors int          `json:"impostors"` // impostor finger pairs listed
	Params    synth.Params `json:"params"`
}

// Resolution is the records' resolution: 500 dpi in pixels a centimetre.
const Resolution = 197

// FingerFile is the record of person i's finger position f (1..10),
// impression k, relative to the set's directory.
func FingerFile(i, f, k int) string { return fmt.Sprintf("fmr/p%06d_f%02d_k%d.fmr", i, f, k) }

// IrisFile is person i's eye (0 right, 1 left), capture k.
func IrisFile(i, eye, k int) string {
	return fmt.Sprintf("iris/p%06d_%c_k%d.iris", i, "RL"[eye], k)
}

// ImpostorRun is how many impostor pairs share their first finger.
const ImpostorRun = 50

// PairsFile lists the finger pairs to compare: a,b,genuine.
const PairsFile = "pasangan.csv"

// WriteSet writes info.Orang people of info.Seed with info.Tayangan
// impressions each, and the pairs list: every two impressions of a finger
// (genuine), and info.Impostors pairs of first impressions of the same
// finger position of two different people, drawn with the seed in runs of
// ImpostorRun pairs with the same first finger.
func WriteSet(dir string, info SetInfo) error {
	for _, d := range []string{"fmr", "iris"} {
		if err := os.MkdirAll(filepath.Join(dir, d), 0o755); err != nil {
			return err
		}
	}
	pop := synth.Population{Seed: info.Seed, Params: info.Params}
	present := make([][10]bool, info.Orang)
	for i := 0; i < info.Orang; i++ {
		person := pop.Person(i)
		for k := 0; k < info.Tayangan; k++ {
			if err := writeRecord(dir, pop.Impression(person, i, k), i, k, &info.Params, &present[i]); err != nil {
				return err
			}
		}
	}
	b, err := json.MarshalIndent(info, "", "  ")
	if err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(dir, "set.json"), b, 0o644); err != nil {
		return err
	}
	return writePairs(dir, info, present)
}

func writeRecord(dir string, rec template.Record, i, k int, p *synth.Params, present *[10]bool) error {
	for f, fg := range rec.Fingers {
		if !fg.Present() {
			continue // a missing finger has no record: its exception is in the person's record
		}
		present[f] = true
		b, err := iso19794.EncodeFinger(iso19794.FingerRecord{
			Width: uint16(p.Width), Height: uint16(p.Height), ResX: Resolution, ResY: Resolution,
			Views: []iso19794.FingerView{{Position: fg.Position, Quality: 60, Minutiae: fg.Minutiae}},
		})
		if err != nil {
			return fmt.Errorf("person %d finger %d: %w", i, f+1, err)
		}
		if err := os.WriteFile(filepath.Join(dir, FingerFile(i, f+1, k)), b, 0o644); err != nil {
			return err
		}
	}
	for e, eye := range rec.Eyes {
		b, err := iso19794.EncodeIris(eye)
		if err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join(dir, IrisFile(i, e, k)), b, 0o644); err != nil {
			return err
		}
	}
	return nil
}

// Pair is one comparison of the list.
type Pair struct {
	A, B    string
	Genuine bool
}

func writePairs(dir string, info SetInfo, present [][10]bool) error {
	var pairs []Pair
	for i := range present {
		for f := 0; f < 10; f++ {
			if !present[i][f] {
				continue
			}
			for k1 := 0; k1 < info.Tayangan; k1++ {
				for k2 := k1 + 1; k2 < info.Tayangan; k2++ {
					pairs = append(pairs, Pair{FingerFile(i, f+1, k1), FingerFile(i, f+1, k2), true})
				}
			}
		}
	}
	// Impostor pairs come in runs of ImpostorRun with the same first
	// finger, so a matcher that prepares a probe once (SourceAFIS builds an
	// edge hash of it) prepares it once a run.
	r := rand.New(rand.NewPCG(info.Seed, 0x70616972))
	for n, tries := 0, 0; n < info.Impostors && info.Orang > 1 && tries < 20*info.Impostors; tries++ {
		i, f := r.IntN(info.Orang), r.IntN(10)
		if !present[i][f] {
			continue
		}
		for k := 0; k < ImpostorRun && n < info.Impostors; k++ {
			j := r.IntN(info.Orang)
			if j == i || !present[j][f] {
				continue
			}
			pairs = append(pairs, Pair{FingerFile(i, f+1, 0), FingerFile(j, f+1, 0), false})
			n++
		}
	}
	return WritePairs(filepath.Join(dir, PairsFile), pairs)
}

// WritePairs writes a pairs list.
func WritePairs(path string, pairs []Pair) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	w := csv.NewWriter(f)
	w.Write([]string{"a", "b", "genuine"})
	for _, p := range pairs {
		w.Write([]string{p.A, p.B, strconv.FormatBool(p.Genuine)})
	}
	w.Flush()
	if err := w.Error(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// ReadPairs reads a pairs list: two paths a line, an optional third column
// saying whether the pair is genuine, and an optional header line "a,b…".
func ReadPairs(path string) ([]Pair, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	r := csv.NewReader(f)
	r.FieldsPerRecord = -1
	rows, err := r.ReadAll()
	if err != nil {
		return nil, err
	}
	var out []Pair
	for n, row := range rows {
		if n == 0 && len(row) > 0 && row[0] == "a" {
			continue
		}
		if len(row) < 2 {
			return nil, fmt.Errorf("%s line %d: want two files", path, n+1)
		}
		p := Pair{A: row[0], B: row[1]}
		if len(row) > 2 {
			p.Genuine, _ = strconv.ParseBool(row[2])
		}
		out = append(out, p)
	}
	return out, nil
}

// ReadInfo reads a set's set.json.
func ReadInfo(dir string) (SetInfo, error) {
	var info SetInfo
	b, err := os.ReadFile(filepath.Join(dir, "set.json"))
	if err != nil {
		return info, err
	}
	return info, json.Unmarshal(b, &info)
}

// ReadFinger reads a one-finger ISO/IEC 19794-2 record: its first view's
// minutiae and the image size.
func ReadFinger(path string) ([]template.Minutia, int, int, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, 0, 0, err
	}
	r, err := iso19794.DecodeFinger(b)
	if err != nil {
		return nil, 0, 0, fmt.Errorf("%s: %w", path, err)
	}
	if len(r.Views) == 0 {
		return nil, 0, 0, fmt.Errorf("%s: record holds no finger view", path)
	}
	return r.Views[0].Minutiae, int(r.Width), int(r.Height), nil
}
