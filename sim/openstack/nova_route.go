package openstack

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"net/http"
	"regexp"
	"strings"
)

// novaReq is what a Nova controller knows of its request.
type novaReq struct {
	ver     apiVersion // the microversion (2.1 on the legacy /v2 endpoint)
	legacy  bool       // under /v2: no microversions, none reported
	root    string     // the cloud's base URL
	base    string     // the application URL: .../compute/v2.1 or .../compute/v2
	project bool       // the URL named the project
	params  []string   // the route's {id}s, in order
	body    []byte
}

// supports is api_version_request.is_supported: never on legacy v2.
func (q *novaReq) supports(v string) bool { return !q.legacy && q.ver.atLeast(mustVersion(v)) }

// link is ViewBuilder._get_href_link: base[/project]/collection/id.
func (q *novaReq) link(c *Cloud, parts ...string) string {
	return urlJoin(append([]string{q.base, q.projectSeg(c)}, parts...)...)
}

// bookmark is ViewBuilder._get_bookmark_link: the same without the version.
func (q *novaReq) bookmark(c *Cloud, parts ...string) string {
	return urlJoin(append([]string{q.root + ComputePath, q.projectSeg(c)}, parts...)...)
}

func (q *novaReq) projectSeg(c *Cloud) string {
	if q.project {
		return c.projectID
	}
	return ""
}

type novaFunc func(c *Cloud, w http.ResponseWriter, r *http.Request, q *novaReq)

// novaMethod is a controller method and the microversions it exists at
// (@wsgi.api_version; a zero max is no bound).
type novaMethod struct {
	fn  novaFunc
	max apiVersion
}

type novaRoute struct {
	path    string // "/"-separated; "*" is a {param}
	methods map[string]novaMethod
}

// novaRoutes is the part of nova's ROUTE_LIST (compute/routes.py) the
// simulator serves, in its order: a literal before a {param} at the same place.
var novaRoutes = []novaRoute{
	{"", map[string]novaMethod{"GET": {fn: (*Cloud).versionShow}}},
	{"versions/*", map[string]novaMethod{"GET": {fn: (*Cloud).versionShow}}},
	{"flavors", map[string]novaMethod{"GET": {fn: (*Cloud).listFlavorsBasic}}},
	{"flavors/detail", map[string]novaMethod{"GET": {fn: (*Cloud).listFlavors}}},
	{"flavors/*", map[string]novaMethod{"GET": {fn: (*Cloud).getFlavor}}},
	{"images", map[string]novaMethod{"GET": {fn: (*Cloud).proxyImages, max: novaMaxProxy}}},
	{"images/detail", map[string]novaMethod{"GET": {fn: (*Cloud).proxyImagesDetail, max: novaMaxProxy}}},
	{"images/*", map[string]novaMethod{"GET": {fn: (*Cloud).proxyImage, max: novaMaxProxy},
		"DELETE": {fn: (*Cloud).proxyDeleteImage, max: novaMaxProxy}}},
	{"images/*/metadata", map[string]novaMethod{"GET": {fn: (*Cloud).proxyImageMetadata, max: novaMaxImageMeta}}},
	{"images/*/metadata/*", map[string]novaMethod{"GET": {fn: (*Cloud).proxyImageMetaKey, max: novaMaxImageMeta}}},
	{"limits", map[string]novaMethod{"GET": {fn: (*Cloud).limits}}},
	{"os-keypairs", map[string]novaMethod{"GET": {fn: (*Cloud).listKeyPairs}}},
	{"os-volumes", map[string]novaMethod{"GET": {fn: (*Cloud).proxyVolumes, max: novaMaxProxy},
		"POST": {fn: (*Cloud).proxyCreateVolume, max: novaMaxProxy}}},
	{"os-volumes/detail", map[string]novaMethod{"GET": {fn: (*Cloud).proxyVolumes, max: novaMaxProxy}}},
	{"os-volumes/*", map[string]novaMethod{"GET": {fn: (*Cloud).proxyVolume, max: novaMaxProxy},
		"DELETE": {fn: (*Cloud).proxyDeleteVolume, max: novaMaxProxy}}},
	{"servers", map[string]novaMethod{"GET": {fn: (*Cloud).listServersBasic}, "POST": {fn: (*Cloud).createServer}}},
	{"servers/detail", map[string]novaMethod{"GET": {fn: (*Cloud).listServersDetail}}},
	{"servers/*", map[string]novaMethod{"GET": {fn: (*Cloud).getServer}, "DELETE": {fn: (*Cloud).deleteServerAPI}}},
	{"servers/*/ips", map[string]novaMethod{"GET": {fn: (*Cloud).serverIPs}}},
	{"servers/*/os-volume_attachments", map[string]novaMethod{"GET": {fn: (*Cloud).listAttachments},
		"POST": {fn: (*Cloud).attach}}},
	{"servers/*/os-volume_attachments/*", map[string]novaMethod{"GET": {fn: (*Cloud).getAttachment},
		"DELETE": {fn: (*Cloud).detach}}},
}

// matchRoute is Routes' match: every segment exact (no trailing slash),
// a {param} one or more characters without "/", the method a condition.
func matchRoute(segs []string, method string) (novaMethod, []string, bool) {
	for _, rt := range novaRoutes {
		pat := strings.Split(rt.path, "/")
		if len(pat) != len(segs) {
			continue
		}
		var params []string
		ok := true
		for i, p := range pat {
			switch {
			case p == "*" && segs[i] != "":
				params = append(params, segs[i])
			case p != segs[i]:
				ok = false
			}
		}
		if m, found := rt.methods[method]; ok && found {
			return m, params, true
		}
	}
	return novaMethod{}, nil, false
}

