// The web shell: wires the page (canvas, buttons, file picker, drag and drop, keys, status,
// playlist) to the player in the worker and the playback schedule. Nothing sounds and no
// AudioContext exists until the user clicks the canvas (or presses play or space): that click
// is "start". Keys and controls become the player's commands (the terminal's keys and steps,
// sent by the module with its 'ready' message); only pausing is the page's own (the output's).
//
// URL parameters: ?src=URL (a file to open instead of the demo), ?flavour=nothreads (the
// unthreaded module even where the threaded one could run; by default the engine's features
// decide, see flavour.js), ?block=FRAMES (frames per decoded block).
//
// Exports `page` (its state, playback, decoder client, open and flavour) for whoever imports
// this module: the browser tests inject hooks that do (web-shell/tests/hooks.js).
import { DecoderClient } from './decoder-client.js';
import { chooseFlavour } from './flavour.js';
import { Playback } from './playback.js';
import { WaveformView } from './waveform.js';

const DEMO = 'assets/demo.flac';
const params = new URLSearchParams(location.search);
const { flavour, reason: flavourReason } = chooseFlavour(params.get('flavour'));

const $ = (id) => document.getElementById(id);
const ui = {
  player: $('player'), canvas: $('view'), play: $('play'), time: $('time'), seek: $('seek'),
  file: $('file'), status: $('status'), title: $('title'), meta: $('meta'), engine: $('engine'),
  volume: $('volume'), playlist: $('playlist'),
};
const view = new WaveformView(ui.canvas);

const state = {
  phase: 'loading',     // loading | ready | playing | paused | ended | error
  message: 'Loading the decoder…',
  error: null,          // { title, detail } shown on the page
  info: null,           // of the track being heard
  name: null,           // its file name
  names: [],            // the playlist's file names
  track: null,          // the index of the track being heard
  failed: new Set(),    // tracks the player skipped
  keys: new Map(),      // KeyboardEvent.key → { command, value } (the module's table)
  seeking: false,
  workerHasWebAudio: null,
  moduleLoaded: false,  // the decoder module runs in the worker (its 'ready' message came)
};

// ---------------------------------------------------------------------------- decoder + playback
const client = new DecoderClient({
  flavour,
  blockFrames: Number(params.get('block')) || 0,
  onReady(message) {
    state.workerHasWebAudio = message.webAudioInWorker;
    state.moduleLoaded = true;
    state.keys = new Map(message.controls.keys.map((k) => [k.key, k]));
    ui.volume.max = String(Math.round(message.controls.max_volume * 100));
    if (flavour === 'threads' && !message.sharedMemory) console.warn('tonearm: the threads module has no shared memory');
    update();
  },
  onOpened(message) {
    state.names = message.names;
    state.error = null;
    playback.load(message.format, message.next, message.blockFrames);
    showTrack(message.next);
    showPlaylist();
  },
  onBlock: (block) => playback.receive(block),
  onEnd: (message) => playback.endOfStream(message),
  onJumped: (message) => playback.jumped(message.generation, message.next),
  onCommanded(message) {
    ui.volume.value = String(Math.round(message.volume * 100));
    playback.setVolume(message.volume);
  },
  onOverview(message) {
    if (message.track !== state.track) return;
    view.setPeaks(message.peaks, message.progress);
    state.overviewProgress = message.progress;
  },
  // The player skipped a track (it goes on with the next one).
  onTrackError(message) {
    const track = state.names.indexOf(message.file);
    if (track >= 0) state.failed.add(track);
    showPlaylist();
    const started = track >= 0 && track === state.track;   // it was playing (else it never opened)
    showError(started ? `Playback of ${message.file} stopped` : `Cannot play ${message.file}`, explain(message));
  },
  onError(message) {
    if (message.phase === 'open') {
      state.info = null;
      playback.unload();
      showError(`Cannot play ${state.name}`, explain(message));
    } else if (playback.decodeFailed(message)) {
      showError(`Playback of ${state.name} stopped`, explain(message));
    }
  },
  onFailure(message) {
    state.info = null;
    state.moduleLoaded = false;
    playback.unload();
    showError('The decoder stopped working', `${message}. Open a file to start it again.`);
  },
});

const playback = new Playback({ decoder: client, onChange: () => update() });

function explain({ kind, message }) {
  const reasons = {
    unsupported: 'this is not an audio format tonearm can decode',
    malformed: 'the file is damaged or not what its name says',
    truncated: 'the file ends before all of its audio',
    not_found: 'the file was not found',
    unreadable: 'the file could not be read',
    non_finite: 'the file decodes to invalid samples',
    out_of_memory: 'the file is too large for this page',
  };
  const reason = reasons[kind] || 'the decoder reported an error';
  return message ? `${reason} (${message})` : reason;
}

