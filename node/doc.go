// Package node wires one Sinkron office node from its config: identity and
// data directory, roster, badger store, libp2p host with the roster gate,
// anti-entropy sync, document transfer, the Sinkronisasi Data service, the
// WhatsApp outbox and metrics. The api package serves it over Connect.
package node
