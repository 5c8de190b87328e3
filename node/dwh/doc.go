// Package dwh feeds the regency's data warehouse, a PostgreSQL database, from
// the dinas cluster, exactly once, and answers institutions' checks from it.
//
// The feed is a sequence of Changes, each at a Position in a stream: the
// "keputusan" stream numbers the published decisions, and every replica
// origin is a stream of its events by seq (registry state). A Change carries
// whole rows (a resident's folded record, a family with its members, the
// active card, the NIK's state), so applying it again would write the same
// rows; the Sink still applies each position once: in one PostgreSQL
// transaction it raises the feeder term (fencing), reads the checkpoint of
// every stream it touches, skips what the checkpoint already covers, refuses
// a gap, writes the rows and moves the checkpoint. A crash of the dinas
// server, of PostgreSQL or of the link between them loses the transaction
// whole, and the feed resumes from the checkpoint it finds.
//
// Only the Raft leader feeds (Feeder), and it writes with its Raft term: a
// transaction first runs UPDATE feeder SET term = $t WHERE term <= $t, which
// both serialises writers on that row and refuses a deposed leader whose
// term is lower, so a leader change never writes a position twice.
//
// Large batches (catch-up from an empty or stale warehouse) go through COPY
// into temporary tables and one merge per table; small batches (steady
// state) are upserts sent in one pgx batch.
package dwh
