// Package sim is the seeded simulation of a regency: real Sinkron nodes (a
// dinas and N kecamatan, real badger, Raft and sync code) in one process,
// joined by libp2p's in-memory network, on a simulated clock, driven by a
// workload and faults drawn from one seed: requests filed, approved,
// a cancel tried by another kecamatan (refused) and processed at the dinas; KTP-el
// cards printed at the dinas (replacements, resent prints, two prints for
// one NIK at once, a print across a dinas restart); links cut
// and healed, offices partitioned, crashed and restarted, restored from an
// old backup, their clocks skewed by hours; bundles carried, some of them
// corrupted or forged. After every step the reachable offices sync until
// quiet; at the end every link heals and the invariants are checked.
//
// The seed fixes the workload and the fault schedule, and every step waits
// for quiescence before the next, so a failing seed replays the same run.
// It is run by `go test ./testnet -run Sim -seeds=N`.
package sim
