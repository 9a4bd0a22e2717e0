package shoptet

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/shopimg/shopimg"
	"github.com/shopimg/shopimg/internal/rest"
)

// JobStatus is the state of an asynchronous job.
type JobStatus string

// The job states the API documents: queued, being processed, done, failed
// (Shoptet could not do it), killed, and expired (its result no longer
// available).
const (
	JobPending   JobStatus = "pending"
	JobRunning   JobStatus = "running"
	JobCompleted JobStatus = "completed"
	JobFailed    JobStatus = "failed"
	JobKilled    JobStatus = "killed"
	JobExpired   JobStatus = "expired"
)

// Done reports whether the job has ended: completed, failed, killed or
// expired. A job that errors is marked failed three hours after its creation
// at the latest.
func (s JobStatus) Done() bool {
	switch s {
	case JobCompleted, JobFailed, JobKilled, JobExpired:
		return true
	}
	return false
}

// Job is an asynchronous job, as GET /api/system/jobs/{jobId} describes it.
// The Go field names are the vendor's; null strings are "".
type Job struct {
	// JobID identifies the job.
	JobID JobID `json:"jobId"`
	// Endpoint is the call that queued it, e.g. "/api/products/images".
	Endpoint string `json:"endpoint"`
	// CreationTime and CompletionTime are when it was queued and ended.
	CreationTime   Time `json:"creationTime"`
	CompletionTime Time `json:"completionTime"`
	// Duration is how long it ran, in seconds with milliseconds ("20.123").
	Duration string `json:"duration"`
	// Status is its state.
	Status JobStatus `json:"status"`
	// ResultURL is where its result can be downloaded, until ValidUntil.
	ResultURL string `json:"resultUrl"`
	// ValidUntil is how long the result stays available.
	ValidUntil Time `json:"validUntil"`
	// Log is the log its processing produced.
	Log string `json:"log"`
	// Language is the job's language, with the Foreign languages module.
	Language string `json:"language"`
}

// jobDetail is the data of a job detail answer.
type jobDetail struct {
	Job Job `json:"job"`
}

// jobDetailBody is a job detail answer; one without a job is an error.
type jobDetailBody envelope[jobDetail]

// CheckBody implements rest.BodyChecker.
func (b *jobDetailBody) CheckBody(e *APIError) bool {
	if b.Data != nil && b.Data.Job.Status != "" {
		return false
	}
	(*envelope[jobDetail])(b).fill(e)
	if len(b.Errors) == 0 {
		e.Message = "the answer has no data.job with a status"
	}
	return true
}

// CodeJobDetailLimit is the error code of the 403 Shoptet answers when a
// job's detail was asked for too often while the job was unprocessed.
// WaitJob takes it as "not done yet" and polls less often.
const CodeJobDetailLimit = "job-detail-try-counter-exceeded-limit"

// GetJob returns a job's state.
//
// GET /api/system/jobs/{jobId}
// https://api.docs.shoptet.com/shoptet-api/openapi/jobs/getjobdetail
func (c *Client) GetJob(ctx context.Context, id JobID) (Job, *Response, error) {
	if err := checkJobID(id); err != nil {
		return Job{}, nil, err
	}
	var body jobDetailBody
	resp, err := c.do(ctx, &rest.Request{Method: http.MethodGet, Path: rest.Path("api/system/jobs/%s", id)}, &body)
	if err != nil {
		return Job{}, resp, err
	}
	return body.Data.Job, resp, nil
}

// JobWait is how WaitJob polls a job: after First, then at intervals that
// double up to Max, for at most Timeout (0: until the context ends).
type JobWait struct {
	// First is the wait before the first poll.
	First time.Duration
	// Max is the longest wait between two polls.
	Max time.Duration
	// Timeout ends the wait (0: only the context does).
	Timeout time.Duration
}

// DefaultJobWait polls after 1s, then every 2s, 4s, ... up to 30s, for at
// most 15 minutes.
func DefaultJobWait() JobWait {
	return JobWait{First: time.Second, Max: 30 * time.Second, Timeout: 15 * time.Minute}
}

func (w JobWait) validate() error {
	switch {
	case w.First <= 0 || w.Max <= 0:
		return &shopimg.InputError{Field: "JobWait", Reason: "First and Max must be positive"}
	case w.Max < w.First:
		return &shopimg.InputError{Field: "JobWait", Reason: "Max is shorter than First"}
	case w.Timeout < 0:
		return &shopimg.InputError{Field: "JobWait", Reason: "Timeout is negative"}
	}
	return nil
}

