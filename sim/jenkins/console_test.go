package jenkins

import (
	"context"
	"strconv"
	"strings"
	"testing"
	"time"
)

// TestProgressiveTextWhileRunning reads a running build's log as the
// console page does (LargeText.doProgressText): each read starts at the
// last X-Text-Size, X-More-Data is there until the build ends, and the
// pieces put together are consoleText.
func TestProgressiveTextWhileRunning(t *testing.T) {
	e := newCI(t, Options{})
	e.build(t, "BRANCH=squid&SHA1=abc123&MINKA_BUILD=ci/ceph-1")
	reads := []struct {
		after time.Duration // clock moved before the read
		more  bool
		has   []string // lines new in this read
		hasnt []string
	}{
		{0, true, []string{"Started by user admin\n", "Running as SYSTEM\n",
			"Building remotely on agent-1 in workspace /home/jenkins/workspace/ceph\n", "+ echo BRANCH=squid\n", "+ echo MINKA_BUILD=ci/ceph-1\n"},
			[]string{"--step 1/3", "Finished"}},
		{20 * time.Second, true, []string{"+ ./build.sh --step 1/3\n"}, []string{"Started by", "--step 2/3", "Finished"}},
		{0, true, nil, []string{"+"}}, // nothing new: an empty read at the same offset
		{30 * time.Second, true, []string{"--step 2/3\n", "--step 3/3\n"}, []string{"Finished"}},
		{11 * time.Second, false, []string{"Finished: SUCCESS\n"}, []string{"--step"}},
	}
	var offset int64
	var whole strings.Builder
	for i, rd := range reads {
		e.clk.Add(rd.after)
		got := e.get(t, "/job/ceph/1/logText/progressiveText?start="+strconv.FormatInt(offset, 10))
		size, err := strconv.ParseInt(got.h.Get("X-Text-Size"), 10, 64)
		switch {
		case got.code != 200 || err != nil:
			t.Fatalf("read %d: %d X-Text-Size %q", i, got.code, got.h.Get("X-Text-Size"))
		case (got.h.Get("X-More-Data") == "true") != rd.more:
			t.Errorf("read %d: X-More-Data %q, want more=%v", i, got.h.Get("X-More-Data"), rd.more)
		case got.h.Get("Content-Type") != "text/plain;charset=utf-8":
			t.Errorf("read %d: Content-Type %q", i, got.h.Get("Content-Type"))
		case strings.Contains(strings.ReplaceAll(got.body, "\r\n", ""), "\n"):
			t.Errorf("read %d: a lone LF in %q (LineEndNormalizingWriter sends CRLF)", i, got.body)
		case size != offset+int64(len(lf(got.body))):
			t.Errorf("read %d: X-Text-Size %d, want %d + %d bytes of log", i, size, offset, len(lf(got.body)))
		}
		for _, s := range rd.has {
			if !strings.Contains(lf(got.body), s) {
				t.Errorf("read %d: %q lacks %q", i, got.body, s)
			}
		}
		for _, s := range rd.hasnt {
			if strings.Contains(got.body, s) {
				t.Errorf("read %d: %q has %q", i, got.body, s)
			}
		}
		whole.WriteString(lf(got.body))
		offset = size
		if text := e.get(t, "/job/ceph/1/consoleText").body; text != whole.String() {
			t.Errorf("read %d: the pieces so far\n%q\nare not consoleText\n%q", i, whole.String(), text)
		}
	}
}

