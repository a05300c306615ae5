// Package pipeline holds the end-to-end tests of Pipelines and Builds:
// webhook deliveries, the Build controller against the simulated
// Jenkins, git and chacra, and the whole loop to a staged rollout. It is
// a package of its own so that it runs beside test/.
package pipeline

import (
	"testing"

	"minka/test/e2e"
)

// minkaBin is the binary under test, built once by TestMain.
var minkaBin string

func TestMain(m *testing.M) { e2e.Main(m, &minkaBin) }

// Server is a `minka server` child process.
type Server = e2e.Server

// StartServer runs `minka server` on a free loopback port.
func StartServer(t testing.TB, args ...string) *Server {
	t.Helper()
	return e2e.StartServer(t, minkaBin, args...)
}

// Minka runs the CLI against a server.
func Minka(t testing.TB, s *Server, stdin string, args ...string) (string, string, int) {
	t.Helper()
	return e2e.Minka(t, minkaBin, s, stdin, args...)
}

// The shared fixtures, by their names in this package.
var (
	webManifest  = e2e.WebManifest
	poolManifest = e2e.PoolManifest
	githubPush   = e2e.GitHubPush
	hasFlag      = e2e.HasFlag
)

func apply(t testing.TB, s *Server, manifest string) {
	t.Helper()
	e2e.Apply(t, minkaBin, s, manifest)
}

func events(t testing.TB, s *Server) string { return e2e.Events(t, minkaBin, s) }
