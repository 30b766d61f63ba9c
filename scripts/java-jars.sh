#!/usr/bin/env bash
# The Java libraries test/real/chronosLauncher.test.ts runs with: the ZooKeeper client and server
# and the Curator Chronos 3.0.2 is built with (mesos/chronos pom.xml @ v3.0.2 L31: Curator 2.11.0,
# which brings ZooKeeper 3.4.6: apache-curator-2.11.0.pom L64), from Maven Central through Maven,
# into a cache a clean clone on this machine finds again. Prints the folder holding the jars.
#   scripts/java-jars.sh
set -euo pipefail
OUT=${JAVA_JARS_DIR:-$HOME/.cache/mesos-cluster/jars}
ARTIFACTS=(
    org.apache.curator:curator-framework:2.11.0
    org.apache.curator:curator-client:2.11.0
    org.apache.zookeeper:zookeeper:3.4.6
    com.google.guava:guava:16.0.1
    org.slf4j:slf4j-api:1.7.6
    org.slf4j:slf4j-log4j12:1.7.6
    log4j:log4j:1.2.17
)
mkdir -p "$OUT"
for a in "${ARTIFACTS[@]}"; do
    IFS=: read -r _ artifact version <<<"$a"
    if [ ! -s "$OUT/$artifact-$version.jar" ]; then
        mvn -q -B -Dstyle.color=never dependency:copy -Dartifact="$a" -DoutputDirectory="$OUT" >&2
    fi
done
echo "$OUT"
