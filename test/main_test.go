// Package test holds minka's end-to-end tests and benchmarks: they build
// the real binary once and run `minka server` (and the CLI) as child
// processes against real etcd. The Pipeline and Build tests are in
// test/pipeline and the Repo tests in test/repo, so that the packages run
// side by side; all use the harness in test/e2e.
package test

import (
	"testing"

	"minka/test/e2e"
)

// minkaBin is the binary under test, built once by TestMain.
var minkaBin string

// raceEnabled says the tests run with the race detector.
const raceEnabled = e2e.RaceEnabled

func TestMain(m *testing.M) { e2e.Main(m, &minkaBin) }

// Server is a `minka server` child process.
type Server = e2e.Server

// StartServer runs `minka server` on a free loopback port with a fresh data
// dir (unless args name one). It is stopped with SIGTERM at cleanup.
func StartServer(t testing.TB, args ...string) *Server {
	t.Helper()
	return e2e.StartServer(t, minkaBin, args...)
}

// startServerBin is StartServer with another build of minka.
func startServerBin(t testing.TB, bin string, args ...string) *Server {
	t.Helper()
	return e2e.StartServer(t, bin, args...)
}

// plainBinary is minka built without the race detector.
func plainBinary(t testing.TB) string { return e2e.PlainBinary(t, minkaBin) }

// Minka runs the CLI against a server and returns stdout, stderr and the
// exit code.
func Minka(t testing.TB, s *Server, stdin string, args ...string) (string, string, int) {
	t.Helper()
	return e2e.Minka(t, minkaBin, s, stdin, args...)
}

func hasFlag(args []string, name string) bool { return e2e.HasFlag(args, name) }

// The shared fixtures, by their names in this package.
var (
	webManifest  = e2e.WebManifest
	poolManifest = e2e.PoolManifest
	githubPush   = e2e.GitHubPush
)

func apply(t testing.TB, s *Server, manifest string) {
	t.Helper()
	e2e.Apply(t, minkaBin, s, manifest)
}

func events(t testing.TB, s *Server) string { return e2e.Events(t, minkaBin, s) }
