// Package helm renders the Helm charts that a commit's Flux HelmReleases name,
// so that what a chart renders is declared like any other manifest.
//
// A HelmRelease (helm.toolkit.fluxcd.io/v2) whose spec.chart.spec.sourceRef is a
// GitRepository and whose chart is a folder of the commit holding a Chart.yaml is
// rendered per revision, off the request path, as Flux's helm-controller would
// install it: the release name and namespace computed as helm-controller
// computes them (spec.releaseName, else [targetNamespace-]name, shortened past
// 53 characters), the values of valuesFiles (in place of the chart's
// values.yaml), valuesFrom (ConfigMaps and Secrets read through a ValuesReader
// the caller supplies) and spec.values, merged in that order over the chart's
// defaults, the chart's crds/ per the install and upgrade CRD policies, and the
// metadata Helm and helm-controller add to every object they apply (the
// app.kubernetes.io/managed-by label, the meta.helm.sh/release-* annotations,
// helm-controller's helm.toolkit.fluxcd.io/* labels and spec.commonMetadata).
//
// Rendering is confined: templates see only the chart's own files, `lookup`
// returns an empty object and DNS lookups return nothing (as in `helm template`),
// no post-renderer runs (a HelmRelease asking for one is refused), and no chart
// is fetched from the network. Hooks and NOTES.txt are not objects the release
// keeps, so they are left out.
//
// Every rendered object carries its provenance (a Locator): the template file and
// the line of its document, and for a field the template line that sets it, or,
// when that line takes the value from .Values, the values entry in git that set
// it: spec.values of the HelmRelease, a valuesFiles entry, the HelmRelease's
// valuesFrom entry, or the chart's values.yaml.
package helm
