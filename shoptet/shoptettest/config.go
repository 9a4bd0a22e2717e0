package shoptettest

import (
	"fmt"
	"time"

	"github.com/shopimg/shopimg"
	"github.com/shopimg/shopimg/shopimgtest/fakestore"
)

// Defaults of a new Server.
const (
	// DefaultPrivateToken is the Shoptet-Private-Api-Token a new Server
	// accepts.
	DefaultPrivateToken = "fake-private-api-token-0123"
	// DefaultOAuthToken is the addon OAuth access token a new Server's
	// OAuth server accepts (Authorization: Bearer) to issue API access
	// tokens.
	DefaultOAuthToken = "fake-oauth-access-token-4567"
	// DefaultTokenLifetime is how long an issued API access token is valid.
	DefaultTokenLifetime = 30 * time.Minute
	// MaxValidTokens is how many issued API access tokens may be valid at
	// once per OAuth access token.
	MaxValidTokens = 5
	// MaxConnections is how many requests one token may have in flight.
	MaxConnections = 3
	// MaxRowsPerCall is the most images an add or update takes.
	MaxRowsPerCall = 100
	// DefaultBucketCapacity is the leaky bucket's size: 200 drops.
	DefaultBucketCapacity = 200
	// DefaultBucketDrain is how many drops the bucket drains a second.
	DefaultBucketDrain = 10
	// EshopHost is the e-shop domain the image cut URLs name.
	EshopHost = "fake-eshop.myshoptet.com"
)

// MediaType is the Content-Type the server answers with.
type MediaType int

const (
	// MediaJSON is "application/json; charset=utf-8", as in the docs'
	// example answer (the default).
	MediaJSON MediaType = iota
	// MediaVendor is "application/vnd.shoptet.v1.0", the type the official
	// PHP SDK sends.
	MediaVendor
)

// MainRule is which image isMainImage marks.
type MainRule int

const (
	// MainLowestPriority marks the first image in display order: the
	// lowest priority, ties by the order the images were added (the
	// default).
	MainLowestPriority MainRule = iota
	// MainFirstAdded marks, among the images that share the lowest
	// priority (or all of them, when none has one), the one added first,
	// wherever the display order puts it.
	MainFirstAdded
)

// Naming is the file name the server gives an image added from a URL.
type Naming int

const (
	// NameNumbered names it "<n>.<ext>", a number and the URL's extension,
	// like the docs' examples "100.jpg" and "127.png" (the default).
	NameNumbered Naming = iota
	// NameFromURL keeps the URL's file name ("red-shoe.v2.jpg"), with
	// "-1", "-2", ... before the extension when the gallery has it already.
	NameFromURL
	// NameNumberedSEO names it "<n>_<URL's file name>", like the docs'
	// "100_purple-apple.jpg".
	NameNumberedSEO
)

// PatchAnswer is what data.images of an update answer holds.
type PatchAnswer int

const (
	// PatchUpdated lists the updated images (the default).
	PatchUpdated PatchAnswer = iota
	// PatchGallery lists the whole gallery after the update.
	PatchGallery
)

// NullPlacement is where images without a priority stand in display order.
type NullPlacement int

const (
	// NullsLast puts them after the others (the default).
	NullsLast NullPlacement = iota
	// NullsFirst puts them before the others (SQL's ascending order in
	// MySQL).
	NullsFirst
)

// ListOrder is the order the list answer sends images in.
type ListOrder int

const (
	// ListDisplay sends them in display order, as the docs say (the
	// default).
	ListDisplay ListOrder = iota
	// ListAdded sends them in the order they were added, so a client must
	// sort by priority.
	ListAdded
)

// AddPriority is the priority an image added without one gets.
type AddPriority int

const (
	// AddAfterLast gives it the highest priority plus one (the default).
	AddAfterLast AddPriority = iota
	// AddNull leaves its priority null.
	AddNull
)

// JobTiming is when a queued job completes: after Polls detail requests
// for it (pending, then running from the first poll), or once After has
// passed on the server's clock, whichever comes first. The zero value
// completes it at its first poll.
type JobTiming struct {
	// Polls is how many detail requests complete a job (0: none do,
	// unless After is 0 too).
	Polls int
	// After is how long after its creation a job completes (0: never by
	// time).
	After time.Duration
}

// LockKey is what makes two writes "the same request" for the lock.
type LockKey int

const (
	// LockSameRequest locks a method, URL and body while such a request is
	// processed (the default: the docs' "same request two times").
	LockSameRequest LockKey = iota
	// LockSameURL locks a method and URL, whatever the body ("the lock is
	// only valid for a specific called URL").
	LockSameURL
)

// Option configures a Server.
type Option func(*config)

type config struct {
	fakestore.Config
	privateToken, oauthToken string
	tokenLifetime            time.Duration
	media                    MediaType
	mainRule                 MainRule
	naming                   Naming
	patch                    PatchAnswer
	nulls                    NullPlacement
	order                    ListOrder
	addPriority              AddPriority
	timing                   JobTiming
	webhook                  bool
	lockKey                  LockKey
	lockWindow               time.Duration
	bucket                   bool
	capacity                 int
	drain                    float64
	connections              int
	detailLimit              int
	hook                     func(inFlight int)
	failSource               func(sourceURL string) bool
}

