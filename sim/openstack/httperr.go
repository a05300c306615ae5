package openstack

import (
	"encoding/json"
	"html"
	"net/http"
	"regexp"
	"sort"
	"strconv"
	"strings"
)

// The bare error pages the services' frameworks write when no controller
// answers (a path no route matches, a method a route refuses): WebOb's for
// Nova, Glance and Cinder, Werkzeug's for Keystone. Controllers' own
// errors are JSON faults (novaError); these are not.

var webobTitles = map[int]string{
	http.StatusBadRequest: "Bad Request", http.StatusNotFound: "Not Found",
	http.StatusMethodNotAllowed: "Method Not Allowed", http.StatusNotImplemented: "Not Implemented",
}

// webobExplanations are the classes' default explanations (webob/exc.py).
var webobExplanations = map[int]string{
	http.StatusNotFound:       "The resource could not be found.",
	http.StatusNotImplemented: "The server has not implemented the request method.",
}

// webobError is WSGIHTTPException.generate_response: the body as HTML,
// JSON or plain text, whichever the Accept header prefers of text/html and
// application/json (none: text/plain, as for a request without Accept).
func webobError(w http.ResponseWriter, r *http.Request, code int, explanation string) {
	if explanation == "" {
		explanation = webobExplanations[code]
	}
	status := strconv.Itoa(code) + " " + webobTitles[code]
	// body_template_obj, with no detail or comment; 405 has its own.
	body := explanation + "<br /><br />\n\n\n"
	if code == http.StatusMethodNotAllowed {
		body = "The method " + r.Method + " is not allowed for this resource. <br /><br />\n"
	}
	var ctype, out string
	switch bestOffer(r.Header.Values("Accept"), "text/html", "application/json") {
	case "text/html":
		ctype = "text/html; charset=UTF-8"
		out = "<html>\n <head>\n  <title>" + status + "</title>\n </head>\n <body>\n  <h1>" + status + "</h1>\n  " +
			strings.ReplaceAll(html.EscapeString(body), "&lt;br /&gt;", "<br />") + "\n </body>\n</html>"
	case "application/json":
		ctype = "application/json"
		b, _ := json.Marshal(map[string]string{"message": body, "code": status, "title": webobTitles[code]})
		out = string(b)
	default:
		ctype = "text/plain; charset=UTF-8"
		out = status + "\n\n" + stripTags(body)
	}
	w.Header().Set("Content-Type", ctype)
	w.WriteHeader(code)
	if r.Method != http.MethodHead {
		_, _ = w.Write([]byte(out))
	}
}

var brRe = regexp.MustCompile(`(?is)<br.*?>`)
var tagRe = regexp.MustCompile(`(?s)<.*?>`)

// stripTags is webob.exc.strip_tags.
func stripTags(s string) string {
	s = strings.ReplaceAll(strings.ReplaceAll(s, "\n", " "), "\r", "")
	return tagRe.ReplaceAllString(brRe.ReplaceAllString(s, "\n"), "")
}

// bestOffer is webob's Accept.acceptable_offers(offers)[0]: "" when none
// is acceptable. No header at all behaves as an empty one (WebOb reads
// HTTP_ACCEPT with a default of ""), which accepts nothing.
func bestOffer(accept []string, offers ...string) string {
	type rng struct {
		typ, sub string
		q        float64
	}
	var ranges []rng
	for _, part := range strings.Split(strings.Join(accept, ","), ",") {
		fields := strings.Split(part, ";")
		mt := strings.ToLower(strings.TrimSpace(fields[0]))
		typ, sub, ok := strings.Cut(mt, "/")
		if !ok {
			continue
		}
		q := 1.0
		for _, p := range fields[1:] {
			if k, v, ok := strings.Cut(strings.TrimSpace(p), "="); ok && strings.EqualFold(k, "q") {
				if f, err := strconv.ParseFloat(v, 64); err == nil {
					q = f
				}
			}
		}
		ranges = append(ranges, rng{typ, sub, q})
	}
	type match struct {
		offer       string
		q           float64
		idx, specif int
	}
	var found []match
	for i, o := range offers {
		typ, sub, _ := strings.Cut(o, "/")
		best := match{offer: o, idx: i, specif: -1}
		for _, r := range ranges {
			s := 0
			switch {
			case r.typ == typ && r.sub == sub:
				s = 3
			case r.typ == typ && r.sub == "*":
				s = 2
			case r.typ == "*" && r.sub == "*":
				s = 1
			default:
				continue
			}
			if s > best.specif {
				best.q, best.specif = r.q, s
			}
		}
		if best.specif > 0 && best.q > 0 {
			found = append(found, best)
		}
	}
	sort.SliceStable(found, func(i, j int) bool { return found[i].q > found[j].q })
	if len(found) == 0 {
		return ""
	}
	return found[0].offer
}

// werkzeugError is the HTML page Flask answers for a path no rule matches
// (404) or a method the rule lacks (405, with Allow).
func werkzeugError(w http.ResponseWriter, code int, allow ...string) {
	name, desc := "Not Found", "The requested URL was not found on the server. If you entered the URL manually please check your spelling and try again."
	if code == http.StatusMethodNotAllowed {
		name, desc = "Method Not Allowed", "The method is not allowed for the requested URL."
		w.Header().Set("Allow", strings.Join(allow, ", "))
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(code)
	_, _ = w.Write([]byte("<!doctype html>\n<html lang=en>\n<title>" + strconv.Itoa(code) + " " + name + "</title>\n<h1>" +
		name + "</h1>\n<p>" + desc + "</p>\n"))
}

// werkzeugRedirect is the 308 Werkzeug answers when a path matches only
// with its repeated slashes merged.
func werkzeugRedirect(w http.ResponseWriter, location string) {
	loc := html.EscapeString(location)
	w.Header().Set("Location", location)
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(http.StatusPermanentRedirect)
	_, _ = w.Write([]byte("<!doctype html>\n<html lang=en>\n<title>Redirecting...</title>\n<h1>Redirecting...</h1>\n" +
		"<p>You should be redirected automatically to the target URL: <a href=\"" + loc + "\">" + loc + "</a>. If not, click the link.\n"))
}

var slashesRe = regexp.MustCompile(`//+`)

// mergeSlashes collapses repeated slashes, as paste's URLMap does before
// it picks an application (Nova, Glance, Cinder).
func mergeSlashes(p string) string { return slashesRe.ReplaceAllString(p, "/") }
