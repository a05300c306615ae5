package marathon

import (
	"bytes"
	"encoding/json"
	"net/http"
	"regexp"
)

// Marathon 1.4 serves its REST API through Jersey 1.18 (JAX-RS), and this
// file does what Jersey's matching does (jersey-server
// server/impl/uri/rules at 1.18.5; ResourceUriRules, RightHandPathRule,
// HttpMethodRule, TerminatingRule), so that every route answers a path,
// a method and a media type as Marathon does:
//
//   - A resource's rules are tried in Jersey's order (most literal
//     characters first); only the first whose template matches is
//     followed. A template value "{id:.+}" is greedy and takes slashes,
//     so "/v2/apps//bar/foreign/tasks" reaches the tasks of app
//     "/bar/foreign" (PathId drops the empty segments).
//   - A right-hand path of a lone "/" is consumed: "/v2/apps/" is
//     "/v2/apps", "/v2/info/" is "/v2/info".
//   - A path matched with no method for the verb is 405, a Content-Type a
//     method does not consume 415, an Accept it cannot produce 406: each
//     is kept while other rules are tried, then answered. A path nothing
//     matches is 404 "URI not found: <raw path>". All four go through
//     MarathonExceptionMapper: {"message": <reason phrase>} as
//     application/json, without the Allow header (the mapper builds a new
//     response).
//   - HEAD without a @HEAD method is answered by GET (Go drops the body);
//     OPTIONS by Jersey's WADL options method (options.go).

// A resource is a JAX-RS resource class: its rules in matching order.
type resource []rule

// A rule is a path template with either a sub-resource locator (sub) or
// resource methods. Its regexp's last group is the right-hand path.
type rule struct {
	re      *regexp.Regexp
	sub     resource
	methods []method
}

// A method is one resource method: its verb, what it consumes ("" for
// anything, else application/json), what it produces (nil for anything)
// and its handler.
type method struct {
	verb     string
	consumes string
	produces []mediaType
	serve    func(x *exchange)
}

// An exchange is one request being served: the template values matched
// on the way, outermost first, and the negotiated response type.
type exchange struct {
	c      *Cluster
	w      http.ResponseWriter
	r      *http.Request
	params []string
	ctype  string
}

const jsonType = "application/json"

var (
	preferredJSON = []mediaType{{typ: "application", sub: "json", params: "qs=2", qs: 2}} // MarathonMediaType.PREFERRED_APPLICATION_JSON
	textPlain     = []mediaType{{typ: "text", sub: "plain", qs: 1}}
)

// tmpl compiles a template as Jersey does: a sub-resource method ends in
// "(/)?", a locator and a root resource in "(/.*)?".
func tmpl(re string) *regexp.Regexp { return regexp.MustCompile("^" + re + "$") }

// locator is a rule for a sub-resource locator or a root resource.
func locator(re string, sub resource) rule { return rule{re: tmpl(re + "(/.*)?"), sub: sub} }

// methods is a rule for sub-resource methods ("" for the resource's own).
func methods(re string, ms ...method) rule {
	if re == "" {
		return rule{re: tmpl("()"), methods: ms}
	}
	return rule{re: tmpl(re + "(/)?"), methods: ms}
}

// refusal is what a rule that matched the path but not the request set:
// Jersey answers it when no later rule accepts.
type refusal struct{ code int }

// accept follows Jersey: the first rule whose template matches, and only
// it; when it does not accept, a refusal set on the way is answered.
func (res resource) accept(x *exchange, path string, ref *refusal) bool {
	for _, rl := range res {
		m := rl.re.FindStringSubmatch(path)
		if m == nil {
			continue
		}
		rh := m[len(m)-1]
		if rh == "/" { // RightHandPathRule consumes a lone '/'
			rh = ""
		}
		saved := x.params
		x.params = append(append([]string(nil), x.params...), m[1:len(m)-1]...)
		var ok bool
		if rl.sub != nil {
			ok = rl.sub.accept(x, rh, ref)
		} else if rh == "" {
			ok = acceptMethod(x, rl.methods, ref)
		}
		if ok {
			return true
		}
		x.params = saved
		break
	}
	if ref.code != 0 { // TerminatingRule: answer the refusal
		mapped(x.w, ref.code, http.StatusText(ref.code))
		return true
	}
	return false
}

// acceptMethod is HttpMethodRule: the verb, then Content-Type against
// @Consumes, then Accept against @Produces (quality-source first).
func acceptMethod(x *exchange, ms []method, ref *refusal) bool {
	pick := func(verb string) (out []method) {
		for _, m := range ms {
			if m.verb == verb {
				out = append(out, m)
			}
		}
		return out
	}
	cands := pick(x.r.Method)
	if len(cands) == 0 && x.r.Method == http.MethodHead {
		cands = pick(http.MethodGet) // Jersey's implicit HEAD
	}
	if len(cands) == 0 && x.r.Method == http.MethodOptions {
		options(x, ms) // Jersey's implicit OPTIONS
		return true
	}
	if len(cands) == 0 {
		ref.code = http.StatusMethodNotAllowed
		return false
	}
	all := cands
	if ct := x.r.Header.Get("Content-Type"); ct != "" {
		mt, ok := parseMediaType(ct)
		var fit []method
		for _, m := range cands {
			if m.consumes == "" || (ok && mt.compatible(mediaType{typ: "application", sub: "json"})) {
				fit = append(fit, m)
			}
		}
		if len(fit) == 0 {
			ref.code = http.StatusUnsupportedMediaType
			return false
		}
		cands = fit
	}
	m, ctype, ok := negotiate(x.r.Header.Values("Accept"), all, cands)
	if !ok {
		ref.code = http.StatusNotAcceptable
		return false
	}
	x.ctype = ctype
	m.serve(x)
	return true
}

// json answers v with the negotiated type (application/json; qs=2), as a
// resource method's own response is.
func (x *exchange) json(code int, v any) {
	ct := x.ctype
	if ct == "" {
		ct = jsonType
	}
	x.w.Header().Set("Content-Type", ct)
	x.w.WriteHeader(code)
	_, _ = x.w.Write(playJSON(v))
}

// message answers {"message": msg} as a resource method does (Marathon's
// RestResource.notFound and friends).
func (x *exchange) message(code int, msg string) { x.json(code, map[string]any{"message": msg}) }

// mapped answers as MarathonExceptionMapper does for a thrown exception:
// Content-Type application/json exactly.
func mapped(w http.ResponseWriter, code int, msg string) {
	mappedJSON(w, code, map[string]any{"message": msg})
}

func mappedJSON(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", jsonType)
	w.WriteHeader(code)
	_, _ = w.Write(playJSON(v))
}

// playJSON is v as Play's Json.stringify writes it: compact, '<', '>'
// and '&' as they are, no trailing newline.
func playJSON(v any) []byte {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(v)
	return bytes.TrimSuffix(b.Bytes(), []byte("\n"))
}
