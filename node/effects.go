package node

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/sinkron-id/sinkron/node/catalog"
	"github.com/sinkron-id/sinkron/node/registry"
	"github.com/sinkron-id/sinkron/node/request"
)

// decided applies a decided step's registry effect, at the office that
// asked for the decision, and records the outcome on the request: done, or
// the error, which stays visible to officers (request get, the
// sinkron_registry_effects_failed metric) and is tried again (RetryEffects)
// until it applies or an officer settles it by hand. Which effect is the
// catalog's (catalog.Step.Effect); what it needs is the step's typed
// decisions:
//   - a new resident's NIK registers them, on the KK they join;
//   - a consolidated change (perubahan elemen data) changes the field;
//   - a new Nomor KK for a move (pindah) opens the family's new card at the
//     new address and takes the resident off the old one.
//
// Each effect is a resumable sequence: a repeat after a crash or a failure
// finds what was done and does the rest, and the registry refuses what is
// already done (ErrExists), which counts as applied.
func (n *Node) decided(r *request.Request, st request.Step) {
	n.finishWarehoused(r, st)
	if !st.EffectPending() {
		return
	}
	err := n.applyEffect(r, st)
	if errors.Is(err, registry.ErrExists) {
		err = nil
	}
	if err != nil {
		n.log.Warn("registry effect of a decided step", "request", r.ID, "step", st.Name, "err", err)
	}
	if rerr := n.Requests.RecordEffect(r.ID, st.Name, err); rerr != nil {
		n.log.Warn("record a registry effect", "request", r.ID, "step", st.Name, "err", rerr)
	}
	switch {
	case err != nil && st.EffectError == "":
		n.effectsFailed.Add(1)
	case err == nil && st.EffectError != "":
		n.effectsFailed.Add(-1)
	}
}

func (n *Node) applyEffect(r *request.Request, st request.Step) error {
	officer := st.Officer
	switch catalog.Effect(st.Effect) {
	case catalog.EffectRegisterResident:
		d, ok := r.Decided(catalog.DecisionNIK)
		if !ok {
			return fmt.Errorf("langkah %s tidak menerima NIK dari Dinas", st.Short())
		}
		return n.registerNew(r, d.NIK, officer)
	case catalog.EffectChangeElement:
		return n.changeElement(r, officer)
	case catalog.EffectMove:
		d, ok := r.Decided(catalog.DecisionKK)
		if !ok {
			return fmt.Errorf("langkah %s tidak menerima Nomor KK dari Dinas", st.Short())
		}
		return n.move(r, d.KK, officer)
	}
	return fmt.Errorf("efek %q tidak dikenal", st.Effect)
}

// RetryEffects tries again every registry effect of this office's requests
// that has not applied yet. The node runs it at start and every
// effectRetry; an officer's "ulang" runs it at once.
func (n *Node) RetryEffects() error {
	rs, err := n.Requests.PendingEffects()
	for _, r := range rs {
		for _, st := range r.Steps {
			if st.EffectPending() && st.Office == n.Member().Office {
				n.decided(r, st)
			}
		}
	}
	if err != nil {
		return err
	}
	// Count afresh: decided's running count drifts when an error repeats.
	again, err := n.Requests.PendingEffects()
	failed := 0
	for _, r := range again {
		for _, st := range r.Steps {
			if st.EffectPending() && st.EffectError != "" {
				failed++
			}
		}
	}
	n.effectsFailed.Store(int64(failed))
	return err
}

// effectRetry is how often failed registry effects are tried again: a
// failure is usually a state that another office's events will change
// (the old family card not yet synced here).
const effectRetry = time.Minute

