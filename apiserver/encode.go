package apiserver

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"mime"
	"net/http"
	"os"
	"slices"
	"strings"
	"unicode/utf8"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/yaml"

	"minka/api/v1alpha1"
)

func writeJSON(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	enc := json.NewEncoder(w)
	_ = enc.Encode(v) // the client went away: nothing left to tell it
}

func writeObject(w http.ResponseWriter, code int, obj v1alpha1.Object) {
	v1alpha1.SetTypeMeta(obj)
	writeJSON(w, code, obj)
}

// readBody reads a JSON or YAML body within the size limit.
func readBody(r *http.Request) ([]byte, error) {
	if ct := r.Header.Get("Content-Type"); ct != "" {
		mt, _, err := mime.ParseMediaType(ct)
		if err != nil || !acceptedBody[mt] {
			return nil, &apierrors.StatusError{ErrStatus: metav1.Status{
				Status: metav1.StatusFailure, Code: http.StatusUnsupportedMediaType, Reason: metav1.StatusReasonUnsupportedMediaType,
				Message: fmt.Sprintf("unsupported media type %q: send application/json or application/yaml", ct)}}
		}
	}
	data, err := io.ReadAll(r.Body)
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) {
		return nil, apierrors.NewRequestEntityTooLargeError(fmt.Sprintf("limit is %d bytes", tooBig.Limit))
	}
	if errors.Is(err, os.ErrDeadlineExceeded) {
		// --request-read-timeout cut the body: the client was too slow,
		// its request is not malformed.
		return nil, &apierrors.StatusError{ErrStatus: metav1.Status{
			Status: metav1.StatusFailure, Code: http.StatusRequestTimeout, Reason: metav1.StatusReasonTimeout,
			Message: fmt.Sprintf("the request body was not read within the server's request read timeout (%d bytes arrived)", len(data))}}
	}
	if err != nil {
		return nil, apierrors.NewBadRequest("reading request body: " + err.Error())
	}
	if err := checkUTF8(data); err != nil {
		return nil, err
	}
	return data, nil
}

var acceptedBody = map[string]bool{
	"application/json": true, "application/yaml": true, "application/x-yaml": true, "text/yaml": true,
	"application/merge-patch+json": true, "application/json-patch+json": true, applyPatchType: true,
}

// decodeBody decodes a request body as one object of the request's kind,
// placed in the request's namespace (and with its name, for updates).
func decodeBody(w http.ResponseWriter, r *http.Request, info *requestInfo) (v1alpha1.Object, error) {
	data, err := readBody(r)
	if err != nil {
		return nil, err
	}
	obj, err := decodeObject(w, info, data)
	if err != nil {
		return nil, apierrors.NewBadRequest(err.Error())
	}
	return obj, checkIdentity(obj, info)
}

// decodeObject decodes a body by the request's fieldValidation.
func decodeObject(w http.ResponseWriter, info *requestInfo, data []byte) (v1alpha1.Object, error) {
	if info.FieldValidation == "" || info.FieldValidation == "Strict" {
		return v1alpha1.DecodeObject(data)
	}
	obj, warnings, err := v1alpha1.DecodeObjectLax(data)
	if err != nil {
		return nil, err
	}
	if info.FieldValidation == "Warn" {
		for _, text := range warnings {
			warn(w, text)
		}
	}
	return obj, nil
}

// checkIdentity holds a body to the kind, namespace and name of its URL.
// An object without a namespace takes the URL's.
func checkIdentity(obj v1alpha1.Object, info *requestInfo) error {
	k, err := v1alpha1.KindOf(obj)
	if err != nil || k.Kind != info.Kind.Kind {
		return apierrors.NewBadRequest(fmt.Sprintf("the body is a %s, the URL names %s", obj.GetObjectKind().GroupVersionKind().Kind, info.Resource))
	}
	if obj.GetNamespace() == "" {
		obj.SetNamespace(info.Namespace)
	}
	return checkNames(obj.GetNamespace(), obj.GetName(), info)
}

