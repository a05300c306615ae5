package apiserver

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"sync/atomic"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/util/validation/field"
	sigsjson "sigs.k8s.io/json"
	"sigs.k8s.io/yaml"

	"minka/api/v1alpha1"
	"minka/store"
)

// A rollback is a subresource, not a spec write the client makes, so
// that who may do it is decided by the verb (create deployments/rollback)
// rather than by which spec fields a restored revision happens to touch:
// the deploy role may roll back, and may not write a spec.

// EventRollbackRequested is the reason of the Event a rollback records.
const EventRollbackRequested = "RollbackRequested"

var rollbackKind = schema.GroupKind{Group: v1alpha1.Group, Kind: v1alpha1.DeploymentRollbackKind}

// rollback serves POST .../deployments/NAME/rollback: the spec of the
// revision the DeploymentRollback names (0: the last Good one before
// the current) is written back over the Deployment, keeping its
// replicas, by the store's guarded update: the revision is chosen from
// the object the write lands on, and chosen again when another write
// (a controller's status) got there first. The controller then rolls it
// out as any spec change. It answers the updated Deployment and records
// a RollbackRequested Event; a dry run writes neither.
func (s *Server) rollback(w http.ResponseWriter, r *http.Request, info *requestInfo) error {
	body, err := readBody(r)
	if err != nil {
		return err
	}
	rb, err := decodeRollback(w, body, info)
	if err != nil {
		return err
	}
	ctx := r.Context()
	var rev *v1alpha1.DeploymentRevision
	var was int64 // the generation written over
	out, err := s.store.UpdateWith(ctx, info.Kind, info.Namespace, info.Name, "", func(cur v1alpha1.Object) (v1alpha1.Object, error) {
		d := cur.(*v1alpha1.Deployment)
		was = d.Generation
		if d.Spec.Paused {
			return nil, apierrors.NewConflict(info.Kind.GroupResource(), info.Name,
				errors.New("cannot roll back a paused Deployment: resume it (spec.paused: false) first"))
		}
		var err error
		if rev, err = v1alpha1.RollbackTarget(d, rb.RollbackTo.Revision); err != nil {
			return nil, apierrors.NewInvalid(rollbackKind, info.Name,
				field.ErrorList{field.Invalid(field.NewPath("rollbackTo", "revision"), rb.RollbackTo.Revision, err.Error())})
		}
		d.Spec = v1alpha1.RollbackSpec(d, rev)
		return d, nil
	})
	if err != nil {
		return err
	}
	d := out.(*v1alpha1.Deployment)
	if !store.IsDryRun(ctx) {
		s.rollbackEvent(ctx, d, rev, d.Generation == was)
	}
	writeObject(w, http.StatusOK, d)
	return nil
}

// decodeRollback reads a DeploymentRollback (JSON or YAML) by the
// request's fieldValidation, and holds it to the URL.
func decodeRollback(w http.ResponseWriter, body []byte, info *requestInfo) (*v1alpha1.DeploymentRollback, error) {
	data, err := yaml.YAMLToJSONStrict(body)
	if err != nil && info.FieldValidation == "Strict" {
		return nil, apierrors.NewBadRequest("decoding DeploymentRollback: " + err.Error())
	} else if err != nil {
		if data, err = yaml.YAMLToJSON(body); err != nil {
			return nil, apierrors.NewBadRequest("decoding DeploymentRollback: " + err.Error())
		}
	}
	var rb v1alpha1.DeploymentRollback
	strict, err := sigsjson.UnmarshalStrict(data, &rb, sigsjson.DisallowDuplicateFields, sigsjson.DisallowUnknownFields)
	if err != nil {
		return nil, apierrors.NewBadRequest("decoding DeploymentRollback: " + err.Error())
	}
	for _, e := range strict {
		switch info.FieldValidation {
		case "Strict":
			return nil, apierrors.NewBadRequest("decoding DeploymentRollback: " + e.Error())
		case "Warn":
			warn(w, e.Error())
		}
	}
	switch {
	case rb.APIVersion != v1alpha1.APIVersion:
		return nil, apierrors.NewBadRequest(fmt.Sprintf("apiVersion: %q, want %s", rb.APIVersion, v1alpha1.APIVersion))
	case rb.Kind != v1alpha1.DeploymentRollbackKind:
		return nil, apierrors.NewBadRequest(fmt.Sprintf("kind: %q, want %s", rb.Kind, v1alpha1.DeploymentRollbackKind))
	case rb.Name != "" && rb.Name != info.Name:
		return nil, apierrors.NewBadRequest(fmt.Sprintf("name: the name of the rollback (%s) does not match the name on the URL (%s)", rb.Name, info.Name))
	}
	return &rb, nil
}

var rollbackSeq atomic.Uint64

// rollbackEvent records who asked for the rollback, and what it did
// (unchanged: the spec already was the revision's); a failure is
// logged: the rollback itself is done.
func (s *Server) rollbackEvent(ctx context.Context, d *v1alpha1.Deployment, rev *v1alpha1.DeploymentRevision, unchanged bool) {
	u, _ := UserFrom(ctx)
	msg := fmt.Sprintf("%s asked for revision %d (image %s): generation %d rolls it out", u.Name, rev.Revision, rev.Image, d.Generation)
	if unchanged {
		msg = fmt.Sprintf("%s asked for revision %d (image %s): the spec already is that revision's", u.Name, rev.Revision, rev.Image)
	}
	now := metav1.NewTime(time.Now().UTC().Truncate(time.Second))
	ev := &v1alpha1.Event{
		ObjectMeta: metav1.ObjectMeta{Namespace: d.Namespace,
			Name: d.Name + "." + strconv.FormatInt(time.Now().UnixNano(), 16) + strconv.FormatUint(rollbackSeq.Add(1)%4096, 16)},
		InvolvedObject: v1alpha1.ObjectReference{APIVersion: v1alpha1.APIVersion, Kind: "Deployment", Namespace: d.Namespace,
			Name: d.Name, UID: string(d.UID), ResourceVersion: d.ResourceVersion},
		Reason: EventRollbackRequested, Message: msg, Type: v1alpha1.EventTypeNormal, Count: 1,
		FirstTimestamp: now, LastTimestamp: now, Source: v1alpha1.EventSource{Component: "minka-apiserver"},
	}
	if _, err := s.store.Create(store.WithFieldManager(ctx, ""), ev); err != nil {
		s.log.Error(err, "recording the rollback event", "deployment", d.Namespace+"/"+d.Name)
	}
}