// ---------------------------------------------------------------------------- opening files
// A URL, or Files picked or dropped together (a playlist).
async function open(source) {
  const names = typeof source === 'string'
    ? [decodeURIComponent(new URL(source, location.href).pathname.split('/').pop() || source)]
    : source.map((file) => file.name);
  state.names = names;
  state.name = names[0] || 'file';
  state.track = null;
  state.failed = new Set();
  state.info = null;
  state.error = null;
  state.overviewProgress = 0;
  state.message = `Opening ${state.name}…`;
  view.clear();
  playback.unload();
  showInfo();
  showPlaylist();
  update();
  try {
    await client.open(source);
  } catch (e) {
    showError(`Cannot read ${state.name}`, e.message);
  }
}

function showInfo() {
  const info = state.info;
  ui.title.textContent = info?.tags?.title || state.name || 'tonearm';
  document.title = info ? `${ui.title.textContent} · tonearm` : 'tonearm';
  if (!info) {
    ui.meta.textContent = state.name && info === null && !state.error ? 'Opening…' : '';
    return;
  }
  const parts = [];
  if (info.tags?.artist) parts.push(info.tags.artist);
  parts.push(info.codec === info.container ? info.codec : `${info.codec} in ${info.container}`);
  parts.push(`${(info.sample_rate / 1000).toLocaleString('en', { maximumFractionDigits: 1 })} kHz`);
  if (info.bits_per_sample) parts.push(`${info.bits_per_sample}-bit`);
  parts.push(info.channels === 1 ? 'mono' : info.channels === 2 ? 'stereo' : `${info.channels} channels`);
  parts.push(clock(info.frames / info.sample_rate));
  ui.meta.textContent = parts.join(' · ');
}

// The track being heard changed (or a playlist opened): its name, tags and waveform.
function showTrack(heard) {
  if (!heard) return;
  const changed = heard.track !== state.track;
  state.track = heard.track;
  state.name = state.names[heard.track] || state.name;
  if (heard.info) state.info = heard.info;
  if (changed) {
    if (state.error && !state.failed.has(heard.track)) state.error = null;   // an earlier track's
    state.overviewProgress = 0;
    view.clear();
    client.overview(heard.track);
    showPlaylist();
  }
  showInfo();
  update();
}

// The list, shown for more than one file: the one heard marked, the skipped ones struck out.
function showPlaylist() {
  ui.playlist.hidden = state.names.length < 2;
  ui.playlist.replaceChildren(...state.names.map((name, i) => {
    const item = document.createElement('li');
    item.textContent = name;
    if (i === state.track) item.setAttribute('aria-current', 'true');
    if (state.failed.has(i)) item.className = 'failed';
    item.addEventListener('click', () => client.jump(i));
    return item;
  }));
}

function showError(title, detail) {
  state.error = { title, detail };
  showInfo();
  console.warn(`tonearm: ${title}: ${detail}`);
  update();
}

// ---------------------------------------------------------------------------- user actions
function startOrToggle() {
  try {
    playback.toggle();   // creates/resumes the AudioContext inside this gesture
  } catch (e) {
    showError('No audio output', e.message);
  }
  update();
}

// A player command (see player_controls.hpp), about what is heard now.
function command(kind, value = 0) {
  if (state.info) client.command(kind, value, playback.heard());
}

ui.canvas.addEventListener('click', startOrToggle);
ui.play.addEventListener('click', startOrToggle);
ui.file.addEventListener('change', () => {
  const files = [...(ui.file.files || [])];
  if (files.length) open(files);
  ui.file.value = '';
});
ui.seek.addEventListener('input', () => {
  state.seeking = true;
  if (state.info) ui.time.textContent = timeText(Number(ui.seek.value) / 1000 * duration());
});
ui.seek.addEventListener('change', () => {
  state.seeking = false;
  command('seek_to', Number(ui.seek.value) / 1000 * duration());
});
ui.volume.addEventListener('input', () => command('set_volume', Number(ui.volume.value) / 100));

// The module's keys. Pausing is the page's (it must happen inside the gesture, which may have
// to start the AudioContext); quitting means nothing in a page.
document.addEventListener('keydown', (event) => {
  if (event.altKey || event.ctrlKey || event.metaKey) return;
  if (event.target.closest?.('input, button, select, textarea')) return;
  const binding = state.keys.get(event.key);
  if (!binding || binding.command === 'quit') return;
  event.preventDefault();
  if (binding.command === 'toggle_pause') startOrToggle();
  else command(binding.command, binding.value);
});