// checkNames holds a body's metadata.namespace (when set) and, for a
// named URL, its metadata.name to the URL's, for objects and their
// subresources alike: kube-apiserver's checkName (handlers/rest.go), with
// the field named first.
func checkNames(ns, name string, info *requestInfo) error {
	if ns != "" && ns != info.Namespace {
		return apierrors.NewBadRequest(fmt.Sprintf("metadata.namespace: the namespace of the object (%s) does not match the namespace on the request (%s)", ns, info.Namespace))
	}
	if info.Name != "" && name != info.Name {
		return apierrors.NewBadRequest(fmt.Sprintf("metadata.name: the name of the object (%s) does not match the name on the URL (%s)", name, info.Name))
	}
	return nil
}

// checkUTF8 refuses a body that is not UTF-8, naming the first bad byte:
// its field when the body parses with that byte masked, its line and
// column. Go's JSON decoder would otherwise store U+FFFD in its place
// without a word (the YAML parser refuses it, but names no place).
func checkUTF8(data []byte) error {
	if utf8.Valid(data) {
		return nil
	}
	off := firstInvalid(data)
	lineStart := bytes.LastIndexByte(data[:off], '\n') + 1
	where := fmt.Sprintf("at line %d, column %d", 1+bytes.Count(data[:off], []byte("\n")), 1+utf8.RuneCount(data[lineStart:off]))
	if field := invalidField(data, off); field != "" {
		if len(field) > maxFieldEcho {
			field = strings.ToValidUTF8(field[:maxFieldEcho], "") + "…"
		}
		where = "in " + field + " " + where
	}
	return apierrors.NewBadRequest(fmt.Sprintf("the request body is not valid UTF-8: byte 0x%02x %s", data[off], where))
}

// maxFieldEcho bounds the field path checkUTF8 repeats: a path of long
// keys is the client's own, it needs only enough to find it.
const maxFieldEcho = 256

// firstInvalid is the offset of data's first byte that starts no UTF-8
// sequence.
func firstInvalid(data []byte) int {
	for off := 0; off < len(data); {
		r, n := utf8.DecodeRune(data[off:])
		if r == utf8.RuneError && n == 1 {
			return off
		}
		off += n
	}
	return len(data)
}

// utf8Mark stands in for the bad byte while invalidField looks for it:
// a private-use character, printable for YAML.
const utf8Mark = "\uE000"

// invalidField is the path (spec.ports[0].name) of the string holding the
// bad byte at off, "" when the masked body does not parse or already
// holds the mark.
func invalidField(data []byte, off int) string {
	if bytes.Contains(data, []byte(utf8Mark)) {
		return ""
	}
	masked := append(append(bytes.Clone(data[:off]), utf8Mark...), bytes.ToValidUTF8(data[off+1:], []byte("\uFFFD"))...)
	doc, err := yaml.YAMLToJSON(masked)
	if err != nil {
		return ""
	}
	var v any
	if err := json.Unmarshal(doc, &v); err != nil {
		return ""
	}
	return markPath(v, "")
}

// markPath finds the mark in v, a decoded JSON document; a key holding it
// is named with the mark shown as U+FFFD.
func markPath(v any, path string) string {
	switch v := v.(type) {
	case string:
		if strings.Contains(v, utf8Mark) {
			return path
		}
	case []any:
		for i, e := range v {
			if p := markPath(e, fmt.Sprintf("%s[%d]", path, i)); p != "" {
				return p
			}
		}
	case map[string]any:
		for _, k := range slices.Sorted(maps.Keys(v)) {
			p := k
			if path != "" {
				p = path + "." + k
			}
			if strings.Contains(k, utf8Mark) {
				return strings.ReplaceAll(p, utf8Mark, "\uFFFD") + " (a key)"
			}
			if p := markPath(v[k], p); p != "" {
				return p
			}
		}
	}
	return ""
}
