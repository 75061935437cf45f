//go:build tools

// Package tools pins kube-apiserver v1.35 (the second Kubernetes version platform.yaml may name,
// spec.cluster.kubernetesVersion "1.35"). One go.mod pins one k8s.io/kubernetes version, so this
// is a module of its own beside tools/kube (v1.32); the staging modules are replaced by their
// published versions, as k8s.io/kubernetes cannot be required otherwise. etcd comes from tools/kube.
package tools

import _ "k8s.io/kubernetes/cmd/kube-apiserver"
