// Package sourceafis is a baseline, not part of Sinkron: it runs SourceAFIS
// (the pure-Go port github.com/warnakulasuriya-fds-e23/go-sourceafis-fork,
// at the one version the module proxy serves) on the same synthetic
// fingerprint pairs as Sinkron's MCC matcher, so the two can be compared in
// the same run: comparisons per second, and FNMR at FMR 0.01 % on the same
// pairs. It also holds the calibration check of the synthetic population:
// on the synthetic set SourceAFIS must show an EER of at least half its
// published FVC-onGoing FV-STD EER (3.87 %), or the impressions are easier
// than real fingers.
//
// It is a separate Go module so that the product's module never imports
// SourceAFIS and `go test ./...` at the repository root does not run it.
// The module replaces github.com/sinkron-id/sinkron with ../.. so it reads
// Sinkron's generated sets with Sinkron's own decoders.
//
//	(cd bench/sourceafis && go test ./...)                      # calibration, in CI
//	(cd bench/sourceafis && go run ./skor --set DIR)            # scores DIR's pairs
//	(cd bench/sourceafis && go test -run '^$' -bench . -count 5) # speed against MCC
package sourceafis
