package sfn

import (
	"context"
	"encoding/json"
	"errors"
	"strconv"
	"strings"

	"github.com/stepwise-sfn/stepwise/engine/interp"
	"github.com/stepwise-sfn/stepwise/engine/store"
)

// Activities: CreateActivity, DescribeActivity, DeleteActivity,
// ListActivities and GetActivityTask, and the integration that hands a
// Task state whose Resource is a created activity to the workers that poll
// it. A scheduled task waits in its activity's queue; GetActivityTask
// gives the oldest one to a worker, which is when the execution records
// ActivityStarted and the state's TimeoutSeconds and HeartbeatSeconds
// start (an execution stuck in ActivityScheduled is timed out only by the
// state machine's own TimeoutSeconds, see
// https://docs.aws.amazon.com/step-functions/latest/dg/troubleshooting-activities.html).
// The worker answers with SendTaskSuccess, SendTaskFailure and
// SendTaskHeartbeat, as for any task token.

func init() {
	operations["CreateActivity"] = (*Service).createActivity
	operations["DescribeActivity"] = (*Service).describeActivity
	operations["DeleteActivity"] = (*Service).deleteActivity
	operations["ListActivities"] = (*Service).listActivities
	operations["GetActivityTask"] = (*Service).getActivityTask
	integrations = append(integrations, integration{claims: (*Service).claimsActivity, run: (*Service).scheduleActivity})
	taggableKinds["activity"] = (*Service).taggableActivity
}

// Error codes of the activity operations.
const (
	CodeActivityDoesNotExist           = "ActivityDoesNotExist"
	CodeActivityAlreadyExists          = "ActivityAlreadyExists"
	CodeInvalidEncryptionConfiguration = "InvalidEncryptionConfiguration"
)

// The encryption types of EncryptionConfiguration.
const (
	encryptionAWSOwned        = "AWS_OWNED_KEY"
	encryptionCustomerManaged = "CUSTOMER_MANAGED_KMS_KEY"
)

// EncryptionConfiguration is a resource's server-side encryption settings.
// Stepwise keeps and reports them; it encrypts nothing.
type EncryptionConfiguration struct {
	KMSKeyID                     string `json:"kmsKeyId,omitempty"`
	KMSDataKeyReusePeriodSeconds *int64 `json:"kmsDataKeyReusePeriodSeconds,omitempty"`
	// Type is AWS_OWNED_KEY or CUSTOMER_MANAGED_KMS_KEY; required.
	Type string `json:"type"`
}

// CreateActivityInput is the CreateActivity request.
type CreateActivityInput struct {
	Name                    *string                  `json:"name"`
	Tags                    []Tag                    `json:"tags"`
	EncryptionConfiguration *EncryptionConfiguration `json:"encryptionConfiguration"`
}

// CreateActivityOutput is the CreateActivity response.
type CreateActivityOutput struct {
	ActivityARN  string    `json:"activityArn"`
	CreationDate Timestamp `json:"creationDate"`
}

// DescribeActivityInput is the DescribeActivity request.
type DescribeActivityInput struct {
	ActivityARN *string `json:"activityArn"`
}

// DescribeActivityOutput is the DescribeActivity response;
// encryptionConfiguration is there when CreateActivity had one.
type DescribeActivityOutput struct {
	ActivityARN             string                   `json:"activityArn"`
	Name                    string                   `json:"name"`
	CreationDate            Timestamp                `json:"creationDate"`
	EncryptionConfiguration *EncryptionConfiguration `json:"encryptionConfiguration,omitempty"`
}

// DeleteActivityInput is the DeleteActivity request.
type DeleteActivityInput struct {
	ActivityARN *string `json:"activityArn"`
}

// ListActivitiesInput is the ListActivities request.
type ListActivitiesInput struct {
	MaxResults int     `json:"maxResults"`
	NextToken  *string `json:"nextToken"`
}

