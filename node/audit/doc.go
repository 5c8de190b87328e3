// Package audit answers who changed or read what, from the replicated log
// itself: every change event names its officer, office and device (the
// node that signed it), and reading a resident's full biodata is recorded
// as an event too (Reads), so the audit covers every office once their
// logs have met.
package audit
