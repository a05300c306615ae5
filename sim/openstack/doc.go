// Package openstack simulates the OpenStack services minka's SlavePool
// controller uses, well enough that gophercloud v2 drives it unmodified:
// Keystone v3 password auth with a service catalog, Nova v2.1 servers
// (BUILD → ACTIVE after a boot delay, ERROR on demand), flavors, keypairs,
// limits and quotas that fail as Nova's do, volume attachments, Glance's
// version document and image list, and Cinder v3 volumes. Everything is
// served under one base URL: /identity, /compute/v2.1 (a project segment
// after it is accepted too), /image and /volume/v3/{project}, advertised
// in the Keystone catalog with the URL given to SetBaseURL (else the first
// request's Host). Fault knobs (SetFault, FailServer, FailNextBoots) make
// it fail as a real cloud does; SetFault takes Nova's quota error and
// sim/fault's failures: 500, 503, reset, hang, and applied-reset and
// applied-hang (the request applied, its reply lost). It imports nothing
// of minka outside sim/.
package openstack
