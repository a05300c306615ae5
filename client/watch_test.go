package client

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"

	"minka/api/v1alpha1"
)

const goodLine = `{"type":"ADDED","object":{"apiVersion":"minka.dev/v1alpha1","kind":"Deployment","metadata":{"name":"web","namespace":"ci","resourceVersion":"7"},"spec":{"image":"nginx:1"}}}`

// watchServer answers a watch with body, then ends the response.
func watchServer(t *testing.T, body string) *Client {
	t.Helper()
	hs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Query().Get("watch") != "true" {
			http.Error(w, "not a watch", http.StatusBadRequest)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(body))
	}))
	t.Cleanup(hs.Close)
	c, err := New(Config{Server: hs.URL})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// drain reads every event until the channel closes, as "TYPE name" or
// "ERROR code" lines; broken is the Err of the last event.
func drain(t *testing.T, ch <-chan Event) (got []string, broken error) {
	t.Helper()
	timeout := time.After(10 * time.Second)
	for {
		select {
		case ev, ok := <-ch:
			if !ok {
				return got, broken
			}
			if ev.Type == "ERROR" {
				got = append(got, fmt.Sprintf("ERROR %d", ev.Status.Code))
			} else {
				got = append(got, ev.Type+" "+ev.Object.GetName())
			}
			broken = ev.Err
		case <-timeout:
			t.Fatalf("the watch channel did not close within 10s; got %v", got)
		}
	}
}

// TestWatchDecodeError: a stream that breaks ends with an ERROR event
// carrying the error; one the server ends cleanly just closes.
func TestWatchDecodeError(t *testing.T) {
	deploy, _ := v1alpha1.KindFor("Deployment")
	cases := []struct {
		reason string
		body   string
		want   []string
		broken string // in Event.Err; "" for a clean end
	}{
		{"a good line, then a broken one", goodLine + "\n{\"type\":\"MODIFIED\",\"object\":{nope}\n",
			[]string{"ADDED web", "ERROR 500"}, "invalid character 'n'"},
		{"a good line, then one cut mid-line", goodLine + "\n" + goodLine[:40],
			[]string{"ADDED web", "ERROR 500"}, "unexpected EOF"},
		{"an object that is not of the kind", `{"type":"ADDED","object":{"metadata":"web"}}` + "\n",
			[]string{"ERROR 500"}, "cannot unmarshal string"},
		{"a clean end after a line", goodLine + "\n", []string{"ADDED web"}, ""},
		{"the server's own ERROR line", goodLine + "\n" + `{"type":"ERROR","object":{"kind":"Status","apiVersion":"v1","status":"Failure","code":410,"reason":"Expired"}}` + "\n",
			[]string{"ADDED web", "ERROR 410"}, ""},
	}
	for _, c := range cases {
		t.Run(c.reason, func(t *testing.T) {
			ch, err := watchServer(t, c.body).Watch(context.Background(), deploy, "ci", WatchOptions{})
			if err != nil {
				t.Fatal(err)
			}
			got, broken := drain(t, ch)
			if strings.Join(got, ", ") != strings.Join(c.want, ", ") {
				t.Errorf("events: -want +got\n- %v\n+ %v", c.want, got)
			}
			switch {
			case c.broken == "" && broken != nil:
				t.Errorf("a clean stream ended with Err %v", broken)
			case c.broken != "" && (broken == nil || !strings.Contains(broken.Error(), c.broken)):
				t.Errorf("Err %v, want one containing %q", broken, c.broken)
			}
		})
	}
}

// TestWatchBrokenStreamStatus: the client-made ERROR event reads like
// client-go's, so code that turns ERROR events into errors keeps working.
func TestWatchBrokenStreamStatus(t *testing.T) {
	deploy, _ := v1alpha1.KindFor("Deployment")
	ch, err := watchServer(t, goodLine+"\n}\n").Watch(context.Background(), deploy, "ci", WatchOptions{})
	if err != nil {
		t.Fatal(err)
	}
	<-ch
	ev := <-ch
	if ev.Type != "ERROR" || ev.Status == nil || ev.Err == nil {
		t.Fatalf("second event %+v, want the client's ERROR", ev)
	}
	serr := &apierrors.StatusError{ErrStatus: *ev.Status}
	if !apierrors.IsInternalError(serr) || ev.Status.Details == nil || len(ev.Status.Details.Causes) != 1 ||
		ev.Status.Details.Causes[0].Type != ReasonWatchDecoding || !strings.Contains(serr.Error(), "watching deployments") {
		t.Errorf("Status of a broken stream: %+v", ev.Status)
	}
	if _, open := <-ch; open {
		t.Errorf("the channel stayed open after the ERROR")
	}
}

// TestWatchCancelIsNotAnError: ending the watch's context closes the
// channel without an ERROR event.
func TestWatchCancelIsNotAnError(t *testing.T) {
	deploy, _ := v1alpha1.KindFor("Deployment")
	hs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = w.Write([]byte(goodLine + "\n"))
		w.(http.Flusher).Flush()
		<-r.Context().Done() // a watch with nothing more to say
	}))
	t.Cleanup(hs.Close)
	c, _ := New(Config{Server: hs.URL})
	ctx, cancel := context.WithCancel(context.Background())
	ch, err := c.Watch(ctx, deploy, "ci", WatchOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if ev := <-ch; ev.Type != "ADDED" {
		t.Fatalf("first event %+v", ev)
	}
	cancel()
	got, broken := drain(t, ch)
	if len(got) != 0 || broken != nil {
		t.Errorf("after cancel: events %v, Err %v; want none", got, broken)
	}
}
