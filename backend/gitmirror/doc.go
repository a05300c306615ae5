// Package gitmirror is the control plane's git source mirror: one bare
// mirror per remote URL, fetched with go-git (never the git binary), that
// answers two questions about a remote without cloning it per build:
// which commit a branch or tag points at (Resolve), and what git describe
// --tags says of a commit (Describe), which names builds and packages.
//
// A mirror lives under the directory given to New, named by the URL's
// host and path and a hash of the whole URL. It holds every branch and tag
// (+refs/heads/*:refs/heads/*, +refs/tags/*:refs/tags/*, pruned) and is
// fetched when a call finds it older than Options.MaxAge, or when Describe
// asks for a commit it does not hold. One caller at a time uses a mirror
// (a lock per URL, waited for within the caller's context); different URLs
// fetch in parallel; one process owns a directory. Remotes are https, http, ssh, git, scp-like
// user@host:path, and local repositories (file:// or an absolute path),
// which are read in process (local.go says why).
//
// Describe is git 2.39's builtin/describe.c with --tags, step for step
// (walk.go): annotated and lightweight tags, the candidate order of its
// date-ordered walk through merges, its tie-breaks (annotated over
// lightweight, the newer tagger date, the first ref name), the ten
// candidates limit, and the abbreviation git would print in the mirror
// (objects.go: core.abbrev's auto length from the packed object count,
// longer while another object shares the prefix). Its tests compare the
// text with the real git describe for every commit of repositories built
// to hit each rule.
package gitmirror
