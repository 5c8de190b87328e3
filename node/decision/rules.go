package decision

import (
	"encoding/binary"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/dgraph-io/badger/v4"

	"github.com/sinkron-id/sinkron/node/eventpb"
)

// maxSerial is the last 4-digit serial; leases grow down from it while the
// dinas assigns up from 1, and the two never cross.
const maxSerial = 9999

// rules decides commands against state in one transaction.
type rules struct{ txn *badger.Txn }

// decide fills d's outcome for cmd, writing the state it changes. A
// refusal is an outcome, not an error: errors are storage failures only.
func (r rules) decide(cmd *eventpb.Command, d *eventpb.Decision) error {
	var err error
	switch op := cmd.Op.(type) {
	case *eventpb.Command_AssignNik:
		err = r.assignNIK(op.AssignNik, d)
	case *eventpb.Command_LeaseNikSlots:
		err = r.lease(op.LeaseNikSlots, d)
	case *eventpb.Command_ConfirmNik:
		err = r.confirmNIK(op.ConfirmNik, d)
	case *eventpb.Command_AllocateBlankSerials:
		err = r.allocateBlanks(op.AllocateBlankSerials, d)
	case *eventpb.Command_IssueCard:
		err = r.issueCard(op.IssueCard, d)
	case *eventpb.Command_RecordDedupVerdict:
		err = r.verdict(op.RecordDedupVerdict, d)
	case *eventpb.Command_AssignKk:
		err = r.assignKK(op.AssignKk, cmd.TimeMs, d)
	case *eventpb.Command_ConsolidateChange, *eventpb.Command_ChangeRoster, *eventpb.Command_ConfirmWarehouse:
		// Accepted as ordered; their effect is the published decision.
	default:
		d.Refused = "perintah tidak dikenal"
	}
	return err
}

func (r rules) get(key []byte) ([]byte, bool, error) {
	item, err := r.txn.Get(key)
	if errors.Is(err, badger.ErrKeyNotFound) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, err
	}
	v, err := item.ValueCopy(nil)
	return v, true, err
}

func (r rules) getU64(key []byte, def uint64) (uint64, error) {
	v, ok, err := r.get(key)
	if err != nil || !ok || len(v) < 8 {
		return def, err
	}
	return binary.BigEndian.Uint64(v), nil
}

// assignKK numbers a new family card: region ‖ DDMMYY of the command's
// day (UTC+7, the regency's) ‖ the next of 9999 serials for that head.
func (r rules) assignKK(c *eventpb.AssignKK, ms int64, d *eventpb.Decision) error {
	if !digits(c.Region, 6) {
		d.Refused = fmt.Sprintf("kode wilayah %q harus 6 digit", c.Region)
		return nil
	}
	day := time.UnixMilli(ms).In(time.FixedZone("WIB", 7*3600))
	head := fmt.Sprintf("%s%02d%02d%02d", c.Region, day.Day(), int(day.Month()), day.Year()%100)
	next, err := r.getU64(kkNextKey(head), 1)
	if err != nil || next > maxSerial {
		if err == nil {
			d.Refused = fmt.Sprintf("nomor urut KK untuk %s habis", head)
		}
		return err
	}
	d.Kk = fmt.Sprintf("%s%04d", head, next)
	return r.txn.Set(kkNextKey(head), u64(next+1))
}

// nikHead is region ‖ DDMMYY with +40 on the day for women.
func nikHead(region, birth string, female bool) (string, error) {
	if !digits(region, 6) {
		return "", fmt.Errorf("kode wilayah %q harus 6 digit", region)
	}
	t, err := time.Parse(time.DateOnly, birth)
	if err != nil {
		return "", fmt.Errorf("tanggal lahir %q tidak valid", birth)
	}
	day := t.Day()
	if female {
		day += 40
	}
	return fmt.Sprintf("%s%02d%02d%02d", region, day, int(t.Month()), t.Year()%100), nil
}

func atoi(s string) int { n, _ := strconv.Atoi(s); return n }

