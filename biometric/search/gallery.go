package search

import (
	"fmt"
	"runtime"
	"slices"
	"sync"

	"github.com/sinkron-id/sinkron/biometric/fusion"
	"github.com/sinkron-id/sinkron/biometric/iris"
	"github.com/sinkron-id/sinkron/biometric/template"
)

const (
	irisWords   = template.IrisWords
	eyeWords    = iris.EyeWords // code then mask
	personWords = 2 * eyeWords  // right eye then left
	noFinger    = 0xff          // count of a finger not recorded or not usable
)

// Gallery is the enrolled population. Add and Search may run from several
// goroutines; a search sees the people added before it started.
type Gallery struct {
	mu       sync.RWMutex
	cfg      fusion.Config
	ids      []uint64
	iris     []uint64 // personWords a person
	eyeOK    []uint8  // bit e: eye e usable
	fingerAt []uint32 // index of a person's first minutia in minutiae
	counts   []uint8  // 10 a person: minutiae of each finger, noFinger if none
	minutiae []uint32 // packed: see pack
	noIris   []int32  // people with no usable eye
	index    index    // Beacon Guided Search over the usable eyes
}

// New makes an empty gallery that judges sample quality by cfg.
func New(cfg fusion.Config) *Gallery { return &Gallery{cfg: cfg, index: newIndex()} }

// Len is the number of people enrolled.
func (g *Gallery) Len() int {
	g.mu.RLock()
	defer g.mu.RUnlock()
	return len(g.ids)
}

// BytesPerPerson is the gallery's memory divided by its people.
func (g *Gallery) BytesPerPerson() float64 {
	g.mu.RLock()
	defer g.mu.RUnlock()
	if len(g.ids) == 0 {
		return 0
	}
	b := 8*len(g.ids) + 8*len(g.iris) + len(g.eyeOK) + 4*len(g.fingerAt) + len(g.counts) + 4*len(g.minutiae) + 4*len(g.noIris) + 4*g.index.entries
	return float64(b) / float64(len(g.ids))
}

// pack stores a minutia in 32 bits: x and y 11 bits each (up to 2047 px,
// 10 cm at 500 dpi), angle 8, type 2.
func pack(m template.Minutia) (uint32, error) {
	if m.X > 2047 || m.Y > 2047 {
		return 0, fmt.Errorf("search: minutia at (%d,%d) is beyond 2047 px", m.X, m.Y)
	}
	return uint32(m.X) | uint32(m.Y)<<11 | uint32(m.Angle)<<22 | uint32(m.Type)<<30, nil
}

func unpack(v uint32) template.Minutia {
	return template.Minutia{X: uint16(v & 2047), Y: uint16(v >> 11 & 2047), Angle: uint8(v >> 22), Type: template.MinutiaType(v >> 30)}
}

// Add enrols a recording under id.
func (g *Gallery) Add(id uint64, rec *template.Record) error {
	var packed []uint32
	var counts [10]uint8
	for f := range rec.Fingers {
		fg := &rec.Fingers[f]
		counts[f] = noFinger
		if !g.cfg.FingerUsable(fg) || len(fg.Minutiae) >= noFinger {
			continue
		}
		for _, m := range fg.Minutiae {
			v, err := pack(m)
			if err != nil {
				return err
			}
			packed = append(packed, v)
		}
		counts[f] = uint8(len(fg.Minutiae))
	}
	var words [personWords]uint64
	var ok uint8
	for e := range rec.Eyes {
		if g.cfg.EyeUsable(&rec.Eyes[e]) {
			ok |= 1 << e
			copy(words[e*eyeWords:], rec.Eyes[e].Code.Code[:])
			copy(words[e*eyeWords+irisWords:], rec.Eyes[e].Code.Mask[:])
		}
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	for e := range rec.Eyes {
		if ok&(1<<e) != 0 {
			g.index.add(uint32(len(g.ids)), e, &rec.Eyes[e].Code)
		}
	}
	if ok == 0 {
		g.noIris = append(g.noIris, int32(len(g.ids)))
	}
	g.ids = append(g.ids, id)
	g.iris = append(g.iris, words[:]...)
	g.eyeOK = append(g.eyeOK, ok)
	g.fingerAt = append(g.fingerAt, uint32(len(g.minutiae)))
	g.counts = append(g.counts, counts[:]...)
	g.minutiae = append(g.minutiae, packed...)
	return nil
}

// finger is person i's finger f (0–9): its minutiae, or nil if it was not
// recorded or not usable.
func (g *Gallery) finger(i, f int) []template.Minutia {
	at := int(g.fingerAt[i])
	for k := range f {
		if n := g.counts[i*10+k]; n != noFinger {
			at += int(n)
		}
	}
	n := g.counts[i*10+f]
	if n == noFinger {
		return nil
	}
	ms := make([]template.Minutia, n)
	for k := range ms {
		ms[k] = unpack(g.minutiae[at+k])
	}
	return ms
}

// record rebuilds person i's fingers (irises are compared in place).
func (g *Gallery) record(i int) template.Record {
	var rec template.Record
	for f := 0; f < 10; f++ {
		rec.Fingers[f].Position = uint8(f + 1)
		if rec.Fingers[f].Minutiae = g.finger(i, f); rec.Fingers[f].Minutiae == nil {
			rec.Fingers[f].Exception = template.Unusable
		}
	}
	for e := 0; e < 2; e++ {
		if g.eyeOK[i]&(1<<e) == 0 {
			rec.Eyes[e].Exception = template.Unusable
			continue
		}
		base := i*personWords + e*eyeWords
		copy(rec.Eyes[e].Code.Code[:], g.iris[base:])
		copy(rec.Eyes[e].Code.Mask[:], g.iris[base+irisWords:])
	}
	return rec
}

// Reserve makes room for n more people of about minutiae minutiae each
// (all ten fingers together), so
// a large gallery is not copied while it grows (and does not hold two
// copies at the peak).
func (g *Gallery) Reserve(n, minutiae int) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.ids = slices.Grow(g.ids, n)
	g.iris = slices.Grow(g.iris, n*personWords)
	g.eyeOK = slices.Grow(g.eyeOK, n)
	g.fingerAt = slices.Grow(g.fingerAt, n)
	g.counts = slices.Grow(g.counts, 10*n)
	g.minutiae = slices.Grow(g.minutiae, n*minutiae)
}

// ReadOnce reads every word of the gallery once, on every core, and returns
// a checksum: the time it takes is the floor under any search that looks at
// everyone (memory bandwidth), the anchor for the search's own time.
func (g *Gallery) ReadOnce(workers int) uint64 {
	g.mu.RLock()
	defer g.mu.RUnlock()
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	sums := make([]uint64, workers)
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var s uint64
			lo, hi := len(g.iris)*w/workers, len(g.iris)*(w+1)/workers
			for _, v := range g.iris[lo:hi] {
				s += v
			}
			lo, hi = len(g.minutiae)*w/workers, len(g.minutiae)*(w+1)/workers
			for _, v := range g.minutiae[lo:hi] {
				s += uint64(v)
			}
			sums[w] = s
		}()
	}
	wg.Wait()
	var s uint64
	for _, v := range sums {
		s += v
	}
	return s
}
