package jenkins

import (
	"encoding/base64"
	"fmt"
	"html"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// A build's console log is a list of lines, each stamped with the time it
// is "printed"; the log at time t is every line stamped by t, so the
// simulator needs no goroutine to make it grow. What is known when the
// build starts (the header, the build step's progress) is stamped then,
// at times up to its planned end; the end is written when advance notices
// it, and a stop drops what was not printed yet, so offsets a client has
// read never change.

type logLine struct {
	at   time.Time
	text string // with its "\n"
}

// println appends lines at at, or at the last line's time if that is
// later, which keeps the stamps in order.
func (b *build) println(at time.Time, lines ...string) {
	if n := len(b.log); n > 0 && at.Before(b.log[n-1].at) {
		at = b.log[n-1].at
	}
	for _, l := range lines {
		b.log = append(b.log, logLine{at, l + "\n"})
	}
}

// text is the log as printed by now.
func (b *build) text(now time.Time) string {
	var sb strings.Builder
	for _, l := range b.log {
		if l.at.After(now) {
			break
		}
		sb.WriteString(l.text)
	}
	return sb.String()
}

// truncate forgets the lines not printed by now: a build stopped at now
// never prints them.
func (b *build) truncate(now time.Time) {
	for i, l := range b.log {
		if l.at.After(now) {
			b.log = b.log[:i]
			return
		}
	}
}

// progressSteps is how many progress lines a build prints over its run.
const progressSteps = 3

// startLog writes what a freestyle build with one "Execute shell" step
// prints: the cause (Run.execute's listener.started), the authorization
// (Run.running_as_SYSTEM without the Authorize Project plugin), the node
// and workspace (AbstractBuild.BuildingRemotely, BuildingInWorkspace), the
// shell's command line, then its -x trace over the build's duration.
func (s *Server) startLog(b *build, c *computer) {
	at, d := b.started, b.ends.Sub(b.started)
	where := "Building remotely on " + c.name
	ws := c.remoteFS
	if ws == "" {
		ws = "/home/jenkins"
	}
	if c.builtIn {
		where, ws = "Building on the built-in node", "/var/jenkins_home"
	}
	ws = strings.TrimSuffix(ws, "/") + "/workspace/" + b.job.name
	b.println(at, "Started by user "+s.opts.User, "Running as SYSTEM", where+" in workspace "+ws,
		fmt.Sprintf("[%s] $ /bin/sh -xe /tmp/jenkins%d.sh", b.job.name, 1000000000+b.queueID*7919+b.number))
	for _, p := range b.params {
		b.println(at, "+ echo "+p.Name+"="+p.Value)
	}
	for k := 1; k <= progressSteps; k++ {
		b.println(at.Add(d*time.Duration(k)/(progressSteps+1)), fmt.Sprintf("+ ./build.sh --step %d/%d", k, progressSteps))
	}
}

// endLines are the last lines of a build that ends with result: what the
// shell step and BuildListener.finished print.
func endLines(result string) []string {
	switch result {
	case "FAILURE":
		return []string{"Build step 'Execute shell' marked build as failure", "Finished: FAILURE"}
	case "ABORTED":
		return []string{"Build was aborted", "Finished: ABORTED"}
	}
	return []string{"Finished: " + result}
}

// complete ends a build at at with result, after extra lines (the reason
// of a failure); the caller frees its executor.
func (s *Server) complete(b *build, result string, at time.Time, extra ...string) {
	if result == "FAILURE" && len(extra) == 0 {
		extra = []string{"+ exit 1"}
	}
	b.println(at, extra...)
	b.println(at, endLines(result)...)
	if n := len(b.log); n > 0 {
		at = b.log[n-1].at
	}
	b.result, b.ends, b.uploading = result, at, false
}

// abortBuild is Executor.interrupt on a running build: Run.execute's
// "Build was aborted", the cause of interruption if there is one ("Aborted
// by admin"), "Finished: ABORTED". Its executor is freed at once, where
// Jenkins takes a moment.
func (s *Server) abortBuild(b *build, now time.Time, cause string) {
	b.truncate(now)
	b.println(now, "Build was aborted")
	if cause != "" {
		b.println(now, cause)
	}
	b.println(now, "Finished: ABORTED")
	b.result, b.ends, b.uploading = "ABORTED", now, false
	s.release(b)
}

// release frees the executor that runs b, wherever its node went.
func (s *Server) release(b *build) {
	for _, c := range s.computers {
		for i, e := range c.executors {
			if e == b {
				c.executors[i] = nil
			}
		}
	}
}

// consoleText is Run.doConsoleText: the whole log so far, plain.
func (s *Server) consoleText(c *call, b *build) {
	c.w.Header().Set("Content-Type", "text/plain;charset=utf-8") // Jetty's MimeTypes cache lower-cases it
	_, _ = io.WriteString(c.w, b.text(s.opts.Now()))
}

// logText is Run.getLogText, an AnnotatedLargeText: no index view, its
// progressive web methods (any verb).
func (s *Server) logText(c *call, b *build) {
	if c.atObject(nil) {
		return
	}
	switch c.next() {
	case "progressiveText", "progressText": // AnnotatedLargeText's alias and LargeText.doProgressText
		s.progressive(c, b, false)
	case "progressiveHtml":
		s.progressive(c, b, true)
	default:
		c.notFound("")
	}
}

// progressive is LargeText.doProgressText (jenkinsci/stapler
// framework/io/LargeText.java) over the log so far: the bytes from
// ?start= (the query or a form body; absent is 0, past the end is 0 as
// for a log that rolled over, not a number is Long.parseLong's
// NumberFormatException, negative fails Session.skip: both 500),
// X-Text-Size the log's length, X-More-Data: true while the build runs,
// the body's line ends turned into CRLF (LineEndNormalizingWriter), so
// offsets count the log's bytes, not the body's. progressiveHtml
// (AnnotatedLargeText.doProgressiveHtml) escapes &, < and > (MarkupText's
// Util.xmlEscape) and sends the console annotator's state, which the
// simulator does not read back, in X-ConsoleAnnotator. The log is
// always whole lines, so the text and HTML offsets agree.
func (s *Server) progressive(c *call, b *build, asHTML bool) {
	text := b.text(s.opts.Now())
	_ = c.r.ParseForm()
	start := int64(0)
	if v, ok := c.r.Form["start"]; ok && len(v) > 0 {
		n, err := strconv.ParseInt(v[0], 10, 64)
		if err != nil {
			c.oops()
			return
		}
		start = n
	}
	length := int64(len(text))
	if start > length {
		start = 0
	}
	if start < 0 {
		c.oops() // EOFException: "Attempted to read past the end of the log"
		return
	}
	h := c.w.Header()
	h.Set("Content-Type", "text/plain;charset=utf-8")
	chunk := text[start:]
	if asHTML {
		h.Set("Content-Type", "text/html;charset=utf-8")
		h.Set("X-ConsoleAnnotator", base64.StdEncoding.EncodeToString([]byte("sim:"+strconv.FormatInt(length, 10))))
		chunk = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;").Replace(chunk)
	}
	h.Set("X-Text-Size", strconv.FormatInt(length, 10))
	if b.building() {
		h.Set("X-More-Data", "true")
	}
	c.w.WriteHeader(http.StatusOK)
	_, _ = io.WriteString(c.w, crlf(chunk))
}

// crlf is LineEndNormalizingWriter: a LF not after a CR becomes CRLF.
func crlf(s string) string {
	var sb strings.Builder
	cr := false
	for i := 0; i < len(s); i++ {
		if s[i] == '\n' && !cr {
			sb.WriteByte('\r')
		}
		sb.WriteByte(s[i])
		cr = s[i] == '\r'
	}
	return sb.String()
}

// consolePage is Run's console view, the log in a <pre>.
func (s *Server) consolePage(c *call, b *build) {
	page(c.w, http.StatusOK, fmt.Sprintf("%s #%d Console", b.job.name, b.number),
		"<h1>Console Output</h1><pre class=\"console-output\">"+html.EscapeString(b.text(s.opts.Now()))+"</pre>")
}
