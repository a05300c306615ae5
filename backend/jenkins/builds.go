package jenkins

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"

	"minka/backend/transport"
)

// ErrNotFound is a queue item, build or job Jenkins does not know.
var ErrNotFound = errors.New("not found")

// JobPath is the URL path of a job, folders included: "team/webapp" is
// /job/team/job/webapp.
func JobPath(job string) string {
	var b strings.Builder
	for _, seg := range strings.Split(job, "/") {
		b.WriteString("/job/" + url.PathEscape(seg))
	}
	return b.String()
}

// Job is what a build trigger needs to know of a job.
type Job struct {
	Buildable bool
	// Parameters are the names of the job's parameter definitions:
	// Jenkins drops any other parameter a trigger sends.
	Parameters []string
}

// Job reads a job's parameter definitions.
func (j *Client) Job(ctx context.Context, job string) (*Job, error) {
	ctx = transport.WithOperation(ctx, "job.get")
	var raw struct {
		Buildable bool `json:"buildable"`
		Property  []struct {
			ParameterDefinitions []struct {
				Name string `json:"name"`
			} `json:"parameterDefinitions"`
		} `json:"property"`
	}
	err := j.get(ctx, JobPath(job), &raw, map[string]string{"tree": "buildable,property[parameterDefinitions[name]]"})
	if err != nil {
		return nil, j.notFound(err)
	}
	out := &Job{Buildable: raw.Buildable}
	for _, p := range raw.Property {
		for _, d := range p.ParameterDefinitions {
			out.Parameters = append(out.Parameters, d.Name)
		}
	}
	return out, nil
}

var queueLocation = regexp.MustCompile(`/queue/item/([0-9]+)/?$`)

// Trigger asks for a build with parameters (buildWithParameters) and
// returns its queue item id, from the Location Jenkins answers with.
func (j *Client) Trigger(ctx context.Context, job string, params map[string]string) (int64, error) {
	ctx = transport.WithOperation(ctx, "build.trigger")
	j.wrote()
	defer j.wrote()
	resp, body, err := j.noRedirect(ctx, http.MethodPost, JobPath(job)+"/buildWithParameters", params)
	if err != nil {
		return 0, fmt.Errorf("jenkins %s: triggering %s: %w", j.name, job, err)
	}
	if resp.StatusCode >= 400 {
		return 0, fmt.Errorf("jenkins %s: triggering %s: %s%s", j.name, job, resp.Status, excerpt(body))
	}
	m := queueLocation.FindStringSubmatch(resp.Header.Get("Location"))
	if m == nil {
		return 0, fmt.Errorf("jenkins %s: triggering %s: %s without a queue item Location (%q)", j.name, job, resp.Status, resp.Header.Get("Location"))
	}
	id, _ := strconv.ParseInt(m[1], 10, 64)
	return id, nil
}

// Item is a queue item as Jenkins shows it while it waits and for a
// while (5 minutes) after it left.
type Item struct {
	ID        int64
	Why       string
	Cancelled bool
	// Build is the build number once it started (0 before).
	Build    int64
	BuildURL string
	Params   map[string]string
}

type itemJSON struct {
	ID         int64   `json:"id"`
	Why        *string `json:"why"`
	Cancelled  bool    `json:"cancelled"`
	Params     string  `json:"params"`
	Executable *struct {
		Number int64  `json:"number"`
		URL    string `json:"url"`
	} `json:"executable"`
	Task struct {
		Name string `json:"name"`
		URL  string `json:"url"`
	} `json:"task"`
}

func (it itemJSON) item() *Item {
	out := &Item{ID: it.ID, Cancelled: it.Cancelled, Params: parseParams(it.Params)}
	if it.Why != nil {
		out.Why = *it.Why
	}
	if e := it.Executable; e != nil {
		out.Build, out.BuildURL = e.Number, e.URL
	}
	return out
}

// parseParams reads a queue item's "params" ("\nA=1\nB=2").
func parseParams(s string) map[string]string {
	out := map[string]string{}
	for _, line := range strings.Split(s, "\n") {
		if k, v, ok := strings.Cut(line, "="); ok && k != "" {
			out[k] = v
		}
	}
	return out
}

// QueueItem reads one queue item; ErrNotFound once Jenkins forgot it.
func (j *Client) QueueItem(ctx context.Context, id int64) (*Item, error) {
	ctx = transport.WithOperation(ctx, "queue.item")
	var it itemJSON
	if err := j.get(ctx, "/queue/item/"+strconv.FormatInt(id, 10), &it, nil); err != nil {
		return nil, j.notFound(err)
	}
	return it.item(), nil
}

// CancelItem cancels a waiting queue item; one already gone is no error.
func (j *Client) CancelItem(ctx context.Context, id int64) error {
	ctx = transport.WithOperation(ctx, "queue.cancel")
	j.wrote()
	defer j.wrote()
	resp, _, err := j.noRedirect(ctx, http.MethodPost, "/queue/cancelItem", map[string]string{"id": strconv.FormatInt(id, 10)})
	// Jenkins answers 204 (2.x), 302 (older), 404 when the item left.
	if resp != nil && resp.StatusCode == http.StatusNotFound {
		return nil
	}
	return j.status("cancelling queue item "+strconv.FormatInt(id, 10), resp, err)
}

// Build is one build of a job.
type Build struct {
	Number   int64
	URL      string
	Building bool
	// Result is SUCCESS, UNSTABLE, FAILURE, ABORTED or NOT_BUILT; "" while
	// building.
	Result   string
	QueueID  int64
	Started  time.Time
	Duration time.Duration
	Params   map[string]string
}

