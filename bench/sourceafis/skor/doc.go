// Package main is the skor command: it scores a Sinkron set's pairs with
// SourceAFIS and writes one score a line, in the pairs list's order, to
// DIR/skor_sourceafis.csv (or --out), for `sinkron biometric eval` to read.
package main
