package apiserver

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/go-logr/logr"
	"go.etcd.io/etcd/api/v3/v3rpc/rpctypes"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/validation/field"

	"minka/api/v1alpha1"
	"minka/store"
)

func TestToStatus(t *testing.T) {
	deploy, _ := v1alpha1.KindFor("deployment")
	info := &requestInfo{Kind: deploy, Namespace: "ci", Name: "web"}
	mb3 := strings.Repeat("a", 3_000_000)
	tooLarge := &store.TooLargeError{Kind: "Deployment", Namespace: "ci", Name: "web", Size: 2 << 20, Limit: 1556480}
	cases := []struct {
		reason   string
		err      error
		code     int32
		want     string // in the message
		maxBytes int    // of the encoded Status
	}{
		{"an object past the store's limit", tooLarge, 413, "Request entity too large: the object is 2097152 bytes encoded, the limit is 1556480 bytes", 1024},
		{"wrapped, as the store returns it", fmt.Errorf("creating Deployment ci/web: %w", tooLarge), 413, "the limit is 1556480 bytes", 1024},
		{"etcd's own refusal", &store.TooLargeError{Kind: "Deployment", Name: "web", Size: 2 << 20}, 413, "etcd refused the request as too large", 1024},
		{"a 3 MB bad value", &store.InvalidError{Kind: deploy, Name: "web", Errs: field.ErrorList{
			field.Invalid(field.NewPath("spec", "env").Key("1"+mb3), "1"+mb3, "must be a C identifier")}}, 422, "spec.env[1aaa", 2048},
		{"a 3 MB name", &store.InvalidError{Kind: deploy, Name: mb3, Errs: field.ErrorList{
			field.Invalid(field.NewPath("metadata", "name"), mb3, "must be no more than 63 characters")}}, 422, `Deployment.minka.dev "aaa`, 2048},
		{"a 3 MB message from anywhere", apierrors.NewBadRequest(`unknown field "spec.` + mb3 + `"`), 400, `unknown field "spec.aaa`, 300 << 10},
		{"etcd out of space", fmt.Errorf("updating Deployment ci/web: %w", rpctypes.ErrNoSpace), 507, "etcd is out of space (its NOSPACE alarm is raised", 1024},
		{"a maintenance step refused", &store.ConflictError{Msg: "its database file is at its quota"}, 409, "its database file is at its quota", 1024},
	}
	for _, c := range cases {
		rec := httptest.NewRecorder()
		s := &Server{log: logr.Discard()}
		s.writeError(rec, httptest.NewRequest("POST", "/apis/minka.dev/v1alpha1/namespaces/ci/deployments", nil), info, c.err)
		var st metav1.Status
		if err := json.Unmarshal(rec.Body.Bytes(), &st); err != nil {
			t.Fatalf("%s: %v", c.reason, err)
		}
		if rec.Code != int(c.code) || st.Code != c.code || st.Kind != "Status" || !strings.Contains(st.Message, c.want) || rec.Body.Len() > c.maxBytes {
			t.Errorf("%s: %d %s (%d bytes) %.300q, want %d with %q in at most %d bytes",
				c.reason, rec.Code, st.Reason, rec.Body.Len(), st.Message, c.code, c.want, c.maxBytes)
		}
	}
}

func TestTooLargeNamesTheObject(t *testing.T) {
	deploy, _ := v1alpha1.KindFor("deployment")
	err := &store.TooLargeError{Kind: "Deployment", Namespace: "ci", Name: "web", Size: 2 << 20, Limit: 1556480}
	st := toStatus(err, &requestInfo{Kind: deploy, Namespace: "ci", Name: "web"}).ErrStatus
	if st.Reason != metav1.StatusReasonRequestEntityTooLarge || st.Details == nil || st.Details.Kind != "Deployment" || st.Details.Name != "web" ||
		st.Details.Group != v1alpha1.Group {
		t.Errorf("Status %+v, want RequestEntityTooLarge with the object's group, kind and name", st)
	}
	if st.Code != http.StatusRequestEntityTooLarge {
		t.Errorf("code %d, want 413", st.Code)
	}
}

// TestDefaultBodyLimitFollowsTheStore: the default body limit is the one
// the store's default request limit implies (store.MaxBodyBytes), so that
// every object the store can hold can be sent.
func TestDefaultBodyLimitFollowsTheStore(t *testing.T) {
	if want := store.MaxBodyBytes(store.DefaultMaxRequestBytes); DefaultMaxBodyBytes != want {
		t.Errorf("DefaultMaxBodyBytes = %d, want store.MaxBodyBytes(store.DefaultMaxRequestBytes) = %d", DefaultMaxBodyBytes, want)
	}
	if largest := store.MaxObjectBytes(store.DefaultMaxRequestBytes); DefaultMaxBodyBytes < largest {
		t.Errorf("DefaultMaxBodyBytes = %d is below the largest storable object, %d", DefaultMaxBodyBytes, largest)
	}
}