type buildJSON struct {
	Number    int64   `json:"number"`
	URL       string  `json:"url"`
	Building  bool    `json:"building"`
	Result    *string `json:"result"`
	QueueID   int64   `json:"queueId"`
	Timestamp int64   `json:"timestamp"`
	Duration  int64   `json:"duration"`
	Actions   []struct {
		Parameters []struct {
			Name  string `json:"name"`
			Value any    `json:"value"`
		} `json:"parameters"`
	} `json:"actions"`
}

const buildTree = "number,url,building,result,queueId,timestamp,duration,actions[parameters[name,value]]"

func (b buildJSON) build() *Build {
	out := &Build{Number: b.Number, URL: b.URL, Building: b.Building, QueueID: b.QueueID,
		Started: time.UnixMilli(b.Timestamp), Duration: time.Duration(b.Duration) * time.Millisecond, Params: map[string]string{}}
	if b.Result != nil {
		out.Result = *b.Result
	}
	for _, a := range b.Actions {
		for _, p := range a.Parameters {
			if p.Value != nil {
				out.Params[p.Name] = fmt.Sprint(p.Value)
			}
		}
	}
	return out
}

// Build reads one build of a job.
func (j *Client) Build(ctx context.Context, job string, number int64) (*Build, error) {
	ctx = transport.WithOperation(ctx, "build.get")
	var b buildJSON
	if err := j.get(ctx, JobPath(job)+"/"+strconv.FormatInt(number, 10), &b, map[string]string{"tree": buildTree}); err != nil {
		return nil, j.notFound(err)
	}
	return b.build(), nil
}

// Find looks for what a trigger carrying param=value started: a waiting
// queue item, or one of the job's last 100 builds. Either may be nil.
// Triggers carry a parameter unique to them, so that a trigger whose
// reply was lost, or whose status write was, is found here instead of
// being sent again.
func (j *Client) Find(ctx context.Context, job, param, value string) (*Item, *Build, error) {
	ctx = transport.WithOperation(ctx, "build.find")
	var q struct {
		Items []itemJSON `json:"items"`
	}
	if err := j.get(ctx, "/queue", &q, map[string]string{"tree": "items[id,why,params,task[name,url]]"}); err != nil {
		return nil, nil, err
	}
	jobURL := JobPath(job) + "/"
	for _, it := range q.Items {
		if strings.HasSuffix(it.Task.URL, jobURL) && parseParams(it.Params)[param] == value {
			return it.item(), nil, nil
		}
	}
	var raw struct {
		Builds []buildJSON `json:"builds"`
	}
	if err := j.get(ctx, JobPath(job), &raw, map[string]string{"tree": "builds[" + buildTree + "]{0,100}"}); err != nil {
		return nil, nil, j.notFound(err)
	}
	for _, b := range raw.Builds {
		if bb := b.build(); bb.Params[param] == value {
			return nil, bb, nil
		}
	}
	return nil, nil, nil
}

// Stop aborts a running build; a finished one is left as it is.
func (j *Client) Stop(ctx context.Context, job string, number int64) error {
	ctx = transport.WithOperation(ctx, "build.stop")
	j.wrote()
	defer j.wrote()
	resp, _, err := j.noRedirect(ctx, http.MethodPost, JobPath(job)+"/"+strconv.FormatInt(number, 10)+"/stop", nil)
	if resp != nil && resp.StatusCode == http.StatusNotFound {
		return nil
	}
	return j.status(fmt.Sprintf("stopping %s #%d", job, number), resp, err)
}

// Log is a piece of a build's console.
type Log struct {
	Text string
	// Next is the offset to ask from next; More is true while the build
	// may still write.
	Next int64
	More bool
}

// Console reads a build's console from offset start (progressiveText).
func (j *Client) Console(ctx context.Context, job string, number, start int64) (*Log, error) {
	ctx = transport.WithOperation(ctx, "build.console")
	p := JobPath(job) + "/" + strconv.FormatInt(number, 10) + "/logText/progressiveText"
	resp, body, err := j.do(ctx, http.MethodGet, p, map[string]string{"start": strconv.FormatInt(start, 10)})
	if resp != nil && resp.StatusCode == http.StatusNotFound {
		return nil, fmt.Errorf("jenkins %s: %s #%d: %w", j.name, job, number, ErrNotFound)
	}
	if err := j.status("reading the console of "+job+" #"+strconv.FormatInt(number, 10), resp, err); err != nil {
		return nil, err
	}
	next, perr := strconv.ParseInt(resp.Header.Get("X-Text-Size"), 10, 64)
	if perr != nil {
		next = start + int64(len(body))
	}
	return &Log{Text: body, Next: next, More: resp.Header.Get("X-More-Data") == "true"}, nil
}

// notFound marks a 404 as ErrNotFound.
func (j *Client) notFound(err error) error {
	if err != nil && strings.HasSuffix(err.Error(), ": "+strconv.Itoa(http.StatusNotFound)+" "+http.StatusText(http.StatusNotFound)) {
		return fmt.Errorf("%w: %w", err, ErrNotFound)
	}
	return err
}

// noRedirect is do without following redirects: Jenkins' answer to a
// trigger is its Location, and following a POST's 302 would GET a page.
func (j *Client) noRedirect(ctx context.Context, method, path string, query map[string]string) (*http.Response, string, error) {
	return j.do(context.WithValue(ctx, noRedirectKey{}, true), method, path, query)
}

type noRedirectKey struct{}

func excerpt(body string) string {
	body = strings.TrimSpace(body)
	if body == "" || strings.HasPrefix(body, "<") {
		return ""
	}
	if len(body) > 200 {
		body = body[:200]
	}
	return ": " + body
}
