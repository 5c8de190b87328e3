package api

import (
	"context"
	"fmt"
	"time"

	"connectrpc.com/connect"
	"google.golang.org/protobuf/types/known/timestamppb"

	v1 "github.com/sinkron-id/sinkron/api/gen/sinkron/v1"
	"github.com/sinkron-id/sinkron/node/catalog"
)

func (h *requests) ListServices(context.Context, *connect.Request[v1.ListServicesRequest]) (*connect.Response[v1.ListServicesResponse], error) {
	out := &v1.ListServicesResponse{}
	for _, s := range catalog.All() {
		out.Services = append(out.Services, serviceInfo(s))
	}
	return connect.NewResponse(out), nil
}

func serviceInfo(s catalog.Service) *v1.ServiceInfo {
	info := &v1.ServiceInfo{Name: s.Name, Title: s.Title, Source: s.Source, Description: s.Description}
	for _, f := range s.Form.Fields {
		info.Fields = append(info.Fields, &v1.FormField{Name: f.Name, Label: f.Label, Type: string(f.Type), Required: f.Required, Choices: f.Choices})
	}
	for _, d := range s.Documents {
		info.Documents = append(info.Documents, &v1.DocumentRequirement{Name: d.Name, Title: d.Title, Upload: d.Upload, Paper: string(d.Paper), Required: d.Required})
	}
	for _, p := range s.Paths {
		pi := &v1.PathInfo{Name: p.Name, Title: p.Title, Start: string(p.Start), Offline: p.Offline}
		for _, st := range p.Steps {
			si := &v1.StepInfo{No: int32(st.No), Name: st.Name, Title: st.Title, Role: string(st.Role), Office: string(st.Office),
				StandardSeconds: int64(st.Standard.Seconds()), StandardFromSop: st.StandardFromSOP, HandOver: string(st.HandOver)}
			for _, w := range st.Waits {
				si.Waits = append(si.Waits, string(w))
			}
			for _, in := range st.Inputs {
				si.Inputs = append(si.Inputs, string(in))
			}
			pi.Steps = append(pi.Steps, si)
		}
		info.Paths = append(info.Paths, pi)
	}
	return info
}

func (h *requests) GetLogbook(_ context.Context, req *connect.Request[v1.GetLogbookRequest]) (*connect.Response[v1.GetLogbookResponse], error) {
	day, err := logbookDay(req.Msg.Date)
	if err != nil {
		return nil, err
	}
	office := req.Msg.Office
	if office == "" {
		office = h.n.Office()
	}
	entries, err := h.n.RequestService().Logbook(office, day)
	if err != nil {
		return nil, toConnect(err)
	}
	out := &v1.GetLogbookResponse{Office: office, Date: day.Format(time.DateOnly)}
	for _, e := range entries {
		out.Entries = append(out.Entries, &v1.LogbookEntry{At: timestamppb.New(e.At), RequestId: e.RequestID, Service: e.Service,
			ApplicantName: e.ApplicantName, Nik: e.NIK, Officer: e.Officer, What: e.What, Note: e.Note})
	}
	return connect.NewResponse(out), nil
}

func (h *requests) PrintRequestCopy(_ context.Context, req *connect.Request[v1.GetRequestRequest]) (*connect.Response[v1.PdfDocument], error) {
	b, err := h.n.RequestCopy(req.Msg.Id)
	if err != nil {
		return nil, toConnect(err)
	}
	return connect.NewResponse(&v1.PdfDocument{Filename: "salinan-" + req.Msg.Id + ".pdf", Content: b}), nil
}

func (h *requests) PrintLogbook(_ context.Context, req *connect.Request[v1.GetLogbookRequest]) (*connect.Response[v1.PdfDocument], error) {
	day, err := logbookDay(req.Msg.Date)
	if err != nil {
		return nil, err
	}
	b, err := h.n.LogbookPDF(day)
	if err != nil {
		return nil, toConnect(err)
	}
	return connect.NewResponse(&v1.PdfDocument{Filename: "buku-harian-" + day.Format(time.DateOnly) + ".pdf", Content: b}), nil
}

// logbookDay is the day a logbook call names (today when empty), as the
// middle of that day, which falls on that date in every Indonesian zone.
func logbookDay(date string) (time.Time, error) {
	if date == "" {
		return time.Now(), nil
	}
	day, err := time.Parse(time.DateOnly, date)
	if err != nil {
		return day, invalid(fmt.Sprintf("tanggal %q harus berformat YYYY-MM-DD", date))
	}
	return day.Add(12 * time.Hour), nil
}
