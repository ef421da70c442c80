package interp

// pass runs a Pass state: its Result (or its effective input) placed by
// ResultPath, then OutputPath.
func (th *thread) pass() {
	st := th.st
	eff, err := th.selectPath(st.InputPath, th.input)
	if err != nil {
		th.failState(th.stateError(err))
		return
	}
	if st.Parameters != nil {
		if eff, err = th.evalTemplate(st.Parameters, eff); err != nil {
			th.failState(th.stateError(err))
			return
		}
	}
	result := eff
	if st.Result != nil {
		result = st.Result
	}
	th.finishState(result)
}

// finishState applies ResultPath and OutputPath to a state's result and
// exits the state.
func (th *thread) finishState(result []byte) {
	out, err := applyResultPath(th.input, result, th.st.ResultPath)
	if err == nil {
		out, err = th.selectPath(th.st.OutputPath, out)
	}
	if err != nil {
		th.failState(th.stateError(err))
		return
	}
	th.exit(out)
}
