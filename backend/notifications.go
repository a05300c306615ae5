package backend

import (
	"fmt"
	"net/url"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/validation/field"
)

// Notifications are the receivers Alerts name.
type Notifications struct {
	Receivers []Receiver `json:"receivers,omitempty"`
}

// Receiver types.
const (
	// ReceiverSlack is a Slack-compatible incoming webhook: Slack,
	// Mattermost and Rocket.Chat take the same JSON.
	ReceiverSlack = "slack"
	// ReceiverWebhook is a JSON POST of the event, signed with HMAC-SHA256
	// in X-Signature when hmacKey is set (Flux's generic-hmac).
	ReceiverWebhook = "webhook"
)

// Receiver is where an Alert's messages go. Its URL is a secret (a Slack
// webhook's path is its credential), read from a file or an environment
// variable and never shown: not in an object, an event, a log line or a
// message.
type Receiver struct {
	Name string `json:"name"`
	Type string `json:"type"`
	URL  Secret `json:"url"`
	// HMACKey signs a webhook receiver's bodies (X-Signature:
	// sha256=<hex>).
	HMACKey Secret `json:"hmacKey,omitempty"`
	// Channel and Username override the Slack webhook's defaults
	// (Mattermost and Rocket.Chat honour them; Slack's newer webhooks
	// ignore them).
	Channel  string `json:"channel,omitempty"`
	Username string `json:"username,omitempty"`
	// Timeout bounds each POST (default 10s).
	Timeout metav1.Duration `json:"timeout,omitempty"`
}

// FindReceiver returns the receiver of that name.
func (n Notifications) FindReceiver(name string) (Receiver, bool) {
	for _, r := range n.Receivers {
		if r.Name == name {
			return r, true
		}
	}
	return Receiver{}, false
}

// Validate names every bad field under p (the config's "notifications").
func (n Notifications) Validate(p *field.Path) field.ErrorList {
	var errs field.ErrorList
	seen := map[string]bool{}
	for i, r := range n.Receivers {
		rp := p.Child("receivers").Index(i)
		errs = append(errs, uniqueName(rp.Child("name"), r.Name, "Alerts refer to the receiver by it", seen)...)
		switch r.Type {
		case ReceiverSlack, ReceiverWebhook:
		default:
			errs = append(errs, field.NotSupported(rp.Child("type"), r.Type, []string{ReceiverSlack, ReceiverWebhook}))
		}
		if r.URL == (Secret{}) {
			errs = append(errs, field.Required(rp.Child("url"), "file or env holding the receiver's URL (it is a secret)"))
		}
		errs = append(errs, r.URL.validate(rp.Child("url"))...)
		errs = append(errs, r.HMACKey.validate(rp.Child("hmacKey"))...)
		if r.HMACKey != (Secret{}) && r.Type != ReceiverWebhook {
			errs = append(errs, field.Forbidden(rp.Child("hmacKey"), "only a webhook receiver signs its bodies"))
		}
		errs = append(errs, timeout(rp.Child("timeout"), r.Timeout)...)
	}
	return errs
}

// ReceiverURL reads a receiver's URL and checks it, without ever
// quoting it: an error names the receiver and what is wrong.
func ReceiverURL(r Receiver) (string, error) {
	v, err := r.URL.Value()
	if err != nil {
		return "", fmt.Errorf("receiver %s: url: %w", r.Name, err)
	}
	u, err := url.Parse(v)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return "", fmt.Errorf("receiver %s: url: not an http:// or https:// URL", r.Name)
	}
	return v, nil
}
