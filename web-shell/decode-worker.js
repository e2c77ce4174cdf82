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
const OVERVIEW_MAX_BYTES = 256 << 20;  // larger files get no up-front waveform (a second copy)
const requestedBlockFrames = Number(params.get('block')) || 16384;  // frames per block

let tonearm = null;        // the Emscripten module of the open file (see openWithFallback)
let stream = null;         // the open file: see openBytes()
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

// Copies a file into module m's memory and opens a decoder on it; returns a handle or throws.
function openHandle(m, bytes, name) {
  const ptr = m._ta_bytes(bytes.byteLength);
  if (!ptr) throw Object.assign(new Error(lastError(m).message), lastError(m));
  m.HEAPU8.set(new Uint8Array(bytes), ptr);
  const nameBytes = m.lengthBytesUTF8(name) + 1;
  const namePtr = m._malloc(nameBytes);
  m.stringToUTF8(name, namePtr, nameBytes);
  const handle = m._ta_open(namePtr);
  m._free(namePtr);
  if (!handle) {
    const e = lastError(m);
    throw Object.assign(new Error(e.message), e);
  }
  return handle;
}

// The module for the formats only FFmpeg reads (AAC/ALAC in M4A, ADTS, WebM, WMA), with the
// FFmpeg backend alone: loaded the first time a file needs it, since FFmpeg's part would add
// 70 % to the default module. Both stay loaded; each file goes to the one that reads it.
let defaultModule = null;
let ffmpegModule = null;
function loadFfmpegModule() {
  if (!ffmpegModule) {
    importScripts(`tonearm-${flavour}-ffmpeg.js`);
    // A copy of the options: an Emscripten factory makes the object it is given the module, so
    // two modules given one object would share it, and the second's exports replace the first's.
    ffmpegModule = createTonearmFfmpeg({ ...moduleOptions }).then((m) => Object.assign(m, { ffmpeg: true }));
  }
  return ffmpegModule;
}

// Opens with the default module or, for a format it does not know, with the FFmpeg module:
// { m, handle }. When neither reads the file, the default module's error stands.
async function openWithFallback(bytes, name) {
  try {
    return { m: defaultModule, handle: openHandle(defaultModule, bytes, name) };
  } catch (e) {
    if (e.kind !== 'unsupported') throw e;
    const ffmpeg = await loadFfmpegModule();
    try {
      return { m: ffmpeg, handle: openHandle(ffmpeg, bytes, name) };
    } catch (f) {
      throw f.kind === 'unsupported' ? e : f;
    }
  }
}

function closeStream() {
  if (!stream) return;
  tonearm._ta_close(stream.handle);
  if (stream.scan) {
    tonearm._ta_close(stream.scan.handle);
    tonearm._free(stream.scan.ptr);
  }
  for (const slot of stream.slots) tonearm._free(slot.ptr);
  stream = null;
}

async function openBytes(id, bytes, name) {
  closeStream();
  const opened = await openWithFallback(bytes, name);
  if (id !== openSeq) {   // a newer open came while the FFmpeg module loaded
    opened.m._ta_close(opened.handle);
    return;
  }
  tonearm = opened.m;
  const handle = opened.handle;
  const info = JSON.parse(cString(tonearm._ta_info_json(handle)));
  const blockFrames = Math.max(64, Math.min(requestedBlockFrames, 1 << 20)) | 0;
  const slots = [];
  const slotCount = flavour === 'threads' ? SLOTS : 1;
  for (let i = 0; i < slotCount; i++) {
    const ptr = tonearm._malloc(blockFrames * info.channels * 4);
    if (!ptr) throw Object.assign(new Error('not enough memory for the decode buffers'), { kind: 'out_of_memory' });
    slots.push({ ptr, free: true });
  }
  stream = { id, handle, info, blockFrames, slots, generation: 0, waiting: [], postedMemory: null, scan: null };
  post({ type: 'opened', id, info, flavour, blockFrames, module: tonearm.ffmpeg ? 'ffmpeg' : 'default' });
  startOverview(id, bytes, name);
}

