package gitmirror

import (
	"bytes"
	"encoding/hex"
	"fmt"
	"sort"
	"strings"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/format/idxfile"
	"github.com/go-git/go-git/v5/storage/filesystem/dotgit"
)

// objectIndex is the mirror's object names as git sees them for
// abbreviating: the pack indexes (kept across describes, keyed by pack)
// and the loose objects.
type objectIndex struct {
	packs map[plumbing.Hash]*idxfile.MemoryIndex
	loose []plumbing.Hash // sorted
}

// refresh loads the indexes of packs new since the last call, forgets
// those gone, and relists loose objects.
func (ix *objectIndex) refresh(dg *dotgit.DotGit) error {
	names, err := dg.ObjectPacks()
	if err != nil {
		return fmt.Errorf("list packs: %w", err)
	}
	packs := make(map[plumbing.Hash]*idxfile.MemoryIndex, len(names))
	for _, h := range names {
		if idx, ok := ix.packs[h]; ok {
			packs[h] = idx
			continue
		}
		idx, err := readIdx(dg, h)
		if err != nil {
			return err
		}
		packs[h] = idx
	}
	var loose []plumbing.Hash
	err = dg.ForEachObjectHash(func(h plumbing.Hash) error {
		loose = append(loose, h)
		return nil
	})
	if err != nil {
		return fmt.Errorf("list loose objects: %w", err)
	}
	plumbing.HashesSort(loose)
	ix.packs, ix.loose = packs, loose
	return nil
}

func readIdx(dg *dotgit.DotGit, pack plumbing.Hash) (*idxfile.MemoryIndex, error) {
	f, err := dg.ObjectPackIdx(pack)
	if err != nil {
		return nil, fmt.Errorf("open index of pack %s: %w", pack, err)
	}
	defer f.Close()
	idx := idxfile.NewMemoryIndex()
	if err := idxfile.NewDecoder(f).Decode(idx); err != nil {
		return nil, fmt.Errorf("read index of pack %s: %w", pack, err)
	}
	return idx, nil
}

// abbrev is find_unique_abbrev with core.abbrev unset (git 2.39
// object-name.c): the length grows with the packed object count
// (repo_approximate_object_count, which counts no loose object), at
// least 7, then further until no other object, packed or loose, shares
// the prefix.
func (ix *objectIndex) abbrev(h plumbing.Hash) string {
	var count int64
	for _, idx := range ix.packs {
		count += int64(idx.Fanout[255])
	}
	n := max(7, (msb(count)+1+1)/2)
	for _, idx := range ix.packs {
		names := bucket(idx, h[0])
		i := sort.Search(len(names), func(i int) bool { return bytes.Compare(names[i][:], h[:]) >= 0 })
		// Only the neighbours in sorted order can share the longest prefix.
		for _, j := range []int{i - 1, i, i + 1} {
			if j >= 0 && j < len(names) && names[j] != h {
				n = max(n, commonHexPrefix(h, names[j])+1)
			}
		}
	}
	for _, o := range ix.loose {
		if o != h {
			n = max(n, commonHexPrefix(h, o)+1)
		}
	}
	return h.String()[:min(n, 40)]
}

// msb is object-name.c's msb: the index of the highest set bit, 0 for 0.
func msb(v int64) int {
	r := 0
	for v >>= 1; v > 0; v >>= 1 {
		r++
	}
	return r
}

func commonHexPrefix(a, b plumbing.Hash) int {
	for i := range a {
		if a[i] != b[i] {
			if a[i]>>4 == b[i]>>4 {
				return 2*i + 1
			}
			return 2 * i
		}
	}
	return 2 * len(a)
}

// bucket is the sorted names in idx whose first byte is first.
func bucket(idx *idxfile.MemoryIndex, first byte) []plumbing.Hash {
	k := idx.FanoutMapping[first]
	if k < 0 || k >= len(idx.Names) {
		return nil
	}
	raw := idx.Names[k]
	out := make([]plumbing.Hash, len(raw)/len(plumbing.Hash{}))
	for i := range out {
		copy(out[i][:], raw[i*len(plumbing.Hash{}):])
	}
	return out
}

// withPrefix returns the objects whose name starts with prefix (lower
// case hex, 4 to 40 digits), at most two: enough to tell unique from
// ambiguous.
func (ix *objectIndex) withPrefix(prefix string) []plumbing.Hash {
	lowHex := prefix + strings.Repeat("0", 40-len(prefix))
	raw, _ := hex.DecodeString(lowHex)
	var low plumbing.Hash
	copy(low[:], raw)
	found := map[plumbing.Hash]bool{}
	var out []plumbing.Hash
	add := func(h plumbing.Hash) bool {
		if !strings.HasPrefix(h.String(), prefix) {
			return false
		}
		if !found[h] {
			found[h] = true
			out = append(out, h)
		}
		return true
	}
	for _, idx := range ix.packs {
		names := bucket(idx, low[0])
		i := sort.Search(len(names), func(i int) bool { return bytes.Compare(names[i][:], low[:]) >= 0 })
		for ; i < len(names) && len(out) < 2 && add(names[i]); i++ {
		}
	}
	i := sort.Search(len(ix.loose), func(i int) bool { return bytes.Compare(ix.loose[i][:], low[:]) >= 0 })
	for ; i < len(ix.loose) && len(out) < 2 && add(ix.loose[i]); i++ {
	}
	return out
}
