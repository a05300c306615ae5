package marathon

// The JSON Marathon 1.4 writes for apps, tasks, deployments and /v2/info.

func (c *Cluster) info() map[string]any {
	return map[string]any{"name": "marathon", "version": "1.4.13", "buildref": "8d31177218d676326f5ac95f3e963403105a568d",
		"elected": true, "leader": leaderHostPort, "frameworkId": "e1f2a3b4-0000-4000-8000-000000000000-0000",
		"marathon_config": map[string]any{"master": "zk://zk.sim:2181/mesos", "framework_name": "marathon", "mesos_role": nil,
			"task_launch_timeout": 300000, "local_port_min": 10000, "local_port_max": 20000, "failover_timeout": 604800,
			"checkpoint": true, "executor": "//cmd", "hostname": "marathon.sim", "webui_url": nil, "ha": true},
		"zookeeper_config": map[string]any{"zk": "zk://zk.sim:2181/marathon", "zk_timeout": 10000, "zk_session_timeout": 10000, "zk_max_versions": 50},
		"http_config":      map[string]any{"http_port": 8080, "https_port": 8443},
		// No --event_subscriber: callbacks are off, the event stream is on.
		"event_subscriber": nil,
	}
}

func (c *Cluster) appJSON(a *app, withTasks bool) map[string]any {
	m := clone(a.spec)
	staged, running, healthy, unhealthy := 0, 0, 0, 0
	for _, t := range a.tasks {
		if t.started.IsZero() {
			staged++
			continue
		}
		running++
		if t.checked && t.healthy {
			healthy++
		} else if t.checked {
			unhealthy++
		}
	}
	m["tasksStaged"], m["tasksRunning"], m["tasksHealthy"], m["tasksUnhealthy"] = staged, running, healthy, unhealthy
	m["versionInfo"] = map[string]any{"lastScalingAt": a.scaledAt, "lastConfigChangeAt": a.config}
	deps := []any{}
	if a.deploy != nil {
		deps = append(deps, map[string]any{"id": a.deploy.id})
	}
	m["deployments"] = deps
	m["ports"] = servicePorts(a.spec)
	if withTasks {
		tasks := []any{}
		for _, t := range a.tasks {
			tasks = append(tasks, c.taskJSON(a, t))
		}
		m["tasks"] = tasks
	}
	return m
}

func (c *Cluster) taskJSON(a *app, t *task) map[string]any {
	state, started := "TASK_STAGING", any(nil)
	if !t.started.IsZero() {
		state, started = "TASK_RUNNING", timestamp(t.started)
	}
	ports := []any{}
	for _, p := range t.ports {
		ports = append(ports, p)
	}
	m := map[string]any{"id": t.id, "appId": t.appID, "host": t.host, "slaveId": t.agentID, "state": state,
		"stagedAt": timestamp(t.staged), "startedAt": started, "ports": ports, "version": t.version,
		"ipAddresses": []any{map[string]any{"ipAddress": t.host, "protocol": "IPv4"}}}
	if a.hasHealthChecks() {
		results := []any{}
		if t.checked {
			// Marathon 1.4 names the instance, not the task, in health results.
			r := map[string]any{"alive": t.healthy, "consecutiveFailures": 0, "firstSuccess": nil, "lastSuccess": nil,
				"lastFailure": nil, "lastFailureCause": nil, "instanceId": instanceID(t.id)}
			if t.healthy {
				r["firstSuccess"], r["lastSuccess"] = started, timestamp(c.opts.Now())
			} else {
				r["consecutiveFailures"], r["lastFailure"], r["lastFailureCause"] = 3, timestamp(c.opts.Now()), "ConnectException: Connection refused"
			}
			results = append(results, r)
		}
		m["healthCheckResults"] = results
	}
	return m
}

// instanceID is task "app.uuid" as instance "app.marathon-uuid".
func instanceID(taskID string) string {
	for i := 0; i < len(taskID); i++ {
		if taskID[i] == '.' {
			return taskID[:i+1] + "marathon-" + taskID[i+1:]
		}
	}
	return taskID
}

func (c *Cluster) deploymentJSON(a *app) map[string]any {
	d := a.deploy
	// A new app's ScaleApplication step starts once its tasks launch.
	current := 1
	if len(d.actions) > 1 && len(a.tasks) > 0 {
		current = len(d.actions)
	}
	return map[string]any{"id": d.id, "version": d.version, "affectedApps": []any{a.id}, "affectedPods": []any{},
		"steps": steps(a, d), "currentActions": []any{map[string]any{
			"action": d.actions[current-1], "app": a.id, "readinessCheckResults": []any{}}}, "currentStep": current, "totalSteps": len(d.actions)}
}
