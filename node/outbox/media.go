package outbox

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
)

// MaxMedia bounds an inbound image: WhatsApp's own limit for images is
// 5 MB, and the form refuses photos above its limit anyway.
const MaxMedia = 5 << 20

// Download fetches a resident's image: GET /{media-id} names a short-lived
// URL, which is fetched again with the token.
func (w *WhatsApp) Download(ctx context.Context, mediaID string) ([]byte, error) {
	meta, err := w.get(ctx, w.BaseURL+"/"+url.PathEscape(mediaID), 64<<10)
	if err != nil {
		return nil, err
	}
	var m struct {
		URL string `json:"url"`
	}
	if err := json.Unmarshal(meta, &m); err != nil || m.URL == "" {
		return nil, fmt.Errorf("media %s: no URL in the answer", mediaID)
	}
	// The token goes with the second request too: only over https (or to
	// a loopback stand-in), as for every other call.
	if u, err := url.Parse(m.URL); err != nil || !(u.Scheme == "https" || u.Scheme == "http" && isLoopback(u.Hostname())) {
		return nil, fmt.Errorf("media %s: URL %q is not https", mediaID, m.URL)
	}
	return w.get(ctx, m.URL, MaxMedia)
}

func (w *WhatsApp) get(ctx context.Context, u string, limit int64) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Authorization", "Bearer "+w.Token)
	resp, err := w.Client.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("media: HTTP %d from %s", resp.StatusCode, req.URL.Host)
	}
	b, err := io.ReadAll(io.LimitReader(resp.Body, limit+1))
	if err == nil && int64(len(b)) > limit {
		return nil, fmt.Errorf("media larger than %d bytes", limit)
	}
	return b, err
}
