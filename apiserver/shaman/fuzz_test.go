package shaman

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
	"time"

	"minka/api/v1alpha1"
	simchacra "minka/sim/chacra"
	"minka/store"
)

// FuzzCallback feeds arbitrary bodies to the callback endpoint: never a
// 500 or a panic, and the store never holds an invalid Repo.
func FuzzCallback(f *testing.F) {
	files, _ := filepath.Glob(callbackGlob)
	for _, p := range files {
		b, _ := os.ReadFile(p)
		var x exchange
		if json.Unmarshal(b, &x) == nil && len(x.Request.JSON) > 2 {
			f.Add([]byte(x.Request.JSON))
		}
	}
	for _, s := range []string{``, `{}`, `null`, `[]`, `{"ref":1}`, `{"sha1":"0123456789abcdef0123456789abcdef01234567","ref":"main","distro":"u","distro_version":"1","status":"ready","chacra_url":"http://h/"}`} {
		f.Add([]byte(s))
	}
	e := newEnv(f, simchacra.Options{CallbackURL: "-"})
	n := 0
	f.Fuzz(func(t *testing.T, body []byte) {
		e.t = t // the env's helpers report to the running input
		got := e.do("POST", "/api/repos/hello/", true, body)
		if got.code >= 500 && got.code != 503 {
			t.Fatalf("%d %s for %q", got.code, got.body, body)
		}
		n++
		if n%16 != 1 {
			return
		}
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		l, err := e.st.List(ctx, repoKind, "", store.ListOptions{})
		if err != nil {
			t.Fatal(err)
		}
		for _, o := range l.GetItems() {
			if errs := v1alpha1.Validate(o); len(errs) > 0 {
				t.Fatalf("stored an invalid Repo %s: %v", o.GetName(), errs)
			}
			if errs := v1alpha1.ValidateStatus(o); len(errs) > 0 {
				t.Fatalf("stored an invalid Repo status %s: %v", o.GetName(), errs)
			}
		}
	})
}
