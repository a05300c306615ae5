package main

import (
	"io"
	"strings"
	"testing"
)

const output = `goos: linux
BenchmarkCreateThroughput-2   	       1	3830081654 ns/op	      4688 api-creates/s	     14493 etcd-puts/s	         0.3235 ratio	       220.0 server-cpu-us/create
--- BENCH: BenchmarkCreateThroughput-2
    bench_test.go:94: 3 rounds …
BenchmarkSlavePoolStuckToCreate 	       1	9 ns/op	 640.0 stuck-to-create-p99-ms
PASS
`

func TestCheck(t *testing.T) {
	got, err := parseResults(strings.NewReader(output), io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		limits string
		ok     bool
		line   string
	}{
		{"BenchmarkCreateThroughput ratio >= 0.3 # issue 19: 0.8", true, "ok   BenchmarkCreateThroughput ratio = 0.3235 (limit >= 0.3)  # issue 19: 0.8"},
		{"BenchmarkCreateThroughput ratio >= 0.4", false, "FAIL BenchmarkCreateThroughput ratio = 0.3235 (limit >= 0.4)"},
		{"BenchmarkSlavePoolStuckToCreate stuck-to-create-p99-ms <= 1000", true, "ok   BenchmarkSlavePoolStuckToCreate stuck-to-create-p99-ms = 640 (limit <= 1000)"},
		{"BenchmarkSlavePoolStuckToCreate stuck-to-create-p99-ms <= 500", false, "FAIL BenchmarkSlavePoolStuckToCreate stuck-to-create-p99-ms = 640 (limit <= 500)"},
		{"BenchmarkDeploymentConverge1000 ratio <= 3", false, "FAIL BenchmarkDeploymentConverge1000 ratio = not reported (limit <= 3)"},
	} {
		limits, err := parseLimits(strings.NewReader(c.limits))
		if err != nil {
			t.Fatal(err)
		}
		lines, ok := check(limits, got)
		if ok != c.ok || len(lines) != 1 || lines[0] != c.line {
			t.Errorf("%q: ok %v, lines %q; want %v, %q", c.limits, ok, lines, c.ok, c.line)
		}
	}
}

func TestParseLimitsRefusesBadLines(t *testing.T) {
	for _, bad := range []string{"BenchmarkX ratio > 1", "BenchmarkX ratio >= x", "BenchmarkX >= 1"} {
		if _, err := parseLimits(strings.NewReader(bad)); err == nil {
			t.Errorf("%q: no error", bad)
		}
	}
}
