package portal

import (
	"bytes"
	"io"
	"net/http"
)

// inProcess is an http.RoundTripper that serves each request with a
// handler, in the caller's goroutine and with the caller's context.
//
// The portal calls the PublicService this way rather than over web.Loop
// (the console's in-memory connection) because the service's attempt
// limits count per resident address, which the public handler puts in
// the request's context: a call over a connection, even an in-memory one,
// starts a new context and would come from one address for every
// resident, and a header naming the address would be a claim anyone on
// the internet could make. Passing the context through keeps the limits
// the resident's, with nothing to trust. The PublicService is unary, so
// the whole answer is buffered; no goroutine outlives a call.
type inProcess struct{ h http.Handler }

func (t inProcess) RoundTrip(req *http.Request) (*http.Response, error) {
	w := &buffered{header: http.Header{}, status: http.StatusOK}
	t.h.ServeHTTP(w, req)
	if req.Body != nil {
		_ = req.Body.Close()
	}
	return &http.Response{Status: http.StatusText(w.status), StatusCode: w.status, Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1,
		Header: w.header, Body: io.NopCloser(&w.body), ContentLength: int64(w.body.Len()), Request: req}, nil
}

// buffered is the answer of one in-process call.
type buffered struct {
	header http.Header
	status int
	wrote  bool
	body   bytes.Buffer
}

func (b *buffered) Header() http.Header { return b.header }

func (b *buffered) WriteHeader(status int) {
	if !b.wrote {
		b.status, b.wrote = status, true
	}
}

func (b *buffered) Write(p []byte) (int, error) {
	b.wrote = true
	return b.body.Write(p)
}
