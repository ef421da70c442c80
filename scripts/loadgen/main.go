// Command loadgen measures a Step Functions API server under concurrent
// load from another process: N workers, each on its own keep-alive
// connection, repeat StartExecution of a one-Pass-state machine followed
// by DescribeExecution of the execution it started, for a fixed duration
// (or a fixed count of executions) after a warm-up. It prints one JSON
// line of results per target: executions and requests per second, and
// the p50/p90/p99/max latency of the pair and of each call.
//
// Requests carry the AWS JSON 1.0 headers and a dummy SigV4 Authorization
// header (a well-formed credential scope, a signature of zeros): servers
// that do not verify signatures, as Stepwise without --auth and moto
// without INITIAL_NO_AUTH_ACTION_COUNT, read the region from it.
//
//	loadgen -target stepwise=http://127.0.0.1:8080 -workers 16 -duration 10s
//	loadgen -free-port          print a free loopback port and exit
//	loadgen -table results.jsonl  print result lines as a table, with each
//	                              target's throughput against the "moto" row
//
// scripts/bench-server.sh starts the servers and runs it.
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"net"
	"net/http"
	"os"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// passMachine is the measured state machine: one Pass state, so the
// figures are the API's and the store's cost, not the interpreter's.
const passMachine = `{"Comment":"loadgen","StartAt":"P","States":{"P":{"Type":"Pass","Result":{"ok":true},"ResultPath":"$.r","End":true}}}`

// parkedMachine waits a day: its executions stay RUNNING during the
// measurement (-parked), as executions waiting on timers, callbacks or
// activities do on a busy server.
const parkedMachine = `{"StartAt":"W","States":{"W":{"Type":"Wait","Seconds":86400,"End":true}}}`

// benchRole is an IAM-shaped role ARN; moto checks the shape only.
const benchRole = "arn:aws:iam::123456789012:role/service-role/StepFunctions-loadgen"

// targetList collects repeated -target flags: name=url, or a bare url.
type targetList []target

type target struct{ name, url string }

func (t *targetList) String() string { return fmt.Sprint(*t) }

func (t *targetList) Set(v string) error {
	name, url, ok := strings.Cut(v, "=")
	if !ok {
		name, url = v, v
	}
	if !strings.HasPrefix(url, "http://") && !strings.HasPrefix(url, "https://") {
		return fmt.Errorf("target %q: want name=http://host:port", v)
	}
	*t = append(*t, target{name: name, url: strings.TrimSuffix(url, "/")})
	return nil
}

// config is the parsed command line.
type config struct {
	workers  int
	duration time.Duration
	count    int
	warmup   time.Duration
	wait     time.Duration
	region   string
	pid      int
	note     string
	parked   int
}

func main() {
	var targets targetList
	var cfg config
	flag.Var(&targets, "target", "a server to measure, name=http://host:port (repeatable)")
	flag.IntVar(&cfg.workers, "workers", 16, "concurrent workers, each with its own keep-alive connection")
	flag.DurationVar(&cfg.duration, "duration", 10*time.Second, "how long to measure (after the warm-up)")
	flag.IntVar(&cfg.count, "count", 0, "measure this many executions instead of a duration")
	flag.DurationVar(&cfg.warmup, "warmup", 2*time.Second, "load applied before measuring, not counted")
	flag.DurationVar(&cfg.wait, "wait", 30*time.Second, "how long to wait for a target to answer")
	flag.StringVar(&cfg.region, "region", "us-east-1", "region named in the credential scope")
	flag.IntVar(&cfg.pid, "pid", 0, "the server's process id: report its CPU time and memory (Linux /proc)")
	flag.IntVar(&cfg.parked, "parked", 0, "executions of a day-long Wait started before measuring (they stay RUNNING)")
	flag.StringVar(&cfg.note, "note", "", "free text copied into the result line (server flags ...)")
	freePort := flag.Bool("free-port", false, "print a free TCP port on 127.0.0.1 and exit")
	table := flag.String("table", "", "print the result lines of this file as a table and exit")
	flag.Parse()

	if *table != "" {
		if err := printTable(os.Stdout, *table); err != nil {
			fatal(err)
		}
		return
	}

	if *freePort {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			fatal(err)
		}
		fmt.Println(ln.Addr().(*net.TCPAddr).Port)
		ln.Close()
		return
	}
	if len(targets) == 0 || cfg.workers < 1 {
		flag.Usage()
		os.Exit(2)
	}
	failed := false
	for _, t := range targets {
		res, err := measure(context.Background(), t, cfg)
		if err != nil {
			fmt.Fprintf(os.Stderr, "loadgen: %s: %v\n", t.name, err)
			res = &result{Target: t.name, URL: t.url, Status: "ERROR", Error: err.Error()}
			failed = true
		}
		line, _ := json.Marshal(res)
		fmt.Println(string(line))
	}
	if failed {
		os.Exit(1)
	}
}

