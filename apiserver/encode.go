package apiserver

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

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
	if err != nil {
		return nil, apierrors.NewBadRequest("reading request body: " + err.Error())
	}
	return data, nil
}

var acceptedBody = map[string]bool{
	"application/json": true, "application/yaml": true, "application/x-yaml": true, "text/yaml": true,
	"application/merge-patch+json": true,
}

// decodeBody decodes a request body as one object of the request's kind,
// placed in the request's namespace (and with its name, for updates).
func decodeBody(r *http.Request, info *requestInfo) (v1alpha1.Object, error) {
	data, err := readBody(r)
	if err != nil {
		return nil, err
	}
	obj, err := v1alpha1.DecodeObject(data)
	if err != nil {
		return nil, apierrors.NewBadRequest(err.Error())
	}
	return obj, checkIdentity(obj, info)
}

// checkIdentity holds a body to the kind, namespace and name of its URL.
func checkIdentity(obj v1alpha1.Object, info *requestInfo) error {
	k, err := v1alpha1.KindOf(obj)
	if err != nil || k.Kind != info.Kind.Kind {
		return apierrors.NewBadRequest(fmt.Sprintf("the body is a %s, the URL names %s", obj.GetObjectKind().GroupVersionKind().Kind, info.Resource))
	}
	if obj.GetNamespace() == "" {
		obj.SetNamespace(info.Namespace)
	}
	if obj.GetNamespace() != info.Namespace {
		return apierrors.NewBadRequest(fmt.Sprintf("the namespace of the object (%s) does not match the namespace of the request (%s)", obj.GetNamespace(), info.Namespace))
	}
	if info.Name != "" && obj.GetName() != info.Name {
		return apierrors.NewBadRequest(fmt.Sprintf("the name of the object (%s) does not match the name in the URL (%s)", obj.GetName(), info.Name))
	}
	return nil
}
