package apiserver

import (
	"net/http"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/fields"
	"k8s.io/apimachinery/pkg/labels"

	"minka/api/v1alpha1"
	"minka/store"
)

func (s *Server) get(w http.ResponseWriter, r *http.Request, info *requestInfo) error {
	obj, err := s.store.Get(r.Context(), info.Kind, info.Namespace, info.Name)
	if err != nil {
		return err
	}
	if v, ok := wantsTable(r); ok {
		t, err := table(r, v, info.Kind.Kind, []v1alpha1.Object{obj}, metav1.ListMeta{ResourceVersion: obj.GetResourceVersion()})
		if err != nil {
			return err
		}
		writeJSON(w, http.StatusOK, t)
		return nil
	}
	writeObject(w, http.StatusOK, obj)
	return nil
}

func (s *Server) list(w http.ResponseWriter, r *http.Request, info *requestInfo) error {
	opts, err := listOptions(r)
	if err != nil {
		return err
	}
	list, err := s.store.List(r.Context(), info.Kind, info.Namespace, opts)
	if err != nil {
		return err
	}
	if v, ok := wantsTable(r); ok {
		lm := metav1.ListMeta{}
		if li, ok := list.(metav1.ListInterface); ok {
			lm.ResourceVersion, lm.Continue = li.GetResourceVersion(), li.GetContinue()
		}
		t, err := table(r, v, info.Kind.Kind, list.GetItems(), lm)
		if err != nil {
			return err
		}
		writeJSON(w, http.StatusOK, t)
		return nil
	}
	writeJSON(w, http.StatusOK, list)
	return nil
}

// listOptions parses labelSelector and fieldSelector.
func listOptions(r *http.Request) (store.ListOptions, error) {
	var opts store.ListOptions
	q := r.URL.Query()
	if s := q.Get("labelSelector"); s != "" {
		sel, err := labels.Parse(s)
		if err != nil {
			return opts, apierrors.NewBadRequest("labelSelector: " + err.Error())
		}
		opts.Labels = sel
	}
	if s := q.Get("fieldSelector"); s != "" {
		sel, err := fields.ParseSelector(s)
		if err != nil {
			return opts, apierrors.NewBadRequest("fieldSelector: " + err.Error())
		}
		opts.Fields = sel
	}
	return opts, nil
}
