package main

import (
	"context"
	"fmt"
	"io"
	"slices"
	"strings"
	"sync"
	"text/tabwriter"
	"time"

	"connectrpc.com/connect"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/types/known/timestamppb"

	v1 "github.com/sinkron-id/sinkron/api/gen/sinkron/v1"
	"github.com/sinkron-id/sinkron/node/zone"
)

// view prints a node's answers: for an officer by default, in Bahasa with
// aligned labels and times in the office's zone; as protojson with --json,
// for scripts, which read field names and enum values, not labels.
type view struct {
	out  io.Writer
	json bool
	// zone is the office's clock, asked of the node the first time a time
	// is printed: times read in the office's zone whatever the machine
	// running the CLI is set to.
	zone func() *time.Location
}

// newView is the view of a client command: its output, --json, and the
// node whose zone its times are read in.
func newView(ctx context.Context, cn conn, out io.Writer) *view {
	return &view{out: out, json: *cn.json, zone: sync.OnceValue(func() *time.Location {
		return officeZone(ctx, cn.dial().node)
	})}
}

// officeZone is the zone of the office whose node answers: from the
// region its status names. A node that cannot say (an old one, or a
// refusal) leaves WIB, the zone of most offices, and every time printed
// names its zone, so a reader is never misled about which it is.
func officeZone(ctx context.Context, c interface {
	GetStatus(context.Context, *connect.Request[v1.GetStatusRequest]) (*connect.Response[v1.GetStatusResponse], error)
}) *time.Location {
	r, err := c.GetStatus(ctx, connect.NewRequest(&v1.GetStatusRequest{}))
	if err != nil {
		return zone.WIB()
	}
	return zone.Of(r.Msg.RegionCode)
}

// when prints a time as officers read it: "2026-12-07 14.05.09 WIB"; "-"
// for none.
func (v *view) when(ts *timestamppb.Timestamp) string {
	if ts == nil || (ts.Seconds == 0 && ts.Nanos == 0) {
		return "-"
	}
	return zone.DateTime(ts.AsTime(), v.zone())
}

// showJSON prints m as protojson, as the CLI always did for scripts.
func showJSON(out io.Writer, m proto.Message) error {
	b, err := protojson.MarshalOptions{Multiline: true}.Marshal(m)
	if err != nil {
		return err
	}
	_, err = fmt.Fprintln(out, string(b))
	return err
}

// show prints a response: JSON, or its fields labelled in Bahasa; a
// Request gets its own layout (requestView), the rest the generic one.
func (v *view) show(m proto.Message) error {
	if v.json {
		return showJSON(v.out, m)
	}
	if r := requestOf(m); r != nil {
		return v.request(r)
	}
	tw := tabwriter.NewWriter(v.out, 0, 4, 2, ' ', 0)
	rows := v.rows(m.ProtoReflect(), "")
	if len(rows) == 0 {
		rows = []string{"(tidak ada data)"}
	}
	for _, r := range rows {
		fmt.Fprintln(tw, r)
	}
	return tw.Flush()
}

// reply is show for a call's response, or its error.
func reply[T any, M interface {
	*T
	proto.Message
}](v *view, r *connect.Response[T], err error) error {
	if err != nil {
		return err
	}
	return v.show(M(r.Msg))
}

