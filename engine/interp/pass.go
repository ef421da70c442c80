package interp

// pass runs a Pass state: its Result (or its effective input) placed by
// ResultPath, then OutputPath.
func (th *thread) pass() {
	st := th.st
	if th.isJSONata() {
		th.jfinish(nil)
		return
	}
	eff, err := th.selectPath(st.InputPath, th.input)
	if err != nil {
		th.failState(th.stateError(err))
		return
	}
	f := th.flow()
	if f != nil {
		f.AfterInputPath = eff
	}
	if st.Parameters != nil {
		if eff, err = th.evalTemplate(st.Parameters, eff); err != nil {
			th.failState(th.stateError(err))
			return
		}
		if f != nil {
			f.AfterParameters = eff
		}
	}
	result := eff
	if st.Result != nil {
		result = st.Result
	}
	if f != nil {
		f.Result = result
	}
	th.finishState(result)
}

// finishState applies ResultPath and OutputPath to a state's result and
// exits the state.
func (th *thread) finishState(result []byte) {
	if th.isJSONata() {
		th.jfinish(result)
		return
	}
	// Assign reads the result (after ResultSelector), before ResultPath
	as, err := th.evalAssign(th.st.Assign, result, nil, "Assign")
	if err != nil {
		th.failState(th.stateError(err))
		return
	}
	th.assigned = as
	out, err := applyResultPath(th.input, result, th.st.ResultPath)
	if err == nil {
		if f := th.flow(); f != nil {
			f.AfterResultPath = out
		}
		out, err = th.selectPath(th.st.OutputPath, out)
	}
	if err != nil {
		th.failState(th.stateError(err))
		return
	}
	th.exit(out)
}
