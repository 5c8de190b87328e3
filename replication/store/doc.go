// Package store keeps a replica on badger: the events, the version vector,
// a per-entity index, and each entity's folded state, all written in one
// transaction per batch so that a crash leaves all of a batch or none.
//
// The store accepts an origin's events only in sequence order and an event
// only once the events it depends on are present, so the version vector
// names exactly what is stored and every replica's arrival order is causal.
// Anything else is deferred (a later sync brings it in order) or rejected:
// an origin off the roster, or a second event claiming an (origin, seq)
// already held with different bytes. Only verified batches are applied
// (event.Verified: signatures checked, in batches, off the commit path).
//
// Each batch's transaction is fsynced, and encrypted at rest with the
// node's key. What the node does with a batch it is told by one
// Observer: InTxn inside the transaction (so its writes commit with the
// events), Committed after it.
package store
