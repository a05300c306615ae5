package marathon

import (
	"sort"
	"strconv"
	"strings"
)

// Media types as Jersey 1.18 negotiates them (jersey-core
// core/header/MediaTypes.java, QualitySourceMediaType.java; HttpMethodRule
// getSpecificAcceptableMediaTypes and its Matcher).

type mediaType struct {
	typ, sub string
	params   string  // as written back: "qs=2"
	qs       float64 // quality source of a produced type (1 by default)
	q        float64 // quality of an accepted type (1 by default)
}

// parseMediaType reads "type/subtype; name=value…"; q and qs are kept
// apart from the other parameters.
func parseMediaType(s string) (mediaType, bool) {
	parts := strings.Split(s, ";")
	ts := strings.SplitN(strings.TrimSpace(parts[0]), "/", 2)
	if len(ts) != 2 || ts[0] == "" || ts[1] == "" {
		return mediaType{}, false
	}
	m := mediaType{typ: strings.ToLower(ts[0]), sub: strings.ToLower(ts[1]), qs: 1, q: 1}
	for _, p := range parts[1:] {
		k, v, _ := strings.Cut(strings.TrimSpace(p), "=")
		switch strings.ToLower(k) {
		case "q":
			m.q, _ = strconv.ParseFloat(v, 64)
		case "qs":
			m.qs, _ = strconv.ParseFloat(v, 64)
		}
	}
	return m, true
}

func (m mediaType) wildcard() bool { return m.typ == "*" || m.sub == "*" }

// compatible is MediaType.isCompatible: equal, or a wildcard either side.
func (m mediaType) compatible(o mediaType) bool {
	return (m.typ == "*" || o.typ == "*" || m.typ == o.typ) && (m.sub == "*" || o.sub == "*" || m.sub == o.sub)
}

// String is Jersey's MediaTypeProvider: parameters after "; ".
func (m mediaType) String() string {
	s := m.typ + "/" + m.sub
	if m.params != "" {
		s += "; " + m.params
	}
	return s
}

// mostSpecific is MediaTypes.mostSpecific: the first unless only the
// second is concrete.
func mostSpecific(a, b mediaType) mediaType {
	if a.sub == "*" && b.sub != "*" {
		return b
	}
	if a.typ == "*" && b.typ != "*" {
		return b
	}
	return a
}

// specificity orders concrete types before type/* before */*.
func specificity(m mediaType) int {
	switch {
	case m.typ == "*":
		return 2
	case m.sub == "*":
		return 1
	}
	return 0
}

// parseAccept is the request's acceptable media types, by quality then
// specificity; none at all is */*.
func parseAccept(values []string) []mediaType {
	var out []mediaType
	for _, v := range values {
		for _, s := range strings.Split(v, ",") {
			if m, ok := parseMediaType(s); ok {
				out = append(out, m)
			}
		}
	}
	if len(out) == 0 {
		return []mediaType{{typ: "*", sub: "*", q: 1, qs: 1}}
	}
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].q != out[j].q {
			return out[i].q > out[j].q
		}
		return specificity(out[i]) < specificity(out[j])
	})
	return out
}

var anyType = mediaType{typ: "*", sub: "*", q: 1, qs: 1}

func produced(m method) []mediaType {
	if m.produces == nil {
		return []mediaType{anyType}
	}
	return m.produces
}

// negotiate picks the method and response type: when a method of the
// verb produces with a quality source other than 1 (Marathon's
// "application/json;qs=2"), the highest such type any accepted type
// admits wins over the client's own order; then the first accepted type
// a method produces. The type is "" when only a wildcard was agreed.
func negotiate(accept []string, all, cands []method) (method, string, bool) {
	acc := parseAccept(accept)
	var prio []mediaType
	retain := false
	for _, m := range all {
		for _, p := range produced(m) {
			prio = append(prio, p)
			retain = retain || p.qs != 1
		}
	}
	if retain {
		sort.SliceStable(prio, func(i, j int) bool {
			if prio[i].qs != prio[j].qs {
				return prio[i].qs > prio[j].qs
			}
			return specificity(prio[i]) < specificity(prio[j])
		})
	out:
		for _, p := range prio {
			for _, a := range acc {
				if a.compatible(p) {
					acc = []mediaType{mostSpecific(a, p)}
					break out
				}
			}
		}
	}
	for _, a := range acc {
		for _, m := range cands {
			for _, p := range produced(m) {
				if p.compatible(a) {
					sel := mostSpecific(p, a)
					if sel.wildcard() {
						return m, "", true
					}
					if sel.qs == 1 && sel.params == "" {
						return m, sel.typ + "/" + sel.sub, true
					}
					return m, sel.String(), true
				}
			}
		}
	}
	return method{}, "", false
}