function fail(id, phase, error, generation) {
  post({ type: 'error', id, phase, generation, kind: error.kind || 'internal', message: error.message || String(error) });
}

// One block of up to `wanted` frames: decode into a free slot and hand it to the page.
function readBlock(generation, wanted) {
  const s = stream;
  const slot = s.slots.find((x) => x.free);
  if (!slot) { s.waiting.push({ generation, wanted }); return; }   // threads: wait for a release
  const startFrame = tonearm._ta_position(s.handle);
  const capacity = Math.max(1, Math.min(s.blockFrames, wanted || s.blockFrames));
  const frames = tonearm._ta_read(s.handle, slot.ptr, capacity);
  if (frames < 0) { fail(s.id, 'decode', lastError(), generation); return; }
  if (frames === 0) { post({ type: 'end', id: s.id, generation, frames: startFrame }); return; }
  const channels = s.info.channels;
  const message = { type: 'block', id: s.id, generation, startFrame, frames, channels };
  if (flavour === 'threads') {
    slot.free = false;
    message.slot = s.slots.indexOf(slot);
    message.byteOffset = slot.ptr;
    // Memory growth replaces the SharedArrayBuffer object: send the current one when it changes.
    const memory = tonearm.HEAPU8.buffer;
    if (memory !== s.postedMemory) { message.memory = memory; s.postedMemory = memory; }
    post(message);
  } else {
    const owned = new Float32Array(frames * channels);
    owned.set(tonearm.HEAPF32.subarray(slot.ptr >> 2, (slot.ptr >> 2) + frames * channels));
    message.buffer = owned.buffer;
    post(message, [owned.buffer]);
  }
}

// The waveform: a second decoder scans the whole file in short slices between block requests.
function startOverview(id, bytes, name) {
  const s = stream;
  if (bytes.byteLength > OVERVIEW_MAX_BYTES) return;
  let handle;
  try {
    handle = openHandle(tonearm, bytes, name);
  } catch (e) {
    return;  // the page still plays; the waveform fills in from what plays
  }
  const frames = Math.max(1, s.info.frames);
  const ptr = tonearm._malloc(s.blockFrames * s.info.channels * 4);
  s.scan = { handle, ptr, peaks: new Float32Array(OVERVIEW_BINS), done: 0, lastPost: 0 };
  const step = () => {
    if (stream !== s || !s.scan) return;
    const scan = s.scan;
    const until = performance.now() + OVERVIEW_SLICE_MS;
    const channels = s.info.channels;
    let finished = false;
    while (performance.now() < until) {
      const n = tonearm._ta_read(scan.handle, scan.ptr, s.blockFrames);
      if (n <= 0) { finished = true; break; }
      const heap = tonearm.HEAPF32;
      const base = scan.ptr >> 2;
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
      post({ type: 'overview', id: s.id, peaks: scan.peaks.slice(), progress: finished ? 1 : Math.min(1, scan.done / frames) });
    }
    if (finished) {
      tonearm._ta_close(scan.handle);
      tonearm._free(scan.ptr);
      s.scan = null;
      return;
    }
    setTimeout(step, 0);
  };
  setTimeout(step, 0);
}

