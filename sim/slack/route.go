package slack

import (
	"regexp"
	"strings"
)

// Kind is the service a hook imitates.
type Kind string

const (
	Slack      Kind = "slack"      // /services/{team}/{bot}/{token}
	Mattermost Kind = "mattermost" // /hooks/{id}
	RocketChat Kind = "rocketchat" // /hooks/{integrationId}/[{userId}/]{token}
)

// route is a request path read as a hook URL.
type route struct {
	kind Kind
	path string
	// id is what the service names the hook by in its errors
	// (Mattermost's hook id); key is what a Slack token belongs to
	// (/services/{team}/{bot}).
	id, key string
}

// mattermostID is the {id} pattern of Mattermost's router: anything else
// is not its route at all.
var mattermostID = regexp.MustCompile(`^[A-Za-z0-9]+$`)

// parseRoute reads path as one of the three hook shapes.
func parseRoute(path string) (route, bool) {
	segs := strings.Split(strings.TrimPrefix(path, "/"), "/")
	for _, s := range segs {
		if s == "" {
			return route{}, false
		}
	}
	switch {
	case segs[0] == "services" && len(segs) == 4:
		return route{kind: Slack, path: path, key: "/services/" + segs[1] + "/" + segs[2]}, true
	case segs[0] == "hooks" && len(segs) == 2 && mattermostID.MatchString(segs[1]):
		return route{kind: Mattermost, path: path, id: segs[1]}, true
	case segs[0] == "hooks" && (len(segs) == 3 || len(segs) == 4):
		return route{kind: RocketChat, path: path, id: segs[1]}, true
	}
	return route{}, false
}

// Alphabets of the real ids, so that generated URLs look like real ones.
const (
	slackUpper    = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
	slackToken    = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
	mattermostB32 = "ybndrfg8ejkmcpqxot1uwisza345h769" // model.NewId's base32
	meteorChars   = "23456789ABCDEFGHJKLMNPQRSTWXYZabcdefghijkmnopqrstuvwxyz"
)

// newPath is a random hook path of kind; the caller holds s.mu.
func (s *Server) newPath(kind Kind) string {
	switch kind {
	case Slack:
		return "/services/T" + s.random(slackUpper, 10) + "/B" + s.random(slackUpper, 10) + "/" + s.random(slackToken, 24)
	case Mattermost:
		return "/hooks/" + s.random(mattermostB32, 26)
	case RocketChat:
		// Rocket.Chat: Random.id() for the integration, Random.id(48) for the token.
		return "/hooks/" + s.random(meteorChars, 17) + "/" + s.random(meteorChars, 48)
	}
	panic("slack: unknown hook kind " + string(kind))
}

func (s *Server) random(alphabet string, n int) string {
	b := make([]byte, n)
	for i := range b {
		b[i] = alphabet[s.rng.IntN(len(alphabet))]
	}
	return string(b)
}
