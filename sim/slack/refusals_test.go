package slack

import (
	"encoding/json"
	"net/http"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// mmError is Mattermost's AppError for hook mmHook, less its random
// request_id (checked apart).
func mmError(mediaType string, code int) map[string]any {
	return map[string]any{
		"id":             "web.incoming_webhook.general.app_error",
		"message":        "Failed to handle the payload of media type " + mediaType + " for incoming webhook abc123.",
		"detailed_error": "", "status_code": float64(code),
	}
}

// TestRefusals: every refusal's status, content type and body, as each
// service answers it; nothing refused is posted, everything is counted.
func TestRefusals(t *testing.T) {
	const text = `{"text":"hi"}`
	cases := []struct {
		name, method, path, contentType, body string
		code                                  int
		wantType                              string
		wantBody                              string         // exact, for plain answers
		wantJSON                              map[string]any // for JSON answers
	}{
		{"slack invalid json", "POST", slackHook, jsonType, `{"text":`, 400, "text/html", "invalid_payload", nil},
		{"slack json not an object", "POST", slackHook, jsonType, `["hi"]`, 400, "text/html", "invalid_payload", nil},
		{"slack json null", "POST", slackHook, jsonType, `null`, 400, "text/html", "invalid_payload", nil},
		{"slack wrong field type", "POST", slackHook, jsonType, `{"text":5}`, 400, "text/html", "invalid_payload", nil},
		{"slack form payload not json", "POST", slackHook, formType, form("nope"), 400, "text/html", "invalid_payload", nil},
		{"slack no text", "POST", slackHook, jsonType, `{"username":"minka"}`, 400, "text/html", "no_text", nil},
		{"slack attachment without text", "POST", slackHook, jsonType, `{"attachments":[{"color":"good"}]}`, 400, "text/html", "no_text", nil},
		{"slack empty blocks", "POST", slackHook, jsonType, `{"blocks":[]}`, 400, "text/html", "no_text", nil},
		{"slack unknown hook", "POST", "/services/T0009/B0009/tok9", jsonType, text, 404, "text/html", "no_service", nil},
		{"slack other token", "POST", "/services/T0001/B0001/revoked", jsonType, text, 403, "text/html", "invalid_token", nil},
		{"slack channel not found", "POST", slackHook, jsonType, `{"text":"hi","channel":"#random"}`, 404, "text/html", "channel_not_found", nil},
		{"slack GET", "GET", slackHook, "", "", 405, "", "", nil},
		{"not a hook path", "POST", "/services/T0001", jsonType, text, 404, "text/plain; charset=utf-8", "404 page not found\n", nil},

		{"mattermost invalid json", "POST", mmHook, jsonType, `{"text":`, 400, jsonType, "", mmError(jsonType, 400)},
		{"mattermost form without payload", "POST", mmHook, formType, `{"text":"hi"}`, 400, jsonType, "", mmError(formType, 400)},
		{"mattermost no text", "POST", mmHook, jsonType, `{"username":"minka"}`, 400, jsonType, "", mmError(jsonType, 400)},
		{"mattermost unknown hook", "POST", "/hooks/zzz999", jsonType, text, 400, jsonType, "",
			map[string]any{"id": "web.incoming_webhook.general.app_error", "detailed_error": "", "status_code": float64(400),
				"message": "Failed to handle the payload of media type application/json for incoming webhook zzz999."}},
		{"mattermost channel not found", "POST", mmHook, jsonType, `{"text":"hi","channel":"random"}`, 404, jsonType, "", mmError(jsonType, 404)},

		{"rocketchat unknown integration", "POST", "/hooks/int9/tok9", jsonType, text, 404, jsonType, "",
			map[string]any{"success": false, "error": "Invalid integration id or token provided."}},
		{"rocketchat other token", "POST", "/hooks/int1/wrong", jsonType, text, 404, jsonType, "",
			map[string]any{"success": false, "error": "Invalid integration id or token provided."}},
		{"rocketchat channel not found", "POST", rocketHook, jsonType, `{"text":"hi","channel":"#random"}`, 400, jsonType, "",
			map[string]any{"success": false, "error": "invalid-channel"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e := setup(t, Options{})
			for _, p := range []string{slackHook, mmHook, rocketHook} {
				e.srv.AddHook(p, WithChannels("#builds"))
			}
			got := e.do(t, tc.method, tc.path, tc.contentType, tc.body)
			if got.code != tc.code || got.header.Get("Content-Type") != tc.wantType {
				t.Fatalf("answer %d %q %q, want %d %q", got.code, got.header.Get("Content-Type"), got.body, tc.code, tc.wantType)
			}
			if tc.wantJSON == nil && got.body != tc.wantBody {
				t.Fatalf("body %q, want %q", got.body, tc.wantBody)
			}
			if tc.wantJSON != nil {
				var body map[string]any
				if err := json.Unmarshal([]byte(got.body), &body); err != nil {
					t.Fatalf("body %q: %v", got.body, err)
				}
				if id, ok := body["request_id"]; ok { // Mattermost: the same id in the header
					if id != got.header.Get("X-Request-Id") || len(id.(string)) != 26 {
						t.Errorf("request_id %v, header %q", id, got.header.Get("X-Request-Id"))
					}
					delete(body, "request_id")
				}
				if diff := cmp.Diff(tc.wantJSON, body); diff != "" {
					t.Errorf("body (-want +got):\n%s", diff)
				}
			}
			if tc.method == "GET" && got.header.Get("Allow") != "POST" {
				t.Errorf("Allow %q, want POST", got.header.Get("Allow"))
			}
			if n := len(e.srv.Messages()); n != 0 {
				t.Errorf("%d messages posted, want none", n)
			}
			if a := e.srv.Attempts(); len(a) != 1 || a[0].Status != tc.code || a[0].Answer != got.body || a[0].Hook != tc.path {
				t.Errorf("attempts %+v, want one of status %d", a, tc.code)
			}
		})
	}
}

// TestRocketChatParseError: Rocket.Chat's failure envelope carries the
// parser's message (V8's wording is not reproduced, only its place).
func TestRocketChatParseError(t *testing.T) {
	e := setup(t, Options{})
	e.srv.AddHook(rocketHook)
	got := e.post(t, rocketHook, jsonType, `{"text":`)
	var body struct {
		Success *bool  `json:"success"`
		Error   string `json:"error"`
	}
	if err := json.Unmarshal([]byte(got.body), &body); err != nil || got.code != http.StatusBadRequest ||
		body.Success == nil || *body.Success || body.Error == "" {
		t.Fatalf("answer %d %q, want 400 success false with an error", got.code, got.body)
	}
}

// TestNoTextError: the other no-text body hooks.slack.com is seen to give.
func TestNoTextError(t *testing.T) {
	const other = "missing_text_or_fallback_or_attachments"
	e := setup(t, Options{NoTextError: other})
	e.srv.AddHook(slackHook)
	if got := e.post(t, slackHook, jsonType, `{}`); got.code != http.StatusBadRequest || got.body != other {
		t.Fatalf("answer %d %q, want 400 %q", got.code, got.body, other)
	}
}

// TestChannels: a hook's own channel is always allowed, a listed one with
// or without "#", and without WithChannels any channel is (an app
// webhook ignores the override).
func TestChannels(t *testing.T) {
	e := setup(t, Options{})
	e.srv.AddHook(slackHook, WithChannels("builds"))
	open := e.srv.AddHook("/services/T0002/B0002/tok2")
	for _, tc := range []struct {
		path, channel string
		code          int
	}{
		{slackHook, "", 200}, {slackHook, "builds", 200}, {slackHook, "#builds", 200}, {slackHook, "#ops", 404},
		{open, "#anything", 200},
	} {
		got := e.post(t, tc.path, jsonType, `{"text":"hi","channel":"`+tc.channel+`"}`)
		if got.code != tc.code {
			t.Errorf("%s channel %q: %d %q, want %d", tc.path, tc.channel, got.code, got.body, tc.code)
		}
	}
}
