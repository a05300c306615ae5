package apiserver

import "net/http"

func (s *Server) create(w http.ResponseWriter, r *http.Request, info *requestInfo) error {
	obj, err := decodeBody(r, info)
	if err != nil {
		return err
	}
	info.Name = obj.GetName()
	out, err := s.store.Create(r.Context(), obj)
	if err != nil {
		return err
	}
	writeObject(w, http.StatusCreated, out)
	return nil
}
