package jenkins

func (s *Server) computersJSON() map[string]any {
	var list []map[string]any
	busy, total := 0, 0
	for _, key := range sortedKeys(s.computers) {
		c := s.computers[key]
		list = append(list, s.computerJSON(c))
		busy += c.busy()
		total += len(c.executors)
	}
	return map[string]any{"_class": "hudson.model.ComputerSet", "busyExecutors": busy, "computer": list,
		"displayName": "Nodes", "totalExecutors": total}
}

func (s *Server) computerJSON(c *computer) map[string]any {
	class := "hudson.slaves.SlaveComputer"
	if c.builtIn {
		class = "hudson.model.Hudson$MasterComputer"
	}
	execs := []map[string]any{}
	for i, b := range c.executors {
		var cur any
		progress := -1
		if b != nil {
			cur = map[string]any{"_class": "hudson.model.FreeStyleBuild", "number": b.number, "url": s.buildURL(b)}
			progress = 50
		}
		execs = append(execs, map[string]any{"currentExecutable": cur, "idle": b == nil, "likelyStuck": false, "number": i, "progress": progress})
	}
	var cause any
	reason := ""
	if c.tempOff {
		// OfflineCause.UserCause: SlaveComputer.DisconnectedBy={0}{1},
		// the message after " : " only if there is one.
		reason = c.offMessage
		desc := "Disconnected by " + s.opts.User
		if c.offMessage != "" {
			desc += " : " + c.offMessage
		}
		cause = map[string]any{"_class": "hudson.slaves.OfflineCause$UserCause", "description": desc}
	} else if c.offline() {
		cause = map[string]any{"_class": "hudson.slaves.OfflineCause$ChannelTermination", "description": "agent not connected"}
	}
	return map[string]any{"_class": class, "actions": []any{}, "assignedLabels": c.assignedLabels(),
		"description": c.desc, "displayName": c.name, "executors": execs, "icon": "symbol-computer",
		"iconClassName": "symbol-computer", "idle": c.busy() == 0, "jnlpAgent": c.jnlp, "launchSupported": !c.jnlp,
		"loadStatistics": map[string]any{"_class": "hudson.model.Label$1"}, "manualLaunchAllowed": true,
		"monitorData": map[string]any{"hudson.node_monitors.ArchitectureMonitor": "Linux (amd64)",
			"hudson.node_monitors.ResponseTimeMonitor": map[string]any{"_class": "hudson.node_monitors.ResponseTimeMonitor$Data",
				"timestamp": s.opts.Now().UnixMilli(), "average": 0}},
		"numExecutors": len(c.executors), "offline": c.offline(), "offlineCause": cause,
		"offlineCauseReason": reason, "oneOffExecutors": []any{}, "temporarilyOffline": c.tempOff}
}
