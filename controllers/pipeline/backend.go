package pipeline

import (
	"context"

	"minka/backend/gitmirror"
	"minka/backend/jenkins"
)

// Jenkins is what the Build controller needs of a Jenkins controller
// (backend/jenkins implements it).
type Jenkins interface {
	Name() string
	URL() string
	Session() string
	LastFailure() string
	Job(ctx context.Context, job string) (*jenkins.Job, error)
	Find(ctx context.Context, job, param, value string) (*jenkins.Item, *jenkins.Build, error)
	Trigger(ctx context.Context, job string, params map[string]string) (int64, error)
	QueueItem(ctx context.Context, id int64) (*jenkins.Item, error)
	Build(ctx context.Context, job string, number int64) (*jenkins.Build, error)
	CancelItem(ctx context.Context, id int64) error
	Stop(ctx context.Context, job string, number int64) error
}

// Git is what the Build controller needs of the git sources
// (backend/gitmirror implements it).
type Git interface {
	Resolve(ctx context.Context, url, ref string) (string, error)
	Describe(ctx context.Context, url, sha1 string) (gitmirror.Describe, error)
}