func fatal(err error) {
	fmt.Fprintln(os.Stderr, "loadgen:", err)
	os.Exit(1)
}

// result is the JSON line printed per target.
type result struct {
	Target     string  `json:"target"`
	URL        string  `json:"url"`
	Note       string  `json:"note,omitempty"`
	Status     string  `json:"status"` // OK, or ERROR with Error
	Error      string  `json:"error,omitempty"`
	Workers    int     `json:"workers"`
	Parked     int     `json:"parked,omitempty"`
	Seconds    float64 `json:"seconds"`
	Executions int     `json:"executions"`
	// Errors counts failed pairs; FirstError is the first one's text.
	Errors     int     `json:"errors"`
	FirstError string  `json:"first_error,omitempty"`
	ExecPerSec float64 `json:"exec_per_s"`
	ReqPerSec  float64 `json:"requests_per_s"`
	Pair       latency `json:"pair_ms"`
	Start      latency `json:"start_ms"`
	Describe   latency `json:"describe_ms"`
	// Described counts the status DescribeExecution reported right after
	// the start (a Pass machine may already have SUCCEEDED).
	Described map[string]int `json:"described_status"`
	// LoadgenCPU is this process's CPU time during the measurement, in
	// seconds; ServerCPU the server's (with -pid), ServerRSSMB its
	// resident memory at the end.
	LoadgenCPU  float64 `json:"loadgen_cpu_s"`
	ServerCPU   float64 `json:"server_cpu_s,omitempty"`
	ServerCPUUs float64 `json:"server_cpu_us_per_exec,omitempty"`
	ServerRSSMB float64 `json:"server_rss_mb,omitempty"`
	CPUs        int     `json:"cpus"`
	// LoadAvg is the machine's one-minute load average as the
	// measurement began (Linux): other work on the machine shows here.
	LoadAvg float64 `json:"loadavg,omitempty"`
	Go      string  `json:"go"`
	Date    string  `json:"date"`
}

// latency summarises samples in milliseconds.
type latency struct {
	P50  float64 `json:"p50"`
	P90  float64 `json:"p90"`
	P99  float64 `json:"p99"`
	Max  float64 `json:"max"`
	Mean float64 `json:"mean"`
}

func summarise(d []time.Duration) latency {
	if len(d) == 0 {
		return latency{}
	}
	slices.Sort(d)
	ms := func(x time.Duration) float64 { return math.Round(float64(x)/1e3) / 1e3 }
	at := func(q float64) float64 { return ms(d[int(math.Ceil(q*float64(len(d))))-1]) }
	var sum time.Duration
	for _, x := range d {
		sum += x
	}
	return latency{P50: at(0.50), P90: at(0.90), P99: at(0.99), Max: ms(d[len(d)-1]), Mean: ms(sum / time.Duration(len(d)))}
}

// client sends AWS JSON 1.0 requests to one endpoint.
type client struct {
	http    *http.Client
	url     string
	auth    string
	amzDate string
}

func newClient(url, region string, workers int) *client {
	now := time.Now().UTC()
	tr := &http.Transport{
		Proxy:               nil,
		MaxIdleConns:        workers * 2,
		MaxIdleConnsPerHost: workers * 2,
		DisableCompression:  true,
		IdleConnTimeout:     90 * time.Second,
	}
	return &client{
		http: &http.Client{Transport: tr, Timeout: 60 * time.Second},
		url:  url,
		auth: "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/" + now.Format("20060102") + "/" + region +
			"/states/aws4_request, SignedHeaders=content-type;host;x-amz-date;x-amz-target, Signature=" +
			strings.Repeat("0", 64),
		amzDate: now.Format("20060102T150405Z"),
	}
}

// apiError is a non-200 answer.
type apiError struct {
	status int
	body   string
}

func (e *apiError) Error() string { return fmt.Sprintf("HTTP %d: %s", e.status, e.body) }

