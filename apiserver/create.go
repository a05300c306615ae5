package apiserver

import (
	"net/http"

	"minka/api/v1alpha1"
)

func (s *Server) create(w http.ResponseWriter, r *http.Request, info *requestInfo) error {
	obj, err := decodeBody(w, r, info)
	if err != nil {
		return err
	}
	var out v1alpha1.Object
	if b, ok := obj.(*v1alpha1.Build); ok {
		// Numbered (and, without a name, named <pipeline>-<number>) by
		// the server; a number given must be free.
		if out, _, err = s.builds.Create(r.Context(), b, ""); err != nil {
			return err
		}
		info.Name = out.GetName()
		writeObject(w, http.StatusCreated, out)
		return nil
	}
	info.Name = obj.GetName()
	out, err = s.store.Create(r.Context(), obj)
	if err != nil {
		return err
	}
	writeObject(w, http.StatusCreated, out)
	return nil
}
