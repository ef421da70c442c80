//go:build unix

package main

import (
	"runtime"
	"syscall"
)

func init() {
	peakRSSMB = func() float64 {
		var ru syscall.Rusage
		if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
			return 0
		}
		// Linux and the BSDs count kilobytes, Darwin bytes.
		kb := float64(ru.Maxrss)
		if runtime.GOOS == "darwin" || runtime.GOOS == "ios" {
			kb /= 1024
		}
		return kb / 1024
	}
}
