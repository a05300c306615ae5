package openstack

import (
	"encoding/json"
	"fmt"
	"net/http"
	"sort"
)

// serveAttachments is /servers/{id}/os-volume_attachments[/{volume}].
func (c *Cloud) serveAttachments(w http.ResponseWriter, r *http.Request, serverID string, rest []string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	s := c.servers[serverID]
	if s == nil {
		novaError(w, http.StatusNotFound, "itemNotFound", fmt.Sprintf("Instance %s could not be found.", serverID))
		return
	}
	switch {
	case r.Method == http.MethodPost && len(rest) == 0:
		c.attach(w, r, s)
	case r.Method == http.MethodGet && len(rest) == 0:
		vids := make([]string, 0, len(s.attached))
		for vid := range s.attached {
			vids = append(vids, vid)
		}
		sort.Slice(vids, func(i, j int) bool { return s.attached[vids[i]] < s.attached[vids[j]] })
		out := []any{}
		for _, vid := range vids {
			out = append(out, attachmentJSON(s.id, vid, s.attached[vid]))
		}
		writeJSON(w, http.StatusOK, map[string]any{"volumeAttachments": out})
	case r.Method == http.MethodGet && len(rest) == 1:
		dev, ok := s.attached[rest[0]]
		if !ok {
			novaError(w, http.StatusNotFound, "itemNotFound", fmt.Sprintf("Instance %s is not attached.", rest[0]))
			return
		}
		writeJSON(w, http.StatusOK, map[string]any{"volumeAttachment": attachmentJSON(s.id, rest[0], dev)})
	case r.Method == http.MethodDelete && len(rest) == 1:
		c.detach(w, s, rest[0])
	default:
		http.NotFound(w, r)
	}
}

// attach is POST; Nova answers 200 with the attachment. c.mu is held.
func (c *Cloud) attach(w http.ResponseWriter, r *http.Request, s *server) {
	var req struct {
		VolumeAttachment struct {
			VolumeID string `json:"volumeId"`
			Device   string `json:"device"`
		} `json:"volumeAttachment"`
	}
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
		novaError(w, http.StatusBadRequest, "badRequest", "Malformed request body: "+err.Error())
		return
	}
	vid := req.VolumeAttachment.VolumeID
	v := c.volumes[vid]
	switch {
	case v == nil:
		novaError(w, http.StatusNotFound, "itemNotFound", fmt.Sprintf("Volume %s could not be found.", vid))
		return
	case v.attachedTo != "":
		novaError(w, http.StatusBadRequest, "badRequest", fmt.Sprintf(
			"Invalid volume: volume %s status must be available or downloading to reserve, but the current status is in-use.", vid))
		return
	}
	dev := req.VolumeAttachment.Device
	if dev == "" {
		dev = fmt.Sprintf("/dev/vd%c", 'b'+len(s.attached))
	}
	s.attached[v.id], v.status, v.attachedTo = dev, "in-use", s.id
	writeJSON(w, http.StatusOK, map[string]any{"volumeAttachment": attachmentJSON(s.id, v.id, dev)})
}

// detach is DELETE; Nova answers 202. c.mu is held.
func (c *Cloud) detach(w http.ResponseWriter, s *server, vid string) {
	if _, ok := s.attached[vid]; !ok {
		novaError(w, http.StatusNotFound, "itemNotFound", fmt.Sprintf("Volume %s is not attached to %s.", vid, s.id))
		return
	}
	delete(s.attached, vid)
	if v := c.volumes[vid]; v != nil {
		v.status, v.attachedTo = "available", ""
	}
	w.WriteHeader(http.StatusAccepted)
}

func attachmentJSON(serverID, volID, dev string) map[string]any {
	return map[string]any{"id": volID, "device": dev, "serverId": serverID, "volumeId": volID}
}
