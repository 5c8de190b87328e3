package wal

import (
	"bufio"
	"bytes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"io/fs"
	"maps"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"

	"github.com/sinkron-id/sinkron/replication/internal/derive"
)

// A segment file holds records back to back from offset 0, followed by
// zeros (the preallocated space not yet written):
//
//	record  = header(len|flags 4, crc 4) ‖ payload
//	payload = index(8, big-endian) ‖ body
//	body    = encodeLog's bytes, or with a key nonce(12) ‖ AES-GCM(those bytes, ad = index)
//
// The CRC-32C covers the first header word and the payload, so neither a
// torn length nor a torn flag passes for a record. The first record of each
// StoreLogs batch carries walBatchStart: a crash can tear only the last
// batch written, so a bad record with a later batch's record behind it is
// corruption of data already stored, not a torn write (see scanSegment).
const (
	walRecHeader  = 8
	walRecMinLen  = 8 // the index
	walBatchStart = 1 << 31
	walRecMaxLen  = 1<<30 - 1
	walSegmentExt = ".wal"
)

// DefaultSegmentSize is the size a log's segment files are made with.
const DefaultSegmentSize = 64 << 20

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// segment is one file of the log, named by the index of its first record.
type segment struct {
	base uint64
	f    *os.File
	offs []uint32 // offs[i] is where record base+i starts
	end  int64    // where the next record goes
}

func segmentName(base uint64) string { return fmt.Sprintf("%020d%s", base, walSegmentExt) }

// extent is where record i lies, header included.
func (s *segment) extent(i uint64) (off, end int64) {
	k := i - s.base
	off, end = int64(s.offs[k]), s.end
	if k+1 < uint64(len(s.offs)) {
		end = int64(s.offs[k+1])
	}
	return off, end
}

// last is the index of the segment's last record, base-1 when it has none.
func (s *segment) last() uint64 { return s.base + uint64(len(s.offs)) - 1 }

// listSegments returns the bases of dir's segment files, in order.
func listSegments(dir string) ([]uint64, error) {
	ents, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	var bases []uint64
	for _, e := range ents {
		name, ok := strings.CutSuffix(e.Name(), walSegmentExt)
		if !ok || e.IsDir() {
			continue
		}
		base, err := strconv.ParseUint(name, 10, 64)
		if err != nil || len(name) != 20 || base == 0 {
			return nil, fmt.Errorf("unexpected file %s in raft wal", e.Name())
		}
		bases = append(bases, base)
	}
	slices.Sort(bases)
	return bases, nil
}

// appendRecord appends one record; body is the payload after the index.
func appendRecord(buf []byte, index uint64, start bool, body func([]byte) []byte) []byte {
	at := len(buf)
	buf = append(buf, make([]byte, walRecHeader)...)
	buf = binary.BigEndian.AppendUint64(buf, index)
	buf = body(buf)
	h := uint32(len(buf) - at - walRecHeader)
	if start {
		h |= walBatchStart
	}
	binary.BigEndian.PutUint32(buf[at:], h)
	binary.BigEndian.PutUint32(buf[at+4:], recordCRC(buf[at:at+4], buf[at+walRecHeader:]))
	return buf
}

func recordCRC(word, payload []byte) uint32 {
	return crc32.Update(crc32.Checksum(word, castagnoli), castagnoli, payload)
}

// checkRecord verifies a whole record read back (header included) and
// returns its index and the payload after it.
func checkRecord(rec []byte) (uint64, []byte, error) {
	if len(rec) < walRecHeader+walRecMinLen {
		return 0, nil, errors.New("short record")
	}
	n := binary.BigEndian.Uint32(rec) &^ walBatchStart
	if int(n) != len(rec)-walRecHeader {
		return 0, nil, errors.New("record length mismatch")
	}
	if recordCRC(rec[:4], rec[walRecHeader:]) != binary.BigEndian.Uint32(rec[4:]) {
		return 0, nil, errors.New("record checksum mismatch")
	}
	p := rec[walRecHeader:]
	return binary.BigEndian.Uint64(p), p[walRecMinLen:], nil
}

// recKind is what recordReader found at an offset.
type recKind int

const (
	recOK  recKind = iota
	recEnd         // zeros or the end of the file: nothing was written here
	recBad         // a torn or corrupt record; n is its length if plausible, else -1
)

// recordReader reads a segment's records in order.
type recordReader struct {
	r    *bufio.Reader
	off  int64 // of the next record
	size int64
	buf  []byte
}

func newRecordReader(f *os.File) (*recordReader, error) {
	fi, err := f.Stat()
	if err != nil {
		return nil, err
	}
	return &recordReader{r: bufio.NewReaderSize(f, 1<<20), size: fi.Size()}, nil
}

