// Package mcc is Sinkron's fingerprint 1:1 matcher: the Minutia
// Cylinder-Code of Cappelli, Ferrara and Maltoni ("Minutia Cylinder-Code: a
// new representation and matching technique for fingerprint recognition",
// IEEE TPAMI 32(12), 2010), in its bit-vector form.
//
// Each minutia gets a cylinder: a grid of Ns×Ns cells around it, aligned to
// its direction, times Nd direction sectors; a cell's bit says whether a
// neighbouring minutia lies near that cell with that relative direction.
// Two cylinders are compared by popcounts over the cells both can see; the
// matrix of cylinder similarities is consolidated into one score by the
// paper's LSS-R: the best-matching pairs are relaxed against each other
// (pairs whose mutual distances and angles agree support each other) and
// the most efficient ones averaged.
//
// Templates (cylinders) are made once per finger and reused for every
// comparison; a Matcher holds the scratch space of one goroutine.
package mcc
