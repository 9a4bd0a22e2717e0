package shopimg

// Version is the version of this module. The HTTP clients send it in their
// User-Agent header as "shopimg/<Version>".
const Version = "0.1.0"

// UserAgent is the default User-Agent header value sent by every client.
const UserAgent = "shopimg/" + Version + " (+https://github.com/shopimg/shopimg)"
