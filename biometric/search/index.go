package search

import (
	"slices"

	"github.com/sinkron-id/sinkron/biometric/template"
)

// The iris index is Beacon Guided Search (Hao, Daugman and Zielinski, "A
// fast search algorithm for a large fuzzy database", IEEE TIFS 3(2), 2008):
// each enrolled eye is filed in beaconSpaces spaces under a short beacon
// read from its code, and a probe counts, per person, how many of its own
// beacons (at each rotation it is searched over) land in the same bucket.
// A same eye collides in many spaces at once (most 10-bit pieces of a code
// survive a recapture), a stranger in few; only the people with at least
// Config.Beacons collisions have their irises compared in full. The work is
// the probe's buckets, about beaconSpaces × rotations × N/1024 entries, not
// everyone's 1,024 bytes.
const (
	beaconSpaces = template.IrisBits / template.BitsPerAngle // one a starting angle: 128
	beaconBits   = 10
	beaconValues = 1 << beaconBits
)

// beaconTaps are a beacon's bits as (angle offset, track): two tracks at
// each of five angles two steps apart, from the inner four rings (tracks
// 0–7). The inner rings are the ones eyelids rarely cover, and spreading
// the bits over angles and tracks keeps them less correlated (synth's field
// is smoothed across about one step either way): measured on the synthetic
// set, 400 same people had at least 13 collisions over ±8 rotations and
// both eyes, 0.6 % of strangers as many, against 27 % for the ten bits of
// one angle.
var beaconTaps = [beaconBits]struct{ angle, track int }{
	{0, 0}, {0, 5}, {2, 2}, {2, 7}, {4, 1}, {4, 4}, {6, 3}, {6, 6}, {8, 0}, {8, 7},
}

// beacons reads a code's beacon at every starting angle; −1 where a tap is
// masked, and where every bit agrees (all 0 or all 1: the commonest values
// of a smooth code, so they say least).
func beacons(c *template.IrisCode) [beaconSpaces]int16 {
	var out [beaconSpaces]int16
	for a := range out {
		v, ok := 0, true
		for k, t := range beaconTaps {
			i := ((a+t.angle)%beaconSpaces)*template.BitsPerAngle + t.track
			if c.Mask[i/64]>>(i%64)&1 == 0 {
				ok = false
				break
			}
			v |= int(c.Code[i/64]>>(i%64)&1) << k
		}
		if !ok || v == 0 || v == beaconValues-1 {
			out[a] = -1
			continue
		}
		out[a] = int16(v)
	}
	return out
}

// index holds, for each eye, space and beacon value, the people (gallery
// indices, ascending) filed there.
type index struct {
	buckets [][]uint32 // [eye][space][value] flattened
	entries int
}

func newIndex() index { return index{buckets: make([][]uint32, 2*beaconSpaces*beaconValues)} }

func bucketOf(eye, space, value int) int {
	return (eye*beaconSpaces+space)*beaconValues + value
}

// add files person i's eye e.
func (x *index) add(i uint32, e int, c *template.IrisCode) {
	for a, v := range beacons(c) {
		if v >= 0 {
			b := &x.buckets[bucketOf(e, a, int(v))]
			*b = append(*b, i)
			x.entries++
		}
	}
}

// collide puts in best[i−lo], for each person i in [lo, hi), the most
// collisions of the probe eye's beacons pb with eye e's buckets at any one
// rotation of the probe within ±maxShift (if more than best holds). counts
// is scratch of the same length, zero on entry and on return. Buckets are
// ascending, so a worker that owns a range of the gallery finds its part of
// each by binary search.
//
// Counting per rotation, not over all rotations together, is what makes
// the index sharp: a same eye's collisions pile up at its one true
// rotation, a stranger's are spread thinly over all of them. On the
// synthetic set at ±8 rotations (4,000 same people, 250,000 strangers),
// the sum over both eyes of the best rotation's count was below 3 for 1
// same person in 4,000 and reached 3 for 8.8 % of strangers; summing over
// every rotation instead, matching the first to miss only 1 in 2,000
// passed 7 % of strangers. At ±12 (TestBeaconRecall), 1 same person in
// 40,000 falls short and 13 % of strangers pass.
func (x *index) collide(e int, pb *[beaconSpaces]int16, maxShift int, lo, hi uint32, counts, best []uint8) {
	var hit [beaconSpaces][]uint32
	for r := -maxShift; r <= maxShift; r++ {
		for a := 0; a < beaconSpaces; a++ {
			hit[a] = nil
			// The probe rotated by r holds at angle a what it held at a−r.
			v := pb[((a-r)%beaconSpaces+beaconSpaces)%beaconSpaces]
			if v < 0 {
				continue
			}
			b := x.buckets[bucketOf(e, a, int(v))]
			k, _ := slices.BinarySearch(b, lo)
			m, _ := slices.BinarySearch(b[k:], hi)
			hit[a] = b[k : k+m]
			for _, i := range hit[a] {
				counts[i-lo]++ // at most beaconSpaces (128) a rotation
			}
		}
		for _, h := range hit {
			for _, i := range h {
				best[i-lo] = max(best[i-lo], counts[i-lo])
				counts[i-lo] = 0
			}
		}
	}
}
