// Package buildlog serves a Build's Jenkins console at
// GET /apis/minka.dev/v1alpha1/namespaces/{namespace}/builds/{name}/log,
// as kube-apiserver serves pods/log: text/plain, the whole console so
// far, or with ?follow=true the console as Jenkins writes it until the
// build ends (Jenkins' progressiveText, read from the offset it hands
// back). A Build not started yet is waited for when following and
// answered 400 naming its phase when not, as kubectl logs does for a
// container still waiting.
package buildlog

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"minka/api/sealed"
	"minka/api/v1alpha1"
	"minka/backend/jenkins"
	"minka/store"
)

// Path is the route, for http.ServeMux.
const Path = "GET /apis/" + v1alpha1.Group + "/" + v1alpha1.Version + "/namespaces/{namespace}/builds/{name}/log"

// Console reads a build's console (backend/jenkins implements it).
type Console interface {
	Console(ctx context.Context, job string, number, start int64) (*jenkins.Log, error)
}

// Handler serves the route.
type Handler struct {
	Store   *store.Store
	Jenkins map[string]Console
	// Poll is how often a followed console or a Build waited for is
	// read again (default 1s).
	Poll time.Duration
	// Keys open the Build's sealed parameters, so that their clear
	// values are masked in the console.
	Keys *sealed.Keys
}

func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	ctx, ns, name := r.Context(), r.PathValue("namespace"), r.PathValue("name")
	follow, _ := strconv.ParseBool(r.URL.Query().Get("follow"))
	poll := h.Poll
	if poll <= 0 {
		poll = time.Second
	}
	b, p, err := h.started(ctx, ns, name, follow, poll)
	if err != nil {
		writeError(w, err)
		return
	}
	jk := h.Jenkins[p.Spec.Jenkins]
	if jk == nil {
		writeError(w, &httpError{http.StatusServiceUnavailable, fmt.Sprintf("spec.jenkins %q of Pipeline %s is not a Jenkins backend in the server config", p.Spec.Jenkins, p.Name)})
		return
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	flusher, _ := w.(http.Flusher)
	var start int64
	wrote := false
	var nl crlf
	hide := newMasker(h.Keys, p, b)
	for {
		log, err := jk.Console(ctx, p.Spec.Job, b.Status.JenkinsBuild, start)
		if err != nil {
			if !wrote {
				writeError(w, &httpError{http.StatusBadGateway, err.Error()})
			}
			return
		}
		if text := hide.mask(nl.normalize(log.Text, !log.More), !follow || !log.More); text != "" {
			if _, err := io.WriteString(w, text); err != nil {
				return
			}
			if flusher != nil {
				flusher.Flush()
			}
		}
		wrote, start = true, log.Next
		if !follow || !log.More {
			return
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(poll):
		}
	}
}

// crlf turns the CRLF line ends of Jenkins' progressive text (Stapler's
// LineEndNormalizingWriter) back into the console's LF, also when a
// chunk ends between the CR and the LF.
type crlf struct{ cr bool }

func (c *crlf) normalize(s string, last bool) string {
	if c.cr {
		s, c.cr = "\r"+s, false
	}
	if strings.HasSuffix(s, "\r") && !last {
		s, c.cr = s[:len(s)-1], true
	}
	return strings.ReplaceAll(s, "\r\n", "\n")
}

// started returns the Build once it has a Jenkins build, and its
// Pipeline; following, it waits for one.
func (h *Handler) started(ctx context.Context, ns, name string, follow bool, poll time.Duration) (*v1alpha1.Build, *v1alpha1.Pipeline, error) {
	bk, _ := v1alpha1.KindOf(&v1alpha1.Build{})
	pk, _ := v1alpha1.KindOf(&v1alpha1.Pipeline{})
	for {
		o, err := h.Store.Get(ctx, bk, ns, name)
		if err != nil {
			return nil, nil, err
		}
		b := o.(*v1alpha1.Build)
		if b.Status.JenkinsBuild > 0 {
			po, err := h.Store.Get(ctx, pk, ns, b.Spec.Pipeline)
			if err != nil {
				return nil, nil, err
			}
			return b, po.(*v1alpha1.Pipeline), nil
		}
		if !follow || v1alpha1.Finished(b.Status.Phase) {
			phase := b.Status.Phase
			if phase == "" {
				phase = v1alpha1.BuildPending
			}
			msg := fmt.Sprintf("build %q has no Jenkins build (phase %s", name, phase)
			if b.Status.Message != "" {
				msg += ": " + b.Status.Message
			}
			return nil, nil, &httpError{http.StatusBadRequest, msg + ")"}
		}
		select {
		case <-ctx.Done():
			return nil, nil, ctx.Err()
		case <-time.After(poll):
		}
	}
}

type httpError struct {
	code int
	msg  string
}

func (e *httpError) Error() string { return e.msg }

// writeError answers as the API does: a kind: Status body.
func writeError(w http.ResponseWriter, err error) {
	var he *httpError
	code := http.StatusInternalServerError
	switch {
	case errors.As(err, &he):
		code = he.code
	case errors.Is(err, store.ErrNotFound):
		code = http.StatusNotFound
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		code = http.StatusGatewayTimeout
	}
	st := metav1.Status{TypeMeta: metav1.TypeMeta{Kind: "Status", APIVersion: "v1"}, Status: metav1.StatusFailure,
		Message: err.Error(), Reason: reasons[code], Code: int32(code)}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(st)
}

var reasons = map[int]metav1.StatusReason{
	http.StatusBadRequest: metav1.StatusReasonBadRequest, http.StatusNotFound: metav1.StatusReasonNotFound,
	http.StatusServiceUnavailable: metav1.StatusReasonServiceUnavailable, http.StatusBadGateway: metav1.StatusReasonInternalError,
	http.StatusGatewayTimeout: metav1.StatusReasonTimeout, http.StatusInternalServerError: metav1.StatusReasonInternalError,
}
