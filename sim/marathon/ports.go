package marathon

// assignServicePorts gives every port definition or docker port mapping
// that asks for service port 0 the one it had before (an update keeps its
// ports), else the next free one from 10000, as Marathon does.
func (c *Cluster) assignServicePorts(spec map[string]any, before []any) {
	i := 0
	next := func(v any) any {
		defer func() { i++ }()
		if n, _ := v.(float64); n != 0 {
			return v
		}
		if i < len(before) {
			return before[i]
		}
		c.nextService++
		return float64(c.nextService - 1)
	}
	if pd, ok := spec["portDefinitions"].([]any); ok {
		for _, p := range pd {
			if m, ok := p.(map[string]any); ok {
				m["port"] = next(m["port"])
			}
		}
	}
	container, _ := spec["container"].(map[string]any)
	docker, _ := container["docker"].(map[string]any)
	if pm, ok := docker["portMappings"].([]any); ok {
		for _, p := range pm {
			if m, ok := p.(map[string]any); ok {
				m["servicePort"] = next(m["servicePort"])
			}
		}
	}
}

// servicePorts lists an app's service ports.
func servicePorts(spec map[string]any) []any {
	out := []any{}
	if pd, ok := spec["portDefinitions"].([]any); ok {
		for _, p := range pd {
			out = append(out, p.(map[string]any)["port"])
		}
	}
	container, _ := spec["container"].(map[string]any)
	docker, _ := container["docker"].(map[string]any)
	if pm, ok := docker["portMappings"].([]any); ok {
		for _, p := range pm {
			out = append(out, p.(map[string]any)["servicePort"])
		}
	}
	return out
}
