// Package bundle carries events and documents between offices on a flash
// disk (SOP 20, "backup ke flash disk"): a kecamatan without a network
// exports what the dinas lacks into one file, and the dinas imports it. The
// import is all or nothing: a truncated, corrupted or forged file, an event
// from an office off the roster, or events that do not continue from what
// the importing node holds are refused before anything is written.
//
// File layout:
//
//	magic "SINKRON-BUNDLE\x00" ‖ version byte (1)
//	zstd stream of frames
//	end mark "SINKRON-END\x00" ‖ SHA-256 of every preceding byte of the file
//
// The end mark lets a refused file be diagnosed: a file cut short has lost
// it, a file with a changed byte still has it. Inside the zstd stream each
// frame is type byte ‖ uvarint body length ‖ body, at most MaxFrame bytes,
// in this order:
//
//	'H' header, once: uvarint len ‖ origin peer ID ‖ created unix ms (8, big
//	    endian) ‖ the Since vector (vv.Marshal)
//	'E' events, any number: uvarint n ‖ n × (uvarint len ‖ canonical event),
//	    in the exporter's causal order, each origin's sequence increasing
//	'B' blob chunk, any number: hash[32] ‖ uvarint size ‖ uvarint idx ‖ bytes;
//	    a blob's chunks are consecutive, from 0, blob.ChunkSize each but the
//	    last, and only for blobs the bundle's events reference
//	'Z' end, once: uvarint events ‖ uvarint blobs ‖ uvarint chunks
//
// Nothing may follow the end frame inside the stream.
package bundle
