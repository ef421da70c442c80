package interp

import (
	"encoding/json"

	"github.com/stepwise-sfn/stepwise/engine/intrinsic"
	"github.com/stepwise-sfn/stepwise/engine/jsonpath"
	"github.com/stepwise-sfn/stepwise/engine/states"
)

// succeed runs a Succeed state: InputPath then OutputPath, and the thread
// ends.
func (th *thread) succeed() {
	if th.isJSONata() {
		out := th.input
		if th.st.Output != nil {
			var err error
			if out, err = th.jeval(th.st.Output, "Output", &jstates{input: th.input}); err != nil {
				th.evalFailed(err)
				return
			}
		}
		th.exitTo(out, "", true)
		return
	}
	eff, err := th.selectPath(th.st.InputPath, th.input)
	if err == nil {
		if f := th.flow(); f != nil {
			f.AfterInputPath = eff
		}
		eff, err = th.selectPath(th.st.OutputPath, eff)
	}
	if err != nil {
		th.failState(th.stateError(err))
		return
	}
	th.exitTo(eff, "", true)
}

// fail runs a Fail state: the thread ends with its Error and Cause, or
// the values of ErrorPath and CausePath.
func (th *thread) fail() {
	st := th.st
	if th.isJSONata() {
		th.jfail()
		return
	}
	name, cause := st.Error, st.Cause
	var err error
	if st.ErrorPath != nil || st.ErrorCall != nil {
		if name, err = th.failField(st.ErrorPath, st.ErrorCall, "ErrorPath"); err != nil {
			th.fatal(th.stateError(err), th.last)
			return
		}
	}
	if st.CausePath != nil || st.CauseCall != nil {
		if cause, err = th.failField(st.CausePath, st.CauseCall, "CausePath"); err != nil {
			th.fatal(th.stateError(err), th.last)
			return
		}
	}
	th.fatal(&states.Error{Name: name, Cause: cause}, th.last)
}

// failField evaluates ErrorPath or CausePath (a path or an intrinsic call)
// to a string; a non-string value is used as its JSON text.
func (th *thread) failField(path *jsonpath.Path, call *intrinsic.Call, field string) (string, error) {
	var v []byte
	var err error
	if call != nil {
		if v, err = th.call(call, th.input); err != nil {
			return "", err
		}
	} else if v, err = th.get(path, th.input); err != nil {
		return "", &pathError{"The JSONPath '" + path.String() + "' specified for the field '" + field +
			"' could not be found in the input '" + string(th.input) + "'"}
	}
	return jsonText(v), nil
}

// jsonText returns a JSON string's value, or the JSON text of any other value.
func jsonText(v []byte) string {
	if len(v) > 0 && v[0] == '"' {
		var s string
		if json.Unmarshal(v, &s) == nil {
			return s
		}
	}
	return string(v)
}
