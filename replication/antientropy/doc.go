// Package antientropy is the sync protocol between two replicas over a
// libp2p stream: delta anti-entropy by version vectors.
//
// One exchange is one round trip plus the data. The dialer sends HELLO with
// its vector (origins as 8-byte tags); the listener answers REPLY naming
// what it lacks; equal peers stop there, one round trip of a few hundred
// bytes. Otherwise both stream BATCH frames of the events the other lacks,
// in causal order, end with DONE, and send ACK once all they received is
// committed. Each batch is verified in parallel and committed in one
// transaction while the next is read, so an interrupted exchange resumes
// from the last committed batch at the next one.
//
// An event crosses a link once per destination: exchanges claim what they
// send (claims), so two exchanges with one peer (each side dialed the
// other), a HELLO that left before the events arrived, or a sibling of a
// peer that relays do not carry it again. One exchange at a time sends a
// peer events; the other sends nothing and runs again when it ends. Who
// may be synced, whom new writes go to and who passes events on is the
// Topology the node gives (its roster); after each exchange the
// Observer is told.
//
// Frame: uvarint length ‖ type byte ‖ body (replication/frame, length first).
//
//	HELLO  uvarint wall-ms ‖ uvarint n ‖ n × (tag[8] ‖ uvarint seq)
//	REPLY  uvarint wall-ms ‖ uvarint will-send ‖ uvarint n ‖ n × (tag[8] ‖ uvarint from)
//	BATCH  uvarint n ‖ n × (uvarint len ‖ event)
//	DONE   (empty)
//	ACK    (empty) or 0x01: some events could not be stored yet (a dep missing)
package antientropy
