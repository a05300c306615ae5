package v1alpha1

import (
	"fmt"
	"strings"
	"testing"

	"k8s.io/apimachinery/pkg/util/validation/field"
)

func TestShorten(t *testing.T) {
	cases := []struct {
		reason, in string
		limit      int
		want       string
	}{
		{"short enough", "abc", 3, "abc"},
		{"cut with the size, in the limit", strings.Repeat("a", 100), 20, strings.Repeat("a", 6) + "…(100 bytes)"},
		{"never inside a rune", strings.Repeat("é", 50), 21, strings.Repeat("é", 3) + "…(100 bytes)"},
	}
	for _, c := range cases {
		got := Shorten(c.in, c.limit)
		if got != c.want {
			t.Errorf("%s: Shorten(%d bytes, %d) = %q, want %q", c.reason, len(c.in), c.limit, got, c.want)
		}
		if again := Shorten(got, c.limit); again != got {
			t.Errorf("%s: shortening twice: %q, then %q", c.reason, got, again)
		}
	}
}

func TestShortenErrors(t *testing.T) {
	mb3 := strings.Repeat("a", 3_000_000)
	p := field.NewPath("spec")
	cases := []struct {
		reason   string
		in       *field.Error
		want     string // in the shortened error
		maxBytes int    // of the shortened error's text
	}{
		{"a short value is kept", field.Invalid(p.Child("image"), "Nginx", "lowercase"), `spec.image: Invalid value: "Nginx": lowercase`, 100},
		{"a number is kept", field.Invalid(p.Child("replicas"), int32(-5), "must be >= 0"), "spec.replicas: Invalid value: -5: must be >= 0", 100},
		{"a 3 MB string value", field.Invalid(p.Child("name"), mb3, "too long"), `Invalid value: "aaaa`, 400},
		{"its size is said", field.Invalid(p.Child("name"), mb3, "too long"), "…(3000000 bytes)", 400},
		{"a 3 MB list value", field.Invalid(p.Child("constraints").Index(0), []string{"rack", "LIKE", mb3}, "bad"), `Invalid value: "[\"rack\",\"LIKE\",\"aaa`, 600},
		{"a 3 MB key in the path", field.Invalid(p.Child("env").Key("1"+mb3), "1"+mb3, "a C identifier"), "spec.env[1aaa", 1200},
		{"a 3 MB detail (a regexp error quotes it)", field.Invalid(p.Child("x"), "(", "not a regular expression: "+mb3), "not a regular expression: aaa", 1200},
		{"TooLong repeats nothing", field.TooLong(p.Child("cmd"), mb3, 65536), "spec.cmd: Too long: may not be more than 65536 bytes", 100},
	}
	for _, c := range cases {
		in := *c.in
		got := ShortenErrors(field.ErrorList{c.in})
		text := got.ToAggregate().Error()
		if !strings.Contains(text, c.want) || len(text) > c.maxBytes {
			t.Errorf("%s: %d bytes %.200q…, want at most %d bytes containing %q", c.reason, len(text), text, c.maxBytes, c.want)
		}
		if c.in.Field != in.Field || c.in.Detail != in.Detail || fmt.Sprint(c.in.BadValue) != fmt.Sprint(in.BadValue) {
			t.Errorf("%s: ShortenErrors modified its argument", c.reason)
		}
	}
}

func TestShortenErrorsCountsWhatItDrops(t *testing.T) {
	var errs field.ErrorList
	for i := range 1000 {
		errs = append(errs, field.Invalid(field.NewPath("spec", "env").Key(fmt.Sprint(i)), fmt.Sprint(i), "must be a C identifier"))
	}
	got := ShortenErrors(errs)
	if len(got) != MaxErrors {
		t.Fatalf("%d errors listed, want %d", len(got), MaxErrors)
	}
	last := got[len(got)-1].Error()
	if want := "…: Too many: 901: more field errors not listed (the first 99 are)"; last != want {
		t.Errorf("last error %q, want %q", last, want)
	}
	if again := ShortenErrors(got); len(again) != MaxErrors || again[len(again)-1].Error() != last {
		t.Errorf("shortening twice changed the list: %d errors, last %q", len(again), again[len(again)-1].Error())
	}
}
