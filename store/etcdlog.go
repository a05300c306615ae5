package store

import (
	"fmt"
	"strings"

	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
)

// etcdLogger is the embedded etcd's default logger: errors only, and
// without the "serving failed: ... closed" lines etcd writes at every
// clean shutdown, which would teach operators to ignore its errors.
func etcdLogger() (*zap.Logger, error) {
	cfg := zap.NewProductionConfig()
	cfg.Level = zap.NewAtomicLevelAt(zap.ErrorLevel)
	cfg.DisableStacktrace = true
	l, err := cfg.Build()
	if err != nil {
		return nil, fmt.Errorf("building the etcd logger: %w", err)
	}
	return l.WithOptions(zap.WrapCore(func(c zapcore.Core) zapcore.Core { return shutdownQuiet{c} })), nil
}

type shutdownQuiet struct{ zapcore.Core }

func (q shutdownQuiet) With(fields []zapcore.Field) zapcore.Core {
	return shutdownQuiet{q.Core.With(fields)}
}

func (q shutdownQuiet) Check(e zapcore.Entry, ce *zapcore.CheckedEntry) *zapcore.CheckedEntry {
	if q.Enabled(e.Level) {
		return ce.AddCore(e, q)
	}
	return ce
}

func (q shutdownQuiet) Write(e zapcore.Entry, fields []zapcore.Field) error {
	if strings.HasPrefix(e.Message, "setting up serving from embedded etcd failed") {
		for _, f := range fields {
			if err, ok := f.Interface.(error); ok && f.Key == "error" && strings.Contains(err.Error(), "closed") {
				return nil
			}
		}
	}
	return q.Core.Write(e, fields)
}
