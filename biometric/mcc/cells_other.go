//go:build !amd64

package mcc

func cellCounts(a *cylinder, b []cylinder, out []uint64) { cellCountsScalar(a, b, out) }
