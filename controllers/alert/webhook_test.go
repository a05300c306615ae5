package alert

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"minka/api/v1alpha1"
	"minka/backend"
)

// The generic webhook: the event as JSON, X-Signature the HMAC-SHA256 of
// the body under the receiver's key, X-Minka-Delivery the same on every
// try of one message; a receiver that does not answer gives an error
// that names the receiver but not its URL.
func TestWebhookReceiver(t *testing.T) {
	var got struct {
		body    []byte
		headers http.Header
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got.body, _ = io.ReadAll(r.Body)
		got.headers = r.Header.Clone()
		w.WriteHeader(http.StatusAccepted)
	}))
	defer srv.Close()
	dir := t.TempDir()
	write := func(name, v string) backend.Secret {
		f := filepath.Join(dir, name)
		_ = os.WriteFile(f, []byte(v), 0o600)
		return backend.Secret{File: f}
	}
	secretPath := "/hooks/audit?token=s3cret-query-token"
	rcv := newReceiver(backend.Receiver{Name: "audit", Type: backend.ReceiverWebhook, URL: write("url", srv.URL+secretPath),
		HMACKey: write("key", "hmac-key"), Timeout: metav1.Duration{Duration: time.Second}})
	if rcv.err != nil {
		t.Fatal(rcv.err)
	}
	ev := &v1alpha1.Event{InvolvedObject: v1alpha1.ObjectReference{Kind: "Repo", Namespace: "ci", Name: "webapp"}, Type: "Warning",
		Reason: "Failed", Message: "ubuntu/jammy: build failed", Count: 1}
	m := message{Title: "Repo ci/webapp: Failed", Text: ev.Message, Outcome: outcomeBad, Event: ev, Alert: "ci/audit"}
	if err := rcv.send(context.Background(), m, "uid/key/1"); err != nil {
		t.Fatal(err)
	}
	mac := hmac.New(sha256.New, []byte("hmac-key"))
	mac.Write(got.body)
	if sig := got.headers.Get("X-Signature"); sig != "sha256="+hex.EncodeToString(mac.Sum(nil)) {
		t.Errorf("X-Signature %q does not sign the body", sig)
	}
	if d := got.headers.Get("X-Minka-Delivery"); d != "uid/key/1" {
		t.Errorf("X-Minka-Delivery %q", d)
	}
	var body map[string]any
	if err := json.Unmarshal(got.body, &body); err != nil || body["reason"] != "Failed" || body["outcome"] != "bad" || body["alert"] != "ci/audit" {
		t.Errorf("body %s: %v", got.body, err)
	}

	srv.Close()
	err := rcv.send(context.Background(), m, "uid/key/1")
	de, ok := err.(*deliveryError)
	if !ok || !de.retry || strings.Contains(err.Error(), "s3cret") || strings.Contains(err.Error(), srv.URL) || !strings.Contains(err.Error(), "receiver audit") {
		t.Errorf("a receiver that is gone: %v", err)
	}
}
