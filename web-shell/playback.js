// Playback: the AudioContext, the audio graph, and the schedule that plays the player's
// blocks back to back, sample-accurately. The player itself (the playlist, gapless joins,
// seeks, volume steps) is the library's, in the worker; this is its output, like a sound
// server's stream natively: it says what is heard, pauses (suspends the context) and sets
// the gain it is told to.
//
// - The AudioContext is made, suspended, as soon as a playlist is open, before any click:
//   making one opens the audio device and blocks the main thread for 60-350 ms (Chromium with
//   PulseAudio), while resuming a made one starts the clock within a few ms. It only runs
//   when the user's first click/key/button resumes it (play() is called from those handlers,
//   synchronously): browsers start audio only from a gesture, and the page never sounds
//   before one.
// - The context runs at the file's sample rate, so nothing resamples and blocks line up on
//   whole sample frames: a block that starts `n` frames into the schedule starts at context
//   frame originFrame + n, at time (originFrame + n) / sampleRate, computed from integers every
//   time (no drift from adding up float durations).
// - Exact frame times: Chromium starts a source at a sub-sample offset (and interpolates) when
//   when * sampleRate is not exactly an integer, which happens for ~14 % of frames k with
//   when = k / sampleRate (44100 has no exact binary inverse). Such an offset moves samples by
//   ~1e-15 — inaudible, but not bit-exact — so every block boundary is placed on a frame k
//   where (k / rate) * rate === k: the origin is chosen among such frames, and block sizes
//   are trimmed by a few frames so that each block ends on one.
// - The first block of a playlist (or of a jump while paused) is asked for before the click
//   and held, so a click only has to resume the context and schedule it LEAD ahead: nothing
//   is decoded, relayed or opened between the click and the first sample.
// - Flow control: only AHEAD seconds are scheduled ahead of the playhead, with at most
//   MAX_IN_FLIGHT block requests outstanding; a timer tops up as playback advances, so an
//   hour-long file never sits decoded in memory.
// - Pause is ctx.suspend(): the schedule stays valid because the context clock stops with it.
//   A jump (a seek, another track) drops the scheduled sources and starts a new schedule: the
//   worker's next "generation" of blocks. Each block says where segments begin in it (marks),
//   so what is heard maps back to a track and a time in it.
// - Honest state: `playing` is what the user asked for; `sounding` (the context is running and
//   blocks are scheduled in it) is what is heard. The context's statechange events drive it.
//   A context may never start — Firefox with no sound server leaves it 'suspended' with its
//   resume() promise pending and no event at all — so one watchdog per start turns "starting"
//   into a stated problem (`outputProblem`) after START_WATCHDOG_MS; the next play() retries.

// s between a first block's arrival and its start: even a suspended context's currentTime can
// trail the frame it resumes at by part of a render burst (204 frames seen in Chromium), and a
// first block started in the past plays late, overlapping the next one.
const LEAD = 0.02;
const AHEAD = 3;            // s of audio kept scheduled ahead of the playhead
const MAX_IN_FLIGHT = 3;    // block requests outstanding (the threads flavour has 4 slots)
const PUMP_MS = 200;
const START_WATCHDOG_MS = 3000;   // a context not running this long after play() is not starting

// Whether a source started at time k / rate starts exactly on frame k in Chromium.
export function exactFrame(k, rate) {
  return (k / rate) * rate === k;
}

// The first frame >= from where a schedule can start so that every planned boundary
// (from + each prefix sum of `sizes`) is exact.
function exactOrigin(from, sizes, rate) {
  for (let k = from; k < from + 4096; k++) {
    let at = k;
    let ok = exactFrame(at, rate);
    for (let i = 0; ok && i < sizes.length; i++) {
      at += sizes[i];
      ok = exactFrame(at, rate);
    }
    if (ok) return k;
  }
  return from;
}

