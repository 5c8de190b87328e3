package node

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// A config whose approved template asks for another number of parameters
// than the node fills is refused when the node loads it, as is a webhook
// without its verify token or at a node that does not send.
func TestWhatsAppConfigRefused(t *testing.T) {
	for _, tc := range []struct{ name, toml, want string }{
		{"template parameter count", `
[whatsapp.template.selesai]
name = "sinkron_permohonan_selesai"
body = "Permohonan {{1}} Anda telah selesai di {{2}}."
params = ["kode"]
`, "has 2 body parameters, the node fills 1"},
		{"webhook without verify token", `
[whatsapp]
base_url = "https://graph.facebook.com/v23.0"
phone_number_id = "1"
token_file = "t"
[whatsapp.webhook]
app_secret_file = "s"
`, "verify_token_file is required"},
		{"webhook at a relay", `
[whatsapp]
relay = true
[whatsapp.webhook]
app_secret_file = "s"
verify_token_file = "v"
`, "only the node that sends"},
		{"fits", `
[whatsapp.template.selesai]
name = "x"
body = "Permohonan {{1}} selesai di {{2}}."
params = ["kode", "kantor"]
`, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := filepath.Join(t.TempDir(), "sinkron.toml")
			body := "data_dir = \"d\"\ngenesis = \"g.json\"\n" + tc.toml
			if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
				t.Fatal(err)
			}
			_, err := LoadConfig(p)
			if tc.want == "" && err != nil || tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)) {
				t.Fatalf("error %v, want %q", err, tc.want)
			}
		})
	}
}
