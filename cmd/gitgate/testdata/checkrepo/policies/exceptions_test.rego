package gitgate_test

import rego.v1

import data.gitgate

test_cache_flag_excepted if {
	some e in gitgate.exceptions with input as {"request": {"kind": {"kind": "ConfigMap"}, "name": "web-flags"}}
	e.id == "cache-flag"
}
