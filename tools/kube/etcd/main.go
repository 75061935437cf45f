// Command etcd is etcd's own server (go.etcd.io/etcd/server/v3/etcdmain), at the version that
// k8s.io/kubernetes pins, so that the kube-apiserver built beside it talks to the etcd it was
// released with.
package main

import (
	"os"

	"go.etcd.io/etcd/server/v3/etcdmain"
)

func main() { etcdmain.Main(os.Args) }