// WaitJob polls the job until it ends, with backoff on the client's clock
// (w nil: DefaultJobWait), and returns its last state. A completed job
// gives no error; a failed, killed or expired one a *JobError. When the
// context ends or the timeout passes first, the error is a *JobWaitError
// (matching shopimg.ErrOutcomeUnknown: the job may still complete). A 403
// CodeJobDetailLimit answer is taken as "not done yet": polling goes on at
// the longest interval. Any other error of a poll ends the wait.
func (c *Client) WaitJob(ctx context.Context, id JobID, w *JobWait) (Job, *Response, error) {
	if ctx == nil {
		return Job{}, nil, errNilContext
	}
	if err := checkJobID(id); err != nil {
		return Job{}, nil, err
	}
	wait := DefaultJobWait()
	if w != nil {
		if err := w.validate(); err != nil {
			return Job{}, nil, err
		}
		wait = *w
	}
	start := c.clock.Now()
	job := Job{JobID: id, Status: JobPending}
	var resp *Response
	for gap := wait.First; ; gap = min(gap*2, wait.Max) {
		if wait.Timeout > 0 && c.since(start)+gap > wait.Timeout {
			return job, resp, &JobWaitError{Job: job, Waited: c.since(start)}
		}
		if err := c.clock.Sleep(ctx, gap); err != nil {
			return job, resp, &JobWaitError{Job: job, Waited: c.since(start), Err: err}
		}
		got, r, err := c.GetJob(ctx, id)
		if r != nil {
			resp = r
		}
		var ae *APIError
		switch {
		case err != nil && errors.As(err, &ae) && ae.StatusCode == http.StatusForbidden && ae.Code == CodeJobDetailLimit:
			gap = wait.Max
			continue
		case err != nil && ctx.Err() != nil:
			return job, resp, &JobWaitError{Job: job, Waited: c.since(start), Err: err}
		case err != nil:
			return job, resp, err
		}
		job = got
		switch job.Status {
		case JobCompleted:
			return job, resp, nil
		case JobFailed, JobKilled, JobExpired:
			return job, resp, &JobError{Job: job}
		}
	}
}

// JobError is a job that ended without completing: failed (matching
// shopimg.ErrInvalidInput: Shoptet could not process what was sent, say a
// source URL it could not download), or killed or expired (matching
// shopimg.ErrUnavailable).
type JobError struct {
	// Job is the job's last state; its Log says what went wrong.
	Job Job
}

// Error says which job ended how. The job's log, the platform's own text,
// stays in Job.Log: errors carry no text of an answer that the client has
// not stripped of credentials.
func (e *JobError) Error() string {
	s := fmt.Sprintf("shoptet: job %s (%s) %s", e.Job.JobID, e.Job.Endpoint, e.Job.Status)
	switch {
	case e.Job.Status == JobFailed:
		s += ": Shoptet could not carry it out (a source URL it could not download, say)"
	case e.Job.Status == JobExpired:
		s += ": its result is no longer available"
	}
	if e.Job.Log != "" {
		s += "; see JobError.Job.Log"
	}
	return s
}

// Is reports whether target is the error's category.
func (e *JobError) Is(target error) bool {
	if e.Job.Status == JobFailed {
		return target == shopimg.ErrInvalidInput
	}
	return target == shopimg.ErrUnavailable
}

// JobWaitError is a wait for a job that ended before the job did: the
// context ended (Err) or the timeout passed (Err nil). It matches
// shopimg.ErrOutcomeUnknown, and the context's error when that was the
// cause: the job may still complete.
type JobWaitError struct {
	// Job is the job's last known state.
	Job Job
	// Waited is how long the wait lasted.
	Waited time.Duration
	// Err is why it stopped; nil for the timeout.
	Err error
}

// Error says how long the job was waited for and its last state.
func (e *JobWaitError) Error() string {
	s := fmt.Sprintf("shoptet: job %s still %s after waiting %v; it may still complete", e.Job.JobID, e.Job.Status, e.Waited.Round(time.Millisecond))
	if e.Err != nil {
		s += ": " + e.Err.Error()
	}
	return s
}

// Is reports whether target is shopimg.ErrOutcomeUnknown.
func (e *JobWaitError) Is(target error) bool { return target == shopimg.ErrOutcomeUnknown }

// Unwrap returns the cause.
func (e *JobWaitError) Unwrap() error { return e.Err }
