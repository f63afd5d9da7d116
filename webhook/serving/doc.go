// Package serving builds the bounded HTTP(S) servers gitgate listens with: the
// admission webhook, the push endpoint, metrics and probes.
//
// gitgate fails closed, so a client that exhausts it stops every governed write.
// Each server therefore bounds what one client, and all clients together, can hold:
// the TLS handshake and request headers (ReadHeaderTimeout), the whole request
// (ReadTimeout), the answer (WriteTimeout), idle keep-alive connections
// (IdleTimeout), open connections (MaxConns, and MaxConnsPerIP where clients are
// many), the size of one body (MaxBodyBytes) and the bytes of all large bodies being
// read at once (BodyBudgetBytes). A client over a bound is refused or cut, never
// queued without limit, and each refusal is counted in
// gitgate_http_limited_total{server,reason}.
//
// Webhook adapts a Server to controller-runtime's webhook.Server, so the manager
// runs it as before (readiness, certificate reload, graceful drain on stop); Probes
// serves /healthz and /readyz the way the manager's own probe server does.
package serving
