// Package gittest makes real git repositories and serves them over HTTPS and
// SSH on loopback, for the tests of gitindex and its source. It needs the git
// command and skips the calling test without it. Only tests import it.
package gittest
