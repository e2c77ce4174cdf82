// The decoder: a dedicated Worker that runs tonearm's wasm module and decodes one file at a
// time in blocks for the page. It never touches Web Audio — AudioContext and AudioBuffer do
// not exist in workers — it only makes planar float blocks and hands them over:
//   threads flavour:   the block stays in one of a few fixed slots in wasm memory, which is a
//                      SharedArrayBuffer; the page copies it out and sends the slot back.
//   nothreads flavour: the block is copied into a fresh ArrayBuffer that is transferred
//                      (moved, not copied) to the page, which then owns it.
// A classic worker script (not a module): Emscripten 3.1.6's MODULARIZE output is loaded with
// importScripts, the way its own pthread workers load it.
'use strict';

const params = new URL(self.location.href).searchParams;
const flavour = params.get('flavour') === 'threads' ? 'threads' : 'nothreads';
const SLOTS = 4;                       // threads: blocks that may be in flight at once
const OVERVIEW_BINS = 1024;            // waveform columns
const OVERVIEW_SLICE_MS = 8;           // the waveform scan yields to block requests this often
const requestedBlockFrames = Number(params.get('block')) || 16384;  // frames per block

let tonearm = null;        // the Emscripten module of the open playlist (see openEntries)
let stream = null;         // the open playlist: see openEntries()
let openSeq = 0;           // the newest open request; older ones are abandoned
let fetchAbort = null;

function post(message, transfer) {
  self.postMessage(message, transfer || []);
}

function cString(ptr) {
  return ptr ? tonearm.UTF8ToString(ptr) : '';
}

function lastError(m = tonearm) {
  return { kind: m.UTF8ToString(m._ta_error_kind()) || 'internal', message: m.UTF8ToString(m._ta_error_message()) };
}

// ----------------------------------------------------------------------- reading the file
// The decoder never holds a file: it asks for slices (Module.readSource, tonearm_web.cpp) and
// a reader here fetches them, from a picked File or from a server answering Range requests.
// Readers: { size, read(offset, count) → Uint8Array }; they may throw.

// A File or Blob. FileReaderSync exists only in workers: the decoder asks synchronously.
function blobReader(blob) {
  const files = new FileReaderSync();
  return { size: blob.size, read: (offset, count) => new Uint8Array(files.readAsArrayBuffer(blob.slice(offset, offset + count))) };
}

// A URL whose server answers Range requests, read with synchronous requests (workers only).
function rangeReader(url, size) {
  return {
    size,
    read(offset, count) {
      const request = new XMLHttpRequest();
      request.open('GET', url, false);
      request.responseType = 'arraybuffer';
      request.setRequestHeader('Range', `bytes=${offset}-${offset + count - 1}`);
      request.send();
      if (request.status !== 206) throw new Error(`${url}: HTTP ${request.status} for a range`);
      return new Uint8Array(request.response);
    },
  };
}

// What to read for a URL: its ranges when the server serves them (a one-byte request says so
// and gives the size), else the whole body, which the browser keeps as a Blob (not in wasm).
async function urlReader(url, signal) {
  const response = await fetch(url, { signal, headers: { Range: 'bytes=0-0' } });
  if (!response.ok) {
    throw Object.assign(new Error(`${url}: HTTP ${response.status} ${response.statusText}`.trim()),
                        { kind: response.status === 404 ? 'not_found' : 'unreadable' });
  }
  const total = /\/(\d+)$/.exec(response.headers.get('Content-Range') || '');
  if (response.status === 206 && total) {
    await response.body?.cancel();
    return rangeReader(url, Number(total[1]));
  }
  if (response.status === 206) return blobReader(await (await fetch(url, { signal })).blob());
  return blobReader(await response.blob());
}

const sources = new Map();   // source number (what the module asks for) → reader
let nextSource = 1;

// Module m's way to the readers (see tonearm_web.cpp): copies, never throws.
function installReader(m) {
  m.readSource = (source, offset, ptr, count) => {
    const reader = sources.get(source);
    try {
      const bytes = reader.read(offset, count);
      m.HEAPU8.set(bytes, ptr);
      return bytes.length;
    } catch (e) {
      reader.error = e;   // the decoder sees a short read and says what it makes of it
      return 0;
    }
  };
  return m;
}

