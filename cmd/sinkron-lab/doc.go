// Package main is the sinkron-lab command, the tooling that measures and
// stresses Sinkron and that the product binary does not carry: `testnet`
// runs a regency of real `sinkron node` processes in network namespaces
// (testnet/lab over testnet/netlab) and plays scenarios on it, `bench`
// files requests through a kecamatan's API in one process and reports the
// whole system's figures.
package main
