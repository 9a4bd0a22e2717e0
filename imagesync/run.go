package imagesync

import (
	"context"
	"errors"
	"iter"
	"sync"
	"time"

	"github.com/shopimg/shopimg"
)

// Job is one product to sync in a Run.
type Job struct {
	// Target is where the product is.
	Target Target
	// ProductID is the product on the target.
	ProductID string
	// Desired is the gallery to reach, unless Load is set.
	Desired []Entry
	// Load, when not nil, is called by the worker that syncs the job to get
	// the desired gallery (for example by reading it from another platform,
	// see MirrorJob), so that the reads run under Run's concurrency bounds
	// and nothing is read before it is needed. Its error fails the job.
	Load func(ctx context.Context) ([]Entry, error)
}

// MirrorJob returns a job that mirrors product fromProduct of from onto
// product toProduct of to (see Mirror). The source is read when the job
// runs; Run's bounds apply to the target's store.
func MirrorJob(from Target, fromProduct string, to Target, toProduct string) Job {
	return Job{Target: to, ProductID: toProduct, Load: func(ctx context.Context) ([]Entry, error) {
		return Mirror(ctx, from, fromProduct)
	}}
}

// EventKind says what happened to a product during a Run.
type EventKind string

// The events of a Run. Every job ends with exactly one of applied, skipped
// and failed; planned comes before it once the plan is known, and throttled
// each time the platform's rate limit stopped the job.
const (
	// EventPlanned: the product's plan is computed (Event.Plan).
	EventPlanned EventKind = "planned"
	// EventApplied: the plan was carried out completely.
	EventApplied EventKind = "applied"
	// EventSkipped: nothing to do (the product is in sync, drift aside),
	// or RunOptions.DryRun is set.
	EventSkipped EventKind = "skipped"
	// EventFailed: the job stopped with an error (Event.Err); what was done
	// before is in its Result and the Store, and a later run resumes.
	EventFailed EventKind = "failed"
	// EventThrottled: the job hit the platform's rate limit (an error
	// matching shopimg.ErrRateLimited, also as the cause of an add's
	// shopimg.AddedError, whose image Apply has recorded, so the job's next
	// try does not add it again). Run pauses the store for the time
	// the platform asked (Event.RetryAfter) and tries the job again, up to
	// RunOptions.ThrottleRetries times; after that the job fails.
	EventThrottled EventKind = "throttled"
)

// Counts are the running totals of a Run.
type Counts struct {
	// Jobs is the number of jobs read from the stream.
	Jobs int `json:"jobs"`
	// Planned counts products whose plan was computed (once per product,
	// even if it was planned again after throttling).
	Planned int `json:"planned"`
	// Applied counts finished products whose plan was carried out, Skipped
	// those with nothing to do (or a dry run), Failed those stopped by an
	// error: each finished product is in exactly one of the three.
	Applied int `json:"applied"`
	// Skipped: see Applied.
	Skipped int `json:"skipped"`
	// Failed: see Applied.
	Failed int `json:"failed"`
	// Throttled counts throttled events.
	Throttled int `json:"throttled"`
	// Writes is the platform write calls made.
	Writes int `json:"writes"`
	// Drift is the number of drift items finished products reported.
	Drift int `json:"drift"`
}

// Done is the number of finished products.
func (c Counts) Done() int { return c.Applied + c.Skipped + c.Failed }

// Event reports progress of a Run.
type Event struct {
	// Kind is what happened.
	Kind EventKind
	// Ref is the product.
	Ref ProductRef
	// Plan is set for planned events.
	Plan *Plan
	// Result is set for applied, skipped and failed events.
	Result *Result
	// Err is the error of failed and throttled events.
	Err error
	// RetryAfter is, for a throttled event, how long the store is paused.
	RetryAfter time.Duration
	// Counts are the totals including this event.
	Counts Counts
}

