package interp

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"strconv"

	"github.com/stepwise-sfn/stepwise/engine/history"
	"github.com/stepwise-sfn/stepwise/engine/jsonpath"
	"github.com/stepwise-sfn/stepwise/engine/states"
)

// mapState runs a Map state: one iteration of ItemProcessor per item of
// ItemsPath, ItemSelector shaping each item, at most MaxConcurrency at a
// time. A distributed Map runs its iterations as child executions, whose
// events are not in this history.
func (th *thread) mapState() {
	st := th.st
	redo := th.redoFor()
	jn := th.isJSONata()
	js := &jstates{input: th.input}
	eff, err := th.selectPath(st.InputPath, th.input)
	if err != nil {
		th.failState(th.stateError(err))
		return
	}
	if f := th.flow(); f != nil {
		f.AfterInputPath = eff
	}
	itemsDoc := eff
	if jn && st.Items != nil {
		if itemsDoc, err = th.jtyped(st.Items, "Items", "array", js); err != nil {
			th.evalFailed(err)
			return
		}
	}
	// Stepwise has no S3 to read an ItemReader's items from: the map run
	// starts with no items and fails as AWS's does when it cannot read.
	var readerErr *states.Error
	if st.ItemReader != nil {
		readerErr = states.New(states.ItemReaderFailed, "Stepwise cannot read items from Amazon S3 (the ItemReader of state '"+st.Name+
			"'): give the Map its items in its input, with ItemsPath or Items.")
		itemsDoc = []byte(`[]`)
	} else if p := st.ItemsPath.Path; p != nil && !(p.IsRoot() && p.Root() == jsonpath.RootInput) {
		if itemsDoc, err = th.get(st.ItemsPath.Path, eff); err != nil {
			th.failState(th.stateError(invalidPath(st.ItemsPath.Path, err)))
			return
		}
	}
	var raw []json.RawMessage
	if kindOf(itemsDoc) != kindArray || json.Unmarshal(itemsDoc, &raw) != nil {
		th.runtimeError(fmt.Sprintf("Items of the Map state must be an array, but the value is: %s", string(itemsDoc)))
		return
	}
	j := &join{isMap: true, tolerated: -1, toleratedP: -1}
	j.distributed = st.ItemProcessor != nil && st.ItemProcessor.ProcessorConfig.Mode == "DISTRIBUTED"
	if jn {
		if j.max, err = th.jint("MaxConcurrency", st.MaxConcurrency, js); err != nil {
			th.evalFailed(err)
			return
		}
	} else if j.max, err = th.mapInteger(eff, st.MaxConcurrency, st.MaxConcurrencyPath, "MaxConcurrencyPath"); err != nil {
		th.failState(th.stateError(err))
		return
	}
	j.items = make([][]byte, len(raw))
	for i, it := range raw {
		if st.ItemSelector == nil {
			j.items[i] = it
			continue
		}
		th.item = &mapItem{index: i, value: it}
		var v []byte
		if jn {
			v, err = th.jeval(st.ItemSelector.Static, "ItemSelector", &jstates{input: th.input})
		} else {
			v, err = th.evalTemplate(st.ItemSelector, eff)
		}
		th.item = nil
		if err != nil {
			th.evalFailed(err)
			return
		}
		j.items[i] = v
	}
	if st.ItemBatcher != nil {
		if jn {
			j.items, err = th.jbatch(j.items, js)
		} else {
			j.items, err = th.batch(j.items, eff)
		}
		if err != nil {
			th.evalFailed(err)
			return
		}
	}
	j.results = make([][]byte, len(j.items))
	j.pending = len(j.items)
	if redo != nil && !j.distributed {
		j.redo = redo.children
		for i, o := range redo.children {
			if o.succeeded && i < len(j.results) {
				j.results[i] = o.output
				j.pending--
			}
		}
		j.skipDone()
	}
	started := th.emit(history.MapStateStarted, &history.MapStateStartedDetails{Length: len(raw)})
	j.lastIter = started
	// AWS checks the tolerated failure settings after MapStateStarted.
	if jn {
		if err := th.jtolerated(j, js); err != nil {
			th.evalFailed(err)
			return
		}
	} else if st.ToleratedFailureCount != nil || st.ToleratedFailureCountPath != nil {
		var fixed int64
		if st.ToleratedFailureCount != nil {
			fixed = *st.ToleratedFailureCount
		}
		if j.tolerated, err = th.mapInteger(eff, fixed, st.ToleratedFailureCountPath, "ToleratedFailureCountPath"); err != nil {
			th.failState(th.stateError(err))
			return
		}
		if j.tolerated < 0 {
			th.runtimeError("ToleratedFailureCount cannot be negative.")
			return
		}
	}
	if !jn && (st.ToleratedFailurePercentage != nil || st.ToleratedFailurePercentagePath != nil) {
		if st.ToleratedFailurePercentage != nil {
			j.toleratedP = *st.ToleratedFailurePercentage
		}
		if p := st.ToleratedFailurePercentagePath; p != nil {
			v, gerr := th.get(p, eff)
			f, perr := strconv.ParseFloat(string(bytes.TrimSpace(v)), 64)
			if gerr != nil || perr != nil || kindOf(v) != kindNumber {
				th.runtimeError(fmt.Sprintf("The ToleratedFailurePercentagePath field refers to value \"%s\" which is not a valid float: %s", jsonText(v), p.String()))
				return
			}
			j.toleratedP = f
		}
		if j.toleratedP < 0 || j.toleratedP > 100 {
			th.runtimeError("ToleratedFailurePercentage must be between 0 and 100.")
			return
		}
	}
	if j.distributed {
		label := st.Label
		if label == "" {
			label = st.Name
		}
		if redo != nil && redo.mapRunARN != "" {
			j.mapRunARN = redo.mapRunARN
			j.runStarted = th.emit(history.MapRunRedriven, &history.RedrivenDetails{MapRunARN: j.mapRunARN, RedriveCount: th.run.ex.RedriveCount})
		} else {
			j.mapRunARN = fmt.Sprintf("arn:aws:states:%s:%s:mapRun:%s/%s:%s", th.run.ex.Region, th.run.ex.AccountID,
				th.run.ex.StateMachineName, label, th.run.env.IDs.UUID())
			j.runStarted = th.emit(history.MapRunStarted, &history.MapRunStartedDetails{MapRunARN: j.mapRunARN})
		}
		th.run.mapRunStarted(j, redo != nil && redo.mapRunARN != "")
		if readerErr != nil {
			th.join = j
			th.mapRunFailed(readerErr)
			return
		}
	}
	th.join = j
	th.stage = stageJoin
}

