package pipeline

import (
	"minka/api/v1alpha1"
)

// keyOf is the concurrency key of a Build under its Pipeline's policy.
func keyOf(p *v1alpha1.Pipeline, b *v1alpha1.Build) string {
	if c := p.Spec.Concurrency; c != nil && c.Key == v1alpha1.KeyPipeline {
		return v1alpha1.KeyPipeline
	}
	if b.Spec.GitTag != "" {
		return "tag:" + b.Spec.GitTag
	}
	return "branch:" + b.Spec.Branch
}

func policyOf(p *v1alpha1.Pipeline) string {
	if c := p.Spec.Concurrency; c != nil && c.Policy != "" {
		return c.Policy
	}
	return v1alpha1.ConcurrencyAllow
}

// turn is what the policy says of a Build among its Pipeline's others:
// replacedBy names a newer Build of its key under Replace (the Build is
// to be cancelled), waitFor the oldest unfinished older one under Serial
// (the Build waits for it).
type turn struct {
	replacedBy, waitFor string
}

// decide applies the Pipeline's policy to b. others are the Pipeline's
// Builds as the informer holds them; numbers order them, since the
// server hands numbers out in creation order.
func decide(p *v1alpha1.Pipeline, b *v1alpha1.Build, others []*v1alpha1.Build) turn {
	policy, key := policyOf(p), keyOf(p, b)
	var t turn
	var newest, oldest int64
	for _, o := range others {
		if o.Name == b.Name || o.DeletionTimestamp != nil || keyOf(p, o) != key {
			continue
		}
		switch n := o.Spec.Number; {
		case policy == v1alpha1.ConcurrencyReplace && n > b.Spec.Number && n > newest:
			newest, t.replacedBy = n, o.Name
		case policy == v1alpha1.ConcurrencySerial && n < b.Spec.Number && !v1alpha1.Finished(o.Status.Phase) && (oldest == 0 || n < oldest):
			oldest, t.waitFor = n, o.Name
		}
	}
	return t
}
