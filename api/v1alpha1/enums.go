package v1alpha1

// The values validation allows for the fields that take one of a set.
// The OpenAPI schemas publish them as enums (kubectl explain shows them);
// both read these, so they cannot drift apart.
var (
	deployWhens         = []string{"stable", "always"}
	concurrencyPolicies = []string{ConcurrencyAllow, ConcurrencySerial, ConcurrencyReplace}
	concurrencyKeys     = []string{KeyBranch, KeyPipeline}
	triggerKinds        = []string{"webhook", "manual", "replay"}
	triggerStyles       = []string{"", "github", "gitea", "gitlab", "token"}
	repoDeletePolicies  = []string{RepoRetain, RepoDelete}
)

// Enums maps "GoType.jsonField" to the values validation allows there.
func Enums() map[string][]string {
	return map[string][]string{
		"DeploymentSpec.network":    networks,
		"Port.protocol":             portProtocols,
		"HealthCheck.protocol":      healthProtocols,
		"Volume.mode":               volumeModes,
		"Deploy.when":               deployWhens,
		"Concurrency.policy":        concurrencyPolicies,
		"Concurrency.key":           concurrencyKeys,
		"BuildTrigger.kind":         triggerKinds,
		"BuildTrigger.style":        triggerStyles[1:], // "" is the field left out
		"RepoSpec.deletePolicy":     repoDeletePolicies,
		"DeploymentRevision.result": revisionResults,
		"AlertSpec.severity":        alertSeverities,
		"AlertSource.kind":          alertKinds,
	}
}