// ActivityListItem is one activity in ListActivities.
type ActivityListItem struct {
	ActivityARN  string    `json:"activityArn"`
	Name         string    `json:"name"`
	CreationDate Timestamp `json:"creationDate"`
}

// ListActivitiesOutput is the ListActivities response.
type ListActivitiesOutput struct {
	Activities []ActivityListItem `json:"activities"`
	NextToken  string             `json:"nextToken,omitempty"`
}

// GetActivityTaskInput is the GetActivityTask request.
type GetActivityTaskInput struct {
	ActivityARN *string `json:"activityArn"`
	WorkerName  *string `json:"workerName"`
}

// GetActivityTaskOutput is the GetActivityTask response: both members
// are absent when no task waits.
type GetActivityTaskOutput struct {
	TaskToken string  `json:"taskToken,omitempty"`
	Input     *string `json:"input,omitempty"`
}

// activityQueues are the activity tasks that wait for a worker, and the
// signal long polls wait on. The Service's lock guards them.
type activityQueues struct {
	// waiting holds each activity's queued tasks by activity ARN, oldest
	// first. Tasks whose execution has ended or moved on stay until a
	// poll reaches them and skips them.
	waiting map[string][]queuedActivity
	// unclaimed maps the token of every queued task to its activity
	// ARN: no worker has it, so SendTask* calls with it are refused.
	unclaimed map[string]string
	// signal is closed, and replaced, whenever a task is queued.
	signal chan struct{}
	// polls counts the PollActivityTask calls that are waiting.
	polls int
}

// queuedActivity is one scheduled activity task.
type queuedActivity struct {
	token        string
	executionARN string
	input        []byte
}

func (s *Service) activityARN(name string) string {
	return "arn:aws:states:" + s.region + ":" + s.account + ":activity:" + name
}

func activityDoesNotExist(arn string) *Error {
	return errorf(CodeActivityDoesNotExist, "Activity Does Not Exist: '%s'", arn)
}

// activity finds an activity by ARN for the operations that take one.
func (s *Service) activity(ctx context.Context, arn string) (*store.Activity, *Error) {
	if _, err := parseARN(arn, "activity"); err != nil {
		return nil, err
	}
	a, err := s.st.Activity(ctx, arn)
	if err != nil {
		return nil, missingAs(err, activityDoesNotExist(arn))
	}
	return a, nil
}

// encryptionFromRequest validates an encryptionConfiguration (member
// constraints as violations, the combination as
// InvalidEncryptionConfiguration) and converts it; nil stays nil.
// See https://docs.aws.amazon.com/step-functions/latest/apireference/API_EncryptionConfiguration.html
func encryptionFromRequest(ec *EncryptionConfiguration, v *violations) (*store.EncryptionConfiguration, *Error) {
	if ec == nil {
		return nil, nil
	}
	switch ec.Type {
	case "":
		v.null("encryptionConfiguration.type")
	case encryptionAWSOwned, encryptionCustomerManaged:
	default:
		v.add(ec.Type, "encryptionConfiguration.type", "Member must satisfy enum value set: [CUSTOMER_MANAGED_KMS_KEY, AWS_OWNED_KEY]")
	}
	if ec.KMSKeyID != "" {
		v.length(ec.KMSKeyID, "encryptionConfiguration.kmsKeyId", 1, 2048)
	}
	out := &store.EncryptionConfiguration{Type: ec.Type, KMSKeyID: ec.KMSKeyID}
	if p := ec.KMSDataKeyReusePeriodSeconds; p != nil {
		switch n := strconv.FormatInt(*p, 10); {
		case *p < 60:
			v.add(n, "encryptionConfiguration.kmsDataKeyReusePeriodSeconds", "Member must have value greater than or equal to 60")
		case *p > 900:
			v.add(n, "encryptionConfiguration.kmsDataKeyReusePeriodSeconds", "Member must have value less than or equal to 900")
		}
		out.KMSDataKeyReusePeriodSeconds = *p
	}
	if ec.Type == encryptionCustomerManaged && ec.KMSKeyID == "" {
		return out, errorf(CodeInvalidEncryptionConfiguration, "Invalid Encryption Configuration: kmsKeyId must be specified when type is CUSTOMER_MANAGED_KMS_KEY.")
	}
	if ec.Type == encryptionAWSOwned && (ec.KMSKeyID != "" || ec.KMSDataKeyReusePeriodSeconds != nil) {
		return out, errorf(CodeInvalidEncryptionConfiguration, "Invalid Encryption Configuration: kmsKeyId and kmsDataKeyReusePeriodSeconds may only be specified when type is CUSTOMER_MANAGED_KMS_KEY.")
	}
	return out, nil
}

