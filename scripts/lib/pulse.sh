# A private PulseAudio server for scripts that play for real (scripts/bench, scripts/soak).
# Source it after common.sh with $rate set, then call start_pulse. Its own runtime dir, home
# and socket, so nothing touches a user's real sound server; a null sink stands in for the
# sound card. The EXIT trap set here kills it (and what else it started) whatever happens.
pulse_dir=$(mktemp -d "${TMPDIR:-/tmp}/tonearm-pulse.XXXXXX")
keeper_pid="" reader_pid="" pipe_module=""
original_home=$HOME
cleanup() {
  set +e
  [[ -n $keeper_pid ]] && kill "$keeper_pid" 2>/dev/null
  [[ -n $reader_pid ]] && kill "$reader_pid" 2>/dev/null
  if [[ -S $pulse_dir/runtime/pulse/native ]]; then
    pulseaudio --kill 2>/dev/null
    for _ in $(seq 100); do [[ -e $pulse_dir/runtime/pulse/pid ]] || break; sleep 0.05; done
  fi
  wait 2>/dev/null
  rm -rf "$pulse_dir"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

start_pulse() {
  mkdir -p "$pulse_dir/runtime" "$pulse_dir/home"
  chmod 700 "$pulse_dir/runtime"
  export XDG_RUNTIME_DIR=$pulse_dir/runtime HOME=$pulse_dir/home
  export PULSE_SERVER=unix:$pulse_dir/runtime/pulse/native
  export SDL_AUDIODRIVER=pulse  # ffplay: SDL tries ALSA first otherwise
  pulseaudio --daemonize=yes --exit-idle-time=-1 -n --log-target="file:$pulse_dir/pulse.log" \
    --load=module-native-protocol-unix \
    --load="module-null-sink sink_name=capture format=float32le rate=$rate channels=2" \
    --load=module-always-sink 2>>"$pulse_dir/pulse.log" || die "pulseaudio did not start: $(tail -3 "$pulse_dir/pulse.log")"
  for _ in $(seq 100); do pactl info >/dev/null 2>&1 && break; sleep 0.05; done
  pactl info >/dev/null || die "pulseaudio does not answer"
  # A silent stream at 10 ms keeps the null sink running at a low latency. An idle null sink
  # sleeps with a huge latency and holds a joining stream back by up to ~0.7 s, which would
  # land on whichever player happens to start first.
  pacat --raw --latency-msec=10 --format=float32le --rate="$rate" --channels=2 /dev/zero &
  keeper_pid=$!
  sleep 0.3
}

# module-pipe-sink is not clocked: it renders as fast as its FIFO is read. A discarding
# reader lets a 60-minute file "play" in a minute or two (for peak RSS, not for timing).
pipe_sink_on() {
  pipe_module=$(pactl load-module module-pipe-sink file="$pulse_dir/pipe" sink_name=pipe \
    format=float32le rate="$rate" channels=2)
  cat "$pulse_dir/pipe" >/dev/null &
  reader_pid=$!
  pactl set-default-sink pipe
}
pipe_sink_off() {
  pactl set-default-sink capture
  pactl unload-module "$pipe_module"
  kill "$reader_pid" 2>/dev/null || true
  wait "$reader_pid" 2>/dev/null || true
  reader_pid=""
}

