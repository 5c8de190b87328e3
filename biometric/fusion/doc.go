// Package fusion turns the comparisons of two recordings (up to ten fingers
// and two irises) into one score and one decision.
//
// Each comparison is first put on a common scale: how many impostor
// standard deviations it lies from the impostor mean of its kind (a
// z-score, with the impostor mean and s.d. in the Config, measured on the
// calibrated synthetic set). The z-scores of the samples both recordings
// have are summed and divided by the square root of their count (Stouffer's
// method): for two different people the fused score keeps about the same
// spread whether two samples or twelve were compared, so one threshold
// serves a recording with a missing finger or eye as well as a full one.
//
// A sample too poor to compare is left out, not scored: a finger with
// fewer than MinMinutiae minutiae, an iris whose mask keeps fewer than
// MinIrisBits bits, or a finger or eye recorded as an exception.
package fusion
