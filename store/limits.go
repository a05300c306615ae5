package store

import (
	"errors"
	"fmt"

	"go.etcd.io/etcd/api/v3/v3rpc/rpctypes"
	"go.etcd.io/etcd/server/v3/embed"
)

// Every size bound of minka follows from one setting: the largest request
// etcd accepts (etcd's --max-request-bytes, EtcdConfig.MaxRequestBytes and
// Options.MaxRequestBytes here).
//
//   - The embedded etcd is configured with it; an external one must accept
//     at least as much.
//   - The store writes objects of at most MaxObjectBytes of it: the request
//     less what a write adds to the object. A larger object is
//     ErrTooLarge before anything is sent, not etcd's "request is too
//     large" (500).
//   - The API's body limit defaults to MaxBodyBytes of it (twice), as
//     kube-apiserver's 3 MiB is twice etcd's 1.5 MiB: a body may hold an
//     object the store can take, with room for indented JSON or YAML,
//     and a larger body is refused before it is decoded.
const (
	// DefaultMaxRequestBytes is etcd's own default, 1.5 MiB, so that the
	// defaults fit an external etcd run with its defaults.
	DefaultMaxRequestBytes = int64(embed.DefaultMaxRequestBytes)
	// requestOverhead is what a write's etcd request adds to the object's
	// encoded bytes: the key twice (compare and put, a few hundred bytes
	// at most with a 253-byte name), the fence's compare, a lease, the
	// raft request header and protobuf framing. That is about 1 KiB; the
	// margin covers a long key prefix too.
	requestOverhead = 16 << 10
	// grpcOverhead is what etcd's gRPC server allows past
	// --max-request-bytes (etcd's grpcOverheadBytes): the client's send
	// limit matches it.
	grpcOverhead = 512 << 10
)

// MaxObjectBytes is the largest encoded object the store writes when
// etcd accepts requests of maxRequest bytes.
func MaxObjectBytes(maxRequest int64) int64 { return maxRequest - requestOverhead }

// MaxBodyBytes is the request body limit that goes with maxRequest: twice
// it (see above).
func MaxBodyBytes(maxRequest int64) int64 { return 2 * maxRequest }

// checkMaxRequest refuses a request limit that leaves no room for objects.
func checkMaxRequest(n int64) error {
	if n <= 2*requestOverhead {
		return fmt.Errorf("etcd max request bytes %d is too small: want more than %d", n, 2*requestOverhead)
	}
	return nil
}

// ErrTooLarge: the object, encoded, is larger than the store writes.
var ErrTooLarge = errors.New("too large")

// TooLargeError is an object too large to store: its encoded size and the
// limit. Limit 0 means etcd itself refused the request (an external etcd
// whose --max-request-bytes is below the store's MaxRequestBytes).
type TooLargeError struct {
	Kind      string
	Namespace string
	Name      string
	Size      int64
	Limit     int64
}

func (e *TooLargeError) Error() string {
	return fmt.Sprintf("%s: %v: %s", objectRef(e.Kind, e.Namespace, e.Name), ErrTooLarge, e.Detail())
}

// Detail says how large the object is against what limit, for people.
func (e *TooLargeError) Detail() string {
	if e.Limit == 0 {
		return fmt.Sprintf("the object is %d bytes encoded and etcd refused the request as too large (its --max-request-bytes is below the server's)", e.Size)
	}
	return fmt.Sprintf("the object is %d bytes encoded, the limit is %d bytes", e.Size, e.Limit)
}

// Is makes errors.Is(err, ErrTooLarge) true.
func (e *TooLargeError) Is(target error) bool { return target == ErrTooLarge }

// checkSize refuses data larger than the store's object limit.
func (s *Store) checkSize(kind, ns, name string, data []byte) error {
	if int64(len(data)) > s.maxObject {
		return &TooLargeError{Kind: kind, Namespace: ns, Name: name, Size: int64(len(data)), Limit: s.maxObject}
	}
	return nil
}

// etcdTooLarge turns etcd's own "request is too large" into a
// TooLargeError, for an etcd that accepts less than the store assumes.
func etcdTooLarge(err error, kind, ns, name string, data []byte) error {
	if errors.Is(err, rpctypes.ErrRequestTooLarge) {
		return &TooLargeError{Kind: kind, Namespace: ns, Name: name, Size: int64(len(data))}
	}
	return err
}
