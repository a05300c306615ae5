package v1alpha1

import (
	"net/url"
	"path"
	"regexp"
	"strings"

	"k8s.io/apimachinery/pkg/util/validation"
	"k8s.io/apimachinery/pkg/util/validation/field"

	"minka/api/labelexpr"
)

// maxStages bounds a staged deploy.
const maxStages = 10

var (
	scpLikeGit = regexp.MustCompile(`^[A-Za-z0-9._-]+@[A-Za-z0-9.-]+:[^\s]+$`)
	paramName  = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_.-]*$`)
	gitSchemes = map[string]bool{"https": true, "http": true, "ssh": true, "git": true, "file": true}
	// Jenkins refuses these in item names (Jenkins.checkGoodName).
	badJobChars = "?*\\%!@#$^&|<>[]:;"
	// A docker repository without a tag or digest.
	dockerRepo = regexp.MustCompile(`^([a-zA-Z0-9.-]+(:[0-9]+)?/)?[a-z0-9]+([._/-][a-z0-9]+)*$`)
)

func validatePipeline(s *PipelineSpec, p *field.Path) field.ErrorList {
	var errs field.ErrorList
	errs = append(errs, validateBackend(s.Jenkins, p.Child("jenkins"))...)
	errs = append(errs, validateJob(s.Job, p.Child("job"))...)
	if len(s.Label) > labelexpr.MaxLength {
		errs = append(errs, field.TooLong(p.Child("label"), "", labelexpr.MaxLength))
	} else if s.Label != "" {
		if _, err := labelexpr.Parse(s.Label); err != nil {
			errs = append(errs, field.Invalid(p.Child("label"), s.Label, "not a Jenkins label expression: "+err.Error()))
		}
	}
	errs = append(errs, validateGitURL(s.Source.Git, p.Child("source", "git"))...)
	for _, g := range []struct {
		name  string
		globs []string
	}{{"branches", s.Source.Branches}, {"tags", s.Source.Tags}} {
		for i, b := range g.globs {
			if len(b) > maxPathBytes {
				errs = append(errs, field.TooLong(p.Child("source", g.name).Index(i), "", maxPathBytes))
			} else if _, err := path.Match(b, ""); err != nil || b == "" {
				errs = append(errs, field.Invalid(p.Child("source", g.name).Index(i), b, "not a glob (path.Match syntax, e.g. release/* or v*)"))
			}
		}
	}
	if t := s.Trigger; t != nil && t.Webhook != nil {
		wp := p.Child("trigger", "webhook")
		switch w := t.Webhook; {
		case w.SecretRef != "" && w.Secret != "":
			errs = append(errs, field.Forbidden(wp.Child("secret"), "set secret or secretRef, not both"))
		case w.SecretRef == "" && w.Secret == "":
			errs = append(errs, field.Required(wp.Child("secretRef"), "a server config secret, or a sealed value in secret, signs the pushes"))
		case w.SecretRef != "":
			for _, msg := range validation.IsDNS1123Subdomain(w.SecretRef) {
				errs = append(errs, field.Invalid(wp.Child("secretRef"), w.SecretRef, "must name a secret of the server config: "+msg))
			}
		}
		errs = append(errs, tooLong(t.Webhook.Secret, MaxTextBytes, wp.Child("secret"))...)
	}
	errs = append(errs, validateParameters(s.Parameters, p.Child("parameters"))...)
	if a := s.Artifacts; a != nil {
		if im := a.Image; im != nil {
			ip := p.Child("artifacts", "image", "repository")
			if len(im.Repository) > maxImageNameBytes {
				errs = append(errs, field.TooLong(ip, "", maxImageNameBytes))
			} else if !dockerRepo.MatchString(im.Repository) {
				errs = append(errs, field.Invalid(ip, im.Repository, "must be a docker repository without tag (the build's tag is added)"))
			}
		}
		if r := a.Repo; r != nil {
			rp := p.Child("artifacts", "repo")
			errs = append(errs, validateBackend(r.Chacra, rp.Child("chacra"))...)
			errs = append(errs, segment(r.Project, rp.Child("project"))...)
			errs = append(errs, segment(r.Flavor, rp.Child("flavor"))...)
			errs = append(errs, validateDistros(r.Distros, rp.Child("distros"))...)
		}
	}
	if d := s.Deploy; d != nil {
		dp := p.Child("deploy")
		switch {
		case d.Deployment != "" && len(d.Stages) > 0:
			errs = append(errs, field.Invalid(dp.Child("stages"), len(d.Stages), "deploy.deployment and deploy.stages are exclusive: one deployment, or ordered stages"))
		case len(d.Stages) > 0:
			names, deps := map[string]bool{}, map[string]bool{}
			for i, st := range d.Stages {
				sp := dp.Child("stages").Index(i)
				errs = append(errs, dnsLabel(st.Name, sp.Child("name"))...)
				errs = append(errs, dnsLabel(st.Deployment, sp.Child("deployment"))...)
				if names[st.Name] {
					errs = append(errs, field.Duplicate(sp.Child("name"), st.Name))
				}
				if deps[st.Deployment] {
					errs = append(errs, field.Duplicate(sp.Child("deployment"), st.Deployment))
				}
				names[st.Name], deps[st.Deployment] = true, true
			}
			if len(d.Stages) > maxStages {
				errs = append(errs, field.TooMany(dp.Child("stages"), len(d.Stages), maxStages))
			}
		default:
			errs = append(errs, dnsLabel(d.Deployment, dp.Child("deployment"))...)
		}
		errs = append(errs, oneOf(d.When, deployWhens, dp.Child("when"))...)
		if s.Artifacts == nil || s.Artifacts.Image == nil {
			errs = append(errs, field.Required(p.Child("artifacts", "image"), "deploy sets the Deployments' image to <artifacts.image.repository>:<tag>"))
		}
	}
	if c := s.Concurrency; c != nil {
		errs = append(errs, oneOf(c.Policy, concurrencyPolicies, p.Child("concurrency", "policy"))...)
		errs = append(errs, oneOf(c.Key, concurrencyKeys, p.Child("concurrency", "key"))...)
	}
	if s.HistoryLimit != nil && *s.HistoryLimit < 1 {
		errs = append(errs, field.Invalid(p.Child("historyLimit"), *s.HistoryLimit, "must be >= 1"))
	}
	return errs
}

func validateBuild(s *BuildSpec, p *field.Path) field.ErrorList {
	var errs field.ErrorList
	errs = append(errs, dnsLabel(s.Pipeline, p.Child("pipeline"))...)
	switch {
	case s.Branch != "" && s.GitTag != "":
		errs = append(errs, field.Invalid(p.Child("gitTag"), s.GitTag, "a Build is of a branch or of a tag, not both"))
	case s.GitTag != "":
		errs = append(errs, validateGitRef(s.GitTag, p.Child("gitTag"))...)
	default:
		errs = append(errs, validateGitRef(s.Branch, p.Child("branch"))...)
	}
	if t := s.Trigger; t != nil {
		errs = append(errs, oneOf(t.Kind, triggerKinds, p.Child("trigger", "kind"))...)
		errs = append(errs, tooLong(t.Delivery, maxSegmentBytes, p.Child("trigger", "delivery"))...)
		errs = append(errs, tooLong(t.Sender, maxSegmentBytes, p.Child("trigger", "sender"))...)
		errs = append(errs, oneOf(t.Style, triggerStyles, p.Child("trigger", "style"))...)
	}
	if s.SHA1 != "" && !shortSHA1.MatchString(s.SHA1) {
		errs = append(errs, field.Invalid(p.Child("sha1"), s.SHA1, "must be 7 to 40 lowercase hex digits"))
	}
	if s.Number < 0 {
		errs = append(errs, field.Invalid(p.Child("number"), s.Number, "must be >= 0"))
	}
	return append(errs, validateParameters(s.Parameters, p.Child("parameters"))...)
}

// validateJob checks a Jenkins job path: folder/job, each name as Jenkins
// accepts it.
func validateJob(job string, p *field.Path) field.ErrorList {
	if job == "" {
		return field.ErrorList{field.Required(p, "the Jenkins job to run")}
	}
	if len(job) > maxPathBytes {
		// Jenkins keeps each job in a directory of its name.
		return field.ErrorList{field.TooLong(p, "", maxPathBytes)}
	}
	for _, seg := range strings.Split(job, "/") {
		if seg == "" || strings.TrimSpace(seg) != seg || strings.ContainsAny(seg, badJobChars) || seg == "." || seg == ".." {
			return field.ErrorList{field.Invalid(p, job, "not a Jenkins job path: names are non-empty, untrimmed-space-free and without "+badJobChars)}
		}
	}
	return nil
}

func validateGitURL(u string, p *field.Path) field.ErrorList {
	if u == "" {
		return field.ErrorList{field.Required(p, "")}
	}
	if len(u) > MaxTextBytes {
		return field.ErrorList{field.TooLong(p, "", MaxTextBytes)}
	}
	if scpLikeGit.MatchString(u) {
		return nil
	}
	pu, err := url.Parse(u)
	if err != nil || !gitSchemes[pu.Scheme] || (pu.Host == "" && pu.Scheme != "file") || pu.Path == "" {
		return field.ErrorList{field.Invalid(p, u, "must be a git URL: https://, http://, ssh://, git://, file:// or user@host:path")}
	}
	return nil
}

func validateParameters(params map[string]string, p *field.Path) field.ErrorList {
	var errs field.ErrorList
	for k := range params {
		if !paramName.MatchString(k) {
			errs = append(errs, field.Invalid(p.Key(k), k, "a Jenkins parameter name is [A-Za-z_][A-Za-z0-9_.-]*"))
		}
	}
	return append(errs, textValues(params, MaxTextBytes, p)...)
}
