package store

import (
	"context"
	"errors"
	"fmt"

	"go.etcd.io/etcd/api/v3/etcdserverpb"
	"go.etcd.io/etcd/api/v3/v3rpc/rpctypes"
	clientv3 "go.etcd.io/etcd/client/v3"

	"minka/api/admin"
)

// NoSpace reports whether err is etcd's refusal of a write while its
// NOSPACE alarm is raised ("mvcc: database space exceeded"), or Ready's
// report of that alarm: the database reached its quota, and etcd takes
// only reads and deletes until an operator frees space and disarms the
// alarm (Compact, Defragment, DisarmNoSpace).
func NoSpace(err error) bool { return err != nil && errors.Is(err, rpctypes.ErrNoSpace) }

// ConflictError is a maintenance step refused in etcd's present state.
type ConflictError struct{ Msg string }

func (e *ConflictError) Error() string { return e.Msg }

// Alarms lists etcd's raised alarms.
func (s *Store) Alarms(ctx context.Context) ([]admin.EtcdAlarm, error) {
	resp, err := s.cli.AlarmList(ctx)
	if err != nil {
		return nil, fmt.Errorf("listing etcd alarms: %w", err)
	}
	alarms := []admin.EtcdAlarm{}
	for _, a := range resp.Alarms {
		alarms = append(alarms, admin.EtcdAlarm{Member: fmt.Sprintf("%x", a.MemberID), Alarm: a.Alarm.String()})
	}
	return alarms, nil
}

// EtcdStatus reads each endpoint's status and the raised alarms. A member
// that does not answer is listed with its error.
func (s *Store) EtcdStatus(ctx context.Context) (*admin.EtcdStatus, error) {
	alarms, err := s.Alarms(ctx)
	if err != nil {
		return nil, err
	}
	st := &admin.EtcdStatus{Alarms: alarms}
	for _, ep := range s.cli.Endpoints() {
		m := s.member(ctx, ep)
		st.Members = append(st.Members, m)
	}
	if st.Revision, err = s.Revision(ctx); err != nil {
		return nil, err
	}
	return st, nil
}

func (s *Store) member(ctx context.Context, endpoint string) admin.EtcdMember {
	m := admin.EtcdMember{Endpoint: endpoint}
	resp, err := s.cli.Status(ctx, endpoint)
	if err != nil {
		m.Error = err.Error()
		return m
	}
	m.ID, m.Version, m.Leader = fmt.Sprintf("%x", resp.Header.MemberId), resp.Version, resp.Leader == resp.Header.MemberId
	m.DBSize, m.DBSizeInUse, m.QuotaBytes = resp.DbSize, resp.DbSizeInUse, resp.DbSizeQuota
	return m
}

// Compact discards etcd's history before its current revision and waits
// until every member has (a physical compaction), then reports the
// status. A watch from an older revision is then 410 Gone and relists;
// the API's watch cache keeps its own history.
func (s *Store) Compact(ctx context.Context) (*admin.EtcdStatus, error) {
	rev, err := s.Revision(ctx)
	if err != nil {
		return nil, err
	}
	if _, err := s.cli.Compact(ctx, rev, clientv3.WithCompactPhysical()); err != nil && !errors.Is(err, rpctypes.ErrCompacted) {
		return nil, fmt.Errorf("compacting etcd at revision %d: %w", rev, err)
	}
	st, err := s.EtcdStatus(ctx)
	if err != nil {
		return nil, err
	}
	st.Step, st.Revision = "compact", rev
	return st, nil
}

// Defragment returns each member's free pages to the file system, one
// member after another (a member serves nothing while it defragments),
// then reports the status.
func (s *Store) Defragment(ctx context.Context) (*admin.EtcdStatus, error) {
	for _, ep := range s.cli.Endpoints() {
		if _, err := s.cli.Defragment(ctx, ep); err != nil {
			return nil, fmt.Errorf("defragmenting etcd member %s: %w", ep, err)
		}
	}
	st, err := s.EtcdStatus(ctx)
	if err != nil {
		return nil, err
	}
	st.Step = "defragment"
	return st, nil
}

// DisarmNoSpace disarms every NOSPACE alarm and reports them with the
// status. It refuses (ConflictError) while a member's database file is
// within one largest object of its quota, where etcd would raise the
// alarm again at the next large write: free space first. A CORRUPT alarm
// is never disarmed here.
func (s *Store) DisarmNoSpace(ctx context.Context) (*admin.EtcdStatus, error) {
	st, err := s.EtcdStatus(ctx)
	if err != nil {
		return nil, err
	}
	for _, m := range st.Members {
		if m.QuotaBytes > 0 && m.DBSize+s.maxObject >= m.QuotaBytes {
			return nil, &ConflictError{Msg: fmt.Sprintf("etcd member %s: its database file is %d bytes (%d in use), "+
				"within the largest object (%d bytes) of its quota of %d bytes: compact and defragment first, or delete objects",
				m.Endpoint, m.DBSize, m.DBSizeInUse, s.maxObject, m.QuotaBytes)}
		}
	}
	resp, err := s.cli.AlarmList(ctx)
	if err != nil {
		return nil, fmt.Errorf("listing etcd alarms: %w", err)
	}
	var disarmed []admin.EtcdAlarm
	for _, a := range resp.Alarms {
		if a.Alarm != etcdserverpb.AlarmType_NOSPACE {
			continue
		}
		if _, err := s.cli.AlarmDisarm(ctx, (*clientv3.AlarmMember)(a)); err != nil {
			return nil, fmt.Errorf("disarming etcd's NOSPACE alarm on member %x: %w", a.MemberID, err)
		}
		disarmed = append(disarmed, admin.EtcdAlarm{Member: fmt.Sprintf("%x", a.MemberID), Alarm: admin.AlarmNoSpace})
	}
	if st, err = s.EtcdStatus(ctx); err != nil {
		return nil, err
	}
	st.Step, st.Disarmed = "disarm", disarmed
	return st, nil
}
