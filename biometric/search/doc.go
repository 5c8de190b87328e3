// Package search is the 1:N search: is this new recording anyone already
// recorded? The gallery lives in memory in flat arrays (no pointers per
// person, so a million people cost the garbage collector nothing):
//
//   - irises: 2 eyes × (32 code + 32 mask words) = 1,024 bytes a person,
//     with each code's words in an order that puts a spread-out quarter of
//     the iris first (words 0, 4, 8 … 28);
//   - fingers: 4 bytes a minutia (x, y, angle, type) and one offset and ten
//     counts a person: about 1.8 KB for ten plain impressions.
//
// A search runs coarse to fine, in parallel over chunks of the gallery:
//
//  1. coarse: the probe's irises against the first quarter of each
//     gallery iris (512 bits), at every other rotation; a quarter of the
//     iris data is read and an eighth of the popcounts done;
//  2. fine: the whole iris, for the few whose coarse distance is below
//     Config.Coarse;
//  3. fused: the people whose best iris is below Config.Shortlist get their
//     fingers compared (MCC) and everything fused (package fusion); those
//     at or above the fusion threshold are returned, best first.
//
// People whose irises are unusable (and probes without irises) are compared
// by fingers alone, exhaustively: fingerprint indexing (MCC with
// locality-sensitive hashing, Cappelli et al. 2011) is not built yet, so
// that path is linear and slow and is meant for the rare record without
// irises.
package search
