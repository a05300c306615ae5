package gitmirror

import (
	"strings"
	"testing"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/format/idxfile"
)

// fakeIndex is a pack index holding hashes but claiming count objects,
// so the count rule can be checked without writing 16384 objects.
func fakeIndex(count uint32, hexes ...string) *idxfile.MemoryIndex {
	idx := idxfile.NewMemoryIndex()
	for i := range idx.FanoutMapping {
		idx.FanoutMapping[i] = -1
	}
	hashes := make([]plumbing.Hash, len(hexes))
	for i, h := range hexes {
		hashes[i] = plumbing.NewHash(h)
	}
	plumbing.HashesSort(hashes)
	for _, h := range hashes {
		k := idx.FanoutMapping[h[0]]
		if k < 0 {
			k = len(idx.Names)
			idx.FanoutMapping[h[0]] = k
			idx.Names = append(idx.Names, nil)
		}
		idx.Names[k] = append(idx.Names[k], h[:]...)
	}
	idx.Fanout[255] = count
	return idx
}

func hexOf(prefix string) string { return prefix + strings.Repeat("0", 40-len(prefix)) }

func TestAbbrev(t *testing.T) {
	target := "abcdef0123456789abcdef0123456789abcdef01"
	cases := []struct {
		reason string
		count  uint32
		others []string
		loose  []string
		want   int
	}{
		{"empty repository", 0, nil, nil, 7},
		{"just under 2^14 objects", 16383, nil, nil, 7},
		{"2^14 objects: git's auto length grows", 16384, nil, nil, 8},
		{"2^20 objects", 1 << 20, nil, nil, 11},
		{"a packed object shares 9 digits", 10, []string{hexOf("abcdef012")}, nil, 10},
		{"a packed object shares 6 digits: no change", 10, []string{hexOf("abcdeff")}, nil, 7},
		{"neighbours on both sides", 10, []string{hexOf("abcdef01"), "abcdef0123ffffffffffffffffffffffffffffff"}, nil, 11},
		{"a loose object shares 8 digits, not counted", 16383, nil, []string{hexOf("abcdef01")}, 9},
	}
	for _, tc := range cases {
		ix := objectIndex{packs: map[plumbing.Hash]*idxfile.MemoryIndex{
			{1}: fakeIndex(tc.count, append([]string{target}, tc.others...)...),
		}}
		for _, l := range tc.loose {
			ix.loose = append(ix.loose, plumbing.NewHash(l))
		}
		if got := ix.abbrev(plumbing.NewHash(target)); got != target[:tc.want] {
			t.Errorf("%s: abbrev = %q, want %q", tc.reason, got, target[:tc.want])
		}
	}
}

func TestWithPrefix(t *testing.T) {
	a, b := hexOf("1234567a"), hexOf("1234567b")
	ix := objectIndex{packs: map[plumbing.Hash]*idxfile.MemoryIndex{
		{1}: fakeIndex(2, a, hexOf("ff")),
		{2}: fakeIndex(1, a), // the same object in two packs is one object
	}, loose: []plumbing.Hash{plumbing.NewHash(b)}}
	cases := []struct {
		prefix string
		want   int
	}{
		{"1234567", 2}, {"1234567a", 1}, {"1234567b", 1}, {"12345670", 0}, {"ff00", 1}, {a, 1}, {"fe", 0},
	}
	for _, tc := range cases {
		if got := ix.withPrefix(tc.prefix); len(got) != tc.want {
			t.Errorf("withPrefix(%s) = %v, want %d objects", tc.prefix, got, tc.want)
		}
	}
}
