package ui

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// browser is a headless Chromium tab of the view, recording what the
// page reports: exceptions and the console's errors (a CSP violation
// is one).
type browser struct {
	t     *testing.T
	ctx   context.Context
	base  string // the server's URL
	shots string // where screenshots go

	mu       sync.Mutex
	problems []string
}

// chromium finds Debian's chromium (or another Chrome). Under CI a
// missing browser fails the test; elsewhere it skips it.
func chromium(t *testing.T) string {
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "google-chrome-stable"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if os.Getenv("CI") != "" {
		t.Fatal("no chromium on PATH: .ci/run installs Debian's chromium package")
	}
	t.Skip("no chromium on PATH (apt-get install chromium): the browser test needs one")
	return ""
}

func newBrowser(t *testing.T, base string) *browser {
	t.Helper()
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(chromium(t)),
		chromedp.NoSandbox, // CI runs as root, where Chromium's sandbox cannot start
		chromedp.WindowSize(1280, 900),
		chromedp.Flag("disable-dev-shm-usage", true),
	)
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(actx)
	t.Cleanup(func() { cancel(); cancelAlloc() })
	shots := os.Getenv("MINKA_UI_SCREENSHOTS")
	if shots == "" {
		shots = t.TempDir()
	}
	if err := os.MkdirAll(shots, 0o755); err != nil {
		t.Fatal(err)
	}
	b := &browser{t: t, ctx: ctx, base: base, shots: shots}
	// The first action starts the browser, with no deadline: one would
	// end the browser with it.
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("starting %s: %v", chromium(t), err)
	}
	msgs := chromedp.Console(ctx)
	go func() {
		for m, err := range msgs {
			if err != nil {
				return
			}
			if m.IsException() || m.Type == chromedp.ConsoleError {
				b.report(fmt.Sprintf("%s (%s): %s", m.Type, m.Source, m.Text))
			}
		}
	}()
	return b
}

func (b *browser) report(p string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.problems = append(b.problems, p)
}

// reported returns the page's problems so far that contain any of subs.
func (b *browser) reported(subs ...string) []string {
	b.mu.Lock()
	defer b.mu.Unlock()
	var out []string
	for _, p := range b.problems {
		for _, s := range subs {
			if strings.Contains(p, s) {
				out = append(out, p)
				break
			}
		}
	}
	return out
}

func (b *browser) run(steps ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, 60*time.Second)
	defer cancel()
	if err := chromedp.Do(ctx, steps...); err != nil {
		b.t.Fatalf("browser: %v", err)
	}
}

// eval evaluates expr in the page (awaiting a promise) and returns its value.
func eval[T any](b *browser, expr string) T {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, 60*time.Second)
	defer cancel()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](expr, chromedp.EvalAwaitPromise))
	if err != nil {
		b.t.Fatalf("evaluating %s: %v", expr, err)
	}
	return v
}

// wait polls expr (a JavaScript boolean) until it holds, every 50 ms,
// and returns how long that took; past timeout it fails naming what.
func (b *browser) wait(what, expr string, timeout time.Duration) time.Duration {
	b.t.Helper()
	start := time.Now()
	for {
		ctx, cancel := context.WithTimeout(b.ctx, 10*time.Second)
		ok, err := chromedp.Run(ctx, chromedp.Evaluate[bool]("!!("+expr+")"))
		cancel()
		if err == nil && ok {
			return time.Since(start)
		}
		if time.Since(start) > timeout {
			text, _ := chromedp.Run(b.ctx, chromedp.Evaluate[string](`document.getElementById('main').innerText.slice(0, 3000)`))
			b.t.Fatalf("waited %v for %s (%s), err %v; the page shows:\n%s", timeout, what, expr, err, text)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// text is an element's textContent ("" when there is none).
func (b *browser) text(selector string) string {
	b.t.Helper()
	return eval[string](b, fmt.Sprintf(`(document.querySelector(%s) || {}).textContent || ''`, js(selector)))
}

// click clicks an element from within the page, as the user's click
// would arrive: a click event on it (a checkbox toggles first).
func (b *browser) click(selector string) {
	b.t.Helper()
	b.wait("the element "+selector, fmt.Sprintf(`document.querySelector(%s)`, js(selector)), 10*time.Second)
	eval[bool](b, fmt.Sprintf(`document.querySelector(%s).click(), true`, js(selector)))
}

// open goes to a page of the view by its hash, without reloading.
func (b *browser) open(hash string) {
	b.t.Helper()
	eval[string](b, fmt.Sprintf(`location.hash = %s`, js(hash)))
}

// screenshot writes the whole page as name.png and returns its path.
func (b *browser) screenshot(name string) string {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, 60*time.Second)
	defer cancel()
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		b.t.Fatalf("screenshot %s: %v", name, err)
	}
	p := filepath.Join(b.shots, name+".png")
	if err := os.WriteFile(p, png, 0o644); err != nil {
		b.t.Fatal(err)
	}
	b.t.Logf("screenshot %s (%d bytes)", p, len(png))
	return p
}

// js quotes s as a JavaScript string.
func js(s string) string {
	q, _ := json.Marshal(s)
	return string(q)
}
