package apiserver

import (
	"context"
	"errors"
	"net/http"
	"strconv"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"minka/api/v1alpha1"
	"minka/store"
)

// toStatus translates any error into the Status the client sees. Store
// errors are matched by type, once, here.
func toStatus(err error, info *requestInfo) *apierrors.StatusError {
	var se *apierrors.StatusError
	if errors.As(err, &se) {
		return se
	}
	var gr = v1alpha1.SchemeGroupVersion.WithResource("").GroupResource()
	var name string
	if info != nil {
		gr, name = info.Kind.GroupResource(), info.Name
	}
	var inv *store.InvalidError
	var serr *store.Error
	var big *store.TooLargeError
	var conflict *store.ConflictError
	switch {
	case errors.As(err, &inv):
		return apierrors.NewInvalid(inv.Kind.GroupKind(), v1alpha1.Shorten(inv.Name, v1alpha1.MaxEchoBytes), v1alpha1.ShortenErrors(inv.Errs))
	case errors.As(err, &big):
		// 413 as for a body past --max-body-bytes: the client must send less.
		se := apierrors.NewRequestEntityTooLargeError(big.Detail())
		se.ErrStatus.Details = &metav1.StatusDetails{Group: gr.Group, Kind: big.Kind, Name: big.Name}
		return se
	case errors.Is(err, store.ErrNotFound):
		return apierrors.NewNotFound(gr, name)
	case errors.Is(err, store.ErrAlreadyExists):
		return apierrors.NewAlreadyExists(gr, name)
	case errors.Is(err, store.ErrConflict):
		msg := err.Error()
		if errors.As(err, &serr) && serr.Msg != "" {
			msg = serr.Msg
		}
		return apierrors.NewConflict(gr, name, errors.New(msg))
	case errors.Is(err, store.ErrGone):
		return apierrors.NewResourceExpired(err.Error())
	case errors.Is(err, store.ErrInvalid):
		return apierrors.NewBadRequest(err.Error())
	case store.NoSpace(err):
		return noSpace()
	case errors.As(err, &conflict):
		return apierrors.NewConflict(gr, name, conflict)
	case errors.Is(err, context.DeadlineExceeded):
		// The request's store deadline (withStoreDeadline) passed: etcd
		// is gone or too slow. The client may retry; a write may or may
		// not have been applied, as with any timeout.
		return apierrors.NewTimeoutError("etcd did not answer in time", 1)
	case store.Unavailable(err):
		se := apierrors.NewServiceUnavailable("etcd is unavailable: " + err.Error())
		se.ErrStatus.Details = &metav1.StatusDetails{RetryAfterSeconds: 1}
		return se
	}
	return apierrors.NewInternalError(err)
}

// StatusReasonInsufficientStorage is the reason of a 507: etcd is out of
// space. (apimachinery has no reason for it; kube-apiserver answers 500.)
const StatusReasonInsufficientStorage metav1.StatusReason = "InsufficientStorage"

// noSpace is the answer to a write while etcd's NOSPACE alarm is raised:
// 507, since retrying will not help until an operator acts, with the way
// back in the message.
func noSpace() *apierrors.StatusError {
	return &apierrors.StatusError{ErrStatus: metav1.Status{
		Status: metav1.StatusFailure, Code: http.StatusInsufficientStorage, Reason: StatusReasonInsufficientStorage,
		Message: "etcd is out of space (its NOSPACE alarm is raised: the database reached its quota): writes are refused, " +
			"reads and deletes still work; an admin frees space with 'minka admin etcd recover' (compact, defragment, disarm the alarm)",
	}}
}

// Bounds of a Status, whatever error made it. Field errors come
// shortened by v1alpha1.ShortenErrors (a cause then holds a value of
// MaxEchoBytes, quoted, and a short detail; a 422's message MaxErrors of
// them), so these only cut what nothing else did: a decode error that
// names a 3 MB field, a 1 MB name in a URL.
const (
	maxMessageBytes = 256 << 10
	maxCauseBytes   = 4 << 10
)

// shortStatus bounds what a Status repeats of the request: its message,
// name and causes.
func shortStatus(st *metav1.Status) {
	st.Message = v1alpha1.Shorten(st.Message, maxMessageBytes)
	if d := st.Details; d != nil {
		d.Name = v1alpha1.Shorten(d.Name, v1alpha1.MaxEchoBytes)
		for i := range d.Causes {
			d.Causes[i].Message = v1alpha1.Shorten(d.Causes[i].Message, maxCauseBytes)
			d.Causes[i].Field = v1alpha1.Shorten(d.Causes[i].Field, maxCauseBytes)
		}
	}
}

// writeError writes err as a kind: Status response.
func (s *Server) writeError(w http.ResponseWriter, r *http.Request, info *requestInfo, err error) {
	st := toStatus(err, info).ErrStatus
	shortStatus(&st)
	switch {
	case store.Unavailable(err), store.NoSpace(err):
		// An outage, logged by /readyz once; not an error per request.
		s.log.V(1).Info("request failed: etcd unavailable", "method", r.Method, "path", r.URL.Path, "error", err.Error())
	case st.Code >= 500:
		s.log.Error(err, "request failed", "method", r.Method, "path", r.URL.Path)
	}
	if d := st.Details; d != nil && d.RetryAfterSeconds > 0 {
		w.Header().Set("Retry-After", strconv.Itoa(int(d.RetryAfterSeconds)))
	}
	if st.Code == http.StatusUnauthorized {
		w.Header().Set("WWW-Authenticate", `Bearer realm="minka"`)
	}
	st.TypeMeta = metav1.TypeMeta{APIVersion: "v1", Kind: "Status"}
	writeJSON(w, int(st.Code), &st)
}