func (n *Node) retryEffects(ctx context.Context) {
	t := time.NewTicker(effectRetry)
	defer t.Stop()
	for {
		if err := n.RetryEffects(); err != nil {
			n.log.Warn("retry registry effects", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

func addressOf(f map[string]string, prefix string) registry.Address {
	return registry.Address{Alamat: f[prefix+"alamat"], RT: f[prefix+"rt"], RW: f[prefix+"rw"], DesaKelurahan: f[prefix+"desa_kelurahan"],
		Kecamatan: f[prefix+"kecamatan"], KabupatenKota: f[prefix+"kabupaten_kota"], Provinsi: f[prefix+"provinsi"]}
}

func (n *Node) registerNew(r *request.Request, nik, officer string) error {
	if nik == "" {
		return nil
	}
	f := r.Fields
	b := registry.Biodata{NIK: nik, NamaLengkap: f["nama_lengkap"], TempatLahir: f["tempat_lahir"], TanggalLahir: f["tanggal_lahir"],
		JenisKelamin: f["jenis_kelamin"], GolonganDarah: f["golongan_darah"], Address: addressOf(f, ""), Agama: f["agama"],
		StatusPerkawinan: f["status_perkawinan"], Pekerjaan: f["pekerjaan"], Kewarganegaraan: f["kewarganegaraan"],
		NamaIbu: f["nama_ibu"]}
	fill(&b.Address, f["kode_wilayah"], n.regency())
	if _, err := n.Residents.Register(b, officer); err != nil && !errors.Is(err, registry.ErrExists) {
		return err
	}
	kk := f["kk"]
	if kk == "" {
		return nil
	}
	if fam, err := n.Residents.Family(kk); err == nil {
		if _, on := fam.Member(nik); on {
			return nil // a repeat: registered and on the card already
		}
	}
	_, err := n.Residents.AddMember(kk, b.NIK, f["hubungan_keluarga"], officer)
	return err
}

// elementFields maps the form's choice of element to the registry field.
var elementFields = map[string]string{"Nama": "nama_lengkap", "Agama": "agama", "Status Perkawinan": "status_perkawinan",
	"Pekerjaan": "pekerjaan", "Golongan Darah": "golongan_darah", "Kewarganegaraan": "kewarganegaraan"}

func (n *Node) changeElement(r *request.Request, officer string) error {
	field := elementFields[r.Fields["elemen_berubah"]]
	if field == "" {
		return nil // "Lainnya": the officer changes it by hand
	}
	_, err := n.Residents.Change(r.Fields["nik"], field, r.Fields["data_baru"], "permohonan "+r.ID, officer)
	return err
}

func (n *Node) move(r *request.Request, newKK, officer string) error {
	a := addressOf(r.Fields, "tujuan_")
	region := r.Fields["kode_wilayah_tujuan"]
	if region == "" {
		region = r.Fields["kode_wilayah"]
	}
	fill(&a, region, n.regency())
	_, err := n.Residents.Move(r.Fields["kk"], newKK, r.Fields["nik"], a, "pindah, permohonan "+r.ID, officer)
	return err
}

// fill completes an address the forms leave short: the regency is this
// one's, the province the one its region code names.
func fill(a *registry.Address, region, regency string) {
	if a.KabupatenKota == "" {
		a.KabupatenKota = regency
	}
	if a.Provinsi == "" && len(region) >= 2 {
		a.Provinsi = provinces[region[:2]]
	}
}

// provinces by the first two digits of a region code (Kemendagri).
var provinces = map[string]string{
	"11": "Aceh", "12": "Sumatera Utara", "13": "Sumatera Barat", "14": "Riau", "15": "Jambi", "16": "Sumatera Selatan",
	"17": "Bengkulu", "18": "Lampung", "19": "Kepulauan Bangka Belitung", "21": "Kepulauan Riau", "31": "DKI Jakarta",
	"32": "Jawa Barat", "33": "Jawa Tengah", "34": "DI Yogyakarta", "35": "Jawa Timur", "36": "Banten", "51": "Bali",
	"52": "Nusa Tenggara Barat", "53": "Nusa Tenggara Timur", "61": "Kalimantan Barat", "62": "Kalimantan Tengah",
	"63": "Kalimantan Selatan", "64": "Kalimantan Timur", "65": "Kalimantan Utara", "71": "Sulawesi Utara",
	"72": "Sulawesi Tengah", "73": "Sulawesi Selatan", "74": "Sulawesi Tenggara", "75": "Gorontalo", "76": "Sulawesi Barat",
	"81": "Maluku", "82": "Maluku Utara", "91": "Papua", "92": "Papua Barat", "93": "Papua Selatan", "94": "Papua Tengah",
	"95": "Papua Pegunungan", "96": "Papua Barat Daya",
}