func encryptionToResponse(e *store.EncryptionConfiguration) *EncryptionConfiguration {
	if e == nil {
		return nil
	}
	out := &EncryptionConfiguration{Type: e.Type, KMSKeyID: e.KMSKeyID}
	if e.KMSDataKeyReusePeriodSeconds != 0 {
		p := e.KMSDataKeyReusePeriodSeconds
		out.KMSDataKeyReusePeriodSeconds = &p
	}
	return out
}

// sameEncryption compares two configurations, no configuration reading
// as AWS's default, an AWS-owned key.
func sameEncryption(a, b *store.EncryptionConfiguration) bool {
	def := store.EncryptionConfiguration{Type: encryptionAWSOwned}
	if a == nil {
		a = &def
	}
	if b == nil {
		b = &def
	}
	return *a == *b
}

// createActivity is idempotent by name: creating an existing activity
// answers its ARN and creation date and ignores differing tags, as AWS
// does; only a different encryptionConfiguration is ActivityAlreadyExists.
// See https://docs.aws.amazon.com/step-functions/latest/apireference/API_CreateActivity.html
func (s *Service) createActivity(ctx context.Context, body []byte) (any, *Error) {
	var in CreateActivityInput
	if err := decodeRequest(body, &in); err != nil {
		return nil, err
	}
	var v violations
	v.required(in.Name, "name", 1, maxNameLen)
	tagsErr := checkTags(in.Tags, &v)
	enc, encErr := encryptionFromRequest(in.EncryptionConfiguration, &v)
	if err := v.err(); err != nil {
		return nil, err
	}
	if !validName(*in.Name) {
		return nil, errorf(CodeInvalidName, "Invalid Name: '%s'", *in.Name)
	}
	if err := tagsErr(); err != nil {
		return nil, err
	}
	if encErr != nil {
		return nil, encErr
	}
	arn := s.activityARN(*in.Name)
	a, err := s.st.Activity(ctx, arn)
	switch {
	case err == nil:
		if !sameEncryption(a.Encryption, enc) {
			return nil, errorf(CodeActivityAlreadyExists, "Activity Already Exists: '%s'", arn)
		}
		return CreateActivityOutput{ActivityARN: arn, CreationDate: Timestamp(a.CreationDate)}, nil
	case !errors.Is(err, store.ErrNotFound):
		return nil, storeErr(err)
	}
	a = &store.Activity{ARN: arn, Name: *in.Name, CreationDate: s.clock.Now(), Encryption: enc, Tags: storeTags(in.Tags)}
	if err := s.st.PutActivity(ctx, a); err != nil {
		return nil, storeErr(err)
	}
	return CreateActivityOutput{ActivityARN: arn, CreationDate: Timestamp(a.CreationDate)}, nil
}

func (s *Service) describeActivity(ctx context.Context, body []byte) (any, *Error) {
	var in DescribeActivityInput
	if err := decodeRequest(body, &in); err != nil {
		return nil, err
	}
	if err := requireARN(in.ActivityARN, "activityArn"); err != nil {
		return nil, err
	}
	a, err := s.activity(ctx, *in.ActivityARN)
	if err != nil {
		return nil, err
	}
	return DescribeActivityOutput{ActivityARN: a.ARN, Name: a.Name, CreationDate: Timestamp(a.CreationDate),
		EncryptionConfiguration: encryptionToResponse(a.Encryption)}, nil
}

