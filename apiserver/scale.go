package apiserver

import (
	"encoding/json"
	"net/http"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	sigsjson "sigs.k8s.io/json"
	"sigs.k8s.io/yaml"

	"minka/api/v1alpha1"
)

// scale serves /scale: GET, PUT and merge-PATCH of an autoscaling/v1 Scale
// that reads and writes spec.replicas of a Deployment or SlavePool.
func (s *Server) scale(w http.ResponseWriter, r *http.Request, info *requestInfo) error {
	cur, err := s.store.Get(r.Context(), info.Kind, info.Namespace, info.Name)
	if err != nil {
		return err
	}
	obj := cur.(v1alpha1.Scalable)
	if info.Verb == "get" {
		writeJSON(w, http.StatusOK, scaleOf(obj))
		return nil
	}
	if info.Verb == "patch" {
		if err := checkPatchType(r); err != nil {
			return err
		}
	}
	body, err := readBody(r)
	if err != nil {
		return err
	}
	want, conditioned, err := s.decodeScale(r, body, info, obj)
	if err != nil {
		return err
	}
	if errs := v1alpha1.ValidateScale(want); len(errs) > 0 {
		return apierrors.NewInvalid(v1alpha1.SchemeGroupVersion.WithKind("Scale").GroupKind(), info.Name, errs)
	}
	// A Scale without a resourceVersion means "whatever is stored": the
	// store sets the count on the latest object, whoever wrote it last.
	rv := ""
	if conditioned {
		rv = want.ResourceVersion
	}
	out, err := s.store.UpdateReplicas(r.Context(), info.Kind, info.Namespace, info.Name, want.Spec.Replicas, rv)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, scaleOf(out.(v1alpha1.Scalable)))
	return nil
}

// decodeScale reads a Scale from a PUT body, or a merge patch applied to
// cur. conditioned says whether the client named a resourceVersion (a
// patch's result carries cur's, which is not the client's condition).
func (s *Server) decodeScale(r *http.Request, body []byte, info *requestInfo, cur v1alpha1.Scalable) (*v1alpha1.Scale, bool, error) {
	data := body
	var err error
	if info.Verb == "patch" {
		doc, _ := json.Marshal(scaleOf(cur))
		if data, err = applyPatch(r, info, doc, body); err != nil {
			return nil, false, err
		}
	}
	if data, err = yaml.YAMLToJSONStrict(data); err != nil {
		return nil, false, apierrors.NewBadRequest("scale: " + err.Error())
	}
	var sc v1alpha1.Scale
	strict, err := sigsjson.UnmarshalStrict(data, &sc, sigsjson.DisallowDuplicateFields, sigsjson.DisallowUnknownFields)
	if err == nil && len(strict) > 0 {
		err = strict[0]
	}
	if err != nil {
		return nil, false, apierrors.NewBadRequest("scale: " + err.Error())
	}
	if err := checkNames(sc.Namespace, sc.Name, info); err != nil {
		return nil, false, err
	}
	conditioned := sc.ResourceVersion != ""
	if info.Verb == "patch" {
		var asked struct {
			Metadata struct {
				ResourceVersion string `json:"resourceVersion"`
			} `json:"metadata"`
		}
		_ = json.Unmarshal(body, &asked)
		conditioned = asked.Metadata.ResourceVersion != ""
	}
	return &sc, conditioned, nil
}

func scaleOf(obj v1alpha1.Scalable) *v1alpha1.Scale {
	spec, status := obj.GetReplicas()
	return &v1alpha1.Scale{
		TypeMeta: metav1.TypeMeta{APIVersion: v1alpha1.ScaleAPIVersion, Kind: "Scale"},
		ObjectMeta: metav1.ObjectMeta{Name: obj.GetName(), Namespace: obj.GetNamespace(), UID: obj.GetUID(),
			ResourceVersion: obj.GetResourceVersion(), CreationTimestamp: obj.GetCreationTimestamp()},
		Spec:   v1alpha1.ScaleSpec{Replicas: spec},
		Status: v1alpha1.ScaleStatus{Replicas: status, Selector: obj.ScaleSelector()},
	}
}
