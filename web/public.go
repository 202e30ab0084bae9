package web

import "net/http"

// publicRoutes are the pages without login: the rule register.
func (s *Server) publicRoutes(mux *http.ServeMux) {}
