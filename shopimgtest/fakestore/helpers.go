package fakestore

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strconv"
	"strings"
)

// DefaultMaxBody is the default limit of recorded bodies and of ReadJSON:
// 1 MiB.
const DefaultMaxBody = 1 << 20

// WriteJSON sends v as JSON with the given status. It sets Content-Type to
// application/json unless the handler already set one (a vendor's own media
// type), and sends no body for 204 and 304. If v cannot be encoded it sends
// a 500 saying why, which points at a bug in the vendor fake.
func WriteJSON(w http.ResponseWriter, status int, v any) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		http.Error(w, "fakestore: encoding the response: "+err.Error(), http.StatusInternalServerError)
		return
	}
	if w.Header().Get("Content-Type") == "" {
		w.Header().Set("Content-Type", "application/json")
	}
	w.WriteHeader(status)
	if status != http.StatusNoContent && status != http.StatusNotModified {
		_, _ = w.Write(buf.Bytes())
	}
}

// ReadJSON decodes the request body, which must be exactly one JSON value of
// at most limit bytes (zero or less means DefaultMaxBody), into v. A longer
// body gives an error matching *http.MaxBytesError (a vendor's 413); an
// empty or malformed one gives another error (a vendor's 400). Unknown
// fields are ignored, as the real APIs do.
func ReadJSON(r *http.Request, v any, limit int64) error {
	if limit <= 0 {
		limit = DefaultMaxBody
	}
	if r.Body == nil {
		return errors.New("fakestore: empty request body")
	}
	b, err := io.ReadAll(io.LimitReader(r.Body, limit+1))
	if err != nil {
		return fmt.Errorf("fakestore: reading the request body: %w", err)
	}
	if int64(len(b)) > limit {
		return fmt.Errorf("fakestore: request body: %w", &http.MaxBytesError{Limit: limit})
	}
	if len(bytes.TrimSpace(b)) == 0 {
		return errors.New("fakestore: empty request body")
	}
	if err := json.Unmarshal(b, v); err != nil {
		return fmt.Errorf("fakestore: decoding the request body: %w", err)
	}
	return nil
}

// QueryInt returns the integer query parameter name, or def when it is
// absent or empty, or an error when it is not an integer (a vendor's 400).
func QueryInt(r *http.Request, name string, def int) (int, error) {
	s := r.URL.Query().Get(name)
	if s == "" {
		return def, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil {
		return 0, fmt.Errorf("fakestore: query parameter %s=%q is not an integer", name, s)
	}
	return n, nil
}

// Methods maps the HTTP methods a path answers to their handlers, for
// Route.
type Methods map[string]http.HandlerFunc

// methodOrder is the order of the methods in an Allow header.
var methodOrder = []string{http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete, http.MethodOptions}

// Route registers on mux the handler of each method in m for path (a
// ServeMux pattern without a method, such as
// "/stores/{hash}/v3/catalog/products/{product_id}/images"), and, for any
// other method, a handler that sets the Allow header to the methods of m
// (GET, POST, PUT, PATCH, DELETE in that order) and calls notAllowed, which
// writes the vendor's own 405 (ServeMux's default is plain text).
func Route(mux *http.ServeMux, path string, m Methods, notAllowed http.HandlerFunc) {
	var allow []string
	for _, method := range methodOrder {
		if h, ok := m[method]; ok {
			mux.HandleFunc(method+" "+path, h)
			allow = append(allow, method)
		}
	}
	for method, h := range m {
		if !slices.Contains(methodOrder, method) {
			mux.HandleFunc(method+" "+path, h)
			allow = append(allow, method)
		}
	}
	header := strings.Join(allow, ", ")
	mux.HandleFunc(path, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Allow", header)
		notAllowed(w, r)
	})
}
