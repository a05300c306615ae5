package client

import (
	"context"
	"net/http"

	"minka/api/admin"
	"minka/api/sealing"
)

// EtcdStatus reads etcd's members, database sizes, quota and alarms
// (admin role).
func (c *Client) EtcdStatus(ctx context.Context) (*admin.EtcdStatus, error) {
	return c.etcdStep(ctx, http.MethodGet, "/admin/etcd")
}

// EtcdCompact compacts etcd's history at its current revision.
func (c *Client) EtcdCompact(ctx context.Context) (*admin.EtcdStatus, error) {
	return c.etcdStep(ctx, http.MethodPost, "/admin/etcd/compact")
}

// EtcdDefragment defragments every etcd member, one after another. It
// takes as long as ctx allows (a large database takes minutes), not the
// client's request timeout.
func (c *Client) EtcdDefragment(ctx context.Context) (*admin.EtcdStatus, error) {
	return c.etcdStep(ctx, http.MethodPost, "/admin/etcd/defragment")
}

// EtcdDisarm disarms etcd's NOSPACE alarm; the server refuses (409) while
// a member's database is still at its quota.
func (c *Client) EtcdDisarm(ctx context.Context) (*admin.EtcdStatus, error) {
	return c.etcdStep(ctx, http.MethodPost, "/admin/etcd/disarm")
}

func (c *Client) etcdStep(ctx context.Context, method, p string) (*admin.EtcdStatus, error) {
	var st admin.EtcdStatus
	if err := c.doWith(ctx, c.stream, method, p, nil, nil, &st); err != nil {
		return nil, err
	}
	return &st, nil
}

// SealingKey reads the server's public sealing key (role view); a server
// that holds none answers 404.
func (c *Client) SealingKey(ctx context.Context) (*sealing.Key, error) {
	var k sealing.Key
	if err := c.doWith(ctx, c.hc, http.MethodGet, sealing.Path, nil, nil, &k); err != nil {
		return nil, err
	}
	return &k, nil
}
