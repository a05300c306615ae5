package marathon

import (
	"fmt"
	"html"
	"net/http"
	"sort"
	"strings"
)

// options is Jersey 1.18's implicit OPTIONS of a matched rule
// (ResourceUriRules.processOptions, WadlMethodFactory.WadlOptionsMethod
// with WADL enabled, as in Marathon): the Allow header is "OPTIONS" and
// the rule's verbs (HEAD added for GET) in java.util.HashMap order; an
// Accept admitting WADL or application/xml gets 200 and a WADL document
// (here only the resource and its methods), any other a 204.
func options(x *exchange, ms []method) {
	verbs := map[string]bool{}
	var order []string
	for _, m := range ms {
		if !verbs[m.verb] {
			verbs[m.verb] = true
			order = append(order, m.verb)
		}
	}
	if verbs[http.MethodGet] && !verbs[http.MethodHead] {
		order = append(order, http.MethodHead)
	}
	allow := "OPTIONS," + strings.Join(javaHashOrder(order), ",")
	h := x.w.Header()
	h.Set("Allow", allow)
	h.Set("Last-modified", x.c.started.UTC().Format("Mon, 02 Jan 2006 15:04:05 MST"))
	variants := []mediaType{{typ: "application", sub: "vnd.sun.wadl+xml"}, {typ: "application", sub: "xml"}}
	for _, a := range parseAccept(x.r.Header.Values("Accept")) {
		for _, v := range variants {
			if a.q > 0 && a.compatible(v) {
				h.Set("Content-Type", v.typ+"/"+v.sub)
				var b strings.Builder
				b.WriteString(`<?xml version="1.0" encoding="UTF-8" standalone="yes"?>` + "\n")
				b.WriteString(`<application xmlns="http://wadl.dev.java.net/2009/02">` + "\n")
				fmt.Fprintf(&b, "    <resources base=\"http://%s/\">\n        <resource path=\"%s\">\n", html.EscapeString(x.r.Host),
					html.EscapeString(strings.TrimPrefix(x.r.URL.EscapedPath(), "/")))
				for _, verb := range order {
					fmt.Fprintf(&b, "            <method name=\"%s\"/>\n", verb)
				}
				b.WriteString("        </resource>\n    </resources>\n</application>\n")
				_, _ = x.w.Write([]byte(b.String()))
				return
			}
		}
	}
	x.w.WriteHeader(http.StatusNoContent)
}

// javaHashOrder is the iteration order of these strings as keys of a
// java.util.HashMap of 16 buckets inserted in this order: by bucket
// (String.hashCode spread), then insertion.
func javaHashOrder(keys []string) []string {
	bucket := func(s string) uint32 {
		var h uint32
		for _, r := range s {
			h = 31*h + uint32(r)
		}
		return (h ^ h>>16) & 15
	}
	out := append([]string(nil), keys...)
	sort.SliceStable(out, func(i, j int) bool { return bucket(out[i]) < bucket(out[j]) })
	return out
}
