package apiserver

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"mime"
	"net/http"

	jsonpatch "gopkg.in/evanphx/json-patch.v4"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/validation/field"

	"minka/api/v1alpha1"
	"minka/store"
)

// update replaces an object (PUT), or its status on /status.
func (s *Server) update(w http.ResponseWriter, r *http.Request, info *requestInfo) error {
	obj, err := decodeBody(w, r, info)
	if err != nil {
		return err
	}
	return s.put(w, r, info, obj)
}

func (s *Server) put(w http.ResponseWriter, r *http.Request, info *requestInfo, obj v1alpha1.Object) error {
	write := s.store.Update
	if info.Subresource == "status" {
		write = s.store.UpdateStatus
	}
	out, err := write(r.Context(), obj)
	if err != nil {
		return err
	}
	writeObject(w, http.StatusOK, out)
	return nil
}

// applyPatch applies a request's patch to doc by its Content-Type: a
// JSON patch (RFC 6902) or a merge patch (RFC 7386). Any other type is
// refused as kube-apiserver refuses it for a custom resource (a
// strategic merge patch has no patch strategy to follow there).
func applyPatch(r *http.Request, info *requestInfo, doc, patch []byte) ([]byte, error) {
	mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	switch mt {
	case jsonPatch:
		ops, err := jsonpatch.DecodePatch(patch)
		if err != nil {
			return nil, apierrors.NewBadRequest("decoding json patch: " + err.Error())
		}
		out, err := ops.Apply(doc)
		if err != nil {
			// As kube-apiserver: a failing test op or a missing path is
			// a 422; its cause says which.
			return nil, apierrors.NewInvalid(info.Kind.GroupKind(), info.Name, field.ErrorList{field.Invalid(field.NewPath("patch"), string(patch), "applying json patch: "+err.Error())})
		}
		return out, nil
	case mergePatch:
		out, err := jsonpatch.MergePatch(doc, patch)
		if err != nil {
			return nil, apierrors.NewBadRequest("applying merge patch: " + err.Error())
		}
		return out, nil
	}
	return nil, unsupportedPatch(mt)
}

// checkPatchType refuses a patch type before its body is read.
func checkPatchType(r *http.Request) error {
	if mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); mt != jsonPatch && mt != mergePatch {
		return unsupportedPatch(mt)
	}
	return nil
}

func unsupportedPatch(mt string) error {
	return &apierrors.StatusError{ErrStatus: metav1.Status{Status: metav1.StatusFailure, Code: http.StatusUnsupportedMediaType,
		Reason:  metav1.StatusReasonUnsupportedMediaType,
		Message: fmt.Sprintf("the body of the request was in an unknown format - accepted media types include: %s, %s, %s (got %q)", jsonPatch, mergePatch, applyPatchType, mt)}}
}

// The patch types served: kubectl's --type json and merge (and
// applyPatchType, apply.go).
const (
	jsonPatch  = "application/json-patch+json"
	mergePatch = "application/merge-patch+json"
)

// patch applies a JSON or merge patch to the stored object and writes the
// result conditioned on the revision it read, so a concurrent writer is
// never overwritten: the patch is applied again to a fresh read, or, when
// it names a resourceVersion, answered 409; a server-side apply goes to
// serverSideApply.
func (s *Server) patch(w http.ResponseWriter, r *http.Request, info *requestInfo) error {
	if mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); mt == applyPatchType {
		return s.serverSideApply(w, r, info)
	}
	if r.URL.Query().Has("force") {
		return apierrors.NewInvalid(patchOptions, "", field.ErrorList{field.Forbidden(field.NewPath("force"), "may not be specified for non-apply patch")})
	}
	if err := checkPatchType(r); err != nil {
		return err
	}
	patch, err := readBody(r)
	if err != nil {
		return err
	}
	// As kube-apiserver's, a patch that names no resourceVersion is
	// applied again to a fresh read when a concurrent write beat it: it
	// asked for a change, not for the version it was sent against.
	pinned := bytes.Contains(patch, []byte("resourceVersion"))
	for attempt := 1; ; attempt++ {
		err := s.patchOnce(w, r, info, patch)
		if err == nil || pinned || attempt == maxPatchAttempts || !errors.Is(err, store.ErrConflict) || r.Context().Err() != nil {
			return err
		}
	}
}

// maxPatchAttempts bounds the re-reads of a patch that keeps meeting
// concurrent writes, beside the request's store deadline (kube-apiserver's
// are bounded by its timeout alone): each lost attempt means another
// write landed, so the object is moving on.
const maxPatchAttempts = 50

// patchOnce applies patch to the stored object as read now and writes it
// guarded by that read's resourceVersion.
func (s *Server) patchOnce(w http.ResponseWriter, r *http.Request, info *requestInfo, patch []byte) error {
	cur, err := s.store.Get(r.Context(), info.Kind, info.Namespace, info.Name)
	if err != nil {
		return err
	}
	v1alpha1.SetTypeMeta(cur)
	doc, err := json.Marshal(cur)
	if err != nil {
		return err
	}
	merged, err := applyPatch(r, info, doc, patch)
	if err != nil {
		return err
	}
	obj, err := decodeObject(w, info, merged)
	if err != nil {
		return apierrors.NewBadRequest("patched object: " + err.Error())
	}
	if err := checkIdentity(obj, info); err != nil {
		return err
	}
	if obj.GetResourceVersion() == "" {
		obj.SetResourceVersion(cur.GetResourceVersion())
	}
	return s.put(w, r, info, obj)
}
