package console

import (
	"html/template"
	"net/http"
	"time"

	"google.golang.org/protobuf/types/known/timestamppb"

	v1 "github.com/sinkron-id/sinkron/api/gen/sinkron/v1"
	"github.com/sinkron-id/sinkron/api/web"
	"github.com/sinkron-id/sinkron/node/catalog"
	"github.com/sinkron-id/sinkron/node/document"
	"github.com/sinkron-id/sinkron/node/request"
	"github.com/sinkron-id/sinkron/node/zone"
	"github.com/sinkron-id/sinkron/replication/roster"
)

// page is what the layout shows around a page's own data.
type page struct {
	Officer *officer
	Path    string
	Data    any
}

// render writes a whole page; a template error is the console's bug, logged
// and answered with a plain 500 rather than half a page.
func (con *Console) render(w http.ResponseWriter, r *http.Request, status int, name string, o *officer, data any) {
	if err := web.Render(w, con.pages[name], status, page{Officer: o, Path: r.URL.Path, Data: data}); err != nil {
		con.log.Error("console: render", "page", name, "err", err)
	}
}

func (con *Console) funcs() template.FuncMap {
	return template.FuncMap{
		"aset":       func(name string) string { return Prefix + "aset/" + con.assets.Name(name) },
		"peran":      func(r string) string { return title(catalog.Role(r).Title(), r) },
		"kantor":     func(k string) string { return title(roster.Role(k).Title(), k) },
		"status":     func(s v1.Status) string { return request.Status(s).String() },
		"statusKode": statusCode,
		"kanal":      channelTitle,
		"durasi":     age,
		"waktu":      con.clock,
		"detik":      func(s int64) time.Duration { return time.Duration(s) * time.Second },
		"list":       func(v ...string) []string { return v },
		"pendek":     request.ShortTitle,
	}
}

func title(t, fallback string) string {
	if t == "" {
		return fallback
	}
	return t
}

// clock shows a time in the office's zone, with the zone named.
func (con *Console) clock(ts *timestamppb.Timestamp) string {
	if ts == nil || ts.AsTime().IsZero() {
		return "—"
	}
	loc := time.UTC
	if con.here != nil && con.here.Zone != nil {
		loc = con.here.Zone
	}
	return zone.Long(ts.AsTime(), loc)
}

// age says how long something waited, as the SOP's standards read: "45
// menit", "3 hari 2 jam" (document.Durasi), and a fresh one not as "-".
func age(d time.Duration) string {
	if d < time.Minute {
		return "kurang dari 1 menit"
	}
	return document.Durasi(d.Truncate(time.Minute))
}

// statusCode is the badge class of a status.
func statusCode(s v1.Status) string {
	switch s {
	case v1.Status_STATUS_SELESAI:
		return "selesai"
	case v1.Status_STATUS_DIBATALKAN:
		return "konflik"
	}
	return "tunggu"
}

func channelTitle(ch v1.Channel) string {
	switch ch {
	case v1.Channel_CHANNEL_ONLINE:
		return "Daring (portal warga)"
	case v1.Channel_CHANNEL_WHATSAPP:
		return "WhatsApp"
	}
	return "Langsung di loket"
}
