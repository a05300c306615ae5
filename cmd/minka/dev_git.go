package main

import (
	"fmt"
	"net/http"
	"path/filepath"
	"strings"

	"minka/backend"
	simgit "minka/sim/git"
	"minka/sim/jenkins"
)

// The sandbox's loop: the git repository the example Pipeline builds,
// served where its spec.source.git (git.example.com) is rewritten to,
// and the Jenkins job it triggers, which runs on the example SlavePool's
// agents and uploads its packages to the CHACRA_URL it is given.
const (
	devGitPrefix = "https://git.example.com/"
	devGitRepo   = "webapp"
	devJob       = "webapp-build"
	devJobLabel  = "trusty && amd64"
)

// devJobParameters are what a Build sends, and SIM_RESULT, with which a
// trigger chooses its build's result (minka trigger ... -p
// SIM_RESULT=FAILURE).
var devJobParameters = []string{"BRANCH", "SHA1", "TAG", "IMAGE", "BUILD_NUMBER", "MINKA_BUILD", "CHACRA_URL", "GIT_TAG", "DISTROS", "SIM_RESULT"}

// devGit is the git simulator with the seeded repository.
func devGit(dir string) (simulator, error) {
	gs := simgit.New(filepath.Join(dir, "git"), simgit.Options{})
	repo, err := gs.Create(devGitRepo)
	if err != nil {
		return simulator{}, fmt.Errorf("the sandbox's git repository: %w", err)
	}
	if err := simgit.Seed(repo); err != nil {
		return simulator{}, fmt.Errorf("the sandbox's git repository: %w", err)
	}
	return simulator{name: "git", handler: gs, env: func(url string) []string {
		return []string{"GIT_URL=" + url + "/" + devGitRepo + ".git"}
	}, git: func(url string, g *backend.Git) {
		g.InsteadOf = append(g.InsteadOf, backend.GitRewrite{URL: url + "/", InsteadOf: devGitPrefix})
	}}, nil
}

// devJobConfig is the job's config.xml: its parameters, and the label
// of the example SlavePool's agents.
func devJobConfig() string {
	var defs strings.Builder
	for _, p := range devJobParameters {
		fmt.Fprintf(&defs, "<hudson.model.StringParameterDefinition><name>%s</name><defaultValue></defaultValue></hudson.model.StringParameterDefinition>", p)
	}
	return "<?xml version='1.1' encoding='UTF-8'?><project><description>The example Pipeline's job (minka dev)</description>" +
		"<assignedNode>" + strings.ReplaceAll(devJobLabel, "&", "&amp;") + "</assignedNode><properties><hudson.model.ParametersDefinitionProperty>" +
		"<parameterDefinitions>" + defs.String() + "</parameterDefinitions></hudson.model.ParametersDefinitionProperty></properties>" +
		"<builders><hudson.tasks.Shell><command>./build.sh &amp;&amp; chacractl binary create ...</command></hudson.tasks.Shell></builders></project>"
}

// createDevJob creates the job through Jenkins' API, as its admin would
// have, and marks it to upload a package for ubuntu jammy (the example
// Pipeline's distro) like ceph-build's jobs.
func createDevJob(jk *jenkins.Server, url string) error {
	req, err := http.NewRequest(http.MethodPost, url+"/createItem?name="+devJob, strings.NewReader(devJobConfig()))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/xml")
	req.SetBasicAuth("admin", devJenkinsToken)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return fmt.Errorf("creating the Jenkins job %s: %w", devJob, err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("creating the Jenkins job %s: %s", devJob, resp.Status)
	}
	jk.SetJobUpload(devJob, jenkins.Upload{Project: devGitRepo, Distros: []string{"ubuntu/jammy/x86_64"}, User: devChacraUser, Key: devChacraKey})
	return nil
}