export class Playback {
  constructor({ decoder, onChange }) {
    this.decoder = decoder;
    this.onChange = onChange || (() => {});
    this.ctx = null;
    this.started = false;     // play() has resumed this context (it is made before the click)
    this.format = null;       // { sample_rate, channels } of the player's blocks
    this.blockFrames = 16384;
    this.playing = false;     // the user wants sound
    this.endedPlaying = false;  // the playlist ended while playing (see finish())
    this.outputProblem = null;  // why the context does not run although playing (one line), or null
    this.watchdog = null;
    this.volume = 1;
    this.underruns = 0;       // blocks that came too late for their place (a gap was heard)
    this.timer = null;
    this.generation = 0;
    this.resetSchedule(0, null);
  }

  // A new schedule for blocks of `generation`, which begin with `next` ({ track, seconds, info }).
  resetSchedule(generation, next) {
    this.generation = generation;
    for (const s of this.sources || []) {
      s.onended = null;
      try { s.stop(); } catch { /* not started */ }
      s.disconnect();
    }
    this.sources = new Set();
    this.early?.release();
    this.early = null;             // the first block, held until there is a context to play it
    this.requests = [];            // frame counts asked of the decoder, in order, not yet answered
    this.next = next;              // what is heard until the first block plays
    this.marks = [];               // { at: frame of the schedule, track, frame, ratio, info }
    this.originFrame = null;       // context frame where the schedule starts (null: not yet)
    this.scheduledFrames = 0;
    this.decoderEnded = false;
    this.failed = false;
  }

  // A new playlist is open (at its start, `next`): forget the old schedule. Playback continues
  // if it was playing; another sample rate needs another context, which sticky activation (the
  // page was clicked before) lets start.
  load(format, next, blockFrames) {
    this.format = format;
    this.blockFrames = blockFrames;
    this.resetSchedule(0, next);
    if (this.endedPlaying) {
      this.play();   // in the sticky activation of the click that started the last playlist
      return;
    }
    const previous = this.ctx;
    this.prepareContext();   // ensureContext closes one at another rate
    if (this.playing && this.ctx && this.ctx !== previous) this.startOutput();   // sticky activation lets it start
    this.prefetch();
    this.changed();
    this.pump();
  }

  unload() {
    this.format = null;
    this.resetSchedule(this.generation, null);
    this.changed();
  }

  // The worker moved the audio: blocks of the new generation follow, from `next`.
  jumped(generation, next) {
    this.resetSchedule(generation, next);
    this.changed();
    if (this.playing) this.pump();
    else this.prefetch();
  }

  // Call from a user gesture: creates (or recreates, for a new sample rate) the context.
  ensureContext() {
    const rate = this.format?.sample_rate;
    if (this.ctx && (!rate || this.ctx.sampleRate === rate)) return this.ctx;
    if (this.ctx) this.closeContext();
    const Context = window.AudioContext || window.webkitAudioContext;
    if (!Context) throw new Error('this browser has no Web Audio');
    let ctx;
    try {
      ctx = rate ? new Context({ sampleRate: rate }) : new Context();
    } catch {
      ctx = new Context();  // a rate the browser refuses: it resamples each block instead
    }
    this.ctx = ctx;
    this.gain = ctx.createGain();
    this.gain.gain.value = this.volume;
    this.analyser = ctx.createAnalyser();
    this.analyser.fftSize = 2048;
    this.gain.connect(this.analyser);
    ctx.onstatechange = () => this.contextStateChanged(ctx);
    this.analyser.connect(ctx.destination);
    return ctx;
  }

  // Makes the context ahead of the click (see the top of this file), held suspended: where a
  // page's own script counts as a gesture (test harnesses) it would otherwise start at once.
  prepareContext() {
    try {
      const ctx = this.ensureContext();
      if (!this.playing) ctx.suspend().catch(() => {});
    } catch {
      // No Web Audio: play() says so, from the click.
    }
  }

  closeContext() {
    const ctx = this.ctx;
    this.resetSchedule(this.generation, this.heard());
    this.ctx = null;
    this.started = false;
    this.stopWatchdog();
    ctx.onstatechange = null;
    ctx.close().catch(() => {});
  }

