// Package admin holds the wire types of the API server's admin endpoints
// (/admin/etcd): what an operator reads and runs to bring etcd back when
// it is out of space. Like api/v1alpha1 it imports nothing of minka.
package admin

// EtcdMember is one etcd member's view of its database.
type EtcdMember struct {
	Endpoint string `json:"endpoint"`
	ID       string `json:"id,omitempty"`
	Version  string `json:"version,omitempty"`
	Leader   bool   `json:"leader"`
	// DBSize is the database file's size, which etcd checks its quota
	// against; DBSizeInUse is what live data and history occupy (a
	// compaction lowers it, a defragmentation brings DBSize down to it).
	DBSize      int64 `json:"dbSize"`
	DBSizeInUse int64 `json:"dbSizeInUse"`
	QuotaBytes  int64 `json:"quotaBytes"`
	// Error is why the member did not answer, if it did not.
	Error string `json:"error,omitempty"`
}

// EtcdAlarm is a raised etcd alarm (NOSPACE or CORRUPT) on a member.
type EtcdAlarm struct {
	Member string `json:"member"`
	Alarm  string `json:"alarm"`
}

// AlarmNoSpace is etcd's alarm for a database at its quota: etcd then
// refuses every write but deletes until the alarm is disarmed.
// AlarmCorrupt is etcd's alarm for members whose data disagree.
const (
	AlarmNoSpace = "NOSPACE"
	AlarmCorrupt = "CORRUPT"
)

// EtcdStatus is the answer of GET /admin/etcd, and of each maintenance
// step (then Step says which and Revision, for a compaction, where).
type EtcdStatus struct {
	Step     string       `json:"step,omitempty"`
	Revision int64        `json:"revision"`
	Members  []EtcdMember `json:"members"`
	Alarms   []EtcdAlarm  `json:"alarms"`
	// Disarmed lists the alarms a disarm step disarmed.
	Disarmed []EtcdAlarm `json:"disarmed,omitempty"`
}

// NoSpace says whether a NOSPACE alarm is raised.
func (st *EtcdStatus) NoSpace() bool {
	for _, a := range st.Alarms {
		if a.Alarm == AlarmNoSpace {
			return true
		}
	}
	return false
}
