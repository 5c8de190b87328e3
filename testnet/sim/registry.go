package sim

import (
	"context"
	"fmt"
	"time"

	"google.golang.org/protobuf/proto"

	"github.com/sinkron-id/sinkron/node/eventpb"
	"github.com/sinkron-id/sinkron/node/regency"
	"github.com/sinkron-id/sinkron/node/registry"
	"github.com/sinkron-id/sinkron/replication/event"
)

// residents the dinas registers before the run, edited by the workload.
var residents = []string{"1806015708900001", "1806015708900002", "1806015708900003"}

var jobs = []string{"Petani", "Nelayan", "Guru", "Pedagang", "Wiraswasta", "Perawat"}

// lease is a NIK an office gave from its lease, and the request that
// carries it to the dinas for confirmation.
type lease struct {
	nik, key string
	office   int
}

// setup registers the residents at the dinas and has every kecamatan ask
// for NIK serials to give while offline.
func (w *world) setup() {
	d := w.office(0)
	a := registry.Address{Alamat: "Jl. Samudra No. 5", RT: "1", RW: "2", DesaKelurahan: "Kuripan", Kecamatan: "Kota Agung",
		KabupatenKota: "Kabupaten Tanggamus", Provinsi: "Lampung"}
	for _, nik := range residents {
		_, err := d.RegisterResident(registry.Biodata{NIK: nik, NamaLengkap: "Siti Aminah", TempatLahir: "Kota Agung",
			TanggalLahir: "1990-08-17", JenisKelamin: "Perempuan", Agama: "Islam", StatusPerkawinan: "Belum Kawin",
			Pekerjaan: "Wiraswasta", Kewarganegaraan: "WNI", Address: a}, "Petugas registrasi")
		if err != nil {
			w.violate("register %s: %v", nik, err)
		}
		w.niks[nik] = "penduduk/" + nik
	}
	for i := 1; i <= w.cfg.Kecamatan; i++ {
		n := w.office(i)
		cmd := &eventpb.Command{Op: &eventpb.Command_LeaseNikSlots{LeaseNikSlots: &eventpb.LeaseNIKSlots{
			Node: n.ID().String(), Region: regency.Regions[i-1], Count: 10}}}
		if _, err := n.Decisions.Request(cmd); err != nil {
			w.violate("lease request at %s: %v", w.name(i), err)
		}
	}
}

// editResident changes a resident's occupation at any office.
func (w *world) editResident() {
	i := w.rng.IntN(len(w.nw.Nodes))
	w.changeJob(i, residents[w.rng.IntN(len(residents))], jobs[w.rng.IntN(len(jobs))])
}

func (w *world) changeJob(i int, nik, job string) bool {
	who := w.officer(i)
	if _, err := w.office(i).Residents.Change(nik, "pekerjaan", job, "sesuai surat keterangan", who); err != nil {
		w.tracef("pekerjaan of %s at %s refused: %v", nik, w.name(i), err)
		return false
	}
	w.ack(ref{kindResident, nik}, who)
	w.tracef("pekerjaan of %s = %s at %s", nik, job, w.name(i))
	return true
}

// concurrentResidentEdit changes one resident at two kecamatan that cannot
// reach each other: the register must show both values until resolved.
func (w *world) concurrentResidentEdit() {
	a := w.kecamatan()
	b := 1 + (a % w.cfg.Kecamatan)
	if a == b {
		return
	}
	nik := residents[w.rng.IntN(len(residents))]
	// Two different values: equal ones written apart agree, no conflict.
	k := w.rng.IntN(len(jobs))
	w.isolate(a)
	w.expecting = true
	defer func() { w.expecting = false }()
	okA := w.changeJob(a, nik, jobs[k])
	okB := w.changeJob(b, nik, jobs[(k+1)%len(jobs)])
	w.planned(ref{kindResident, nik}, okA, okB)
}

// assignNIK gives a new resident a NIK: centrally at the dinas, or from the
// office's lease at a kecamatan, connected or not. No NIK may ever be given
// twice.
func (w *world) assignNIK() {
	i := w.rng.IntN(len(w.nw.Nodes))
	birth := []string{"1990-08-17", "1991-02-03"}[w.rng.IntN(2)]
	female := w.rng.IntN(2) == 0
	subject := fmt.Sprintf("penduduk-baru-%d", w.step)
	var nik, key string
	var err error
	if i == 0 {
		nik, err = w.central(birth, female, subject)
	} else {
		nik, key, err = w.office(i).Decisions.AssignFromLease(regency.Regions[i-1], birth, female, subject)
	}
	if err != nil {
		w.tracef("NIK at %s: %v", w.name(i), err)
		return
	}
	if other, dup := w.niks[nik]; dup {
		w.violate("step %d: NIK %s given to %s at %s, already given to %s", w.step, nik, subject, w.name(i), other)
	}
	w.niks[nik] = subject
	if key != "" {
		w.leasedNIKs = append(w.leasedNIKs, lease{nik: nik, key: key, office: i})
	}
	w.tracef("NIK %s for %s at %s", nik, subject, w.name(i))
}

func (w *world) central(birth string, female bool, subject string) (string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	region := regency.Regions[w.rng.IntN(w.cfg.Kecamatan)]
	d, err := w.office(0).Decisions.Decide(ctx, &eventpb.Command{Key: fmt.Sprintf("sim/%d", w.step),
		Op: &eventpb.Command_AssignNik{AssignNik: &eventpb.AssignNIK{Region: region, BirthDate: birth, Female: female, Subject: subject}}})
	if err != nil {
		return "", err
	}
	return d.Nik, nil
}

// checkNIKs: every NIK an office gave from its lease was confirmed by the
// dinas, none refused as taken.
func (w *world) checkNIKs() {
	for _, l := range w.leasedNIKs {
		d, ok, err := w.office(0).Decisions.Decided(l.key)
		switch {
		case err != nil || !ok:
			w.violate("NIK %s from the lease of %s never reached a decision (%v)", l.nik, w.name(l.office), err)
		case d.Refused != "":
			w.violate("NIK %s from the lease of %s refused at the dinas: %s", l.nik, w.name(l.office), d.Refused)
		}
	}
}

// forgetLostNIKs drops the NIKs office i gave whose requests no office
// holds any more: a disk restored from an older copy took them, and with
// them the office's record of having given them.
func (w *world) forgetLostNIKs(i int) int {
	var kept []lease
	lost := 0
	for _, l := range w.leasedNIKs {
		if l.office != i || w.requestHeld(l) {
			kept = append(kept, l)
			continue
		}
		delete(w.niks, l.nik)
		lost++
	}
	w.leasedNIKs = kept
	return lost
}

func (w *world) requestHeld(l lease) bool {
	id, err := event.ParseID(l.key)
	if err != nil {
		return false
	}
	for _, n := range w.nw.Nodes {
		e, err := n.Store().Event(id)
		if err == nil {
			var r eventpb.DecisionRequested
			if proto.Unmarshal(e.Payload, &r) == nil && r.GetCommand().GetConfirmNik().GetNik() == l.nik {
				return true
			}
		}
	}
	return false
}
