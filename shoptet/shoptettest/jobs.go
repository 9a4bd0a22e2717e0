package shoptettest

import (
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/shopimg/shopimg/shopimgtest/fakestore"
)

// job is an asynchronous job of the fake.
type job struct {
	id, endpoint, kind string
	guid, gallery      string
	rows               []jobRow
	created, ended     time.Time
	status             string
	polls              int
	log                string
}

// jobRow is one image of a job: a source to add, or a file to replace.
type jobRow struct {
	name, source string
	priority     *int
	description  *string
}

// JobStatus returns a job's status ("pending", "running", "completed",
// "failed", "killed"), or "" when there is no such job.
func (s *Server) JobStatus(id string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if j, ok := s.jobs[id]; ok {
		return j.status
	}
	return ""
}

// KillJob ends a job that is not done as killed, without applying it.
func (s *Server) KillJob(id string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if j, ok := s.jobs[id]; ok && (j.status == "pending" || j.status == "running") {
		j.status, j.ended, j.log = "killed", s.now(), "Job was killed."
	}
}

// queue creates a pending job and returns its ID.
func (s *Server) queue(endpoint, kind, guid, gallery string, rows []jobRow) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	id := fmt.Sprintf("j%06x", len(s.jobs)+1)
	s.jobs[id] = &job{id: id, endpoint: endpoint, kind: kind, guid: guid, gallery: gallery, rows: rows, created: s.now(), status: "pending"}
	return id
}

// due reports whether j should complete now.
func (s *Server) due(j *job, now time.Time) bool {
	t := s.cfg.timing
	polls := t.Polls
	if polls == 0 && t.After == 0 {
		polls = 1
	}
	return (polls > 0 && j.polls >= polls) || (t.After > 0 && !now.Before(j.created.Add(t.After)))
}

// tick completes the jobs whose time has come.
func (s *Server) tick() {
	now := s.now()
	s.mu.Lock()
	var ready []*job
	for _, j := range s.jobs {
		if (j.status == "pending" || j.status == "running") && s.due(j, now) {
			ready = append(ready, j)
		}
	}
	s.mu.Unlock()
	slices.SortFunc(ready, func(a, b *job) int { return a.created.Compare(b.created) })
	for _, j := range ready {
		s.complete(j)
	}
}

