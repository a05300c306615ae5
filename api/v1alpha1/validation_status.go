package v1alpha1

import (
	"encoding/json"
	"fmt"

	metav1validation "k8s.io/apimachinery/pkg/apis/meta/v1/validation"
	"k8s.io/apimachinery/pkg/util/validation/field"
)

// The status checks hold what a status can say, not what a controller
// should say: counts are not negative, conditions are in Kubernetes'
// shape (metav1validation.ValidateConditions: True/False/Unknown, a
// CamelCase reason, a lastTransitionTime), ports are ports and strings
// are bounded. Relations between counts (ready <= replicas) are not
// checked: a controller reports each as observed, at different moments.

func validateDeploymentStatus(s *DeploymentStatus, p *field.Path) field.ErrorList {
	errs := nonNegative(p, []count{
		{"observedGeneration", s.ObservedGeneration}, {"failedGeneration", s.FailedGeneration},
		{"replicas", int64(s.Replicas)}, {"readyReplicas", int64(s.ReadyReplicas)},
		{"updatedReplicas", int64(s.UpdatedReplicas)}, {"availableReplicas", int64(s.AvailableReplicas)},
	})
	errs = append(errs, statusTexts(p, []text{{"appVersion", s.AppVersion}, {"deploymentId", s.DeploymentID},
		{"lastGoodVersion", s.LastGoodVersion}, {"verifiedVersion", s.VerifiedVersion}})...)
	for i, e := range s.Endpoints {
		ep := p.Child("endpoints").Index(i)
		errs = append(errs, statusTexts(ep, []text{{"taskId", e.TaskID}, {"host", e.Host}, {"version", e.Version}})...)
		errs = append(errs, ports(e.Ports, ep.Child("ports"))...)
		errs = append(errs, ports(e.ServicePorts, ep.Child("servicePorts"))...)
	}
	errs = append(errs, validateHistory(s.History, p.Child("history"))...)
	return append(errs, metav1validation.ValidateConditions(s.Conditions, p.Child("conditions"))...)
}

// validateHistory bounds a Deployment's revisions: how many, how many
// bytes (MaxHistoryBytes), numbers that only go up, known results.
func validateHistory(h []DeploymentRevision, p *field.Path) field.ErrorList {
	var errs field.ErrorList
	if len(h) > MaxRevisionHistoryLimit {
		return field.ErrorList{field.TooMany(p, len(h), MaxRevisionHistoryLimit)}
	}
	if b, _ := json.Marshal(h); len(b) > MaxHistoryBytes {
		errs = append(errs, field.Invalid(p, fmt.Sprintf("%d bytes", len(b)), fmt.Sprintf("must encode to at most %d bytes", MaxHistoryBytes)))
	}
	for i, e := range h {
		ep := p.Index(i)
		errs = append(errs, nonNegative(ep, []count{{"generation", e.Generation}})...)
		switch {
		case e.Revision < 1:
			errs = append(errs, field.Invalid(ep.Child("revision"), e.Revision, "must be >= 1"))
		case i > 0 && e.Revision <= h[i-1].Revision:
			errs = append(errs, field.Invalid(ep.Child("revision"), e.Revision, fmt.Sprintf("must be more than the revision before it (%d)", h[i-1].Revision)))
		}
		errs = append(errs, oneOf(e.Result, revisionResults, ep.Child("result"))...)
		errs = append(errs, statusTexts(ep, []text{{"appVersion", e.AppVersion}, {"image", e.Image}})...)
	}
	return errs
}

func validateSlavePoolStatus(s *SlavePoolStatus, p *field.Path) field.ErrorList {
	errs := nonNegative(p, []count{
		{"observedGeneration", s.ObservedGeneration}, {"replicas", int64(s.Replicas)}, {"ready", int64(s.Ready)},
		{"busy", int64(s.Busy)}, {"idle", int64(s.Idle)}, {"queued", int64(s.Queued)}, {"desiredReplicas", int64(s.DesiredReplicas)},
	})
	for i, n := range s.Nodes {
		np := p.Child("nodes").Index(i)
		if n.Name == "" {
			errs = append(errs, field.Required(np.Child("name"), ""))
		}
		errs = append(errs, statusTexts(np, []text{{"name", n.Name}, {"serverID", n.ServerID}, {"ip", n.IP}, {"phase", n.Phase}})...)
		errs = append(errs, nonNegative(np, []count{{"busy", int64(n.Busy)}})...)
	}
	if len(s.ScaleHistory) > MaxScaleSamples {
		errs = append(errs, field.TooMany(p.Child("scaleHistory"), len(s.ScaleHistory), MaxScaleSamples))
	}
	for i, h := range s.ScaleHistory {
		errs = append(errs, nonNegative(p.Child("scaleHistory").Index(i), []count{
			{"queued", int64(h.Queued)}, {"desired", int64(h.Desired)}, {"ready", int64(h.Ready)}})...)
	}
	return append(errs, metav1validation.ValidateConditions(s.Conditions, p.Child("conditions"))...)
}

