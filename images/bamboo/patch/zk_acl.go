// Copied into Bamboo's services/service package (its ZooKeeper storage of HAProxy rules) and,
// with its package line changed, into qzk by images/bamboo/Dockerfile, whose build then makes
// Bamboo create its nodes with this ACL instead of one open to anyone.

package service

import (
	"os"

	"github.com/QubitProducts/bamboo/Godeps/_workspace/src/github.com/samuel/go-zookeeper/zk"
)

// loggedInACL: read for anyone, everything for the login that creates the node (the cluster's
// bamboo user), as Mesos, Marathon and Chronos give theirs; open as before when Bamboo has no login.
func loggedInACL() []zk.ACL {
	path := os.Getenv("BAMBOO_ZK_AUTH_FILE_PATH")
	if path == "" {
		path = "/etc/bamboo/zk-auth"
	}
	if _, err := os.Stat(path); err != nil {
		return zk.WorldACL(zk.PermAll)
	}
	return append(zk.WorldACL(zk.PermRead), zk.AuthACL(zk.PermAll)...)
}
