package ui

import (
	"fmt"
	"io"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"minka/test/e2e"
)

// TestWebUI drives the view in headless Chromium against `minka dev
// --auth` with the examples: log in, the overview, each kind's page,
// scaling a SlavePool and seeing its agents come, a CLI change showing on
// an open page without a reload, an event's <script> shown as text, a
// phone-width screen, and a view token that is offered no action and
// refused one it forges.
func TestWebUI(t *testing.T) {
	d := e2e.StartDev(t, minkaBin, "../../examples", "--auth")
	server, admin, view := d.Env["MINKA_SERVER"], d.Env["MINKA_TOKEN"], d.Env["MINKA_VIEW_TOKEN"]
	b := newBrowser(t, server)

	// The page and its headers: a CSP without unsafe-inline.
	resp, err := http.Get(server + "/ui/")
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	csp := resp.Header.Get("Content-Security-Policy")
	if resp.StatusCode != 200 || !strings.Contains(csp, "script-src 'self'") || strings.Contains(csp, "unsafe-inline") || strings.Contains(csp, "unsafe-eval") {
		t.Fatalf("GET /ui/: %d, CSP %q: want 200 and scripts from the server only", resp.StatusCode, csp)
	}
	if strings.Contains(string(page), "<script>") || strings.Contains(string(page), "style=") {
		t.Errorf("/ui/ has an inline script or style:\n%s", page)
	}

	step(t, "login", func(t *testing.T) {
		b.t = t
		b.run(chromedp.Navigate(server + "/ui/"))
		b.wait("the login form", `document.querySelector('#login-token')`, 10*time.Second)
		b.run(chromedp.SendKeys(chromedp.CSS("#login-token"), "not-a-token"), chromedp.Click(chromedp.CSS("#login-submit")))
		b.wait("the refusal of a wrong token", `document.querySelector('#login-error').textContent.includes('not a token this server knows')`, 10*time.Second)
		b.run(chromedp.SendKeys(chromedp.CSS("#login-token"), admin))
		if v := eval[string](b, `document.querySelector('#login-token').value`); v != admin {
			t.Fatalf("the token field holds %q after typing the token", v)
		}
		b.run(chromedp.Click(chromedp.CSS("#login-submit")))
		b.wait("the admin logged in", `document.querySelector('#who').textContent === 'dev-admin (admin)'`, 10*time.Second)
		cookie, href := eval[string](b, `document.cookie`), eval[string](b, `location.href`)
		if strings.Contains(cookie, admin) || strings.Contains(href, admin) {
			t.Errorf("the token is where a script or a URL has it: document.cookie %q, location %q", cookie, href)
		}
	})

	var shots []string
	step(t, "overview", func(t *testing.T) {
		b.t = t
		for _, o := range [][2]string{{"Deployment", "web"}, {"Deployment", "web-staging"}, {"SlavePool", "trusty-amd64"},
			{"Repo", "ceph-master-45e3f3c"}, {"Pipeline", "webapp"}, {"Build", "webapp-manual-1"}} {
			b.wait("the overview's "+o[0]+" "+o[1], fmt.Sprintf(`document.querySelector('section tr[data-kind=%q][data-name=%q]')`, o[0], o[1]), 30*time.Second)
		}
		// The example Repo's packages are uploaded at start: once its
		// repositories are built nothing is wrong but what the sandbox
		// leaves pending, and problems come first.
		b.wait("the problems section first", `document.querySelector('main h2').textContent === 'Problems'`, 5*time.Second)
		shots = append(shots, b.screenshot("overview"))
	})

	step(t, "pages", func(t *testing.T) {
		b.t = t
		b.open("#/deployments/ci/web")
		b.wait("the Deployment's rollout", `/updated · \d+ ready · \d+ available of \d+ desired/.test(document.querySelector('#rollout-progress').textContent)`, 10*time.Second)
		b.wait("the Deployment's endpoints and history", `document.querySelector('table.endpoints tbody tr') && document.querySelector('table.history tbody tr')`, 60*time.Second)

		// A newer sha1 of the same ref, with a distro more and no
		// binaries yet: the matrix has both, and the latest sha1 ready on
		// the example's distros is still the older one.
		post(t, server, admin, "repos", `{"apiVersion":"minka.dev/v1alpha1","kind":"Repo","metadata":{"name":"ceph-master-9b1c2d3","namespace":"ci"},
			"spec":{"chacra":"default","project":"ceph","ref":"master","sha1":"9b1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e6f7a8b9c",
			"distros":[{"distro":"ubuntu","version":"xenial"},{"distro":"centos","version":"9"},{"distro":"ubuntu","version":"jammy"}]}}`)
		b.open("#/repos/ci/ceph-master-45e3f3c")
		b.wait("both sha1s in the matrix, the example's Ready", `document.querySelectorAll('table.matrix tbody tr').length === 2 &&
			document.querySelector('table.matrix tr[data-name="ceph-master-45e3f3c"] td[data-state=Ready]') &&
			document.querySelector('table.matrix tr[data-name="ceph-master-9b1c2d3"] td[data-state=WaitingForBinaries]')`, 60*time.Second)
		// Every distro picked: none of the sha1s is ready on jammy.
		b.wait("no sha1 ready on all three", `document.querySelector('#latest-ready').textContent.startsWith('None')`, 10*time.Second)
		b.click(`fieldset.pick input[value="ubuntu/jammy/x86_64"]`)
		b.wait("the example's sha1 as the latest ready on xenial and centos 9",
			`document.querySelector('#latest-ready').textContent.startsWith('45e3f3c7a1b2c3d4e5f60718293a4b5c6d7e8f90 (')`, 10*time.Second)
		shots = append(shots, b.screenshot("repo"))

		b.open("#/pipelines/ci/webapp")
		b.wait("the Pipeline's builds", `document.querySelector('table.builds tr[data-name="webapp-manual-1"]')`, 10*time.Second)

		b.open("#/builds/ci/webapp-manual-1")
		b.wait("the Build finished", `document.querySelector('.head .badge').textContent === 'Succeeded'`, 120*time.Second)
		b.wait("the Build's log tail", `document.querySelector('#build-log').textContent.length > 0`, 20*time.Second)
		shots = append(shots, b.screenshot("build"))

		b.open("#/events")
		b.wait("the events", `document.querySelector('table.events tbody tr')`, 10*time.Second)
	})

	step(t, "scale a SlavePool", func(t *testing.T) {
		b.t = t
		// A build triggered from the page, then queue pressure: builds
		// of master and of both tags (each its own concurrency key) that
		// each hold an executor for 30s.
		b.open("#/pipelines/ci/webapp")
		b.wait("the trigger form", `document.querySelector('#trigger-input')`, 10*time.Second)
		b.run(chromedp.Click(chromedp.CSS("#trigger-button")))
		b.wait("a build created", `/^created webapp-\d+$/.test(document.querySelector('#trigger-result').textContent)`, 10*time.Second)
		name := strings.TrimPrefix(b.text("#trigger-result"), "created ")
		b.wait("the new build listed", fmt.Sprintf(`document.querySelector('table.builds tr[data-name=%q]')`, name), 5*time.Second)
		for _, ref := range []string{`"branch":"master"`, `"gitTag":"v1.0.0"`, `"gitTag":"v1.1.0"`} {
			post(t, server, admin, "builds", `{"apiVersion":"minka.dev/v1alpha1","kind":"Build","metadata":{"namespace":"ci"},
				"spec":{"pipeline":"webapp",`+ref+`,"trigger":{"kind":"manual"},"parameters":{"SIM_DURATION":"30s"}}}`)
		}
		b.open("#/slavepools/ci/trusty-amd64")
		// In-page clicks for the controls inside a page's live part: a
		// re-render moves them, which ends DevTools' handle on the node.
		b.click("#chart-5m")
		b.wait("the queue seen", `/[1-9]\d* queued/.test(document.querySelector('#pool-size').textContent) || /[1-9]\d* busy/.test(document.querySelector('#pool-size').textContent)`, 30*time.Second)
		b.wait("the pool's form", `document.querySelector('#scale-input')`, 10*time.Second)
		// What the API refuses is refused here, with its words.
		b.run(chromedp.SetValue(chromedp.CSS("#scale-input"), "9"), chromedp.Click(chromedp.CSS("#scale-button")))
		b.wait("the API's refusal", `document.querySelector('#scale-result.error') && document.querySelector('#scale-result').textContent.includes('spec.maxReplicas')`, 10*time.Second)
		b.run(chromedp.SetValue(chromedp.CSS("#scale-input"), "3"), chromedp.Click(chromedp.CSS("#scale-button")))
		b.wait("the minimum set", `document.querySelector('#scale-result').textContent === 'minimum 3'`, 10*time.Second)
		took := b.wait("three agents", `document.querySelectorAll('table.agents tbody tr').length >= 3`, 30*time.Second)
		t.Logf("three agents listed %v after the minimum was set", took)
		shots = append(shots, b.screenshot("slavepool-scaling"))
		b.wait("three agents online", `document.querySelectorAll('table.agents tbody tr[data-phase=Online]').length >= 3`, 90*time.Second)
		b.wait("the chart's desired line", `document.querySelector('svg.chart path[data-series=desired]')`, 5*time.Second)
		shots = append(shots, b.screenshot("slavepool-online"))
	})

	step(t, "a CLI change shows without reload", func(t *testing.T) {
		b.t = t
		b.open("#/deployments/ci/web")
		b.wait("the Deployment page", `document.querySelector('#rollout-progress')`, 10*time.Second)
		// A reload would lose this mark; the watcher notes when the
		// page first shows the new size.
		eval[bool](b, `window.__mark = 'no reload'; window.__seen = 0;
			new MutationObserver(() => { const p = document.querySelector('#rollout-progress');
				if (!window.__seen && p && p.textContent.endsWith('of 4 desired')) window.__seen = Date.now(); })
			.observe(document.getElementById('main'), {subtree: true, childList: true, characterData: true}); true`)
		env := []string{"MINKA_CONFIG=" + filepath.Join(t.TempDir(), "none.yaml"), "MINKA_SERVER=" + server, "MINKA_TOKEN=" + admin}
		start := time.Now()
		out, errOut, code := e2e.Run(t, minkaBin, env, "", "scale", "deploy", "web", "-n", "ci", "--replicas", "4")
		done := time.Now()
		if code != 0 {
			t.Fatalf("minka scale deploy: %d %s %s", code, out, errOut)
		}
		b.wait("the new size on the open page", `window.__seen > 0`, 5*time.Second)
		seen, mark := eval[float64](b, `window.__seen`), eval[string](b, `window.__mark`)
		lag := time.UnixMilli(int64(seen)).Sub(done)
		t.Logf("the page showed 'of 4 desired' %v after `minka scale deploy` returned (%v after it started; it ran %v)",
			lag, time.UnixMilli(int64(seen)).Sub(start), done.Sub(start))
		if mark != "no reload" {
			t.Errorf("the page reloaded: window.__mark is %q", mark)
		}
		if lag > time.Second {
			t.Errorf("the page showed the change %v after the CLI made it: want within 1s", lag)
		}
		// Pause and resume from the page.
		b.run(chromedp.Click(chromedp.CSS("#pause")))
		b.wait("paused", `document.querySelector('#pause-result').textContent === 'paused' && document.querySelector('#pause').textContent === 'Resume' &&
			[...document.querySelectorAll('.head .badge')].some((e) => e.textContent === 'Paused')`, 10*time.Second)
		b.run(chromedp.Click(chromedp.CSS("#pause")))
		b.wait("resumed", `document.querySelector('#pause-result').textContent === 'resumed' && document.querySelector('#pause').textContent === 'Pause'`, 10*time.Second)
	})

	step(t, "an event's markup is text", func(t *testing.T) {
		b.t = t
		msg := `<script>window.__xss = 1</script><img src=x onerror="window.__xss = 2"> rollout note`
		ev := fmt.Sprintf(`{"apiVersion":"minka.dev/v1alpha1","kind":"Event","metadata":{"name":"xss-note","namespace":"ci"},
			"involvedObject":{"kind":"Deployment","name":"web","namespace":"ci"},"reason":"Note","type":"Warning","message":%s,
			"firstTimestamp":%q,"lastTimestamp":%q,"count":1}`, js(msg), time.Now().UTC().Format(time.RFC3339), time.Now().UTC().Format(time.RFC3339))
		post(t, server, admin, "events", ev)
		// It arrives on the open Deployment page by the watch.
		b.wait("the event on the Deployment page", `document.querySelector('tr.event[data-name="xss-note"]')`, 5*time.Second)
		b.open("#/events")
		b.wait("the event on the events page", `document.querySelector('tr.event[data-name="xss-note"]')`, 5*time.Second)
		got := eval[string](b, `document.querySelector('tr.event[data-name="xss-note"] td.msg').textContent`)
		xss := eval[any](b, `window.__xss === undefined ? null : window.__xss`)
		imgs := eval[int](b, `document.querySelectorAll('tr.event[data-name="xss-note"] script, tr.event[data-name="xss-note"] img').length`)
		if got != msg || xss != nil || imgs != 0 {
			t.Errorf("the event's message shows as %q (want the text %q), window.__xss %v, %d script/img elements in its row", got, msg, xss, imgs)
		}
		b.run(chromedp.SendKeys(chromedp.CSS("#filter-text"), "rollout note"))
		b.wait("the filter keeping only it", `document.querySelectorAll('table.events tbody tr').length === 1`, 5*time.Second)
	})

	step(t, "phone width", func(t *testing.T) {
		b.t = t
		b.run(chromedp.EmulateViewport(390, 844))
		b.open("#/")
		b.wait("the overview", `document.querySelector('section tr[data-name=web]')`, 10*time.Second)
		if sw := eval[int](b, `document.documentElement.scrollWidth`); sw > 391 {
			t.Errorf("at 390 px the page is %d px wide: it scrolls sideways", sw)
		}
		shots = append(shots, b.screenshot("overview-phone"))
		b.run(chromedp.EmulateViewport(1280, 900))
	})

	step(t, "a view token", func(t *testing.T) {
		b.t = t
		b.run(chromedp.Click(chromedp.CSS("#logout")))
		b.wait("the login form", `document.querySelector('#login-token')`, 10*time.Second)
		b.run(chromedp.SendKeys(chromedp.CSS("#login-token"), view), chromedp.Click(chromedp.CSS("#login-submit")))
		b.wait("the viewer logged in", `document.querySelector('#who').textContent === 'dev-viewer (view)'`, 10*time.Second)
		for _, p := range []string{"#/deployments/ci/web", "#/slavepools/ci/trusty-amd64", "#/pipelines/ci/webapp"} {
			b.open(p)
			b.wait(p+" shown", `document.querySelector('.head h1')`, 10*time.Second)
			if n := eval[int](b, `document.querySelectorAll('form.action, span.action, .actions button').length`); n != 0 {
				t.Errorf("%s offers the view token %d actions", p, n)
			}
		}
		// Forged: the page's own session and CSRF token, a scale it was
		// not offered.
		res := eval[map[string]any](b, `(async () => {
			const s = await (await fetch('/ui/session')).json();
			const r = await fetch('/ui/api/apis/minka.dev/v1alpha1/namespaces/ci/deployments/web/scale', {method: 'PATCH',
				headers: {'Content-Type': 'application/merge-patch+json', 'X-CSRF-Token': s.csrfToken}, body: '{"spec":{"replicas":1}}'});
			const noCSRF = await fetch('/ui/api/apis/minka.dev/v1alpha1/namespaces/ci/deployments/web/scale', {method: 'PATCH',
				headers: {'Content-Type': 'application/merge-patch+json'}, body: '{"spec":{"replicas":1}}'});
			return {code: r.status, message: (await r.json()).message, noCSRF: noCSRF.status, noCSRFMessage: (await noCSRF.json()).message};
		})()`)
		if res["code"] != float64(403) || !strings.Contains(fmt.Sprint(res["message"]), "cannot patch") {
			t.Errorf("the view token's forged scale: %v, want 403 from the API (cannot patch)", res)
		}
		if res["noCSRF"] != float64(403) || !strings.Contains(fmt.Sprint(res["noCSRFMessage"]), "CSRF") {
			t.Errorf("a write without the CSRF token: %v, want 403 naming the CSRF token", res)
		}
	})

	b.t = t
	if p := b.reported("Content Security Policy", "Content-Security-Policy", "exception"); len(p) > 0 {
		t.Errorf("the page reported:\n%s", strings.Join(p, "\n"))
	}
	t.Logf("screenshots: %s", strings.Join(shots, " "))
	d.Stop(t)
}

// step runs one step of a test that goes on only while its steps pass.
func step(t *testing.T, name string, f func(t *testing.T)) {
	t.Helper()
	if t.Failed() {
		return
	}
	if !t.Run(name, f) {
		t.FailNow()
	}
}

// post creates an object in namespace ci through the API with token.
func post(t *testing.T, server, token, resource, obj string) {
	t.Helper()
	req, _ := http.NewRequest("POST", server+"/apis/minka.dev/v1alpha1/namespaces/ci/"+resource, strings.NewReader(obj))
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("creating %s: %d %s", resource, resp.StatusCode, body)
	}
}
