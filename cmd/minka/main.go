// Command minka is the minka control plane: `minka server` runs the API
// server (with embedded or external etcd), `minka dev` a local sandbox,
// and the other verbs are a kubectl-like client.
package main

import (
	"fmt"
	"os"
)

// version is set at build time: -ldflags "-X main.version=..."
var version = "dev"

func main() {
	if err := newRootCommand().Execute(); err != nil {
		fmt.Fprintln(os.Stderr, "error: "+err.Error())
		os.Exit(1)
	}
}