// TestProgressiveTextRequests: the edges of doProgressText and the URLs
// that reach it, on a finished build.
func TestProgressiveTextRequests(t *testing.T) {
	e := newCI(t, Options{})
	e.build(t, "MINKA_BUILD=a<b>%26c")
	e.clk.Add(2 * time.Minute)
	text := e.get(t, "/job/ceph/1/consoleText").body
	n := strconv.Itoa(len(text))
	if !strings.HasSuffix(text, "Finished: SUCCESS\n") || !strings.Contains(text, "+ echo MINKA_BUILD=a<b>&c\n") {
		t.Fatalf("consoleText: %q", text)
	}
	cases := []struct {
		reason string
		q      rq
		code   int
		size   string // X-Text-Size, "" for no check
		body   string // exact after lf, when set
		prefix string // Content-Type prefix, when set
	}{
		{"no start is 0", rq{path: "/job/ceph/1/logText/progressiveText"}, 200, n, text, "text/plain"},
		{"from an offset", rq{path: "/job/ceph/1/logText/progressiveText?start=10"}, 200, n, text[10:], ""},
		{"at the end: nothing", rq{path: "/job/ceph/1/logText/progressiveText?start=" + n}, 200, n, "", ""},
		{"past the end: the log rolled over, all of it", rq{path: "/job/ceph/1/logText/progressiveText?start=99999"}, 200, n, text, ""},
		{"not a number: NumberFormatException", rq{path: "/job/ceph/1/logText/progressiveText?start=abc"}, 500, "", "", "text/html"},
		{"empty: NumberFormatException", rq{path: "/job/ceph/1/logText/progressiveText?start="}, 500, "", "", ""},
		{"negative: Session.skip fails", rq{path: "/job/ceph/1/logText/progressiveText?start=-5"}, 500, "", "", ""},
		{"HEAD: the headers", rq{method: "HEAD", path: "/job/ceph/1/logText/progressiveText?start=3"}, 200, n, "", "text/plain"},
		{"start in a form body", rq{method: "POST", path: "/job/ceph/1/logText/progressiveText", body: "start=20", ctype: form}, 200, n, text[20:], ""},
		{"LargeText's own name", rq{path: "/job/ceph/1/logText/progressText?start=10"}, 200, n, text[10:], ""},
		{"Run.doProgressiveLog", rq{path: "/job/ceph/1/progressiveLog?start=10"}, 200, n, text[10:], ""},
		{"gojenkins' trailing slash", rq{path: "/job/ceph//1/logText/progressiveText/?start=0"}, 200, n, text, ""},
		{"lastBuild", rq{path: "/job/ceph/lastBuild/logText/progressiveText?start=10"}, 200, n, text[10:], ""},
		{"lastSuccessfulBuild", rq{path: "/job/ceph/lastSuccessfulBuild/logText/progressiveText"}, 200, n, text, ""},
		{"no failed build", rq{path: "/job/ceph/lastFailedBuild/logText/progressiveText"}, 404, "", "", ""},
		{"logText without its slash", rq{path: "/job/ceph/1/logText"}, 302, "", "", ""},
		{"logText has no index view", rq{path: "/job/ceph/1/logText/"}, 404, "", "", ""},
		{"html: escaped",
			rq{path: "/job/ceph/1/logText/progressiveHtml"}, 200, n, strings.ReplaceAll(text, "a<b>&c", "a&lt;b&gt;&amp;c"), "text/html;charset=utf-8"},
		{"consoleText with a trailing slash", rq{path: "/job/ceph/1/consoleText/"}, 200, "", text, "text/plain;charset=utf-8"},
		{"the console page", rq{path: "/job/ceph/1/console"}, 200, "", "", "text/html"},
	}
	for _, tc := range cases {
		got := send(t, e.base, tc.q)
		switch {
		case got.code != tc.code:
			t.Errorf("%s: %d, want %d (%.200s)", tc.reason, got.code, tc.code, got.body)
		case tc.size != "" && got.h.Get("X-Text-Size") != tc.size:
			t.Errorf("%s: X-Text-Size %q, want %s", tc.reason, got.h.Get("X-Text-Size"), tc.size)
		case tc.code == 200 && tc.size != "" && got.h.Get("X-More-Data") != "":
			t.Errorf("%s: X-More-Data %q on a finished build", tc.reason, got.h.Get("X-More-Data"))
		case tc.code == 200 && tc.body != "" && lf(got.body) != tc.body:
			t.Errorf("%s: body\n%q\nwant\n%q", tc.reason, lf(got.body), tc.body)
		case tc.prefix != "" && !strings.HasPrefix(got.h.Get("Content-Type"), tc.prefix):
			t.Errorf("%s: Content-Type %q, want %s…", tc.reason, got.h.Get("Content-Type"), tc.prefix)
		}
	}
}

// TestConsoleThroughGojenkins: gojenkins v1.1.0's GetConsoleOutput
// (consoleText) and GetConsoleOutputFromIndex (progressiveText).
func TestConsoleThroughGojenkins(t *testing.T) {
	e := newCI(t, Options{})
	ctx := context.Background()
	job, err := e.jk.GetJob(ctx, "ceph")
	if err != nil {
		t.Fatal(err)
	}
	id, err := job.InvokeSimple(ctx, map[string]string{"BRANCH": "reef", "MINKA_BUILD": "ci/ceph-9"})
	if err != nil || id == 0 {
		t.Fatalf("InvokeSimple: %d %v", id, err)
	}
	b, err := e.jk.GetBuild(ctx, "ceph", 1)
	if err != nil {
		t.Fatal(err)
	}
	first, err := b.GetConsoleOutputFromIndex(ctx, 0)
	if err != nil || !first.HasMoreText || !strings.Contains(first.Content, "+ echo BRANCH=reef") {
		t.Fatalf("GetConsoleOutputFromIndex(0) while running: %+v %v", first, err)
	}
	e.clk.Add(2 * time.Minute)
	rest, err := b.GetConsoleOutputFromIndex(ctx, first.Offset)
	if err != nil || rest.HasMoreText || !strings.HasSuffix(rest.Content, "Finished: SUCCESS\r\n") {
		t.Fatalf("GetConsoleOutputFromIndex(%d) after the end: %+v %v", first.Offset, rest, err)
	}
	if whole := b.GetConsoleOutput(ctx); whole != lf(first.Content+rest.Content) || int64(len(whole)) != rest.Offset {
		t.Errorf("GetConsoleOutput %q (%d bytes), want the pieces %q, %d bytes", whole, len(whole), lf(first.Content+rest.Content), rest.Offset)
	}
}
