// Package event defines the replicated log's unit: an immutable, signed
// change to one entity, with its canonical byte encoding.
//
// An event is named by (origin, seq): the origin's libp2p peer ID and its
// per-origin sequence number, contiguous from 1. The signature covers the
// canonical encoding, so any node may relay an event and every receiver
// checks it end to end. Decoding is strict: a byte string decodes only if
// re-encoding it gives the same bytes, so equal events are equal bytes.
package event