async function open(message) {
  const id = message.id;
  openSeq = id;
  if (fetchAbort) fetchAbort.abort();
  fetchAbort = null;
  closeStream();
  let bytes = message.bytes;
  let name = message.name || 'file';
  try {
    if (!bytes) {
      fetchAbort = new AbortController();
      let response;
      try {
        response = await fetch(message.url, { signal: fetchAbort.signal });
      } catch (e) {
        if (id !== openSeq) return;
        throw Object.assign(new Error(`${message.url}: cannot fetch (${e.message})`), { kind: 'unreadable' });
      }
      if (!response.ok) {
        throw Object.assign(new Error(`${message.url}: HTTP ${response.status} ${response.statusText}`.trim()),
                            { kind: response.status === 404 ? 'not_found' : 'unreadable' });
      }
      bytes = await response.arrayBuffer();
      if (id !== openSeq) return;
      name = message.name || decodeURIComponent(new URL(message.url, self.location.href).pathname.split('/').pop());
    }
    await ready;
    if (id !== openSeq) return;
    await openBytes(id, bytes, name);
  } catch (e) {
    if (id === openSeq) fail(id, 'open', e);
  }
}

const handlers = {
  open,
  read(message) {
    if (!stream || message.id !== stream.id) return;
    try { readBlock(message.generation, message.frames); } catch (e) { fail(stream.id, 'decode', e, message.generation); }
  },
  release(message) {
    if (!stream || message.id !== stream.id) return;
    const slot = stream.slots[message.slot];
    if (slot) slot.free = true;
    if (stream.waiting.length) handlers.read({ id: stream.id, ...stream.waiting.shift() });
  },
  seek(message) {
    if (!stream || message.id !== stream.id) return;
    stream.waiting = [];
    if (tonearm._ta_seek(stream.handle, message.frame) < 0) fail(stream.id, 'seek', lastError(), message.generation);
  },
  close() {
    openSeq++;
    closeStream();
  },
  // MEASUREMENT (the browser tests): what this worker has, read through the page so that every
  // engine's driver can ask (not all of them reach into workers).
  async probe(message) {
    await ready;
    // The module files this worker fetched (resource timing: what went over the wire, not
    // what this code believes it loaded).
    const modules = performance.getEntriesByType('resource').map((e) => new URL(e.name).pathname.split('/').pop())
      .filter((name) => /^tonearm-[\w-]+\.(js|wasm)$/.test(name));
    post({ type: 'probe', id: message.id, ...workerFacts(), memoryBytes: tonearm.HEAPU8.length, modules });
  },
  // MEASUREMENT (web-shell/tests/bench.mjs): decodes a whole file as fast as possible with a
  // decoder of its own and reports the time; the open stream, if any, is not touched.
  async bench(message) {
    let m = null;
    let handle = 0;
    let ptr = 0;
    try {
      const response = await fetch(message.url);
      if (!response.ok) throw new Error(`${message.url}: HTTP ${response.status}`);
      const bytes = await response.arrayBuffer();
      await ready;
      ({ m, handle } = await openWithFallback(bytes, 'bench'));
      const info = JSON.parse(m.UTF8ToString(m._ta_info_json(handle)));
      const block = 16384;
      ptr = m._malloc(block * info.channels * 4);
      const t0 = performance.now();
      let frames = 0;
      for (let n; (n = m._ta_read(handle, ptr, block)) > 0; ) frames += n;
      const ms = performance.now() - t0;
      post({ type: 'bench', id: message.id, ms, frames, sampleRate: info.sample_rate, channels: info.channels,
        module: m.ffmpeg ? 'ffmpeg' : 'default' });
    } catch (e) {
      post({ type: 'bench', id: message.id, error: e.message || String(e) });
    } finally {
      if (handle) m._ta_close(handle);
      if (ptr) m._free(ptr);
    }
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
importScripts(`tonearm-${flavour}.js`);
const ready = createTonearm({ ...moduleOptions }).then((module) => {
  defaultModule = module;
  tonearm = module;
  const facts = workerFacts();
  post({ type: 'ready', flavour, sharedMemory: facts.sharedMemory, webAudioInWorker: facts.webAudio.some((t) => t !== 'undefined') });
}, (error) => {
  // Reported to the page, which shows it and starts a new worker for the next file.
  post({ type: 'fatal', message: `the ${flavour} decoder module failed to load: ${error && error.message || error}` });
});
