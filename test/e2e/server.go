// Package e2e is the harness of minka's end-to-end test packages (test/,
// test/pipeline and test/cd): the binary built once per package, `minka server`
// as a child process, the CLI against it, and the fixtures the
// packages share (pushes, manifests).
package e2e

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// Build builds minka into dir (with the race detector when the tests
// run with it) and returns the binary's path.
func Build(dir string) (string, error) {
	bin := filepath.Join(dir, "minka")
	args := []string{"build", "-ldflags", "-X main.version=e2e", "-o", bin, "minka/cmd/minka"}
	if RaceEnabled {
		args = append([]string{"build", "-race"}, args[1:]...)
	}
	if out, err := exec.Command("go", args...).CombinedOutput(); err != nil {
		return "", fmt.Errorf("building minka: %v\n%s", err, out)
	}
	return bin, nil
}

var plain struct {
	once sync.Once
	bin  string
	err  error
}

// PlainBinary is minka built without the race detector, for the tests
// that measure memory (the race detector multiplies it): bin itself
// when the tests run without it, else built once next to it.
func PlainBinary(t testing.TB, bin string) string {
	t.Helper()
	if !RaceEnabled {
		return bin
	}
	plain.once.Do(func() {
		plain.bin = bin + "-plain"
		out, err := exec.Command("go", "build", "-ldflags", "-X main.version=e2e", "-o", plain.bin, "minka/cmd/minka").CombinedOutput()
		if err != nil {
			plain.err = fmt.Errorf("building minka without -race: %v\n%s", err, out)
		}
	})
	if plain.err != nil {
		t.Fatal(plain.err)
	}
	return plain.bin
}

// Server is a `minka server` child process.
type Server struct {
	URL     string
	DataDir string
	cmd     *exec.Cmd
	logs    *logBuffer
	done    chan error
}

// StartServer runs `minka server` (bin) on a free loopback port with a
// fresh data dir (unless args name one) and waits until it has written
// its address. It is stopped with SIGTERM at cleanup.
func StartServer(t testing.TB, bin string, args ...string) *Server {
	t.Helper()
	dir := t.TempDir()
	addrFile := filepath.Join(dir, "addr")
	s := &Server{DataDir: filepath.Join(dir, "data"), logs: &logBuffer{}, done: make(chan error, 1)}
	all := []string{"server", "--listen", "127.0.0.1:0", "--addr-file", addrFile}
	if !HasFlag(args, "--data-dir") && !HasFlag(args, "--etcd-endpoints") {
		all = append(all, "--data-dir", s.DataDir)
	}
	for i, a := range args {
		// A server over a given data dir says that one (a restart's).
		if v, ok := strings.CutPrefix(a, "--data-dir="); ok {
			s.DataDir = v
		} else if a == "--data-dir" && i+1 < len(args) {
			s.DataDir = args[i+1]
		}
	}
	s.cmd = exec.Command(bin, append(all, args...)...)
	s.cmd.Stdout, s.cmd.Stderr = s.logs, s.logs
	if err := s.cmd.Start(); err != nil {
		t.Fatalf("starting minka server: %v", err)
	}
	go func() { s.done <- s.cmd.Wait() }()
	t.Cleanup(func() { s.Stop(t) })
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		if b, err := os.ReadFile(addrFile); err == nil && len(bytes.TrimSpace(b)) > 0 {
			scheme := "http://"
			if HasFlag(args, "--tls-cert-file") {
				scheme = "https://"
			}
			s.URL = scheme + strings.TrimSpace(string(b))
			return s
		}
		select {
		case err := <-s.done:
			t.Fatalf("minka server exited before listening: %v\n%s", err, s.logs)
		case <-time.After(50 * time.Millisecond):
		}
	}
	t.Fatalf("minka server did not write its address within 60s\n%s", s.logs)
	return nil
}

// Stop sends SIGTERM and waits for the process to exit, returning its error.
func (s *Server) Stop(t testing.TB) error {
	if s.cmd.ProcessState != nil {
		return nil
	}
	_ = s.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case err := <-s.done:
		s.done <- err
		return err
	case <-time.After(30 * time.Second):
		_ = s.cmd.Process.Kill()
		t.Errorf("minka server ignored SIGTERM for 30s\n%s", s.logs)
		return <-s.done
	}
}

// Kill kills the process (SIGKILL: no shutdown of any kind) and waits
// for it.
func (s *Server) Kill() error {
	_ = s.cmd.Process.Kill()
	err := <-s.done
	s.done <- err
	return err
}

// Signal sends sig to the process.
func (s *Server) Signal(sig os.Signal) error { return s.cmd.Process.Signal(sig) }

// Exited says whether the process has ended, and how.
func (s *Server) Exited() (bool, error) {
	select {
	case err := <-s.done:
		s.done <- err
		return true, err
	default:
		return false, nil
	}
}

// Pid is the process id.
func (s *Server) Pid() int { return s.cmd.Process.Pid }

// Logs returns what the server printed so far.
func (s *Server) Logs() string { return s.logs.String() }

// logBuffer is the process's output: written by exec's copying
// goroutine while a test may read it (Logs before Stop).
type logBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *logBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *logBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// Minka runs the CLI (bin) against a server and returns stdout, stderr
// and the exit code.
func Minka(t testing.TB, bin string, s *Server, stdin string, args ...string) (string, string, int) {
	t.Helper()
	env := []string{"MINKA_CONFIG=" + filepath.Join(t.TempDir(), "none.yaml")}
	if s != nil {
		env = append(env, "MINKA_SERVER="+s.URL)
	}
	return Run(t, bin, env, stdin, args...)
}

// Run runs bin with args, the environment plus env, and stdin, within a
// minute, and returns stdout, stderr and the exit code.
func Run(t testing.TB, bin string, env []string, stdin string, args ...string) (string, string, int) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Env = append(os.Environ(), env...)
	cmd.Stdin = strings.NewReader(stdin)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatalf("running %s %v: %v", filepath.Base(bin), args, err)
	}
	return out.String(), errb.String(), code
}

// HasFlag says whether args set the flag name.
func HasFlag(args []string, name string) bool {
	for _, a := range args {
		if a == name || strings.HasPrefix(a, name+"=") {
			return true
		}
	}
	return false
}

// Main builds minka into a temporary directory, sets *bin to it, runs
// the package's tests and exits with their code: a package's TestMain.
func Main(m *testing.M, bin *string) {
	dir, err := os.MkdirTemp("", "minka-e2e-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	if *bin, err = Build(dir); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}
