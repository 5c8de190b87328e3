// Package decision is the dinas cluster's deterministic state machine: the
// few decisions that must be unique across a regency (NIKs and the serial
// leases that let offline kecamatan assign them, blank card serials, the one
// active card per NIK, deduplication verdicts, consolidated changes, roster
// changes), applied in Raft order.
//
// Its state lives in the node's badger with the applied index in the same
// transaction, so a restart never applies an entry twice. Every decision is
// kept by number and published into the replicated log as an event of the
// cluster's logical origin, signed with the cluster key, with seq = number
// and a time taken from the command: every dinas replica produces the same
// bytes, so the copies merge away. Publishing runs off the commit path.
package decision
