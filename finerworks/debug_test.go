package finerworks_test

import (
	"errors"
	"fmt"
	"net/http"
	"testing"

	"github.com/shopimg/shopimg"
	"github.com/shopimg/shopimg/finerworks"
	"github.com/shopimg/shopimg/internal/echotest"
)

// debugMarker stands for what status.debug may echo.
const debugMarker = "DEBUG-ECHO-MUST-NOT-SHOW"

// TestDebugNeverShown: whatever carries status.debug (a success-false
// answer on 200, a 4xx or 5xx envelope, retried or not, a body cut short,
// a debug member of any case), nothing of it reaches the error (its text,
// fields, Body) or a log line.
func TestDebugNeverShown(t *testing.T) {
	t.Parallel()
	debug := fmt.Sprintf(`{"request":"PUT /v3/update_images","echo":%q}`, debugMarker)
	bodies := map[string]struct {
		status int
		body   string
	}{
		"200":         {200, `{"status":{"success":false,"status_code":400,"message":"Bad title.","debug":` + debug + `}}`},
		"200-Debug":   {200, `{"status":{"success":false,"status_code":409,"message":"Busy.","Debug":` + debug + `}}`},
		"400":         {400, `{"status":{"success":false,"status_code":400,"message":"Bad title.","debug":` + debug + `}}`},
		"500-retried": {500, `{"status":{"success":false,"status_code":500,"message":"Oops.","debug":` + debug + `}}`},
		"top-level":   {500, `{"debug":` + debug + `}`},
		"cut":         {502, `{"status":{"success":false,"message":"x","debug":` + debug[:len(debug)-5]},
		"no-message":  {200, `{"status":{"success":false,"debug":` + debug + `}}`},
	}
	for name, b := range bodies {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			h := newHarness(t, func(w http.ResponseWriter, _ *http.Request) { respond(w, b.status, b.body) })
			_, err := h.client.UpdateImages(ctx, []finerworks.UpdateImage{{GUID: guids(1)[0], Title: "t"}})
			if err == nil {
				t.Fatal("no error")
			}
			echotest.CheckError(t, name, err, []string{debugMarker})
			echotest.Absent(t, "log", h.logs.String(), []string{debugMarker})
		})
	}
	// The fake's own debug echoes the request, keys included.
	f := newFixture(t)
	_, err := f.client.UpdateImages(ctx, []finerworks.UpdateImage{{GUID: guids(1)[0], Title: debugMarker}})
	if !errors.Is(err, shopimg.ErrNotFound) {
		t.Fatalf("update of an unknown GUID: %v", err)
	}
	keys := f.srv.Credentials()
	echotest.CheckError(t, "fake", err, []string{keys.WebAPIKey, keys.AppKey, debugMarker})
}