// RunOptions tune a Run. The zero value is usable.
type RunOptions struct {
	// Concurrency bounds how many products are synced at once overall
	// (default 8).
	Concurrency int
	// PerStore bounds how many products of one store (Target's Platform and
	// Store) are synced at once (default 2): platforms rate-limit per store.
	PerStore int
	// Progress, when not nil, receives every event, one at a time, in
	// the order of their Counts, on a goroutine of its own; Run returns
	// after the last one.
	Progress func(Event)
	// DryRun computes every plan (reported in planned events and the
	// results) and writes nothing.
	DryRun bool
	// ThrottleRetries is how many times a throttled job is tried again
	// (default 3; negative: never).
	ThrottleRetries int
	// ThrottlePause is how long a store is paused after throttling when the
	// platform did not say (no *shopimg.APIError with a RetryAfter)
	// (default 1 minute).
	ThrottlePause time.Duration
}

func (o RunOptions) withDefaults() RunOptions {
	if o.Concurrency <= 0 {
		o.Concurrency = 8
	}
	if o.PerStore <= 0 {
		o.PerStore = 2
	}
	switch {
	case o.ThrottleRetries == 0:
		o.ThrottleRetries = 3
	case o.ThrottleRetries < 0:
		o.ThrottleRetries = 0
	}
	if o.ThrottlePause <= 0 {
		o.ThrottlePause = time.Minute
	}
	return o
}

// Report is the outcome of a Run.
type Report struct {
	// Results has one result per job read, in the order of the stream.
	Results []*Result
	// Counts are the final totals.
	Counts Counts
}

// Failed returns the results of the jobs that failed.
func (r *Report) Failed() []*Result {
	var out []*Result
	for _, res := range r.Results {
		if res.Err != nil {
			out = append(out, res)
		}
	}
	return out
}

// Run syncs every job of the stream, with at most Concurrency products at
// once and at most PerStore per store; a job that fails does not stop the
// others. It returns when every job read has finished, with a result per
// job. Jobs are started in stream order as far as the bounds allow: Run
// reads up to 4×Concurrency jobs ahead to find work for idle stores, and
// never syncs one product twice at once.
//
// When ctx is cancelled, Run stops reading the stream, the running syncs
// stop before their next write (each leaving the Store consistent: see
// Apply), the jobs read but not started fail with the context's error, and
// Run returns that error with the report. Run cannot interrupt the stream
// itself: a stream that blocks (reading a database) should watch ctx too.
// Otherwise the error is nil, even if jobs failed: see Report.Failed.
func (s *Syncer) Run(ctx context.Context, jobs iter.Seq[Job], opts RunOptions) (*Report, error) {
	if s.Store == nil {
		return nil, &shopimg.InputError{Field: "Syncer.Store", Reason: "is nil"}
	}
	r := &runner{s: s, opts: opts.withDefaults(), ctx: ctx, lanes: map[laneKey]*lane{}}
	r.cond = sync.NewCond(&r.mu)
	r.events = newEventQueue(r.opts.Progress)
	stop := context.AfterFunc(ctx, func() {
		r.mu.Lock()
		r.cond.Broadcast()
		r.mu.Unlock()
	})
	defer stop()

	lookahead := 4 * r.opts.Concurrency
	for job := range jobs {
		r.mu.Lock()
		for r.queued >= lookahead && ctx.Err() == nil {
			r.cond.Wait()
		}
		if ctx.Err() != nil {
			r.mu.Unlock()
			break
		}
		t := &task{seq: len(r.results), job: job, key: laneKey{job.Target.Platform, job.Target.Store}}
		r.results = append(r.results, nil)
		r.counts.Jobs++
		r.lane(t.key).queue = append(r.lane(t.key).queue, t)
		r.queued++
		r.schedule()
		r.mu.Unlock()
	}

	r.mu.Lock()
	for r.running > 0 || (r.queued > 0 && ctx.Err() == nil) {
		r.cond.Wait()
	}
	for _, k := range r.order {
		l := r.lanes[k]
		for _, t := range l.queue {
			r.finish(t, &Result{Ref: t.ref(), Done: []Op{}, Drift: []Drift{}, Err: ctx.Err()})
		}
		l.queue = nil
	}
	rep := &Report{Results: r.results, Counts: r.counts}
	r.mu.Unlock()
	r.wg.Wait() // pause timers
	r.events.close()
	return rep, ctx.Err()
}

