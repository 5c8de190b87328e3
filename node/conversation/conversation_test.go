package conversation

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"image"
	"image/png"
	"strings"
	"testing"
	"time"

	"github.com/dgraph-io/badger/v4"

	"github.com/sinkron-id/sinkron/node/outbox"
	"github.com/sinkron-id/sinkron/node/request"
)

type fakeRequests struct {
	filed []request.Form
	known map[string]*request.Request
}

func (f *fakeRequests) Create(form request.Form) (*request.Request, error) {
	f.filed = append(f.filed, form)
	return &request.Request{ID: fmt.Sprintf("06KODE%d", len(f.filed))}, nil
}

func (f *fakeRequests) Get(id string) (*request.Request, error) {
	if r, ok := f.known[id]; ok {
		return r, nil
	}
	return nil, errors.New("tidak ada")
}

type fakeMedia map[string][]byte

func (m fakeMedia) Download(_ context.Context, id string) ([]byte, error) {
	if b, ok := m[id]; ok {
		return b, nil
	}
	return nil, errors.New("HTTP 404")
}

type queue struct{ texts []string }

func (q *queue) Enqueue(_ *badger.Txn, n outbox.Notice) error {
	q.texts = append(q.texts, n.Text)
	return nil
}
func (q *queue) Committed(int) {}

type rig struct {
	s       *Service
	reqs    *fakeRequests
	q       *queue
	now     time.Time
	stopped []string
	seq     int
}

func newRig(t testing.TB) *rig {
	db, err := badger.Open(badger.DefaultOptions("").WithInMemory(true).WithLogger(nil))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	r := &rig{reqs: &fakeRequests{known: map[string]*request.Request{
		"06ABC": {ID: "06ABC", NIK: "1806015708900003", Service: "sinkronisasi-data", Status: request.Disetujui, Steps: []request.Step{{Done: true}, {}}}}},
		q: &queue{}, now: time.Date(2026, 12, 7, 8, 0, 0, 0, time.UTC)}
	r.s = &Service{DB: db, Requests: r.reqs, Queue: r.q, Media: fakeMedia{"kk": png1(), "ktp": png1(), "rusak": []byte("\x89PNG\r\n")},
		Stop: func(n string) error { r.stopped = append(r.stopped, n); return nil }, Now: func() time.Time { return r.now }}
	return r
}

func png1() []byte {
	var b bytes.Buffer
	_ = png.Encode(&b, image.NewGray(image.Rect(0, 0, 120, 120)))
	return b.Bytes()
}

// say sends a message and returns the replies it got.
func (r *rig) say(t testing.TB, m Inbound) []string {
	r.seq++
	if m.ID == "" {
		m.ID = fmt.Sprintf("wamid.%d", r.seq)
	}
	if m.From == "" {
		m.From = "6281234567890"
	}
	if m.Type == "" {
		m.Type = "text"
	}
	before := len(r.q.texts)
	if err := r.s.Handle(context.Background(), m); err != nil {
		t.Fatal(err)
	}
	return r.q.texts[before:]
}

func text(s string) Inbound { return Inbound{Text: s} }

func img(id string) Inbound { return Inbound{Type: "image", MediaID: id} }

// Each exchange of a conversation: what the resident sends, what the
// reply must say.
func TestConversations(t *testing.T) {
	filing := []struct {
		in   Inbound
		want string
	}{
		{text("halo"), "Balas:"},
		{text("2"), "Kirim Nama Pemohon."},
		{text("Siti Aminah"), "Kirim NIK Pemohon."},
		{text("1806015708900003"), "Kirim Nomor Kartu Keluarga."},
		{text("1806010101150007"), "Kirim Permasalahan Data."},
		{text("NIK tidak ditemukan di BPJS"), "Foto Kartu Keluarga"},
		{img("rusak"), "Silakan kirim lagi"},
		{img("hilang"), "tidak dapat diunduh"},
		{img("kk"), "Foto KTP-el"},
		{img("ktp"), "dengan nomor 06KODE1."},
	}
	for _, tc := range []struct {
		name  string
		steps []struct {
			in   Inbound
			want string
		}
	}{
		{"files a request", filing},
		{"checks a request", []struct {
			in   Inbound
			want string
		}{{text("1"), "kode permohonan"}, {text("06abc"), "NIK"}, {text("1806015708900003"), "06ABC (Sinkronisasi Data (Permasalahan Data)): Disetujui. Langkah selesai 1 dari 2."}}},
		{"wrong NIK", []struct {
			in   Inbound
			want string
		}{{text("CEK"), "kode permohonan"}, {text("06ABC"), "NIK"}, {text("1806015708900004"), "tidak ditemukan"}}},
		{"cancels", []struct {
			in   Inbound
			want string
		}{{text("2"), "Nama Pemohon"}, {text("batal"), "dibatalkan"}, {text("x"), "Balas:"}}},
		{"stops", []struct {
			in   Inbound
			want string
		}{{text("2"), "Nama"}, {text(" berhenti "), "tidak akan menerima"}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := newRig(t)
			for i, st := range tc.steps {
				got := strings.Join(r.say(t, st.in), " | ")
				if !strings.Contains(got, st.want) {
					t.Fatalf("step %d (%+v): got %q, want %q", i, st.in, got, st.want)
				}
			}
		})
	}
}

