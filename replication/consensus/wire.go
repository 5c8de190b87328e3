package consensus

import (
	"encoding/binary"
	"errors"
	"fmt"

	"github.com/libp2p/go-libp2p/core/peer"

	"github.com/sinkron-id/sinkron/replication/frame"
)

// The forward protocol: a follower writes one request frame and reads one
// response frame, then may reuse the stream. A frame is a uvarint length
// (kind byte + body) followed by the kind and the body.

// Request kinds.
const (
	kindPropose     byte = 'p'
	kindQuery       byte = 'q'
	kindAddVoter    byte = 'v'
	kindAddNonvoter byte = 'n'
	kindRemove      byte = 'r'
	kindTransfer    byte = 't'
	kindStatus      byte = 's'
)

// Response kinds.
const (
	respOK  byte = 'o' // body: the answer
	respErr byte = 'e' // body: an error code byte, then the message
)

// Error codes of a respErr frame.
const (
	// codeRetry: the server is not (or no longer) the leader, or is shutting
	// down; the caller should find the leader and try again.
	codeRetry byte = 'R'
	// codeFailed: the operation itself failed (FSM or Querier error, bad
	// request); retrying would not help.
	codeFailed byte = 'F'
)

// MaxFrame bounds a forward frame; commands and answers are small, and a
// peer sending more is cut off before we allocate.
const MaxFrame = 8 << 20

// maxErrMsg truncates error messages sent back to a follower.
const maxErrMsg = 4 << 10

// ErrProtocol wraps every malformed-frame error.
var ErrProtocol = errors.New("consensus forward protocol error")

// frames is the forward protocol's framing (replication/frame): length
// first, at most MaxFrame, each frame in one write, so one yamux frame
// per request on the wire.
var frames = frame.Format{Layout: frame.LengthFirst, Max: MaxFrame, Malformed: ErrProtocol}

// encodeErr turns an error into a response body, classifying it so that a
// follower knows whether to look for another leader.
func encodeErr(err error) []byte {
	code := codeFailed
	if retryable(err) {
		code = codeRetry
	}
	msg := err.Error()
	if len(msg) > maxErrMsg {
		msg = msg[:maxErrMsg]
	}
	return append([]byte{code}, msg...)
}

// decodeResponse turns a response frame back into an answer or an error.
func decodeResponse(kind byte, body []byte) ([]byte, error) {
	switch kind {
	case respOK:
		return body, nil
	case respErr:
		if len(body) == 0 {
			return nil, fmt.Errorf("%w: empty error", ErrProtocol)
		}
		switch body[0] {
		case codeRetry:
			return nil, retryError{errors.New(string(body[1:]))}
		case codeFailed:
			return nil, &RemoteError{Msg: string(body[1:])}
		}
		return nil, fmt.Errorf("%w: error code %q", ErrProtocol, body[0])
	}
	return nil, fmt.Errorf("%w: response kind %q", ErrProtocol, kind)
}

// decodePeer reads a peer ID body of a membership request; empty is allowed
// only where the caller says so (transfer to any).
func decodePeer(body []byte, emptyOK bool) (peer.ID, error) {
	if len(body) == 0 {
		if emptyOK {
			return "", nil
		}
		return "", fmt.Errorf("%w: missing peer ID", ErrProtocol)
	}
	id, err := peer.IDFromBytes(body)
	if err != nil {
		return "", fmt.Errorf("%w: %v", ErrProtocol, err)
	}
	return id, nil
}

// nodeStatus is what a server reports about itself to a status probe.
type nodeStatus struct {
	Applied, LastLog, Term uint64
}

func (s nodeStatus) marshal() []byte {
	b := binary.AppendUvarint(nil, s.Applied)
	b = binary.AppendUvarint(b, s.LastLog)
	return binary.AppendUvarint(b, s.Term)
}

func unmarshalStatus(b []byte) (nodeStatus, error) {
	var vals [3]uint64
	for i := range vals {
		v, k := binary.Uvarint(b)
		if k <= 0 {
			return nodeStatus{}, fmt.Errorf("%w: bad status", ErrProtocol)
		}
		vals[i], b = v, b[k:]
	}
	if len(b) != 0 {
		return nodeStatus{}, fmt.Errorf("%w: trailing status bytes", ErrProtocol)
	}
	return nodeStatus{Applied: vals[0], LastLog: vals[1], Term: vals[2]}, nil
}