// rows renders m's populated fields, one "label:\tvalue" line each, in
// declaration order; nested messages and lists indented below their label.
func (v *view) rows(m protoreflect.Message, indent string) []string {
	var out []string
	fields := m.Descriptor().Fields()
	// A response that only wraps one message (DecisionResponse{decision})
	// reads as that message.
	if fields.Len() == 1 && fields.Get(0).Kind() == protoreflect.MessageKind && !fields.Get(0).IsList() && !fields.Get(0).IsMap() && !isTime(fields.Get(0)) {
		if !m.Has(fields.Get(0)) {
			return nil
		}
		return v.rows(m.Get(fields.Get(0)).Message(), indent)
	}
	for i := range fields.Len() {
		f := fields.Get(i)
		if !m.Has(f) {
			continue
		}
		label := indent + fieldLabel(f) + ":"
		val := m.Get(f)
		switch {
		case f.IsMap():
			out = append(out, label)
			var keys []protoreflect.MapKey
			val.Map().Range(func(k protoreflect.MapKey, _ protoreflect.Value) bool { keys = append(keys, k); return true })
			slices.SortFunc(keys, func(a, b protoreflect.MapKey) int { return strings.Compare(a.String(), b.String()) })
			for _, k := range keys {
				out = append(out, indent+"  "+k.String()+":\t"+v.scalar(f.MapValue(), val.Map().Get(k)))
			}
		case f.IsList() && f.Kind() == protoreflect.MessageKind && !isTime(f):
			out = append(out, label)
			for j := range val.List().Len() {
				num := fmt.Sprintf("%d. ", j+1)
				for k, r := range v.rows(val.List().Get(j).Message(), "") {
					if k == 0 {
						out = append(out, indent+"  "+num+r)
					} else {
						out = append(out, indent+"  "+strings.Repeat(" ", len(num))+r)
					}
				}
			}
		case f.IsList():
			var items []string
			for j := range val.List().Len() {
				items = append(items, v.scalar(f, val.List().Get(j)))
			}
			out = append(out, label+"\t"+strings.Join(items, ", "))
		case f.Kind() == protoreflect.MessageKind && !isTime(f):
			out = append(out, label)
			out = append(out, v.rows(val.Message(), indent+"  ")...)
		default:
			out = append(out, label+"\t"+v.scalar(f, val))
		}
	}
	return out
}

func isTime(f protoreflect.FieldDescriptor) bool {
	return f.Message() != nil && f.Message().FullName() == "google.protobuf.Timestamp"
}

// scalar prints one value of f: yes/no, an enum's Bahasa name, a time in
// the office's zone, the size of bytes.
func (v *view) scalar(f protoreflect.FieldDescriptor, val protoreflect.Value) string {
	switch f.Kind() {
	case protoreflect.BoolKind:
		return yaTidak(val.Bool())
	case protoreflect.EnumKind:
		ev := f.Enum().Values().ByNumber(val.Enum())
		if ev == nil {
			return fmt.Sprint(val.Enum())
		}
		return enumLabel(string(ev.Name()))
	case protoreflect.BytesKind:
		return fmt.Sprintf("(%d byte)", len(val.Bytes()))
	case protoreflect.MessageKind:
		if isTime(f) {
			ts, _ := val.Message().Interface().(*timestamppb.Timestamp)
			return v.when(ts)
		}
	}
	return fmt.Sprint(val.Interface())
}

func yaTidak(b bool) string {
	if b {
		return "ya"
	}
	return "tidak"
}

// enumLabels name enum values as officers say them.
var enumLabels = map[string]string{
	"STATUS_UNSPECIFIED": "-", "STATUS_BARU": "Baru", "STATUS_DISETUJUI": "Disetujui", "STATUS_DIBATALKAN": "Dibatalkan",
	"STATUS_DIPROSES": "Diproses", "STATUS_SELESAI": "Selesai",
	"CHANNEL_UNSPECIFIED": "-", "CHANNEL_LANGSUNG": "Langsung (di loket)", "CHANNEL_ONLINE": "Daring", "CHANNEL_WHATSAPP": "WhatsApp",
	"DOCUMENT_KIND_UNSPECIFIED": "Dokumen", "DOCUMENT_KIND_FOTO_KK": "Foto KK", "DOCUMENT_KIND_FOTO_KTP_EL": "Foto KTP-el",
}

// enumLabel is an enum value's Bahasa name; one not in the table reads
// as its last words ("STATUS_SELESAI" would read "Selesai").
func enumLabel(name string) string {
	if l, ok := enumLabels[name]; ok {
		return l
	}
	words := strings.Split(strings.ToLower(name), "_")
	if len(words) > 1 {
		words = words[1:]
	}
	s := strings.Join(words, " ")
	return strings.ToUpper(s[:1]) + s[1:]
}

