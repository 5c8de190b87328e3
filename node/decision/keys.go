package decision

import "encoding/binary"

// Key layout: one 'D' prefix for the whole machine, so a snapshot is one
// prefix scan and a restore one prefix drop.
const prefix = 'D'

var keyApplied = []byte{prefix, 'a'} // the tally (fsm.go)

// Table 'u' (head ‖ serial → taken) is retired: it repeated 'n', whose key
// is the same head and serial, and cost a write per NIK. States from before
// still hold its keys; nothing reads them.

func k(table byte, parts ...[]byte) []byte {
	b := []byte{prefix, table}
	for _, p := range parts {
		b = append(b, p...)
	}
	return b
}

func u64(v uint64) []byte { return binary.BigEndian.AppendUint64(nil, v) }
func u16(v uint16) []byte { return binary.BigEndian.AppendUint16(nil, v) }

func keyOf(key string) []byte     { return k('k', []byte(key)) }
func decisionKey(n uint64) []byte { return k('d', u64(n)) } // before runs (runs.go)
func runKey(run uint64) []byte    { return k('r', u64(run)) }
func blockKey(n uint64) []byte    { return k('B', u64(n)) }      // → last decision number
func nikKey(nik string) []byte    { return k('n', []byte(nik)) } // → subject; also marks the serial taken
func leaseKey(region, node string, from uint16) []byte {
	return k('l', []byte(region), []byte{0}, []byte(node), []byte{0}, u16(from))
}
func leasePrefix(region, node string) []byte {
	return k('l', []byte(region), []byte{0}, []byte(node), []byte{0})
}

// subjectKey → the NIK a subject was given first (rules.go assignNIK).
func subjectKey(subject string) []byte { return k('s', []byte(subject)) }

// keySubjectsIndexed marks a state whose 's' table covers every NIK in
// 'n'; a state written before the table is indexed once (subjects.go).
var keySubjectsIndexed = []byte{prefix, 'S'}

func centralNextKey(head12 string) []byte { return k('h', []byte(head12)) }
func kkNextKey(head12 string) []byte      { return k('K', []byte(head12)) }
func leaseFloorKey(region string) []byte  { return k('L', []byte(region)) }
func centralMaxKey(region string) []byte  { return k('M', []byte(region)) }

var keyNextBlank = []byte{prefix, 'b'}

func blankKey(serial uint64) []byte   { return k('c', u64(serial)) }
func activeCardKey(nik string) []byte { return k('C', []byte(nik)) }
func verdictKey(enrollment string) []byte {
	return k('v', []byte(enrollment))
}
