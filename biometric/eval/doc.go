// Package eval measures matchers on a generated set, in the style of the
// FVC protocols: it writes a synthetic population to disk (one ISO/IEC
// 19794-2 record a finger impression, one iris template an eye capture, and
// the list of pairs to compare), reads it back, and turns genuine and
// impostor scores into error rates: FNMR at a given FMR, the EER, DET
// curves (CSV and PNG), and for 1:N searches FNIR and FPIR.
//
// The set is the meeting point with outside matchers: bench/sourceafis
// reads the same files and pairs and writes its scores beside Sinkron's.
package eval
