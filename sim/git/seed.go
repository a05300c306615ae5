package git

import "fmt"

// Seed fills an empty repository with the small history minka dev serves:
//
//	master:      Initial commit ─ Add build (v1.0.0, annotated) ─ Add feature ─ Document feature (v1.1.0, lightweight) ─ Start 1.2
//	release/1.0: v1.0.0 ─ Fix build on 1.0
//
// so git describe --tags prints v1.1.0-1-g<sha1> on master and
// v1.0.0-1-g<sha1> on release/1.0, and both kinds of tag are there.
func Seed(repo *Repo) error {
	steps := []func() error{
		commit(repo, "master", "Initial commit", map[string]string{
			"README.md": "# demo\n\nThe repository minka dev serves.\n",
		}),
		commit(repo, "master", "Add build", map[string]string{
			"build.sh": "#!/bin/sh\necho building\n",
		}),
		func() error { return repo.Tag("v1.0.0", "master", true, "Release 1.0.0") },
		func() error { return repo.Branch("release/1.0", "v1.0.0") },
		commit(repo, "master", "Add feature", map[string]string{
			"src/feature.txt": "feature\n",
		}),
		commit(repo, "master", "Document feature", map[string]string{
			"README.md": "# demo\n\nThe repository minka dev serves.\n\nIt has a feature.\n",
		}),
		func() error { return repo.Tag("v1.1.0", "master", false, "") },
		commit(repo, "master", "Start 1.2", map[string]string{
			"VERSION": "1.2.0-dev\n",
		}),
		commit(repo, "release/1.0", "Fix build on 1.0", map[string]string{
			"build.sh": "#!/bin/sh\nset -e\necho building\n",
		}),
	}
	for _, step := range steps {
		if err := step(); err != nil {
			return fmt.Errorf("seed %s: %w", repo.Name(), err)
		}
	}
	return nil
}

func commit(repo *Repo, branch, message string, files map[string]string) func() error {
	return func() error {
		_, err := repo.Commit(branch, message, files)
		return err
	}
}
