package openstack

import (
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"strings"
)

// Nova's os-volume_attachments (compute/volume_attachments.py): served at
// every microversion, its view growing: tag at 2.70, delete_on_termination
// at 2.79, attachment_id and bdm_uuid instead of id at 2.89; a create at
// 2.101 answers 202 with no body.

// attachServer finds the server of /servers/{id}/os-volume_attachments,
// or answers its 404. c.mu is held.
func (c *Cloud) attachServer(w http.ResponseWriter, id string) *server {
	s := c.servers[id]
	if s == nil {
		novaError(w, http.StatusNotFound, "itemNotFound", fmt.Sprintf("Instance %s could not be found.", id))
	}
	return s
}

func (c *Cloud) listAttachments(w http.ResponseWriter, _ *http.Request, q *novaReq) {
	c.mu.Lock()
	defer c.mu.Unlock()
	s := c.attachServer(w, q.params[0])
	if s == nil {
		return
	}
	out := []any{}
	for _, vid := range s.attachedIDs() {
		out = append(out, c.attachmentJSON(s, vid, q))
	}
	writeJSON(w, http.StatusOK, map[string]any{"volumeAttachments": out})
}

func (c *Cloud) getAttachment(w http.ResponseWriter, _ *http.Request, q *novaReq) {
	c.mu.Lock()
	defer c.mu.Unlock()
	s := c.attachServer(w, q.params[0])
	if s == nil {
		return
	}
	vid := q.params[1]
	if _, ok := s.attached[vid]; !ok {
		novaError(w, http.StatusNotFound, "itemNotFound", fmt.Sprintf("Instance %s is not attached to volume %s", s.id, vid))
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"volumeAttachment": c.attachmentJSON(s, vid, q)})
}