// statusLabel is a request status as officers say it: "Selesai".
func statusLabel(s v1.Status) string { return enumLabel(s.String()) }

// fieldLabels are the Bahasa labels of the fields the node answers with,
// by proto field name.
var fieldLabels = map[string]string{
	"id": "ID", "service": "Layanan", "applicant_name": "Pemohon", "nik": "NIK", "kk": "Nomor KK", "problem": "Permasalahan",
	"whatsapp": "WhatsApp", "channel": "Saluran", "status": "Status", "office": "Kantor", "created_at": "Dibuat",
	"updated_at": "Diperbarui", "history": "Riwayat", "steps": "Langkah", "documents": "Dokumen", "conflict": "Konflik",
	"conflicts": "Konflik", "path": "Jalur", "fields": "Isian", "holder": "Berkas di", "note": "Catatan", "officer": "Petugas",
	"at": "Waktu", "event_id": "Event", "name": "Nama", "title": "Judul", "done": "Selesai", "role": "Peran",
	"office_kind": "Jenis kantor", "waiting": "Menunggu keputusan", "decision_keys": "Kunci keputusan", "result": "Hasil",
	"overdue": "Terlambat", "due": "Tenggat", "value": "Nilai", "values": "Nilai", "field": "Kolom", "kind": "Jenis",
	"content_type": "Jenis berkas", "available": "Tersedia", "sha256": "SHA-256", "size": "Ukuran",
	"peer_id": "Peer", "region_code": "Kode wilayah", "region": "Kode wilayah", "online": "Daring", "listen_addrs": "Alamat",
	"version_vector": "Vektor versi", "origin": "Asal", "seq": "Urutan", "events": "Event", "outbox_depth": "Antrean pesan",
	"blobs_missing": "Dokumen belum diterima", "now": "Jam node", "clock_ahead_ms": "Jam kantor lain mendahului (ms)",
	"state_hash": "Hash keadaan", "entities": "Entitas", "peers": "Kantor yang disinkronkan",
	"events_applied": "Event diterapkan", "events_duplicate": "Event sudah ada", "number": "Nomor keputusan", "key": "Kunci",
	"time": "Waktu", "refused": "Ditolak", "serial_from": "Nomor seri dari", "serial_to": "Nomor seri sampai",
	"revoked_card": "Kartu dicabut", "found": "Ditemukan", "subject": "Subjek", "blank_serial": "Nomor seri blangko",
	"registered_at": "Terdaftar", "members": "Anggota", "former": "Mantan anggota", "hubungan": "Hubungan",
	"since": "Sejak", "head_nik": "NIK kepala keluarga", "address": "Alamat", "what": "Perubahan", "issue_date": "Tanggal terbit",
	"head_name": "Kepala keluarga", "member_niks": "NIK anggota", "signer": "Penanda tangan", "qr_text": "Teks QR",
	"leader": "Pemimpin", "state": "Keadaan", "term": "Masa", "commit_index": "Indeks komit", "applied_index": "Indeks diterapkan",
	"last_log_index": "Indeks log terakhir", "servers": "Server", "decisions": "Keputusan", "suffrage": "Hak suara",
	"lag": "Tertinggal", "reachable": "Terjangkau", "filename": "Nama berkas", "content": "Isi",
	"dwh": "DWH", "feeding": "Mengisi DWH", "fed": "Keputusan terakhir di DWH", "lag_decisions": "Keputusan tertinggal",
	"lag_seconds": "Tertinggal (detik)", "changes_written": "Perubahan ditulis", "last_written": "Terakhir menulis",
	"last_error": "Galat terakhir",
}

// fieldLabel is f's Bahasa label, or its name in words for a field the
// table does not know yet.
func fieldLabel(f protoreflect.FieldDescriptor) string {
	if l, ok := fieldLabels[string(f.Name())]; ok {
		return l
	}
	s := strings.ReplaceAll(string(f.Name()), "_", " ")
	return strings.ToUpper(s[:1]) + s[1:]
}
