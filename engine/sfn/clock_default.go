package sfn

import (
	"time"

	"github.com/stepwise-sfn/stepwise/engine/interp"
)

type wallClock struct{}

func (wallClock) Now() time.Time { return time.Now().UTC() }

// WallClock returns a Clock that reads the system time, for hosts that run
// executions in real time (with Service.NextWake and Service.Advance).
func WallClock() interp.Clock { return wallClock{} }
