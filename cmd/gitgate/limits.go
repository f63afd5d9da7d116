package main

import (
	"fmt"
	"time"

	"github.com/spf13/pflag"
	"k8s.io/apimachinery/pkg/api/resource"

	"github.com/gitgate-dev/gitgate/gitindex"
)

// limitFlags are the bounds on one revision (see gitindex.Limits).
type limitFlags struct {
	maxObjects                      int64
	maxManifestBytes, maxIndexBytes string // quantities: 64Mi, 256Mi
	buildTimeout                    time.Duration
}

// addLimitFlags binds the bounds on one revision, with gitindex's defaults.
func addLimitFlags(fs *pflag.FlagSet, l *limitFlags) {
	def := gitindex.DefaultLimits()
	fs.Int64Var(&l.maxObjects, "max-objects", def.MaxObjects, "reject a commit with more objects than this (0 = no bound)")
	fs.StringVar(&l.maxManifestBytes, "max-manifest-bytes", resource.NewQuantity(def.MaxManifestBytes, resource.BinarySI).String(), "reject a commit whose manifests, policies and kustomize inputs exceed this size, checked before reading them (0 = no bound)")
	fs.StringVar(&l.maxIndexBytes, "max-index-memory", resource.NewQuantity(def.MaxIndexMemory, resource.BinarySI).String(), "reject a commit whose index would take more memory than this, estimated before decoding each document (0 = no bound)")
	fs.DurationVar(&l.buildTimeout, "build-timeout", gitindex.DefaultBuildTimeout, "reject a commit whose build (reading, decoding, kustomize) takes longer than this")
}

// limits returns the bounds, or an error naming the flag that does not parse.
func (l limitFlags) limits() (gitindex.Limits, error) {
	out := gitindex.Limits{MaxObjects: l.maxObjects}
	for _, q := range []struct {
		flag, value string
		into        *int64
	}{{"--max-manifest-bytes", l.maxManifestBytes, &out.MaxManifestBytes}, {"--max-index-memory", l.maxIndexBytes, &out.MaxIndexMemory}} {
		v, err := resource.ParseQuantity(q.value)
		if err != nil {
			return out, fmt.Errorf("%s: %w", q.flag, err)
		}
		*q.into = v.Value()
	}
	if l.buildTimeout <= 0 {
		return out, fmt.Errorf("--build-timeout must be positive")
	}
	if err := out.Validate(); err != nil {
		return out, fmt.Errorf("--max-objects, --max-manifest-bytes, --max-index-memory: %w", err)
	}
	return out, nil
}
