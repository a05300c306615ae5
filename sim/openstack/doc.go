// Package openstack simulates the OpenStack services minka's SlavePool
// controller uses, well enough that gophercloud v2, keystoneauth (the
// openstack CLI) and Apache libcloud (ceph's mita) drive it unmodified:
// Keystone v3 password auth with a service catalog, token validation and
// revocation; Nova v2.1 servers (BUILD → ACTIVE after a boot delay, ERROR
// on demand), flavors, keypairs, limits and quotas that fail as Nova's
// do, volume attachments, and the image and volume proxies (images,
// os-volumes) up to microversion 2.35; Glance's images and Cinder v3
// volumes, one volume state whichever API touches it.
//
// Everything is served under one base URL: /identity, /compute (v2.1,
// and v2 in legacy mode; a project segment after either is accepted too),
// /image and /volume/v3[/{project}], advertised in the Keystone catalog
// with the URL given to SetBaseURL (else the first request's Host). Each
// service is routed as its own WSGI pipeline routes it: version
// documents at every URL the service documents, without a token; Nova's
// microversions from X-OpenStack-Nova-API-Version or OpenStack-API-Version
// (400, 406, the version and Vary headers), Cinder's from
// OpenStack-API-Version; repeated slashes merged where paste merges them;
// trailing slashes stripped by Keystone and refused (404) elsewhere; the
// frameworks' bare error pages (WebOb's, Werkzeug's) where no controller
// answers, JSON faults where one does.
//
// Fault knobs (SetFault, FailServer, FailNextBoots) make it fail as a real
// cloud does; SetFault takes Nova's quota error and sim/fault's failures:
// 500, 503, reset, hang, and applied-reset and applied-hang (the request
// applied, its reply lost). It imports nothing of minka outside sim/.
package openstack
