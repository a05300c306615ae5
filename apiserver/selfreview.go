package apiserver

import (
	"fmt"
	"io"
	"mime"
	"net/http"

	authenticationv1 "k8s.io/api/authentication/v1"
	authorizationv1 "k8s.io/api/authorization/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/serializer"

	"minka/api/sealing"
	"minka/api/v1alpha1"
)

// Self-subject reviews, answered from the caller's role (auth.go) as
// kube-apiserver answers them from RBAC: kubectl auth can-i, can-i
// --list and auth whoami. Any authenticated caller may ask about itself.

// The paths kubectl posts to.
const (
	accessReviewPath = "/apis/authorization.k8s.io/v1/selfsubjectaccessreviews"
	rulesReviewPath  = "/apis/authorization.k8s.io/v1/selfsubjectrulesreviews"
	selfReviewPath   = "/apis/authentication.k8s.io/v1/selfsubjectreviews"
)

// reviewScheme decodes the reviews kubectl sends: its typed clients send
// protobuf (application/vnd.kubernetes.protobuf), others JSON.
var reviewScheme = func() *runtime.Scheme {
	sc := runtime.NewScheme()
	_ = authorizationv1.AddToScheme(sc)
	_ = authenticationv1.AddToScheme(sc)
	return sc
}()

var reviewCodecs = serializer.NewCodecFactory(reviewScheme)

// decodeReview decodes a review body of either media type into into.
func decodeReview(r *http.Request, body []byte, into runtime.Object) error {
	mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	info, ok := runtime.SerializerInfoForMediaType(reviewCodecs.SupportedMediaTypes(), mt)
	if !ok {
		return &apierrors.StatusError{ErrStatus: metav1.Status{Status: metav1.StatusFailure, Code: http.StatusUnsupportedMediaType,
			Reason: metav1.StatusReasonUnsupportedMediaType, Message: fmt.Sprintf("unsupported media type %q: send application/json or application/vnd.kubernetes.protobuf", mt)}}
	}
	if _, _, err := reviewCodecs.UniversalDeserializer().Decode(body, nil, into); err != nil {
		return apierrors.NewBadRequest(fmt.Sprintf("%T (%s): %v", into, info.MediaType, err))
	}
	return nil
}

// mountSelfReviews serves the three reviews behind authentication only.
func (s *Server) mountSelfReviews() {
	post := func(h func(u User, r *http.Request, body []byte) (any, error)) http.Handler {
		return s.Authenticated(s.Limited(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			u, _ := UserFrom(r.Context())
			body, err := io.ReadAll(r.Body)
			if err == nil {
				var out any
				if out, err = h(u, r, body); err == nil {
					writeJSON(w, http.StatusCreated, out)
					return
				}
			}
			s.writeError(w, r, &requestInfo{Verb: "create"}, err)
		})))
	}
	s.mux.Handle("POST "+accessReviewPath, post(accessReviewOf))
	s.mux.Handle("POST "+rulesReviewPath, post(rulesReviewOf))
	s.mux.Handle("POST "+selfReviewPath, post(func(u User, _ *http.Request, _ []byte) (any, error) {
		out := &authenticationv1.SelfSubjectReview{TypeMeta: metav1.TypeMeta{Kind: "SelfSubjectReview", APIVersion: "authentication.k8s.io/v1"}}
		out.Status.UserInfo = authenticationv1.UserInfo{Username: u.Name, Groups: []string{"minka:" + string(u.Role), "system:authenticated"}}
		return out, nil
	}))
}

