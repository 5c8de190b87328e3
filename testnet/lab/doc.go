// Package lab runs a whole regency as real `sinkron node` processes in
// the network namespaces of testnet/netlab: a dinas Raft cluster and N
// kecamatan offices, each behind an emulated uplink (3G, VSAT, fiber) that
// scenarios cut, heal and degrade while they pause, kill and restart nodes.
//
// Up provisions the regency (node.Provision with listen addresses on the
// lab's office addresses), starts netlab's controller as a detached
// `sinkron-lab testnet serve` process so a CLI call can return while the lab
// runs, starts each node inside its office's namespace through the
// controller, leaves the first ADB SIAK account as a pending admin with a
// generated password kept in the state directory, and creates the
// officers the workload signs in as. Open reconnects to a lab that is up,
// from another process; Down removes everything Up made.
//
// Scenarios drive nodes only through the Connect API, as counter software
// would, signed in as officers. Beside the kecamatan counters, the dinas's
// print room (PrintRoom) prints KTP-el cards through the DecisionService:
// first cards and replacements, a print resent with its key, two prints
// for one NIK at once, prints through a Raft follower and to a killed
// server, and a print on a used blank, which the dinas must refuse. The
// answers and the cards are judged by testnet/printroom, as the
// simulator's are.
//
// A client for an office dials from inside that office's namespace
// (netlab.DialIn): the counter is on the office's LAN, so its calls cross
// no emulated link and still work when the uplink is cut, and the host
// needs no route into the lab. Residents checking a request come from the
// hub's namespace, across the dinas's uplink.
//
// After healing, the invariants are checked over the API: every office
// holds the same version vector and state hash, every acknowledged request
// with its acknowledged changes, no event from outside the roster, no
// decision left pending, every concurrent conflicting edit surfaced, no
// NIK handed out twice, and one active KTP-el card per NIK: no blank
// printed twice, each NIK's cards one chain of replacements whose last
// card every dinas server names active, and every card's decision at
// every office.
package lab
