package slack

import "time"

// limiter is a token bucket kept as GCRA's theoretical arrival time: the
// moment the bucket would be full again if nothing more came. It needs no
// ticker, so a test's clock alone moves it.
type limiter struct {
	rl  RateLimit
	tat time.Time
}

// verdict is one request's pass through the bucket: whether it may go,
// how many more may follow at once, when the bucket is full again, and
// (refused) how long until the next one may go.
type verdict struct {
	ok        bool
	remaining int
	reset     time.Duration
	retry     time.Duration
}

func newLimiter(rl RateLimit) *limiter {
	if rl.Burst <= 0 || rl.Interval <= 0 {
		return nil
	}
	return &limiter{rl: rl}
}

// take spends one token at now if there is one. Refused requests spend
// nothing, so a client that waits Retry-After gets through.
func (l *limiter) take(now time.Time) verdict {
	t := l.rl.Interval
	tolerance := time.Duration(l.rl.Burst-1) * t
	tat := l.tat
	if tat.Before(now) {
		tat = now
	}
	if wait := tat.Sub(now) - tolerance; wait > 0 {
		return verdict{retry: wait, reset: tat.Sub(now)}
	}
	l.tat = tat.Add(t)
	used := int((l.tat.Sub(now) + t - 1) / t)
	return verdict{ok: true, remaining: l.rl.Burst - used, reset: l.tat.Sub(now)}
}

// seconds is d as a Retry-After: whole seconds, rounded up, so that a
// client waiting that long finds a token (and never reads 0 for a wait).
func seconds(d time.Duration) int {
	return int((d + time.Second - 1) / time.Second)
}
