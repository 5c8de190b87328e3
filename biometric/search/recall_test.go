package search

import (
	"flag"
	"math/rand/v2"
	"testing"

	"github.com/sinkron-id/sinkron/biometric/iris"
	"github.com/sinkron-id/sinkron/biometric/synth"
	"github.com/sinkron-id/sinkron/biometric/template"
)

var recallN = flag.Int("recall", 4000, "people in TestBeaconRecall")

// TestBeaconRecall: the index lets through every same person, and few
// strangers. Each person's eyes are captured twice, the first filed in an
// index, the second counted against it (and against the person before, a
// stranger) by the index's own collide, and held to need.
//
//	go test ./biometric/search -run BeaconRecall -v -recall 40000
func TestBeaconRecall(t *testing.T) {
	pop := synth.Population{Seed: 18, Params: synth.DefaultParams()}
	r := rand.New(rand.NewPCG(18, 1))
	n := *recallN
	x := newIndex()
	probes := make([][2]template.Eye, n)
	usable := make([]uint8, n)
	for i := range n {
		p := pop.Person(1_000_000_000 + i) // a range no other test enrols
		for e := range p.Eyes {
			first := p.Eyes[e].Capture(r, &pop.Params)
			probes[i][e] = p.Eyes[e].Capture(r, &pop.Params)
			if first.Present() && probes[i][e].Present() {
				x.add(uint32(i), e, &first.Code)
				usable[i] |= 1 << e
			}
		}
	}
	s := &searcher{cfg: DefaultConfig()}
	count := func(probe, person int) int {
		counts, sum := []uint8{0}, 0
		for e := range probes[probe] {
			if usable[probe]&usable[person]&(1<<e) == 0 {
				continue
			}
			b := beacons(&probes[probe][e].Code)
			best := []uint8{0}
			x.collide(e, &b, iris.DefaultMaxShift, uint32(person), uint32(person)+1, counts, best)
			sum += int(best[0])
		}
		return sum
	}
	short, passed := 0, 0
	for i := range n {
		if usable[i] == 0 {
			continue
		}
		if c := count(i, i); c < s.need(usable[i]) {
			short++
			t.Logf("person %d: %d collisions, eyes %02b", i, c, usable[i])
		}
		if j := (i + n - 1) % n; usable[j] != 0 && count(i, j) >= s.need(usable[i]&usable[j]) {
			passed++
		}
	}
	t.Logf("%d same people: %d short of the index; strangers passing: %.1f %%", n, short, 100*float64(passed)/float64(n))
	if short > n/4000 {
		t.Errorf("%d of %d same people fell short of the index", short, n)
	}
	if passed > n/5 {
		t.Errorf("%d of %d strangers passed the index", passed, n)
	}
}
