package eval

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"

	"github.com/sinkron-id/sinkron/biometric/mcc"
)

// ScoreMCC scores every pair with Sinkron's MCC matcher, in the list's
// order, on every core; paths are relative to dir. Each file's template is
// made once.
func ScoreMCC(dir string, pairs []Pair, p mcc.Params) ([]float64, error) {
	cache := map[string]*mcc.Template{}
	load := func(name string) (*mcc.Template, error) {
		if t, ok := cache[name]; ok {
			return t, nil
		}
		ms, _, _, err := ReadFinger(filepath.Join(dir, name))
		if err != nil {
			return nil, err
		}
		t := mcc.New(ms, &p)
		cache[name] = t
		return t, nil
	}
	a, b := make([]*mcc.Template, len(pairs)), make([]*mcc.Template, len(pairs))
	for i, pr := range pairs {
		var err error
		if a[i], err = load(pr.A); err != nil {
			return nil, err
		}
		if b[i], err = load(pr.B); err != nil {
			return nil, err
		}
	}
	scores := make([]float64, len(pairs))
	workers := runtime.GOMAXPROCS(0)
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			m := mcc.NewMatcher(p)
			for i := w; i < len(pairs); i += workers {
				scores[i] = m.Score(a[i], b[i])
			}
		}()
	}
	wg.Wait()
	return scores, nil
}

// WriteScores writes one score a line.
func WriteScores(path string, scores []float64) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	w := bufio.NewWriter(f)
	for _, s := range scores {
		w.WriteString(strconv.FormatFloat(s, 'g', 8, 64) + "\n")
	}
	if err := w.Flush(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// ReadScores reads one score a line.
func ReadScores(path string) ([]float64, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var out []float64
	for n, line := range strings.Split(strings.TrimSpace(string(b)), "\n") {
		v, err := strconv.ParseFloat(strings.TrimSpace(line), 64)
		if err != nil {
			return nil, fmt.Errorf("%s line %d: %w", path, n+1, err)
		}
		out = append(out, v)
	}
	return out, nil
}

// Split sorts scores into genuine and impostor by the pairs' labels.
func Split(pairs []Pair, scores []float64) (Scores, error) {
	if len(pairs) != len(scores) {
		return Scores{}, fmt.Errorf("%d pairs but %d scores", len(pairs), len(scores))
	}
	var s Scores
	for i, p := range pairs {
		if p.Genuine {
			s.Genuine = append(s.Genuine, scores[i])
		} else {
			s.Impostor = append(s.Impostor, scores[i])
		}
	}
	return s, nil
}
