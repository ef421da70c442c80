//go:build js

package main

// Under js/wasm the process is Node (or a browser), whose memory Go cannot
// see: peak_rss_mb stays 0 and scripts/bench.sh measures the Node process
// from outside (/usr/bin/time -f %M).
func init() {
	peakRSSMB = func() float64 { return 0 }
}
