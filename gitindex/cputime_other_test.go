//go:build !unix

package gitindex

import "time"

func cpuTime() time.Duration { return 0 }
