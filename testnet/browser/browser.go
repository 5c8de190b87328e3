package browser

import (
	"context"
	_ "embed"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// axe is axe-core 4.11.1 (npm axe-core, axe.min.js), MPL-2.0
// (axe/LICENSE), injected into a page by Axe; never served by a node.
//
//go:embed axe/axe.min.js
var axe string

// Browser is one headless chromium.
type Browser struct {
	t     testing.TB
	alloc context.Context
}

// Path is the chromium binary, "" when none is installed.
func Path() string {
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	return ""
}

// Start launches chromium for t and stops it when t ends.
func Start(t testing.TB) *Browser {
	t.Helper()
	path := Path()
	if path == "" {
		if os.Getenv("CI") == "true" {
			t.Fatal("chromium is not installed; CI installs it (apt-get install -y --no-install-recommends chromium)")
		}
		t.Skip("browser test skipped: chromium is not installed (apt-get install chromium)")
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath(path), chromedp.NoSandbox,
		chromedp.Flag("disable-dev-shm-usage", true), chromedp.WindowSize(1366, 768),
		// A camera that is always there and always allowed: chromium's
		// test pattern, for the intake's photo from the PC's camera.
		chromedp.Flag("use-fake-device-for-media-stream", true), chromedp.Flag("use-fake-ui-for-media-stream", true))
	alloc, cancel := chromedp.NewExecAllocator(context.Background(), opts...)
	b := &Browser{t: t, alloc: alloc}
	// The first context starts the browser itself; officers get their own.
	root, stop := chromedp.NewContext(alloc)
	if err := chromedp.Do(root); err != nil {
		stop()
		cancel()
		t.Fatalf("start chromium: %v", err)
	}
	b.alloc = root
	t.Cleanup(func() { stop(); cancel() })
	return b
}

// Tab is one person's window: a browser context of its own, so its
// cookies are its own.
type Tab struct {
	t    testing.TB
	ctx  context.Context
	name string
}

// Person opens a window for someone (named in failures and screenshots).
func (b *Browser) Person(name string) *Tab {
	ctx, cancel := chromedp.NewContext(b.alloc, chromedp.WithNewBrowserContext())
	b.t.Cleanup(cancel)
	// The first run opens the tab, which lives as long as that run's
	// context: this one, without the timeout later actions get.
	if err := chromedp.Do(ctx); err != nil {
		b.t.Fatalf("open a window for %s: %v", name, err)
	}
	return &Tab{t: b.t, ctx: ctx, name: name}
}

// Do runs actions, failing the test with what the page showed.
func (tab *Tab) Do(actions ...chromedp.Action[chromedp.Void]) {
	tab.t.Helper()
	ctx, cancel := context.WithTimeout(tab.ctx, 45*time.Second)
	defer cancel()
	if err := chromedp.Do(ctx, actions...); err != nil {
		tab.t.Fatalf("%s: %v\npage: %s", tab.name, err, tab.mainText())
	}
}

// Text is the text of the first element matching a CSS selector.
func (tab *Tab) Text(sel string) string {
	tab.t.Helper()
	ctx, cancel := context.WithTimeout(tab.ctx, 45*time.Second)
	defer cancel()
	s, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(sel)))
	if err != nil {
		tab.t.Fatalf("%s: text of %s: %v\npage: %s", tab.name, sel, err, tab.mainText())
	}
	return s
}

// Eval evaluates a JavaScript expression in the page.
func Eval[T any](tab *Tab, expr string) T {
	tab.t.Helper()
	ctx, cancel := context.WithTimeout(tab.ctx, 45*time.Second)
	defer cancel()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](expr, chromedp.EvalAwaitPromise))
	if err != nil {
		if len(expr) > 120 {
			expr = expr[:120] + "…"
		}
		tab.t.Fatalf("%s: evaluate %q: %v", tab.name, expr, err)
	}
	return v
}

// mainText is the page's main content, for a failure message.
func (tab *Tab) mainText() string {
	ctx, cancel := context.WithTimeout(tab.ctx, 5*time.Second)
	defer cancel()
	s, err := chromedp.Run(ctx, chromedp.Evaluate[string](`(document.querySelector("main")||document.body||{innerText:""}).innerText`))
	if err != nil {
		return "(unreadable: " + err.Error() + ")"
	}
	return s
}

// violation is one axe-core finding.
type violation struct {
	ID     string `json:"id"`
	Impact string `json:"impact"`
	Help   string `json:"help"`
	Nodes  []struct {
		Target []any `json:"target"`
	} `json:"nodes"`
}

// Axe runs axe-core on the page and fails the test on any serious or
// critical violation, naming the screen.
func (tab *Tab) Axe(screen string) {
	tab.t.Helper()
	Eval[bool](tab, axe+`;true`)
	raw := Eval[string](tab, `axe.run(document,{resultTypes:["violations"]}).then(r=>JSON.stringify(r.violations))`)
	var vs []violation
	if raw == "" {
		tab.t.Fatalf("axe on %s returned nothing", screen)
	}
	if err := json.Unmarshal([]byte(raw), &vs); err != nil {
		tab.t.Fatalf("axe on %s: %v", screen, err)
	}
	var bad []string
	for _, v := range vs {
		if v.Impact == "serious" || v.Impact == "critical" {
			bad = append(bad, fmt.Sprintf("%s (%s): %s at %v", v.ID, v.Impact, v.Help, v.Nodes))
		} else {
			tab.t.Logf("axe-core on %s, %s (%s): %s", screen, v.ID, v.Impact, v.Help)
		}
	}
	if len(bad) > 0 {
		tab.t.Errorf("axe-core on %s:\n%s", screen, strings.Join(bad, "\n"))
	}
}

// Shot saves a screenshot of the page as NAME.png in the directory named
// by SINKRON_SCREENSHOTS, when it is set (the README's pictures).
func (tab *Tab) Shot(name string) {
	tab.t.Helper()
	dir := os.Getenv("SINKRON_SCREENSHOTS")
	if dir == "" {
		return
	}
	ctx, cancel := context.WithTimeout(tab.ctx, 45*time.Second)
	defer cancel()
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		tab.t.Fatalf("screenshot %s: %v", name, err)
	}
	if err := os.WriteFile(filepath.Join(dir, name+".png"), png, 0o644); err != nil {
		tab.t.Fatal(err)
	}
}
