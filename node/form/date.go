package form

import "time"

// wit is Waktu Indonesia Timur (UTC+9), the first of Indonesia's three
// zones to reach a new day.
var wit = time.FixedZone("WIT", 9*3600)

// Future reports whether the calendar date of t (its year, month and day,
// in t's own location) is after today anywhere in Indonesia.
//
// Dates on Indonesian documents (a birth, a KK's issue date, a police
// letter) are civil dates in WIB, WITA or WIT, not instants. Judged in the
// server's zone, usually UTC, a family card the dinas numbered at 01:20
// WIB was refused as "issued tomorrow" for seven hours of every day. A
// check that only catches typos may admit a date up to two hours early in
// WIB; it must never refuse a real one.
func Future(t, now time.Time) bool {
	ty, tm, td := t.Date()
	y, m, d := now.In(wit).Date()
	return time.Date(ty, tm, td, 0, 0, 0, 0, time.UTC).After(time.Date(y, m, d, 0, 0, 0, 0, time.UTC))
}

// thisYear is the current year in Indonesia, for two-digit years.
func thisYear(now time.Time) int { return now.In(wit).Year() }
