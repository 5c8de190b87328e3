// Package etcd is a baseline benchmark, not part of Sinkron: it starts a
// 3-member etcd cluster (go.etcd.io/etcd/server/v3/embed) in one process
// over loopback and measures Puts and linearizable Gets with the same
// harness and metrics as Sinkron's node/decision benchmarks, so the two can
// be run in the same session on the same (noisy) machine and compared as
// ratios against the bars in TARGETS.md.
//
// It is a separate Go module so that the main module gains no etcd
// dependencies and `go test ./...` at the repository root does not run it.
// See bench_test.go for the commands.
package etcd