// call posts one operation and decodes its JSON answer into out.
func (c *client) call(ctx context.Context, op string, body []byte, out any) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.url+"/", bytes.NewReader(body))
	if err != nil {
		return err
	}
	h := req.Header
	h["Content-Type"] = []string{"application/x-amz-json-1.0"}
	h["X-Amz-Target"] = []string{"AWSStepFunctions." + op}
	h["X-Amz-Date"] = []string{c.amzDate}
	h["Authorization"] = []string{c.auth}
	resp, err := c.http.Do(req)
	if err != nil {
		return err
	}
	data, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		return err
	}
	if resp.StatusCode != http.StatusOK {
		if len(data) > 300 {
			data = data[:300]
		}
		return &apiError{status: resp.StatusCode, body: string(data)}
	}
	if out == nil {
		return nil
	}
	return json.Unmarshal(data, out)
}

// waitReady polls ListStateMachines until the server answers 200.
func (c *client) waitReady(ctx context.Context, limit time.Duration) error {
	deadline := time.Now().Add(limit)
	for {
		err := c.call(ctx, "ListStateMachines", []byte(`{}`), nil)
		if err == nil {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("not answering after %v: %w", limit, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// sample is one measured StartExecution + DescribeExecution pair.
type sample struct{ start, describe time.Duration }

// worker state shared by the workers of one target.
type run struct {
	c         *client
	arn       string
	measuring atomic.Bool
	stop      atomic.Bool
	tickets   atomic.Int64 // executions taken in count mode
	seq       atomic.Int64 // execution names
	count     int64
	errors    atomic.Int64
	firstErr  atomic.Pointer[string]
	mu        sync.Mutex
	samples   []sample
	described map[string]int
}

func measure(ctx context.Context, t target, cfg config) (*result, error) {
	c := newClient(t.url, cfg.region, cfg.workers)
	if err := c.waitReady(ctx, cfg.wait); err != nil {
		return nil, err
	}
	create, _ := json.Marshal(map[string]string{
		"name":       fmt.Sprintf("loadgen-%d", time.Now().UnixNano()),
		"definition": passMachine,
		"roleArn":    benchRole,
	})
	var created struct {
		StateMachineArn string `json:"stateMachineArn"`
	}
	if err := c.call(ctx, "CreateStateMachine", create, &created); err != nil {
		return nil, fmt.Errorf("CreateStateMachine: %w", err)
	}
	if created.StateMachineArn == "" {
		return nil, errors.New("CreateStateMachine: no stateMachineArn in the answer")
	}
	if cfg.parked > 0 {
		if err := park(ctx, c, cfg); err != nil {
			return nil, err
		}
	}
	r := &run{c: c, arn: created.StateMachineArn, count: int64(cfg.count), described: map[string]int{}}
	// One pair before the clock starts: the definition compiles, the
	// connection opens, and an error shows at once.
	if _, _, err := r.pair(ctx); err != nil {
		return nil, fmt.Errorf("first execution: %w", err)
	}

	var wg sync.WaitGroup
	for range cfg.workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r.work(ctx)
		}()
	}
	time.Sleep(cfg.warmup)
	cpu0, srv0, load := cpuSeconds(), procCPUSeconds(cfg.pid), loadAverage()
	began := time.Now()
	r.measuring.Store(true)
	if cfg.count == 0 {
		time.Sleep(cfg.duration)
		r.stop.Store(true)
	}
	wg.Wait()
	elapsed := time.Since(began)
	cpu1, srv1 := cpuSeconds(), procCPUSeconds(cfg.pid)

	res := &result{
		Target: t.name, URL: t.url, Note: cfg.note, Status: "OK", Workers: cfg.workers, Parked: cfg.parked,
		Seconds: round(elapsed.Seconds(), 3), Executions: len(r.samples), Errors: int(r.errors.Load()),
		Described: r.described, LoadgenCPU: round(cpu1-cpu0, 3),
		CPUs: runtime.NumCPU(), LoadAvg: load, Go: runtime.Version(), Date: time.Now().UTC().Format(time.RFC3339),
	}
	if p := r.firstErr.Load(); p != nil {
		res.FirstError = *p
	}
	res.ExecPerSec = round(float64(res.Executions)/elapsed.Seconds(), 1)
	res.ReqPerSec = round(2*float64(res.Executions)/elapsed.Seconds(), 1)
	pairs := make([]time.Duration, len(r.samples))
	starts := make([]time.Duration, len(r.samples))
	describes := make([]time.Duration, len(r.samples))
	for i, s := range r.samples {
		pairs[i], starts[i], describes[i] = s.start+s.describe, s.start, s.describe
	}
	res.Pair, res.Start, res.Describe = summarise(pairs), summarise(starts), summarise(describes)
	if cfg.pid > 0 && srv0 >= 0 && srv1 >= 0 {
		res.ServerCPU = round(srv1-srv0, 3)
		if res.Executions > 0 {
			res.ServerCPUUs = round(res.ServerCPU/float64(res.Executions)*1e6, 1)
		}
		res.ServerRSSMB = procRSSMB(cfg.pid)
	}
	if res.Executions == 0 {
		res.Status = "ERROR"
		res.Error = "no execution completed: " + res.FirstError
	}
	return res, nil
}

// park creates the day-long Wait machine and starts cfg.parked
// executions of it, cfg.workers at a time.
func park(ctx context.Context, c *client, cfg config) error {
	create, _ := json.Marshal(map[string]string{
		"name":       fmt.Sprintf("loadgen-parked-%d", time.Now().UnixNano()),
		"definition": parkedMachine,
		"roleArn":    benchRole,
	})
	var created struct {
		StateMachineArn string `json:"stateMachineArn"`
	}
	if err := c.call(ctx, "CreateStateMachine", create, &created); err != nil {
		return fmt.Errorf("CreateStateMachine (parked): %w", err)
	}
	var next atomic.Int64
	var first atomic.Pointer[error]
	var wg sync.WaitGroup
	for range cfg.workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := next.Add(1); i <= int64(cfg.parked) && first.Load() == nil; i = next.Add(1) {
				body := []byte(`{"stateMachineArn":` + strconv.Quote(created.StateMachineArn) + `,"name":"p` + strconv.FormatInt(i, 10) + `"}`)
				if err := c.call(ctx, "StartExecution", body, nil); err != nil {
					err = fmt.Errorf("StartExecution (parked): %w", err)
					first.CompareAndSwap(nil, &err)
				}
			}
		}()
	}
	wg.Wait()
	if p := first.Load(); p != nil {
		return *p
	}
	return nil
}

