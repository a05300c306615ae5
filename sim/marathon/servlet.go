package marathon

import (
	"fmt"
	"html"
	"net/http"
	"strings"
)

// notSupported is javax.servlet HttpServlet's answer to a method the
// servlet does not implement (doGet, doPost, doPut, doDelete): 405, or
// 400 on HTTP/1.0, through sendError.
func notSupported(w http.ResponseWriter, r *http.Request) {
	code := http.StatusMethodNotAllowed
	if r.ProtoMajor == 1 && r.ProtoMinor == 0 {
		code = http.StatusBadRequest
	}
	servletError(w, r, code, "HTTP method "+r.Method+" is not supported by this URL")
}

// servletError is HttpServletResponse.sendError as Jetty 9.3's
// ErrorHandler writes it: for GET, POST and HEAD an HTML page when the
// Accept header is absent or names text/html, text/* or */*, else no
// body; other methods get the status alone.
func servletError(w http.ResponseWriter, r *http.Request, code int, msg string) {
	if msg == "" {
		msg = http.StatusText(code)
	}
	switch r.Method {
	case http.MethodGet, http.MethodPost, http.MethodHead:
	default:
		w.WriteHeader(code)
		return
	}
	w.Header().Set("Cache-Control", "must-revalidate,no-cache,no-store")
	page := len(r.Header.Values("Accept")) == 0
	for _, a := range parseAccept(r.Header.Values("Accept")) {
		if a.q > 0 && ((a.typ == "text" && (a.sub == "html" || a.sub == "*")) || (a.typ == "*" && a.sub == "*")) {
			page = true
		}
	}
	if !page {
		w.WriteHeader(code)
		return
	}
	w.Header().Set("Content-Type", "text/html;charset=ISO-8859-1")
	w.WriteHeader(code)
	m := html.EscapeString(msg)
	var b strings.Builder
	fmt.Fprintf(&b, "<html>\n<head>\n<meta http-equiv=\"Content-Type\" content=\"text/html;charset=utf-8\"/>\n<title>Error %d %s</title>\n</head>\n<body>", code, m)
	fmt.Fprintf(&b, "<h2>HTTP ERROR %d</h2>\n<p>Problem accessing %s. Reason:\n<pre>    %s</pre></p>", code, html.EscapeString(r.URL.EscapedPath()), m)
	b.WriteString("<hr><a href=\"http://eclipse.org/jetty\">Powered by Jetty://</a><hr/>\n\n</body>\n</html>\n")
	_, _ = w.Write([]byte(b.String()))
}
