package jenkins

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"html"
	"net/http"
	"net/url"
	"strconv"
	"strings"
)

// The bodies Jenkins and its Jetty answer with. Jenkins' own pages go
// through /lib/layout (text/html;charset=utf-8); errors sent with
// sendError and no error-page mapping (400, 401, 403 crumb) get Jetty's
// servlet ErrorHandler page, negotiated on Accept.

// page writes a Jenkins layout page.
func page(w http.ResponseWriter, code int, title, body string) {
	w.Header().Set("Content-Type", "text/html;charset=utf-8")
	w.WriteHeader(code)
	fmt.Fprintf(w, "<!DOCTYPE html><html><head><title>%s [Jenkins]</title></head><body><div id=\"main-panel\">%s</div></body></html>\n",
		html.EscapeString(title), body)
}

// jettyError is Jetty's ErrorHandler for response.sendError(code, msg):
// HTML (also for */* and no Accept header), JSON or plain text, as the
// Accept header prefers; the SERVLET row names Stapler.
func jettyError(w http.ResponseWriter, r *http.Request, code int, msg string) {
	if msg == "" {
		msg = http.StatusText(code)
	}
	w.Header().Set("Cache-Control", "must-revalidate,no-cache,no-store")
	uri := r.URL.EscapedPath()
	kind := "text/html"
	if accept := r.Header.Get("Accept"); accept != "" {
		kind = acceptable(accept)
	}
	switch kind {
	case "text/html":
		w.Header().Set("Content-Type", "text/html;charset=iso-8859-1")
		w.WriteHeader(code)
		m := html.EscapeString(msg)
		fmt.Fprintf(w, "<html>\n<head>\n<meta http-equiv=\"Content-Type\" content=\"text/html;charset=ISO-8859-1\"/>\n"+
			"<title>Error %d %s</title>\n</head>\n<body>\n<h2>HTTP ERROR %d %s</h2>\n<table>\n"+
			"<tr><th>URI:</th><td>%s</td></tr>\n<tr><th>STATUS:</th><td>%d</td></tr>\n"+
			"<tr><th>MESSAGE:</th><td>%s</td></tr>\n<tr><th>SERVLET:</th><td>Stapler</td></tr>\n</table>\n\n</body>\n</html>\n",
			code, m, code, m, html.EscapeString(uri), code, m)
	case "application/json":
		w.Header().Set("Content-Type", "application/json;charset=utf-8")
		w.WriteHeader(code)
		b, _ := json.Marshal(map[string]string{"url": uri, "status": fmt.Sprint(code), "message": msg, "servlet": "Stapler"})
		_, _ = w.Write(b)
	case "text/plain":
		w.Header().Set("Content-Type", "text/plain;charset=iso-8859-1")
		w.WriteHeader(code)
		fmt.Fprintf(w, "HTTP ERROR %d %s\nURI: %s\nSTATUS: %d\nMESSAGE: %s\nSERVLET: Stapler\n", code, msg, uri, code, msg)
	default:
		w.WriteHeader(code) // nothing acceptable: Jetty sends no body
	}
}

// acceptable picks what Jetty's ErrorHandler can write for an Accept
// header: the type it knows of the highest quality, the most specific
// among equals (QuotedQualityCSV.MOST_SPECIFIC_MIME_ORDERING), "" if none.
func acceptable(accept string) string {
	best, bestQ, bestSpec := "", 0.0, -1
	for _, part := range strings.Split(accept, ",") {
		fields := strings.Split(part, ";")
		q := 1.0
		for _, p := range fields[1:] {
			if k, v, _ := strings.Cut(strings.TrimSpace(p), "="); k == "q" {
				if f, err := strconv.ParseFloat(v, 64); err == nil {
					q = f
				}
			}
		}
		kind, spec := "", 2
		switch mt := strings.TrimSpace(fields[0]); mt {
		case "text/html", "text/*", "*/*":
			kind, spec = "text/html", 2-strings.Count(mt, "*")
		case "application/json", "text/json":
			kind = "application/json"
		case "text/plain":
			kind = "text/plain"
		}
		if kind != "" && q > 0 && (q > bestQ || (q == bestQ && spec > bestSpec)) {
			best, bestQ, bestSpec = kind, q, spec
		}
	}
	return best
}

