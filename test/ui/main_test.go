// Package ui tests the web view in a real browser: headless Chromium,
// driven over the DevTools protocol (chromedp), against `minka dev
// --auth`. It is a package of its own so that it runs beside test/.
package ui

import (
	"testing"

	"minka/test/e2e"
)

// minkaBin is the binary under test, built once by TestMain.
var minkaBin string

func TestMain(m *testing.M) { e2e.Main(m, &minkaBin) }