// attach is POST: 200 with the attachment (202 and no body from 2.101),
// 409 unless the server is ACTIVE, 404 for an unknown volume, 400 for one
// in use or a body the schema refuses. c.mu is taken.
func (c *Cloud) attach(w http.ResponseWriter, _ *http.Request, q *novaReq) {
	var body map[string]any
	if !decodeBody(w, q.body, &body) {
		return
	}
	allowed := []string{"volumeId", "device"}
	if q.supports("2.49") {
		allowed = append(allowed, "tag")
	}
	if q.supports("2.79") {
		allowed = append(allowed, "delete_on_termination")
	}
	att, msg := attachBody(body, allowed)
	if msg != "" {
		novaError(w, http.StatusBadRequest, "badRequest", msg)
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	s := c.attachServer(w, q.params[0])
	if s == nil {
		return
	}
	vid, _ := att["volumeId"].(string)
	v := c.volumes[vid]
	switch {
	case s.status != "ACTIVE":
		novaError(w, http.StatusConflict, "conflictingRequest", fmt.Sprintf(
			"Cannot 'attach_volume' instance %s while it is in vm_state %s", s.id, vmState(s.status)))
		return
	case v == nil:
		novaError(w, http.StatusNotFound, "itemNotFound", fmt.Sprintf("Volume %s could not be found.", vid))
		return
	case v.attachedTo != "":
		novaError(w, http.StatusBadRequest, "badRequest", fmt.Sprintf(
			"Invalid volume: volume %s status must be available or downloading to reserve, but the current status is in-use.", vid))
		return
	}
	dev, _ := att["device"].(string)
	dev = c.attachVolume(s, v, dev)
	v.tag = att["tag"]
	del := boolFromString(att["delete_on_termination"])
	if del {
		s.volumes = append(s.volumes, v.id)
	}
	if q.supports("2.101") {
		w.WriteHeader(http.StatusAccepted)
		return
	}
	out := map[string]any{"id": v.id, "serverId": s.id, "volumeId": v.id, "device": dev}
	if q.supports("2.70") {
		out["tag"] = v.tag
	}
	if q.supports("2.79") {
		out["delete_on_termination"] = del
	}
	writeJSON(w, http.StatusOK, map[string]any{"volumeAttachment": out})
}

// detach is DELETE: 202; 404 for an unknown volume or one not attached
// here, 409 unless the server is ACTIVE.
func (c *Cloud) detach(w http.ResponseWriter, _ *http.Request, q *novaReq) {
	c.mu.Lock()
	defer c.mu.Unlock()
	s := c.attachServer(w, q.params[0])
	if s == nil {
		return
	}
	vid := q.params[1]
	switch _, attached := s.attached[vid]; {
	case c.volumes[vid] == nil:
		novaError(w, http.StatusNotFound, "itemNotFound", fmt.Sprintf("Volume %s could not be found.", vid))
	case !attached:
		novaError(w, http.StatusNotFound, "itemNotFound", fmt.Sprintf("Instance %s is not attached to volume %s", s.id, vid))
	case s.status != "ACTIVE":
		novaError(w, http.StatusConflict, "conflictingRequest", fmt.Sprintf(
			"Cannot 'detach_volume' instance %s while it is in vm_state %s", s.id, vmState(s.status)))
	default:
		c.detachVolume(s, vid)
		w.WriteHeader(http.StatusAccepted)
	}
}

// attachmentJSON is _translate_attachment_detail_view. c.mu is held.
func (c *Cloud) attachmentJSON(s *server, vid string, q *novaReq) map[string]any {
	m := map[string]any{"volumeId": vid, "serverId": s.id}
	if !q.supports("2.89") {
		m["id"] = vid
	}
	if dev := s.attached[vid]; dev != "" {
		m["device"] = dev
	}
	v := c.volumes[vid]
	if q.supports("2.70") {
		m["tag"] = v.tag
	}
	if q.supports("2.79") {
		m["delete_on_termination"] = slices.Contains(s.volumes, vid)
	}
	if q.supports("2.89") {
		m["attachment_id"], m["bdm_uuid"] = v.attachmentID, v.bdmID
	}
	return m
}

// devicePattern is the schema's device pattern (from match_device()).
var devicePattern = regexp.MustCompile(`(^/dev/x{0,1}[a-z]{0,1}d{0,1})([a-z]+)[0-9]*$`)

// attachBody checks a create body as schemas/volume_attachments.py
// create does, returning volumeAttachment or the validation message.
func attachBody(body map[string]any, allowed []string) (map[string]any, string) {
	if msg := onlyProperties(body, "volumeAttachment"); msg != "" {
		return nil, msg
	}
	raw, ok := body["volumeAttachment"]
	if !ok {
		return nil, "'volumeAttachment' is a required property"
	}
	att, ok := raw.(map[string]any)
	if !ok {
		return nil, fieldError("volumeAttachment", raw, pyRepr(raw)+" is not of type 'object'")
	}
	if msg := onlyProperties(att, allowed...); msg != "" {
		return nil, fieldError("volumeAttachment", att, msg)
	}
	vid, ok := att["volumeId"]
	switch s, isStr := vid.(string); {
	case !ok:
		return nil, fieldError("volumeAttachment", att, "'volumeId' is a required property")
	case !isStr:
		return nil, fieldError("volumeId", vid, pyRepr(vid)+" is not of type 'string'")
	case !uuidLike(s):
		return nil, fieldError("volumeId", vid, pyRepr(vid)+" is not a 'uuid'")
	}
	switch dev := att["device"].(type) {
	case nil:
	case string:
		if !devicePattern.MatchString(dev) {
			return nil, fieldError("device", dev, pyRepr(dev)+" does not match "+pyRepr(devicePattern.String()))
		}
	default:
		return nil, fieldError("device", dev, pyRepr(dev)+" is not of type 'string', 'null'")
	}
	if d, ok := att["delete_on_termination"]; ok {
		if msg := checkBoolean(d); msg != "" {
			return nil, fieldError("delete_on_termination", d, msg)
		}
	}
	if t, ok := att["tag"]; ok {
		if _, isStr := t.(string); !isStr {
			return nil, fieldError("tag", t, pyRepr(t)+" is not of type 'string'")
		}
	}
	return att, ""
}

func vmState(status string) string {
	if status == "BUILD" {
		return "building"
	}
	return strings.ToLower(status)
}
