package web

import "net/http"

// apiRoutes are the JSON API and its OpenAPI description.
func (s *Server) apiRoutes(mux *http.ServeMux) {}
