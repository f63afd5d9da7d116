package source

import (
	"regexp"
	"strings"
)

// Redacted replaces a credential that Redact removed.
const Redacted = "redacted"

// urlPattern finds URLs in free text (log lines, error strings, messages): a
// scheme, "://" and everything up to white space or a quote.
var urlPattern = regexp.MustCompile("(?i)\\b[a-z][a-z0-9+.-]*://[^\\s\"'<>`]+")

// Redact removes the credentials from every URL in s: the whole user part of an
// http(s) or other URL (https://TOKEN@host and https://user:token@host both
// become https://redacted@host), the password of an ssh:// URL (its user names
// an account, not a secret), and every query-string value (?access_token=…).
// It works on URLs inside any text, a go-git error string or a message quoting
// one, so one call covers whatever gitgate prints, logs, records or exports.
func Redact(s string) string {
	if !strings.Contains(s, "://") {
		return s
	}
	return urlPattern.ReplaceAllStringFunc(s, redactURL)
}

// redactURL redacts one URL found by urlPattern.
func redactURL(u string) string {
	i := strings.Index(u, "://")
	scheme, rest := u[:i], u[i+3:]
	end := strings.IndexAny(rest, "/?#")
	if end < 0 {
		end = len(rest)
	}
	authority, tail := rest[:end], rest[end:]
	if at := strings.LastIndexByte(authority, '@'); at >= 0 {
		authority = redactUserInfo(scheme, authority[:at]) + authority[at:]
	}
	return scheme + "://" + authority + redactQuery(tail)
}

// redactUserInfo keeps an ssh:// user name and drops everything else.
func redactUserInfo(scheme, userinfo string) string {
	if strings.EqualFold(scheme, "ssh") || strings.EqualFold(scheme, "git+ssh") {
		if user, _, hasPassword := strings.Cut(userinfo, ":"); hasPassword {
			return user + ":" + Redacted
		}
		return userinfo
	}
	return Redacted
}

// redactQuery replaces the value of every query parameter of a URL's path,
// query and fragment part.
func redactQuery(tail string) string {
	q := strings.IndexByte(tail, '?')
	if q < 0 {
		return tail
	}
	query, fragment := tail[q+1:], ""
	if h := strings.IndexByte(query, '#'); h >= 0 {
		query, fragment = query[:h], query[h:]
	}
	params := strings.Split(query, "&")
	for i, p := range params {
		if name, _, ok := strings.Cut(p, "="); ok {
			params[i] = name + "=" + Redacted
		}
	}
	return tail[:q+1] + strings.Join(params, "&") + fragment
}

// redactedError is an error whose message went through Redact; errors.Is and
// errors.As still see the error it wraps.
type redactedError struct {
	msg string
	err error
}

func (e *redactedError) Error() string { return e.msg }
func (e *redactedError) Unwrap() error { return e.err }

// RedactError redacts the message of an error that may quote a URL with its
// credentials (go-git's transport errors do).
func RedactError(err error) error {
	if err == nil {
		return nil
	}
	msg := Redact(err.Error())
	if msg == err.Error() {
		return err
	}
	return &redactedError{msg: msg, err: err}
}
