//go:build !unix

package sqlstore

// lockFile is a no-op where flock is missing: start one process at a time
// on a new SQLite database there.
func lockFile(path string) (func(), error) { return func() {}, nil }
