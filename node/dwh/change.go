package dwh

import (
	"time"
)

// StreamDecisions is the stream of published decisions, by decision number.
const StreamDecisions = "keputusan"

// Position names one change: its stream and its place there (from 1).
type Position struct {
	Stream string
	Seq    uint64
}

// Checkpoint is how far the warehouse holds each stream.
type Checkpoint map[string]uint64

// Resident is a resident's row: only the fields institutions' checks compare
// and the office that registered them.
type Resident struct {
	NIK, Nama, TempatLahir, TanggalLahir, JenisKelamin, NamaIbu, Office string
	UpdatedAt                                                           time.Time
}

// Member is one person on a family card.
type Member struct{ NIK, Hubungan string }

// Family is a family card's row with all its current members.
type Family struct {
	KK, Kepala, Alamat string
	Members            []Member
	UpdatedAt          time.Time
}

// Card is the NIK's one active card.
type Card struct {
	NIK      string
	Serial   uint64
	IssuedAt time.Time
}

// NIK states in nik_state.
const (
	StateConsolidated = "konsolidasi"          // consolidated as of Since
	StatePending      = "tertunda"             // a change is held at Office since Since
	StateAwaiting     = "menunggu-konsolidasi" // at the dinas, not yet consolidated
	StateAdjudication = "adjudikasi"           // a double recording is being adjudicated
)

// State is what the dinas knows of a NIK beyond its record.
type State struct {
	NIK, State, Office string
	Since              time.Time
}

// Pending is an open request naming a NIK and where its file is (State is
// StatePending at a kecamatan, StateAwaiting at the dinas). Done removes it.
type Pending struct {
	Request, NIK, State, Office string
	Since                       time.Time
	Done                        bool
}

// Change is one position's rows. A change with no rows only advances the
// checkpoint (a decision or an event that touches no warehouse table).
type Change struct {
	Pos      Position
	At       time.Time // when the decision was taken or the event written
	Resident *Resident
	Family   *Family
	Card     *Card
	State    *State
	Pending  *Pending
}
