package openstack

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"net/http"
	"slices"
	"strings"
	"time"
)

// serveIdentity is Keystone under /identity: URLNormalizingMiddleware
// strips trailing slashes, then Flask's rules (keystone/api/discovery.py,
// auth.py); a path matching only with repeated slashes merged is
// Werkzeug's 308 to it; every answer varies on X-Auth-Token.
func (c *Cloud) serveIdentity(w http.ResponseWriter, r *http.Request, p string) {
	w.Header().Set("Vary", "X-Auth-Token")
	if len(p) > 1 {
		p = strings.TrimRight(p, "/")
	}
	if p == "" {
		p = "/"
	}
	if msg := keystoneJSONBody(r); msg != "" {
		keystoneError(w, http.StatusBadRequest, "Bad Request", msg)
		return
	}
	methods := keystoneRoute(p)
	if methods == nil && strings.Contains(p, "//") && keystoneRoute(mergeSlashes(p)) != nil {
		loc := c.BaseURL() + IdentityPath + mergeSlashes(p)
		if r.URL.RawQuery != "" {
			loc += "?" + r.URL.RawQuery
		}
		werkzeugRedirect(w, loc)
		return
	}
	switch {
	case methods == nil:
		werkzeugError(w, http.StatusNotFound)
	case r.Method == http.MethodOptions:
		w.Header().Set("Allow", strings.Join(methods, ", "))
		w.WriteHeader(http.StatusOK)
	case !slices.Contains(methods, r.Method):
		werkzeugError(w, http.StatusMethodNotAllowed, methods...)
	case p == "/":
		// identity_url is base_url() + "/": the v3 URL.
		w.Header().Set("Location", c.BaseURL()+IdentityPath+"/v3/")
		c.writeKeystone(w, r, http.StatusMultipleChoices, map[string]any{"versions": map[string]any{"values": []any{c.identityVersion()}}})
	case p == "/v3":
		c.writeKeystone(w, r, http.StatusOK, map[string]any{"version": c.identityVersion()})
	case r.Method == http.MethodPost:
		c.issueToken(w, r)
	default:
		c.tokenSubject(w, r)
	}
}

// keystoneJSONBody is json_body_before_request, which runs before the
// route is looked at: a body must be a JSON object, sent as JSON.
func keystoneJSONBody(r *http.Request) string {
	body, _ := io.ReadAll(r.Body)
	r.Body = io.NopCloser(bytes.NewReader(body))
	if len(body) == 0 {
		return ""
	}
	const tail = " The server could not comply with the request since it is either malformed or otherwise incorrect." +
		" The client is assumed to be in error."
	ct := r.Header.Get("Content-Type")
	mt, _, _ := mime.ParseMediaType(ct)
	if ct != "" && mt != "application/json" && !(strings.HasPrefix(mt, "application/") && strings.HasSuffix(mt, "+json")) {
		return "Expecting to find application/json in Content-Type header." + tail
	}
	var obj map[string]any
	if json.Unmarshal(body, &obj) != nil || obj == nil {
		return "Expecting to find valid JSON in request body." + tail
	}
	return ""
}

// keystoneRoute is the methods of the rule p matches, Flask's automatic
// HEAD and OPTIONS included; nil for none.
func keystoneRoute(p string) []string {
	switch p {
	case "/", "/v3":
		return []string{"GET", "HEAD", "OPTIONS"}
	case "/v3/auth/tokens":
		return []string{"DELETE", "GET", "HEAD", "OPTIONS", "POST"}
	}
	return nil
}

// identityVersion is _get_versions_list's v3 entry.
func (c *Cloud) identityVersion() map[string]any {
	return map[string]any{"id": "v3.14", "status": "stable", "updated": "2020-04-07T00:00:00Z",
		"links":       []any{map[string]any{"rel": "self", "href": c.BaseURL() + IdentityPath + "/v3/"}},
		"media-types": []any{map[string]any{"base": "application/json", "type": "application/vnd.openstack.identity-v3+json"}}}
}

// writeKeystone writes JSON, without a body for HEAD, as Flask does.
func (c *Cloud) writeKeystone(w http.ResponseWriter, r *http.Request, code int, v any) {
	if r.Method == http.MethodHead {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(code)
		return
	}
	writeJSON(w, code, v)
}

// keystoneError is _handle_keystone_exception's body.
func keystoneError(w http.ResponseWriter, code int, title, msg string) {
	writeJSON(w, code, map[string]any{"error": map[string]any{"code": code, "title": title, "message": msg}})
}

