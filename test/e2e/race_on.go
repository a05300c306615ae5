//go:build race

package e2e

// RaceEnabled says the tests run with the race detector.
const RaceEnabled = true