// next reads the record at rr.off and moves past it when its length is
// plausible; index and start are set only for recOK.
func (rr *recordReader) next() (kind recKind, index uint64, start bool, err error) {
	if rr.size-rr.off < walRecHeader {
		return rr.endOrBad(rr.size - rr.off)
	}
	var h [walRecHeader]byte
	if _, err := io.ReadFull(rr.r, h[:]); err != nil {
		return recBad, 0, false, err
	}
	word := binary.BigEndian.Uint32(h[:])
	if word == 0 && binary.BigEndian.Uint32(h[4:]) == 0 {
		return recEnd, 0, false, nil
	}
	n := int64(word &^ walBatchStart)
	if n < walRecMinLen || n > walRecMaxLen || n > rr.size-rr.off-walRecHeader {
		return recBad, 0, false, nil
	}
	rr.buf = slices.Grow(rr.buf[:0], int(n))[:n]
	if _, err := io.ReadFull(rr.r, rr.buf); err != nil {
		return recBad, 0, false, err
	}
	rr.off += walRecHeader + n
	if recordCRC(h[:4], rr.buf) != binary.BigEndian.Uint32(h[4:]) {
		return recBad, 0, false, nil
	}
	return recOK, binary.BigEndian.Uint64(rr.buf), word&walBatchStart != 0, nil
}

// endOrBad classifies a remainder too short for a header.
func (rr *recordReader) endOrBad(rest int64) (recKind, uint64, bool, error) {
	b := make([]byte, rest)
	if _, err := io.ReadFull(rr.r, b); err != nil {
		return recBad, 0, false, err
	}
	if slices.ContainsFunc(b, func(c byte) bool { return c != 0 }) {
		return recBad, 0, false, nil
	}
	return recEnd, 0, false, nil
}

// ErrCorrupt marks a log that cannot be read back as it was written.
var ErrCorrupt = errors.New("raft wal corrupt")

// scanSegment reads seg.f from the start, filling seg.offs and seg.end.
// Records must run on from seg.base. The scan stops at the first place
// nothing was written (zeros, end of file) or at a bad record; a bad record
// is an error unless tail allows it and no later batch follows it: then it
// is the torn last write of the log, which never returned, and the log ends
// before it.
func scanSegment(seg *segment, tail bool) error {
	rr, err := newRecordReader(seg.f)
	if err != nil {
		return err
	}
	for {
		at := rr.off
		kind, index, _, err := rr.next()
		if err != nil {
			return err
		}
		switch {
		case kind == recEnd:
			seg.end = at
			return nil
		case kind == recOK && index == seg.base+uint64(len(seg.offs)) && at <= math.MaxUint32:
			seg.offs = append(seg.offs, uint32(at))
			continue
		case kind == recOK:
			return fmt.Errorf("%w: %s offset %d: record %d where %d was due", ErrCorrupt,
				segmentName(seg.base), at, index, seg.base+uint64(len(seg.offs)))
		case !tail:
			return fmt.Errorf("%w: %s offset %d: bad record", ErrCorrupt, segmentName(seg.base), at)
		}
		if err := noLaterBatch(rr, at); err != nil {
			return fmt.Errorf("%w: %s: %w", ErrCorrupt, segmentName(seg.base), err)
		}
		seg.end = at
		return nil
	}
}

// noLaterBatch follows the records after a bad one at bad while their
// lengths allow, and fails if one of them starts a batch: that batch was
// written after the bad record's, which was therefore complete on disk.
func noLaterBatch(rr *recordReader, bad int64) error {
	for rr.off > bad {
		at := rr.off
		kind, _, start, err := rr.next()
		switch {
		case err != nil:
			return err
		case kind == recOK && start:
			return fmt.Errorf("bad record at offset %d before a whole batch at %d", bad, at)
		case kind == recEnd || rr.off == at:
			return nil // nothing more written, or no telling where the next record is
		}
	}
	return nil
}

// openSegmentFile opens an existing segment for reading and writing.
func openSegmentFile(dir string, base uint64) (*segment, error) {
	f, err := os.OpenFile(filepath.Join(dir, segmentName(base)), os.O_RDWR, 0)
	if err != nil {
		return nil, err
	}
	return &segment{base: base, f: f}, nil
}

// createSegment makes a new empty, preallocated segment and makes its
// name durable. A file of that name is a leftover of a log that was
// deleted, and is overwritten.
func createSegment(dir string, base uint64, size int64) (*segment, error) {
	path := filepath.Join(dir, segmentName(base))
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return nil, err
	}
	seg := &segment{base: base, f: f}
	if err := cutSegment(seg, 0, size); err != nil {
		f.Close()
		return nil, err
	}
	if err := syncDir(dir); err != nil {
		f.Close()
		return nil, err
	}
	return seg, nil
}