// tokenSubject is GET/HEAD (validate) and DELETE (revoke) of the token in
// X-Subject-Token, by a caller holding a valid X-Auth-Token: unknown to
// the Fernet formatter is 400, expired or revoked 404.
func (c *Cloud) tokenSubject(w http.ResponseWriter, r *http.Request) {
	if !c.authorized(r) {
		c.keystoneUnauthorized(w)
		return
	}
	sub := r.Header.Get("X-Subject-Token")
	c.mu.Lock()
	exp, known := c.tokens[sub]
	valid := known && c.opts.Now().Before(exp)
	if valid && r.Method == http.MethodDelete {
		c.tokens[sub] = time.Time{}
	}
	c.mu.Unlock()
	switch {
	case sub == "":
		keystoneError(w, http.StatusNotFound, "Not Found", "No token in the request")
	case !known:
		keystoneError(w, http.StatusBadRequest, "Bad Request", "Could not recognize Fernet token")
	case !valid:
		keystoneError(w, http.StatusNotFound, "Not Found", fmt.Sprintf("Could not find token: %s.", sub))
	case r.Method == http.MethodDelete:
		w.WriteHeader(http.StatusNoContent)
	default:
		w.Header().Set("X-Subject-Token", sub)
		c.writeKeystone(w, r, http.StatusOK, c.tokenBody(r, sub, exp))
	}
}

type authRequest struct {
	Auth struct {
		Identity struct {
			Methods  []string `json:"methods"`
			Password struct {
				User struct {
					Name     string `json:"name"`
					Password string `json:"password"`
					Domain   struct {
						Name string `json:"name"`
					} `json:"domain"`
				} `json:"user"`
			} `json:"password"`
		} `json:"identity"`
		Scope struct {
			Project struct {
				Name string `json:"name"`
				ID   string `json:"id"`
			} `json:"project"`
		} `json:"scope"`
	} `json:"auth"`
}

func (c *Cloud) issueToken(w http.ResponseWriter, r *http.Request) {
	var req authRequest
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
		keystoneError(w, http.StatusBadRequest, "Bad Request", "Expecting to find valid JSON in request body."+
			" The server could not comply with the request since it is either malformed or otherwise incorrect."+
			" The client is assumed to be in error.")
		return
	}
	u := req.Auth.Identity.Password.User
	proj := req.Auth.Scope.Project
	if u.Name != c.opts.User || u.Password != c.opts.Password || (u.Domain.Name != "" && u.Domain.Name != c.opts.Domain) ||
		(proj.Name != "" && proj.Name != c.opts.Project) || (proj.ID != "" && proj.ID != c.projectID) {
		c.keystoneUnauthorized(w)
		return
	}
	c.mu.Lock()
	tok := newID()
	exp := c.opts.Now().Add(24 * time.Hour)
	c.tokens[tok] = exp
	c.mu.Unlock()
	w.Header().Set("X-Subject-Token", tok)
	writeJSON(w, http.StatusCreated, c.tokenBody(r, tok, exp))
}

// keystoneUnauthorized is Keystone's own 401: WWW-Authenticate names
// base_url(), the v3 URL (keystone/server/flask/application.py).
func (c *Cloud) keystoneUnauthorized(w http.ResponseWriter) {
	w.Header().Set("WWW-Authenticate", `Keystone uri="`+c.BaseURL()+IdentityPath+`/v3"`)
	keystoneError(w, http.StatusUnauthorized, "Unauthorized", "The request you have made requires authentication.")
}

// tokenBody renders a token; ?nocatalog leaves the catalog out.
func (c *Cloud) tokenBody(r *http.Request, tok string, exp time.Time) map[string]any {
	root := c.BaseURL()
	body := map[string]any{
		"methods": []string{"password"}, "is_domain": false, "audit_ids": []string{tok[:22]}, "expires_at": exp.UTC().Format("2006-01-02T15:04:05.000000Z"),
		"issued_at": c.opts.Now().UTC().Format("2006-01-02T15:04:05.000000Z"),
		"user": map[string]any{"id": "u-" + c.opts.User, "name": c.opts.User, "password_expires_at": nil,
			"domain": map[string]any{"id": "default", "name": c.opts.Domain}},
		"project": map[string]any{"id": c.projectID, "name": c.opts.Project, "domain": map[string]any{"id": "default", "name": c.opts.Domain}},
		"roles":   []any{map[string]any{"id": "r-member", "name": "member"}},
		"catalog": []any{
			c.service("compute", "nova", root+ComputePath+"/v2.1"),
			c.service("identity", "keystone", root+IdentityPath+"/v3/"),
			c.service("image", "glance", root+ImagePath+"/"),
			c.service("block-storage", "cinder", root+VolumePath+"/v3/"+c.projectID),
			c.service("volumev3", "cinderv3", root+VolumePath+"/v3/"+c.projectID),
		},
	}
	if _, ok := r.URL.Query()["nocatalog"]; ok {
		delete(body, "catalog")
	}
	return map[string]any{"token": body}
}

func (c *Cloud) service(typ, name, url string) map[string]any {
	return map[string]any{"type": typ, "name": name, "id": "svc-" + name, "endpoints": []any{map[string]any{
		"id": "ep-" + name, "interface": "public", "region": c.opts.Region, "region_id": c.opts.Region, "url": url}}}
}
