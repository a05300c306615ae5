package push

import (
	"fmt"
	"strings"
)

// The GitHub push payload, of which Gitea's is a near copy; only the fields
// minka reads. Pointers tell "absent" or null from empty.
type ghPush struct {
	Ref        *string    `json:"ref"`
	Before     string     `json:"before"`
	After      string     `json:"after"`
	Created    bool       `json:"created"` // GitHub only
	Deleted    bool       `json:"deleted"` // GitHub only
	HeadCommit *ghCommit  `json:"head_commit"`
	Commits    []ghCommit `json:"commits"`
	Repository *ghRepo    `json:"repository"`
	Pusher     *ghUser    `json:"pusher"`
	Sender     *ghUser    `json:"sender"`
}

type ghCommit struct {
	ID      string `json:"id"`
	Message string `json:"message"`
}

type ghRepo struct {
	FullName string `json:"full_name"`
	CloneURL string `json:"clone_url"`
	HTMLURL  string `json:"html_url"`
}

// ghUser covers GitHub's sender (login) and pusher (name, email) and Gitea's
// users (login, username).
type ghUser struct {
	Login    string `json:"login"`
	Username string `json:"username"`
	Name     string `json:"name"`
}

// ghDelete is the "delete" event of GitHub and Gitea: the ref's short name.
// Gitea sends it, and no push, when a branch is deleted.
type ghDelete struct {
	Ref        string  `json:"ref"`
	RefType    string  `json:"ref_type"`
	Repository *ghRepo `json:"repository"`
	Sender     *ghUser `json:"sender"`
}

// ghPing is GitHub's ping: the repository only for repository hooks.
type ghPing struct {
	HookID     int64   `json:"hook_id"`
	Repository *ghRepo `json:"repository"`
	Sender     *ghUser `json:"sender"`
}

func parseGitHubLike(style Style, event string, payload []byte) (Push, error) {
	switch event {
	case "push":
		return parseGitHubPush(payload)
	case "ping":
		var v ghPing
		if err := decode(payload, &v); err != nil {
			return Push{}, err
		}
		p := Push{Event: event, Ping: true, Sender: v.Sender.login()}
		p.setRepo(v.Repository)
		return p, nil
	case "delete":
		return parseGitHubDelete(payload)
	case "":
		return Push{}, badRequest(eventHeader(style), "header is missing")
	}
	return Push{}, fmt.Errorf("%w: event %q", ErrNotAPush, event)
}

func eventHeader(style Style) string {
	if style == Gitea {
		return hdrGiteaEvent
	}
	return hdrGitHubEvent
}

func parseGitHubPush(payload []byte) (Push, error) {
	var v ghPush
	if err := decode(payload, &v); err != nil {
		return Push{}, err
	}
	p := Push{Event: "push"}
	if v.Ref == nil {
		return Push{}, badRequest("ref", "is missing")
	}
	if err := p.setRef("ref", *v.Ref); err != nil {
		return Push{}, err
	}
	if err := checkSHA("before", v.Before); err != nil {
		return Push{}, err
	}
	if err := checkSHA("after", v.After); err != nil {
		return Push{}, err
	}
	if v.Repository == nil {
		return Push{}, badRequest("repository", "is missing")
	}
	p.setRepo(v.Repository)
	p.Before = v.Before
	p.Created = v.Created || v.Before == zeroSHA
	p.Deleted = v.Deleted || v.After == zeroSHA
	p.Sender = v.Sender.login()
	if p.Sender == "" {
		p.Sender = v.Pusher.login()
	}
	if p.Deleted {
		return p, nil
	}
	p.SHA1 = v.After
	if hc := v.HeadCommit; hc != nil {
		// For an annotated tag after is the tag object; head_commit is the
		// commit it points to, which is what gets built.
		if !isSHA1(hc.ID) {
			return Push{}, badRequest("head_commit.id", "is not a 40-hex SHA-1: %.64q", hc.ID)
		}
		p.SHA1, p.HeadMessage = hc.ID, hc.Message
		return p, nil
	}
	p.HeadMessage = headMessage(v.Commits, v.After)
	return p, nil
}

func parseGitHubDelete(payload []byte) (Push, error) {
	var v ghDelete
	if err := decode(payload, &v); err != nil {
		return Push{}, err
	}
	ref := v.Ref
	if !strings.HasPrefix(ref, "refs/") {
		switch v.RefType {
		case "branch":
			ref = "refs/heads/" + ref
		case "tag":
			ref = "refs/tags/" + ref
		default:
			return Push{}, badRequest("ref_type", "is %.40q, want branch or tag", v.RefType)
		}
	}
	p := Push{Event: "delete", Deleted: true, Sender: v.Sender.login()}
	if v.Ref == "" {
		return Push{}, badRequest("ref", "is missing")
	}
	if err := p.setRef("ref", ref); err != nil {
		return Push{}, err
	}
	if v.Repository == nil {
		return Push{}, badRequest("repository", "is missing")
	}
	p.setRepo(v.Repository)
	return p, nil
}

// headMessage finds the head commit's message in a commit list: the one
// whose id is head, else the last (the senders list oldest first).
func headMessage(commits []ghCommit, head string) string {
	for _, c := range commits {
		if c.ID == head {
			return c.Message
		}
	}
	if n := len(commits); n > 0 {
		return commits[n-1].Message
	}
	return ""
}

func (p *Push) setRepo(r *ghRepo) {
	if r == nil {
		return
	}
	p.FullName = r.FullName
	p.Repository = r.CloneURL
	if p.Repository == "" {
		p.Repository = r.FullName
	}
}

func (u *ghUser) login() string {
	switch {
	case u == nil:
		return ""
	case u.Login != "":
		return u.Login
	case u.Username != "":
		return u.Username
	}
	return u.Name
}
