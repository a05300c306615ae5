// Package repo holds the end-to-end tests of Repos on chacra: the Repo
// controller against simulated chacra nodes, shaman's API, kills. It is
// a package of its own so that it runs beside test/ and test/pipeline.
package repo

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

func apply(t testing.TB, s *Server, manifest string) {
	t.Helper()
	e2e.Apply(t, minkaBin, s, manifest)
}
