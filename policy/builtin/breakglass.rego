# break-glass: a member of a configured group may override git for a bounded
# time by annotating the object with
#   gitgate.dev/break-glass: "<ticket>: <reason>"
#   gitgate.dev/break-glass-until: "<RFC 3339 time, at most ttl from now>"
# Configuration (all optional), in the repository:
#   data.gitgate.config.break_glass.groups          groups allowed (default none: disabled)
#   data.gitgate.config.break_glass.ttl             longest allowed window (default "4h")
#   data.gitgate.config.break_glass.ticket_pattern  regex a ticket must match
package gitgate.builtin

bg_annotation := "gitgate.dev/break-glass"

bg_until_annotation := "gitgate.dev/break-glass-until"

default bg_config := {}

bg_config := object.get(data.gitgate.config, "break_glass", {})

bg_groups := object.get(bg_config, "groups", [])

bg_ttl := object.get(bg_config, "ttl", "4h")

bg_ticket_pattern := object.get(bg_config, "ticket_pattern", `^[A-Z][A-Z0-9]+-[0-9]+$`)

config_errors contains sprintf("data.gitgate.config.break_glass: unknown key %s (known: groups, ttl, ticket_pattern)", [json.marshal(key)]) if {
	some key, _ in bg_config
	not key in {"groups", "ttl", "ticket_pattern"}
}

config_errors contains sprintf("data.gitgate.config.break_glass.ttl %s is not a duration such as \"4h\" or \"90m\"", [json.marshal(bg_ttl)]) if {
	not bg_ttl_valid
}

bg_ttl_valid if {
	is_string(bg_ttl)
	regex.match(`^([0-9]+(\.[0-9]+)?(ns|us|µs|ms|s|m|h))+$`, bg_ttl)
}

config_errors contains "data.gitgate.config.break_glass.groups must be a set or an array of group names" if {
	not is_set(bg_groups)
	not is_array(bg_groups)
}

config_errors contains sprintf("data.gitgate.config.break_glass.ticket_pattern %s is not a valid regular expression", [json.marshal(bg_ticket_pattern)]) if {
	not bg_ticket_pattern_valid
}

bg_ticket_pattern_valid if {
	is_string(bg_ticket_pattern)
	regex.is_valid(bg_ticket_pattern)
}

bg_raw := input.request.annotations["gitgate.dev/break-glass"] # a literal: cheaper than a rule ref

bg_ticket := trim_space(substring(bg_raw, 0, indexof(bg_raw, ":"))) if contains(bg_raw, ":")

bg_reason := trim_space(substring(bg_raw, indexof(bg_raw, ":") + 1, -1)) if contains(bg_raw, ":")

bg_until := input.request.annotations["gitgate.dev/break-glass-until"]

rfc3339 := `^[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt][0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]+)?([Zz]|[+-][0-9]{2}:[0-9]{2})$`

bg_until_ns := time.parse_rfc3339_ns(bg_until) if regex.match(rfc3339, bg_until)

bg_well_formed if {
	regex.match(bg_ticket_pattern, bg_ticket)
	bg_reason != ""
}

bg_user_allowed if {
	some group in input.request.userInfo.groups
	group in bg_groups
}

bg_problems contains sprintf("annotation %s must read \"<ticket>: <reason>\" with a ticket matching %s", [bg_annotation, bg_ticket_pattern]) if {
	bg_raw
	not bg_well_formed
}

bg_problems contains "it is not enabled in this repository (data.gitgate.config.break_glass.groups is empty)" if {
	bg_raw
	count(bg_groups) == 0
}

bg_problems contains sprintf("user %v is in none of the break-glass groups %v", [input.request.userInfo.username, bg_groups]) if {
	bg_raw
	count(bg_groups) > 0
	not bg_user_allowed
}

bg_problems contains sprintf("annotation %s must be an RFC 3339 time", [bg_until_annotation]) if {
	bg_raw
	not bg_until_ns
}

bg_problems contains sprintf("annotation %s is more than %s ahead", [bg_until_annotation, bg_ttl]) if {
	bg_raw
	bg_until_ns - time.parse_rfc3339_ns(input.now) > time.parse_duration_ns(bg_ttl)
}

exceptions contains {
	"id": concat("", ["break-glass:", bg_ticket]),
	"reason": bg_reason,
	"expires": bg_until,
	"break_glass": true,
} if {
	bg_raw
	not disabled["break-glass"]
	count(bg_problems) == 0
}

warn contains sprintf("break-glass not applied: %s", [problem]) if {
	bg_raw
	not disabled["break-glass"]
	some problem in bg_problems
}

# bg_window_ns is the longest window, in nanoseconds, that the applier honours
# on a live object: the ttl while break-glass is enabled, else 0.
default bg_window_ns := 0

bg_window_ns := time.parse_duration_ns(bg_ttl) if {
	count(bg_groups) > 0
	not disabled["break-glass"]
	bg_ttl_valid
}
