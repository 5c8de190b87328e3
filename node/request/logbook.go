package request

import (
	"slices"
	"time"
)

// wib is the regency's time zone when the office names none: logbook days
// and printed times follow the office's clock, not UTC.
var wib = time.FixedZone("WIB", 7*3600)

func (s *Service) zone() *time.Location {
	if s.office.Zone != nil {
		return s.office.Zone
	}
	return wib
}

// LogEntry is one line of an office's daily logbook (buku harian).
type LogEntry struct {
	At            time.Time
	RequestID     string
	Service       string
	ApplicantName string
	NIK           string
	Officer       string
	What          string // a status, or a step's title
	Note          string
}

// Logbook lists what an office recorded on a day (in the office's time
// zone): every status change and every step, in time order.
func (s *Service) Logbook(office string, day time.Time) ([]LogEntry, error) {
	if office == "" {
		office = s.office.Name
	}
	y, m, d := day.In(s.zone()).Date()
	from := time.Date(y, m, d, 0, 0, 0, 0, s.zone())
	to := from.AddDate(0, 0, 1)
	in := func(at time.Time) bool { return !at.Before(from) && at.Before(to) }
	all, err := s.List(Filter{})
	var out []LogEntry
	for _, r := range all {
		entry := func(at time.Time, officer, what, note string) LogEntry {
			return LogEntry{At: at.In(s.zone()), RequestID: r.ID, Service: r.Service, ApplicantName: r.ApplicantName, NIK: r.NIK, Officer: officer, What: what, Note: note}
		}
		for _, c := range r.History {
			if c.Office == office && in(c.At) {
				out = append(out, entry(c.At, c.Officer, c.Status.String(), c.Note))
			}
		}
		for _, st := range r.Steps {
			if (st.Done || st.Waiting) && st.Office == office && in(st.At) {
				out = append(out, entry(st.At, st.Officer, st.Short(), st.Note))
			}
		}
	}
	slices.SortStableFunc(out, func(a, b LogEntry) int { return a.At.Compare(b.At) })
	return out, err
}

// schedule sets each open step's due time from its time standard, counted
// from when the step before it ended (the approval for the first one), and
// flags the steps past it.
func schedule(r *Request, now time.Time) {
	var since time.Time
	for _, c := range r.History {
		if c.Status == Diproses && since.IsZero() {
			since = c.At
		}
	}
	for i := range r.Steps {
		st := &r.Steps[i]
		if st.Done {
			since = st.At
			continue
		}
		if since.IsZero() || r.Status != Diproses {
			return
		}
		st.Due = since.Add(st.Standard)
		st.Overdue = now.After(st.Due)
		return // only the step at hand is due; later ones wait for it
	}
}
