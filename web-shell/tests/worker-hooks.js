// TEST HOOKS for the decoder worker: the browser tests' server appends an importScripts of this
// file to decode-worker.js (never shipped). The page's hooks.js asks these through the worker's
// own message channel, so every engine's driver can reach them (not all reach into workers).
// Classic worker scripts share one global scope: `handlers`, `ready`, `tonearm` and the
// functions below are decode-worker.js's.
'use strict';

// What this worker has: its wasm memory, whether it is shared, the Web Audio names it sees (none
// should exist), and the module files it fetched (resource timing: what went over the wire,
// not what the code believes it loaded).
handlers.probe = async (message) => {
  await ready;
  const modules = performance.getEntriesByType('resource').map((e) => new URL(e.name).pathname.split('/').pop())
    .filter((name) => /^tonearm-[\w-]+\.(js|wasm)$/.test(name));
  post({ type: 'probe', id: message.id, ...workerFacts(), memoryBytes: tonearm.HEAPU8.length, modules });
};

// Grows the wasm memory by an allocation of `bytes`, made and freed.
handlers.grow = async (message) => {
  await ready;
  const ptr = tonearm._malloc(message.bytes);
  if (ptr) tonearm._free(ptr);
  post({ type: 'grow', id: message.id, grew: ptr !== 0 });
};

// Opens in the module the page would use for this file (modulesFor): { m, handle, source }.
function openInModule(reader, name) {
  return openInModules(modulesFor([reader]), (m) => ({ m, ...openHandle(m, reader, name) }), (e) => e.kind === 'unsupported');
}

// Decodes a whole file as fast as possible with a decoder of its own and reports the time, and
// the part of it spent reading the Blob (readMs); the open playlist, if any, is not touched.
handlers.bench = async (message) => {
  let m = null;
  let opened = null;
  let ptr = 0;
  try {
    const response = await fetch(message.url);
    if (!response.ok) throw new Error(`${message.url}: HTTP ${response.status}`);
    const blob = blobReader(await response.blob());
    let readMs = 0;
    const reader = {
      size: blob.size,
      read(offset, count) {
        const t = performance.now();
        try {
          return blob.read(offset, count);
        } finally {
          readMs += performance.now() - t;
        }
      },
    };
    await ready;
    opened = await openInModule(reader, 'bench');
    m = opened.m;
    const info = JSON.parse(m.UTF8ToString(m._ta_info_json(opened.handle)));
    const block = 16384;
    ptr = m._malloc(block * info.channels * 4);
    readMs = 0;
    const t0 = performance.now();
    let frames = 0;
    for (let n; (n = m._ta_read(opened.handle, ptr, block)) > 0; ) frames += n;
    const ms = performance.now() - t0;
    post({ type: 'bench', id: message.id, ms, readMs, frames, sampleRate: info.sample_rate, channels: info.channels,
      module: m.moduleName });
  } catch (e) {
    post({ type: 'bench', id: message.id, error: e.message || String(e) });
  } finally {
    if (opened) closeHandle(m, opened);
    if (ptr) m._free(ptr);
  }
};
