package web

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"strings"
)

// The vendored and own static files. htmx.min.js is npm htmx.org 2.0.11
// (dist/htmx.min.js), Zero-Clause BSD (aset/htmx.LICENSE); nothing is
// fetched at run time.
//
//go:embed aset/htmx.min.js aset/sinkron.css aset/kamera.js
var assetFiles embed.FS

// Assets serves the static files, gzipped once at start when the browser
// takes gzip, under names carrying a digest of their content so a browser
// caches them for a year and a new release is fetched anew.
type Assets struct {
	files map[string]asset // by versioned name
	names map[string]string
}

type asset struct {
	body, gz []byte
	ctype    string
}

// NewAssets reads the embedded files.
func NewAssets() *Assets {
	a := &Assets{files: map[string]asset{}, names: map[string]string{}}
	entries, _ := fs.ReadDir(assetFiles, "aset")
	for _, e := range entries {
		body, err := assetFiles.ReadFile("aset/" + e.Name())
		if err != nil {
			panic(err) // embedded at build time: cannot fail
		}
		sum := sha256.Sum256(body)
		ext := path.Ext(e.Name())
		versioned := strings.TrimSuffix(e.Name(), ext) + "." + hex.EncodeToString(sum[:4]) + ext
		var gz bytes.Buffer
		zw, _ := gzip.NewWriterLevel(&gz, gzip.BestCompression)
		zw.Write(body)
		zw.Close()
		a.files[versioned] = asset{body: body, gz: gz.Bytes(), ctype: mime.TypeByExtension(ext)}
		a.names[e.Name()] = versioned
	}
	return a
}

// Name is the versioned file name of an asset ("htmx.min.js").
func (a *Assets) Name(file string) string { return a.names[file] }

// ServeHTTP answers GET …/{name}.
func (a *Assets) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f, ok := a.files[path.Base(r.URL.Path)]
	if !ok {
		http.NotFound(w, r)
		return
	}
	h := w.Header()
	h.Set("Content-Type", f.ctype)
	h.Set("Cache-Control", "public, max-age=31536000, immutable")
	h.Set("Vary", "Accept-Encoding")
	if strings.Contains(r.Header.Get("Accept-Encoding"), "gzip") {
		h.Set("Content-Encoding", "gzip")
		w.Write(f.gz)
		return
	}
	w.Write(f.body)
}
