package mcc

import (
	"unsafe"

	"golang.org/x/sys/cpu"
)

// avx512 is the one CPU-feature choice, made at start.
var avx512 = cpu.X86.HasAVX512F && cpu.X86.HasAVX512VPOPCNTDQ

//go:noescape
func cellCountsAVX512(a *uint64, b *uint64, stride int, out *uint64, count int)

// cellCounts is cellCountsScalar, in assembly where the CPU allows.
func cellCounts(a *cylinder, b []cylinder, out []uint64) {
	if !avx512 || len(b) == 0 {
		cellCountsScalar(a, b, out)
		return
	}
	_ = out[len(b)-1]
	cellCountsAVX512(&a.bits[0], &b[0].bits[0], int(unsafe.Sizeof(cylinder{})), &out[0], len(b))
}
