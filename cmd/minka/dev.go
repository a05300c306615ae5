package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"

	"github.com/spf13/cobra"

	"minka/api/sealed"
	"minka/backend"
	"minka/client"
)

func newDevCommand() *cobra.Command {
	o := defaultServerOptions()
	o.logFormat = "text"
	var examples string
	var keep, auth bool
	cmd := &cobra.Command{
		Use:   "dev",
		Short: "Run a local sandbox: embedded etcd, the API server, simulated Marathon, Jenkins, OpenStack, chacra and git, the examples applied",
		Long: `Run the server with development settings: loopback only, no auth
(unless --auth, or --config has tokens), a fresh data directory (removed
at exit unless --data-dir or --keep), the simulated backends on loopback
ports (Marathon on a simulated Mesos cluster, Jenkins and OpenStack,
joined so that a booted server brings its Jenkins agent online, three
chacra nodes whose callbacks go to the server's shaman endpoints at
/shaman/, and a git server with the repository webapp.git, tagged v1.0.0
and v1.1.0 at start), and every manifest in --apply (default examples/)
applied through the API as 'minka apply' would; for each example Repo it
then uploads a small package per distro to the node the Repo was placed
on, as its Jenkins job would. Jenkins has the job webapp-build that the
example Pipeline triggers: its builds run on agents labelled
trusty && amd64 and upload a package for ubuntu jammy to their
CHACRA_URL. The server config it runs with (server.yaml in the temporary
directory) names the simulators as the "default" backends and rewrites
https://git.example.com/ to the git server (git.insteadOf), next to
whatever --config holds. It prints shell lines to source: MINKA_SERVER,
MINKA_TOKEN and MINKA_VIEW_TOKEN (when auth is on, see below), GIT_URL,
MARATHON_URL, MESOS_URL, JENKINS_URL/USER/TOKEN, the standard OS_*
variables with OS_CLIENT_CONFIG_FILE (a clouds.yaml) and OS_CLOUD,
CHACRA_URLS (comma-separated), CHACRA_USER, CHACRA_KEY, SHAMAN_URL,
SHAMAN_USER, SHAMAN_KEY, and WEBHOOK_SECRET (the secret "webapp-hook"
that the example Pipeline's webhook is signed with); then, as comments,
the web UI's address (<server>/ui/) and "ready". It is 'minka server'
with other defaults, not a second code path.

With --auth the API takes bearer tokens only: minka dev makes two random
ones, dev-admin (role admin, printed as MINKA_TOKEN) and dev-viewer (role
view, printed as MINKA_VIEW_TOKEN), and adds their SHA-256 to auth.tokens
after those of --config; a token of --config with either name is an
error. Whenever the config it writes has tokens (--auth, or --config has
some) it adds dev-admin, prints it as MINKA_TOKEN and makes its own API
calls (applying the examples) with it.`,
		Example: "  minka dev\n  minka dev --auth\n  minka dev --listen 127.0.0.1:7071 --apply ./my-manifests",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			o.defaultLeaderElect(cmd.Flags())
			dir, err := os.MkdirTemp("", "minka-dev-")
			if err != nil {
				return err
			}
			if !keep {
				defer os.RemoveAll(dir)
			}
			if !cmd.Flags().Changed("data-dir") {
				o.dataDir = filepath.Join(dir, "etcd")
			}
			ctx, stop := signalContext()
			defer stop()
			out := cmd.OutOrStdout()
			simList, w, err := devSimulators(dir)
			if err != nil {
				return err
			}
			sims, err := startSimulators(dir, simList, w)
			if err != nil {
				return err
			}
			defer sims.stop()
			// The sealing key lives with the data it opens: in --data-dir
			// when one is given, so that a later run over it still opens
			// what was sealed.
			keyDir := dir
			if cmd.Flags().Changed("data-dir") {
				keyDir = o.dataDir
			}
			var tokens devTokens
			if o.configFile, tokens, err = writeDevConfig(dir, keyDir, o.configFile, sims, auth); err != nil {
				return err
			}
			return runServer(ctx, o, func(ctx context.Context, url string) {
				fmt.Fprintf(out, "# minka dev: API at %s (data in %s); source these lines:\n", url, o.dataDir)
				fmt.Fprintf(out, "export MINKA_SERVER=%s\n", url)
				env := append(tokens.env(), sims.env...)
				env = append(env, sims.chacra.shamanReady(url)...)
				env = append(env, "WEBHOOK_SECRET="+devWebhookSecret)
				for _, e := range env {
					fmt.Fprintf(out, "export %s\n", e)
				}
				// The sandbox's own API calls carry its admin token (none when auth is off).
				api := client.Config{Server: url, Token: tokens.admin, Timeout: client.Timeout}
				if err := applyExamples(ctx, api, examples, out); err != nil {
					fmt.Fprintf(cmd.ErrOrStderr(), "minka dev: applying %s: %v\n", examples, err)
					return
				}
				if err := uploadExampleBinaries(ctx, api, out); err != nil {
					fmt.Fprintf(cmd.ErrOrStderr(), "minka dev: uploading the example Repos' binaries: %v\n", err)
				}
				fmt.Fprintf(out, "# minka dev: web UI at %s/ui/%s\n", url, tokens.loginHint())
				fmt.Fprintf(out, "# minka dev: ready; try: minka --server %s get deploy -A\n", url)
			})
		},
	}
	o.addFlags(cmd.Flags())
	cmd.Flags().StringVar(&examples, "apply", "examples", "directory of manifests to apply once ready (skipped if missing)")
	cmd.Flags().StringVar(&examples, "examples", "examples", "the same as --apply")
	_ = cmd.Flags().MarkHidden("examples")
	cmd.Flags().BoolVar(&keep, "keep", false, "keep the temporary data directory at exit")
	cmd.Flags().BoolVar(&auth, "auth", false, "require bearer tokens: make an admin and a view-only token (dev-admin, dev-viewer) and print them as MINKA_TOKEN and MINKA_VIEW_TOKEN")
	return cmd
}

