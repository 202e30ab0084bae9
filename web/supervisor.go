package web

import "net/http"

// supervisorRoutes are the robot supervisor's pages.
func (s *Server) supervisorRoutes(mux *http.ServeMux) {}
