package chacra

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strconv"
)

// webob's error pages, as Pecan's abort() renders them.
const (
	page404 = "<html>\n <head>\n  <title>404 Not Found</title>\n </head>\n <body>\n  <h1>404 Not Found</h1>\n" +
		"  The resource could not be found.<br /><br />\n\n\n\n </body>\n</html>"
	page401 = "<html>\n <head>\n  <title>401 Unauthorized</title>\n </head>\n <body>\n  <h1>401 Unauthorized</h1>\n" +
		"  This server could not verify that you are authorized to access the document you requested. Either you " +
		"supplied the wrong credentials (e.g., bad password), or your browser does not understand how to supply " +
		"the credentials required.<br /><br />\n\n\n\n </body>\n</html>"
	page500 = "<html>\n <head>\n  <title>500 Internal Server Error</title>\n </head>\n <body>\n" +
		"  <h1>500 Internal Server Error</h1>\n  The server has either erred or is incapable of performing the requested " +
		"operation.<br /><br />\n\n\n\n </body>\n</html>"
	// wsgiref's answer to an unhandled exception (the upstream bugs).
	crash = "A server error occurred.  Please contact the administrator."
)

// realm is chacra's WWW-Authenticate (chacra/auth.py).
const realm = `Basic realm="Chacra :: Binary API"`

func html(w http.ResponseWriter, code int, page string) {
	w.Header().Set("Content-Type", "text/html; charset=UTF-8")
	w.Header().Set("Content-Length", strconv.Itoa(len(page)))
	w.WriteHeader(code)
	w.Write([]byte(page))
}

func notFound(w http.ResponseWriter) { html(w, http.StatusNotFound, page404) }

// notAllowed is abort(405) of a generic controller's index.
func notAllowed(w http.ResponseWriter, r *http.Request) {
	html(w, http.StatusMethodNotAllowed, "<html>\n <head>\n  <title>405 Method Not Allowed</title>\n </head>\n <body>\n"+
		"  <h1>405 Method Not Allowed</h1>\n  The method "+r.Method+" is not allowed for this resource.<br /><br />\n\n\n\n </body>\n</html>")
}

func unauthorized(w http.ResponseWriter) {
	w.Header().Set("WWW-Authenticate", realm)
	html(w, http.StatusUnauthorized, page401)
}

// serverCrash is the 500 of an upstream exception.
func serverCrash(w http.ResponseWriter) {
	w.Header().Set("Content-Type", "text/plain")
	w.WriteHeader(http.StatusInternalServerError)
	w.Write([]byte(crash))
}

func writeJSON(w http.ResponseWriter, code int, v any) {
	b := marshal(v)
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	w.Write(b)
}

// message is chacra's error controller: {"message": ...}.
func message(w http.ResponseWriter, code int, msg string) {
	writeJSON(w, code, map[string]string{"message": msg})
}

// marshal encodes as Python's json does: no HTML escaping.
func marshal(v any) []byte {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(v)
	return bytes.TrimSuffix(b.Bytes(), []byte("\n"))
}
