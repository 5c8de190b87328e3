// Package main is the sinkron command, which runs and operates Sinkron
// nodes: `node` runs one office from its config, `demo` runs a whole
// regency in one process, `bench` measures it, and the client commands talk
// Connect to a node's API as counter software does.
package main
