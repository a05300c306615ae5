package marathon

import (
	"net/http"
	"strings"
)

// webJar is Marathon's WebJarServlet (api/WebJarServlet.scala at
// v1.4.13), mapped to "/", "/ui", "/ui/*", "/help", "/api-console" and
// "/api-console/*": "/" redirects (302) to "ui/", "/help" to
// "api-console/index.html", a directory to its trailing slash. The UI's
// files are not simulated: each is the servlet's 404 for a resource
// missing from the jar. It says whether the path was its.
func webJar(w http.ResponseWriter, r *http.Request) bool {
	p := r.URL.EscapedPath()
	switch {
	case p == "/", p == "/ui", p == "/help", p == "/api-console":
	case strings.HasPrefix(p, "/ui/"), strings.HasPrefix(p, "/api-console/"):
	default:
		return false
	}
	switch r.Method {
	case http.MethodGet, http.MethodHead:
	case http.MethodOptions:
		w.Header().Set("Allow", "GET, HEAD, OPTIONS")
		return true
	case http.MethodTrace:
		servletError(w, r, http.StatusMethodNotAllowed, "")
		return true
	case http.MethodPost, http.MethodPut, http.MethodDelete:
		notSupported(w, r)
		return true
	default:
		servletError(w, r, http.StatusNotImplemented, "Method "+r.Method+" is not defined in RFC 2068 and is not supported by the Servlet API")
		return true
	}
	file := p
	if strings.HasSuffix(file, "/") {
		file += "index.html"
	}
	file = file[strings.LastIndex(file, "/")+1:]
	switch {
	case p == "/":
		redirect302(w, "ui/")
	case p == "/help":
		redirect302(w, "api-console/index.html")
	case !strings.Contains(file, "."):
		redirect302(w, p+"/")
	default:
		servletError(w, r, http.StatusNotFound, "")
	}
	return true
}

// redirect302 sets the status and a Location as given (relative stays
// relative: the servlet does not use sendRedirect).
func redirect302(w http.ResponseWriter, location string) {
	w.Header().Set("Location", location)
	w.WriteHeader(http.StatusFound)
}
