package store

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"sync"
	"time"

	"go.etcd.io/etcd/api/v3/v3rpc/rpctypes"
	clientv3 "go.etcd.io/etcd/client/v3"
	"k8s.io/apimachinery/pkg/fields"
	"k8s.io/apimachinery/pkg/labels"

	"minka/api/admin"
	"minka/api/v1alpha1"
)

// DefaultPrefix is the etcd key prefix under which every object lives.
const DefaultPrefix = "/minka/"

// DefaultEventTTL is how long an Event lives unless refreshed.
const DefaultEventTTL = time.Hour

// Options tune a Store.
type Options struct {
	// Prefix of every key (default DefaultPrefix).
	Prefix string
	// EventTTL is the lifetime of Events (default DefaultEventTTL).
	EventTTL time.Duration
	// MaxRequestBytes is the largest request etcd accepts (default
	// DefaultMaxRequestBytes): objects are limited to
	// MaxObjectBytes(MaxRequestBytes). Give it the EtcdConfig's value.
	MaxRequestBytes int64
}

// Store is typed CRUD and watch over etcd. It is safe for concurrent use.
type Store struct {
	cli       *clientv3.Client
	prefix    string
	maxObject int64
	leases    *leaseCache
	fence     *Fence
	hints     *hints
}

// New returns a Store on an etcd client.
func New(cli *clientv3.Client, opts Options) *Store {
	if opts.Prefix == "" {
		opts.Prefix = DefaultPrefix
	}
	if opts.EventTTL <= 0 {
		opts.EventTTL = DefaultEventTTL
	}
	if opts.MaxRequestBytes <= 0 {
		opts.MaxRequestBytes = DefaultMaxRequestBytes
	}
	return &Store{cli: cli, prefix: opts.Prefix, maxObject: MaxObjectBytes(opts.MaxRequestBytes),
		leases: &leaseCache{cli: cli, ttl: opts.EventTTL}, hints: &hints{}}
}

// MaxObjectBytes is the largest encoded object this store writes.
func (s *Store) MaxObjectBytes() int64 { return s.maxObject }

// ListOptions filter a List or a Watch; nil selectors match everything.
type ListOptions struct {
	Labels labels.Selector
	Fields fields.Selector
}

// Matches says whether obj passes both selectors.
func (o ListOptions) Matches(obj v1alpha1.Object) bool { return o.matches(obj) }

func (o ListOptions) matches(obj v1alpha1.Object) bool {
	if o.Labels != nil && !o.Labels.Matches(labels.Set(obj.GetLabels())) {
		return false
	}
	return o.Fields == nil || o.Fields.Matches(FieldsOf(obj))
}

// everything says no selector can refuse an object.
func (o ListOptions) everything() bool {
	return (o.Labels == nil || o.Labels.Empty()) && (o.Fields == nil || o.Fields.Empty())
}

// Revision returns etcd's current revision.
func (s *Store) Revision(ctx context.Context) (int64, error) {
	resp, err := s.cli.Get(ctx, s.prefix, clientv3.WithCountOnly())
	if err != nil {
		return 0, fmt.Errorf("reading etcd revision: %w", err)
	}
	return resp.Header.Revision, nil
}

// Ready returns nil when etcd answers a linearizable read and no NOSPACE
// alarm is raised; with one, an error that NoSpace reports.
func (s *Store) Ready(ctx context.Context) error {
	if _, err := s.Revision(ctx); err != nil {
		return err
	}
	alarms, err := s.Alarms(ctx)
	if err != nil {
		return err
	}
	for _, a := range alarms {
		if a.Alarm == admin.AlarmNoSpace {
			return fmt.Errorf("etcd member %s raised its NOSPACE alarm: %w", a.Member, rpctypes.ErrNoSpace)
		}
	}
	return nil
}

func (s *Store) kindPrefix(k v1alpha1.Kind) string { return s.prefix + k.Plural + "/" }

// nsPrefix is the prefix of one namespace's objects, or of all when ns is "".
func (s *Store) nsPrefix(k v1alpha1.Kind, ns string) string {
	if ns == "" || !k.Namespaced {
		return s.kindPrefix(k)
	}
	return s.kindPrefix(k) + ns + "/"
}

func (s *Store) key(k v1alpha1.Kind, ns, name string) string {
	if !k.Namespaced {
		return s.kindPrefix(k) + name
	}
	return s.kindPrefix(k) + ns + "/" + name
}

// encode is the stored form: JSON with apiVersion and kind, without
// resourceVersion (the mod revision is the resourceVersion, so storing it
// would make every write differ from the last).
func encode(obj v1alpha1.Object) ([]byte, error) {
	v1alpha1.SetTypeMeta(obj)
	rv := obj.GetResourceVersion()
	obj.SetResourceVersion("")
	data, err := json.Marshal(obj)
	obj.SetResourceVersion(rv)
	if err != nil {
		return nil, fmt.Errorf("encoding %s %s: %w", obj.GetObjectKind().GroupVersionKind().Kind, obj.GetName(), err)
	}
	return data, nil
}

func decode(k v1alpha1.Kind, data []byte, modRev int64) (v1alpha1.Object, error) {
	obj := k.New()
	if err := json.Unmarshal(data, obj); err != nil {
		return nil, fmt.Errorf("decoding stored %s: %w", k.Kind, err)
	}
	v1alpha1.SetTypeMeta(obj)
	obj.SetResourceVersion(strconv.FormatInt(modRev, 10))
	return obj, nil
}

// ParseResourceVersion reads a resourceVersion of kind k: "" is 0; anything
// but a non-negative integer is an ErrInvalid that names it.
func ParseResourceVersion(k v1alpha1.Kind, rv string) (int64, error) { return parseRV(k, rv) }

// parseRV reads a resourceVersion; "" is 0.
func parseRV(k v1alpha1.Kind, rv string) (int64, error) {
	if rv == "" {
		return 0, nil
	}
	n, err := strconv.ParseInt(rv, 10, 64)
	if err != nil || n < 0 {
		return 0, &Error{Err: ErrInvalid, Kind: k.Kind, Msg: fmt.Sprintf("resourceVersion %q is not a non-negative integer", rv)}
	}
	return n, nil
}

// leaseCache hands out one etcd lease per minute of Event creations, so a
// burst of events costs one lease, not one each (as kube-apiserver's lease
// manager does). Events then expire between ttl and ttl+reuse().
type leaseCache struct {
	cli *clientv3.Client
	ttl time.Duration

	mu      sync.Mutex
	id      clientv3.LeaseID
	granted time.Time
}

// reuse is how long one lease serves new events: a minute, or a tenth of a
// short TTL so that events still expire close to it.
func (l *leaseCache) reuse() time.Duration { return min(time.Minute, l.ttl/10) }

func (l *leaseCache) get(ctx context.Context) (clientv3.LeaseID, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.id != 0 && time.Since(l.granted) < l.reuse() {
		return l.id, nil
	}
	ttl := (l.ttl + l.reuse() + time.Second - 1) / time.Second
	resp, err := l.cli.Grant(ctx, int64(ttl))
	if err != nil {
		return 0, fmt.Errorf("granting event lease: %w", err)
	}
	l.id, l.granted = resp.ID, time.Now()
	return l.id, nil
}
