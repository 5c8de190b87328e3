package document

import (
	"bytes"
	"fmt"
	"strconv"
	"time"

	"github.com/sinkron-id/sinkron/node/zone"
)

// zonedDates gives the info dictionary's CreationDate and ModDate their
// zone offset ("D:20261124091500+07'00'"). fpdf writes the wall time
// alone, which a reader takes for UTC, so a KK printed at 09.15 WIB said
// 09.15 UTC. The dates grow by a few bytes, so the cross-reference
// entries of the objects after them and startxref move by as many; the
// entries are fixed width, so the table keeps its size. A file whose
// dates or table are not as fpdf writes them is returned as it is.
func zonedDates(b []byte, created time.Time) ([]byte, error) {
	if created.IsZero() {
		return b, nil
	}
	bare := "D:" + created.Format("20060102150405")
	zoned := zone.PDFDate(created)
	xrefAt, ok := startxref(b)
	if !ok {
		return b, nil
	}
	var out bytes.Buffer
	var grown []int // positions in b where the output grew
	rest := 0
	for _, key := range []string{"/CreationDate (", "/ModDate ("} {
		i := bytes.Index(b[rest:], []byte(key+bare+")"))
		if i < 0 || rest+i > xrefAt {
			return b, nil
		}
		at := rest + i + len(key) + len(bare)
		out.Write(b[rest:at])
		out.WriteString(zoned[len(bare):])
		grown = append(grown, at)
		rest = at
	}
	shift := func(off int) int {
		n := 0
		for _, g := range grown {
			if g < off {
				n += len(zoned) - len(bare)
			}
		}
		return off + n
	}
	out.Write(b[rest:xrefAt])
	// The table: "xref", "0 N", the free entry of object 0, then one
	// entry per object; then the trailer, startxref and its number.
	lines := bytes.SplitAfter(b[xrefAt:], []byte("\n"))
	var first, count int
	if len(lines) < 3 {
		return b, nil
	}
	if _, err := fmt.Sscanf(string(lines[1]), "%d %d", &first, &count); err != nil || first != 0 || len(lines) < 2+count {
		return b, nil
	}
	out.Write(lines[0])
	out.Write(lines[1])
	out.Write(lines[2])
	for _, line := range lines[3 : 2+count] {
		off, err := strconv.Atoi(string(line[:min(10, len(line))]))
		if err != nil {
			return b, nil
		}
		fmt.Fprintf(&out, "%010d%s", shift(off), line[10:])
	}
	for i := 2 + count; i < len(lines); i++ {
		out.Write(lines[i])
		if string(lines[i]) == "startxref\n" && i+1 < len(lines) {
			fmt.Fprintf(&out, "%d\n", shift(xrefAt))
			i++
		}
	}
	return out.Bytes(), nil
}

// startxref returns the offset of the cross-reference table that the
// file's last startxref names.
func startxref(b []byte) (int, bool) {
	i := bytes.LastIndex(b, []byte("startxref\n"))
	if i < 0 {
		return 0, false
	}
	num, _, _ := bytes.Cut(b[i+len("startxref\n"):], []byte("\n"))
	at, err := strconv.Atoi(string(num))
	if err != nil || at < 0 || at >= i || !bytes.HasPrefix(b[at:], []byte("xref\n")) {
		return 0, false
	}
	return at, true
}
