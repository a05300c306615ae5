package shaman

import (
	"encoding/json"
	"fmt"
	"html"
	"net/http"
	"time"
)

// Content types as shaman (pecan over webob) sends them.
const (
	contentJSON = "application/json"
	contentHTML = "text/html; charset=UTF-8"
	contentText = "text/plain; charset=UTF-8"
)

// explanations are webob's, the first line of every error page.
var explanations = map[int]string{
	http.StatusBadRequest:            "The server could not comply with the request since it is either malformed or otherwise incorrect.",
	http.StatusUnauthorized:          "This server could not verify that you are authorized to access the document you requested. Either you supplied the wrong credentials (e.g., bad password), or your browser does not understand how to supply the credentials required.",
	http.StatusNotFound:              "The resource could not be found.",
	http.StatusRequestEntityTooLarge: "The body of your request was too large for this server.",
	http.StatusInternalServerError:   "The server has either erred or is incapable of performing the requested operation.",
	http.StatusServiceUnavailable:    "The server is currently unavailable. Please try again at a later time.",
	http.StatusGatewayTimeout:        "The gateway has timed out.",
}

func statusLine(code int) string {
	t := http.StatusText(code)
	if code == http.StatusRequestEntityTooLarge {
		t = "Request Entity Too Large" // webob's name of 413
	}
	return fmt.Sprintf("%d %s", code, t)
}

func page(code int, body string) string {
	s := statusLine(code)
	return "<html>\n <head>\n  <title>" + s + "</title>\n </head>\n <body>\n  <h1>" + s + "</h1>\n  " + body + "\n\n </body>\n</html>"
}

// fail writes shaman's HTML error page (pecan's abort(code, detail)).
func fail(w http.ResponseWriter, r *http.Request, code int, detail string) {
	exp := explanations[code]
	if code == http.StatusMethodNotAllowed {
		exp = "The method " + html.EscapeString(r.Method) + " is not allowed for this resource."
	}
	w.Header().Set("Content-Type", contentHTML)
	w.WriteHeader(code)
	if r.Method != http.MethodHead {
		fmt.Fprint(w, page(code, exp+"<br /><br />\n"+html.EscapeString(detail)+"\n"))
	}
}

// redirect is webob's 302 page.
func redirect(w http.ResponseWriter, to string) {
	w.Header().Set("Location", to)
	w.Header().Set("Content-Type", contentHTML)
	w.WriteHeader(http.StatusFound)
	e := html.EscapeString(to)
	fmt.Fprint(w, page(http.StatusFound, "The resource was found at <a href=\""+e+"\">"+e+"</a>;\nyou should be redirected automatically.\n"))
}

func writeJSON(w http.ResponseWriter, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		http.Error(w, "encoding the answer: "+err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", contentJSON)
	w.WriteHeader(http.StatusOK)
	w.Write(b)
}

// pyTime is how python prints a naive UTC datetime, as shaman's JSON has
// it: microseconds only when there are any.
func pyTime(t time.Time) string {
	t = t.UTC()
	if t.IsZero() {
		t = time.Unix(0, 0).UTC()
	}
	if t.Nanosecond()/1000 == 0 {
		return t.Format("2006-01-02 15:04:05")
	}
	return t.Format("2006-01-02 15:04:05.000000")
}

// parsePyTime reads chacra's modified: python's str() of a datetime,
// naive (UTC) or with an offset, or RFC 3339.
func parsePyTime(s string) (time.Time, error) {
	for _, f := range []string{"2006-01-02 15:04:05.999999", "2006-01-02 15:04:05.999999-07:00", time.RFC3339Nano} {
		if t, err := time.Parse(f, s); err == nil {
			return t.UTC(), nil
		}
	}
	return time.Time{}, fmt.Errorf("%q is not a date like 2026-11-22 23:49:24.171505", s)
}
