package e2e

import (
	"sync"
	"testing"
	"time"
)

// Parallel runs job(0..n-1) on clients goroutines and returns the wall
// time; the first error fails b.
func Parallel(b *testing.B, n, clients int, job func(i int) error) time.Duration {
	var (
		wg   sync.WaitGroup
		next = make(chan int)
		errs = make(chan error, clients)
	)
	start := time.Now()
	for w := 0; w < clients; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				if err := job(i); err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	go func() {
		defer close(next)
		for i := 0; i < n; i++ {
			select {
			case next <- i:
			case err := <-errs:
				errs <- err
				return
			}
		}
	}()
	wg.Wait()
	elapsed := time.Since(start)
	select {
	case err := <-errs:
		b.Fatal(err)
	default:
	}
	return elapsed
}
