// Package git is the sandbox's git server: named bare repositories under
// one directory, served read-only over git's smart HTTP protocol, so that
// git clone, git fetch and go-git's client (the control plane's mirror,
// backend/gitmirror) read them exactly as they read a hosting service.
//
// The wire side is go-git's server (plumbing/transport/server): its
// advertisement and its pack builder. What go-git's server leaves out is
// added here: peeled tags in the advertisement, and the ACK/NAK rounds of
// upload-pack.c's negotiation (negotiate.go), without which git's
// stateless HTTP client cannot fetch into a repository that already has
// commits. Only protocol v0 is spoken; a client asking for v2 gets v0, as
// from any server that does not know v2. Shallow fetches and side-band
// progress are not offered, and a push is refused with a 403 whose text
// body git shows its user.
//
// Repositories are written through Repo's methods (Commit, Branch, Tag,
// DeleteBranch), which build blobs, trees and commits with go-git's object
// API straight into the bare repository, stamped "minka sim
// <sim@minka.dev>" at Options.Now, so a fixed clock gives the same sha1s
// every run. Seed writes the small history minka dev serves. It imports
// nothing of minka: it is the outside world.
package git
