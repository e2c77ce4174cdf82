# Shared by the scripts in scripts/: paths, logging, quiet builds. Source it, don't run it.
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cache_dir=${TONEARM_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/tonearm}

say() { echo "tonearm: $*" >&2; }
die() { say "$*"; exit 1; }

# Configures (when new, or when the presets changed) and builds a CMake preset, in
# build/PRESET or in DIR; prints the build log only if it fails.
#   build_preset PRESET [DIR]
build_preset() {
  local preset=$1 dir=${2:-$root/build/$1} log
  local build_args=(--preset "$preset")
  [[ -n ${2:-} ]] && build_args=("$dir")  # a build preset knows only its own directory
  mkdir -p "$dir"
  log="$dir/build.log"
  if [[ ! -f $dir/build.ninja || $root/CMakePresets.json -nt $dir/CMakeCache.txt ]]; then
    say "configuring $preset${2:+ in $dir}"
    (cd "$root" && cmake --preset "$preset" -B "$dir" >"$log" 2>&1) || { cat "$log" >&2; die "cmake --preset $preset failed"; }
  fi
  if ! (cd "$root" && cmake --build "${build_args[@]}" >"$log" 2>&1); then
    grep -E "error|Error" -A5 "$log" | head -60 >&2
    die "build of $preset failed (full log: $log)"
  fi
}

# Compiles a one-file helper program (a benchmark probe) into OUT when OUT is missing or
# older than SRC.
#   build_tool SRC OUT [COMPILER FLAGS...]
build_tool() {
  local src=$1 out=$2
  shift 2
  [[ -x $out && ! $src -nt $out ]] && return
  mkdir -p "$(dirname "$out")"
  g++ -O2 -std=c++20 -Wall -Wextra "$src" "$@" -o "$out" || die "cannot build $src"
}
