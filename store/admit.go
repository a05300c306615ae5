package store

import (
	"context"

	"minka/api/v1alpha1"
)

// Admit checks a write's result against the stored object, inside the
// store's read-merge-write: cur is what is stored (nil for a create),
// next what the write would store, defaulted and validated. An error
// stops the write, which stores nothing, and is returned as it is.
// Being inside, it sees the object each attempt of an update merges
// over, never an older read: a caller allowed only some changes cannot
// slip others in through a race.
type Admit func(cur, next v1alpha1.Object) error

type admitKey struct{}

// WithAdmit makes the creates and updates through ctx (spec writes,
// server-side applies, replica counts; not status writes) pass admit
// first.
func WithAdmit(ctx context.Context, admit Admit) context.Context {
	return context.WithValue(ctx, admitKey{}, admit)
}

func admit(ctx context.Context, cur, next v1alpha1.Object) error {
	if a, ok := ctx.Value(admitKey{}).(Admit); ok && a != nil {
		return a(cur, next)
	}
	return nil
}
