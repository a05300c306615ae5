package jenkins

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"unicode"
)

// hudson.model.Api at <object>/api/: doJson, doXml, doPython (Stapler's
// Flavor content types), the index page at api/, Api.setHeaders on each,
// and ResponseImpl.serveExposedBean's ?tree= and ?depth= (the simulator's
// objects come at one fixed depth, so depth is only checked to be a
// number).
func (c *call) api(bean func() map[string]any) {
	if c.atObject(func() {
		page(c.w, http.StatusOK, "Remote API", "<h1>REST API</h1><p>Available flavors: <a href=\"xml\">XML</a>, <a href=\"json\">JSON</a>, <a href=\"python\">Python</a>.</p>")
	}) {
		return
	}
	flavor := c.next()
	if flavor != "json" && flavor != "xml" && flavor != "python" {
		c.notFound("")
		return
	}
	h := c.w.Header()
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("X-Frame-Options", "deny")
	q := c.r.URL.Query()
	if flavor == "json" && q.Has("jsonp") {
		jettyError(c.w, c.r, http.StatusForbidden, "jsonp forbidden; implement jenkins.security.SecureRequester")
		return
	}
	v, err := exported(bean(), q.Get("tree"), q.Has("tree"), q.Get("depth"), q.Has("depth"))
	if err != nil {
		c.oops() // serveExposedBean throws ServletException
		return
	}
	switch flavor {
	case "json":
		if q.Has("pretty") { // ExportConfig.withPrettyPrint
			c.w.Header().Set("Content-Type", "application/json;charset=utf-8")
			enc := json.NewEncoder(c.w)
			enc.SetEscapeHTML(false)
			enc.SetIndent("", "  ")
			_ = enc.Encode(v)
			return
		}
		writeJSON(c.w, v)
	case "python":
		h.Set("Content-Type", "text/x-python;charset=UTF-8")
		var b bytes.Buffer
		writePython(&b, v)
		_, _ = c.w.Write(b.Bytes())
	case "xml":
		if q.Has("xpath") || q.Has("exclude") || q.Has("wrapper") {
			jettyError(c.w, c.r, http.StatusBadRequest, "the Jenkins simulator does not evaluate xpath, exclude or wrapper")
			return
		}
		h.Set("Content-Type", "application/xml;charset=UTF-8")
		var b bytes.Buffer
		writeXML(&b, rootElement(v), v)
		_, _ = c.w.Write(b.Bytes())
	}
}

// exported is the bean as Stapler's writers see it: decoded JSON, pruned
// by tree if there is one.
func exported(bean map[string]any, treeSpec string, hasTree bool, depth string, hasDepth bool) (any, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(bean); err != nil {
		return nil, err
	}
	dec := json.NewDecoder(&buf)
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, err
	}
	if hasTree {
		t, err := parseTree(treeSpec)
		if err != nil {
			return nil, fmt.Errorf("Malformed tree expression: %w", err)
		}
		return t.prune(v), nil
	}
	if hasDepth {
		if _, err := strconv.Atoi(depth); err != nil {
			return nil, fmt.Errorf("Depth parameter must be a number")
		}
	}
	return v, nil
}

// writeJSON writes v as Stapler's JSON flavor (no HTML escaping).
func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json;charset=utf-8")
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(v)
}

// writePython is PythonDataWriter: JSON with True, False and None.
func writePython(w *bytes.Buffer, v any) {
	switch v := v.(type) {
	case nil:
		w.WriteString("None")
	case bool:
		w.WriteString(map[bool]string{true: "True", false: "False"}[v])
	case map[string]any:
		w.WriteByte('{')
		for i, k := range xmlKeys(v) {
			if i > 0 {
				w.WriteByte(',')
			}
			b, _ := json.Marshal(k)
			w.Write(b)
			w.WriteByte(':')
			writePython(w, v[k])
		}
		w.WriteByte('}')
	case []any:
		w.WriteByte('[')
		for i, e := range v {
			if i > 0 {
				w.WriteByte(',')
			}
			writePython(w, e)
		}
		w.WriteByte(']')
	default:
		var b bytes.Buffer
		enc := json.NewEncoder(&b)
		enc.SetEscapeHTML(false)
		_ = enc.Encode(v)
		w.Write(bytes.TrimSpace(b.Bytes()))
	}
}

// rootElement is XMLDataWriter's root name: the bean class's simple name,
// decapitalized ("hudson", "freeStyleProject", "buildableItem").
func rootElement(v any) string {
	m, _ := v.(map[string]any)
	class, _ := m["_class"].(string)
	class = class[strings.LastIndexAny(class, ".$")+1:]
	if class == "" {
		return "_"
	}
	r := []rune(class)
	if len(r) > 1 && unicode.IsUpper(r[0]) && unicode.IsUpper(r[1]) {
		return class // Introspector.decapitalize keeps "URLFoo"
	}
	r[0] = unicode.ToLower(r[0])
	return string(r)
}

// xmlKeys orders _class first, then properties by name, as Stapler's
// Model sorts them.
func xmlKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		if k != "_class" {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	if _, ok := m["_class"]; ok {
		keys = append([]string{"_class"}, keys...)
	}
	return keys
}

// writeXML is XMLDataWriter: _class as an attribute, nulls left out,
// arrays as repeated elements under the singular name.
func writeXML(w io.Writer, name string, v any) {
	switch v := v.(type) {
	case nil:
	case []any:
		for _, e := range v {
			writeXML(w, singular(name), e)
		}
	case map[string]any:
		fmt.Fprintf(w, "<%s", name)
		if c, ok := v["_class"].(string); ok {
			fmt.Fprintf(w, " _class='%s'", c)
		}
		fmt.Fprint(w, ">")
		for _, k := range xmlKeys(v) {
			if k != "_class" {
				writeXML(w, xmlName(k), v[k])
			}
		}
		fmt.Fprintf(w, "</%s>", name)
	default:
		// Stapler.escape: only &, < and >.
		text := strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;").Replace(fmt.Sprint(v))
		fmt.Fprintf(w, "<%s>%s</%s>", name, text, name)
	}
}

// singular is XMLDataWriter.toSingular.
func singular(name string) string {
	if strings.HasSuffix(name, "ies") {
		return strings.TrimSuffix(name, "ies") + "y"
	}
	return strings.TrimSuffix(name, "s")
}

// xmlName is XMLDataWriter.makeXmlName, for the names JSON keys take.
func xmlName(name string) string {
	var b strings.Builder
	for i, r := range name {
		ok := unicode.IsLetter(r) || r == '_' || (i > 0 && (unicode.IsDigit(r) || r == '-' || r == '.'))
		if ok {
			b.WriteRune(r)
		} else if i == 0 {
			b.WriteByte('_')
		}
	}
	if b.Len() == 0 {
		return "_"
	}
	return b.String()
}
