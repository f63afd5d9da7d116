package rawjson

import (
	"bytes"
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

// keys are the member names of Kubernetes objects met most, kept once: a key
// found here costs no allocation.
var keys = func() map[string]string {
	m := map[string]string{}
	for _, k := range strings.Fields(`apiVersion kind metadata name namespace labels annotations uid
		resourceVersion generation creationTimestamp deletionTimestamp ownerReferences finalizers
		spec status data stringData type template selector matchLabels matchExpressions key operator values
		replicas containers initContainers image imagePullPolicy command args env value valueFrom ports
		containerPort protocol port targetPort nodePort resources limits requests cpu memory volumeMounts
		mountPath volumes configMap secret secretName items path readinessProbe livenessProbe startupProbe
		httpGet tcpSocket exec initialDelaySeconds periodSeconds timeoutSeconds successThreshold
		failureThreshold terminationMessagePath terminationMessagePolicy securityContext restartPolicy
		terminationGracePeriodSeconds dnsPolicy schedulerName serviceAccountName serviceAccount strategy
		rollingUpdate maxSurge maxUnavailable revisionHistoryLimit progressDeadlineSeconds conditions
		lastTransitionTime lastUpdateTime message reason observedGeneration readyReplicas availableReplicas
		updatedReplicas unavailableReplicas clusterIP clusterIPs ipFamilies ipFamilyPolicy sessionAffinity
		internalTrafficPolicy loadBalancer hostname role runAsUser runAsNonRoot fsGroup controller
		blockOwnerDeletion app version component`) {
		m[k] = k
	}
	return m
}()

// key parses a member name, interned when it is a common one.
func (p *jsonParser) key(build bool) (string, error) {
	start := p.i + 1
	if _, err := p.str(false); err != nil || !build {
		return "", err
	}
	raw := p.data[start : p.i-1]
	if k, ok := keys[string(raw)]; ok {
		return k, nil
	}
	if bytes.IndexByte(raw, '\\') < 0 && utf8.Valid(raw) {
		return string(raw), nil
	}
	return unquote(raw), nil
}

// str parses a string at p.i (the opening quote).
func (p *jsonParser) str(build bool) (any, error) {
	p.i++ // "
	start := p.i
	simple := true
	for p.i < len(p.data) {
		c := p.data[p.i]
		switch {
		case c == '"':
			raw := p.data[start:p.i]
			p.i++
			if !build {
				return nil, nil
			}
			if simple {
				return string(raw), nil
			}
			return unquote(raw), nil
		case c == '\\':
			simple = false
			if p.i+1 >= len(p.data) {
				return nil, p.fail("unexpected end in a string")
			}
			switch p.data[p.i+1] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
				p.i += 2
			case 'u':
				if p.i+6 > len(p.data) || !isHex4(p.data[p.i+2:p.i+6]) {
					return nil, p.fail("invalid \\u escape")
				}
				p.i += 6
			default:
				return nil, p.fail("invalid escape")
			}
		case c < 0x20:
			return nil, p.fail("control character in a string")
		case c >= utf8.RuneSelf:
			r, size := utf8.DecodeRune(p.data[p.i:])
			if r == utf8.RuneError && size == 1 {
				simple = false // replaced by U+FFFD
			}
			p.i += size
		default:
			p.i++
		}
	}
	return nil, p.fail("unexpected end in a string")
}

func isHex4(b []byte) bool {
	for _, c := range b {
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F') {
			return false
		}
	}
	return true
}

// unquote decodes a validated string body with escapes or invalid UTF-8, as
// encoding/json does (lone surrogates and invalid bytes become U+FFFD).
func unquote(s []byte) string {
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case c == '\\':
			switch s[i+1] {
			case 'b':
				b.WriteByte('\b')
			case 'f':
				b.WriteByte('\f')
			case 'n':
				b.WriteByte('\n')
			case 'r':
				b.WriteByte('\r')
			case 't':
				b.WriteByte('\t')
			case 'u':
				r := hex4(s[i+2 : i+6])
				i += 6
				if utf16.IsSurrogate(r) {
					if i+6 <= len(s) && s[i] == '\\' && s[i+1] == 'u' {
						if dec := utf16.DecodeRune(r, hex4(s[i+2:i+6])); dec != utf8.RuneError {
							b.WriteRune(dec)
							i += 6
							continue
						}
					}
					r = utf8.RuneError
				}
				b.WriteRune(r)
				continue
			default: // " \ /
				b.WriteByte(s[i+1])
			}
			i += 2
		case c < utf8.RuneSelf:
			b.WriteByte(c)
			i++
		default:
			r, size := utf8.DecodeRune(s[i:])
			b.WriteRune(r) // RuneError for an invalid byte
			i += size
		}
	}
	return b.String()
}

func hex4(b []byte) rune {
	var r rune
	for _, c := range b {
		r <<= 4
		switch {
		case c >= '0' && c <= '9':
			r |= rune(c - '0')
		case c >= 'a' && c <= 'f':
			r |= rune(c - 'a' + 10)
		default:
			r |= rune(c - 'A' + 10)
		}
	}
	return r
}
