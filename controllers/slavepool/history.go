package slavepool

import (
	"slices"
	"time"

	"minka/api/v1alpha1"
)

// appendScaleSample adds s to hist when its numbers differ from the last
// sample's, then drops what the chart no longer needs. An unchanged s
// hands hist back as it is, pruning included: a pool at rest must not
// write its status only because time passed.
func appendScaleSample(hist []v1alpha1.ScaleSample, s v1alpha1.ScaleSample, now time.Time) []v1alpha1.ScaleSample {
	if n := len(hist); n > 0 && sameCounts(hist[n-1], s) {
		return hist
	}
	// Clipped so that the caller's backing array is never written.
	hist = append(slices.Clip(hist), s)
	// The newest sample at or before the window's left edge is the value
	// there, so it stays and a chart starts at the edge; the ones before
	// it say nothing the window shows.
	edge := now.Add(-v1alpha1.ScaleHistoryWindow)
	first := 0
	for first+1 < len(hist) && !hist[first+1].Time.After(edge) {
		first++
	}
	hist = hist[first:]
	if len(hist) > v1alpha1.MaxScaleSamples {
		hist = hist[len(hist)-v1alpha1.MaxScaleSamples:]
	}
	return hist
}

func sameCounts(a, b v1alpha1.ScaleSample) bool {
	return a.Queued == b.Queued && a.Desired == b.Desired && a.Ready == b.Ready
}
