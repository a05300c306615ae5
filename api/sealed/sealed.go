// Package sealed encrypts values for manifests so that only the server
// can read them, as Bitnami's sealed-secrets does for Kubernetes: the CLI
// seals with the server's public key (an age X25519 recipient), the
// server opens with its identities. A value is sealed for a scope (a
// namespace, or a Pipeline in one) and opens only there: the scope is
// inside the authenticated ciphertext, so a value copied into another
// namespace is refused instead of decrypted.
//
// The text form is "sealed:v1:<key id>:<base64 age ciphertext>". The key
// id names the recipient that sealed it, so that rotation can tell which
// objects still use an old key.
package sealed

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"

	"filippo.io/age"
)

// Prefix starts every sealed value.
const Prefix = "sealed:v1:"

// maxValue bounds what is sealed: a secret, not a file. Sealed, it fits
// a manifest value (64 KiB) with room to spare.
const maxValue = 32 << 10

// maxScope bounds a scope: "pipeline/" and a namespace and a name, each
// at most a DNS subdomain.
const maxScope = 1024

// IsSealed says whether s is in the sealed text form.
func IsSealed(s string) bool { return strings.HasPrefix(s, Prefix) }

// KeyID names a recipient: the first 8 bytes of the SHA-256 of its
// age1... text, in hex.
func KeyID(recipient string) string {
	sum := sha256.Sum256([]byte(recipient))
	return hex.EncodeToString(sum[:8])
}

// NamespaceScope is the scope of every object's values in a namespace
// ("namespace/ci"); a value sealed for it opens nowhere else.
func NamespaceScope(ns string) string { return "namespace/" + ns }

// PipelineScope is the scope of one Pipeline's values
// ("pipeline/ci/webapp"), narrower than its namespace's.
func PipelineScope(ns, name string) string { return "pipeline/" + ns + "/" + name }

// Seal encrypts value for scope to recipient (an age1... public key).
func Seal(recipient, scope, value string) (string, error) {
	r, err := age.ParseX25519Recipient(recipient)
	if err != nil {
		return "", fmt.Errorf("the server's public key: %w", err)
	}
	if scope == "" || len(scope) > maxScope || strings.ContainsRune(scope, 0) {
		return "", fmt.Errorf("scope %.64q: must be set, at most %d bytes, and hold no NUL", scope, maxScope)
	}
	if len(value) > maxValue {
		return "", fmt.Errorf("value of %d bytes: at most %d may be sealed", len(value), maxValue)
	}
	var buf bytes.Buffer
	w, err := age.Encrypt(&buf, r)
	if err != nil {
		return "", fmt.Errorf("sealing: %w", err)
	}
	if _, err := io.WriteString(w, scope+"\x00"+value); err != nil {
		return "", fmt.Errorf("sealing: %w", err)
	}
	if err := w.Close(); err != nil {
		return "", fmt.Errorf("sealing: %w", err)
	}
	return Prefix + KeyID(r.String()) + ":" + base64.StdEncoding.EncodeToString(buf.Bytes()), nil
}

// Keys are the server's identities, the newest first: the newest seals,
// all open.
type Keys struct {
	ids  []*age.X25519Identity
	byID map[string]*age.X25519Identity
}

// ParseKeys reads identities (AGE-SECRET-KEY-1...), one per line; blank
// lines and # comments are skipped. The first is the newest.
func ParseKeys(text string) (*Keys, error) {
	k := &Keys{byID: map[string]*age.X25519Identity{}}
	for n, line := range strings.Split(text, "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		id, err := age.ParseX25519Identity(line)
		if err != nil {
			// The error would quote the key: say only where it is.
			return nil, fmt.Errorf("line %d: not an age X25519 identity (AGE-SECRET-KEY-1...)", n+1)
		}
		k.ids = append(k.ids, id)
		k.byID[KeyID(id.Recipient().String())] = id
	}
	if len(k.ids) == 0 {
		return nil, errors.New("no age identity found")
	}
	return k, nil
}

// Recipient is the public key values are sealed to: the newest's.
func (k *Keys) Recipient() string { return k.ids[0].Recipient().String() }

// KeyIDs lists the identities' key ids, the newest first.
func (k *Keys) KeyIDs() []string {
	out := make([]string, len(k.ids))
	for i, id := range k.ids {
		out[i] = KeyID(id.Recipient().String())
	}
	return out
}

// ErrScope is a value sealed for another scope.
var ErrScope = errors.New("sealed for another scope")

// ErrNoKeys is a sealed value met by a server that holds no key.
var ErrNoKeys = errors.New("the server holds no sealing key (encryption.keys in its config)")

// Open decrypts a sealed value that was sealed for one of scopes (a
// Pipeline's values open for the Pipeline and for its namespace). Its
// errors never quote the value or the key. A nil Keys opens nothing.
func (k *Keys) Open(sealed string, scopes ...string) (string, error) {
	keyID, data, err := parse(sealed)
	if err != nil {
		return "", err
	}
	if k == nil {
		return "", ErrNoKeys
	}
	id, ok := k.byID[keyID]
	if !ok {
		return "", fmt.Errorf("sealed with key %s, which the server does not hold (it holds %s)", keyID, strings.Join(k.KeyIDs(), ", "))
	}
	r, err := age.Decrypt(bytes.NewReader(data), id)
	if err != nil {
		return "", fmt.Errorf("sealed value with key %s does not decrypt (altered or truncated)", keyID)
	}
	plain, err := io.ReadAll(io.LimitReader(r, maxValue+maxScope+1))
	if err != nil {
		return "", fmt.Errorf("sealed value with key %s does not decrypt (altered or truncated)", keyID)
	}
	got, value, ok := strings.Cut(string(plain), "\x00")
	if !ok {
		return "", errors.New("sealed value has no scope")
	}
	if !slices.Contains(scopes, got) {
		return "", fmt.Errorf("%w: it was sealed for %s, not %s (seal it again with minka encrypt --scope)", ErrScope, got, strings.Join(scopes, " or "))
	}
	return value, nil
}

// Check says whether s is a well-formed sealed value, without a key: what
// validation can tell when a manifest is written.
func Check(s string) error {
	_, data, err := parse(s)
	if err == nil && len(data) == 0 {
		err = errors.New("sealed value: no data")
	}
	return err
}

// SealedKeyID is the key id a sealed value names, "" if s is not sealed.
func SealedKeyID(s string) string {
	id, _, err := parse(s)
	if err != nil {
		return ""
	}
	return id
}

func parse(s string) (string, []byte, error) {
	rest, ok := strings.CutPrefix(s, Prefix)
	if !ok {
		return "", nil, fmt.Errorf("not a sealed value (want %s<key id>:<data>)", Prefix)
	}
	keyID, b64, ok := strings.Cut(rest, ":")
	if _, err := hex.DecodeString(keyID); !ok || len(keyID) != 16 || err != nil {
		return "", nil, errors.New("sealed value: malformed key id")
	}
	data, err := base64.StdEncoding.DecodeString(b64)
	if err != nil {
		return "", nil, fmt.Errorf("sealed value: the data is not base64: %w", err)
	}
	return keyID, data, nil
}

// NewKey makes a new identity, in the text age-keygen writes (a comment
// with the public key, then the AGE-SECRET-KEY-1... line).
func NewKey() (string, error) {
	id, err := age.GenerateX25519Identity()
	if err != nil {
		return "", fmt.Errorf("making a key: %w", err)
	}
	return "# public key: " + id.Recipient().String() + "\n" + id.String() + "\n", nil
}
