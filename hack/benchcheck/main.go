// Command benchcheck reads `go test -bench` output on stdin and fails
// when a reported metric is past its limit in the limits file, so that
// `make bench-check` catches a regression in the ratios issue 19 set.
// Every limit must be met by a line of the output: a benchmark that did
// not run (or no longer reports the metric) fails too.
//
//	go test ./test/ -run '^$' -bench Create -benchtime 1x | benchcheck hack/bench-limits.txt
package main

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
)

// limit is one line of the limits file: benchmark, metric, >= or <=,
// value; the rest of the line (after #) says why.
type limit struct {
	bench, metric, op string
	value             float64
	why               string
}

func parseLimits(r io.Reader) ([]limit, error) {
	var out []limit
	sc := bufio.NewScanner(r)
	for n := 1; sc.Scan(); n++ {
		line, why, _ := strings.Cut(sc.Text(), "#")
		f := strings.Fields(line)
		if len(f) == 0 {
			continue
		}
		if len(f) != 4 || (f[2] != ">=" && f[2] != "<=") {
			return nil, fmt.Errorf("limits line %d: want `Benchmark metric >=|<= value`, got %q", n, sc.Text())
		}
		v, err := strconv.ParseFloat(f[3], 64)
		if err != nil {
			return nil, fmt.Errorf("limits line %d: value %q: %w", n, f[3], err)
		}
		out = append(out, limit{bench: f[0], metric: f[1], op: f[2], value: v, why: strings.TrimSpace(why)})
	}
	return out, sc.Err()
}

// parseResults maps "Benchmark metric" to the value each benchmark line
// reported (the last, if a benchmark ran more than once). A name's -N
// suffix (GOMAXPROCS) is dropped.
func parseResults(r io.Reader, echo io.Writer) (map[string]float64, error) {
	got := map[string]float64{}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		fmt.Fprintln(echo, line)
		f := strings.Fields(line)
		if len(f) < 4 || !strings.HasPrefix(f[0], "Benchmark") {
			continue
		}
		name := f[0]
		if i := strings.LastIndexByte(name, '-'); i > 0 {
			if _, err := strconv.Atoi(name[i+1:]); err == nil {
				name = name[:i]
			}
		}
		// f[1] is the iteration count; then value-unit pairs.
		for i := 2; i+1 < len(f); i += 2 {
			v, err := strconv.ParseFloat(f[i], 64)
			if err != nil {
				break
			}
			got[name+" "+f[i+1]] = v
		}
	}
	return got, sc.Err()
}

// check returns one line per limit and whether all were met.
func check(limits []limit, got map[string]float64) ([]string, bool) {
	var lines []string
	ok := true
	for _, l := range limits {
		v, found := got[l.bench+" "+l.metric]
		pass := found && (l.op == ">=" && v >= l.value || l.op == "<=" && v <= l.value)
		verdict := "ok  "
		if !pass {
			verdict, ok = "FAIL", false
		}
		figure := "not reported"
		if found {
			figure = strconv.FormatFloat(v, 'g', 4, 64)
		}
		line := fmt.Sprintf("%s %s %s = %s (limit %s %g)", verdict, l.bench, l.metric, figure, l.op, l.value)
		if l.why != "" {
			line += "  # " + l.why
		}
		lines = append(lines, line)
	}
	return lines, ok
}

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: go test -bench … | benchcheck LIMITS-FILE")
		os.Exit(2)
	}
	f, err := os.Open(os.Args[1])
	if err != nil {
		fmt.Fprintln(os.Stderr, "benchcheck:", err)
		os.Exit(2)
	}
	limits, err := parseLimits(f)
	f.Close()
	if err != nil {
		fmt.Fprintln(os.Stderr, "benchcheck:", err)
		os.Exit(2)
	}
	got, err := parseResults(os.Stdin, os.Stdout)
	if err != nil {
		fmt.Fprintln(os.Stderr, "benchcheck: reading the benchmark output:", err)
		os.Exit(2)
	}
	lines, ok := check(limits, got)
	fmt.Println("\nbench-check:")
	for _, l := range lines {
		fmt.Println(l)
	}
	if !ok {
		os.Exit(1)
	}
}
