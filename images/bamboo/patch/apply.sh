#!/bin/sh
# Run by images/bamboo/Dockerfile in Bamboo's source tree, before it compiles: adds our files to
# Bamboo's packages and points three of Bamboo's lines at them. Each line must be found exactly
# once, or the build stops here, naming it (another Bamboo release needs this read again).
#   apply.sh PATCH_DIR   (in the root of Bamboo's source)
set -eu
patch=$1
replace() { # FILE FROM TO: FROM (a fixed string) must occur once in FILE
    found=$(grep -cF -- "$2" "$1" || true)
    if [ "$found" != 1 ]; then
        echo "bamboo patch: '$2' occurs $found times in $1, not once; this Bamboo is not the one the patch was written for" >&2
        exit 1
    fi
    # The strings hold no | and no regular expression's special characters beyond . ( ) *.
    from=$(printf '%s' "$2" | sed 's/[.*[\]/\\&/g')
    sed -i "s|$from|$3|" "$1"
}
# An app's service ports from where Marathon 1.7+ writes them.
cp "$patch/marathon_service_ports.go" services/marathon/
# Bamboo's ZooKeeper login, and its nodes not open to anyone.
# The root's bamboo.go is a link to main/bamboo/bamboo.go, and the image builds the root package.
cp "$patch/zk_login.go" main/bamboo/
cp "$patch/zk_login.go" .
cp "$patch/zk_acl.go" services/service/
sed 's/^package service$/package qzk/' "$patch/zk_acl.go" >qzk/zk_acl.go
replace main/bamboo/bamboo.go 'zk.Connect(conf.ConnectionString(), time.Second*10)' 'zkConnectWithLogin(conf.ConnectionString(), time.Second*10)'
replace services/service/zookeeper.go 'acl:  defaultACL(),' 'acl:  loggedInACL(),'
replace qzk/qzk.go '_, err := c.Create(fqPath, []byte{}, 0, zk.WorldACL(zk.PermAll))' '_, err := c.Create(fqPath, []byte{}, 0, loggedInACL())'
echo "bamboo patch: applied" >&2
