package push

import "strings"

// skipTokens are the commit-message directives that skip a run.
// GitHub Actions honours all five ("Skipping workflow runs",
// https://docs.github.com/actions/managing-workflow-runs/skipping-workflow-runs);
// GitLab honours [skip ci] and [ci skip] "using any capitalization"
// (https://docs.gitlab.com/ci/pipelines/#skip-a-pipeline). Matching all five
// case-insensitively is the union of both rules.
var skipTokens = []string{"[skip ci]", "[ci skip]", "[no ci]", "[skip actions]", "[actions skip]"}

// skipDirective returns the directive found in the head commit's message, or
// "". Only the head commit counts (GitLab's rule; GitHub also looks at the
// other commits of a push): a push is built at its head, and an old
// "[skip ci]" further down must not silence a new commit.
//
// GitHub's alternative, a "skip-checks: true" (or "skip-checks:true")
// trailer, counts only in the message's last paragraph, where git puts
// trailers, so prose mentioning it does not skip.
func skipDirective(msg string) string {
	lower := strings.ToLower(msg)
	for _, t := range skipTokens {
		if strings.Contains(lower, t) {
			return t
		}
	}
	trimmed := strings.TrimRight(lower, " \t\r\n")
	i := strings.LastIndex(trimmed, "\n\n")
	if i < 0 {
		return "" // a one-paragraph message has no trailers
	}
	for _, line := range strings.Split(trimmed[i+2:], "\n") {
		switch strings.TrimSpace(line) {
		case "skip-checks: true", "skip-checks:true":
			return "skip-checks: true"
		}
	}
	return ""
}
