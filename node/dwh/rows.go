package dwh

import (
	"slices"
	"strings"
)

// table describes a warehouse table the sink writes whole rows of.
type table struct {
	name string
	key  []string // the conflict key
	cols []string // every column, key first
}

var (
	tResidents = table{"residents", []string{"nik"}, []string{"nik", "nama", "tempat_lahir", "tanggal_lahir",
		"jenis_kelamin", "nama_ibu", "office", "updated_at", "pos_stream", "pos_seq"}}
	tFamilies = table{"families", []string{"kk"}, []string{"kk", "kepala", "alamat", "updated_at", "pos_stream", "pos_seq"}}
	tMembers  = table{"family_members", []string{"kk", "nik"}, []string{"kk", "nik", "hubungan"}}
	tCards    = table{"cards", []string{"nik"}, []string{"nik", "serial", "issued_at", "pos_stream", "pos_seq"}}
	tPending  = table{"pending", []string{"request"}, []string{"request", "nik", "state", "office", "since", "pos_stream", "pos_seq"}}
	tStates   = table{"nik_state", []string{"nik"}, []string{"nik", "state", "office", "since", "pos_stream", "pos_seq"}}
)

// upsertSQL inserts a row or replaces every non-key column of the row there.
func (t table) upsertSQL(from string) string {
	var set []string
	for _, c := range t.cols[len(t.key):] {
		set = append(set, c+" = EXCLUDED."+c)
	}
	conflict := " ON CONFLICT (" + strings.Join(t.key, ", ") + ") DO UPDATE SET " + strings.Join(set, ", ")
	if len(set) == 0 {
		conflict = " ON CONFLICT DO NOTHING"
	}
	return "INSERT INTO " + t.name + " (" + strings.Join(t.cols, ", ") + ") " + from + conflict
}

func (t table) placeholders() string {
	var p []string
	for i := range t.cols {
		p = append(p, "$"+itoa(i+1))
	}
	return "VALUES (" + strings.Join(p, ", ") + ")"
}

func itoa(i int) string {
	if i < 10 {
		return string(rune('0' + i))
	}
	return itoa(i/10) + string(rune('0'+i%10))
}

// rowset holds a batch's rows per table, one per key: a later change of the
// same key replaces an earlier one, since rows are whole states.
type rowset struct {
	residents, families, cards, states, pending keyed
	done                                        []string           // requests no longer pending
	members                                     map[string][][]any // kk → member rows
}

type keyed struct {
	order []string
	rows  map[string][]any
}

func (k *keyed) put(key string, row []any) {
	if k.rows == nil {
		k.rows = map[string][]any{}
	}
	if _, ok := k.rows[key]; !ok {
		k.order = append(k.order, key)
	}
	k.rows[key] = row
}

func (k *keyed) drop(key string) {
	if _, ok := k.rows[key]; ok {
		delete(k.rows, key)
		k.order = slices.DeleteFunc(k.order, func(s string) bool { return s == key })
	}
}

func (k *keyed) list() [][]any {
	out := make([][]any, 0, len(k.order))
	for _, key := range k.order {
		out = append(out, k.rows[key])
	}
	return out
}

func (r *rowset) add(c Change) {
	ps, pq := c.Pos.Stream, int64(c.Pos.Seq)
	if v := c.Resident; v != nil {
		r.residents.put(v.NIK, []any{v.NIK, v.Nama, v.TempatLahir, v.TanggalLahir, v.JenisKelamin, v.NamaIbu,
			v.Office, v.UpdatedAt, ps, pq})
	}
	if v := c.Family; v != nil {
		r.families.put(v.KK, []any{v.KK, v.Kepala, v.Alamat, v.UpdatedAt, ps, pq})
		if r.members == nil {
			r.members = map[string][][]any{}
		}
		rows := make([][]any, 0, len(v.Members))
		for _, m := range v.Members {
			rows = append(rows, []any{v.KK, m.NIK, m.Hubungan})
		}
		r.members[v.KK] = rows
	}
	if v := c.Card; v != nil {
		r.cards.put(v.NIK, []any{v.NIK, int64(v.Serial), v.IssuedAt, ps, pq})
	}
	if v := c.Pending; v != nil && v.Done {
		r.pending.drop(v.Request)
		r.done = append(r.done, v.Request)
	} else if v != nil {
		r.done = slices.DeleteFunc(r.done, func(s string) bool { return s == v.Request })
		r.pending.put(v.Request, []any{v.Request, v.NIK, v.State, v.Office, v.Since, ps, pq})
	}
	if v := c.State; v != nil {
		r.states.put(v.NIK, []any{v.NIK, v.State, v.Office, v.Since, ps, pq})
	}
}

func (r *rowset) size() int {
	n := len(r.residents.order) + len(r.families.order) + len(r.cards.order) + len(r.states.order) +
		len(r.pending.order) + len(r.done)
	for _, m := range r.members {
		n += len(m)
	}
	return n
}

// memberRows and memberKKs list the families whose members the batch
// replaces and their new members.
func (r *rowset) memberRows() (kks []string, rows [][]any) {
	for _, kk := range r.families.order {
		kks = append(kks, kk)
		rows = append(rows, r.members[kk]...)
	}
	return kks, rows
}
