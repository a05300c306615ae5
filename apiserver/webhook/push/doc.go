// Package push verifies and decodes git push webhooks: the deliveries
// GitHub, Gitea/Forgejo and GitLab send when someone pushes, and the
// deliveries of repositories still pointed at an Ochopod CI hook.
//
// It is pure: no I/O, no state, nothing of minka. The HTTP handler in
// apiserver/webhook reads the body (ReadBody caps it at MaxBodyBytes),
// calls Verify with the hook's secret, answers 401 on ErrUnauthorized, then
// calls Parse and decides what to create. Keeping the security-critical part
// here, apart from Build creation, lets it be tested and fuzzed on its own.
//
// The senders, and what this package takes from each:
//
//   - GitHub: X-Hub-Signature-256 is "sha256=" + hex HMAC-SHA256 of the raw
//     body keyed by the secret; X-GitHub-Event names the event ("push",
//     "ping", ...); X-GitHub-Delivery is a GUID.
//   - Gitea and Forgejo: X-Gitea-Signature (Forgejo also X-Forgejo-Signature)
//     is the bare hex HMAC-SHA256; they also send X-Gitea-Event,
//     X-Gitea-Delivery and, for compatibility, the X-GitHub-* and
//     X-Hub-Signature* headers, so Gitea must be recognised before GitHub.
//     The push payload is GitHub-like. A branch deletion arrives as a
//     "delete" event, not as a push.
//   - GitLab: X-Gitlab-Token carries the secret itself (no HMAC);
//     X-Gitlab-Event is "Push Hook" or "Tag Push Hook";
//     X-Gitlab-Event-UUID identifies the event.
//   - Token, the Ochopod hook (seed 000 and autodesk-cloud/ci-ochopod
//     images/marathon/hook/resources/hook.py): the hook pod's "secret token"
//     is the secret of a GitHub webhook, and the hook checked GitHub's legacy
//     X-Hub-Signature: "sha1=" + hex HMAC-SHA1 of the body. That is what Token
//     style verifies. No plain token ever travelled in a header or the query
//     string, so X-Minka-Token, Authorization and ?token= are not accepted.
//
// Sources of every payload shape are listed in testdata/README.md.
package push