// cutSegment ends seg's records at off: everything after reads as zeros
// again, so no reopen can take old records there for new ones. The file
// goes back to its preallocated size, so appends do not change its size
// and fdatasync has no metadata to write but the written extents.
func cutSegment(seg *segment, off, size int64) error {
	if err := seg.f.Truncate(off); err != nil {
		return err
	}
	if err := preallocate(seg.f, max(size, off)); err != nil {
		return err
	}
	if err := seg.f.Sync(); err != nil {
		return err
	}
	seg.end = off
	return nil
}

// preallocate gives f size bytes of zeros, allocated on disk where the
// file system can (fallocate), else at least as the file's size.
func preallocate(f *os.File, size int64) error {
	err := unix.Fallocate(int(f.Fd()), 0, 0, size)
	if errors.Is(err, unix.EOPNOTSUPP) || errors.Is(err, unix.ENOSYS) || errors.Is(err, unix.EINVAL) {
		err = f.Truncate(size)
	}
	return err
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	if err := d.Sync(); err != nil {
		return fmt.Errorf("sync %s: %w", dir, err)
	}
	return nil
}

// writeFileAtomic replaces dir/name with data: a reader, or a reopen after
// a crash, finds either the old contents or the new, never a mix.
func writeFileAtomic(dir, name string, data []byte) error {
	tmp := filepath.Join(dir, name+".tmp")
	f, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return err
	}
	_, err = f.Write(data)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp, filepath.Join(dir, name))
	}
	if err != nil {
		os.Remove(tmp)
		return fmt.Errorf("write %s: %w", name, err)
	}
	return syncDir(dir)
}

// The meta file, written once when the log is made:
//
//	magic(8) ‖ mode(1) ‖ [salt(32) ‖ nonce(12) ‖ AES-GCM(walKeyCheck)] ‖ crc32c(4)
//
// Mode 0 is clear, mode 1 sealed under HKDF(key, salt): a key of the log's
// own, so its random nonces do not share a birthday bound with the other
// users of the node's key. The sealed check tells a wrong key at once.
var walMagic = []byte("SKRWAL\x00\x01")

const (
	walSaltLen  = 32
	walKeyInfo  = "sinkron raft wal"
	walKeyCheck = "sinkron raft wal key check"
)

// ErrKey is a log opened with another key setting than it was made with.
var ErrKey = errors.New("raft wal key mismatch")

// openMeta checks the log's key setting, or records it for a new log, and
// returns the AEAD to seal with (nil in clear).
func openMeta(dir string, key []byte) (cipher.AEAD, error) {
	if n := len(key); n != 0 && n != 16 && n != 24 && n != 32 {
		return nil, fmt.Errorf("at-rest key of %d bytes, want 16, 24 or 32", n)
	}
	b, err := os.ReadFile(filepath.Join(dir, walMetaFile))
	if errors.Is(err, fs.ErrNotExist) {
		return createMeta(dir, key)
	}
	if err != nil {
		return nil, err
	}
	return checkMeta(b, key)
}

func createMeta(dir string, key []byte) (cipher.AEAD, error) {
	// A log that lost its meta file is not a new one.
	bases, err := listSegments(dir)
	if err != nil {
		return nil, err
	}
	if _, serr := os.Stat(filepath.Join(dir, walStableFile)); len(bases) > 0 || serr == nil {
		return nil, fmt.Errorf("%w: log files without a %s file", ErrCorrupt, walMetaFile)
	}
	b := append([]byte(nil), walMagic...)
	var aead cipher.AEAD
	if len(key) == 0 {
		b = append(b, 0)
	} else {
		salt := make([]byte, walSaltLen)
		rand.Read(salt)
		if aead, err = derive.AEAD(key, salt, walKeyInfo); err != nil {
			return nil, err
		}
		b = append(append(b, 1), salt...)
		b = sealWith(aead, b, []byte(walKeyCheck), []byte(walMetaFile))
	}
	return aead, writeFileAtomic(dir, walMetaFile, appendCRC(b))
}

