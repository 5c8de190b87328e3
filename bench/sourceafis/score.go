package sourceafis

import (
	"fmt"
	"path/filepath"
	"runtime"
	"sync"
	"sync/atomic"

	"github.com/warnakulasuriya-fds-e23/go-sourceafis-fork/templates"

	"github.com/sinkron-id/sinkron/biometric/eval"
)

// ScorePairs scores every pair of a set's list with SourceAFIS, in the
// list's order, on all cores. Each file's template is made once.
func ScorePairs(dir string, pairs []eval.Pair) ([]float64, error) {
	cache := map[string]*templates.SearchTemplate{}
	load := func(name string) (*templates.SearchTemplate, error) {
		if t, ok := cache[name]; ok {
			return t, nil
		}
		ms, w, h, err := eval.ReadFinger(filepath.Join(dir, name))
		if err != nil {
			return nil, err
		}
		t := Template(ms, w, h)
		cache[name] = t
		return t, nil
	}
	type job struct{ a, b *templates.SearchTemplate }
	jobs := make([]job, len(pairs))
	for i, p := range pairs {
		a, err := load(p.A)
		if err != nil {
			return nil, err
		}
		b, err := load(p.B)
		if err != nil {
			return nil, err
		}
		jobs[i] = job{a, b}
	}
	// Consecutive pairs with the same first file share one matcher: it
	// prepares the probe (an edge hash) once.
	var runs []int // start of each run
	for i := range pairs {
		if i == 0 || pairs[i].A != pairs[i-1].A {
			runs = append(runs, i)
		}
	}
	runs = append(runs, len(pairs))
	scores := make([]float64, len(pairs))
	errs := make([]error, runtime.GOMAXPROCS(0))
	var next atomic.Int64
	var wg sync.WaitGroup
	for w := range errs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for r := int(next.Add(1)) - 1; r < len(runs)-1; r = int(next.Add(1)) - 1 {
				m, err := NewMatcher(jobs[runs[r]].a)
				if err != nil {
					errs[w] = fmt.Errorf("pair %d: %w", runs[r], err)
					return
				}
				for i := runs[r]; i < runs[r+1]; i++ {
					scores[i] = m.Score(jobs[i].b)
				}
			}
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return nil, err
		}
	}
	return scores, nil
}
