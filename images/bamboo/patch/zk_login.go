// Copied into Bamboo's main/bamboo package by images/bamboo/Dockerfile, whose build then points
// Bamboo's one ZooKeeper connection (createAndListen in main/bamboo/bamboo.go at v0.2.21) here.
//
// Bamboo 0.2.21 has no ZooKeeper login (configuration/zookeeper.go: "TODO: authentication
// parameters") and creates its nodes open to anyone, so whoever reaches ZooKeeper could add or change
// an HAProxy rule. With a login in ZooKeeperLoginFile ("user:password", the cluster's generated
// bamboo user), this connects as that user, and logs in again each time the session is (re)made:
// a ZooKeeper login belongs to a connection, and this go-zookeeper does not repeat it itself.

package main

import (
	"io/ioutil"
	"log"
	"os"
	"strings"
	"time"

	"github.com/QubitProducts/bamboo/Godeps/_workspace/src/github.com/samuel/go-zookeeper/zk"
)

// ZooKeeperLoginFile holds Bamboo's ZooKeeper login; mounted by the program, read by root only.
const ZooKeeperLoginFile = "/etc/bamboo/zk-auth"

func zooKeeperLogin() []byte {
	path := os.Getenv("BAMBOO_ZK_AUTH_FILE_PATH")
	if path == "" {
		path = ZooKeeperLoginFile
	}
	b, err := ioutil.ReadFile(path)
	if os.IsNotExist(err) {
		return nil
	}
	if err != nil {
		log.Panicf("reading the ZooKeeper login %s: %v", path, err)
	}
	return []byte(strings.TrimRight(string(b), "\n"))
}

// zkConnectWithLogin connects as zk.Connect does, logged in when there is a login.
func zkConnectWithLogin(servers []string, timeout time.Duration) (*zk.Conn, <-chan zk.Event, error) {
	conn, events, err := zk.Connect(servers, timeout)
	login := zooKeeperLogin()
	if err != nil || login == nil {
		return conn, events, err
	}
	if err := conn.AddAuth("digest", login); err != nil {
		return nil, nil, err
	}
	log.Printf("ZooKeeper: logged in as %s", strings.SplitN(string(login), ":", 2)[0])
	forwarded := make(chan zk.Event, 16)
	go func() {
		defer close(forwarded)
		for e := range events {
			// Every session event, the first included: the client's event channel drops events
			// when full, so which one belongs to the login above cannot be told; logging in
			// again on the same connection is harmless.
			if e.Type == zk.EventSession && e.State == zk.StateHasSession {
				if err := conn.AddAuth("digest", login); err != nil {
					log.Printf("ZooKeeper: logging in again failed: %v", err)
				}
			}
			select {
			case forwarded <- e:
			default:
			}
		}
	}()
	return conn, forwarded, nil
}