func digits(s string, n int) bool {
	if len(s) != n {
		return false
	}
	for _, c := range s {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// assignNIK gives a subject its NIK: the next free serial of its head, or
// the NIK it already holds. A command retried under a new key (a CLI or a
// counter that timed out and asked again) must not mint a second number;
// answering with the held NIK, not refusing, lets the retry's caller go on.
// The subject's NIK comes from the replicated state alone, so every
// replica answers the same; a server from before this rule would mint the
// second number, so the dinas servers are upgraded together (all stopped,
// then all started), not one by one.
func (r rules) assignNIK(c *eventpb.AssignNIK, d *eventpb.Decision) error {
	if c.Subject != "" {
		held, ok, err := r.get(subjectKey(c.Subject))
		if err != nil || ok {
			d.Nik = string(held)
			return err
		}
	}
	head, err := nikHead(c.Region, c.BirthDate, c.Female)
	if err != nil {
		d.Refused = err.Error()
		return nil
	}
	floor, err := r.getU64(leaseFloorKey(c.Region), maxSerial+1)
	if err != nil {
		return err
	}
	// Below the lease floor only the dinas assigns, one after another, so
	// the lowest free serial is a counter: O(1), and no iterator over the
	// batch's pending writes (badger sorts them for every iterator).
	next, err := r.getU64(centralNextKey(head), 1)
	if err != nil {
		return err
	}
	// Serials reserved by registered residents are skipped; the counter
	// passes each only once, so this stays O(1) over a head's life. The
	// NIK is the head and its serial, so its holder's key says it is taken.
	for next < floor {
		_, held, err := r.get(nikKey(fmt.Sprintf("%s%04d", head, next)))
		if err != nil {
			return err
		}
		if !held {
			break
		}
		next++
	}
	if next >= floor {
		d.Refused = fmt.Sprintf("nomor urut NIK untuk %s habis", head)
		return nil
	}
	serial := uint16(next)
	if err := r.txn.Set(centralNextKey(head), u64(next+1)); err != nil {
		return err
	}
	nik := fmt.Sprintf("%s%04d", head, serial)
	if err := r.txn.Set(nikKey(nik), []byte(c.Subject)); err != nil {
		return err
	}
	if c.Subject != "" { // it held none: looked up above
		if err := r.txn.Set(subjectKey(c.Subject), []byte(nik)); err != nil {
			return err
		}
	}
	top, err := r.getU64(centralMaxKey(c.Region), 0)
	if err == nil && uint64(serial) > top {
		err = r.txn.Set(centralMaxKey(c.Region), u64(uint64(serial)))
	}
	d.Nik = nik
	return err
}

func (r rules) lease(c *eventpb.LeaseNIKSlots, d *eventpb.Decision) error {
	if c.Count == 0 || c.Count > 1000 || !digits(c.Region, 6) {
		d.Refused = "permintaan sewa nomor urut tidak valid"
		return nil
	}
	floor, err := r.getU64(leaseFloorKey(c.Region), maxSerial+1)
	if err != nil {
		return err
	}
	top, err := r.getU64(centralMaxKey(c.Region), 0)
	if err != nil {
		return err
	}
	if floor <= uint64(c.Count)+top {
		d.Refused = "ruang nomor urut wilayah tidak cukup untuk disewakan"
		return nil
	}
	from := floor - uint64(c.Count)
	d.SerialFrom, d.SerialTo = from, floor-1
	if err := r.txn.Set(leaseFloorKey(c.Region), u64(from)); err != nil {
		return err
	}
	return r.txn.Set(leaseKey(c.Region, c.Node, uint16(from)), u16(uint16(floor-1)))
}

func (r rules) confirmNIK(c *eventpb.ConfirmNIK, d *eventpb.Decision) error {
	if !digits(c.Nik, 16) {
		d.Refused = "NIK harus 16 digit"
		return nil
	}
	serial := uint16(atoi(c.Nik[12:]))
	// Without a node it is a resident registered from existing records,
	// whose NIK was given before Sinkron: reserved so nothing gives it again.
	inLease := c.Node == ""
	if !inLease {
		var err error
		if inLease, err = r.inLease(c.Nik[:6], c.Node, serial); err != nil {
			return err
		}
	}
	if !inLease {
		d.Refused = fmt.Sprintf("nomor urut %04d bukan bagian dari sewa node %s", serial, c.Node)
		return nil
	}
	holder, held, err := r.get(nikKey(c.Nik))
	if err != nil {
		return err
	}
	if held && string(holder) != c.Subject {
		d.Refused = "NIK sudah dimiliki penduduk lain"
		return nil
	}
	d.Nik = c.Nik
	if err := r.holds(c.Subject, c.Nik); err != nil {
		return err
	}
	return r.txn.Set(nikKey(c.Nik), []byte(c.Subject))
}

// holds records nik as subject's NIK unless it holds one already: the
// first stays the answer. A confirmed lease NIK counts, since the office
// gave it to the subject offline; it is not refused for a second one, as
// the resident may already carry it.
func (r rules) holds(subject, nik string) error {
	if subject == "" {
		return nil
	}
	if _, ok, err := r.get(subjectKey(subject)); err != nil || ok {
		return err
	}
	return r.txn.Set(subjectKey(subject), []byte(nik))
}

func (r rules) inLease(region, node string, serial uint16) (bool, error) {
	p := leasePrefix(region, node)
	it := r.txn.NewIterator(badger.IteratorOptions{Prefix: p, PrefetchValues: true})
	defer it.Close()
	for it.Rewind(); it.Valid(); it.Next() {
		from := binary.BigEndian.Uint16(it.Item().Key()[len(p):])
		v, err := it.Item().ValueCopy(nil)
		if err != nil {
			return false, err
		}
		if serial >= from && serial <= binary.BigEndian.Uint16(v) {
			return true, nil
		}
	}
	return false, nil
}

func (r rules) allocateBlanks(c *eventpb.AllocateBlankSerials, d *eventpb.Decision) error {
	if c.Count == 0 || c.Count > 100000 || c.Station == "" {
		d.Refused = "permintaan blangko tidak valid"
		return nil
	}
	next, err := r.getU64(keyNextBlank, 1)
	if err != nil {
		return err
	}
	d.SerialFrom, d.SerialTo = next, next+uint64(c.Count)-1
	return r.txn.Set(keyNextBlank, u64(next+uint64(c.Count)))
}

func (r rules) issueCard(c *eventpb.IssueCard, d *eventpb.Decision) error {
	next, err := r.getU64(keyNextBlank, 1)
	if err != nil {
		return err
	}
	if c.BlankSerial == 0 || c.BlankSerial >= next {
		d.Refused = fmt.Sprintf("blangko %d belum dialokasikan", c.BlankSerial)
		return nil
	}
	if used, ok, err := r.get(blankKey(c.BlankSerial)); err != nil || ok {
		if ok {
			d.Refused = fmt.Sprintf("blangko %d sudah dipakai untuk NIK %s", c.BlankSerial, used)
		}
		return err
	}
	prev, err := r.getU64(activeCardKey(c.Nik), 0)
	if err != nil {
		return err
	}
	d.Nik, d.RevokedCard, d.SerialFrom = c.Nik, prev, c.BlankSerial
	if err := r.txn.Set(blankKey(c.BlankSerial), []byte(c.Nik)); err != nil {
		return err
	}
	return r.txn.Set(activeCardKey(c.Nik), u64(c.BlankSerial))
}

func (r rules) verdict(c *eventpb.RecordDedupVerdict, d *eventpb.Decision) error {
	switch c.Verdict {
	case "unik", "duplikat", "adjudikasi":
	default:
		d.Refused = "putusan harus unik, duplikat atau adjudikasi"
		return nil
	}
	prev, ok, err := r.get(verdictKey(c.Enrollment))
	if err != nil {
		return err
	}
	if ok && string(prev) != "adjudikasi" {
		d.Refused = "perekaman ini sudah diputus: " + string(prev)
		return nil
	}
	return r.txn.Set(verdictKey(c.Enrollment), []byte(c.Verdict))
}
