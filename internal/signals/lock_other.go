//go:build !unix && !windows

package signals

import "os"

// lockFile does nothing where the platform has no file locks (plan9, wasm):
// two dashboards on one log there would both write.
func lockFile(*os.File) error { return nil }