// Opens a decoder in module m on `reader`; returns { handle, source } or throws.
function openHandle(m, reader, name) {
  const source = nextSource++;
  sources.set(source, reader);
  const nameBytes = m.lengthBytesUTF8(name) + 1;
  const namePtr = m._malloc(nameBytes);
  m.stringToUTF8(name, namePtr, nameBytes);
  const handle = m._ta_open_source(source, reader.size, namePtr);
  m._free(namePtr);
  if (!handle) {
    const e = readerError({ source }) || lastError(m);
    sources.delete(source);
    throw Object.assign(new Error(e.message), e);
  }
  return { handle, source };
}

function closeHandle(m, opened) {
  m._ta_close(opened.handle);
  sources.delete(opened.source);
}

// The modules (web-shell/module/CMakeLists.txt), each loaded the first time a playlist needs it
// and kept: the default one reads what libsndfile reads but Ogg Vorbis and Opus; the Ogg one is
// the same with those two (libvorbis and libopus would add 44 % to the default module), so it
// reads all the default one does; the FFmpeg one reads only what FFmpeg's part adds (AAC/ALAC in
// M4A, ADTS, WebM, WMA). Each one's factory is named by its script.
const MODULES = {
  default: { script: `tonearm-${flavour}.js`, factory: () => createTonearm },
  ogg: { script: `tonearm-${flavour}-ogg.js`, factory: () => createTonearmOgg },
  ffmpeg: { script: `tonearm-${flavour}-ffmpeg.js`, factory: () => createTonearmFfmpeg },
};
const loadedModules = {};
function loadModule(name) {
  if (!loadedModules[name]) {
    importScripts(MODULES[name].script);
    // A copy of the options: an Emscripten factory makes the object it is given the module, so
    // two modules given one object would share it, and the second's exports replace the first's.
    loadedModules[name] = MODULES[name].factory()({ ...moduleOptions })
      .then((m) => Object.assign(installReader(m), { moduleName: name }));
  }
  return loadedModules[name];
}

// The modules to try for these readers, in order: a playlist with an Ogg stream in it (the file
// starts "OggS") goes to the Ogg module, which plays the rest of it too; any other to the
// default one. What the first calls unsupported throughout goes to FFmpeg's.
function modulesFor(readers) {
  const ogg = readers.some((reader) => {
    try {
      return String.fromCharCode(...reader.read(0, 4)) === 'OggS';
    } catch {
      return false;   // the decoder will say what is wrong with it
    }
  });
  return ogg ? ['ogg', 'ffmpeg'] : ['default', 'ffmpeg'];
}

// open(m) in the first of `names`' modules that does not call the input unsupported throughout
// (`unsupported(error)`); when none reads it, the first module's error stands.
async function openInModules(names, open, unsupported) {
  let first = null;
  for (const name of names) {
    try {
      return open(await loadModule(name));
    } catch (e) {
      if (!unsupported(e)) throw e;
      first ??= e;
    }
  }
  throw first;
}

// ----------------------------------------------------------------------- the player
// The library's player (PlayerCore, in the module: tonearm_web.cpp) plays the picked files as
// one playlist, gaplessly, and answers the page's commands with the terminal's steps. This
// worker only feeds it readers and hands its blocks over; a block says where in it each
// segment (a track, or the audio after a jump) begins, which is all the page needs to know.

// Calls `fn` with `text` as a C string in module m.
function withCString(m, text, fn) {
  const bytes = m.lengthBytesUTF8(text) + 1;
  const ptr = m._malloc(bytes);
  m.stringToUTF8(text, ptr, bytes);
  try { return fn(ptr); } finally { m._free(ptr); }
}

function json(m, ptr) {
  if (!ptr) { const e = lastError(m); throw Object.assign(new Error(e.message), e); }
  return JSON.parse(m.UTF8ToString(ptr));
}

