package interp

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"
)

// wait runs a Wait state: it computes the time to wake, and exits then.
func (th *thread) wait() {
	st := th.st
	if th.isJSONata() {
		th.jwait()
		return
	}
	eff, err := th.selectPath(st.InputPath, th.input)
	if err != nil {
		th.failState(th.stateError(err))
		return
	}
	if f := th.flow(); f != nil {
		f.AfterInputPath = eff
	}
	now := th.run.now()
	var until time.Time
	switch {
	case st.Seconds != nil:
		until = now.Add(time.Duration(*st.Seconds) * time.Second)
	case st.Timestamp != "":
		t, ok := parseTimestamp(st.Timestamp)
		if !ok {
			th.runtimeError("The Timestamp parameter does not reference a valid ISO-8601 extended offset date-time format string: " + st.Timestamp)
			return
		}
		until = t
	case st.SecondsPath != nil:
		v, err := th.get(st.SecondsPath, eff)
		if err != nil {
			th.runtimeError("The SecondsPath parameter does not reference an input value: " + st.SecondsPath.String())
			return
		}
		var n json.Number
		if json.Unmarshal(v, &n) != nil {
			th.runtimeError(fmt.Sprintf("The SecondsPath parameter does not reference a valid integer value: %s == %s", st.SecondsPath.String(), jsonText(v)))
			return
		}
		secs, err := n.Int64()
		if err != nil {
			th.runtimeError(fmt.Sprintf("The SecondsPath parameter cannot be parsed as a long value: %s == %s", st.SecondsPath.String(), n.String()))
			return
		}
		if secs < 0 {
			th.runtimeError(fmt.Sprintf("The SecondsPath parameter references a negative value: %s == %d", st.SecondsPath.String(), secs))
			return
		}
		until = now.Add(time.Duration(secs) * time.Second)
	case st.TimestampPath != nil:
		v, err := th.get(st.TimestampPath, eff)
		if err != nil {
			th.runtimeError("The TimestampPath parameter does not reference an input value: " + st.TimestampPath.String())
			return
		}
		s := jsonText(v)
		t, ok := parseTimestamp(s)
		if !ok || len(v) == 0 || v[0] != '"' {
			th.runtimeError(fmt.Sprintf("The TimestampPath parameter does not reference a valid ISO-8601 extended offset date-time format string: %s == %s", st.TimestampPath.String(), s))
			return
		}
		until = t
	}
	th.stage = stageTimer
	th.wake = until
	th.onWake = func() {
		as, err := th.evalAssign(st.Assign, eff, nil, "Assign")
		if err != nil {
			th.failState(th.stateError(err))
			return
		}
		th.assigned = as
		out, err := th.selectPath(st.OutputPath, eff)
		if err != nil {
			th.failState(th.stateError(err))
			return
		}
		th.exit(out)
	}
}

// parseTimestamp reads an RFC 3339 / ISO-8601 extended offset date-time.
func parseTimestamp(s string) (time.Time, bool) {
	if !strings.ContainsAny(s, "Zz+") && strings.LastIndex(s, "-") < 10 {
		return time.Time{}, false
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return time.Time{}, false
	}
	return t, true
}