var projectIDRe = regexp.MustCompile(`^[0-9a-f-]+$`)

// serveCompute routes /compute as nova's api-paste.ini does: paste's
// URLMap (repeated slashes merged) sends "/" and unknown prefixes to the
// version documents, /v2.1 and /v2.1/ to VersionsV2, and /v2.1/... to the
// API behind keystonemiddleware; /v2 is the same API in legacy v2 mode.
func (c *Cloud) serveCompute(w http.ResponseWriter, r *http.Request, p string) {
	p = mergeSlashes(p)
	root := c.BaseURL()
	switch {
	case p == "" || p == "/":
		c.computeVersions(w)
	case p == "/v2.1" || p == "/v2.1/":
		c.novaResource(w, r, &novaReq{root: root, base: root + ComputePath + "/v2.1"}, novaMethod{fn: (*Cloud).versionsV2})
	case p == "/v2" || p == "/v2/":
		c.computeVersion(w, root+ComputePath+"/v2", "v2.0")
	case strings.HasPrefix(p, "/v2.1/"):
		c.serveNovaAPI(w, r, p[len("/v2.1/"):], &novaReq{root: root, base: root + ComputePath + "/v2.1"})
	case strings.HasPrefix(p, "/v2/"):
		c.serveNovaAPI(w, r, p[len("/v2/"):], &novaReq{root: root, base: root + ComputePath + "/v2", legacy: true})
	default:
		c.computeChoices(w, ComputePath+p)
	}
}

// serveNovaAPI is the API router: the token first, then the route (none:
// WebOb's bare 404), then the resource.
func (c *Cloud) serveNovaAPI(w http.ResponseWriter, r *http.Request, rest string, q *novaReq) {
	if !c.authorized(r) {
		c.unauthorized(w)
		return
	}
	segs := strings.Split(rest, "/")
	m, params, ok := novaMethod{}, []string(nil), false
	var urlProject string
	if projectIDRe.MatchString(segs[0]) {
		if m, params, ok = matchRoute(segs[1:], r.Method); ok {
			urlProject, q.project = segs[0], true
		}
	}
	if !ok {
		m, params, ok = matchRoute(segs, r.Method)
	}
	if !ok {
		webobError(w, r, http.StatusNotFound, "")
		return
	}
	q.params = params
	if urlProject != "" && urlProject != c.projectID {
		c.novaResource(w, r, q, novaMethod{fn: func(c *Cloud, w http.ResponseWriter, _ *http.Request, _ *novaReq) {
			novaError(w, http.StatusBadRequest, "badRequest", fmt.Sprintf("Malformed request URL: URL's project_id '%s'"+
				" doesn't match Context's project_id '%s'", urlProject, c.projectID))
		}})
		return
	}
	c.novaResource(w, r, q, m)
}

// novaResource is wsgi.Resource.__call__ and _process_stack: the
// microversion (400/406 faults), the Content-Type (415), the body (400),
// then the method at its versions (a 404 fault outside them) and the
// version headers on whatever it answers.
func (c *Cloud) novaResource(w http.ResponseWriter, r *http.Request, q *novaReq, m novaMethod) {
	q.ver = novaMinVersion
	if !q.legacy {
		ver, code, msg := novaVersion(r)
		if code != 0 {
			novaError(w, code, faultName(code), msg)
			return
		}
		q.ver = ver
		setNovaVersionHeaders(w.Header(), ver)
	}
	if ct, ok := r.Header["Content-Type"]; ok {
		mt, _, err := mime.ParseMediaType(ct[0])
		if err != nil {
			mt = strings.ToLower(strings.TrimSpace(strings.Split(ct[0], ";")[0]))
		}
		if mt != "" && mt != "text/plain" && mt != "application/json" && mt != "application/vnd.openstack.compute+json" {
			novaError(w, http.StatusUnsupportedMediaType, "badMediaType", "Unsupported Content-Type")
			return
		}
	}
	if r.Method == http.MethodPost || r.Method == http.MethodPut {
		q.body, _ = io.ReadAll(r.Body)
		if len(q.body) > 0 && !json.Valid(q.body) {
			novaError(w, http.StatusBadRequest, "badRequest", "Malformed request body")
			return
		}
		r.Body = io.NopCloser(bytes.NewReader(q.body))
	}
	if m.max != (apiVersion{}) && m.max.less(q.ver) {
		// VersionNotFoundForAPIMethod: "as if the method is simply not implemented".
		novaError(w, http.StatusNotFound, "itemNotFound", "The resource could not be found.")
		return
	}
	ctype := "application/json"
	if bestOffer(r.Header.Values("Accept"), "application/json", "application/vnd.openstack.compute+json") ==
		"application/vnd.openstack.compute+json" {
		ctype = "application/vnd.openstack.compute+json"
	}
	m.fn(c, ctypeWriter{w, ctype}, r, q)
}

// faultName is wsgi.Fault's name for a status.
func faultName(code int) string {
	names := map[int]string{400: "badRequest", 401: "unauthorized", 403: "forbidden", 404: "itemNotFound",
		405: "badMethod", 409: "conflictingRequest", 413: "overLimit", 415: "badMediaType", 429: "overLimit",
		501: "notImplemented", 503: "serviceUnavailable"}
	if n, ok := names[code]; ok {
		return n
	}
	return "computeFault"
}

// ctypeWriter gives a successful response the content type the Accept
// header chose (best_match_content_type); faults stay application/json,
// and an empty success still says its type, as ResponseObject.serialize does.
type ctypeWriter struct {
	http.ResponseWriter
	ctype string
}

func (w ctypeWriter) WriteHeader(code int) {
	if code < 300 {
		w.Header().Set("Content-Type", w.ctype)
	}
	w.ResponseWriter.WriteHeader(code)
}
