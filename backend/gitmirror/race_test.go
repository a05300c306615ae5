//go:build race

package gitmirror_test

// raceEnabled: the race detector slows go-git's per-object zlib work
// about sevenfold, which puts the 16500-object case past the package's
// time budget; objects_test.go checks the abbreviation rule directly.
const raceEnabled = true
