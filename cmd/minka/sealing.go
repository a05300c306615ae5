package main

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"minka/api/sealed"
	"minka/api/sealing"
	"minka/apiserver"
	"minka/backend"
)

// loadKeys reads the server's sealing keys, each entry once; nil when
// the config names none (then sealed values are refused where they are
// handed on, with a condition saying so). An error names the entry,
// never its contents.
func loadKeys(e backend.Encryption) (*sealed.Keys, error) {
	if len(e.Keys) == 0 {
		return nil, nil
	}
	var all strings.Builder
	for i, k := range e.Keys {
		text, err := k.Value()
		if err == nil {
			_, err = sealed.ParseKeys(text)
		}
		if err != nil {
			return nil, fmt.Errorf("encryption.keys[%d]: %w", i, err)
		}
		all.WriteString(text + "\n")
	}
	return sealed.ParseKeys(all.String())
}

// mountSealing serves the public key `minka encrypt` seals to, behind the
// token chain as a read (role view). Without keys it answers 404.
func mountSealing(srv *apiserver.Server, keys *sealed.Keys) {
	srv.Mount(sealing.Path, srv.Protected(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			w.Header().Set("Allow", "GET, HEAD")
			http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
			return
		}
		if keys == nil {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusNotFound)
			_ = json.NewEncoder(w).Encode(metav1.Status{TypeMeta: metav1.TypeMeta{Kind: "Status", APIVersion: "v1"},
				Status: metav1.StatusFailure, Code: http.StatusNotFound, Reason: metav1.StatusReasonNotFound,
				Message: "this server holds no sealing key: add encryption.keys to its config (age-keygen makes one)"})
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(sealing.Key{Recipient: keys.Recipient(), KeyID: sealed.KeyID(keys.Recipient()), KeyIDs: keys.KeyIDs()})
	})))
}
