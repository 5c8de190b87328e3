package node

import (
	"fmt"
	"slices"
	"time"

	"github.com/sinkron-id/sinkron/node/catalog"
	"github.com/sinkron-id/sinkron/node/document"
	"github.com/sinkron-id/sinkron/node/fault"
	"github.com/sinkron-id/sinkron/node/registry"
	"github.com/sinkron-id/sinkron/node/request"
	"github.com/sinkron-id/sinkron/node/zone"
	"github.com/sinkron-id/sinkron/replication/roster"
)

// Zone is the office's clock, from its region (WIB, WITA or WIT): the
// zone of every time its documents and logbook print.
func (n *Node) Zone() *time.Location { return zone.Of(n.Member().Region) }

// ErrNotSigner is returned for a KK asked of a node without the cluster key.
var ErrNotSigner = fault.New(fault.Precondition, "KK hanya dapat diterbitkan dan ditandatangani oleh Dinas")

func (n *Node) regency() string {
	if n.cfg.Regency != "" {
		return n.cfg.Regency
	}
	return n.roster.Regency()
}

func (n *Node) docOffice() document.Office {
	o := document.Office{Regency: n.regency()}
	if n.Member().Role != "dinas" {
		o.Unit = "Tempat Pelayanan " + n.Member().Office
	}
	return o
}

// RequestCopy renders the resident's copy of a request (salinan
// permohonan), with the steps still ahead.
func (n *Node) RequestCopy(id string) ([]byte, error) {
	r, err := n.Requests.Get(id)
	if err != nil {
		return nil, err
	}
	loc := n.Zone()
	in := document.Request{Office: n.docOffice(), Service: r.Service, Tracking: r.ID, Applicant: r.ApplicantName,
		NIK: r.NIK, KK: r.KK, Status: r.Status.String(), Filed: r.CreatedAt.In(loc), Officer: firstOfficer(r), Printed: n.now().In(loc)}
	if svc, ok := catalog.Lookup(r.Service); ok {
		in.Service = svc.Title
		for _, d := range svc.DocumentsFor(r.Path, r.Fields) {
			if slices.ContainsFunc(r.Documents, func(x request.Document) bool { return x.Name == d.Name }) || d.Paper != "" {
				in.Documents = append(in.Documents, d.Title)
			}
		}
	}
	for _, st := range r.Steps {
		if !st.Done {
			in.Steps = append(in.Steps, document.Step{Name: st.Short(), Role: catalog.Role(st.Role).Title(),
				Place: roster.Role(st.OfficeKind).Title(), Standard: st.Standard})
		}
	}
	return document.RequestCopy(in)
}

func firstOfficer(r *request.Request) string {
	if len(r.History) > 0 {
		return r.History[0].Officer
	}
	return ""
}

// LogbookPDF renders this office's daily logbook for the day.
func (n *Node) LogbookPDF(day time.Time) ([]byte, error) {
	entries, err := n.Requests.Logbook("", day)
	if err != nil {
		return nil, err
	}
	loc := n.Zone()
	l := document.DailyLog{Office: n.docOffice(), Date: day.In(loc), Printed: n.now().In(loc)}
	for _, e := range entries {
		l.Entries = append(l.Entries, document.LogEntry{Time: e.At.In(loc), Tracking: e.RequestID, Service: e.Service,
			Applicant: e.ApplicantName, NIK: e.NIK, Officer: e.Officer, Step: e.What, Note: e.Note})
	}
	return document.Logbook(l)
}

// IssueKK signs a family's card with the cluster key and renders it; it
// returns the PDF and the text of its QR code, which any node verifies
// offline (VerifyKK).
func (n *Node) IssueKK(kk string) ([]byte, string, error) {
	if n.dinas == nil || n.dinas.key == nil {
		return nil, "", ErrNotSigner
	}
	data, err := n.kkData(kk)
	if err != nil {
		return nil, "", err
	}
	seal, err := document.SignKK(data, n.dinas.key)
	if err != nil {
		return nil, "", err
	}
	qr, err := document.KKQRText(data, seal)
	if err != nil {
		return nil, "", err
	}
	pdf, err := document.KK(document.KKDocument{Data: data, Seal: seal, Printed: n.now().In(n.Zone())})
	return pdf, qr, err
}

func (n *Node) kkData(kk string) (document.KKData, error) {
	f, err := n.Residents.Family(kk)
	if err != nil {
		return document.KKData{}, err
	}
	a := f.Address
	d := document.KKData{Number: f.KK, IssueDate: n.now().In(n.Zone()).Format(time.DateOnly), IssuePlace: n.regency(),
		Address:   document.KKAddress{Street: a.Alamat, RT: a.RT, RW: a.RW, Village: a.DesaKelurahan, District: a.Kecamatan, Regency: a.KabupatenKota, Province: a.Provinsi, PostalCode: a.KodePos},
		Signatory: document.Official{Name: n.cfg.KepalaDinas, NIP: n.cfg.KepalaDinasNIP, Position: "Kepala Dinas Kependudukan dan Pencatatan Sipil " + n.regency()}}
	for _, m := range f.Members {
		r, err := n.Residents.Resident(m.NIK)
		if err != nil {
			return d, fmt.Errorf("anggota %s: %w", m.NIK, err)
		}
		d.Members = append(d.Members, kkMember(r, m))
		if m.NIK == f.Head {
			d.HeadName = r.NamaLengkap
		}
	}
	return d, nil
}

func kkMember(r *registry.Resident, m registry.Member) document.KKMember {
	return document.KKMember{NIK: r.NIK, Name: r.NamaLengkap, Sex: r.JenisKelamin, BirthPlace: r.TempatLahir, BirthDate: r.TanggalLahir,
		Religion: r.Agama, Occupation: r.Pekerjaan, MaritalStatus: r.StatusPerkawinan, Relationship: m.Hubungan, Citizenship: r.Kewarganegaraan}
}

// VerifyKK checks a KK's QR code against this regency's cluster key,
// without any network.
func (n *Node) VerifyKK(qr string) (document.KKSummary, error) {
	return document.VerifyKKQR(qr, n.roster.Cluster())
}
