# Shared by the scripts in scripts/: paths, logging, quiet builds. Source it, don't run it.
# The repository root, found without starting a process: scripts/tonearm runs before every
# tonearm command, and each fork here would cost every call a few milliseconds.
_caller_dir=$PWD
CDPATH='' builtin cd -- "${BASH_SOURCE[0]%/*}/../.." && root=$PWD
builtin cd -- "$_caller_dir"
unset _caller_dir
cache_dir=${TONEARM_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/tonearm}

# The builds' compiler cache (see CMakeLists.txt): keyed by paths relative to the checkout,
# so every clone of the repository shares it.
export CCACHE_DIR=${CCACHE_DIR:-$cache_dir/ccache} CCACHE_BASEDIR=$root CCACHE_NOHASHDIR=1

say() { echo "tonearm: $*" >&2; }
die() { say "$*"; exit 1; }

# Configures (when new, when the presets changed, or when --key changed) and builds a CMake
# preset in build/PRESET; prints the build log only if it fails.
#   build_preset PRESET [--key TEXT] [--define NAME=VALUE]... [--target TARGET]... [--jobs N]
# --key: what the configuration rests on beyond the presets (the wasm builds: their dependency
# prefix). Found packages are cached, so a new key starts a fresh CMake cache.
build_preset() {
  local preset=$1 dir=$root/build/$1 log key='' defines=() build_args=()
  shift
  while (($#)); do
    case $1 in
      --key) key=$2 ;;
      --define) defines+=("-D$2") ;;
      --target) build_args+=(--target "$2") ;;
      --jobs) build_args+=(-j "$2") ;;
      *) die "build_preset: unknown option $1" ;;
    esac
    shift 2
  done
  mkdir -p "$dir"
  log="$dir/build.log"
  local old_key
  old_key=$(cat "$dir/.configure-key" 2>/dev/null || true)
  if [[ ! -f $dir/build.ninja || $root/CMakePresets.json -nt $dir/CMakeCache.txt || $old_key != "$key" ]]; then
    say "configuring $preset"
    [[ $old_key == "$key" ]] || rm -f "$dir/CMakeCache.txt"
    (cd "$root" && cmake --preset "$preset" ${defines[@]+"${defines[@]}"} >"$log" 2>&1) ||
      { cat "$log" >&2; die "cmake --preset $preset failed"; }
    echo "$key" >"$dir/.configure-key"
  fi
  if ! (cd "$root" && cmake --build --preset "$preset" ${build_args[@]+"${build_args[@]}"} >"$log" 2>&1); then
    grep -E "error|Error" -A5 "$log" | head -60 >&2
    die "build of $preset failed (full log: $log)"
  fi
}

# True when scripts/deps MODE found everything installed since dpkg last changed anything (and
# since scripts/deps itself, whose lists may have grown): nothing to ask dpkg.
#   deps_fresh MODE
deps_fresh() {
  local stamp=$cache_dir/deps-$1.ok
  [[ -f $stamp && $stamp -nt /var/lib/dpkg/status && $stamp -nt $root/scripts/deps ]]
}

# Builds PRESET (as build_preset) unless nothing it is made of changed since its last
# successful build: the sources, the build files, the system's packages (dpkg's status).
# bash's own file tests, no process started: ~1 ms where cmake --build takes ~30 to say
# "no work to do". A file edited during a build is newer than the stamp taken before it.
#   build_if_changed PRESET
build_if_changed() {
  local preset=$1 stamp=$root/build/$1/.built
  if [[ -f $stamp && ! /var/lib/dpkg/status -nt $stamp ]] && ! newer_than "$stamp"; then
    return 0
  fi
  mkdir -p "$root/build/$preset"
  touch "$stamp.next"
  build_preset "$preset"
  mv "$stamp.next" "$stamp"
}

# True when a file or directory of the native build's sources is newer than FILE.
newer_than() {
  local file=$1 path found=1
  shopt -s globstar nullglob
  for path in "$root"/{app,lib,packaging}/** "$root"/assets/demo.flac "$root"/CMake{Lists.txt,Presets.json}; do
    [[ $path -nt $file ]] && { found=0; break; }
  done
  shopt -u globstar nullglob
  return $found
}