// work runs pairs until the measurement ends, keeping those begun while
// measuring.
func (r *run) work(ctx context.Context) {
	var mine []sample
	described := map[string]int{}
	for !r.stop.Load() {
		counted := r.measuring.Load()
		if counted && r.count > 0 && r.tickets.Add(1) > r.count {
			break
		}
		s, status, err := r.pair(ctx)
		if err != nil {
			if counted {
				r.errors.Add(1)
				msg := err.Error()
				r.firstErr.CompareAndSwap(nil, &msg)
			}
			continue
		}
		if counted {
			mine = append(mine, s)
			described[status]++
		}
	}
	r.mu.Lock()
	r.samples = append(r.samples, mine...)
	for k, v := range described {
		r.described[k] += v
	}
	r.mu.Unlock()
}

// pair starts an execution and describes it. Executions are named (the
// machine is new each run, so names are unique): moto's executing mode
// needs a name.
func (r *run) pair(ctx context.Context) (sample, string, error) {
	name := "e" + strconv.FormatInt(r.seq.Add(1), 10)
	body := []byte(`{"stateMachineArn":` + strconv.Quote(r.arn) + `,"name":"` + name + `","input":"{\"n\":1}"}`)
	t0 := time.Now()
	var started struct {
		ExecutionArn string `json:"executionArn"`
	}
	if err := r.c.call(ctx, "StartExecution", body, &started); err != nil {
		return sample{}, "", fmt.Errorf("StartExecution: %w", err)
	}
	t1 := time.Now()
	var described struct {
		Status string `json:"status"`
	}
	body = []byte(`{"executionArn":` + strconv.Quote(started.ExecutionArn) + `}`)
	if err := r.c.call(ctx, "DescribeExecution", body, &described); err != nil {
		return sample{}, "", fmt.Errorf("DescribeExecution: %w", err)
	}
	t2 := time.Now()
	return sample{start: t1.Sub(t0), describe: t2.Sub(t1)}, described.Status, nil
}

func round(x float64, places int) float64 {
	p := math.Pow(10, float64(places))
	return math.Round(x*p) / p
}

