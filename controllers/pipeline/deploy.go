package pipeline

import (
	"context"
	"errors"
	"fmt"

	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"minka/api/v1alpha1"
	"minka/store"
)

// Reasons of the deploy step.
const (
	ReasonDeploying        = "Deploying"
	ReasonDeployed         = "Deployed"
	ReasonDeploySkipped    = "DeploySkipped"
	ReasonDeployFailed     = "DeployFailed"
	ReasonDeploySuperseded = "DeploySuperseded"
)

// The Deployment controller's condition reasons a stage reads (its
// status API, as kubectl rollout status reads a Deployment's).
const (
	deployProgressing     = "Progressing"
	deployAvailable       = "Available"
	deployRolloutComplete = "RolloutComplete"
)

// qualifies says whether a Succeeded build deploys under spec.deploy.when.
func qualifies(d *v1alpha1.Deploy, b *v1alpha1.Build) (bool, string) {
	if d.When == "always" {
		return true, ""
	}
	switch {
	case b.Status.Result != "SUCCESS":
		return false, fmt.Sprintf("jenkins result %s is not SUCCESS (deploy.when: stable)", b.Status.Result)
	case !b.Status.Stable:
		return false, fmt.Sprintf("unstable build: describe %s is not exactly a tag (deploy.when: stable)", b.Status.Describe)
	}
	return true, ""
}

// deploy takes the build's image through the stages in order: a stage
// sets its Deployment's image and waits until the Deployment controller
// has it Available at that generation (rolled out, verify passed); a
// stage rolled back, or a Deployment given another image meanwhile,
// stops the chain. done is true once the Build reached its final phase.
func (bp *buildPass) deploy(ctx context.Context) (done bool, err error) {
	b, d := bp.b, bp.p.Spec.Deploy
	stages := d.StagesOf()
	if len(b.Status.Stages) != len(stages) {
		b.Status.Stages = nil
		for _, st := range stages {
			b.Status.Stages = append(b.Status.Stages, v1alpha1.StageStatus{Name: st.Name, Deployment: st.Deployment, Phase: v1alpha1.StagePending})
		}
	}
	if ok, why := qualifies(d, b); !ok {
		for i := range b.Status.Stages {
			b.Status.Stages[i].Phase, b.Status.Stages[i].Message = v1alpha1.StageSkipped, why
		}
		bp.r.finish(ctx, b, v1alpha1.BuildSucceeded, ReasonDeploySkipped, "built; deploy skipped: "+why)
		return true, nil
	}
	image := bp.p.Spec.Artifacts.Image.Repository + ":" + b.Status.Tag
	for i := range b.Status.Stages {
		st := &b.Status.Stages[i]
		switch st.Phase {
		case v1alpha1.StageAvailable:
			continue
		case v1alpha1.StagePending:
			if err := bp.startStage(ctx, st, image); err != nil {
				return false, err
			}
			if st.Phase != v1alpha1.StageProgressing {
				return bp.stageEnded(ctx, i)
			}
			bp.setPhase(v1alpha1.BuildRunning, ReasonDeploying, fmt.Sprintf("stage %s: rolling %s out to %s", st.Name, image, st.Deployment))
			return false, nil
		case v1alpha1.StageProgressing:
			if err := bp.followStage(ctx, st); err != nil {
				return false, err
			}
			if st.Phase == v1alpha1.StageAvailable {
				continue
			}
			if st.Phase != v1alpha1.StageProgressing {
				return bp.stageEnded(ctx, i)
			}
			return false, nil
		default:
			return bp.stageEnded(ctx, i)
		}
	}
	bp.r.finish(ctx, b, v1alpha1.BuildSucceeded, ReasonDeployed, fmt.Sprintf("%s available on %d stage(s)", image, len(b.Status.Stages)))
	return true, nil
}

// stageEnded ends the Build on stage i's outcome and marks the stages
// after it Skipped.
func (bp *buildPass) stageEnded(ctx context.Context, i int) (bool, error) {
	b := bp.b
	st := b.Status.Stages[i]
	for j := i + 1; j < len(b.Status.Stages); j++ {
		b.Status.Stages[j].Phase, b.Status.Stages[j].Message = v1alpha1.StageSkipped, "stage "+st.Name+" "+st.Phase
	}
	if st.Phase == v1alpha1.StageSuperseded {
		bp.r.finish(ctx, b, v1alpha1.BuildSucceeded, ReasonDeploySuperseded, fmt.Sprintf("built; stage %s (%s) superseded: %s", st.Name, st.Deployment, st.Message))
		return true, nil
	}
	bp.r.finish(ctx, b, v1alpha1.BuildFailed, ReasonDeployFailed, fmt.Sprintf("stage %s (deployment %s) %s: %s", st.Name, st.Deployment, st.Phase, st.Message))
	return true, nil
}

