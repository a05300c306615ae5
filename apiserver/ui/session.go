package ui

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strings"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"minka/api/v1alpha1"
	"minka/apiserver"
)

// CookieName is the session cookie: the token itself, so that every
// replica of the server reads it without a session store.
const CookieName = "minka_session"

// CSRFHeader carries the session's CSRF token on every write.
const CSRFHeader = "X-CSRF-Token"

// maxTokenBytes bounds a token given to log in; configured tokens are far
// shorter.
const maxTokenBytes = 4096

// Session is what GET /ui/session tells the page.
type Session struct {
	User        string `json:"user"`
	Role        string `json:"role"`
	AuthEnabled bool   `json:"authEnabled"`
	// CSRFToken goes in X-CSRF-Token on every write.
	CSRFToken string `json:"csrfToken"`
	// Can says which of the page's actions the role allows, keyed by
	// "verb resource[/subresource]"; the page offers no other.
	Can map[string]bool `json:"can"`
}

// actions are the writes the page offers.
var actions = []apiserver.Attributes{
	{Verb: "patch", Resource: "deployments", Subresource: "scale"},
	{Verb: "patch", Resource: "deployments"},
	{Verb: "patch", Resource: "slavepools", Subresource: "scale"},
	{Verb: "patch", Resource: "slavepools"},
	{Verb: "create", Resource: "builds"},
}

func actionKey(a apiserver.Attributes) string {
	k := a.Verb + " " + a.Resource
	if a.Subresource != "" {
		k += "/" + a.Subresource
	}
	return k
}

// token is the session's token, from its cookie; "" without one. With
// auth off there is no token to have.
func (h *Handler) token(r *http.Request) (string, apiserver.User, bool) {
	if !h.api.AuthEnabled() {
		u, _ := h.api.Authenticate("")
		return "", u, true
	}
	c, err := r.Cookie(CookieName)
	if err != nil || c.Value == "" {
		return "", apiserver.User{}, false
	}
	u, ok := h.api.Authenticate(c.Value)
	return c.Value, u, ok
}

// csrfToken is derived from the session's token, so every replica
// derives the same one and a page without the token cannot.
func (h *Handler) csrfToken(token string) string {
	key := []byte(token)
	if !h.api.AuthEnabled() {
		key = h.csrfKey
	}
	m := hmac.New(sha256.New, key)
	m.Write([]byte("minka ui csrf v1"))
	return hex.EncodeToString(m.Sum(nil))
}

// checkWrite refuses a write that comes from another site (the browser
// says so in Sec-Fetch-Site or Origin) or lacks the session's CSRF
// token.
func (h *Handler) checkWrite(r *http.Request, token string) *apierrors.StatusError {
	if err := http.NewCrossOriginProtection().Check(r); err != nil {
		return forbidden("a cross-origin write is refused")
	}
	got := r.Header.Get(CSRFHeader)
	if !hmac.Equal([]byte(got), []byte(h.csrfToken(token))) {
		return forbidden("the request lacks the session's CSRF token (" + CSRFHeader + "): reload the page")
	}
	return nil
}

func (h *Handler) session(w http.ResponseWriter, r *http.Request) {
	token, u, ok := h.token(r)
	if !ok {
		writeJSON(w, http.StatusUnauthorized, Session{AuthEnabled: true})
		return
	}
	writeJSON(w, http.StatusOK, h.sessionOf(token, u))
}

func (h *Handler) sessionOf(token string, u apiserver.User) Session {
	s := Session{User: u.Name, Role: string(u.Role), AuthEnabled: h.api.AuthEnabled(), CSRFToken: h.csrfToken(token), Can: map[string]bool{}}
	for _, a := range actions {
		a.APIGroup = v1alpha1.Group
		s.Can[actionKey(a)] = u.Allowed(a)
	}
	return s
}

// login takes {"token": "..."} (or a form's token field), and when the
// token is valid sets the session cookie and answers the Session. A
// token never travels in a URL: one in the query is refused.
func (h *Handler) login(w http.ResponseWriter, r *http.Request) {
	if err := http.NewCrossOriginProtection().Check(r); err != nil {
		writeStatus(w, forbidden("a cross-origin login is refused"))
		return
	}
	if r.URL.Query().Has("token") {
		writeStatus(w, apierrors.NewBadRequest("token: must be in the request body, never in the URL"))
		return
	}
	token, err := readToken(r)
	if err != nil {
		writeStatus(w, apierrors.NewBadRequest(err.Error()))
		return
	}
	if !h.api.AuthEnabled() {
		u, _ := h.api.Authenticate("")
		writeJSON(w, http.StatusOK, h.sessionOf("", u))
		return
	}
	u, ok := h.api.Authenticate(token)
	if !ok {
		writeStatus(w, apierrors.NewUnauthorized("token: not a token this server knows"))
		return
	}
	http.SetCookie(w, &http.Cookie{Name: CookieName, Value: token, Path: Prefix + "/", HttpOnly: true,
		Secure: r.TLS != nil, SameSite: http.SameSiteStrictMode})
	h.log.Info("ui login", "user", u.Name, "role", u.Role, "remote", r.RemoteAddr)
	writeJSON(w, http.StatusOK, h.sessionOf(token, u))
}

func readToken(r *http.Request) (string, error) {
	body, err := io.ReadAll(io.LimitReader(r.Body, maxTokenBytes+1))
	if err != nil {
		return "", err
	}
	if len(body) > maxTokenBytes {
		return "", errors.New("token: longer than any token")
	}
	var token string
	ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	switch ct {
	case "application/json":
		var in struct {
			Token string `json:"token"`
		}
		if err := json.Unmarshal(body, &in); err != nil {
			return "", errors.New("body: not JSON of the form {\"token\": \"...\"}")
		}
		token = in.Token
	case "application/x-www-form-urlencoded":
		form, err := url.ParseQuery(string(body))
		if err != nil {
			return "", fmt.Errorf("body: not a form: %w", err)
		}
		token = form.Get("token")
	default:
		return "", errors.New("Content-Type: want application/json or a form")
	}
	token = strings.TrimSpace(token)
	if token == "" {
		return "", errors.New("token: required")
	}
	return token, nil
}

// logout ends the session: the cookie goes. It is a write, so it needs
// the CSRF token too: another site may not log a user out.
func (h *Handler) logout(w http.ResponseWriter, r *http.Request) {
	token, _, ok := h.token(r)
	if ok {
		if err := h.checkWrite(r, token); err != nil {
			writeStatus(w, err)
			return
		}
	}
	http.SetCookie(w, &http.Cookie{Name: CookieName, Value: "", Path: Prefix + "/", MaxAge: -1, HttpOnly: true,
		Secure: r.TLS != nil, SameSite: http.SameSiteStrictMode})
	w.WriteHeader(http.StatusNoContent)
}

func forbidden(msg string) *apierrors.StatusError {
	return &apierrors.StatusError{ErrStatus: metav1.Status{Status: metav1.StatusFailure, Code: http.StatusForbidden,
		Reason: metav1.StatusReasonForbidden, Message: msg}}
}