// deleteActivity succeeds for an activity that does not exist, as on
// AWS. Its queued tasks are dropped: no worker can poll for them any
// more, and their executions wait until they time out or are stopped.
func (s *Service) deleteActivity(ctx context.Context, body []byte) (any, *Error) {
	var in DeleteActivityInput
	if err := decodeRequest(body, &in); err != nil {
		return nil, err
	}
	if err := requireARN(in.ActivityARN, "activityArn"); err != nil {
		return nil, err
	}
	arn := *in.ActivityARN
	if _, err := parseARN(arn, "activity"); err != nil {
		return nil, err
	}
	if err := s.st.DeleteActivity(ctx, arn); err != nil {
		return nil, storeErr(err)
	}
	for _, q := range s.acts.waiting[arn] {
		delete(s.acts.unclaimed, q.token)
	}
	delete(s.acts.waiting, arn)
	return struct{}{}, nil
}

func (s *Service) listActivities(ctx context.Context, body []byte) (any, *Error) {
	var in ListActivitiesInput
	if err := decodeRequest(body, &in); err != nil {
		return nil, err
	}
	var v violations
	p := newPager("act", in.MaxResults, in.NextToken, 1024, &v)
	if err := v.err(); err != nil {
		return nil, err
	}
	if err := p.decode(); err != nil {
		return nil, err
	}
	all, err := s.st.Activities(ctx)
	if err != nil {
		return nil, storeErr(err)
	}
	var out ListActivitiesOutput
	out.Activities, out.NextToken = page(p, all, func(a *store.Activity) ActivityListItem {
		return ActivityListItem{ActivityARN: a.ARN, Name: a.Name, CreationDate: Timestamp(a.CreationDate)}
	})
	return out, nil
}

// getActivityTask answers at once: the oldest waiting task of the
// activity, or an empty response when none waits. Hosts that serve
// AWS clients call PollActivityTask instead, which waits.
func (s *Service) getActivityTask(ctx context.Context, body []byte) (any, *Error) {
	var in GetActivityTaskInput
	if err := decodeRequest(body, &in); err != nil {
		return nil, err
	}
	var v violations
	v.required(in.ActivityARN, "activityArn", 1, 256)
	worker := ""
	if in.WorkerName != nil {
		worker = *in.WorkerName
		v.length(worker, "workerName", 1, maxNameLen)
	}
	if err := v.err(); err != nil {
		return nil, err
	}
	if _, err := s.activity(ctx, *in.ActivityARN); err != nil {
		return nil, err
	}
	return s.takeActivityTask(ctx, *in.ActivityARN, worker)
}

// takeActivityTask hands the oldest task of the activity that still
// waits to the worker: its execution records ActivityStarted now. Tasks
// whose execution has ended (stopped, timed out, failed elsewhere) or
// no longer waits for them are dropped on the way.
func (s *Service) takeActivityTask(ctx context.Context, arn, worker string) (GetActivityTaskOutput, *Error) {
	for len(s.acts.waiting[arn]) > 0 {
		q := s.acts.waiting[arn][0]
		s.acts.waiting[arn] = s.acts.waiting[arn][1:]
		delete(s.acts.unclaimed, q.token)
		lr := s.live[q.executionARN]
		if lr == nil {
			continue
		}
		if err := lr.run.StartActivity(q.token, worker); err != nil {
			if errors.Is(err, interp.ErrRunFinished) {
				// Its execution timeout has passed: let it time out now.
				if err := s.drive(ctx, lr); err != nil {
					return GetActivityTaskOutput{}, err
				}
			}
			continue
		}
		if err := s.drive(ctx, lr); err != nil {
			return GetActivityTaskOutput{}, err
		}
		input := string(q.input)
		return GetActivityTaskOutput{TaskToken: q.token, Input: &input}, nil
	}
	delete(s.acts.waiting, arn)
	return GetActivityTaskOutput{}, nil
}