// A player in module m over `entries` ([{ reader, name }]): { m, player, tracks, next } or throws
// the first track's error, with `errors` (every track's) when none could be opened.
function openPlayer(m, entries) {
  const player = m._ta_player_new();
  const tracks = entries.map(({ reader, name }) => {
    const source = nextSource++;
    sources.set(source, reader);
    withCString(m, name, (ptr) => m._ta_player_add(player, source, reader.size, ptr));
    return { reader, name, source };
  });
  const opened = m._ta_player_open(player);
  if (!opened) {
    const errors = json(m, m._ta_player_errors_json(player, 0));
    const cause = readerError(tracks[0]) || errors[0] || lastError(m);
    closePlayer({ m, player, tracks });
    throw Object.assign(new Error(cause.message), cause, { errors });
  }
  return { m, player, tracks, next: json(m, opened) };
}

function closePlayer({ m, player, tracks }) {
  m._ta_player_close(player);
  for (const track of tracks) sources.delete(track.source);
}

// The player of the first module that reads any of the files (modulesFor).
function openPlayerInModules(entries) {
  return openInModules(modulesFor(entries.map((e) => e.reader)), (m) => openPlayer(m, entries),
    (e) => e.errors?.length && e.errors.every((x) => x.kind === 'unsupported'));
}

function closeStream() {
  if (!stream) return;
  stopOverview(stream);
  closePlayer(stream);
  for (const slot of stream.slots) stream.m._free(slot.ptr);
  stream = null;
}

async function openEntries(id, entries) {
  closeStream();
  const opened = await openPlayerInModules(entries);
  if (id !== openSeq) {   // a newer open came while a module loaded
    closePlayer(opened);
    return;
  }
  const m = opened.m;
  tonearm = m;
  const { sample_rate, channels, ...next } = opened.next;
  const blockFrames = Math.max(64, Math.min(requestedBlockFrames, 1 << 20)) | 0;
  const slots = [];
  const slotCount = flavour === 'threads' ? SLOTS : 1;
  for (let i = 0; i < slotCount; i++) {
    const ptr = m._malloc(blockFrames * channels * 4);
    if (!ptr) throw Object.assign(new Error('not enough memory for the decode buffers'), { kind: 'out_of_memory' });
    slots.push({ ptr, free: true });
  }
  stream = { id, ...opened, format: { sample_rate, channels }, blockFrames, slots, generation: 0, waiting: [],
    postedMemory: null, scan: null, errorsSeen: 0 };
  post({ type: 'opened', id, format: stream.format, next, names: entries.map((e) => e.name), flavour, blockFrames,
    module: m.moduleName });
  postTrackErrors(stream);
}

// Why the reader behind a track failed, if it did (the decoder only saw a short read).
function readerError(track) {
  const e = sources.get(track.source)?.error;
  return e && { kind: e.kind || 'unreadable', message: `cannot read the file: ${e.message || e}` };
}

function fail(id, phase, error, generation) {
  post({ type: 'error', id, phase, generation, kind: error.kind || 'internal', message: error.message || String(error) });
}

// Tracks the player skipped since the last call (it goes on with the next one).
function postTrackErrors(s) {
  const errors = json(s.m, s.m._ta_player_errors_json(s.player, s.errorsSeen));
  s.errorsSeen += errors.length;
  for (const e of errors) post({ type: 'trackError', id: s.id, ...e });
}