func defaults() config {
	return config{
		Config:        fakestore.Config{Clock: shopimg.SystemClock{}, FirstID: 100},
		privateToken:  DefaultPrivateToken,
		oauthToken:    DefaultOAuthToken,
		tokenLifetime: DefaultTokenLifetime,
		webhook:       true,
		bucket:        true,
		capacity:      DefaultBucketCapacity,
		drain:         DefaultBucketDrain,
		connections:   MaxConnections,
	}
}

// WithClock sets the clock of dates, tokens, jobs, locks, the bucket and
// fault latency.
func WithClock(c shopimg.Clock) Option { return func(o *config) { o.Clock = c } }

// WithPrivateToken sets the Shoptet-Private-Api-Token the server accepts.
func WithPrivateToken(t string) Option { return func(o *config) { o.privateToken = t } }

// WithOAuthToken sets the addon OAuth access token the OAuth server
// accepts.
func WithOAuthToken(t string) Option { return func(o *config) { o.oauthToken = t } }

// WithTokenLifetime sets how long issued API access tokens are valid
// (expires_in).
func WithTokenLifetime(d time.Duration) Option { return func(o *config) { o.tokenLifetime = d } }

// WithMediaType sets the Content-Type of the answers.
func WithMediaType(m MediaType) Option { return func(o *config) { o.media = m } }

// WithMainRule sets which image isMainImage marks.
func WithMainRule(r MainRule) Option { return func(o *config) { o.mainRule = r } }

// WithNaming sets the names given to images added from URLs.
func WithNaming(n Naming) Option { return func(o *config) { o.naming = n } }

// WithPatchAnswer sets what an update answer lists.
func WithPatchAnswer(p PatchAnswer) Option { return func(o *config) { o.patch = p } }

// WithNulls sets where images without a priority stand.
func WithNulls(n NullPlacement) Option { return func(o *config) { o.nulls = n } }

// WithListOrder sets the order of the list answer.
func WithListOrder(l ListOrder) Option { return func(o *config) { o.order = l } }

// WithAddPriority sets the priority of an image added without one.
func WithAddPriority(p AddPriority) Option { return func(o *config) { o.addPriority = p } }

// WithJobTiming sets when jobs complete.
func WithJobTiming(t JobTiming) Option {
	if t.Polls < 0 || t.After < 0 {
		panic(fmt.Sprintf("shoptettest: job timing %+v", t))
	}
	return func(o *config) { o.timing = t }
}

// WithoutWebhook starts the server without the job:finished webhook
// registered: asynchronous calls get a 403 (see Server.SetWebhook).
func WithoutWebhook() Option { return func(o *config) { o.webhook = false } }

// WithLock sets what makes two writes the same for the lock, and how long
// after a write ends the lock still holds (0, the default: only while it
// is processed; the docs cap it at 5 s).
func WithLock(key LockKey, window time.Duration) Option {
	return func(o *config) { o.lockKey, o.lockWindow = key, window }
}

// WithBucket sets the leaky bucket: capacity drops, draining drain a
// second, one drop a request.
func WithBucket(capacity int, drain float64) Option {
	if capacity <= 0 || drain < 0 {
		panic(fmt.Sprintf("shoptettest: bucket of %d draining %v", capacity, drain))
	}
	return func(o *config) { o.bucket, o.capacity, o.drain = true, capacity, drain }
}

// WithoutBucket turns the leaky bucket and its header off.
func WithoutBucket() Option { return func(o *config) { o.bucket = false } }

// WithConnectionLimit sets how many requests one token may have in flight
// (default MaxConnections; 0 turns the limit off).
func WithConnectionLimit(n int) Option { return func(o *config) { o.connections = n } }

// WithJobDetailLimit answers a job's detail requests beyond n, while the
// job is not done, with a 403 job-detail-try-counter-exceeded-limit (0, the
// default: no limit). Those requests still count as polls.
func WithJobDetailLimit(n int) Option { return func(o *config) { o.detailLimit = n } }

// WithInFlightHook calls hook with the number of the token's requests in
// flight (this one included) when a request is admitted past the
// connection limit, before it is handled; hook may block, to hold requests
// so that they overlap.
func WithInFlightHook(hook func(inFlight int)) Option { return func(o *config) { o.hook = hook } }

// WithFailingSources makes a job fail when fail reports true for one of
// its source URLs (Shoptet could not download it).
func WithFailingSources(fail func(sourceURL string) bool) Option {
	return func(o *config) { o.failSource = fail }
}

// WithMaxRecords keeps at most n recorded requests (negative: none, for
// benchmarks); counts are kept regardless.
func WithMaxRecords(n int) Option { return func(o *config) { o.MaxRecords = n } }

// WithMaxRecordedBody records at most n bytes of each request body
// (negative: none).
func WithMaxRecordedBody(n int64) Option { return func(o *config) { o.MaxRecordedBody = n } }

// WithSeed makes the product GUIDs and request IDs follow from seed.
func WithSeed(seed uint64) Option { return func(o *config) { o.Seed = seed } }
