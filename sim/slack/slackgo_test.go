package slack

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	slackgo "github.com/slack-go/slack"

	"minka/sim/fault"
)

// slackgo sends msg to path with slack-go's webhook client, as minka does.
func (e env) slackgo(msg *slackgo.WebhookMessage, path string) error {
	return slackgo.PostWebhookCustomHTTPContext(context.Background(), e.base+path, http.DefaultClient, msg)
}

// TestSlackGoClient: slack-go posts to every kind of hook, and the
// simulator decodes what it sends (attachments, fields, blocks).
func TestSlackGoClient(t *testing.T) {
	msg := &slackgo.WebhookMessage{
		Text: "Deploy web failed", Username: "minka", IconEmoji: ":rocket:", Channel: "#builds",
		Attachments: []slackgo.Attachment{{
			Color: "danger", Fallback: "web failed", Title: "web", TitleLink: "http://minka/web",
			Fields: []slackgo.AttachmentField{{Title: "Reason", Value: "ProgressDeadlineExceeded", Short: true}},
			Footer: "minka", Ts: "1714816800",
		}},
		Blocks: &slackgo.Blocks{BlockSet: []slackgo.Block{
			slackgo.NewSectionBlock(slackgo.NewTextBlockObject("mrkdwn", "*web* failed", false, false), nil, nil),
		}},
	}
	for _, path := range []string{slackHook, mmHook, rocketHook} {
		t.Run(path, func(t *testing.T) {
			e := setup(t, Options{})
			e.srv.AddHook(path)
			if err := e.slackgo(msg, path); err != nil {
				t.Fatalf("PostWebhook: %v", err)
			}
			ms := e.srv.Messages()
			if len(ms) != 1 {
				t.Fatalf("%d messages, want 1", len(ms))
			}
			p := ms[0].Payload
			a := p.Attachments[0]
			if p.Text != msg.Text || p.Username != "minka" || p.IconEmoji != ":rocket:" || p.Channel != "#builds" ||
				a.Color != "danger" || a.Fields[0].Value != "ProgressDeadlineExceeded" || !a.Fields[0].Short || a.Ts != "1714816800" ||
				!strings.Contains(string(p.Blocks), `"type":"section"`) {
				t.Fatalf("payload %+v", p)
			}
			if ms[0].ContentType != jsonType {
				t.Fatalf("content type %q", ms[0].ContentType)
			}
		})
	}
}

// TestSlackGoErrors: the answers read as slack-go reads Slack's: a 429
// with Retry-After is a RateLimitedError of that wait, anything else but
// 200 a StatusCodeError of its code; the scripted 500, 429, 200 comes out
// as those errors, then success.
func TestSlackGoErrors(t *testing.T) {
	e := setup(t, Options{})
	e.srv.AddHook(slackHook)
	limited := e.srv.AddHook("/services/T0002/B0002/tok2", WithRateLimit(RateLimit{Burst: 1, Interval: 5 * time.Second}))
	msg := &slackgo.WebhookMessage{Text: "hi"}

	var sce slackgo.StatusCodeError
	if err := e.slackgo(msg, "/services/T0009/B0009/x"); !errors.As(err, &sce) || sce.Code != http.StatusNotFound {
		t.Fatalf("unknown hook: %v, want StatusCodeError 404", err)
	}
	if err := e.slackgo(&slackgo.WebhookMessage{}, slackHook); !errors.As(err, &sce) || sce.Code != http.StatusBadRequest {
		t.Fatalf("no text: %v, want StatusCodeError 400", err)
	}
	_ = e.slackgo(msg, limited)
	var rle *slackgo.RateLimitedError
	if err := e.slackgo(msg, limited); !errors.As(err, &rle) || rle.RetryAfter != 5*time.Second {
		t.Fatalf("rate limited: %v, want RateLimitedError of 5s", err)
	}

	_ = e.srv.Faults.Set(fault.Fault{Match: "POST " + slackHook, Failure: RollupError, Count: 1})
	_ = e.srv.Faults.Set(fault.Fault{Match: "POST " + slackHook, Failure: RateLimited, Count: 1})
	if err := e.slackgo(msg, slackHook); !errors.As(err, &sce) || sce.Code != http.StatusInternalServerError {
		t.Fatalf("scripted 1: %v, want StatusCodeError 500", err)
	}
	if err := e.slackgo(msg, slackHook); !errors.As(err, &rle) || rle.RetryAfter != time.Second {
		t.Fatalf("scripted 2: %v, want RateLimitedError of 1s", err)
	}
	if err := e.slackgo(msg, slackHook); err != nil {
		t.Fatalf("scripted 3: %v, want success", err)
	}
}
