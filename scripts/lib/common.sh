# Shared by the scripts in scripts/: paths, logging, quiet builds. Source it, don't run it.
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cache_dir=${TONEARM_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/tonearm}

say() { echo "tonearm: $*" >&2; }
die() { say "$*"; exit 1; }

# Configures (when new, or when the presets changed) and builds a CMake preset; prints the
# build log only if it fails.
build_preset() {
  local preset=$1 dir="$root/build/$1" log
  mkdir -p "$dir"
  log="$dir/build.log"
  if [[ ! -f $dir/build.ninja || $root/CMakePresets.json -nt $dir/CMakeCache.txt ]]; then
    say "configuring $preset"
    (cd "$root" && cmake --preset "$preset" >"$log" 2>&1) || { cat "$log" >&2; die "cmake --preset $preset failed"; }
  fi
  if ! (cd "$root" && cmake --build --preset "$preset" >"$log" 2>&1); then
    grep -E "error|Error" -A5 "$log" | head -60 >&2
    die "build of $preset failed (full log: $log)"
  fi
}