func validateRepoStatus(s *RepoStatus, p *field.Path) field.ErrorList {
	errs := nonNegative(p, []count{{"observedGeneration", s.ObservedGeneration}})
	errs = append(errs, statusTexts(p, []text{{"node", s.Node}, {"nodeURL", s.NodeURL}, {"url", s.URL}})...)
	for i, d := range s.Distros {
		dp := p.Child("distros").Index(i)
		errs = append(errs, statusTexts(dp, []text{{"distro", d.Distro}, {"version", d.Version}, {"arch", d.Arch},
			{"state", d.State}, {"reason", d.Reason}, {"url", d.URL}, {"chacraURL", d.ChacraURL}, {"message", d.Message},
			{"binariesDigest", d.BinariesDigest}, {"builtDigest", d.BuiltDigest}})...)
		errs = append(errs, nonNegative(dp, []count{{"binaries", int64(d.Binaries)}, {"builds", int64(d.Builds)}, {"retries", int64(d.Retries)}})...)
		if len(d.Archs) > 64 || len(d.Transitions) > 16 {
			errs = append(errs, field.TooMany(dp, max(len(d.Archs), len(d.Transitions)), 16))
		}
	}
	if len(s.CIBuilds) > MaxCIBuilds {
		errs = append(errs, field.TooMany(p.Child("ciBuilds"), len(s.CIBuilds), MaxCIBuilds))
	}
	for i, b := range s.CIBuilds {
		errs = append(errs, statusTexts(p.Child("ciBuilds").Index(i), []text{{"url", b.URL}, {"logURL", b.LogURL}, {"buildID", b.BuildID},
			{"status", b.Status}, {"distro", b.Distro}, {"distroVersion", b.DistroVersion}, {"distroArch", b.DistroArch}})...)
	}
	return append(errs, metav1validation.ValidateConditions(s.Conditions, p.Child("conditions"))...)
}

func validatePipelineStatus(s *PipelineStatus, p *field.Path) field.ErrorList {
	errs := nonNegative(p, []count{{"observedGeneration", s.ObservedGeneration}, {"lastBuildNumber", s.LastBuildNumber}})
	if len(s.Deliveries) > MaxDeliveries {
		errs = append(errs, field.TooMany(p.Child("deliveries"), len(s.Deliveries), MaxDeliveries))
	}
	for i, d := range s.Deliveries {
		errs = append(errs, statusTexts(p.Child("deliveries").Index(i), []text{{"id", d.ID}, {"event", d.Event}, {"style", d.Style},
			{"ref", d.Ref}, {"sha1", d.SHA1}, {"outcome", d.Outcome}, {"reason", d.Reason}, {"build", d.Build}})...)
	}
	for i, b := range s.LastBuilds {
		bp := p.Child("lastBuilds").Index(i)
		errs = append(errs, nonNegative(bp, []count{{"number", b.Number}})...)
		errs = append(errs, statusTexts(bp, []text{{"name", b.Name}, {"branch", b.Branch}, {"sha1", b.SHA1},
			{"phase", b.Phase}, {"tag", b.Tag}})...)
	}
	return append(errs, metav1validation.ValidateConditions(s.Conditions, p.Child("conditions"))...)
}

func validateBuildStatus(s *BuildStatus, p *field.Path) field.ErrorList {
	errs := nonNegative(p, []count{
		{"observedGeneration", s.ObservedGeneration}, {"queueItem", s.QueueItem}, {"jenkinsBuild", s.JenkinsBuild},
	})
	errs = append(errs, statusTexts(p, []text{{"phase", s.Phase}, {"url", s.URL}, {"describe", s.Describe},
		{"tag", s.Tag}, {"message", s.Message}, {"reason", s.Reason}, {"sha1", s.SHA1}, {"key", s.Key},
		{"queueURL", s.QueueURL}, {"result", s.Result}, {"repo", s.Repo}, {"jenkinsSession", s.JenkinsSession}})...)
	for i, st := range s.Stages {
		sp := p.Child("stages").Index(i)
		errs = append(errs, statusTexts(sp, []text{{"name", st.Name}, {"deployment", st.Deployment}, {"image", st.Image},
			{"phase", st.Phase}, {"message", st.Message}})...)
		errs = append(errs, nonNegative(sp, []count{{"generation", st.Generation}})...)
	}
	return append(errs, metav1validation.ValidateConditions(s.Conditions, p.Child("conditions"))...)
}

// count is one integer field of a status.
type count struct {
	name string
	v    int64
}

func nonNegative(p *field.Path, cs []count) field.ErrorList {
	var errs field.ErrorList
	for _, c := range cs {
		if c.v < 0 {
			errs = append(errs, field.Invalid(p.Child(c.name), c.v, "must be >= 0"))
		}
	}
	return errs
}

// text is one string field of a status.
type text struct{ name, v string }

// statusTexts bounds strings of a status by MaxTextBytes.
func statusTexts(p *field.Path, ts []text) field.ErrorList {
	var errs field.ErrorList
	for _, t := range ts {
		errs = append(errs, tooLong(t.v, MaxTextBytes, p.Child(t.name))...)
	}
	return errs
}

func ports(ps []int32, p *field.Path) field.ErrorList {
	var errs field.ErrorList
	for i, v := range ps {
		if v < 0 || v > 65535 {
			errs = append(errs, field.Invalid(p.Index(i), v, "must be between 0 and 65535"))
		}
	}
	return errs
}
