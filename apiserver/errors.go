package apiserver

import (
	"context"
	"errors"
	"net/http"

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
	switch {
	case errors.As(err, &inv):
		return apierrors.NewInvalid(inv.Kind.GroupKind(), inv.Name, inv.Errs)
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
	case errors.Is(err, context.DeadlineExceeded):
		return apierrors.NewTimeoutError("the store did not answer in time", 1)
	}
	return apierrors.NewInternalError(err)
}

// writeError writes err as a kind: Status response.
func (s *Server) writeError(w http.ResponseWriter, r *http.Request, info *requestInfo, err error) {
	st := toStatus(err, info).ErrStatus
	if st.Code >= 500 {
		s.log.Error(err, "request failed", "method", r.Method, "path", r.URL.Path)
	}
	if st.Code == http.StatusUnauthorized {
		w.Header().Set("WWW-Authenticate", `Bearer realm="minka"`)
	}
	st.TypeMeta = metav1.TypeMeta{APIVersion: "v1", Kind: "Status"}
	writeJSON(w, int(st.Code), &st)
}
