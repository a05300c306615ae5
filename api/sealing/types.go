// Package sealing holds the wire type of the server's public sealing key
// (GET /sealing/v1/key), which `minka encrypt` seals values to without a
// key of its own, as Bitnami's kubeseal fetches the controller's
// certificate. Like api/v1alpha1 it imports nothing of minka.
package sealing

// Path is where the server answers its public key.
const Path = "/sealing/v1/key"

// Key is the server's public sealing key. Nothing in it is secret.
type Key struct {
	// Recipient is the age X25519 public key (age1...) values are sealed
	// to: the newest of the server's keys.
	Recipient string `json:"recipient"`
	// KeyID names it in sealed values (sealed:v1:<key id>:...).
	KeyID string `json:"keyID"`
	// KeyIDs are every key the server opens with, the newest first: a
	// value sealed with another than the first is due to be sealed again.
	KeyIDs []string `json:"keyIDs"`
}
