#!/usr/bin/env bash
# Builds the benchmark module (never run by `mvn verify`) and runs JMH from the repository root.
#   bench/jmh.sh GemmBench -p batch=64 -p threads=1      # kernel GFLOP/s (2 m n k / time)
#   bench/jmh.sh TrainStepBench -prof gc                 # steps/s and bytes allocated per step
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
jdk="${JAVA_HOME:-$(ls -d /usr/lib/jvm/*25* /usr/lib/jvm/*2[1-9]* 2>/dev/null | head -n1)}"
# Maven itself on the JDK 25 too: the JDK 17 jar tool cannot update the runtime's modular JAR.
JAVA_HOME="$jdk" mvn -q -B -Dmaven.test.skip=true -pl bench -am package
exec "$jdk/bin/java" --add-modules jdk.incubator.vector -cp "bench/target/classes:$(cat bench/target/classpath.txt)" \
  org.openjdk.jmh.Main "$@"
