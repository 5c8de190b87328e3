// Package event defines the replicated log's unit: an immutable, signed
// change to one entity, with its canonical byte encoding.
//
// An event is named by (origin, seq): the origin's libp2p peer ID and its
// per-origin sequence number, contiguous from 1. The signature covers the
// canonical encoding, so any node may relay an event and every receiver
// checks it end to end. Decoding is strict: a byte string decodes only if
// re-encoding it gives the same bytes, so equal events are equal bytes.
//
// Signatures are ed25519 (curve25519-voi) over a signing context and the
// unsigned encoding. A Verifier checks events in batches on every core;
// only it makes a Verified batch, which is what a store accepts, so
// unchecked events cannot be stored by mistake. A node's own events and
// the dinas's decision blocks are sealed by their Signer.
package event