type laneKey struct{ platform, store string }

// lane is the queue and bounds of one store.
type lane struct {
	queue       []*task
	running     int
	pausedUntil time.Time
	active      map[string]bool // products being synced
}

type task struct {
	seq      int
	job      Job
	key      laneKey
	attempts int
	planned  bool
}

func (t *task) ref() ProductRef { return t.job.Target.Ref(t.job.ProductID) }

type runner struct {
	s    *Syncer
	opts RunOptions
	ctx  context.Context

	mu      sync.Mutex
	cond    *sync.Cond
	lanes   map[laneKey]*lane
	order   []laneKey // lanes in order of appearance, for round robin
	next    int
	running int
	queued  int
	results []*Result
	counts  Counts
	wg      sync.WaitGroup

	events *eventQueue
}

func (r *runner) lane(k laneKey) *lane {
	l := r.lanes[k]
	if l == nil {
		l = &lane{active: map[string]bool{}}
		r.lanes[k] = l
		r.order = append(r.order, k)
	}
	return l
}

// schedule starts queued tasks while the bounds allow, visiting the stores
// round robin. Called with mu held.
func (r *runner) schedule() {
	if r.ctx.Err() != nil {
		return
	}
	now := r.s.clock().Now()
	for r.running < r.opts.Concurrency {
		t := r.pick(now)
		if t == nil {
			return
		}
		l := r.lanes[t.key]
		l.running++
		l.active[t.job.ProductID] = true
		r.running++
		r.queued--
		go r.work(t)
	}
}

// pick removes and returns the next runnable task, or nil.
func (r *runner) pick(now time.Time) *task {
	for i := range r.order {
		k := r.order[(r.next+i)%len(r.order)]
		l := r.lanes[k]
		if l.running >= r.opts.PerStore || now.Before(l.pausedUntil) {
			continue
		}
		for j, t := range l.queue {
			if !l.active[t.job.ProductID] {
				l.queue = append(l.queue[:j:j], l.queue[j+1:]...)
				r.next = (r.next + i + 1) % len(r.order)
				return t
			}
		}
	}
	return nil
}

// work syncs one task and reports it.
func (r *runner) work(t *task) {
	res := r.sync(t)
	r.mu.Lock()
	defer r.mu.Unlock()
	defer r.cond.Broadcast()
	l := r.lanes[t.key]
	l.running--
	r.running--
	delete(l.active, t.job.ProductID)
	if limited, retryAfter := throttled(res.Err); limited {
		pause := r.opts.ThrottlePause
		if retryAfter > 0 {
			pause = retryAfter
		}
		r.counts.Throttled++
		r.emit(Event{Kind: EventThrottled, Ref: t.ref(), Err: res.Err, RetryAfter: pause})
		if t.attempts < r.opts.ThrottleRetries && r.ctx.Err() == nil {
			t.attempts++
			l.queue = append([]*task{t}, l.queue...)
			r.queued++
			r.pauseLane(l, pause)
			r.schedule()
			return
		}
	}
	r.finish(t, res)
	r.schedule()
}

// throttled reports whether err says the store is throttled (it matches
// shopimg.ErrRateLimited, or is an add whose image was created before a
// throttled follow-up step: Apply saved its mapping, so trying the job again
// adds nothing twice), and how long the platform asked to wait (0 if it
// did not say).
func throttled(err error) (bool, time.Duration) {
	if !errors.Is(err, shopimg.ErrRateLimited) {
		var added *shopimg.AddedError
		if !errors.As(err, &added) || !errors.Is(added.Err, shopimg.ErrRateLimited) {
			return false, 0
		}
		err = added.Err
	}
	var apiErr *shopimg.APIError
	if errors.As(err, &apiErr) {
		return true, apiErr.RetryAfter
	}
	return true, 0
}