// procCPUSeconds reads a process's user+system CPU time from
// /proc/PID/stat, or -1 where that cannot be read (no pid, not Linux).
func procCPUSeconds(pid int) float64 {
	if pid <= 0 {
		return -1
	}
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return -1
	}
	// The command name (field 2) may hold spaces: count from its ')'.
	i := bytes.LastIndexByte(data, ')')
	if i < 0 {
		return -1
	}
	f := strings.Fields(string(data[i+1:]))
	// After ')': state is field 3; utime and stime are fields 14 and 15.
	if len(f) < 13 {
		return -1
	}
	ut, err1 := strconv.ParseFloat(f[11], 64)
	st, err2 := strconv.ParseFloat(f[12], 64)
	if err1 != nil || err2 != nil {
		return -1
	}
	// USER_HZ is 100 on every Linux ABI Go supports.
	return (ut + st) / 100
}

// procRSSMB reads a process's resident memory from /proc/PID/status.
func procRSSMB(pid int) float64 {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0
	}
	for line := range strings.Lines(string(data)) {
		if rest, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			kb, _ := strconv.ParseFloat(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 64)
			return round(kb/1024, 1)
		}
	}
	return 0
}

// cpuSeconds is this process's CPU time so far (0 where /proc is missing).
func cpuSeconds() float64 {
	if v := procCPUSeconds(os.Getpid()); v >= 0 {
		return v
	}
	return 0
}

// printTable prints the result lines of a file as a table. The ratio
// column compares each target's executions per second with the row
// named "moto", the peer figure.
func printTable(w io.Writer, path string) error {
	data, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	var rows []result
	peer := 0.0
	for line := range strings.Lines(string(data)) {
		if strings.TrimSpace(line) == "" {
			continue
		}
		var r result
		if err := json.Unmarshal([]byte(line), &r); err != nil {
			return fmt.Errorf("%s: %w", path, err)
		}
		if r.Target == "moto" && r.Status == "OK" {
			peer = r.ExecPerSec
		}
		rows = append(rows, r)
	}
	head := []string{"target", "status", "workers", "parked", "exec/s", "req/s", "pair p50 ms", "pair p99 ms",
		"start p50", "start p99", "describe p50", "describe p99", "server us/exec", "server RSS MB",
		"loadgen CPU s", "x moto"}
	out := [][]string{head}
	f := func(x float64, places int) string {
		if x == 0 {
			return "-"
		}
		return strconv.FormatFloat(x, 'f', places, 64)
	}
	for _, r := range rows {
		ratio := "-"
		if peer > 0 && r.Status == "OK" {
			ratio = f(r.ExecPerSec/peer, 1)
		}
		out = append(out, []string{r.Target, r.Status, f(float64(r.Workers), 0), strconv.Itoa(r.Parked), f(r.ExecPerSec, 0), f(r.ReqPerSec, 0),
			f(r.Pair.P50, 3), f(r.Pair.P99, 3), f(r.Start.P50, 3), f(r.Start.P99, 3), f(r.Describe.P50, 3),
			f(r.Describe.P99, 3), f(r.ServerCPUUs, 0), f(r.ServerRSSMB, 1), f(r.LoadgenCPU, 2), ratio})
	}
	width := make([]int, len(head))
	for _, row := range out {
		for i, c := range row {
			width[i] = max(width[i], len(c))
		}
	}
	for _, row := range out {
		var b strings.Builder
		for i, c := range row {
			if i > 0 {
				b.WriteString("  ")
			}
			if i < 2 {
				fmt.Fprintf(&b, "%-*s", width[i], c)
			} else {
				fmt.Fprintf(&b, "%*s", width[i], c)
			}
		}
		fmt.Fprintln(w, strings.TrimRight(b.String(), " "))
	}
	for _, r := range rows {
		if r.Error != "" {
			fmt.Fprintf(w, "%s: %s\n", r.Target, r.Error)
		}
		if r.Note != "" {
			fmt.Fprintf(w, "%s: %s\n", r.Target, r.Note)
		}
	}
	return nil
}

// loadAverage is the one-minute load average from /proc/loadavg, or 0.
func loadAverage() float64 {
	data, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return 0
	}
	f := strings.Fields(string(data))
	if len(f) == 0 {
		return 0
	}
	v, _ := strconv.ParseFloat(f[0], 64)
	return v
}
