package main

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"connectrpc.com/connect"

	v1 "github.com/sinkron-id/sinkron/api/gen/sinkron/v1"
)

type fixedServices struct{ *v1.ListServicesResponse }

func (f fixedServices) ListServices(context.Context, *connect.Request[v1.ListServicesRequest]) (*connect.Response[v1.ListServicesResponse], error) {
	return connect.NewResponse(f.ListServicesResponse), nil
}

// `request services` names each service's documents (what --dokumen and
// a form take) and prints a step from another SOP section without a box
// number, where its path runs it, instead of a "0." between 7 and 8.
func TestServicesListDocumentsAndStepsInOrder(t *testing.T) {
	svc := &v1.ServiceInfo{Name: "kk-baru", Title: "KK Baru", Source: "SOP",
		Documents: []*v1.DocumentRequirement{
			{Name: "foto_kk", Title: "Foto Kartu Keluarga", Upload: true, Required: true},
			{Name: "surat_nikah", Title: "Buku Nikah", Paper: "ditunjukkan"}},
		Paths: []*v1.PathInfo{{Name: "biasa", Start: "kecamatan", Title: "Biasa", Steps: []*v1.StepInfo{
			{No: 7, Name: "cetak"}, {No: 0, Name: "pendistribusian"}, {No: 8, Name: "arsip"}}}}}
	var out bytes.Buffer
	if err := services(context.Background(), fixedServices{&v1.ListServicesResponse{Services: []*v1.ServiceInfo{svc}}}, &view{out: &out}); err != nil {
		t.Fatal(err)
	}
	got := out.String()
	for _, want := range []string{"foto_kk", "Foto Kartu Keluarga (wajib; foto diunggah)", "surat_nikah", "Buku Nikah (tidak wajib; kertas ditunjukkan)",
		" —  pendistribusian", "(langkah dari SOP lain)"} {
		if !strings.Contains(got, want) {
			t.Errorf("lacks %q:\n%s", want, got)
		}
	}
	if strings.Contains(got, " 0. ") || strings.Index(got, "cetak") > strings.Index(got, "pendistribusian") || strings.Index(got, "pendistribusian") > strings.Index(got, "arsip") {
		t.Errorf("steps out of the path's order or numbered 0:\n%s", got)
	}
}
