// Package decision is the dinas cluster's deterministic state machine: the
// few decisions that must be unique across a regency (NIKs and the serial
// leases that let offline kecamatan assign them, blank card serials, the one
// active card per NIK, deduplication verdicts, consolidated changes, roster
// changes), applied in Raft order.
//
// Its state lives in a badger of its own (OpenDB, under the data directory's
// "decisions"), with the applied index in the same transaction, so a restart
// never applies an entry twice. Those writes are not fsynced: the Raft log
// is, and a state that lost its newest batches in a power cut has a lower
// applied index, from which Raft applies the entries again. Every decision is
// kept by number and published into the replicated log as an event of the
// cluster's logical origin, signed with the cluster key, with seq = number
// and a time taken from the command: every dinas replica produces the same
// bytes, so the copies merge away. Publishing runs off the commit path, in
// rounds at most every 10 ms, so under load one store transaction carries
// many decisions.
package decision