  // Asks the context to run and watches that it does (see the top of this file).
  startOutput() {
    const ctx = this.ctx;
    this.outputProblem = null;
    ctx.resume().catch((e) => this.outputFailed(ctx, `the browser refused to start audio output (${e.message || e})`));
    this.stopWatchdog();
    if (ctx.state === 'running') return;
    this.watchdog = setTimeout(() => {
      this.watchdog = null;
      this.outputFailed(ctx, 'the browser has not started audio output (is there a sound device or server?)');
    }, START_WATCHDOG_MS);
  }

  stopWatchdog() {
    clearTimeout(this.watchdog);
    this.watchdog = null;
  }

  outputFailed(ctx, problem) {
    if (ctx !== this.ctx || !this.playing || ctx.state === 'running') return;
    this.outputProblem = problem;
    this.changed();
  }

  contextStateChanged(ctx) {
    if (ctx !== this.ctx) return;
    if (ctx.state === 'running') {
      this.stopWatchdog();
      this.outputProblem = null;
    } else if (this.playing && ctx.state === 'interrupted') {
      this.outputProblem = 'audio output was interrupted by the system';   // Safari: a call, another app
    } else if (this.playing && ctx.state === 'closed') {
      this.outputProblem = 'the browser closed the audio output';
    }
    this.changed();
  }

  // What is heard: the user asked for sound, the context runs, and blocks are scheduled in it.
  get sounding() {
    return this.playing && this.ctx?.state === 'running' && this.sources.size > 0;
  }

  // Starts or resumes. Call from a user gesture (it may create the context).
  play() {
    this.ensureContext();
    this.started = true;
    if (this.ended) this.decoder.jump(0);   // from the start: blocks follow the jump
    this.playing = true;
    this.endedPlaying = false;
    if (this.early) {
      const block = this.early;
      this.early = null;
      this.receive(block);
    }
    this.startOutput();
    this.startTimer();
    this.changed();
    this.pump();
  }

  pause() {
    this.playing = false;
    this.endedPlaying = false;
    this.outputProblem = null;
    this.stopWatchdog();
    this.ctx?.suspend().catch(() => {});
    this.stopTimer();
    this.changed();
  }

  // The end of the playlist: a pause at its last frame, but not one the user asked for, so a
  // playlist opened next plays at once (as one opened while playing does).
  finish() {
    this.pause();
    this.endedPlaying = true;
  }

  // A click while the output failed to start tries again (inside this new gesture).
  toggle() {
    if (this.playing && !this.outputProblem) this.pause();
    else this.play();
  }

  setVolume(volume) {
    this.volume = volume;
    if (this.gain) this.gain.gain.value = volume;
  }

  get ended() {
    return this.decoderEnded && this.originFrame !== null && this.sources.size === 0 && this.requests.length === 0;
  }

  // What is being heard: { track, seconds into it, info of it } (null before a playlist opens).
  heard() {
    if (!this.ctx || this.originFrame === null || !this.marks.length) return this.next;
    const played = Math.round(this.ctx.currentTime * this.ctx.sampleRate) - this.originFrame;
    const at = Math.max(0, Math.min(this.scheduledFrames, played));
    let i = this.marks.length - 1;
    while (i > 0 && this.marks[i].at > at) i--;
    if (i > 0) this.marks.splice(0, i);   // marks before the one heard are done with
    const mark = this.marks[0];
    if (mark.at > at) return this.next;
    const rate = mark.info?.sample_rate || this.format.sample_rate;
    const frame = Math.min(mark.frame + (at - mark.at) * mark.ratio, mark.info?.frames ?? Infinity);
    return { track: mark.track, seconds: frame / rate, info: mark.info };
  }

  // Seconds into the track being heard.
  position() {
    return this.heard()?.seconds || 0;
  }

  aheadSeconds() {
    if (!this.ctx || this.originFrame === null) return 0;
    return (this.originFrame + this.scheduledFrames) / this.ctx.sampleRate - this.ctx.currentTime;
  }

  // Asks for the first block while not playing (see the top of this file).
  prefetch() {
    if (!this.format || this.requests.length || this.scheduledFrames || this.decoderEnded || this.failed) return;
    this.requests.push(this.blockFrames);
    this.decoder.read(this.generation, this.blockFrames);
  }

