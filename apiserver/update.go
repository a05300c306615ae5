package apiserver

import (
	"encoding/json"
	"mime"
	"net/http"

	jsonpatch "gopkg.in/evanphx/json-patch.v4"
	apierrors "k8s.io/apimachinery/pkg/api/errors"

	"minka/api/v1alpha1"
)

// update replaces an object (PUT), or its status on /status.
func (s *Server) update(w http.ResponseWriter, r *http.Request, info *requestInfo) error {
	obj, err := decodeBody(r, info)
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

// patch applies a JSON merge patch (RFC 7386) to the stored object and
// writes the result conditioned on the revision it read, so a concurrent
// writer yields 409 instead of being overwritten.
func (s *Server) patch(w http.ResponseWriter, r *http.Request, info *requestInfo) error {
	if mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); mt != "application/merge-patch+json" {
		return apierrors.NewGenericServerResponse(http.StatusUnsupportedMediaType, "patch", info.Kind.GroupResource(), info.Name,
			"only application/merge-patch+json patches are supported, got "+r.Header.Get("Content-Type"), 0, false)
	}
	patch, err := readBody(r)
	if err != nil {
		return err
	}
	cur, err := s.store.Get(r.Context(), info.Kind, info.Namespace, info.Name)
	if err != nil {
		return err
	}
	v1alpha1.SetTypeMeta(cur)
	doc, err := json.Marshal(cur)
	if err != nil {
		return err
	}
	merged, err := jsonpatch.MergePatch(doc, patch)
	if err != nil {
		return apierrors.NewBadRequest("applying merge patch: " + err.Error())
	}
	obj, err := v1alpha1.DecodeObject(merged)
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