// writeDevConfig writes the server config the sandbox runs with: the
// user's --config, if any, with the simulators as the backends it does
// not name itself, and the sandbox's tokens (addDevTokens, withAuth for
// --auth), which it returns.
func writeDevConfig(dir, keyDir, userConfig string, r *runningSims, withAuth bool) (string, devTokens, error) {
	sims := r.backends
	var cfg serverConfig
	if userConfig != "" {
		var err error
		if cfg, err = loadConfig(userConfig); err != nil {
			return "", devTokens{}, err
		}
	}
	tokens, err := addDevTokens(&cfg.Auth, withAuth)
	if err != nil {
		return "", devTokens{}, fmt.Errorf("%s: %w", userConfig, err)
	}
	if _, ok := cfg.Backends.FindMarathon(devBackend); !ok {
		cfg.Backends.Marathon = append(cfg.Backends.Marathon, sims.Marathon...)
	}
	if !slices.ContainsFunc(cfg.Backends.Jenkins, func(j backend.Jenkins) bool { return j.Name == devBackend }) {
		cfg.Backends.Jenkins = append(cfg.Backends.Jenkins, sims.Jenkins...)
	}
	if !slices.ContainsFunc(cfg.Backends.OpenStack, func(c backend.OpenStack) bool { return c.Name == devBackend }) {
		cfg.Backends.OpenStack = append(cfg.Backends.OpenStack, sims.OpenStack...)
	}
	if !slices.ContainsFunc(cfg.Backends.Chacra, func(c backend.Chacra) bool { return c.Name == devBackend }) {
		cfg.Backends.Chacra = append(cfg.Backends.Chacra, sims.Chacra...)
	}
	if cfg.Shaman.User == "" {
		cfg.Shaman = r.shaman
	}
	for _, rw := range r.git.InsteadOf {
		if !slices.ContainsFunc(cfg.Git.InsteadOf, func(g backend.GitRewrite) bool { return g.InsteadOf == rw.InsteadOf }) {
			cfg.Git.InsteadOf = append(cfg.Git.InsteadOf, rw)
		}
	}
	if _, ok := backend.FindSecret(cfg.Secrets, devWebhookSecretName); !ok {
		f := filepath.Join(dir, devWebhookSecretName)
		if err := os.WriteFile(f, []byte(devWebhookSecret+"\n"), 0o600); err != nil {
			return "", devTokens{}, fmt.Errorf("writing %s: %w", f, err)
		}
		cfg.Secrets = append(cfg.Secrets, backend.NamedSecret{Name: devWebhookSecretName, Secret: backend.Secret{File: f}})
	}
	for _, rc := range r.notify.Receivers {
		if _, ok := cfg.Notifications.FindReceiver(rc.Name); !ok {
			cfg.Notifications.Receivers = append(cfg.Notifications.Receivers, rc)
		}
	}
	if len(cfg.Encryption.Keys) == 0 {
		f, err := devSealingKey(keyDir)
		if err != nil {
			return "", devTokens{}, err
		}
		cfg.Encryption.Keys = []backend.Secret{{File: f}}
	}
	path := filepath.Join(dir, "server.yaml")
	return path, tokens, writeConfig(path, cfg)
}

// devSealingKey is the sandbox's sealing key, made once and kept in dir,
// so that values sealed in one run open in the next.
func devSealingKey(dir string) (string, error) {
	f := filepath.Join(dir, "sealing.key")
	if _, err := os.Stat(f); err == nil {
		return f, nil
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", fmt.Errorf("making %s: %w", dir, err)
	}
	key, err := sealed.NewKey()
	if err != nil {
		return "", err
	}
	if err := os.WriteFile(f, []byte(key), 0o600); err != nil {
		return "", fmt.Errorf("writing %s: %w", f, err)
	}
	return f, nil
}

// The sandbox's webhook secret: the one examples/pipeline.yaml names.
const (
	devWebhookSecretName = "webapp-hook"
	devWebhookSecret     = "minka-dev-webhook-secret"
)

// applyExamples applies a directory of manifests to the server api
// names with the same code as `minka apply -f DIR`.
func applyExamples(ctx context.Context, api client.Config, dir string, out io.Writer) error {
	if _, err := os.Stat(dir); os.IsNotExist(err) {
		fmt.Fprintf(out, "# minka dev: no %s directory, nothing applied\n", dir)
		return nil
	}
	c, err := client.New(api)
	if err != nil {
		return err
	}
	ms, err := readManifests([]string{dir}, false, nil)
	if err != nil {
		return err
	}
	return applyManifests(ctx, c, ms, "", commented{out})
}

// commented prefixes what it writes with "# ", so that the dev output
// stays a script a shell can source.
type commented struct{ w io.Writer }

func (c commented) Write(p []byte) (int, error) {
	_, err := c.w.Write(append([]byte("# "), p...))
	return len(p), err
}