// The request filed over WhatsApp carries the form as the counter's, the
// resident's own number and both photos, with channel WhatsApp.
func TestFiledRequest(t *testing.T) {
	r := newRig(t)
	for _, s := range []string{"2", "Siti Aminah", "1806015708900003", "1806010101150007", "NIK tidak ditemukan di BPJS"} {
		r.say(t, text(s))
	}
	r.say(t, img("kk"))
	r.say(t, img("ktp"))
	if len(r.reqs.filed) != 1 {
		t.Fatalf("filed %d", len(r.reqs.filed))
	}
	f := r.reqs.filed[0]
	if f.Service != "sinkronisasi-data" || f.Channel != 3 || f.Fields["whatsapp"] != "081234567890" || f.Fields["nik"] != "1806015708900003" ||
		len(f.Documents) != 2 || f.Documents[0].Name != "foto_kk" || f.Documents[1].Name != "foto_ktp_el" {
		t.Fatalf("filed %+v", f)
	}
}

// A repeated webhook (same wamid) is answered once; BERHENTI records the
// opt-out.
func TestRepeatAndStop(t *testing.T) {
	r := newRig(t)
	r.say(t, Inbound{ID: "wamid.X", Text: "2"})
	if got := r.say(t, Inbound{ID: "wamid.X", Text: "2"}); len(got) != 0 {
		t.Fatalf("a repeat answered %q", got)
	}
	r.say(t, text("BERHENTI"))
	if len(r.stopped) != 1 || r.stopped[0] != "6281234567890" {
		t.Fatalf("stopped %v", r.stopped)
	}
}

// Half-way conversations expire and say so, by the sweep or at the next
// message; three wrong answers put one on the officers' list, as does
// PETUGAS.
func TestExpiryAndOfficers(t *testing.T) {
	r := newRig(t)
	r.say(t, text("2"))
	r.now = r.now.Add(DefaultTTL + time.Minute)
	if n, err := r.s.Expire(); n != 1 || err != nil || !strings.Contains(r.q.texts[len(r.q.texts)-1], "dihentikan karena tidak ada balasan selama 30 menit") {
		t.Fatalf("expired %d %v: %q", n, err, r.q.texts)
	}
	if got := r.say(t, text("Siti")); !strings.Contains(got[0], "Balas:") {
		t.Fatalf("after expiry the name was taken: %q", got)
	}
	r.say(t, text("2"))
	r.now = r.now.Add(DefaultTTL + time.Minute)
	if got := r.say(t, text("Siti Aminah")); len(got) != 2 || !strings.Contains(got[0], "dihentikan") || !strings.Contains(got[1], "Balas:") {
		t.Fatalf("late answer: %q", got)
	}
	r.say(t, text("2"))
	r.say(t, text("Siti Aminah"))
	for range maxFailures {
		r.say(t, text("123"))
	}
	r.say(t, Inbound{From: "6281299999999", Text: "PETUGAS"})
	list, err := r.s.NeedingOfficer()
	if err != nil || len(list) != 2 || !strings.Contains(list[0].Reason, "NIK Pemohon") || list[1].Reason != "warga meminta dihubungi petugas" {
		t.Fatalf("officers' list %+v %v", list, err)
	}
	if err := r.s.Resolve("081299999999"); err != nil {
		t.Fatal(err)
	}
	if list, _ := r.s.NeedingOfficer(); len(list) != 1 {
		t.Fatalf("after resolving: %+v", list)
	}
}

// Status checks share the public page's limit: ten, then one every 6 s.
func TestCheckAttemptLimit(t *testing.T) {
	r := newRig(t)
	var last string
	for range 11 {
		r.say(t, text("1"))
		r.say(t, text("06XYZ"))
		last = r.say(t, text("1806015708900003"))[0]
	}
	if !strings.Contains(last, "Terlalu banyak percobaan") {
		t.Fatalf("11th check: %q", last)
	}
	r.now = r.now.Add(6 * time.Second)
	r.say(t, text("1"))
	r.say(t, text("06ABC"))
	if got := r.say(t, text("1806015708900003"))[0]; !strings.Contains(got, "Disetujui") {
		t.Fatalf("after waiting: %q", got)
	}
}

// FuzzConversation: any sequence of texts and images never panics, always
// answers a fresh message, and files at most complete forms.
func FuzzConversation(f *testing.F) {
	f.Add("2\nSiti Aminah\n1806015708900003\n1806010101150007\nNIK tidak ditemukan\n#kk\n#ktp")
	f.Add("1\n06ABC\n1806015708900003")
	f.Add("BERHENTI\nPETUGAS\nbatal\n\x00\n#rusak")
	f.Fuzz(func(t *testing.T, script string) {
		r := newRig(t)
		for i, line := range strings.Split(script, "\n") {
			if i > 40 {
				break
			}
			in := text(line)
			if id, ok := strings.CutPrefix(line, "#"); ok {
				in = img(id)
			}
			if got := r.say(t, in); len(got) == 0 && !strings.EqualFold(strings.TrimSpace(line), "BERHENTI") {
				t.Fatalf("no answer to %q", line)
			}
		}
		for _, f := range r.reqs.filed {
			if len(f.Documents) != 2 || f.Fields["nik"] == "" || f.Fields["nama_pemohon"] == "" {
				t.Fatalf("filed an incomplete form %+v", f.Fields)
			}
		}
	})
}
