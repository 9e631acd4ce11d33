#!/usr/bin/env bash
# Prints the it/ module's runtime classpath (it/target/classes first) after one reactor build, so meshfed's own
# modules resolve to this worktree's jars (never mvn install). The benchmark scripts run their mains with it:
#   CP="$(it/bench/it-classpath.sh)"
# Maven's output goes to stderr.
set -euo pipefail
cd "$(dirname "$0")/../.."
cp_file="$(mktemp)"
trap 'rm -f "$cp_file"' EXIT
./mvnw -B -q -DskipTests package dependency:build-classpath -pl it -am -Dmdep.outputFile="$cp_file" \
  -Dmdep.includeScope=runtime >&2
echo "$PWD/it/target/classes:$(cat "$cp_file")"
