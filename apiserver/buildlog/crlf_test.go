package buildlog

import "testing"

func TestCRLF(t *testing.T) {
	tests := []struct {
		name   string
		chunks []string
		want   string
	}{
		{"whole lines", []string{"a\r\nb\r\n"}, "a\nb\n"},
		{"a CR at a chunk's end waits for its LF", []string{"a\r", "\nb\r\n"}, "a\nb\n"},
		{"a lone CR stays", []string{"50%\r100%\r\n"}, "50%\r100%\n"},
		{"the last chunk keeps its CR", []string{"a\r"}, "a\r"},
	}
	for _, tt := range tests {
		var c crlf
		got := ""
		for i, ch := range tt.chunks {
			got += c.normalize(ch, i == len(tt.chunks)-1)
		}
		if got != tt.want {
			t.Errorf("%s: %q, want %q", tt.name, got, tt.want)
		}
	}
}
