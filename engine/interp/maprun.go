package interp

import "time"

// MapRun is the record of a Distributed Map's run, as DescribeMapRun shows
// it. A distributed Map's iterations are not separate executions here:
// their counts are kept by the Map state and reported as both item and
// child execution counts.
type MapRun struct {
	ARN string
	// Status is RUNNING, SUCCEEDED, FAILED or ABORTED.
	Status      string
	Start, Stop time.Time
	// MaxConcurrency is 0 for no limit.
	MaxConcurrency int64
	// ToleratedFailureCount and ToleratedFailurePercentage are 0 when the
	// state sets none.
	ToleratedFailureCount      int64
	ToleratedFailurePercentage float64
	Counts                     MapRunCounts
	RedriveCount               int
	RedriveDate                time.Time

	j   *join // while RUNNING
	run *Run
}

// MapRunCounts are a Map Run's item counts.
type MapRunCounts struct {
	Pending, Running, Succeeded, Failed, TimedOut, Aborted, Total int64
}

// MapRuns returns the distributed Map runs the execution has started, in
// order, as copies.
func (r *Run) MapRuns() []MapRun {
	out := make([]MapRun, len(r.mapRuns))
	for i, m := range r.mapRuns {
		out[i] = *m
		out[i].j, out[i].run = nil, nil
	}
	return out
}

// UpdateMapRun changes a running Map Run's MaxConcurrency and tolerated
// failure thresholds (UpdateMapRun); nil leaves a setting as it is. It
// reports whether the run has a Map Run with the ARN that is still
// running: the new settings apply from the next iteration on.
func (r *Run) UpdateMapRun(arn string, maxConcurrency, toleratedCount *int64, toleratedPercentage *float64) bool {
	if r.journaling() {
		r.env.Journal.call("mapRun", arn, maxConcurrency, toleratedCount, toleratedPercentage)
	}
	for _, m := range r.mapRuns {
		if m.ARN != arn || m.Status != "RUNNING" || m.j == nil {
			continue
		}
		if maxConcurrency != nil {
			m.MaxConcurrency, m.j.max = *maxConcurrency, *maxConcurrency
		}
		if toleratedCount != nil {
			m.ToleratedFailureCount, m.j.tolerated = *toleratedCount, *toleratedCount
		}
		if toleratedPercentage != nil {
			m.ToleratedFailurePercentage, m.j.toleratedP = *toleratedPercentage, *toleratedPercentage
		}
		return true
	}
	return false
}

// mapRunStarted records the start (or, redriven, the restart) of a
// distributed Map's run.
func (r *Run) mapRunStarted(j *join, redriven bool) {
	now := r.now()
	var m *MapRun
	for _, old := range r.mapRuns {
		if old.ARN == j.mapRunARN {
			m = old
		}
	}
	if m == nil {
		m = &MapRun{ARN: j.mapRunARN, Start: now, run: r}
		r.mapRuns = append(r.mapRuns, m)
	}
	if redriven {
		m.RedriveCount++
		m.RedriveDate = now
	}
	m.Status, m.Stop, m.j = "RUNNING", time.Time{}, j
	m.MaxConcurrency = j.max
	m.ToleratedFailureCount, m.ToleratedFailurePercentage = max(j.tolerated, 0), max(j.toleratedP, 0)
	n := int64(len(j.items))
	m.Counts = MapRunCounts{Pending: n, Total: n}
	j.mr = m
}

func (j *join) itemStarted() {
	if j.mr != nil {
		j.mr.Counts.Pending--
		j.mr.Counts.Running++
	}
}

func (j *join) itemEnded(ok bool) {
	if j.mr == nil {
		return
	}
	j.mr.Counts.Running--
	if ok {
		j.mr.Counts.Succeeded++
	} else {
		j.mr.Counts.Failed++
	}
}

func (j *join) itemAborted() {
	if j.mr != nil {
		j.mr.Counts.Running--
		j.mr.Counts.Aborted++
	}
}

// mapRunEnded ends a running Map Run with status.
func (j *join) mapRunEnded(status string) {
	if j == nil || j.mr == nil || j.mr.Status != "RUNNING" {
		return
	}
	j.mr.Status = status
	j.mr.Stop = j.mr.run.now()
	j.mr.j = nil
}

// abortMapRuns ends the Map Runs still running when the execution ends.
func (r *Run) abortMapRuns() {
	for _, m := range r.mapRuns {
		if m.Status == "RUNNING" && m.j != nil {
			j := m.j
			m.Counts.Aborted += m.Counts.Running
			m.Counts.Running = 0
			j.mapRunEnded("ABORTED")
		}
	}
}