for (const type of ['dragenter', 'dragover']) {
  document.addEventListener(type, (event) => {
    event.preventDefault();
    ui.player.classList.add('dropping');
  });
}
document.addEventListener('dragleave', (event) => {
  if (!event.relatedTarget) ui.player.classList.remove('dropping');
});
document.addEventListener('drop', (event) => {
  event.preventDefault();
  ui.player.classList.remove('dropping');
  const files = [...(event.dataTransfer?.files || [])];
  if (files.length) open(files);
});

// ---------------------------------------------------------------------------- rendering
function duration() {
  return state.info ? state.info.frames / state.info.sample_rate : 0;
}

function clock(seconds) {
  seconds = Math.max(0, seconds || 0);
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = Math.floor(seconds % 60);
  return h ? `${h}:${String(m).padStart(2, '0')}:${String(s).padStart(2, '0')}` : `${m}:${String(s).padStart(2, '0')}`;
}

function timeText(position) {
  return `${clock(position)} / ${clock(duration())}`;
}

// An error that ended playback (rather than one about a track the playlist went past).
function stoppedByError() {
  return Boolean(state.error) && (!state.info || playback.failed || playback.ended);
}

function phase() {
  if (stoppedByError()) return 'error';
  if (!state.info) return 'loading';
  if (playback.ended) return 'ended';
  // 'playing' only while it is heard (see playback.js): the context runs and has blocks.
  if (playback.playing) return playback.outputProblem ? 'no-output' : playback.sounding ? 'playing' : 'starting';
  return playback.started ? 'paused' : 'ready';
}

// The footer: which decoder module runs, and why not the threaded one.
function engineText() {
  const name = flavour === 'threads' ? 'threaded wasm decoder (shared memory)' : 'single-threaded wasm decoder';
  const why = flavourReason && flavourReason !== 'requested' ? ` · ${flavourReason}` : '';
  return `${state.moduleLoaded ? '' : 'loading the '}${name}${why}`;
}

let published = '';
function update() {
  state.phase = phase();
  const audio = playback.audioState();
  ui.player.dataset.phase = state.phase;
  ui.player.dataset.audio = audio;
  ui.player.dataset.flavour = flavour;
  // The button offers what a click does: pause while playing or starting, else play (which
  // also retries an output that did not start).
  const pausable = state.phase === 'playing' || state.phase === 'starting';
  ui.play.textContent = pausable ? '❚❚' : '▶';
  ui.play.setAttribute('aria-label', pausable ? 'Pause' : 'Play');
  ui.play.disabled = !state.info;
  ui.seek.disabled = !state.info;
  const engine = engineText();
  if (ui.engine.textContent !== engine) ui.engine.textContent = engine;

  let status;
  if (state.error) {
    status = `${state.error.title}: ${state.error.detail}`;
  } else if (!state.info) {
    status = state.message;
  } else {
    status = {
      ready: 'Ready. Click the waveform (or press space) to play.',
      starting: playback.ctx?.state === 'running' ? 'Buffering…' : 'Starting the audio output…',
      'no-output': `No sound: ${playback.outputProblem}. Click to try again.`,
      playing: 'Playing',
      paused: 'Paused',
      ended: 'Finished. Click to play again.',
    }[state.phase] || '';
  }
  if (ui.status.textContent !== status) ui.status.textContent = status;
  ui.status.classList.toggle('error', Boolean(state.error) || state.phase === 'no-output');

  // For tests and anyone curious: one console line per change (read without page.evaluate,
  // which would count as a user gesture), plus data-* attributes on #player.
  const snapshot = JSON.stringify({ phase: state.phase, audio, flavour, module: state.moduleLoaded,
    error: state.error ? status : null, problem: playback.outputProblem });
  if (snapshot !== published) {
    published = snapshot;
    console.debug(`tonearm:state ${snapshot}`);
  }
}

function frame() {
  const heard = playback.heard();
  if (heard && heard.track !== state.track) showTrack(heard);
  const position = heard?.seconds || 0;
  const total = duration();
  if (state.info && !state.seeking) {
    ui.seek.value = String(total > 0 ? Math.round((position / total) * 1000) : 0);
    const text = timeText(position);
    if (ui.time.textContent !== text) ui.time.textContent = text;
  }
  view.draw({
    fraction: total > 0 ? position / total : 0,
    level: playback.level(),
    prompt: state.info && !playback.started && !state.error ? '▶  Click to play' : null,
    message: state.error ? null : state.info ? 'Reading the waveform…' : state.message,
    error: stoppedByError() ? state.error.title : null,
  });
  if (playback.ended && state.phase !== 'ended') update();
  requestAnimationFrame(frame);
}

export const page = { state, playback, client, open, flavour };

update();
requestAnimationFrame(frame);
open(params.get('src') || DEMO);
