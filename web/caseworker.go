package web

import "net/http"

// caseworkerRoutes are the caseworker's pages.
func (s *Server) caseworkerRoutes(mux *http.ServeMux) {}
