// Package source brings a git repository's commits to gitindex: a Source is a
// bare, in-memory clone that is shallow at first and then fetched
// incrementally, used from one goroutine only (the Poller's). It authenticates
// from credential files (HTTPS basic auth or token, SSH key with known hosts;
// re-read before every fetch) and can refuse commits that no trusted OpenPGP key
// signed (*UntrustedCommitError). A PushHandler turns a git host's signed push
// webhook into an immediate fetch.
//
// Files, LazyFiles, CommitFiles and LocalCommit list the files of one commit
// that gitindex.Build reads: the manifests and policies under the given
// folders, the root .gitgate.yaml and .sourceignore, and what kustomizations may
// reference. Redact removes credentials from any text that may quote the
// repository URL; fetch errors go through it.
package source
