package main

import (
	"context"
	"fmt"
	"os"
	"time"

	"github.com/spf13/cobra"

	"minka/api/v1alpha1"
	"minka/client"
)

// globals are the flags every client verb shares.
type globals struct {
	server    string
	token     string
	ca        string
	namespace string
	timeout   time.Duration
}

// newRootCommand is the single registry of verbs.
func newRootCommand() *cobra.Command {
	g := &globals{}
	root := &cobra.Command{
		Use:   "minka",
		Short: "minka: a Kubernetes-style CI/CD control plane for Mesos/Marathon",
		Long: `minka stores Deployments, SlavePools, Repos, Pipelines and Builds in etcd and
reconciles Marathon, Jenkins, OpenStack and chacra until they match.

Run the server with 'minka server' (or 'minka dev' for a local sandbox) and
drive it with the other verbs, as you would kubectl.`,
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	pf := root.PersistentFlags()
	pf.StringVar(&g.server, "server", "", "API server URL (default $MINKA_SERVER, the login file, or "+client.DefaultServer+")")
	pf.StringVar(&g.token, "token", "", "bearer token (default $MINKA_TOKEN or the login file)")
	pf.StringVar(&g.ca, "certificate-authority", "", "PEM bundle that signed an https server's certificate (default $MINKA_CERTIFICATE_AUTHORITY, else the system's roots)")
	pf.StringVarP(&g.namespace, "namespace", "n", "", "namespace (default \"default\")")
	pf.DurationVar(&g.timeout, "request-timeout", client.Timeout, "timeout of each API request (watches excepted)")
	root.AddCommand(
		newServerCommand(),
		newDevCommand(),
		newApplyCommand(g),
		newGetCommand(g),
		newDescribeCommand(g),
		newDeleteCommand(g),
		newScaleCommand(g),
		newRolloutCommand(g),
		newSetCommand(g),
		newEditCommand(g),
		newEventsCommand(g),
		newLoginCommand(g),
		newVersionCommand(g),
		newAdminCommand(g),
		newReposCommand(g),
		newTriggerCommand(g),
		newReplayCommand(g),
		newLogsCommand(g),
		newKubeconfigCommand(g),
		newEncryptCommand(g),
		newKeysCommand(g),
	)
	return root
}

// client builds an API client from flags, environment and the login file.
func (g *globals) client() (*client.Client, error) {
	cfg, err := client.LoadConfig(g.server, g.token)
	if err != nil {
		return nil, err
	}
	cfg.Timeout = g.timeout
	if g.ca != "" {
		cfg.CAFile = g.ca
	} else if v := os.Getenv("MINKA_CERTIFICATE_AUTHORITY"); v != "" {
		cfg.CAFile = v
	}
	return client.New(cfg)
}

// ns is the namespace to use: -n, else "default".
func (g *globals) ns() string {
	if g.namespace == "" {
		return "default"
	}
	return g.namespace
}

// kindArg resolves KIND or KIND/NAME as users type them.
func kindArg(arg string) (v1alpha1.Kind, string, error) {
	kind, name, _ := cutSlash(arg)
	k, err := v1alpha1.KindFor(kind)
	if err != nil {
		return k, "", err
	}
	return k, name, nil
}

// objectArgs reads "KIND NAME" or "KIND/NAME" for a verb on one object,
// and builds the client.
func (g *globals) objectArgs(verb string, args []string) (v1alpha1.Kind, string, *client.Client, error) {
	k, name, err := kindArg(args[0])
	if err != nil {
		return k, "", nil, err
	}
	if len(args) == 2 {
		name = args[1]
	}
	if name == "" {
		return k, "", nil, fmt.Errorf("%s needs KIND NAME or KIND/NAME", verb)
	}
	c, err := g.client()
	return k, name, c, err
}

func cutSlash(s string) (string, string, bool) {
	for i := 0; i < len(s); i++ {
		if s[i] == '/' {
			return s[:i], s[i+1:], true
		}
	}
	return s, "", false
}

// ref is how a verb names an object in its output: deployment.minka.dev/web.
func ref(k v1alpha1.Kind, name string) string {
	return fmt.Sprintf("%s.%s/%s", k.Singular, v1alpha1.Group, name)
}

func withTimeout(ctx context.Context, d time.Duration) (context.Context, context.CancelFunc) {
	if d <= 0 {
		return context.WithCancel(ctx)
	}
	return context.WithTimeout(ctx, d)
}
