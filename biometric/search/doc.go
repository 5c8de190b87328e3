// Package search is the 1:N search: is this new recording anyone already
// recorded? The gallery lives in memory in flat arrays (no pointers per
// person, so a million people cost the garbage collector nothing):
//
//   - irises: 2 eyes × (32 code + 32 mask words) = 1,024 bytes a person,
//     in the layout the iris kernel reads (iris.EyeWords);
//   - the iris index: a 4-byte entry for each usable beacon of each eye,
//     about 450 bytes a person (index.go);
//   - fingers: 4 bytes a minutia (x, y, angle, type) and one offset and ten
//     counts a person: about 1.9 KB for ten plain impressions.
//
// A search runs coarse to fine, each worker on its own range of the
// gallery:
//
//  1. index: Beacon Guided Search (Hao, Daugman and Zielinski 2008) counts
//     the probe's beacon collisions with each person at each rotation; the
//     work is the probe's buckets, about 2 passes over 2 × 25 × 128 buckets
//     of N/1,000 entries, not everyone's irises;
//  2. fine: the whole irises of the people whose collisions reach
//     Config.Beacons (one fewer with one comparable eye), at every
//     rotation, one kernel call an eye;
//  3. fused: the people whose best iris is below Config.Shortlist get their
//     fingers compared (MCC) and everything fused (package fusion); those
//     at or above the fusion threshold are returned, best first.
//
// Config.Linear skips the index and compares everyone's irises (the
// baseline). People whose irises are unusable (and probes without irises)
// are compared by fingers alone, everyone, with a coarse step of three
// fingers before all ten (fingers.go). Fingerprint indexing (MCC with
// locality-sensitive hashing, Cappelli et al. 2011) would take tens of
// kilobytes a person, more than a 1M gallery's memory allows, so that path
// is linear and slow and is meant for the rare record without irises.
package search
