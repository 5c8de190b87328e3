package synth

import (
	"math/rand/v2"

	"github.com/sinkron-id/sinkron/biometric/template"
)

// Person is one synthetic person's true biometrics.
type Person struct {
	Fingers [10]MasterFinger
	Eyes    [2]MasterIris
}

// Population is a seeded population: Person(i) and Impression(i, k) are
// pure functions of the seed, i and k.
type Population struct {
	Seed   uint64
	Params Params
}

// stream domains keep masters' and impressions' random numbers apart.
const (
	masterStream     = 0x6d61737465720000 // "master"
	impressionStream = 0x696d707200000000 // "impr"
)

// Person makes person i.
func (pop Population) Person(i int) Person {
	r := rand.New(rand.NewPCG(pop.Seed, masterStream^uint64(i)))
	var p Person
	for f := range p.Fingers {
		p.Fingers[f] = newMasterFinger(r, &pop.Params)
	}
	for e := range p.Eyes {
		p.Eyes[e] = newMasterIris(r, &pop.Params)
	}
	return p
}

// Impression makes the k-th capture of person i: the record a counter would
// send (ten fingers in ISO order, right eye then left).
func (pop Population) Impression(person Person, i, k int) template.Record {
	r := rand.New(rand.NewPCG(pop.Seed, impressionStream^uint64(i)<<12^uint64(k)))
	var rec template.Record
	for f := range person.Fingers {
		rec.Fingers[f] = template.Finger{Position: uint8(f + 1)}
		if person.Fingers[f].Missing {
			rec.Fingers[f].Exception = template.Missing
			continue
		}
		rec.Fingers[f].Minutiae = person.Fingers[f].Impress(r, &pop.Params)
	}
	for e := range person.Eyes {
		rec.Eyes[e] = person.Eyes[e].Capture(r, &pop.Params)
	}
	return rec
}
