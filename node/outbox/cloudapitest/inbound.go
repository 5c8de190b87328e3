package cloudapitest

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
)

// Text is a resident at from writing to the regency's number: it opens
// their customer-service window and queues a messages webhook.
func (c *CloudAPI) Text(from, body string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.init()
	c.inbound[from] = c.Now()
	c.seq++
	c.pending = append(c.pending, c.hook(map[string]any{
		"contacts": []any{map[string]any{"profile": map[string]any{"name": "Warga"}, "wa_id": from}},
		"messages": []any{map[string]any{"from": from, "id": fmt.Sprintf("wamid.IN%06d", c.seq),
			"timestamp": fmt.Sprint(c.Now().Unix()), "type": "text", "text": map[string]any{"body": body}}}}))
}

// Image is a resident sending a photo: it is served as media until the
// test ends, and a messages webhook names its media ID.
func (c *CloudAPI) Image(from, mime string, content []byte) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.init()
	c.inbound[from] = c.Now()
	c.seq++
	id := fmt.Sprintf("%d", 1000000+c.seq)
	c.media[id] = mediaFile{mime: mime, content: content}
	c.pending = append(c.pending, c.hook(map[string]any{
		"contacts": []any{map[string]any{"profile": map[string]any{"name": "Warga"}, "wa_id": from}},
		"messages": []any{map[string]any{"from": from, "id": fmt.Sprintf("wamid.IN%06d", c.seq),
			"timestamp": fmt.Sprint(c.Now().Unix()), "type": "image",
			"image": map[string]any{"id": id, "mime_type": mime, "sha256": "x"}}}}))
}

// mediaURL answers GET /{media-id}: a short-lived URL to fetch it from,
// again with the token.
func (c *CloudAPI) mediaURL(w http.ResponseWriter, id string) {
	m, ok := c.media[id]
	if !ok || strings.Contains(id, "/") {
		apiError(w, http.StatusNotFound, 100, "Unsupported get request")
		return
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(map[string]any{"messaging_product": "whatsapp", "url": c.BaseURL + "/media/" + id,
		"mime_type": m.mime, "sha256": "x", "file_size": len(m.content), "id": id})
}

func (c *CloudAPI) download(w http.ResponseWriter, id string) {
	m, ok := c.media[id]
	if !ok {
		http.NotFound(w, nil)
		return
	}
	w.Header().Set("Content-Type", m.mime)
	_, _ = w.Write(m.content)
}
