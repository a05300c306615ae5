package jenkins

import (
	"fmt"
	"net/http"
	"sort"
	"strconv"
	"time"
)

// leftItemTTL is how long a left item stays reachable, as in Jenkins.
const leftItemTTL = 5 * time.Minute

// advance completes due builds (a SUCCESS of a job that uploads to
// chacra first uploads: upload.go), starts what can start, lets a safe
// restart go once nothing runs, and forgets left items past their TTL.
// Called with s.mu held, before every request.
func (s *Server) advance() {
	now := s.opts.Now()
	for _, c := range s.computers {
		for i, b := range c.executors {
			if b == nil || b.uploading || now.Before(b.ends) {
				continue
			}
			result := s.resultOf(b)
			if result == "SUCCESS" && s.beginUpload(b) {
				continue
			}
			s.complete(b, result, b.ends)
			c.executors[i] = nil
		}
	}
	if s.safeRestart && s.running() == 0 {
		s.restart(now)
	}
	s.schedule(now)
	for id, it := range s.items {
		if !it.left.IsZero() && now.Sub(it.left) > leftItemTTL {
			delete(s.items, id)
		}
	}
}

// running counts the busy executors.
func (s *Server) running() int {
	n := 0
	for _, c := range s.computers {
		n += c.busy()
	}
	return n
}

// schedule starts waiting items, oldest first, on online idle executors
// whose node labels satisfy the item's label expression, and writes why
// the others wait.
func (s *Server) schedule(now time.Time) {
	var waiting []*queueItem
	for _, it := range s.queue {
		if s.quietDown { // BuildableItem.getCauseOfBlockage: isBlockedByShutdown
			it.why = "Jenkins is about to shut down"
			waiting = append(waiting, it)
			continue
		}
		if c, exec := s.place(it); c != nil {
			s.start(it, c, exec, now)
			continue
		}
		it.why = s.why(it)
		waiting = append(waiting, it)
	}
	s.queue = waiting
}

func (s *Server) place(it *queueItem) (*computer, int) {
	for _, name := range sortedKeys(s.computers) {
		c := s.computers[name]
		if c.offline() || !s.canTake(c, it.job) {
			continue
		}
		if e := c.idleExecutor(); e >= 0 {
			return c, e
		}
	}
	return nil, -1
}

func (s *Server) canTake(c *computer, j *job) bool {
	if j.expr == nil {
		return len(c.executors) > 0
	}
	return j.expr.match(c.labelSet())
}

func (s *Server) start(it *queueItem, c *computer, exec int, now time.Time) {
	j := it.job
	j.nextNumber++
	b := &build{job: j, number: j.nextNumber, params: it.params, node: c.name, executor: exec,
		started: now, ends: now.Add(s.durationOf(j, it.params)), queueID: it.id}
	s.startLog(b, c)
	j.builds = append(j.builds, b)
	c.executors[exec] = b
	it.build, it.left, it.why = b, now, ""
}

// why is Jenkins' CauseOfBlockage text for a buildable item (2.125+).
func (s *Server) why(it *queueItem) string {
	if it.job.expr == nil {
		return "Waiting for next available executor"
	}
	label := it.job.label
	var nodes []*computer
	for _, name := range sortedKeys(s.computers) {
		if c := s.computers[name]; it.job.expr.match(c.labelSet()) {
			nodes = append(nodes, c)
		}
	}
	online := 0
	for _, c := range nodes {
		if !c.offline() {
			online++
		}
	}
	switch {
	case len(nodes) == 0:
		return "There are no nodes with the label ‘" + label + "’"
	case online == 0 && len(nodes) == 1:
		return "‘" + nodes[0].name + "’ is offline"
	case online == 0:
		return "All nodes of label ‘" + label + "’ are offline"
	case len(nodes) == 1:
		return "Waiting for next available executor on ‘" + nodes[0].name + "’"
	}
	return "Waiting for next available executor on ‘" + label + "’"
}

// stuck is Queue.BuildableItem.isStuck: the item's label is offline (no
// node has it, or all that do are offline), or it has waited ten times
// its job's estimated duration (at least a minute; a day without an
// estimate).
func (s *Server) stuck(it *queueItem) bool {
	if it.job.expr != nil {
		online := false
		for _, c := range s.computers {
			if it.job.expr.match(c.labelSet()) && !c.offline() {
				online = true
			}
		}
		if !online {
			return true
		}
	}
	limit := 24 * time.Hour
	if est := it.job.estimate(); est > 0 {
		limit = 10 * max(est, time.Minute)
	}
	return s.opts.Now().Sub(it.since) > limit
}

