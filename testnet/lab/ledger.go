package lab

import (
	"fmt"
	"slices"
	"sync"

	"github.com/sinkron-id/sinkron/testnet/printroom"
)

// Ledger records every write a node acknowledged, for the invariants.
type Ledger struct {
	mu       sync.Mutex
	requests map[string]*Acked
	order    []string
	// niks maps each NIK handed out to the subject it went to.
	niks map[string][]string
	// conflicts are requests edited concurrently at two offices.
	conflicts []string
	// cards are the KTP-el prints the dinas acknowledged, in order;
	// cardProblems what the print room saw go wrong while printing.
	cards        []printroom.Card
	cardProblems []string
	// Counters for the report.
	Photos, PhotoBytes int
	photoBytes         map[string]int // by office
	Tracked, Found     int
	Refused            int
	// BlanksRefused counts prints on a used blank the dinas refused.
	BlanksRefused int
}

// Acked is one request and the changes made to it that were acknowledged.
type Acked struct {
	ID, Office string
	// Changes are "status:Disetujui", "step:konsolidasi-manual", …
	Changes   []string
	Cancelled bool
	// Warehouse: it waits for the warehouse's confirmation, which the lab
	// (no PostgreSQL in its namespaces) never gives.
	Warehouse bool
}

// NewLedger returns an empty ledger.
func NewLedger() *Ledger {
	return &Ledger{requests: map[string]*Acked{}, niks: map[string][]string{}, photoBytes: map[string]int{}}
}

func (g *Ledger) filed(id, office string, photos, bytes int) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.requests[id] = &Acked{ID: id, Office: office}
	g.order = append(g.order, id)
	g.Photos += photos
	g.PhotoBytes += bytes
	g.photoBytes[office] += bytes
}

// PhotoBytesOf is the size of the photos filed at office.
func (g *Ledger) PhotoBytesOf(office string) int {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.photoBytes[office]
}

func (g *Ledger) changed(id, change string) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if a, ok := g.requests[id]; ok {
		a.Changes = append(a.Changes, change)
		if change == "status:Dibatalkan" {
			a.Cancelled = true
		}
	}
}

func (g *Ledger) nik(nik, subject string) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.niks[nik] = append(g.niks[nik], subject)
}

// warehouse marks a request as waiting for the warehouse's confirmation.
func (g *Ledger) warehouse(id string) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if a, ok := g.requests[id]; ok {
		a.Warehouse = true
	}
}

// conflicted reports whether id is one of the scenario's planned
// conflicts, which the desk leaves to the scenario.
func (g *Ledger) conflicted(id string) bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	return slices.Contains(g.conflicts, id)
}

func (g *Ledger) conflict(id string) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.conflicts = append(g.conflicts, id)
}

func (g *Ledger) count(f func(*Ledger)) {
	g.mu.Lock()
	defer g.mu.Unlock()
	f(g)
}

// Requests lists the acknowledged requests, in filing order (copies).
func (g *Ledger) Requests() []Acked {
	g.mu.Lock()
	defer g.mu.Unlock()
	out := make([]Acked, 0, len(g.order))
	for _, id := range g.order {
		a := *g.requests[id]
		a.Changes = slices.Clone(a.Changes)
		out = append(out, a)
	}
	return out
}

// NIKs returns each NIK handed out with the subjects it went to.
func (g *Ledger) NIKs() map[string][]string {
	g.mu.Lock()
	defer g.mu.Unlock()
	out := make(map[string][]string, len(g.niks))
	for k, v := range g.niks {
		out[k] = slices.Clone(v)
	}
	return out
}

// Conflicts lists the requests edited concurrently.
func (g *Ledger) Conflicts() []string {
	g.mu.Lock()
	defer g.mu.Unlock()
	return slices.Clone(g.conflicts)
}

func (g *Ledger) card(c printroom.Card) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.cards = append(g.cards, c)
}

func (g *Ledger) cardProblem(format string, args ...any) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.cardProblems = append(g.cardProblems, fmt.Sprintf(format, args...))
}

// Cards lists the acknowledged cards, in the order they were acknowledged.
func (g *Ledger) Cards() []printroom.Card {
	g.mu.Lock()
	defer g.mu.Unlock()
	return slices.Clone(g.cards)
}

// CardProblems lists what the print room saw go wrong while printing.
func (g *Ledger) CardProblems() []string {
	g.mu.Lock()
	defer g.mu.Unlock()
	return slices.Clone(g.cardProblems)
}