// complete applies a job to the catalogue, or fails it.
func (s *Server) complete(j *job) {
	now := s.now()
	status, log := "completed", ""
	if s.cfg.failSource != nil {
		for _, row := range j.rows {
			if s.cfg.failSource(row.source) {
				status, log = "failed", fmt.Sprintf("Image from %s could not be downloaded.", row.source)
			}
		}
	}
	if status == "completed" {
		var err error
		if j.kind == "add" {
			err = s.applyAdd(j, now)
		} else {
			err = s.applySource(j, now)
		}
		if err != nil {
			status, log = "failed", err.Error()
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if j.status == "pending" || j.status == "running" {
		j.status, j.ended, j.log = status, now, log
	}
}

func (s *Server) applyAdd(j *job, now time.Time) error {
	return s.cat.Update(key(j.guid, j.gallery), func(p *fakestore.Product[stored]) error {
		for _, row := range j.rows {
			taken := func(n string) bool {
				return slices.ContainsFunc(p.Images, func(st stored) bool { return st.Name == n })
			}
			st := stored{Name: s.nextName(row.source, taken), Priority: row.priority, Description: row.description, Source: row.source, Changed: now}
			s.mu.Lock()
			s.imageSeq++
			s.created++
			st.Seq = s.imageSeq
			s.mu.Unlock()
			if st.Priority == nil && s.cfg.addPriority == AddAfterLast {
				top := 0
				for _, o := range p.Images {
					if o.Priority != nil {
						top = max(top, *o.Priority)
					}
				}
				st.Priority = new(min(top+1, 65535))
			}
			p.Images = append(p.Images, st)
		}
		return nil
	})
}

func (s *Server) applySource(j *job, now time.Time) error {
	return s.cat.Update(key(j.guid, j.gallery), func(p *fakestore.Product[stored]) error {
		for _, row := range j.rows {
			i := slices.IndexFunc(p.Images, func(st stored) bool { return st.Name == row.name })
			if i < 0 {
				return fmt.Errorf("image %q not found", row.name)
			}
			p.Images[i].Source, p.Images[i].Changed = row.source, now
			if row.priority != nil {
				p.Images[i].Priority = row.priority
			}
			if row.description != nil {
				p.Images[i].Description = row.description
			}
		}
		return nil
	})
}

// jobDetail answers a job's state; every request counts as a poll.
func (s *Server) jobDetail(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("jobId")
	s.mu.Lock()
	j, ok := s.jobs[id]
	if ok {
		j.polls++
		if j.status == "pending" {
			j.status = "running"
		}
	}
	s.mu.Unlock()
	if !ok {
		s.fail(w, http.StatusNotFound, "job-not-found", fmt.Sprintf("Job with ID %q not found.", id), id)
		return
	}
	s.tick()
	s.mu.Lock()
	done := j.status != "pending" && j.status != "running"
	limited := s.cfg.detailLimit > 0 && !done && j.polls > s.cfg.detailLimit
	body := map[string]any{
		"jobId": j.id, "endpoint": j.endpoint, "creationTime": formatTime(j.created), "completionTime": formatTime(j.ended),
		"duration": nil, "status": j.status, "resultUrl": nil, "validUntil": nil, "log": nil,
	}
	if done {
		body["duration"] = fmt.Sprintf("%.3f", j.ended.Sub(j.created).Seconds())
		body["validUntil"] = formatTime(j.ended.Add(24 * time.Hour))
		if j.log != "" {
			body["log"] = j.log
		}
	}
	s.mu.Unlock()
	if limited {
		s.fail(w, http.StatusForbidden, "job-detail-try-counter-exceeded-limit", fmt.Sprintf("You have exceeded the limit of job detail request for unprocessed job %q. Please wait for job:finished event after job is completed!", id), id)
		return
	}
	s.write(w, http.StatusOK, map[string]any{"job": body}, nil)
}

// tokenState is what the server knows of an API access token.
type tokenState int

const (
	tokenUnknown tokenState = iota
	tokenValid
	tokenExpired
)

func (s *Server) tokenState(v string) tokenState {
	now := s.now()
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, t := range s.tokens {
		if t.value == v {
			if now.Before(t.expires) {
				return tokenValid
			}
			return tokenExpired
		}
	}
	return tokenUnknown
}

// IssuedTokens returns how many API access tokens the OAuth server gave
// out.
func (s *Server) IssuedTokens() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.tokens)
}

// getAccessToken is the e-shop's OAuth server: with Authorization: Bearer
// <OAuth access token> it issues an API access token,
// {"access_token", "expires_in"}. Beyond MaxValidTokens valid tokens the
// oldest valid one stops being valid [I].
func (s *Server) getAccessToken(w http.ResponseWriter, r *http.Request) {
	if r.Header.Get("Authorization") != "Bearer "+s.cfg.oauthToken {
		w.Header().Set("Content-Type", "application/json")
		fakestore.WriteJSON(w, http.StatusUnauthorized, map[string]string{"error": "invalid_token", "error_description": "The OAuth access token is invalid."})
		return
	}
	now := s.now()
	tok := "fake-api-access-" + strings.ReplaceAll(s.ids.GUID(), "-", "")
	s.mu.Lock()
	valid := 0
	for i := len(s.tokens) - 1; i >= 0; i-- {
		if now.Before(s.tokens[i].expires) {
			valid++
			if valid >= MaxValidTokens {
				s.tokens[i].expires = now
			}
		}
	}
	s.tokens = append(s.tokens, issued{value: tok, expires: now.Add(s.cfg.tokenLifetime)})
	s.mu.Unlock()
	fakestore.WriteJSON(w, http.StatusOK, map[string]any{"access_token": tok, "expires_in": int(s.cfg.tokenLifetime.Seconds())})
}