// mapInteger reads MaxConcurrency or ToleratedFailureCount, or their Path
// (evaluated on eff, the state's effective input).
func (th *thread) mapInteger(eff []byte, fixed int64, p *jsonpath.Path, field string) (int64, error) {
	if p == nil {
		return fixed, nil
	}
	v, err := th.get(p, eff)
	if err != nil {
		return 0, invalidPath(p, err)
	}
	n, perr := strconv.ParseInt(string(bytes.TrimSpace(v)), 10, 64)
	if perr != nil {
		return 0, &pathError{fmt.Sprintf("The %s field refers to value \"%s\" which is not a valid integer: %s", field, jsonText(v), p.String())}
	}
	return n, nil
}

// batch groups items as ItemBatcher says: {"Items": [...]} plus BatchInput.
func (th *thread) batch(items [][]byte, input []byte) ([][]byte, error) {
	b := th.st.ItemBatcher
	maxItems, maxBytes := b.MaxItemsPerBatch, b.MaxInputBytesPerBatch
	for _, pv := range []struct {
		p   *jsonpath.Path
		dst *int64
		f   string
	}{{b.MaxItemsPerBatchPath, &maxItems, "MaxItemsPerBatchPath"}, {b.MaxInputBytesPerBatchPath, &maxBytes, "MaxInputBytesPerBatchPath"}} {
		if pv.p != nil {
			n, err := th.mapInteger(input, 0, pv.p, pv.f)
			if err != nil {
				return nil, err
			}
			*pv.dst = n
		}
	}
	var batchInput []byte
	if b.BatchInput != nil {
		var err error
		if batchInput, err = th.evalTemplate(b.BatchInput, input); err != nil {
			return nil, err
		}
	}
	return group(items, maxItems, maxBytes, batchInput), nil
}

// jbatch is batch for a JSONata Map: MaxItemsPerBatch and
// MaxInputBytesPerBatch may be expressions, and BatchInput's "{% %}"
// strings are evaluated.
func (th *thread) jbatch(items [][]byte, s *jstates) ([][]byte, error) {
	b := th.st.ItemBatcher
	maxItems, maxBytes := b.MaxItemsPerBatch, b.MaxInputBytesPerBatch
	for _, f := range []struct {
		name string
		dst  *int64
	}{{"MaxItemsPerBatch", &maxItems}, {"MaxInputBytesPerBatch", &maxBytes}} {
		raw, ok := b.Exprs[f.name]
		if !ok {
			continue
		}
		n, err := th.jinteger(raw, "ItemBatcher/"+f.name, s)
		if err != nil {
			return nil, err
		}
		*f.dst = n
	}
	var batchInput []byte
	if b.BatchInputRaw != nil {
		var err error
		if batchInput, err = th.jeval(b.BatchInputRaw, "ItemBatcher/BatchInput", s); err != nil {
			return nil, err
		}
	}
	return group(items, maxItems, maxBytes, batchInput), nil
}

