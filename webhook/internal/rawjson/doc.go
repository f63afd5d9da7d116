// Package rawjson decodes the objects of an AdmissionRequest into the
// map[string]any values utiljson gives, in one pass without reflection and
// without metadata.managedFields (often the largest part of an object, and never
// compared). It is differential-fuzzed against utiljson (FuzzParseObject), and
// falls back to utiljson for input it refuses, so that error messages stay the
// standard ones.
package rawjson
