// Package replication is Sinkron's replicated log and the dinas Raft group
// beside it: signed immutable events, hybrid logical clocks, version
// vectors, a deterministic fold of an entity's events into its state, the
// badger-backed store, delta anti-entropy over libp2p, content-addressed
// blobs, flash-disk bundles, and the consensus package that orders the
// decisions the merge cannot settle (the decision machine itself is
// node/decision; its decisions come back into the log as signed blocks).
//
// Subpackages, from the bottom up:
//
//	event        the event, its canonical encoding, signing and verification
//	hlc          the hybrid logical clock with a bounded offset
//	vv           version vectors (origin → highest contiguous sequence)
//	frame        the one framing of the sync, forward and bundle streams
//	fold         multi-value-register fold that surfaces concurrent edits
//	roster       which peers are offices: a genesis signed by the dinas
//	             cluster key, then roster decisions; the connection gater
//	store        badger store: events, vector, entity index, folded state
//	blob         content-addressed documents moved in resumable chunks
//	antientropy  the libp2p sync protocol
//	bundle       the same events carried on a flash disk
//	consensus    the dinas Raft group (hashicorp/raft) over the same libp2p
//	             host, with its sealed snapshots
//	wal          the Raft group's write-ahead log (raft's log and stable store)
//
// DESIGN.md at the repository root puts them together.
package replication
