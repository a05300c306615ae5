package marathon

import (
	"encoding/json"
	"net/http"
	"strings"
)

// The Mesos master's HTTP routing, as libprocess 1.10 does it
// (3rdparty/libprocess/src/process.cpp: ProcessManager::handle and
// ProcessBase::consume of an HttpEvent):
//
//   - a path holding "/.." is 404;
//   - the first non-empty segment names a process; a path whose first
//     segment names none (or no segment at all) goes to the delegate,
//     the master: "/api/v1" is "/master/api/v1", "/health" is
//     "/master/health";
//   - in the process, the endpoint is the rest of the path with its
//     leading and trailing slashes trimmed, looked up longest prefix
//     first by dirname: "/master/api/v1/" and "/master/api/v1/x" reach
//     "api/v1";
//   - nothing found is NotFound(): 404 "404 Not Found." as text/plain.
//
// The simulated processes are "master" (api/v1, health, redirect) and
// "version"; libprocess answers with text/plain; charset=utf-8 bodies
// unless the endpoint says otherwise, without a trailing newline.

// mesosEndpoints are the simulated endpoints of each process.
func (c *Cluster) mesosEndpoints() map[string]map[string]http.HandlerFunc {
	return map[string]map[string]http.HandlerFunc{
		"master":  {"api/v1": c.serveOperatorAPI, "health": mesosHealth, "redirect": mesosRedirect},
		"version": {"": c.serveVersion},
	}
}

func (c *Cluster) serveMesos(w http.ResponseWriter, r *http.Request) {
	path := r.URL.Path
	if strings.Contains(path, "/..") {
		plain(w, http.StatusNotFound, "404 Not Found.")
		return
	}
	procs := c.mesosEndpoints()
	tokens := pathSegments(path)
	if len(tokens) == 0 || procs[tokens[0]] == nil {
		path = "/master" + path
		if len(tokens) == 0 {
			path = "/master"
		}
		tokens = pathSegments(path)
	}
	// The endpoint: the path less "/<process>" (when it starts so), its
	// slashes trimmed at both ends.
	name := strings.Trim(strings.TrimPrefix(path, "/"+tokens[0]), "/")
	for dirname(name) != name {
		if h := procs[tokens[0]][name]; h != nil {
			r.URL.Path = path // the endpoint sees the delegated path
			h(w, r)
			return
		}
		name = dirname(name)
	}
	plain(w, http.StatusNotFound, "404 Not Found.")
}

// dirname is stout's Path::dirname (POSIX dirname).
func dirname(p string) string {
	p = strings.TrimRight(p, "/")
	i := strings.LastIndex(p, "/")
	switch {
	case p == "" && i < 0:
		return "."
	case i < 0:
		return "."
	}
	d := strings.TrimRight(p[:i], "/")
	if d == "" {
		return "/"
	}
	return d
}

// plain is a libprocess Response(body, code): text/plain; charset=utf-8.
func plain(w http.ResponseWriter, code int, body string) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.WriteHeader(code)
	_, _ = w.Write([]byte(body))
}

// mesosHealth is Master::Http::health: 200 with no body.
func mesosHealth(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusOK) }

// mesosRedirect is Master::Http::redirect: 307 to the leading master,
// this one, as a protocol-relative URL; below /master/redirect/ it is a
// 404, to prevent loops.
func mesosRedirect(w http.ResponseWriter, r *http.Request) {
	base := "//" + r.Host
	switch p := r.URL.Path; {
	case p == "/redirect" || p == "/master/redirect":
		w.Header().Set("Location", base)
	case strings.HasPrefix(p, "/redirect/") || strings.HasPrefix(p, "/master/redirect/"):
		plain(w, http.StatusNotFound, "404 Not Found.")
		return
	default:
		w.Header().Set("Location", base+r.URL.RequestURI())
	}
	w.WriteHeader(http.StatusTemporaryRedirect)
}

// serveVersion is VersionProcess::version (src/version/version.cpp): the
// build's JSON, or with ?jsonp=f the call f(…) as text/javascript.
func (c *Cluster) serveVersion(w http.ResponseWriter, r *http.Request) {
	body, _ := json.Marshal(mesosVersion())
	if cb := r.URL.Query().Get("jsonp"); cb != "" {
		w.Header().Set("Content-Type", "text/javascript")
		_, _ = w.Write([]byte(cb + "(" + string(body) + ")"))
		return
	}
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write(body)
}

// mesosVersion is internal::version(), the same build GET_VERSION names.
func mesosVersion() map[string]any {
	return map[string]any{"version": "1.10.0", "build_date": "2020-05-28 12:00:00", "build_time": 1590667200.0, "build_user": "root"}
}
