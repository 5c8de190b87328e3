// Package main is the sinkron command, which runs and operates Sinkron
// nodes: `node` runs one office from its config, `demo` runs a whole
// regency in one process (node/regency), and the client commands talk
// Connect to a node's API as counter software does. The lab and the load
// generator are another binary, cmd/sinkron-lab, so this one links no
// test tooling.
package main