  // Requests blocks until AHEAD seconds are scheduled or requested.
  pump() {
    if (!this.playing || !this.ctx || !this.format || this.decoderEnded || this.failed) return;
    const rate = this.ctx.sampleRate;
    const blockSeconds = this.blockFrames / this.format.sample_rate;
    while (this.requests.length < MAX_IN_FLIGHT && this.aheadSeconds() + this.requests.length * blockSeconds < AHEAD) {
      let frames = this.blockFrames;
      if (this.originFrame !== null) {
        // Trim the block so that it ends on an exact frame (see the top of this file).
        let end = this.originFrame + this.scheduledFrames + this.requests.reduce((a, b) => a + b, 0);
        for (let n = frames; n > frames - 64 && n > 1; n--) {
          if (exactFrame(end + n, rate)) { frames = n; break; }
        }
      }
      this.requests.push(frames);
      this.decoder.read(this.generation, frames);
    }
  }

  // A block arrived: copy it once into an AudioBuffer and schedule it.
  receive(block) {
    if (block.generation !== this.generation) {
      block.release();   // from before a jump or a new playlist
      return;
    }
    if (!this.ctx || (!this.playing && this.originFrame === null)) {
      this.early = block;   // prefetched: played by the click that starts the context
      return;
    }
    const ctx = this.ctx;
    const rate = ctx.sampleRate;
    const buffer = new AudioBuffer({ length: block.frames, numberOfChannels: block.channels, sampleRate: this.format.sample_rate });
    block.copyInto(buffer);
    const now = Math.ceil(ctx.currentTime * rate);
    if (this.originFrame === null) {
      this.originFrame = exactOrigin(now + Math.round(LEAD * rate), this.requests, rate);
    }
    this.requests.shift();
    let startFrame = this.originFrame + this.scheduledFrames;
    if (startFrame < now + 128) {
      // Underrun: the block is late. Shift the schedule (a gap, but never an overlap).
      this.underruns++;
      startFrame = exactOrigin(now + Math.round(LEAD * rate), [block.frames, ...this.requests], rate);
      this.originFrame = startFrame - this.scheduledFrames;
    }
    const source = ctx.createBufferSource();
    source.buffer = buffer;
    source.connect(this.gain);
    source.onended = () => {
      this.sources.delete(source);
      source.disconnect();
      if (this.ended) this.finish();
      else if (this.sources.size === 0) this.changed();   // nothing scheduled: not sounding
    };
    source.start(startFrame / rate);
    this.sources.add(source);
    for (const mark of block.marks) this.marks.push({ ...mark, at: this.scheduledFrames + mark.offset });
    if (this.sources.size === 1) this.changed();   // sound is scheduled again
    this.scheduledFrames += block.frames;
    this.pump();
  }

  endOfStream(message) {
    if (message.generation !== this.generation) return;
    this.requests.shift();
    this.decoderEnded = true;
    if (this.originFrame === null) this.originFrame = Math.ceil((this.ctx?.currentTime || 0) * (this.ctx?.sampleRate || 1));
    if (this.ended && this.playing) this.finish();
  }

  // Returns whether the error is news (not from before a seek, not a repeat).
  decodeFailed(message) {
    if (message.generation !== undefined && message.generation !== this.generation) return false;
    if (this.failed) return false;
    this.failed = true;   // what is scheduled still plays
    this.requests = [];
    return true;
  }

  startTimer() {
    if (!this.timer) this.timer = setInterval(() => this.pump(), PUMP_MS);
  }

  stopTimer() {
    clearInterval(this.timer);
    this.timer = null;
  }

  // Peak level (0..1) of what is playing now, for the meter.
  level() {
    if (!this.analyser || !this.ctx || this.ctx.state !== 'running') return 0;
    if (!this.levelData) this.levelData = new Float32Array(this.analyser.fftSize);
    this.analyser.getFloatTimeDomainData(this.levelData);
    let peak = 0;
    for (const v of this.levelData) peak = Math.max(peak, Math.abs(v));
    return peak;
  }

  audioState() {
    return this.ctx ? this.ctx.state : 'none';
  }

  changed() {
    this.onChange(this);
  }
}
