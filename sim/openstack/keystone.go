package openstack

import (
	"encoding/json"
	"net/http"
	"time"
)

// serveIdentity answers the version document and password auth.
func (c *Cloud) serveIdentity(w http.ResponseWriter, r *http.Request, p string) {
	switch {
	case r.Method == http.MethodGet && (p == "" || p == "/"):
		writeJSON(w, http.StatusMultipleChoices, map[string]any{"versions": map[string]any{"values": []any{map[string]any{
			"id": "v3.14", "status": "stable", "updated": "2020-04-07T00:00:00Z",
			"links":       []any{map[string]any{"rel": "self", "href": c.BaseURL() + IdentityPath + "/v3/"}},
			"media-types": []any{map[string]any{"base": "application/json", "type": "application/vnd.openstack.identity-v3+json"}},
		}}}})
	case r.Method == http.MethodPost && (p == "/v3/auth/tokens"):
		c.issueToken(w, r)
	default:
		http.NotFound(w, r)
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
		writeJSON(w, http.StatusBadRequest, map[string]any{"error": map[string]any{"code": 400, "title": "Bad Request",
			"message": "malformed token request: " + err.Error()}})
		return
	}
	u := req.Auth.Identity.Password.User
	proj := req.Auth.Scope.Project
	if u.Name != c.opts.User || u.Password != c.opts.Password || (u.Domain.Name != "" && u.Domain.Name != c.opts.Domain) ||
		(proj.Name != "" && proj.Name != c.opts.Project) || (proj.ID != "" && proj.ID != c.projectID) {
		c.unauthorized(w)
		return
	}
	root := c.BaseURL()
	c.mu.Lock()
	tok := newID()
	exp := c.opts.Now().Add(24 * time.Hour)
	c.tokens[tok] = exp
	c.mu.Unlock()
	w.Header().Set("X-Subject-Token", tok)
	writeJSON(w, http.StatusCreated, map[string]any{"token": map[string]any{
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
	}})
}

func (c *Cloud) service(typ, name, url string) map[string]any {
	return map[string]any{"type": typ, "name": name, "id": "svc-" + name, "endpoints": []any{map[string]any{
		"id": "ep-" + name, "interface": "public", "region": c.opts.Region, "region_id": c.opts.Region, "url": url}}}
}
