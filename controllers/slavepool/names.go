package slavepool

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"minka/api/v1alpha1"
)

// Metadata on every Nova server minka boots: the pool's uid is the
// ownership test, the others help people reading `openstack server show`.
const (
	MetaPoolUID = "minka.dev/pool-uid"
	MetaPool    = "minka.dev/pool"
)

// Agent names are <pool>-<4 hex of the pool uid>-<index>: deterministic,
// so the name doubles as the idempotency key of a create (a crash between
// Nova's create and the status write finds the server by name), unique
// across namespaces and across a pool deleted and made again.
func prefix(p *v1alpha1.SlavePool) string {
	h := sha256.Sum256([]byte(p.UID))
	return p.Name + "-" + hex.EncodeToString(h[:2]) + "-"
}

func agentName(p *v1alpha1.SlavePool, i int) string { return fmt.Sprintf("%s%d", prefix(p), i) }

// indexOf parses an agent name of p; ok is false for any other name.
func indexOf(p *v1alpha1.SlavePool, name string) (int, bool) {
	rest, found := strings.CutPrefix(name, prefix(p))
	if !found || !digits.MatchString(rest) {
		return 0, false
	}
	i, err := strconv.Atoi(rest)
	return i, err == nil
}

// digits is an index as agentName writes it: no leading zero, so that
// one index has one name.
var digits = regexp.MustCompile(`^(0|[1-9][0-9]*)$`)

func ownsNode(p *v1alpha1.SlavePool, node string) bool { _, ok := indexOf(p, node); return ok }