// group puts items into batches of at most maxItems items and maxBytes
// bytes (0: no limit but the payload size), each {"BatchInput": ...,
// "Items": [...]}.
func group(items [][]byte, maxItems, maxBytes int64, batchInput []byte) [][]byte {
	if maxBytes <= 0 || maxBytes > MaxPayloadBytes {
		maxBytes = MaxPayloadBytes
	}
	if maxItems <= 0 {
		maxItems = math.MaxInt64
	}
	var out [][]byte
	var cur [][]byte
	size := int64(0)
	flush := func() {
		if len(cur) == 0 {
			return
		}
		buf := []byte(`{`)
		if len(batchInput) > 2 {
			buf = append(buf, `"BatchInput":`...)
			buf = append(buf, batchInput...)
			buf = append(buf, ',')
		}
		buf = append(buf, `"Items":`...)
		buf = append(buf, joinArray(cur)...)
		buf = append(buf, '}')
		out = append(out, buf)
		cur, size = nil, 0
	}
	for _, it := range items {
		if int64(len(cur)) >= maxItems || (len(cur) > 0 && size+int64(len(it))+1 > maxBytes) {
			flush()
		}
		cur = append(cur, it)
		size += int64(len(it)) + 1
	}
	flush()
	return out
}

// spawnIteration starts the next iteration.
func (th *thread) spawnIteration() {
	j := th.join
	i := j.next
	j.next++
	last := th.last
	if !j.distributed {
		last = th.emit(history.MapIterationStarted, &history.MapIterationDetails{Name: th.st.Name, Index: i})
	}
	c := th.child(th.st.ItemProcessor, j.items[i], last)
	c.iter = i
	if j.distributed {
		c.hidden = true
	}
	c.redrive(j.redo[i])
	j.children = append(j.children, c)
	j.skipDone()
	j.itemStarted()
}

// collectIteration records the end of an iteration.
func (th *thread) collectIteration(c *thread) {
	j := th.join
	idx := c.itemIndex()
	if j.distributed {
		j.itemEnded(c.err == nil)
		if c.err != nil {
			j.failures++
			if !j.withinTolerance() {
				th.mapRunFailed(states.New(states.ExceedToleratedFailure, "The specified tolerated failure threshold was exceeded"))
				return
			}
			return
		}
		j.results[idx] = c.output
		return
	}
	if c.err != nil {
		id := th.record(history.MapIterationFailed, c.last, &history.MapIterationDetails{Name: th.st.Name, Index: idx})
		th.last = c.last
		th.abortChildren()
		th.join = nil
		th.stage = stageWork
		// A Map that is retried records no MapStateFailed (AWS histories).
		if !th.willRetry(c.err) {
			id = th.record(history.MapStateFailed, th.last, nil)
		}
		th.handleError(c.err, id)
		return
	}
	j.lastIter = th.record(history.MapIterationSucceeded, c.last, &history.MapIterationDetails{Name: th.st.Name, Index: idx})
	th.last = c.last
	j.results[idx] = c.output
}

func (j *join) withinTolerance() bool {
	if j.tolerated >= 0 && j.failures <= j.tolerated {
		return true
	}
	if j.toleratedP >= 0 && len(j.items) > 0 && float64(j.failures)*100/float64(len(j.items)) <= j.toleratedP {
		return true
	}
	return false
}

// mapRunFailed ends a distributed Map's run with err: MapRunFailed, then
// MapStateFailed, then the state's Retry and Catch.
func (th *thread) mapRunFailed(err *states.Error) {
	j := th.join
	j.mapRunEnded("FAILED")
	th.abortChildren()
	id := th.record(history.MapRunFailed, j.runStarted, &history.FailureDetails{Error: err.Name, Cause: err.Cause})
	id = th.record(history.MapStateFailed, id, nil)
	th.last = j.runStarted
	th.join = nil
	th.stage = stageWork
	th.handleError(err, id)
}

func (th *thread) mapSucceeded() {
	j := th.join
	if j.distributed {
		id := th.record(history.MapRunSucceeded, j.runStarted, nil)
		j.mapRunEnded("SUCCEEDED")
		th.record(history.MapStateSucceeded, id, nil)
		th.last = j.runStarted
	} else {
		th.record(history.MapStateSucceeded, j.lastIter, nil)
		th.last = j.lastIter
	}
	out := joinArray(j.results)
	th.join = nil
	th.stage = stageWork
	th.selectAndFinish(out)
}
