// Package iris compares Daugman IrisCodes (template.IrisCode): the masked
// fractional Hamming distance, counted 64 bits at a time with math/bits'
// popcount, over a range of rotations of the probe (a tilted head rotates
// the code along its angular axis), with Daugman's normalisation of the
// score for the number of bits compared:
//
//	HD_norm = 0.5 − (0.5 − HD)·sqrt(n/911)
//
// (Daugman, "How iris recognition works", IEEE TCSVT 14(1), 2004: 911 is the
// typical number of bits compared, so a comparison over few bits, which
// could be low by chance, is pulled towards 0.5.)
package iris
