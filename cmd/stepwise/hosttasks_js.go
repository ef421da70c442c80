//go:build js

package main

import "github.com/stepwise-sfn/stepwise/engine/sfn"

// serveRoutes does nothing in the GOOS=js build of the CLI, which starts
// no processes: command routes fail, saying this host runs no commands.
func serveRoutes(svc *sfn.Service, baseDir string) {}
