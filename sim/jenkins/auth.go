package jenkins

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"net/http"
	"strings"
)

// The filter chain in front of Stapler (jenkinsci/jenkins):
// BasicHeaderProcessor (a bad Basic header is a 401 from Spring's
// BasicAuthenticationEntryPoint, realm "Jenkins"), CrumbFilter (a POST not
// authenticated by an API token needs a crumb: ApiCrumbExclusion), then
// Jenkins.getTarget's Overall/Read check, whose failure for anonymous is
// HudsonAuthenticationEntryPoint's 403.

const anonymous = "anonymous"

// sessionHash is Jenkins.SESSION_HASH: X-Jenkins-Session and the static
// resource path; one per process, as Jenkins has one per JVM.
var sessionHash = func() string {
	b := make([]byte, 4)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}()

// unprotected are the root tokens anonymous may reach without Overall/Read:
// Jenkins.ALWAYS_READABLE_PATHS that the simulator serves, and the
// UnprotectedRootAction whoAmI.
var unprotected = map[string]bool{"whoAmI": true, "login": true, "404": true, "oops": true, "error": true}

type who struct {
	name     string
	apiToken bool // authenticated by BasicHeaderApiTokenAuthenticator
}

// authenticate is BasicHeaderProcessor: no Basic header is anonymous; a
// user's API token or (with Options.Password) password is that user;
// anything else is 401.
func (s *Server) authenticate(w http.ResponseWriter, r *http.Request) (who, bool) {
	h := r.Header.Get("Authorization")
	if len(h) < 6 || !strings.EqualFold(h[:6], "Basic ") {
		return who{name: anonymous}, true
	}
	raw, _ := base64.StdEncoding.DecodeString(h[6:])
	user, pass, ok := strings.Cut(string(raw), ":")
	eq := func(a, b string) bool { return subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1 }
	switch {
	case ok && eq(user, s.opts.User) && eq(pass, s.opts.Token):
		return who{name: s.opts.User, apiToken: true}, true
	case ok && s.opts.Password != "" && eq(user, s.opts.User) && eq(pass, s.opts.Password):
		return who{name: s.opts.User}, true
	}
	w.Header().Set("WWW-Authenticate", `Basic realm="Jenkins"`)
	jettyError(w, r, http.StatusUnauthorized, "Unauthorized")
	return who{}, false
}

// readable is Jenkins.getTarget for anonymous: with AnonymousRead GETs
// pass (writes then fail their own permission), unprotected paths always.
func (s *Server) readable(c *call) bool {
	if c.more() && unprotected[c.peek()] {
		return true
	}
	return s.opts.AnonymousRead && (c.r.Method == http.MethodGet || c.r.Method == http.MethodHead)
}

// maxSessions bounds the sessions kept (every crumb request without a
// cookie starts one, as gojenkins' do).
const maxSessions = 4096

// sessionCookie is the session cookie's name: JSESSIONID. and 8 random hex
// digits per start (jenkinsci/jenkins war/src/main/java/executable/Main.java).
var sessionCookie = func() string {
	b := make([]byte, 4)
	_, _ = rand.Read(b)
	return "JSESSIONID." + hex.EncodeToString(b)
}()

// session returns the request's HTTP session, creating one (and its
// cookie) if create is set, as HttpServletRequest.getSession(create).
func (s *Server) session(w http.ResponseWriter, r *http.Request, create bool) string {
	if ck, err := r.Cookie(sessionCookie); err == nil && s.sessions[ck.Value] {
		return ck.Value
	}
	if !create {
		return ""
	}
	b := make([]byte, 12)
	_, _ = rand.Read(b)
	id := "node0" + hex.EncodeToString(b) + ".node0"
	if len(s.sessions) >= maxSessions { // the simulator's bound, where Jetty would expire them
		clear(s.sessions)
	}
	s.sessions[id] = true
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: id, Path: "/", HttpOnly: true})
	return id
}

// crumb is DefaultCrumbIssuer.issueCrumb: SHA-256 of "name;sessionId"
// then the salt, in hex (the session is part of it since 2.186).
func (s *Server) crumb(name, session string) string {
	h := sha256.New()
	h.Write([]byte(name + ";" + session))
	h.Write([]byte(s.crumbSalt))
	return hex.EncodeToString(h.Sum(nil))
}

// validCrumb is CrumbFilter: the Jenkins-Crumb header, else a parameter of
// that name (CrumbFilter looks up ".crumb" too but drops the result).
func (s *Server) validCrumb(r *http.Request, name string) bool {
	got := r.Header.Get("Jenkins-Crumb")
	if got == "" {
		_ = r.ParseForm()
		got = r.Form.Get("Jenkins-Crumb")
	}
	sess := s.session(nil, r, false)
	return got != "" && sess != "" && subtle.ConstantTimeCompare([]byte(got), []byte(s.crumb(name, sess))) == 1
}