func accessReviewOf(u User, r *http.Request, body []byte) (any, error) {
	var rv authorizationv1.SelfSubjectAccessReview
	if err := decodeReview(r, body, &rv); err != nil {
		return nil, err
	}
	var a Attributes
	switch ra, na := rv.Spec.ResourceAttributes, rv.Spec.NonResourceAttributes; {
	case ra != nil:
		verb := ra.Verb
		if verb == "deletecollection" {
			verb = "delete"
		}
		a = Attributes{Verb: verb, APIGroup: ra.Group, Resource: ra.Resource, Subresource: ra.Subresource, Namespace: ra.Namespace, Name: ra.Name,
			Path: "/apis/" + ra.Group + "/" + ra.Resource}
	case na != nil:
		a = Attributes{Verb: na.Verb, Path: na.Path}
	default:
		return nil, apierrors.NewBadRequest("SelfSubjectAccessReview: spec.resourceAttributes or spec.nonResourceAttributes is required")
	}
	rv.TypeMeta = metav1.TypeMeta{Kind: "SelfSubjectAccessReview", APIVersion: "authorization.k8s.io/v1"}
	rv.Status.Allowed = u.Allowed(a) && (rv.Spec.NonResourceAttributes != nil || servesResource(a.APIGroup, a.Resource))
	switch {
	case rv.Status.Allowed:
		rv.Status.Reason = "role " + string(u.Role) + " of token " + u.Name
	case a.Resource != "" && !servesResource(a.APIGroup, a.Resource):
		rv.Status.Reason = "minka serves no " + a.Resource + " in group \"" + a.APIGroup + "\""
	default:
		rv.Status.Reason = "role " + string(u.Role) + " of token " + u.Name + " does not allow it"
	}
	return &rv, nil
}

// servesResource says whether minka serves a resource of a group ("*" for any).
func servesResource(group, resource string) bool {
	if resource == "*" {
		return true
	}
	if group == "" {
		return resource == "events" || resource == "namespaces"
	}
	if group != v1alpha1.Group && group != "*" {
		return false
	}
	for _, k := range v1alpha1.Kinds() {
		if k.Plural == resource {
			return true
		}
	}
	return false
}

// rulesReviewOf lists what each role allows, in RBAC's terms.
func rulesReviewOf(u User, r *http.Request, body []byte) (any, error) {
	var rv authorizationv1.SelfSubjectRulesReview
	if err := decodeReview(r, body, &rv); err != nil {
		return nil, err
	}
	rv.TypeMeta = metav1.TypeMeta{Kind: "SelfSubjectRulesReview", APIVersion: "authorization.k8s.io/v1"}
	read := authorizationv1.ResourceRule{Verbs: readVerbs, APIGroups: []string{v1alpha1.Group, ""}, Resources: []string{"*"}}
	var writable, scales, rollbacks []string
	for _, k := range v1alpha1.Kinds() {
		if k.Kind == "Event" {
			continue
		}
		writable = append(writable, k.Plural)
		if k.Scale {
			writable = append(writable, k.Plural+"/scale")
			scales = append(scales, k.Plural+"/scale")
		}
		if k.Rollback {
			rollbacks = append(rollbacks, k.Plural+"/rollback")
		}
	}
	rollback := authorizationv1.ResourceRule{Verbs: []string{"create"}, APIGroups: []string{v1alpha1.Group}, Resources: rollbacks}
	rv.Status.NonResourceRules = []authorizationv1.NonResourceRule{{Verbs: []string{"get"},
		NonResourceURLs: []string{"/healthz", "/readyz", "/metrics", "/version", "/api", "/api/*", "/apis", "/apis/*", sealing.Path}}}
	switch u.Role {
	case RoleView:
		rv.Status.ResourceRules = []authorizationv1.ResourceRule{read}
	case RoleDeploy:
		// RBAC has no words for "only spec.image and spec.restartedAt":
		// the update and patch of deployments listed here are checked
		// against the stored object when they are made (deployrole.go).
		rv.Status.ResourceRules = []authorizationv1.ResourceRule{read,
			{Verbs: []string{"update", "patch"}, APIGroups: []string{v1alpha1.Group}, Resources: append([]string{"deployments"}, scales...)},
			{Verbs: []string{"create"}, APIGroups: []string{v1alpha1.Group}, Resources: append([]string{"builds"}, rollbacks...)}}
	case RoleEdit:
		rv.Status.ResourceRules = []authorizationv1.ResourceRule{read, {Verbs: writeVerbs, APIGroups: []string{v1alpha1.Group}, Resources: writable}, rollback}
	case RoleAdmin:
		rv.Status.ResourceRules = []authorizationv1.ResourceRule{{Verbs: []string{"*"}, APIGroups: []string{"*"}, Resources: []string{"*"}}}
		rv.Status.NonResourceRules = []authorizationv1.NonResourceRule{{Verbs: []string{"*"}, NonResourceURLs: []string{"*"}}}
	}
	return &rv, nil
}
