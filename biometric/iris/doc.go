// Package iris compares Daugman IrisCodes (template.IrisCode): the masked
// fractional Hamming distance over a range of rotations of the probe (a
// tilted head rotates the code along its angular axis), with Daugman's
// normalisation of the score for the number of bits compared:
//
//	HD_norm = 0.5 − (0.5 − HD)·sqrt(n/911)
//
// (Daugman, "How iris recognition works", IEEE TCSVT 14(1), 2004: 911 is the
// typical number of bits compared, so a comparison over few bits, which
// could be low by chance, is pulled towards 0.5.)
//
// The counting kernel (DistanceMany) compares one eye with many in one
// call. On amd64 CPUs with AVX-512 VPOPCNTDQ it is assembly
// (distance_amd64.s): the fixed eye's code and mask sit in eight ZMM
// registers and each other eye costs eight loads, twelve logic operations
// and eight vector popcounts. Elsewhere a portable loop over math/bits
// popcounts runs; a property test holds the two to the same counts.
package iris
