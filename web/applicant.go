package web

import "net/http"

// applicantRoutes are the applicant's pages (see applicant.go's handlers).
func (s *Server) applicantRoutes(mux *http.ServeMux) {}
