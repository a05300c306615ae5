package pipeline

import (
	"context"
	"sync"
	"time"

	"minka/backend/jenkins"
)

// jobTTL is how long a job's parameter definitions are trusted: a
// trigger checks them (MINKA_BUILD must be there), and a burst of pushes
// should not read them once each.
const jobTTL = 10 * time.Second

// jobCache keeps each job's definitions for jobTTL; a failed read is not
// kept.
type jobCache struct {
	mu   sync.Mutex
	now  func() time.Time
	jobs map[string]cachedJob
}

type cachedJob struct {
	job *jenkins.Job
	at  time.Time
}

func newJobCache(now func() time.Time) *jobCache {
	return &jobCache{now: now, jobs: map[string]cachedJob{}}
}

func (c *jobCache) get(ctx context.Context, jk Jenkins, job string) (*jenkins.Job, error) {
	key := jk.Name() + "\x00" + job
	c.mu.Lock()
	cj, ok := c.jobs[key]
	c.mu.Unlock()
	if ok && c.now().Sub(cj.at) < jobTTL {
		return cj.job, nil
	}
	j, err := jk.Job(ctx, job)
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	c.jobs[key] = cachedJob{job: j, at: c.now()}
	c.mu.Unlock()
	return j, nil
}
