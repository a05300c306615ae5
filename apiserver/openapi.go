package apiserver

import (
	"fmt"
	"net/http"
	"strings"
	"sync"

	openapiv2 "github.com/google/gnostic-models/openapiv2"
	"google.golang.org/protobuf/proto"

	"minka/api/oapi"
)

// The media type of /openapi/v2 as gnostic protobuf, as kube-apiserver
// labels it (kubectl asks for the @v1.0 spelling, which mime cannot parse).
const openAPIV2Protobuf = "application/com.github.proto-openapi.spec.v2.v1.0+protobuf"

var v2Protobuf = sync.OnceValues(func() ([]byte, error) {
	js, err := oapi.V2()
	if err != nil {
		return nil, err
	}
	doc, err := openapiv2.ParseDocument(js)
	if err != nil {
		return nil, fmt.Errorf("parsing openapi v2: %w", err)
	}
	return proto.Marshal(doc)
})

// mountOpenAPI serves the OpenAPI documents kubectl reads (explain,
// validation, apply's choice of patch) as kube-apiserver serves them:
// v2 as JSON or gnostic protobuf, v3's root listing the group version's
// document by its hash, and that document, cacheable for good under it.
func (s *Server) mountOpenAPI() {
	s.mux.HandleFunc("GET /openapi/v2", func(w http.ResponseWriter, r *http.Request) {
		if strings.Contains(r.Header.Get("Accept"), "protobuf") {
			b, err := v2Protobuf()
			serveDoc(w, openAPIV2Protobuf, b, err)
			return
		}
		b, err := oapi.V2()
		serveDoc(w, "application/json", b, err)
	})
	s.mux.HandleFunc("GET /openapi/v3", func(w http.ResponseWriter, _ *http.Request) {
		b, err := oapi.V3Root()
		serveDoc(w, "application/json", b, err)
	})
	s.mux.HandleFunc("GET /openapi/v3/"+oapi.GroupVersionPath, func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Query().Get("hash") != "" {
			w.Header().Set("Cache-Control", "public, immutable")
		}
		b, err := oapi.V3()
		serveDoc(w, "application/json", b, err)
	})
}

func serveDoc(w http.ResponseWriter, ctype string, b []byte, err error) {
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", ctype)
	_, _ = w.Write(b)
}
