package e2e

import (
	"bufio"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"
)

// Dev is a running `minka dev`: what it printed up to its ready
// line, and the variables it exported.
type Dev struct {
	cmd    *exec.Cmd
	exited chan struct{} // closed once Wait returned err
	err    error
	// Lines are what it printed up to its ready line; Env the variables
	// they export.
	Lines []string
	Env   map[string]string
}

// StartDev runs bin's `minka dev` with the manifests in examples and
// args on a free port and waits for its ready line; the test's cleanup
// kills it if it still runs.
func StartDev(t *testing.T, bin, examples string, args ...string) *Dev {
	t.Helper()
	examples, _ = filepath.Abs(examples)
	addrFile := filepath.Join(t.TempDir(), "addr")
	cmd := exec.Command(bin, append([]string{"dev", "--listen", "127.0.0.1:0", "--addr-file", addrFile, "--apply", examples}, args...)...)
	stdout, _ := cmd.StdoutPipe()
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	d := &Dev{cmd: cmd, exited: make(chan struct{}), Env: map[string]string{}}
	ready := make(chan []string, 1)
	// The scanner reads on after ready, so that minka dev never blocks
	// on a full pipe; Wait waits for it to reach EOF.
	go func() {
		var lines []string
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			lines = append(lines, sc.Text())
			if strings.Contains(sc.Text(), "minka dev: ready") {
				select {
				case ready <- slices.Clone(lines):
				default:
				}
			}
		}
	}()
	go func() { d.err = cmd.Wait(); close(d.exited) }()
	t.Cleanup(func() {
		select {
		case <-d.exited:
		default:
			_ = cmd.Process.Kill()
			<-d.exited
		}
	})
	select {
	case d.Lines = <-ready:
	case <-d.exited:
		t.Fatalf("minka dev exited: %v", d.err)
	case <-time.After(60 * time.Second):
		t.Fatal("minka dev not ready within 60s")
	}
	for _, l := range d.Lines {
		if kv, ok := strings.CutPrefix(l, "export "); ok {
			k, v, _ := strings.Cut(kv, "=")
			d.Env[k] = v
		}
	}
	return d
}

// Stop interrupts minka dev as Ctrl-C would and checks that it exits 0.
func (d *Dev) Stop(t *testing.T) {
	t.Helper()
	_ = d.cmd.Process.Signal(syscall.SIGINT)
	select {
	case <-d.exited:
		if d.err != nil {
			t.Errorf("minka dev after SIGINT: %v", d.err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("minka dev did not stop within 30s of SIGINT")
	}
}
