package pipeline

import (
	"fmt"
	"strings"
)

// maxTagBytes is docker's limit on a tag.
const maxTagBytes = 128

// tagOf is seed 001's tag, <pipeline>-<number>-<branch>-<git describe>,
// made a valid docker tag ([A-Za-z0-9_][A-Za-z0-9_.-]{0,127}): a '/' in a
// branch (release/1.0) and any other character docker refuses become
// '-', and a tag past 128 bytes loses the end of its branch, never its
// number or describe.
func tagOf(pipeline string, number int64, ref, describe string) string {
	head := fmt.Sprintf("%s-%d-", pipeline, number)
	tail := "-" + dockerSafe(describe)
	branch := dockerSafe(ref)
	if room := maxTagBytes - len(head) - len(tail); len(branch) > room {
		branch = branch[:max(room, 0)]
	}
	tag := head + branch + tail
	if len(tag) > maxTagBytes {
		tag = tag[:maxTagBytes]
	}
	return tag
}

func dockerSafe(s string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '_', r == '.', r == '-':
			return r
		}
		return '-'
	}, s)
}

// unstableDescribe is what a Build is described as when its source has
// no answer: g and the short sha1, as describe's own suffix writes it.
func unstableDescribe(sha1 string) string {
	if len(sha1) > 7 {
		sha1 = sha1[:7]
	}
	return "g" + sha1
}
