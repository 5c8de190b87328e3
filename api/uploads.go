package api

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"

	"connectrpc.com/connect"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/reflect/protoregistry"

	v1 "github.com/sinkron-id/sinkron/api/gen/sinkron/v1"
	"github.com/sinkron-id/sinkron/node/catalog"
	"github.com/sinkron-id/sinkron/node/fault"
	"github.com/sinkron-id/sinkron/node/form"
	"github.com/sinkron-id/sinkron/node/request"
)

// MaxRequestBytes is the hard cap on one API message. It is far above what
// a valid call carries (two photos of form.MaxImageBytes and the form), so
// that an oversized photo is read and refused by name and limit
// (checkUploads) instead of by connect's read limit, whose message is
// English and names no field. A body past it is refused by sizeGuard,
// before connect reads it, with the limit in Bahasa.
const MaxRequestBytes = 40 << 20

// checkUploads refuses a call whose photos are larger than a photo may be,
// naming the document as the catalog titles it, before anything is filed.
func checkUploads(service string, docs []*v1.DocumentUpload) error {
	if service == "" {
		service = request.ServiceName
	}
	for _, d := range docs {
		if len(d.Content) <= form.MaxImageBytes {
			continue // the request engine checks the rest of the photo
		}
		return fault.New(fault.Exhausted, fmt.Sprintf("%s terlalu besar: %s, paling besar %s",
			documentTitle(service, d), megabytes(int64(len(d.Content))), megabytes(form.MaxImageBytes)))
	}
	return nil
}

// documentTitle is an upload's document as the catalog titles it ("Foto
// Kartu Keluarga Pemohon"), or its name when the service does not ask for
// it (the engine refuses that on its own).
func documentTitle(service string, d *v1.DocumentUpload) string {
	name := d.Name
	if name == "" {
		name = map[v1.DocumentKind]string{v1.DocumentKind_DOCUMENT_KIND_FOTO_KK: "foto_kk",
			v1.DocumentKind_DOCUMENT_KIND_FOTO_KTP_EL: "foto_ktp_el"}[d.Kind]
	}
	if svc, ok := catalog.Lookup(service); ok {
		for _, doc := range svc.Documents {
			if doc.Name == name && doc.Title != "" {
				return doc.Title
			}
		}
	}
	if name == "" {
		return "foto"
	}
	return "foto " + name
}

// megabytes formats a size as an officer's file manager shows it: MB of
// 1024 KiB, one decimal after a comma ("28,6 MB"), a whole limit without
// one ("2 MB").
func megabytes(n int64) string {
	if n%(1<<20) == 0 {
		return fmt.Sprintf("%d MB", n>>20)
	}
	return strings.Replace(fmt.Sprintf("%.1f MB", float64(n)/(1<<20)), ".", ",", 1)
}

// sizeGuard refuses a call whose body is past MaxRequestBytes before
// connect reads it, in the call's protocol (Connect, gRPC or gRPC-Web) and
// in Bahasa. A body of unknown length (gRPC over HTTP/2 sends none) is
// read up to the cap and handed on from memory, as connect would have
// read it anyway. Client streams (a bundle import) are left to connect's
// per-message limit: their whole body is rightly larger.
type sizeGuard struct {
	next    http.Handler
	errors  *connect.ErrorWriter
	streams map[string]bool // procedures whose client sends a stream
	uploads map[string]bool // procedures that carry photos
}

func newSizeGuard(next http.Handler, services ...string) sizeGuard {
	g := sizeGuard{next: next, errors: connect.NewErrorWriter(), streams: map[string]bool{}, uploads: map[string]bool{}}
	for _, name := range services {
		d, err := protoregistry.GlobalFiles.FindDescriptorByName(protoreflect.FullName(name))
		if err != nil {
			continue // not generated in this binary: nothing routes to it
		}
		methods := d.(protoreflect.ServiceDescriptor).Methods()
		for i := range methods.Len() {
			m := methods.Get(i)
			path := "/" + name + "/" + string(m.Name())
			g.streams[path] = m.IsStreamingClient()
			g.uploads[path] = carriesUploads(m.Input())
		}
	}
	return g
}

// carriesUploads reports whether a request message has documents to upload.
func carriesUploads(msg protoreflect.MessageDescriptor) bool {
	f := msg.Fields().ByName("documents")
	return f != nil && f.Message() != nil && f.Message().FullName() == (&v1.DocumentUpload{}).ProtoReflect().Descriptor().FullName()
}

func (g sizeGuard) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	streams, known := g.streams[r.URL.Path]
	if !known || streams || r.Method != http.MethodPost || !g.errors.IsSupported(r) {
		g.next.ServeHTTP(w, r)
		return
	}
	if r.ContentLength > MaxRequestBytes {
		g.refuse(w, r, megabytes(r.ContentLength))
		return
	}
	if r.ContentLength < 0 {
		body, err := io.ReadAll(io.LimitReader(r.Body, MaxRequestBytes+1))
		if err != nil {
			_ = g.errors.Write(w, r, connect.NewError(connect.CodeCanceled, fmt.Errorf("unggahan terputus: %w", err)))
			return
		}
		if len(body) > MaxRequestBytes {
			g.refuse(w, r, "lebih dari "+megabytes(MaxRequestBytes))
			return
		}
		r.Body, r.ContentLength = io.NopCloser(bytes.NewReader(body)), int64(len(body))
	}
	g.next.ServeHTTP(w, r)
}

// refuse answers a body past the cap; it is not read further.
func (g sizeGuard) refuse(w http.ResponseWriter, r *http.Request, size string) {
	msg := fmt.Sprintf("kiriman terlalu besar: %s, paling besar %s sekaligus", size, megabytes(MaxRequestBytes))
	if g.uploads[r.URL.Path] {
		msg += fmt.Sprintf("; setiap foto paling besar %s", megabytes(form.MaxImageBytes))
	}
	_ = g.errors.Write(w, r, connect.NewError(connect.CodeResourceExhausted, errors.New(msg)))
}
