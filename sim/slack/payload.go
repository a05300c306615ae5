package slack

import (
	"encoding/json"
	"errors"
	"mime"
	"net/url"
)

// Payload is the message as Slack defines it (the fields its clients
// send); the rest of what came is in Message.Body.
type Payload struct {
	Text        string       `json:"text,omitempty"`
	Username    string       `json:"username,omitempty"`
	IconEmoji   string       `json:"icon_emoji,omitempty"`
	IconURL     string       `json:"icon_url,omitempty"`
	Channel     string       `json:"channel,omitempty"`
	ThreadTS    string       `json:"thread_ts,omitempty"`
	Attachments []Attachment `json:"attachments,omitempty"`
	// Blocks is Block Kit, kept as sent.
	Blocks json.RawMessage `json:"blocks,omitempty"`
}

// Attachment is a legacy message attachment.
type Attachment struct {
	Fallback   string  `json:"fallback,omitempty"`
	Color      string  `json:"color,omitempty"`
	Pretext    string  `json:"pretext,omitempty"`
	AuthorName string  `json:"author_name,omitempty"`
	Title      string  `json:"title,omitempty"`
	TitleLink  string  `json:"title_link,omitempty"`
	Text       string  `json:"text,omitempty"`
	Fields     []Field `json:"fields,omitempty"`
	Footer     string  `json:"footer,omitempty"`
	// Ts is epoch seconds, sent as a number or a numeric string.
	Ts       json.Number `json:"ts,omitempty"`
	MrkdwnIn []string    `json:"mrkdwn_in,omitempty"`
}

// Field is one attachment field.
type Field struct {
	Title string `json:"title"`
	Value string `json:"value"`
	Short bool   `json:"short"`
}

// UnmarshalJSON takes a value that is a string, or the literal of a
// number or boolean: Mattermost's and Rocket.Chat's field values may be
// either, and Grafana-like senders do send numbers.
func (f *Field) UnmarshalJSON(b []byte) error {
	var raw struct {
		Title string          `json:"title"`
		Value json.RawMessage `json:"value"`
		Short bool            `json:"short"`
	}
	if err := json.Unmarshal(b, &raw); err != nil {
		return err
	}
	f.Title, f.Short, f.Value = raw.Title, raw.Short, ""
	if len(raw.Value) == 0 || json.Unmarshal(raw.Value, &f.Value) == nil {
		return nil // absent, null or a string
	}
	var x any
	if err := json.Unmarshal(raw.Value, &x); err != nil {
		return err
	}
	switch x.(type) {
	case float64, bool:
		f.Value = string(raw.Value)
		return nil
	}
	return errors.New("attachment field value is not a string, number or boolean")
}

// decoded is a payload with the keys it had, for the checks that look at
// presence rather than value (Mattermost's attachments, Rocket.Chat's {}).
type decoded struct {
	Payload
	keys map[string]json.RawMessage
}

// payloadJSON is the JSON the service reads out of a body of this media
// type, as each one does it.
func payloadJSON(kind Kind, mediaType string, body []byte) ([]byte, error) {
	if mediaType != "application/x-www-form-urlencoded" {
		return body, nil
	}
	form, err := url.ParseQuery(string(body))
	switch kind {
	case Mattermost: // r.FormValue("payload"), empty when absent
		return []byte(form.Get("payload")), err
	case RocketChat:
		switch {
		case err != nil:
			return nil, err
		case len(form) != 1: // the form's fields are the message's
			fields := map[string]string{}
			for k := range form {
				fields[k] = form.Get(k)
			}
			return json.Marshal(fields)
		case form.Has("payload"):
			return []byte(form.Get("payload")), nil
		}
		return body, nil // one field that is not payload=: the body is JSON
	}
	if err == nil && form.Has("payload") {
		return []byte(form.Get("payload")), nil
	}
	return body, nil // Slack reads `curl -d '{...}'` as JSON
}

// decode reads a hook request's body into a payload: a JSON object, else
// an error.
func decode(kind Kind, contentType string, body []byte) (decoded, error) {
	mediaType, _, err := mime.ParseMediaType(contentType)
	if err != nil && contentType != "" && !errors.Is(err, mime.ErrInvalidMediaParameter) {
		return decoded{}, err
	}
	raw, err := payloadJSON(kind, mediaType, body)
	if err != nil {
		return decoded{}, err
	}
	var d decoded
	if err := json.Unmarshal(raw, &d.keys); err != nil {
		return decoded{}, err
	}
	if d.keys == nil { // JSON null
		return decoded{}, errors.New("payload is null")
	}
	if err := json.Unmarshal(raw, &d.Payload); err != nil {
		return decoded{}, err
	}
	return d, nil
}

// hasContent reports whether the service would find something to post.
func (d decoded) hasContent(kind Kind) bool {
	if d.Text != "" {
		return true
	}
	switch kind {
	case Mattermost: // text == "" && req.Attachments == nil: blocks do not count
		a, ok := d.keys["attachments"]
		return ok && string(a) != "null"
	case RocketChat: // posts whatever it got
		return true
	}
	var blocks []json.RawMessage
	if json.Unmarshal(d.Blocks, &blocks) == nil && len(blocks) > 0 {
		return true
	}
	for _, a := range d.Attachments {
		if a.Text != "" || a.Fallback != "" || len(a.Fields) > 0 {
			return true
		}
	}
	return false
}
