package slack

import (
	"encoding/json"
	"net/http"
	"regexp"
	"slices"
	"testing"

	"minka/sim/fault"
)

// TestMessages: only accepted messages are kept, in arrival order across
// hooks; MessagesFor picks one hook; the request's headers come along;
// Attempts keeps the refused one too.
func TestMessages(t *testing.T) {
	e := setup(t, Options{})
	e.srv.AddHook(slackHook)
	e.srv.AddHook(mmHook)
	sends := []struct{ path, body string }{
		{slackHook, `{"text":"a"}`},
		{mmHook, `{"text":"b"}`},
		{slackHook, `{"username":"refused"}`},
		{slackHook, `{"text":"c"}`},
	}
	for _, s := range sends {
		e.post(t, s.path, jsonType, s.body)
	}
	texts := func(ms []Message) (out []string) {
		for _, m := range ms {
			out = append(out, m.Hook+" "+m.Payload.Text)
		}
		return out
	}
	if got, want := texts(e.srv.Messages()), []string{slackHook + " a", mmHook + " b", slackHook + " c"}; !slices.Equal(got, want) {
		t.Fatalf("Messages %q, want %q", got, want)
	}
	if got, want := texts(e.srv.MessagesFor(slackHook)), []string{slackHook + " a", slackHook + " c"}; !slices.Equal(got, want) {
		t.Fatalf("MessagesFor %q, want %q", got, want)
	}
	if ua := e.srv.Messages()[0].Header.Get("User-Agent"); ua == "" {
		t.Fatal("the request's headers were not recorded")
	}
	if a := e.srv.Attempts(); len(a) != 4 || a[2].Status != http.StatusBadRequest || a[2].Answer != "no_text" {
		t.Fatalf("attempts %+v, want 4 with the third refused no_text", a)
	}
}

// TestMessagesHTTP: GET /__sim/messages is the messages as JSON (one
// hook's with ?hook=), DELETE forgets them; neither is an attempt, nor
// faulted.
func TestMessagesHTTP(t *testing.T) {
	e := setup(t, Options{})
	e.srv.AddHook(slackHook)
	e.srv.AddHook(mmHook)
	e.post(t, slackHook, jsonType, richJSON)
	e.post(t, mmHook, formType, form(`{"text":"b"}`))
	_ = e.srv.Faults.Set(fault.Fault{Failure: fault.Internal})

	get := func(query string) []Message {
		t.Helper()
		got := e.do(t, http.MethodGet, "/__sim/messages"+query, "", "")
		var ms []Message
		if got.code != http.StatusOK || got.header.Get("Content-Type") != jsonType || json.Unmarshal([]byte(got.body), &ms) != nil {
			t.Fatalf("GET /__sim/messages%s: %d %q", query, got.code, got.body)
		}
		return ms
	}
	all := get("")
	if len(all) != 2 || all[0].Payload.Attachments[0].Fields[0].Value != "main" || all[1].Kind != Mattermost || all[1].Body != form(`{"text":"b"}`) {
		t.Fatalf("GET /__sim/messages: %+v", all)
	}
	if one := get("?hook=" + mmHook); len(one) != 1 || one[0].Payload.Text != "b" {
		t.Fatalf("GET ?hook=: %+v", one)
	}
	if got := e.do(t, http.MethodDelete, "/__sim/messages", "", ""); got.code != http.StatusNoContent {
		t.Fatalf("DELETE: %d", got.code)
	}
	if left := get(""); len(left) != 0 {
		t.Fatalf("after DELETE: %+v", left)
	}
	if n := len(e.srv.Attempts()); n != 2 {
		t.Fatalf("%d attempts, want the 2 posts only", n)
	}
}

// TestNewHook: generated paths have the real shapes, differ, follow the
// seed, and are registered.
func TestNewHook(t *testing.T) {
	shapes := map[Kind]*regexp.Regexp{
		Slack:      regexp.MustCompile(`^/services/T[A-Z0-9]{10}/B[A-Z0-9]{10}/[A-Za-z0-9]{24}$`),
		Mattermost: regexp.MustCompile(`^/hooks/[a-z0-9]{26}$`),
		RocketChat: regexp.MustCompile(`^/hooks/[A-Za-z0-9]{17}/[A-Za-z0-9]{48}$`),
	}
	e := setup(t, Options{Seed: 7})
	twin := New(Options{Seed: 7})
	for kind, shape := range shapes {
		p, q := e.srv.NewHook(kind), e.srv.NewHook(kind)
		if !shape.MatchString(p) || p == q {
			t.Errorf("%s: %q then %q", kind, p, q)
		}
		if got := e.post(t, p, jsonType, `{"text":"hi"}`); got.code != http.StatusOK {
			t.Errorf("%s: posting to %s: %d %q", kind, p, got.code, got.body)
		}
		if r := twin.NewHook(kind); r != p {
			t.Errorf("%s: seed 7 gave %q, then %q", kind, p, r)
		}
		twin.NewHook(kind) // keep the twin's draws in step
	}
}