// taggableActivity finds an activity for TagResource, UntagResource and
// ListTagsForResource (tags.go).
func (s *Service) taggableActivity(ctx context.Context, arn string) (*taggable, *Error) {
	a, err := s.st.Activity(ctx, arn)
	if err != nil {
		return nil, missingAs(err, resourceNotFound(arn))
	}
	return &taggable{tags: a.Tags, save: func(ctx context.Context, tags []store.Tag) error {
		a.Tags = tags
		return s.st.PutActivity(ctx, a)
	}}, nil
}

// claimsActivity: a Task whose Resource is an activity created here.
func (s *Service) claimsActivity(ctx context.Context, req *interp.TaskRequest) bool {
	if req.Token == "" || !strings.HasPrefix(req.Resource, "arn:") {
		return false
	}
	if _, err := parseARN(req.Resource, "activity"); err != nil {
		return false
	}
	_, err := s.st.Activity(ctx, req.Resource)
	return err == nil
}

// scheduleActivity queues the invocation for GetActivityTask and wakes
// the long polls; the execution waits with the task not yet started.
func (s *Service) scheduleActivity(ctx context.Context, req *interp.TaskRequest) interp.TaskResult {
	if s.acts.waiting == nil {
		s.acts.waiting = map[string][]queuedActivity{}
		s.acts.unclaimed = map[string]string{}
	}
	s.acts.waiting[req.Resource] = append(s.acts.waiting[req.Resource],
		queuedActivity{token: req.Token, executionARN: req.ExecutionARN, input: req.Parameters})
	s.acts.unclaimed[req.Token] = req.Resource
	if s.acts.signal != nil {
		close(s.acts.signal)
		s.acts.signal = nil
	}
	return interp.TaskResult{Pending: true, StartDeferred: true}
}

// activityUnclaimed reports whether token belongs to an activity task no
// worker has taken: AWS has not issued such a token yet.
func (s *Service) activityUnclaimed(token string) bool {
	_, ok := s.acts.unclaimed[token]
	return ok
}

// activitySignal returns a channel that is closed when the next activity
// task is queued.
func (s *Service) activitySignal() <-chan struct{} {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.acts.signal == nil {
		s.acts.signal = make(chan struct{})
	}
	return s.acts.signal
}

// PollActivityTask is GetActivityTask with AWS's long poll, for hosts
// that serve the AWS API: request is the GetActivityTask body. It answers
// as soon as a task of the activity is waiting, or with the empty
// response ({}, no taskToken) once ctx is done. The engine reads no
// clock: the host bounds the wait with ctx (AWS holds a poll for 60
// seconds; clients set their socket timeout to 65). While it waits it
// holds no lock, so other operations, and other polls, go on. Errors are
// Invoke's (an *Error: ValidationException, InvalidArn,
// ActivityDoesNotExist ...), returned at once. Plain Invoke of
// GetActivityTask never waits.
func (s *Service) PollActivityTask(ctx context.Context, request []byte) ([]byte, error) {
	for {
		// Taken before looking, so a task queued in between still wakes us.
		wake := s.activitySignal()
		resp, err := s.Invoke(ctx, "GetActivityTask", request)
		if err != nil {
			return nil, err
		}
		var out GetActivityTaskOutput
		if json.Unmarshal(resp, &out) != nil || out.TaskToken != "" {
			return resp, nil
		}
		s.countPoll(1)
		select {
		case <-wake:
			s.countPoll(-1)
		case <-ctx.Done():
			s.countPoll(-1)
			return resp, nil
		}
	}
}

func (s *Service) countPoll(d int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.acts.polls += d
}
