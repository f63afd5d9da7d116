// Package guard protects gitgate's own ValidatingWebhookConfiguration, which
// admission cannot protect: deleting it or loosening its rules would switch the gate
// off silently. The Guard remembers the configuration as first seen (or as shipped)
// and restores it when it is changed or deleted, and reports every restore. It also
// narrows the shipped wildcard rules to the exact group/version/resources git
// declares, on every new revision, so that the API server converts requests into
// git's version and writes of kinds git does not declare never reach gitgate.
// The package also reports who can act as the sync identity (exposure) and which
// mutating admission configurations can change what git declares.
package guard
