// Package decision is the dinas cluster's deterministic state machine: the
// few decisions that must be unique across a regency (NIKs and the serial
// leases that let offline kecamatan assign them, Nomor KK, blank card
// serials, the one active card per NIK, deduplication verdicts,
// consolidated changes, roster changes), applied in Raft order (rules.go).
// A refusal is an outcome of the decision, with its reason in Bahasa; an
// error is a storage failure only. Every command carries a key, and a key
// decided before returns its first decision, so a re-proposal after a
// leader change or a retried call decides nothing twice.
//
// Offices ask for decisions through the replicated log (Service.Request: a
// decision request event, which works offline), keyed by that event's ID;
// on the dinas the Watcher proposes each request as it arrives and rescans
// for undecided ones on becoming leader. A kecamatan holding a lease gives
// NIKs from it offline (AssignFromLease) and files a ConfirmNIK for each.
//
// Its state lives in a badger of its own (OpenDB, under the data directory's
// "decisions"), with the applied index in the same transaction, so a restart
// never applies an entry twice. Every entry a decision writes costs each
// dinas server a badger write under load, so a NIK writes three (its
// command key, the NIK, its head's counter) and an eighth of a run of
// decisions (runs.go), where it wrote five. Those writes are not fsynced:
// the Raft log is, and a state that lost its newest batches in a power cut
// has a lower applied index, from which Raft applies the entries again.
//
// Decisions are published into the replicated log in blocks: one event of
// the cluster's logical origin, signed with the cluster key, per block of
// consecutive decisions, with seq = the block's number. The Raft log fixes
// each block's bounds (the leader proposes a Seal at most every 100 ms while
// decisions are open, and a block also closes at 256 decisions or 64 KiB),
// so every dinas replica builds the same bytes and the copies merge away.
// One signature and one store transaction then carry a round's decisions,
// which halved the CPU a decision costs under load. Every node files the
// decisions of the blocks it stores by key (the book), where an office finds
// the decision on its request.
package decision
