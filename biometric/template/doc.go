// Package template holds the biometric templates of one recording as the
// matchers use them: fingers as minutiae in ISO/IEC 19794-2 units, irises as
// a 2048-bit IrisCode with a 2048-bit mask, and the exception codes that say
// a finger or eye could not be captured. It has no behaviour beyond small
// checks; formats live in iso19794 and matching in mcc and iris.
package template
