package interp_test

import "github.com/stepwise-sfn/stepwise/engine/states"

var stateErr = states.Error{Name: "Boom", Cause: "bad"}
