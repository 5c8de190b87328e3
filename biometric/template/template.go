package template

import "math"

// MinutiaType is the ISO/IEC 19794-2 minutia type code.
type MinutiaType uint8

const (
	Other       MinutiaType = 0
	Ending      MinutiaType = 1 // ridge ending
	Bifurcation MinutiaType = 2 // ridge bifurcation
)

// Minutia is one minutia in the units of an ISO/IEC 19794-2:2005 record:
// pixels from the image's top-left corner, the angle in units of 360/256
// degrees counter-clockwise from the x axis, quality 0..100 (0: not given).
type Minutia struct {
	X, Y    uint16
	Angle   uint8
	Type    MinutiaType
	Quality uint8
}

// Radians is the minutia's direction in radians, in [0, 2π).
func (m Minutia) Radians() float64 { return float64(m.Angle) * (2 * math.Pi / 256) }

// Exception says why a finger or eye has no template. The zero value means
// the sample is present.
type Exception uint8

const (
	Present  Exception = 0
	Missing  Exception = 1 // amputated or absent finger, enucleated eye
	Unusable Exception = 2 // bandaged, scarred or diseased: captured nothing usable
)

// Finger is one finger's template. Position is the ISO finger position code:
// 1 right thumb … 5 right little, 6 left thumb … 10 left little.
type Finger struct {
	Position  uint8
	Exception Exception
	Minutiae  []Minutia
}

// Present reports whether the finger carries a template.
func (f Finger) Present() bool { return f.Exception == Present }

// IrisWords is the number of 64-bit words in an IrisCode or its mask: 2048
// bits, Daugman's layout of 8 rings × 128 angles × 2 phase bits.
const IrisWords = 32

// IrisBits is the number of bits in an IrisCode.
const IrisBits = IrisWords * 64

// BitsPerAngle is the number of bits one angular position holds (8 rings ×
// 2 phase bits): rotating the eye by one angular step moves the code by
// this many bits. Bit a*BitsPerAngle + ring*2 + phase holds angle a.
const BitsPerAngle = 16

// IrisCode is a Daugman IrisCode: Code's bits are phase bits, Mask's bits say
// which are usable (1) or hidden by eyelids, lashes or reflections (0). Code
// bits under a 0 mask bit are 0.
type IrisCode struct {
	Code, Mask [IrisWords]uint64
}

// Eye is one iris: 0 right, 1 left (ISO/IEC 19794-6 subtype order).
type Eye struct {
	Exception Exception
	Code      IrisCode
}

// Present reports whether the eye carries a template.
func (e Eye) Present() bool { return e.Exception == Present }

// Record is the biometric part of one recording: ten fingers indexed by
// position−1 and two eyes (right, left).
type Record struct {
	Fingers [10]Finger
	Eyes    [2]Eye
}
