package stepinput

import (
	"errors"
	"fmt"

	"google.golang.org/protobuf/proto"

	"github.com/sinkron-id/sinkron/node/catalog"
	"github.com/sinkron-id/sinkron/node/eventpb"
	"github.com/sinkron-id/sinkron/node/request"
)

// PrintRoom takes the print room's record of a printed card: the blank it
// was printed on becomes the card-issue decision's serial. The chip's
// read-back it carries is kept with the step; checking it against the
// card's signed data is the card subsystem's.
type PrintRoom struct{}

func (PrintRoom) TakeInput(r *request.Request, content []byte) (request.Taken, error) {
	var pc eventpb.PrintedCard
	if err := proto.Unmarshal(content, &pc); err != nil || len(pc.ProtoReflect().GetUnknown()) > 0 {
		return request.Taken{}, errors.New("bukan catatan cetak KTP-el yang sah")
	}
	if pc.BlankSerial == 0 {
		return request.Taken{}, errors.New("nomor seri blangko tidak ada")
	}
	want := r.NIK
	if want == "" {
		want = r.Fields["nik"]
	}
	if d, ok := r.Decided(catalog.DecisionNIK); want == "" && ok {
		want = d.NIK
	}
	if pc.Nik != "" && want != "" && pc.Nik != want {
		return request.Taken{}, fmt.Errorf("kartu dicetak untuk NIK %s, permohonan ini untuk NIK %s", pc.Nik, want)
	}
	return request.Taken{ContentType: "application/vnd.sinkron.printed-card+protobuf", CardSerial: pc.BlankSerial}, nil
}