// pauseLane holds the lane's jobs until the clock has moved d on. Called
// with mu held.
func (r *runner) pauseLane(l *lane, d time.Duration) {
	until := r.s.clock().Now().Add(d)
	if until.After(l.pausedUntil) {
		l.pausedUntil = until
	}
	r.wg.Add(1)
	go func() {
		defer r.wg.Done()
		_ = r.s.clock().Sleep(r.ctx, d)
		r.mu.Lock()
		r.schedule()
		r.cond.Broadcast()
		r.mu.Unlock()
	}()
}

// sync runs one attempt of a task: load, plan, apply.
func (r *runner) sync(t *task) *Result {
	ctx, j := r.ctx, t.job
	desired := j.Desired
	if j.Load != nil {
		var err error
		if desired, err = j.Load(ctx); err != nil {
			return &Result{Ref: t.ref(), Done: []Op{}, Drift: []Drift{}, Err: err}
		}
	}
	p, err := r.s.Plan(ctx, j.Target, j.ProductID, desired)
	if err != nil {
		return &Result{Ref: t.ref(), Done: []Op{}, Drift: []Drift{}, Err: err}
	}
	r.mu.Lock()
	if !t.planned {
		t.planned = true
		r.counts.Planned++
	}
	r.emit(Event{Kind: EventPlanned, Ref: t.ref(), Plan: p})
	r.mu.Unlock()
	if r.opts.DryRun || p.InSync() {
		return &Result{Ref: p.Ref, Plan: p, Done: []Op{}, Drift: p.Drift}
	}
	res, _ := r.s.apply(ctx, j.Target, p)
	return res
}

// finish records a task's final result and reports it. Called with mu
// held.
func (r *runner) finish(t *task, res *Result) {
	r.results[t.seq] = res
	kind := EventApplied
	switch {
	case res.Err != nil:
		kind = EventFailed
		r.counts.Failed++
	case r.opts.DryRun || len(res.Done) == 0:
		kind = EventSkipped
		r.counts.Skipped++
	default:
		r.counts.Applied++
	}
	r.counts.Writes += res.Writes
	r.counts.Drift += len(res.Drift)
	r.emit(Event{Kind: kind, Ref: res.Ref, Result: res, Err: res.Err})
}

// emit queues ev, with the current counts, for Progress. Called with mu
// held, so events are queued in the order of their counts.
func (r *runner) emit(ev Event) {
	if r.opts.Progress == nil {
		return
	}
	ev.Counts = r.counts
	r.events.push(ev)
}

// eventQueue hands events to Progress on one goroutine, in order, so a slow
// callback never holds up the workers.
type eventQueue struct {
	mu     sync.Mutex
	cond   *sync.Cond
	q      []Event
	closed bool
	done   chan struct{}
}

func newEventQueue(progress func(Event)) *eventQueue {
	e := &eventQueue{done: make(chan struct{})}
	e.cond = sync.NewCond(&e.mu)
	go func() {
		defer close(e.done)
		for {
			e.mu.Lock()
			for len(e.q) == 0 && !e.closed {
				e.cond.Wait()
			}
			if len(e.q) == 0 {
				e.mu.Unlock()
				return
			}
			ev := e.q[0]
			e.q[0] = Event{}
			e.q = e.q[1:]
			e.mu.Unlock()
			if progress != nil {
				progress(ev)
			}
		}
	}()
	return e
}

func (e *eventQueue) push(ev Event) {
	e.mu.Lock()
	e.q = append(e.q, ev)
	e.mu.Unlock()
	e.cond.Signal()
}

// close waits until every queued event is delivered.
func (e *eventQueue) close() {
	e.mu.Lock()
	e.closed = true
	e.mu.Unlock()
	e.cond.Signal()
	<-e.done
}