func (s *Server) enqueue(j *job, params []param) *queueItem {
	it := &queueItem{id: s.nextID, job: j, params: params, since: s.opts.Now()}
	s.nextID++
	s.items[it.id] = it
	s.queue = append(s.queue, it)
	s.schedule(s.opts.Now())
	return it
}

func (s *Server) queueJSON() map[string]any {
	items := []map[string]any{}
	for _, it := range s.queue {
		items = append(items, s.itemJSON(it))
	}
	return map[string]any{"_class": "hudson.model.Queue", "discoverableItems": []any{}, "items": items}
}

func (s *Server) itemJSON(it *queueItem) map[string]any {
	m := map[string]any{
		"actions": s.actions(it.params),
		"blocked": false, "id": it.id, "inQueueSince": it.since.UnixMilli(), "params": paramsString(it.params),
		"stuck": false, "task": s.jobRef(it.job), "url": "queue/item/" + strconv.Itoa(it.id) + "/",
	}
	if it.left.IsZero() {
		m["_class"] = "hudson.model.Queue$BuildableItem"
		m["stuck"] = s.stuck(it)
		m["buildable"], m["why"], m["pending"] = true, it.why, false
		m["buildableStartMilliseconds"] = it.since.UnixMilli()
		return m
	}
	m["_class"] = "hudson.model.Queue$LeftItem"
	m["buildable"], m["why"], m["cancelled"] = false, nil, it.cancelled
	m["executable"] = nil
	if it.build != nil {
		m["executable"] = map[string]any{"_class": "hudson.model.FreeStyleBuild", "number": it.build.number,
			"url": fmt.Sprintf("%s/job/%s/%d/", s.root, it.job.name, it.build.number)}
	}
	return m
}

// queueObj is /queue/ (hudson.model.Queue, which has no index view).
func (s *Server) queueObj(c *call) {
	if c.atObject(nil) {
		return
	}
	switch c.next() {
	case "api":
		c.api(s.queueJSON)
	case "cancelItem": // Queue.doCancelItem, @RequirePOST (JENKINS-21311: 204, 404, 500)
		if !c.requirePOST() {
			return
		}
		id, _ := strconv.ParseInt(c.r.FormValue("id"), 10, 64) // @QueryParameter long: 0 if absent
		it := s.items[int(id)]
		switch {
		case it == nil: // HttpResponses.error(404, "Provided id (N) not found")
			c.oopsCode(http.StatusNotFound)
		case !it.left.IsZero(): // Queue.cancel(LeftItem) is false: "Could not cancel run for id N"
			c.oopsCode(http.StatusInternalServerError)
		default:
			s.cancel(it)
			c.w.WriteHeader(http.StatusNoContent)
		}
	case "item": // Queue.getItem(long): a getter that needs the next token
		if !c.more() {
			c.notFound("")
			return
		}
		id, err := strconv.ParseInt(c.next(), 10, 64)
		if err != nil { // TokenList.nextAsLong: NumberFormatException
			c.oops()
			return
		}
		it := s.items[int(id)]
		if it == nil {
			c.notFound("")
			return
		}
		s.queueItem(c, it)
	default:
		c.notFound("")
	}
}

// queueItem is /queue/item/N/ (Queue.Item, no index view either).
func (s *Server) queueItem(c *call, it *queueItem) {
	if c.atObject(nil) {
		return
	}
	switch c.next() {
	case "api":
		c.api(func() map[string]any { return s.itemJSON(it) })
	case "cancelQueue": // deprecated Queue.Item.doCancelQueue, @RequirePOST: 204
		if c.requirePOST() {
			s.cancel(it)
			c.w.WriteHeader(http.StatusNoContent)
		}
	default:
		c.notFound("")
	}
}

func (s *Server) cancel(it *queueItem) {
	if !it.left.IsZero() {
		return
	}
	for i, q := range s.queue {
		if q == it {
			s.queue = append(s.queue[:i], s.queue[i+1:]...)
			break
		}
	}
	it.cancelled, it.left, it.why = true, s.opts.Now(), ""
}

// actions are a queue item's: its parameters, if any, and its cause.
func (s *Server) actions(params []param) []any {
	var out []any
	if len(params) > 0 {
		out = append(out, map[string]any{"_class": "hudson.model.ParametersAction", "parameters": paramsJSON(params)})
	}
	return append(out, map[string]any{"_class": "hudson.model.CauseAction", "causes": []any{map[string]any{
		"_class": "hudson.model.Cause$UserIdCause", "shortDescription": "Started by user " + s.opts.User,
		"userId": s.opts.User, "userName": s.opts.User}}})
}

func paramsJSON(ps []param) []any {
	out := []any{}
	for _, p := range ps {
		out = append(out, map[string]any{"_class": "hudson.model.StringParameterValue", "name": p.Name, "value": p.Value})
	}
	return out
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