// One block of up to `wanted` frames of the current generation (blocks asked for before a jump
// are not made): render into a free slot and hand it to the page.
function readBlock(generation, wanted) {
  const s = stream;
  if (generation !== s.generation) return;
  const slot = s.slots.find((x) => x.free);
  if (!slot) { s.waiting.push({ generation, wanted }); return; }   // threads: wait for a release
  const m = s.m;
  const capacity = Math.max(1, Math.min(s.blockFrames, wanted || s.blockFrames));
  const frames = m._ta_player_render(s.player, slot.ptr, capacity);
  postTrackErrors(s);
  if (frames < 0) { fail(s.id, 'decode', lastError(m), generation); return; }
  if (frames === 0) { post({ type: 'end', id: s.id, generation }); return; }
  const channels = s.format.channels;
  const marks = json(m, m._ta_player_marks_json(s.player));
  const message = { type: 'block', id: s.id, generation, frames, channels, marks };
  if (flavour === 'threads') {
    slot.free = false;
    message.slot = s.slots.indexOf(slot);
    message.byteOffset = slot.ptr;
    // Memory growth replaces the SharedArrayBuffer object: send the current one when it changes.
    const memory = m.HEAPU8.buffer;
    if (memory !== s.postedMemory) { message.memory = memory; s.postedMemory = memory; }
    post(message);
  } else {
    const owned = new Float32Array(frames * channels);
    owned.set(m.HEAPF32.subarray(slot.ptr >> 2, (slot.ptr >> 2) + frames * channels));
    message.buffer = owned.buffer;
    post(message, [owned.buffer]);
  }
}

// The audio jumped (a seek, another track): what was rendered before is the page's to drop.
function jumped(s, requestId, result) {
  s.generation++;
  s.waiting = [];
  post({ type: 'jumped', id: s.id, requestId, generation: s.generation, next: result });
}

// The waveform of one track: a decoder of its own on the track's reader scans it in short
// slices between block requests (a streaming pass: nothing is held but the peaks).
function startOverview(s, track) {
  stopOverview(s);
  const m = s.m;
  const { reader, name } = s.tracks[track];
  let opened;
  try {
    opened = openHandle(m, reader, name);
  } catch (e) {
    return;  // the page still plays; the waveform stays empty
  }
  const info = JSON.parse(m.UTF8ToString(m._ta_info_json(opened.handle)));
  const frames = Math.max(1, info.frames);
  const ptr = m._malloc(s.blockFrames * info.channels * 4);
  const scan = { track, opened, ptr, peaks: new Float32Array(OVERVIEW_BINS), done: 0, lastPost: 0 };
  s.scan = scan;
  const step = () => {
    if (stream !== s || s.scan !== scan) return;
    const until = performance.now() + OVERVIEW_SLICE_MS;
    const channels = info.channels;
    let finished = false;
    while (performance.now() < until) {
      const n = m._ta_read(opened.handle, ptr, s.blockFrames);
      if (n <= 0) { finished = true; break; }
      const heap = m.HEAPF32;
      const base = ptr >> 2;
      for (let c = 0; c < channels; c++) {
        const from = base + c * n;
        let f = scan.done;
        for (let i = 0; i < n; i++, f++) {
          const bin = Math.min(OVERVIEW_BINS - 1, Math.floor((f * OVERVIEW_BINS) / frames));
          const v = Math.abs(heap[from + i]);
          if (v > scan.peaks[bin]) scan.peaks[bin] = v;
        }
      }
      scan.done += n;
    }
    const now = performance.now();
    if (finished || now - scan.lastPost > 100) {
      scan.lastPost = now;
      post({ type: 'overview', id: s.id, track, peaks: scan.peaks.slice(), progress: finished ? 1 : Math.min(1, scan.done / frames) });
    }
    if (finished) stopOverview(s);
    else setTimeout(step, 0);
  };
  setTimeout(step, 0);
}

function stopOverview(s) {
  if (!s.scan) return;
  closeHandle(s.m, s.scan.opened);
  s.m._free(s.scan.ptr);
  s.scan = null;
}

// Opens what the page picked (several Files: a playlist) or a URL.
async function open(message) {
  const id = message.id;
  openSeq = id;
  if (fetchAbort) fetchAbort.abort();
  fetchAbort = null;
  closeStream();
  try {
    let entries;
    if (message.files) {
      entries = message.files.map((file) => ({ reader: blobReader(file), name: file.name || 'file' }));
    } else {
      fetchAbort = new AbortController();
      let reader;
      try {
        reader = await urlReader(message.url, fetchAbort.signal);
      } catch (e) {
        if (id !== openSeq) return;
        throw e.kind ? e : Object.assign(new Error(`${message.url}: cannot fetch (${e.message})`), { kind: 'unreadable' });
      }
      if (id !== openSeq) return;
      entries = [{ reader, name: decodeURIComponent(new URL(message.url, self.location.href).pathname.split('/').pop()) }];
    }
    await ready;
    if (id !== openSeq) return;
    await openEntries(id, entries);
  } catch (e) {
    if (id === openSeq) fail(id, 'open', e);
  }
}

