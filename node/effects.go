package node

import (
	"errors"
	"strings"

	"github.com/sinkron-id/sinkron/node/catalog"
	"github.com/sinkron-id/sinkron/node/registry"
	"github.com/sinkron-id/sinkron/node/request"
)

// decided applies a decided step's effect on the resident registry, at the
// office that asked for the decision:
//   - a new resident's NIK (ktp-el-baru) registers them, on the KK they
//     join or, with a new Nomor KK, on a new card they head;
//   - a consolidated change (perubahan elemen data) changes the field;
//   - a new Nomor KK for a move (pindah) opens the family's new card at the
//     new address and takes the resident off the old one.
//
// The registry refuses what is already done, so a repeat changes nothing.
func (n *Node) decided(r *request.Request, st request.Step) {
	officer := st.Officer
	var err error
	switch {
	case r.Service == "ktp-el-baru" && waits(st, catalog.DecisionNIK):
		err = n.registerNew(r, number(st.Result), officer)
	case r.Service == "ktp-el-baru" && waits(st, catalog.DecisionKK):
		nik := r.Fields["nik"]
		for _, s := range r.Steps {
			if waits(s, catalog.DecisionNIK) && number(s.Result) != "" {
				nik = number(s.Result)
			}
		}
		_, err = n.Residents.CreateFamily(number(st.Result), nik, addressOf(r.Fields, ""), officer)
	case r.Service == "ktp-el-pengganti-perubahan-elemen" && waits(st, catalog.DecisionKonsolidasi):
		err = n.changeElement(r, officer)
	case strings.HasPrefix(r.Service, "pindah-") && waits(st, catalog.DecisionKK):
		err = n.move(r, number(st.Result), officer)
	}
	if err != nil && !errors.Is(err, registry.ErrExists) {
		n.log.Warn("registry effect of a decided step", "request", r.ID, "step", st.Name, "err", err)
	}
}

// number is the 16-digit NIK or Nomor KK among a step's decision results
// ("1806011511260001, kartu 1023").
func number(result string) string {
	for _, part := range strings.Split(result, ", ") {
		if len(part) == 16 && strings.Trim(part, "0123456789") == "" {
			return part
		}
	}
	return ""
}

func waits(st request.Step, d catalog.Decision) bool {
	for _, w := range st.Waits {
		if w == string(d) {
			return true
		}
	}
	return false
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
		StatusPerkawinan: f["status_perkawinan"], Pekerjaan: f["pekerjaan"], Kewarganegaraan: f["kewarganegaraan"]}
	fill(&b.Address, f["kode_wilayah"], n.regency())
	if _, err := n.Residents.Register(b, officer); err != nil {
		return err
	}
	if kk := f["kk"]; kk != "" {
		_, err := n.Residents.AddMember(kk, b.NIK, f["hubungan_keluarga"], officer)
		return err
	}
	return nil
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
