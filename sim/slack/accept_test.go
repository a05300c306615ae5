package slack

import (
	"net/http"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// A Jenkins-plugin-like message: text, identity, a colored attachment
// with fields, a numeric ts.
const richJSON = `{"text":"Build 7 failed","username":"minka","icon_emoji":":x:","channel":"#builds",` +
	`"attachments":[{"fallback":"f","color":"danger","title":"web-7","title_link":"http://ci/7",` +
	`"fields":[{"title":"Branch","value":"main","short":true},{"title":"Tries","value":3}],"ts":1714816800,"mrkdwn_in":["text"]}]}`

var richPayload = Payload{
	Text: "Build 7 failed", Username: "minka", IconEmoji: ":x:", Channel: "#builds",
	Attachments: []Attachment{{
		Fallback: "f", Color: "danger", Title: "web-7", TitleLink: "http://ci/7",
		Fields: []Field{{Title: "Branch", Value: "main", Short: true}, {Title: "Tries", Value: "3"}},
		Ts:     "1714816800", MrkdwnIn: []string{"text"},
	}},
}

// TestAccepts: each route kind posts a JSON body and a form payload=, and
// answers as its service does; the message is recorded decoded, with the
// body as it came.
func TestAccepts(t *testing.T) {
	cases := []struct {
		name, path, contentType, body string
		wantType, wantBody            string
	}{
		{"slack json", slackHook, jsonType, richJSON, "text/html", "ok"},
		{"slack form", slackHook, formType, form(richJSON), "text/html", "ok"},
		{"slack curl -d json", slackHook, formType, richJSON, "text/html", "ok"},
		{"slack json charset", slackHook, "application/json; charset=utf-8", richJSON, "text/html", "ok"},
		{"mattermost json", mmHook, jsonType, richJSON, "text/plain", "ok"},
		{"mattermost form", mmHook, formType, form(richJSON), "text/plain", "ok"},
		{"mattermost no content type", mmHook, "", richJSON, "text/plain", "ok"},
		{"rocketchat json", rocketHook, jsonType, richJSON, jsonType, `{"success":true}`},
		{"rocketchat form", rocketHook, formType, form(richJSON), jsonType, `{"success":true}`},
		{"rocketchat user id route", "/hooks/int2/user2/tok2", jsonType, richJSON, jsonType, `{"success":true}`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e := setup(t, Options{})
			e.srv.AddHook(tc.path)
			got := e.post(t, tc.path, tc.contentType, tc.body)
			if got.code != http.StatusOK || got.body != tc.wantBody || got.header.Get("Content-Type") != tc.wantType {
				t.Fatalf("answer %d %q %q, want 200 %q %q", got.code, got.header.Get("Content-Type"), got.body, tc.wantType, tc.wantBody)
			}
			msgs := e.srv.Messages()
			if len(msgs) != 1 {
				t.Fatalf("%d messages, want 1", len(msgs))
			}
			m := msgs[0]
			if diff := cmp.Diff(richPayload, m.Payload); diff != "" {
				t.Errorf("payload (-want +got):\n%s", diff)
			}
			if m.Hook != tc.path || m.Body != tc.body || m.ContentType != tc.contentType || !m.Received.Equal(e.clock.Now()) {
				t.Errorf("message %+v: hook, body, content type or time not as sent", m)
			}
		})
	}
}

// TestServiceQuirks: what each service accepts beyond "has text", as its
// code reads, and whether it posts anything.
func TestServiceQuirks(t *testing.T) {
	cases := []struct {
		name, path, contentType, body string
		wantCode                      int
		wantPosted                    bool
	}{
		{"slack blocks only", slackHook, jsonType, `{"blocks":[{"type":"section","text":{"type":"mrkdwn","text":"hi"}}]}`, 200, true},
		{"slack attachment fallback only", slackHook, jsonType, `{"attachments":[{"fallback":"f"}]}`, 200, true},
		{"slack attachment fields only", slackHook, jsonType, `{"attachments":[{"fields":[{"title":"a","value":"b"}]}]}`, 200, true},
		{"mattermost empty attachments key", mmHook, jsonType, `{"attachments":[]}`, 200, true},
		{"mattermost null attachments", mmHook, jsonType, `{"attachments":null}`, 400, false},
		{"mattermost blocks only", mmHook, jsonType, `{"blocks":[{"type":"section"}]}`, 400, false},
		{"rocketchat empty object posts nothing", rocketHook, jsonType, `{}`, 200, false},
		{"rocketchat no text still posts", rocketHook, jsonType, `{"username":"minka"}`, 200, true},
		{"rocketchat form fields", rocketHook, formType, "text=hello&username=minka", 200, true},
		{"rocketchat form of one JSON field", rocketHook, formType, `{"text":"hello"}`, 200, true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e := setup(t, Options{})
			e.srv.AddHook(tc.path)
			got := e.post(t, tc.path, tc.contentType, tc.body)
			if got.code != tc.wantCode {
				t.Fatalf("answer %d %q, want %d", got.code, got.body, tc.wantCode)
			}
			if posted := len(e.srv.Messages()) == 1; posted != tc.wantPosted {
				t.Fatalf("posted %v, want %v", posted, tc.wantPosted)
			}
		})
	}
}

// TestRocketChatFormFields: a plain form's fields are the message's.
func TestRocketChatFormFields(t *testing.T) {
	e := setup(t, Options{})
	e.srv.AddHook(rocketHook)
	e.post(t, rocketHook, formType, "text=hello&username=minka")
	if m := e.srv.Messages(); len(m) != 1 || m[0].Payload.Text != "hello" || m[0].Payload.Username != "minka" {
		t.Fatalf("messages %+v, want text hello from minka", m)
	}
}
