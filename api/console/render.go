package console

import (
	"fmt"
	"html/template"
	"net/http"
	"strings"
	"time"

	v1 "github.com/sinkron-id/sinkron/api/gen/sinkron/v1"
	"github.com/sinkron-id/sinkron/api/web"
	"github.com/sinkron-id/sinkron/node/catalog"
	"github.com/sinkron-id/sinkron/replication/roster"
	"google.golang.org/protobuf/types/known/timestamppb"
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
		"status":     statusTitle,
		"statusKode": statusCode,
		"kanal":      channelTitle,
		"durasi":     duration,
		"waktu":      con.clock,
		"detik":      func(s int64) time.Duration { return time.Duration(s) * time.Second },
		"list":       func(v ...string) []string { return v },
		"pendek":     short,
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
	t := ts.AsTime().In(loc)
	return t.Format("02-01-2006 15.04 ") + t.Format("MST")
}

// duration says an age the way an office says it: "3 hari 2 jam", "45 menit".
func duration(d time.Duration) string {
	switch {
	case d < time.Minute:
		return "kurang dari 1 menit"
	case d < time.Hour:
		return fmt.Sprintf("%d menit", int(d.Minutes()))
	case d < 24*time.Hour:
		return fmt.Sprintf("%d jam %d menit", int(d.Hours()), int(d.Minutes())%60)
	default:
		return fmt.Sprintf("%d hari %d jam", int(d.Hours())/24, int(d.Hours())%24)
	}
}

func statusTitle(s v1.Status) string {
	switch s {
	case v1.Status_STATUS_BARU:
		return "Baru"
	case v1.Status_STATUS_DISETUJUI:
		return "Disetujui"
	case v1.Status_STATUS_DIBATALKAN:
		return "Dibatalkan"
	case v1.Status_STATUS_DIPROSES:
		return "Diproses"
	case v1.Status_STATUS_SELESAI:
		return "Selesai"
	}
	return "Tidak diketahui"
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

// short is a step's title up to its colon: the SOP box's name without
// the description that follows it.
func short(title string) string {
	if i := strings.Index(title, ":"); i > 0 {
		return title[:i]
	}
	return title
}