// startStage sets the stage's Deployment to image, unless a newer Build
// of the Pipeline already deployed it (an older build finishing late
// must not roll a Deployment back to its image).
func (bp *buildPass) startStage(ctx context.Context, st *v1alpha1.StageStatus, image string) error {
	b := bp.b
	for _, o := range pipelineBuilds(bp.r.builds, b.Namespace, b.Spec.Pipeline) {
		if o.Spec.Number <= b.Spec.Number {
			continue
		}
		for _, os := range o.Status.Stages {
			if os.Deployment == st.Deployment && os.Generation > 0 {
				st.Phase, st.Message = v1alpha1.StageSuperseded, fmt.Sprintf("newer build %s deployed %s", o.Name, os.Image)
				st.CompletionTime = bp.now()
				return nil
			}
		}
	}
	dk, _ := v1alpha1.KindOf(&v1alpha1.Deployment{})
	for attempt := 0; ; attempt++ {
		obj, err := bp.r.st.Get(ctx, dk, b.Namespace, st.Deployment)
		if errors.Is(err, store.ErrNotFound) {
			st.Phase, st.Message = v1alpha1.StageRolledBack, fmt.Sprintf("deployment %s/%s does not exist", b.Namespace, st.Deployment)
			st.CompletionTime = bp.now()
			return nil
		}
		if err != nil {
			return fmt.Errorf("reading deployment %s: %w", st.Deployment, err)
		}
		dep := obj.(*v1alpha1.Deployment).DeepCopy()
		if dep.Annotations == nil {
			dep.Annotations = map[string]string{}
		}
		dep.Spec.Image, dep.Annotations[v1alpha1.LabelBuild] = image, b.Name
		out, err := bp.r.st.Update(ctx, dep)
		if errors.Is(err, store.ErrConflict) && attempt < 5 {
			continue
		}
		if err != nil {
			return fmt.Errorf("setting the image of deployment %s: %w", st.Deployment, err)
		}
		st.Image, st.Generation, st.Phase, st.StartTime = image, out.GetGeneration(), v1alpha1.StageProgressing, bp.now()
		st.Message = fmt.Sprintf("generation %d", st.Generation)
		return nil
	}
}

// followStage reads the stage's Deployment as its controller reports it.
func (bp *buildPass) followStage(ctx context.Context, st *v1alpha1.StageStatus) error {
	dk, _ := v1alpha1.KindOf(&v1alpha1.Deployment{})
	obj, err := bp.r.st.Get(ctx, dk, bp.b.Namespace, st.Deployment)
	if errors.Is(err, store.ErrNotFound) {
		st.Phase, st.Message, st.CompletionTime = v1alpha1.StageRolledBack, "the deployment was deleted during its rollout", bp.now()
		return nil
	}
	if err != nil {
		return fmt.Errorf("reading deployment %s: %w", st.Deployment, err)
	}
	dep := obj.(*v1alpha1.Deployment)
	prog := meta.FindStatusCondition(dep.Status.Conditions, deployProgressing)
	avail := meta.FindStatusCondition(dep.Status.Conditions, deployAvailable)
	switch {
	case dep.Status.FailedGeneration >= st.Generation:
		msg := "rolled back"
		if prog != nil && prog.Message != "" {
			msg += ": " + prog.Message
		}
		st.Phase, st.Message, st.CompletionTime = v1alpha1.StageRolledBack, msg, bp.now()
	case dep.Spec.Image != st.Image:
		st.Phase, st.Message, st.CompletionTime = v1alpha1.StageSuperseded, "the deployment's image became "+dep.Spec.Image, bp.now()
	case dep.Status.ObservedGeneration >= st.Generation && avail != nil && avail.Status == metav1.ConditionTrue &&
		prog != nil && prog.Reason == deployRolloutComplete && prog.ObservedGeneration >= st.Generation:
		st.Phase, st.CompletionTime = v1alpha1.StageAvailable, bp.now()
		st.Message = fmt.Sprintf("available: %d/%d replicas at generation %d", dep.Status.AvailableReplicas, dep.Status.Replicas, st.Generation)
	default:
		if prog != nil {
			st.Message = fmt.Sprintf("generation %d: %s: %s", st.Generation, prog.Reason, prog.Message)
		}
	}
	return nil
}
