package gitgate

# The reporting team may tune descriptions in the large Metric schema by hand
# while its generator is rewritten.
exceptions contains {"id": "metric-schema-docs", "reason": "descriptions are tuned by hand during the generator rewrite", "paths": ["spec.versions*"]} if {
	input.request.kind.kind == "CustomResourceDefinition"
	input.request.name == "metrics.real.gitgate.dev"
}
