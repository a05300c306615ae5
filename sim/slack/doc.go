// Package slack simulates the receivers of Slack-compatible incoming
// webhooks, Slack's own, Mattermost's and Rocket.Chat's, well enough that
// slack-go's PostWebhookCustomHTTPContext, curl scripts, Jenkins' Slack
// plugin and Grafana post to it unchanged and read its answers as they
// read the real ones.
//
// # Routes
//
// A hook answers only once registered (AddHook, or NewHook for random ids
// of the real shapes):
//
//   - Slack: POST /services/{team}/{bot}/{token}. Success is 200 text/html
//     "ok". An unregistered hook is 404 "no_service"; a registered team and
//     bot with another token is 403 "invalid_token".
//   - Mattermost: POST /hooks/{id} ({id} of [A-Za-z0-9]). Success is 200
//     text/plain "ok". Every refusal is Mattermost's AppError JSON, id
//     web.incoming_webhook.general.app_error, message "Failed to handle the
//     payload of media type M for incoming webhook ID.": 400 for a payload
//     it cannot decode, one without text and attachments, and an unknown
//     hook (Mattermost looks the hook up after reading the payload and
//     answers 400, not 404); 404 for a channel that does not exist.
//   - Rocket.Chat: POST /hooks/{integrationId}/{token} (or with a user id
//     between). Success is 200 {"success":true}. An unknown integration or
//     token is 404 {"success":false,"error":"Invalid integration id or
//     token provided."}; a channel that does not exist is 400
//     "invalid-channel"; an empty payload {} is a 200 that posts nothing
//     (not recorded), and a payload without text is posted all the same.
//
// Other methods are 405 (Rocket.Chat's GET with query parameters is not
// simulated); other paths 404.
//
// # Payloads
//
// application/json, or application/x-www-form-urlencoded with the JSON in
// payload=. Slack also reads a form body without payload= as JSON, which
// is what `curl -d '{...}'` sends; Mattermost then decodes an empty
// payload (400); Rocket.Chat reads a form of one field without payload=
// as JSON and one of several fields as the message's fields. A body that
// is not a JSON object is Slack's 400 "invalid_payload". Slack needs text,
// blocks or an attachment with text, fallback or fields, else 400
// "no_text" (Options.NoTextError: some hooks.slack.com webhooks answer
// "missing_text_or_fallback_or_attachments" instead); Mattermost needs
// text or an attachments key. A hook registered with WithChannels refuses
// a payload channel outside them (Slack 404 "channel_not_found"); without
// it, any channel is accepted, as a Slack app's webhook ignores the
// override.
//
// # Rate limits and faults
//
// WithRateLimit gives a hook Slack's "about one message per second, with
// bursts": a token bucket of Burst messages refilled one per Interval.
// Past it Slack answers 429 "rate_limited" with Retry-After in seconds;
// Mattermost 429 text/plain "limit exceeded" with Retry-After and
// X-RateLimit-*; Rocket.Chat 429 JSON with X-RateLimit-* and no
// Retry-After (its clients cannot learn the wait). Options.Now drives the
// bucket, so a test steps time itself. Faults injects sim/fault's
// failures plus RateLimited (the hook kind's 429, Retry-After
// Options.FaultRetryAfter) and RollupError (Slack's 500 "rollup_error");
// faults of Count 1 set in order fail consecutive requests in that order.
// A fault's Match is a prefix: "POST /hooks/abc" also matches Rocket.Chat
// hooks under /hooks/abc/.
//
// # Inspection
//
// Messages (and MessagesFor, and GET /__sim/messages as JSON) lists the
// posted messages in arrival order, DELETE /__sim/messages forgets them;
// Attempts (GET /__sim/attempts) lists every request to a non-/__sim/
// path with the status and body of its answer, refusals included.
//
// Not simulated: archived channels (410), action_prohibited, user
// lookups for "@user" channels, workflow webhooks, Slack's message length
// limits, Mattermost's channel-locked hooks and multipart bodies,
// Rocket.Chat's scripts and its refusal of channel overrides, the exact
// wording of JSON parse errors (Rocket.Chat echoes V8's).
//
// Checked against: Slack's https://api.slack.com/messaging/webhooks and
// https://api.slack.com/incoming-webhooks (JSON or form payload=, "ok"),
// https://api.slack.com/changelog/2016-05-17-changes-to-errors-for-incoming-webhooks
// (400 invalid_payload, 404 channel_not_found, 500 rollup_error, as
// text/html strings), https://api.slack.com/docs/rate-limits (1/s with
// bursts, 429 and Retry-After); captures of hooks.slack.com in
// github.com/fluxcd/flagger/pull/1031 (400 no_text),
// github.com/slackapi/slack-github-action/issues/117 (400
// missing_text_or_fallback_or_attachments), github.com/trufflesecurity/trufflehog/pull/932
// (both exist), github.com/cloudfoundry-community/slack-notification-resource/issues/96
// (403, text/html, 13 bytes: invalid_token), github.com/slackapi/slack-github-action/issues/249
// and https://routeforms.com/docs/slack-webhooks (404 no_service); Mattermost's
// server/channels/web/webhook.go incomingWebhook, app/webhook.go
// HandleIncomingWebhook and app/ratelimit.go RateLimitWriter
// (github.com/mattermost/mattermost); Rocket.Chat's
// apps/meteor/app/integrations/server/api/api.ts, app/api/server/ApiClass.ts
// and app/lib/server/functions/processWebhookMessage.ts
// (github.com/RocketChat/Rocket.Chat), and the alerta-contrib Rocket.Chat
// plugin's capture of the 404 "Invalid integration id or token
// provided."; slack-go v0.35.0's
// webhooks.go and misc.go checkStatusCode (200 is success; a 429 with
// Retry-After is a RateLimitedError; anything else a StatusCodeError).
//
// It imports nothing of minka but sim/fault: it is the outside world.
package slack
