// Package synth makes a synthetic population for measuring Sinkron's
// matchers where no real fingerprint or iris data may be installed: each
// person has ten fingers (master minutiae sets over the whole finger pad)
// and two irises (master IrisCodes), and any number of later impressions
// of each, with the variation of real captures.
//
// Everything is seeded: Population{Seed} gives person i and impression k
// from their own PCG streams (math/rand/v2), so a person can be remade
// alone, in any order, on any core, with no global state.
//
// Every parameter in Params says where its value comes from. Where a value
// is a choice rather than a published figure, it says so; the fingerprint
// impressions' difficulty is calibrated against SourceAFIS (see
// bench/sourceafis): on the synthetic set its EER must be at least half of
// its published FVC-onGoing FV-STD EER of 3.87 %.
package synth
