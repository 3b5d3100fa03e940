# Sourced by the ops scripts that run a Java main of the ops module (ops/chaos, ops/ha-check).
# Sets OPS_CP (the ops jar and its runtime classpath), building first when a jar is missing or a source
# (*.java, *.avsc, pom.xml) is newer than the ops jar. Usage: ROOT=<repo>; source ops/lib/ensure-built.sh NAME
CP_FILE="$ROOT/ops/target/classpath.txt"
OPS_JAR="$ROOT/ops/target/berth-ops-0.1.0-SNAPSHOT.jar"

needs_build() {
  [[ -f "$CP_FILE" && -f "$OPS_JAR" ]] || return 0
  local jar
  for jar in $(tr ':' '\n' < "$CP_FILE"); do [[ -f "$jar" ]] || return 0; done
  [[ -n "$(find "$ROOT" -path '*/target' -prune -o \( -name '*.java' -o -name '*.avsc' -o -name 'pom.xml' \) -newer "$OPS_JAR" -print -quit)" ]] && return 0
  return 1
}

if needs_build; then
  echo "$1: building (mvn -q -B -DskipTests package) ..." >&2
  ( cd "$ROOT" && mvn -q -B -DskipTests package ${BERTH_MVN_OPTS:-} ) >&2
  touch "$OPS_JAR"   # the jar plugin keeps an up-to-date jar's old mtime; mark this build as current
fi
OPS_CP="$OPS_JAR:$(cat "$CP_FILE")"