// The current stream, if `message` is about it.
function current(message) {
  return stream && message.id === stream.id ? stream : null;
}

const handlers = {
  open,
  read(message) {
    const s = current(message);
    if (!s) return;
    try { readBlock(message.generation, message.frames); } catch (e) { fail(s.id, 'decode', e, message.generation); }
  },
  release(message) {
    const s = current(message);
    if (!s) return;
    const slot = s.slots[message.slot];
    if (slot) slot.free = true;
    if (s.waiting.length) handlers.read({ id: s.id, ...s.waiting.shift() });
  },
  // A key or control: { kind, value } (player_controls.hpp's commands) while the page hears
  // `seconds` into `track`. Answered with a 'commanded' message: the volume and pause state to
  // apply, and a 'jumped' one first when the audio moved.
  command(message) {
    const s = current(message);
    if (!s) return;
    try {
      const result = withCString(s.m, message.kind, (kind) =>
        json(s.m, s.m._ta_player_command(s.player, kind, message.value || 0, message.track, message.seconds)));
      if (result.jumped) jumped(s, message.requestId, result);
      post({ type: 'commanded', id: s.id, requestId: message.requestId, volume: result.volume, paused: result.paused });
    } catch (e) {
      fail(s.id, 'command', e, s.generation);
    }
  },
  // Plays track `track` from its start (a pick from the list; track 0 after the end).
  jump(message) {
    const s = current(message);
    if (!s) return;
    try {
      jumped(s, message.requestId, json(s.m, s.m._ta_player_jump(s.player, message.track)));
    } catch (e) {
      fail(s.id, 'command', e, s.generation);
    }
  },
  overview(message) {
    const s = current(message);
    if (s && s.scan?.track !== message.track) startOverview(s, message.track);
  },
  close() {
    openSeq++;
    closeStream();
  },
};

// Whether the module's memory is shared, and which Web Audio names exist here (none should:
// AudioContext and AudioBuffer are not exposed to workers).
function workerFacts() {
  return {
    sharedMemory: typeof SharedArrayBuffer !== 'undefined' && tonearm.HEAPU8.buffer instanceof SharedArrayBuffer,
    webAudio: [typeof AudioContext, typeof webkitAudioContext, typeof OfflineAudioContext, typeof AudioBuffer],
  };
}

// Anything that escapes (Emscripten's abort() also rejects promises of its own) is reported to
// the page as a failure of the decoder, never left as an uncaught error.
self.onunhandledrejection = (event) => {
  event.preventDefault();
  const reason = event.reason;
  post({ type: 'fatal', message: `the decoder failed: ${reason && reason.message || reason}` });
};

self.onmessage = (event) => {
  const handler = handlers[event.data && event.data.type];
  if (handler) handler(event.data);
};

// Load the module last, so that messages queued meanwhile wait for it (open awaits `ready`).
const moduleOptions = {
  locateFile: (path) => new URL(path, self.location.href).href,
  print: (text) => console.log(text),
  printErr: (text) => console.debug(text),  // libsndfile's chatter, not page errors
};
const ready = loadModule('default').then((module) => {
  tonearm = module;
  const facts = workerFacts();
  post({ type: 'ready', flavour, sharedMemory: facts.sharedMemory, webAudioInWorker: facts.webAudio.some((t) => t !== 'undefined'),
    controls: JSON.parse(module.UTF8ToString(module._ta_controls_json())) });
}, (error) => {
  // Reported to the page, which shows it and starts a new worker for the next file.
  post({ type: 'fatal', message: `the ${flavour} decoder module failed to load: ${error && error.message || error}` });
});
