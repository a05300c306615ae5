package apiserver

import (
	"net/http"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/yaml"

	"minka/store"
)

// delete removes an object, honouring DeleteOptions preconditions sent as
// the body. The response is the object: still present, with
// deletionTimestamp, when finalizers hold it.
func (s *Server) delete(w http.ResponseWriter, r *http.Request, info *requestInfo) error {
	data, err := readBody(r)
	if err != nil {
		return err
	}
	var pre *store.Preconditions
	if len(data) > 0 {
		var opts metav1.DeleteOptions
		if err := yaml.UnmarshalStrict(data, &opts); err != nil {
			return apierrors.NewBadRequest("DeleteOptions: " + err.Error())
		}
		if len(opts.DryRun) > 0 { // kubectl delete --dry-run=server says it here
			if r, err = withDryRun(r, "delete", opts.DryRun); err != nil {
				return err
			}
		}
		if p := opts.Preconditions; p != nil {
			pre = &store.Preconditions{}
			if p.UID != nil {
				pre.UID = *p.UID
			}
			if p.ResourceVersion != nil {
				pre.ResourceVersion = *p.ResourceVersion
			}
		}
	}
	obj, err := s.store.Delete(r.Context(), info.Kind, info.Namespace, info.Name, pre)
	if err != nil {
		return err
	}
	writeObject(w, http.StatusOK, obj)
	return nil
}