func checkMeta(b, key []byte) (cipher.AEAD, error) {
	body, ok := checkCRC(b)
	if !ok || !bytes.HasPrefix(body, walMagic) || len(body) == len(walMagic) {
		return nil, fmt.Errorf("%w: %s file", ErrCorrupt, walMetaFile)
	}
	mode, rest := body[len(walMagic)], body[len(walMagic)+1:]
	switch {
	case mode == 0 && len(key) == 0:
		return nil, nil
	case mode == 0:
		return nil, fmt.Errorf("%w: the log was made without an at-rest key and does not open with one", ErrKey)
	case mode != 1 || len(rest) < walSaltLen:
		return nil, fmt.Errorf("%w: %s file", ErrCorrupt, walMetaFile)
	case len(key) == 0:
		return nil, fmt.Errorf("%w: the log is sealed with an at-rest key and does not open without it", ErrKey)
	}
	aead, err := derive.AEAD(key, rest[:walSaltLen], walKeyInfo)
	if err != nil {
		return nil, err
	}
	if _, err := openWith(aead, rest[walSaltLen:], []byte(walMetaFile)); err != nil {
		return nil, fmt.Errorf("%w: the log was sealed with another at-rest key", ErrKey)
	}
	return aead, nil
}

// sealWith appends a fresh random nonce and plain sealed under it.
func sealWith(aead cipher.AEAD, buf, plain, ad []byte) []byte {
	at := len(buf)
	buf = append(buf, make([]byte, aead.NonceSize())...)
	rand.Read(buf[at:])
	return aead.Seal(buf, buf[at:], plain, ad)
}

// openWith opens what sealWith appended, in place.
func openWith(aead cipher.AEAD, b, ad []byte) ([]byte, error) {
	ns := aead.NonceSize()
	if len(b) < ns+aead.Overhead() {
		return nil, errors.New("sealed data too short")
	}
	return aead.Open(b[ns:ns], b[:ns], b[ns:], ad)
}

// appendCRC appends b's CRC-32C, which checkCRC checks.
func appendCRC(b []byte) []byte {
	return binary.BigEndian.AppendUint32(b, crc32.Checksum(b, castagnoli))
}

// checkCRC splits off and checks a trailing CRC-32C.
func checkCRC(b []byte) ([]byte, bool) {
	if len(b) < 4 {
		return nil, false
	}
	body := b[:len(b)-4]
	return body, crc32.Checksum(body, castagnoli) == binary.BigEndian.Uint32(b[len(body):])
}

// The first file is the log's first index(8) ‖ crc32c(4); 0 is an empty
// log. A missing file is a log that never stored an entry.
func readFirst(dir string) (first uint64, ok bool, err error) {
	b, err := os.ReadFile(filepath.Join(dir, walFirstFile))
	if errors.Is(err, fs.ErrNotExist) {
		return 0, false, nil
	}
	if err != nil {
		return 0, false, err
	}
	body, ok := checkCRC(b)
	if !ok || len(body) != 8 {
		return 0, false, fmt.Errorf("%w: %s file", ErrCorrupt, walFirstFile)
	}
	return binary.BigEndian.Uint64(body), true, nil
}

func writeFirst(dir string, first uint64) error {
	return writeFileAtomic(dir, walFirstFile, appendCRC(binary.BigEndian.AppendUint64(nil, first)))
}

// The stable file is body ‖ crc32c(4), body the keys and values in order
// (uvarint length ‖ bytes, each), sealed when the log has a key: a vote's
// candidate is a peer ID, not secret, but nothing here is left to judge.
func readStable(dir string, aead cipher.AEAD) (map[string][]byte, error) {
	m := map[string][]byte{}
	b, err := os.ReadFile(filepath.Join(dir, walStableFile))
	if errors.Is(err, fs.ErrNotExist) {
		return m, nil
	}
	if err != nil {
		return nil, err
	}
	body, ok := checkCRC(b)
	if ok && aead != nil {
		body, err = openWith(aead, body, []byte(walStableFile))
		ok = err == nil
	}
	for ok && len(body) > 0 {
		var k, v []byte
		k, body, ok = cutUvarintBytes(body)
		if ok {
			v, body, ok = cutUvarintBytes(body)
			m[string(k)] = v
		}
	}
	if !ok {
		return nil, fmt.Errorf("%w: %s file", ErrCorrupt, walStableFile)
	}
	return m, nil
}

func cutUvarintBytes(b []byte) (field, rest []byte, ok bool) {
	n, k := binary.Uvarint(b)
	if k <= 0 || n > uint64(len(b)-k) {
		return nil, nil, false
	}
	return b[k : k+int(n)], b[k+int(n):], true
}

func writeStable(dir string, aead cipher.AEAD, m map[string][]byte) error {
	var body []byte
	for _, k := range slices.Sorted(maps.Keys(m)) {
		body = binary.AppendUvarint(body, uint64(len(k)))
		body = append(body, k...)
		body = binary.AppendUvarint(body, uint64(len(m[k])))
		body = append(body, m[k]...)
	}
	if aead != nil {
		body = sealWith(aead, nil, body, []byte(walStableFile))
	}
	return writeFileAtomic(dir, walStableFile, appendCRC(body))
}