// notFound is Jenkins' 404 page (Jenkins#generateNotFoundResponse and
// _404.jelly, the web-fragment.xml error page since 2.421), titled with
// the sendError message if there is one.
func (c *call) notFound(msg string) {
	if msg == "" {
		msg = "Not Found"
	}
	hint := "This page may not exist, or you may not have permission to see it."
	if c.user == anonymous {
		hint += " If you have an account, try logging in."
	}
	page(c.w, http.StatusNotFound, msg, "<h1>Oops!</h1><div id=\"error-description\"><h2>"+html.EscapeString(msg)+"</h2><p>"+hint+"</p></div>")
}

// failure is hudson.model.Failure: AbstractModelObject/error.jelly, 400
// with the message in X-Error (gojenkins turns that header into an error).
func (c *call) failure(msg string) {
	c.w.Header().Set("X-Error", msg)
	page(c.w, http.StatusBadRequest, "Jenkins", "<h1>Error</h1><p>"+html.EscapeString(msg)+"</p>")
}

// oops is the /oops error page for an uncaught exception (500).
func (c *call) oops() { c.oopsCode(http.StatusInternalServerError) }

// oopsCode is /oops with another status: HttpResponses.error(code, …) as
// InstallUncaughtExceptionHandler.ErrorCustomizer renders it (the message
// itself only goes to the log).
func (c *call) oopsCode(code int) {
	id := make([]byte, 16)
	_, _ = rand.Read(id)
	h := hex.EncodeToString(id)
	page(c.w, code, "Jenkins", "<h1>Oops!</h1><div id=\"error-description\"><h2>A problem occurred while processing the request</h2>"+
		"<p>Logging ID="+h[:8]+"-"+h[8:12]+"-"+h[12:16]+"-"+h[16:20]+"-"+h[20:]+"</p></div>")
}

// methodNotAllowed is CrumbFilter's RequirePOST.ErrorCustomizer page
// (CrumbFilter/retry.jelly): 405, Allow: POST, and a form to retry.
func (s *Server) methodNotAllowed(c *call) {
	c.w.Header().Set("Allow", "POST")
	u := c.base() + c.r.URL.RequestURI()
	page(c.w, http.StatusMethodNotAllowed, "Method Not Allowed", "<h1>This URL requires POST</h1><p>The URL you're trying to access requires that requests be sent using POST (like a form submission). "+
		"The button below allows you to retry accessing this URL using POST. URL being accessed:</p><p><code>"+html.EscapeString(u)+"</code></p>"+
		"<p><strong>If you were sent here from an untrusted source, please proceed with caution.</strong></p><form method=\"post\" name=\"retry\"><button>Retry using POST</button></form>")
}

// loginRequired is HudsonAuthenticationEntryPoint for anonymous: 403 and
// a page that sends a browser to /login?from=…; for a missing permission
// (perm), AccessDeniedException3's headers and report too.
func loginRequired(w http.ResponseWriter, r *http.Request, perm string) {
	from := r.URL.EscapedPath()
	if r.URL.RawQuery != "" {
		from += "?" + r.URL.RawQuery
	}
	login := html.EscapeString("/login?from=" + url.QueryEscape(from))
	h := w.Header()
	h.Set("Content-Type", "text/html;charset=utf-8")
	report := ""
	if perm != "" {
		h.Add("X-You-Are-Authenticated-As", anonymous)
		h.Add("X-You-Are-In-Group-Disabled", "JENKINS-39402: use -Dhudson.security.AccessDeniedException2.REPORT_GROUP_HEADERS=true or use /whoAmI to diagnose")
		h.Add("X-Required-Permission", perm)
		report = "You are authenticated as: anonymous\nGroups that you are in:\n  anonymous\nPermission you need to have (but didn't): " + perm + "\n"
		if perm == "hudson.model.Hudson.Read" {
			h.Add("X-Permission-Implied-By", "hudson.security.Permission.GenericRead")
			h.Add("X-Permission-Implied-By", "hudson.model.Hudson.Administer")
			report += " ... which is implied by: hudson.security.Permission.GenericRead\n ... which is implied by: hudson.model.Hudson.Administer\n"
		}
	}
	w.WriteHeader(http.StatusForbidden)
	fmt.Fprintf(w, "<html><head><meta http-equiv='refresh' content='1;url=%s'/><script id='redirect' data-redirect-url='%s' src='/static/%s/scripts/redirect.js'></script></head>"+
		"<body style='background-color:white; color:white;'>\nAuthentication required\n<!--\n%s-->\n\n</body></html>%s", login, login, sessionHash, report, strings.Repeat(" ", 300))
}
