package deployment

import (
	"strings"
	"testing"
)

func TestCapacity(t *testing.T) {
	agent := func(host string, cpus, mem float64, attrs map[string]string) Agent {
		r := Resources{Cpus: cpus, Mem: mem, Disk: 1000, Ports: 100}
		return Agent{Hostname: host, Total: r, Free: r, Attributes: attrs}
	}
	three := []Agent{agent("a1", 4, 8192, map[string]string{"rack": "r1"}), agent("a2", 4, 8192, map[string]string{"rack": "r1"}), agent("a3", 1, 1024, map[string]string{"rack": "r2"})}
	need := Resources{Cpus: 2, Mem: 512, Ports: 1}
	cases := []struct {
		name        string
		agents      []Agent
		constraints [][]string
		perHost     map[string]int
		missing     int
		fit         int
		limit       string
	}{
		{"cpus bound: 2+2+0", three, nil, nil, 10, 4, ""},
		{"capped at what is missing", three, nil, nil, 3, 3, ""},
		{"UNIQUE hostname with tasks on a1", three, [][]string{{"hostname", "UNIQUE"}}, map[string]int{"a1": 1}, 5, 1, "hostname:UNIQUE"},
		{"MAX_PER 3 with 2 on a2", three, [][]string{{"hostname", "MAX_PER", "3"}}, map[string]int{"a2": 2}, 9, 3, "hostname:MAX_PER:3"},
		{"CLUSTER rack r2: only a3, too small", three, [][]string{{"rack", "CLUSTER", "r2"}}, nil, 2, 0, "rack:CLUSTER:r2"},
		{"LIKE a[12]", three, [][]string{{"hostname", "LIKE", "a[12]"}}, nil, 9, 4, ""},
		{"UNLIKE a1", three, [][]string{{"hostname", "UNLIKE", "a1"}}, nil, 9, 2, "hostname:UNLIKE:a1"},
		{"no agents", nil, nil, nil, 2, 0, ""},
	}
	for _, tc := range cases {
		s := capacity(tc.agents, need, tc.constraints, tc.perHost, tc.missing)
		if s.fit != tc.fit || s.limit != tc.limit {
			t.Errorf("%s: fit %d limit %q, want %d %q", tc.name, s.fit, s.limit, tc.fit, tc.limit)
		}
	}
	msg := capacity(three, need, nil, nil, 7).message(3, 10)
	for _, want := range []string{"3 of 10 replicas placed", "7 more need cpus 2, mem 512 MiB", "fits 4", "largest free agent (a1) has cpus 4"} {
		if !strings.Contains(msg, want) {
			t.Errorf("message %q lacks %q", msg, want)
		}
	}
}
