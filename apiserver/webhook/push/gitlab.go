package push

import "fmt"

// The GitLab Push Hook and Tag Push Hook payload
// (https://docs.gitlab.com/user/project/integrations/webhook_events/#push-events);
// only the fields minka reads.
type glPush struct {
	ObjectKind   string     `json:"object_kind"` // "push" or "tag_push"
	Ref          *string    `json:"ref"`
	Before       string     `json:"before"`
	After        string     `json:"after"`
	CheckoutSHA  *string    `json:"checkout_sha"` // null on deletion
	Message      *string    `json:"message"`      // an annotated tag's message
	UserUsername string     `json:"user_username"`
	UserName     string     `json:"user_name"`
	Project      *glProject `json:"project"`
	Commits      []ghCommit `json:"commits"` // oldest first, at most 20
}

type glProject struct {
	PathWithNamespace string `json:"path_with_namespace"`
	GitHTTPURL        string `json:"git_http_url"`
}

// gitlabKinds maps the X-Gitlab-Event of a push to the object_kind its
// payload must carry.
var gitlabKinds = map[string]string{"Push Hook": "push", "Tag Push Hook": "tag_push"}

func parseGitLab(event string, payload []byte) (Push, error) {
	kind, ok := gitlabKinds[event]
	switch {
	case event == "":
		return Push{}, badRequest(hdrGitLabEvent, "header is missing")
	case !ok:
		return Push{}, fmt.Errorf("%w: event %q", ErrNotAPush, event)
	}
	var v glPush
	if err := decode(payload, &v); err != nil {
		return Push{}, err
	}
	if v.ObjectKind != kind {
		return Push{}, badRequest("object_kind", "is %.40q, want %q for %s", v.ObjectKind, kind, event)
	}
	p := Push{Event: event}
	if v.Ref == nil {
		return Push{}, badRequest("ref", "is missing")
	}
	if err := p.setRef("ref", *v.Ref); err != nil {
		return Push{}, err
	}
	if (kind == "tag_push") != (p.Tag != "") {
		return Push{}, badRequest("ref", "%.200q does not match object_kind %q", p.Ref, kind)
	}
	if err := checkSHA("before", v.Before); err != nil {
		return Push{}, err
	}
	if err := checkSHA("after", v.After); err != nil {
		return Push{}, err
	}
	if v.Project == nil {
		return Push{}, badRequest("project", "is missing")
	}
	p.FullName = v.Project.PathWithNamespace
	p.Repository = v.Project.GitHTTPURL
	if p.Repository == "" {
		p.Repository = p.FullName
	}
	p.Sender = v.UserUsername
	if p.Sender == "" {
		p.Sender = v.UserName // GitLab before user_username existed
	}
	p.Before = v.Before
	p.Created = v.Before == zeroSHA
	p.Deleted = v.After == zeroSHA
	if p.Deleted {
		return p, nil
	}
	// checkout_sha is the commit, where after is an annotated tag's object.
	p.SHA1 = v.After
	if v.CheckoutSHA != nil {
		if !isSHA1(*v.CheckoutSHA) {
			return Push{}, badRequest("checkout_sha", "is not a 40-hex SHA-1: %.64q", *v.CheckoutSHA)
		}
		p.SHA1 = *v.CheckoutSHA
	}
	p.HeadMessage = headMessage(v.Commits, p.SHA1)
	if p.HeadMessage == "" && v.Message != nil {
		p.HeadMessage = *v.Message
	}
	return p, nil
}
