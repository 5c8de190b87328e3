package sourceafis

import (
	"fmt"
	"path/filepath"
	"runtime"
	"sync"

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
	scores := make([]float64, len(pairs))
	errs := make([]error, runtime.GOMAXPROCS(0))
	var wg sync.WaitGroup
	for w := range errs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := w; i < len(jobs); i += len(errs) {
				m, err := NewMatcher(jobs[i].a)
				if err != nil {
					errs[w] = fmt.Errorf("pair %d: %w", i, err)
					return
				}
				scores[i] = m.Score(jobs[i].b)
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
