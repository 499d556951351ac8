# Sourced by ./build (and later launchers): sets JAVA_HOME to a JDK 21 or newer, or exits with a
# message that says what to install. Order: $JAVA_HOME if it is 21+, then the newest JDK under
# /usr/lib/jvm, then the javac on PATH. Prints nothing when it succeeds.

_mbt_jdk_version() { # prints the feature version of the JDK at $1, or nothing
  local release="$1/release" v
  [ -x "$1/bin/javac" ] || return 0
  if [ -f "$release" ]; then
    v=$(sed -n 's/^JAVA_VERSION="\([0-9]*\).*/\1/p' "$release")
  else
    v=$("$1/bin/javac" -version 2>&1 | sed -n 's/^javac \([0-9]*\).*/\1/p')
  fi
  echo "$v"
}

_mbt_find_jdk() {
  local best="" best_v=0 dir v
  if [ -n "${JAVA_HOME:-}" ]; then
    v=$(_mbt_jdk_version "$JAVA_HOME")
    if [ -n "$v" ] && [ "$v" -ge 21 ]; then echo "$JAVA_HOME"; return 0; fi
  fi
  for dir in /usr/lib/jvm/*/ /opt/java/*/ /opt/jdk*/; do
    dir=${dir%/}
    [ -d "$dir" ] || continue
    v=$(_mbt_jdk_version "$dir")
    if [ -n "$v" ] && [ "$v" -ge 21 ] && [ "$v" -gt "$best_v" ]; then best=$dir; best_v=$v; fi
  done
  if [ -z "$best" ] && command -v javac >/dev/null 2>&1; then
    dir=$(dirname "$(dirname "$(readlink -f "$(command -v javac)")")")
    v=$(_mbt_jdk_version "$dir")
    if [ -n "$v" ] && [ "$v" -ge 21 ]; then best=$dir; fi
  fi
  [ -n "$best" ] && echo "$best"
}

JAVA_HOME=$(_mbt_find_jdk) || true
if [ -z "$JAVA_HOME" ]; then
  echo "error: mailbox-threads needs a JDK 21 or newer, and none was found (looked at \$JAVA_HOME, /usr/lib/jvm, /opt and PATH)." >&2
  echo "       Install one, e.g. 'apt-get install openjdk-21-jdk-headless' (or Temurin 25), or set JAVA_HOME to it." >&2
  exit 3
fi
export JAVA_HOME
export PATH="$JAVA_HOME/bin:$PATH"
# JDK 23+ warns when Maven's own libraries use sun.misc.Unsafe; that is Maven's, not ours.
if [ "$(_mbt_jdk_version "$JAVA_HOME")" -ge 23 ]; then
  case " ${MAVEN_OPTS:-} " in
    *sun-misc-unsafe-memory-access*) ;;
    *) export MAVEN_OPTS="${MAVEN_OPTS:-} --sun-misc-unsafe-memory-access=allow" ;;
  esac
fi
