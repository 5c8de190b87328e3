#include "textflag.h"

// func distanceManyAVX512(p *uint64, gal *uint64, stride int, out *uint64, count int)
//
// p: one eye, 32 code words then 32 mask words, held in Z0–Z7 for the
// whole call. gal: count eyes of the same layout, stride bytes apart. For
// each, out[i] = popcount((pc^gc)&pm&gm) | popcount(pm&gm)<<32.
TEXT ·distanceManyAVX512(SB), NOSPLIT, $0-40
	MOVQ p+0(FP), SI
	MOVQ gal+8(FP), DI
	MOVQ stride+16(FP), BX
	MOVQ out+24(FP), DX
	MOVQ count+32(FP), CX
	TESTQ CX, CX
	JLE  done

	VMOVDQU64 0(SI), Z0   // code words 0–7
	VMOVDQU64 64(SI), Z1
	VMOVDQU64 128(SI), Z2
	VMOVDQU64 192(SI), Z3
	VMOVDQU64 256(SI), Z4 // mask words 0–7
	VMOVDQU64 320(SI), Z5
	VMOVDQU64 384(SI), Z6
	VMOVDQU64 448(SI), Z7

loop:
	// masks both keep
	VPANDQ 256(DI), Z4, Z8
	VPANDQ 320(DI), Z5, Z9
	VPANDQ 384(DI), Z6, Z10
	VPANDQ 448(DI), Z7, Z11
	// disagreeing bits among them
	VPXORQ 0(DI), Z0, Z12
	VPXORQ 64(DI), Z1, Z13
	VPXORQ 128(DI), Z2, Z14
	VPXORQ 192(DI), Z3, Z15
	VPANDQ Z8, Z12, Z12
	VPANDQ Z9, Z13, Z13
	VPANDQ Z10, Z14, Z14
	VPANDQ Z11, Z15, Z15
	VPOPCNTQ Z8, Z8
	VPOPCNTQ Z9, Z9
	VPOPCNTQ Z10, Z10
	VPOPCNTQ Z11, Z11
	VPOPCNTQ Z12, Z12
	VPOPCNTQ Z13, Z13
	VPOPCNTQ Z14, Z14
	VPOPCNTQ Z15, Z15
	VPADDQ Z9, Z8, Z8
	VPADDQ Z11, Z10, Z10
	VPADDQ Z13, Z12, Z12
	VPADDQ Z15, Z14, Z14
	VPADDQ Z10, Z8, Z8    // bits compared, per lane (≤ 256)
	VPADDQ Z14, Z12, Z12  // bits that differ, per lane
	// one lane sum carries both: diff in the low half, n in the high
	VPSLLQ $32, Z8, Z8
	VPADDQ Z8, Z12, Z12
	VEXTRACTI64X4 $1, Z12, Y13
	VPADDQ Y13, Y12, Y12
	VEXTRACTI128 $1, Y12, X13
	VPADDQ X13, X12, X12
	VPSHUFD $0x4e, X12, X13
	VPADDQ X13, X12, X12
	VMOVQ X12, AX
	MOVQ AX, 0(DX)

	ADDQ BX, DI
	ADDQ $8, DX
	DECQ CX
	JNZ  loop

done:
	VZEROUPPER
	RET
