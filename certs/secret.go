package certs

import (
	"errors"
	"fmt"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// ToSecret returns a kubernetes.io/tls Secret holding b under the keys
// tls.crt, tls.key, ca.crt and, if b has a CA key, ca.key.
func ToSecret(namespace, name string, b *Bundle) *corev1.Secret {
	s := &corev1.Secret{
		TypeMeta:   metav1.TypeMeta{APIVersion: "v1", Kind: "Secret"},
		ObjectMeta: metav1.ObjectMeta{Namespace: namespace, Name: name},
		Type:       corev1.SecretTypeTLS,
	}
	setSecretData(s, b)
	return s
}

// FromSecret reads a bundle from a Secret made by ToSecret; ca.key may be
// absent. It does not check the bundle; see Parse.
func FromSecret(s *corev1.Secret) (*Bundle, error) {
	if s == nil {
		return nil, errors.New("read bundle from secret: secret is nil")
	}
	var missing []error
	for _, k := range []string{CertFile, KeyFile, CACertFile} {
		if len(s.Data[k]) == 0 {
			missing = append(missing, fmt.Errorf("key %s is missing", k))
		}
	}
	if err := errors.Join(missing...); err != nil {
		return nil, fmt.Errorf("read bundle from secret %s/%s: %w", s.Namespace, s.Name, err)
	}
	return bundleFromData(s.Data), nil
}

// bundleFromData copies whatever parts of a bundle data holds.
func bundleFromData(data map[string][]byte) *Bundle {
	return &Bundle{
		CACert: clone(data[CACertFile]),
		CAKey:  clone(data[CAKeyFile]),
		Cert:   clone(data[CertFile]),
		Key:    clone(data[KeyFile]),
	}
}

// setSecretData stores b in s, keeping s's other keys and metadata.
func setSecretData(s *corev1.Secret, b *Bundle) {
	if s.Data == nil {
		s.Data = make(map[string][]byte, 4)
	}
	s.Data[CertFile] = clone(b.Cert)
	s.Data[KeyFile] = clone(b.Key)
	s.Data[CACertFile] = clone(b.CACert)
	if len(b.CAKey) > 0 {
		s.Data[CAKeyFile] = clone(b.CAKey)
	} else {
		delete(s.Data, CAKeyFile)
	}
}
