package kube

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"fmt"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/gitgate-dev/gitgate/webhook/audit"
)

// Data keys of the audit keys Secret.
const (
	DigestKeyData  = "digest.key"  // 32 random bytes: the HMAC key of Secret digests
	SigningKeyData = "signing.key" // the 64-byte Ed25519 private key of checkpoints
	PublicKeyData  = "signing.pub" // its public key, for `gitgate audit verify`
)

// Keys are the audit log's keys for this install.
type Keys struct {
	Digest  *audit.DigestKey
	Signing ed25519.PrivateKey
}

// LoadKeys reads the keys from the Secret namespace/name, creating it with new
// random keys if it does not exist. Replicas racing to create it all end up with
// the one that won.
func LoadKeys(ctx context.Context, c client.Client, namespace, name string) (*Keys, error) {
	s := &corev1.Secret{}
	err := c.Get(ctx, client.ObjectKey{Namespace: namespace, Name: name}, s)
	if apierrors.IsNotFound(err) {
		s, err = newKeysSecret(namespace, name)
		if err != nil {
			return nil, err
		}
		err = c.Create(ctx, s)
		if apierrors.IsAlreadyExists(err) { // another replica won the race
			s = &corev1.Secret{}
			err = c.Get(ctx, client.ObjectKey{Namespace: namespace, Name: name}, s)
		}
	}
	if err != nil {
		return nil, fmt.Errorf("load audit keys from secret %s/%s: %w", namespace, name, err)
	}
	return parseKeys(s)
}

func newKeysSecret(namespace, name string) (*corev1.Secret, error) {
	digest := make([]byte, audit.DigestKeySize)
	if _, err := rand.Read(digest); err != nil {
		return nil, fmt.Errorf("generate audit digest key: %w", err)
	}
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return nil, fmt.Errorf("generate audit signing key: %w", err)
	}
	return &corev1.Secret{
		ObjectMeta: metav1.ObjectMeta{Namespace: namespace, Name: name,
			Labels: map[string]string{"app.kubernetes.io/name": "gitgate", "app.kubernetes.io/component": "audit"}},
		Type: corev1.SecretTypeOpaque,
		Data: map[string][]byte{DigestKeyData: digest, SigningKeyData: priv, PublicKeyData: pub},
	}, nil
}

func parseKeys(s *corev1.Secret) (*Keys, error) {
	d, err := audit.NewDigestKey(s.Data[DigestKeyData])
	if err != nil {
		return nil, fmt.Errorf("secret %s/%s %s: %w", s.Namespace, s.Name, DigestKeyData, err)
	}
	priv := s.Data[SigningKeyData]
	if len(priv) != ed25519.PrivateKeySize {
		return nil, fmt.Errorf("secret %s/%s %s: %d bytes, want an Ed25519 private key (%d)",
			s.Namespace, s.Name, SigningKeyData, len(priv), ed25519.PrivateKeySize)
	}
	return &Keys{Digest: d, Signing: ed25519.PrivateKey(priv)}, nil
}
