#include "textflag.h"

// func cellCountsAVX512(a *uint64, b *uint64, stride int, out *uint64, count int)
//
// a: one cylinder's eight words (sectors, valid cells, zero), kept in Z0.
// For each of count cylinders at b, stride bytes apart, with v the valid
// cells of both: out = Σ popcount(a&v) | Σ popcount(b&v)<<16 |
// Σ popcount((a^b)&v)<<32 | popcount(v)<<48, sums over the eight words
// (cellCountsScalar is the same in Go).
TEXT ·cellCountsAVX512(SB), NOSPLIT, $0-40
	MOVQ a+0(FP), SI
	MOVQ b+8(FP), DI
	MOVQ stride+16(FP), BX
	MOVQ out+24(FP), DX
	MOVQ count+32(FP), CX
	TESTQ CX, CX
	JLE  done
	VMOVDQU64 0(SI), Z0
	MOVQ 48(SI), R12            // a's valid cells

loop:
	MOVQ 48(DI), R10
	ANDQ R12, R10               // cells both see
	POPCNTQ R10, R11
	SHLQ $48, R11
	VPBROADCASTQ R10, Z1
	VPANDQ Z0, Z1, Z2           // a's
	VPANDQ 0(DI), Z1, Z3        // b's
	VPXORQ Z2, Z3, Z4
	VPOPCNTQ Z2, Z2
	VPOPCNTQ Z3, Z3
	VPOPCNTQ Z4, Z4
	VPSLLQ $16, Z3, Z3
	VPSLLQ $32, Z4, Z4
	VPADDQ Z3, Z2, Z2
	VPADDQ Z4, Z2, Z2
	VEXTRACTI64X4 $1, Z2, Y3
	VPADDQ Y3, Y2, Y2
	VEXTRACTI128 $1, Y2, X3
	VPADDQ X3, X2, X2
	VPSHUFD $0x4e, X2, X3
	VPADDQ X3, X2, X2
	VMOVQ X2, AX
	ORQ R11, AX
	MOVQ AX, 0(DX)

	ADDQ BX, DI
	ADDQ $8, DX
	DECQ CX
	JNZ  loop

done:
	VZEROUPPER
	RET
