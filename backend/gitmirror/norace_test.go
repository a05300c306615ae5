//go:build !race

package gitmirror_test

const raceEnabled = false
