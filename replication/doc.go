// Package replication is Sinkron's replicated log: signed immutable events,
// hybrid logical clocks, version vectors, a deterministic fold of an entity's
// events into its state, the badger-backed store, delta anti-entropy over
// libp2p, flash-disk bundles and content-addressed blobs.
//
// Subpackages, from the bottom up:
//
//	event        the event, its canonical encoding, signing and verification
//	hlc          the hybrid logical clock with a bounded offset
//	vv           version vectors (origin → highest contiguous sequence)
//	frame        the one framing of the sync, forward and bundle streams
//	fold         multi-value-register fold that surfaces concurrent edits
//	roster       which peers are offices, from a genesis signed by the dinas
//	store        badger store: events, vector, entity index, folded state
//	blob         content-addressed documents moved in resumable chunks
//	antientropy  the libp2p sync protocol
//	bundle       the same events carried on a flash disk
//	wal          the dinas Raft group's write-ahead log (raft's log and stable store)
package replication
