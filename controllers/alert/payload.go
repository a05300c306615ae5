package alert

import (
	"encoding/json"
	"strconv"

	"github.com/slack-go/slack"

	"minka/backend"
)

// slackMessage is m as one attachment coloured by its outcome, which
// Slack, Mattermost and Rocket.Chat all show; the fallback is what a
// notification or a client without attachments shows.
func slackMessage(cfg backend.Receiver, m message) *slack.WebhookMessage {
	att := slack.Attachment{Color: m.Outcome, Fallback: m.Title + ": " + m.Text, Title: m.Title, TitleLink: m.Link,
		Text: m.Text, Footer: "minka · alert " + m.Alert, Ts: json.Number(strconv.FormatInt(m.Event.LastTimestamp.Unix(), 10))}
	for _, f := range m.Fields {
		att.Fields = append(att.Fields, slack.AttachmentField{Title: f.Title, Value: f.Value, Short: true})
	}
	return &slack.WebhookMessage{Channel: cfg.Channel, Username: cfg.Username, Attachments: []slack.Attachment{att}}
}

// webhookEvent is the generic webhook's body.
type webhookEvent struct {
	Alert          string            `json:"alert"`
	Title          string            `json:"title"`
	Message        string            `json:"message"`
	Outcome        string            `json:"outcome"`
	Link           string            `json:"link,omitempty"`
	Fields         map[string]string `json:"fields,omitempty"`
	Type           string            `json:"type"`
	Reason         string            `json:"reason"`
	InvolvedObject any               `json:"involvedObject"`
	Count          int32             `json:"count"`
	FirstTimestamp string            `json:"firstTimestamp"`
	LastTimestamp  string            `json:"lastTimestamp"`
}

func webhookBody(m message) webhookEvent {
	outcome := map[string]string{outcomeGood: "good", outcomeBad: "bad", outcomeWarning: "warning", outcomeInfo: "info"}[m.Outcome]
	ev := m.Event
	out := webhookEvent{Alert: m.Alert, Title: m.Title, Message: ev.Message, Outcome: outcome, Link: m.Link, Type: ev.Type,
		Reason: ev.Reason, InvolvedObject: ev.InvolvedObject, Count: ev.Count,
		FirstTimestamp: ev.FirstTimestamp.UTC().Format("2006-01-02T15:04:05Z"), LastTimestamp: ev.LastTimestamp.UTC().Format("2006-01-02T15:04:05Z")}
	if len(m.Fields) > 0 {
		out.Fields = map[string]string{}
		for _, f := range m.Fields {
			out.Fields[f.Title] = f.Value
		}
	}
	return out
}
