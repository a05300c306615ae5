package shaman

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
)

// badRequest is a 400 (or 413) that names the field at fault.
type badRequest struct {
	code int
	msg  string
}

func (e *badRequest) Error() string { return e.msg }

func invalid(field, format string, args ...any) error {
	return &badRequest{code: http.StatusBadRequest, msg: field + ": " + fmt.Sprintf(format, args...)}
}

// readObject reads a JSON object body of at most the handler's limit.
// An over-long body is 413, as webob answers a body past its limit; bad
// JSON is a 400 naming "body".
func readObject(r *http.Request) (map[string]json.RawMessage, error) {
	b, err := io.ReadAll(r.Body)
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		return nil, &badRequest{code: http.StatusRequestEntityTooLarge, msg: fmt.Sprintf("body: larger than %d bytes", mbe.Limit)}
	}
	if err != nil {
		return nil, invalid("body", "reading it: %v", err)
	}
	if len(bytes.TrimSpace(b)) == 0 {
		return nil, invalid("body", "a JSON object is required")
	}
	var m map[string]json.RawMessage
	if err := json.Unmarshal(b, &m); err != nil {
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) {
			return nil, invalid("body", "must be a JSON object, not %s", te.Value)
		}
		return nil, invalid("body", "invalid JSON: %v", err)
	}
	if m == nil {
		return nil, invalid("body", "must be a JSON object, not null")
	}
	return m, nil
}

// fields reads typed fields out of a decoded object, remembering the
// first error.
type fields struct {
	m   map[string]json.RawMessage
	err error
}

func (f *fields) fail(err error) {
	if f.err == nil {
		f.err = err
	}
}

func isNull(raw json.RawMessage) bool { return raw == nil || string(bytes.TrimSpace(raw)) == "null" }

// str reads a string field; required ones may not be missing, null or
// empty. max bounds its length.
func (f *fields) str(name string, required bool, max int) string {
	raw, ok := f.m[name]
	if !ok || isNull(raw) {
		if required {
			f.fail(invalid(name, "required"))
		}
		return ""
	}
	var s string
	if err := json.Unmarshal(raw, &s); err != nil {
		f.fail(invalid(name, "must be a string, not %s", kindOf(raw)))
		return ""
	}
	if required && s == "" {
		f.fail(invalid(name, "required, must not be empty"))
	}
	if len(s) > max {
		f.fail(invalid(name, "longer than %d bytes", max))
	}
	return s
}

// strs reads an array of strings (null or missing: none).
func (f *fields) strs(name string, maxItems, max int) []string {
	raw, ok := f.m[name]
	if !ok || isNull(raw) {
		return nil
	}
	var ss []string
	if err := json.Unmarshal(raw, &ss); err != nil {
		f.fail(invalid(name, "must be an array of strings"))
		return nil
	}
	if len(ss) > maxItems {
		f.fail(invalid(name, "more than %d items", maxItems))
	}
	for i, s := range ss {
		if s == "" || len(s) > max || !segmentRE.MatchString(s) {
			f.fail(invalid(fmt.Sprintf("%s[%d]", name, i), "%q is not an architecture name", s))
		}
	}
	return ss
}

// typed checks an optional field's JSON type (the ones chacra sends
// that minka does not keep).
func (f *fields) typed(name, want string) {
	raw, ok := f.m[name]
	if !ok || isNull(raw) {
		return
	}
	if got := kindOf(raw); got != want {
		f.fail(invalid(name, "must be %s, not %s", want, got))
	}
}

func kindOf(raw json.RawMessage) string {
	b := bytes.TrimSpace(raw)
	if len(b) == 0 {
		return "nothing"
	}
	switch b[0] {
	case '{':
		return "an object"
	case '[':
		return "an array"
	case '"':
		return "a string"
	case 't', 'f':
		return "a boolean"
	case 'n':
		return "null"
	}
	return "a number"
}

// segmentRE is a chacra path segment (distro, version, arch, project,
// flavor), as the Repo validation has it.
var segmentRE = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._+-]*$`)

func (f *fields) segment(name, v string) {
	if v != "" && !segmentRE.MatchString(v) {
		f.fail(invalid(name, "%q must be letters, digits, '.', '_', '+' or '-', starting with a letter or digit", v))
	}
}

func (f *fields) httpURL(name, v string) {
	if v == "" {
		return
	}
	u, err := url.Parse(v)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		f.fail(invalid(name, "%q is not an http(s) URL", v))
	}
}
