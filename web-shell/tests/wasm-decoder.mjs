// The web module's C API driven from node, the way decode-worker.js drives it in the browser:
// the file read on demand through Module.readSource (here from a Buffer), planar blocks out. Used by the node tests and the benchmark.
// The .wasm is handed over as bytes: Emscripten 3.1.6 would otherwise fetch() a file path
// under node 20 and fail (hence its `node --no-experimental-fetch` advice).
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

import { dist } from './fixtures.mjs';

const require = createRequire(import.meta.url);
const modules = new Map();
const sources = new Map();   // what Module.readSource reads: source number → the file's bytes
let nextSource = 1;

export async function loadModule(flavour) {
  if (!modules.has(flavour)) {
    const create = require(path.join(dist, `tonearm-${flavour}.js`));
    const wasmBinary = fs.readFileSync(path.join(dist, `tonearm-${flavour}.wasm`));
    modules.set(flavour, create({ wasmBinary, print: () => {}, printErr: () => {} }).then((m) => {
      m.readSource = (source, offset, ptr, count) => {
        const bytes = sources.get(source).subarray(offset, offset + count);
        m.HEAPU8.set(bytes, ptr);
        return bytes.length;
      };
      return m;
    }));
  }
  return modules.get(flavour);
}

export class WasmDecodeError extends Error {
  constructor(kind, message) {
    super(message);
    this.kind = kind;
  }
}

export class WasmDecoder {
  // `module` names the module: a flavour (threads, nothreads), alone or with -ogg or -ffmpeg.
  static async open(module, bytes, name = 'file', blockFrames = 16384) {
    const m = await loadModule(module);
    const fail = () => {
      throw new WasmDecodeError(m.UTF8ToString(m._ta_error_kind()), m.UTF8ToString(m._ta_error_message()));
    };
    const source = nextSource++;
    sources.set(source, bytes);
    const size = m.lengthBytesUTF8(name) + 1;
    const namePtr = m._malloc(size);
    m.stringToUTF8(name, namePtr, size);
    const handle = m._ta_open_source(source, bytes.length, namePtr);
    m._free(namePtr);
    if (!handle) {
      sources.delete(source);
      fail();
    }
    return new WasmDecoder(m, handle, source, blockFrames, fail);
  }

  // In the module the page's worker would use (its modulesFor): the Ogg one for an Ogg stream,
  // else the default one; FFmpeg's for what that calls unsupported.
  static async openAny(flavour, bytes, name = 'file', blockFrames = 16384) {
    const ogg = String.fromCharCode(...bytes.subarray(0, 4)) === 'OggS';
    const modules = ogg ? [`${flavour}-ogg`, `${flavour}-ffmpeg`] : [flavour, `${flavour}-ffmpeg`];
    let first = null;
    for (const module of modules) {
      try {
        return await WasmDecoder.open(module, bytes, name, blockFrames);
      } catch (e) {
        if (e.kind !== 'unsupported') throw e;
        first ??= e;
      }
    }
    throw first;
  }

  constructor(m, handle, source, blockFrames, fail) {
    this.m = m;
    this.handle = handle;
    this.source = source;
    this.fail = fail;
    this.info = JSON.parse(m.UTF8ToString(m._ta_info_json(handle)));
    this.blockFrames = blockFrames;
    this.ptr = m._malloc(blockFrames * this.info.channels * 4);
  }

  // One block as planar views into wasm memory (valid until the next call), or null at the end.
  readBlock() {
    const n = this.m._ta_read(this.handle, this.ptr, this.blockFrames);
    if (n < 0) this.fail();
    if (n === 0) return null;
    const base = this.ptr >> 2;
    return Array.from({ length: this.info.channels }, (_, c) => this.m.HEAPF32.subarray(base + c * n, base + (c + 1) * n));
  }

  // Every remaining frame, planar.
  readAll() {
    const blocks = [];
    let frames = 0;
    for (let b; (b = this.readBlock()); ) {
      blocks.push(b.map((ch) => ch.slice()));
      frames += b[0].length;
    }
    const out = Array.from({ length: this.info.channels }, () => new Float32Array(frames));
    let at = 0;
    for (const b of blocks) {
      b.forEach((ch, c) => out[c].set(ch, at));
      at += b[0].length;
    }
    return out;
  }

  seek(frame) {
    if (this.m._ta_seek(this.handle, frame) < 0) this.fail();
  }

  close() {
    this.m._ta_close(this.handle);
    sources.delete(this.source);
    this.m._free(this.ptr);
  }
}

// The module's player (PlayerCore) over a playlist of files, as decode-worker.js drives it.
export class WasmPlayer {
  // `files`: [{ bytes, name }].
  static async open(flavour, files, blockFrames = 16384) {
    const m = await loadModule(flavour);
    const player = m._ta_player_new();
    const ids = files.map(({ bytes, name }) => {
      const source = nextSource++;
      sources.set(source, bytes);
      withCString(m, name, (ptr) => m._ta_player_add(player, source, bytes.length, ptr));
      return source;
    });
    const p = new WasmPlayer(m, player, ids, blockFrames);
    p.opened = p.json(m._ta_player_open(player));
    p.ptr = m._malloc(blockFrames * p.opened.channels * 4);
    return p;
  }

  constructor(m, player, sourceIds, blockFrames) {
    this.m = m;
    this.player = player;
    this.sourceIds = sourceIds;
    this.blockFrames = blockFrames;
    this.ptr = 0;
  }

  json(ptr) {
    if (!ptr) throw new WasmDecodeError(this.m.UTF8ToString(this.m._ta_error_kind()), this.m.UTF8ToString(this.m._ta_error_message()));
    return JSON.parse(this.m.UTF8ToString(ptr));
  }

  // One block: { planar (copies), marks }, or null at the playlist's end.
  render(frames = this.blockFrames) {
    const n = this.m._ta_player_render(this.player, this.ptr, frames);
    if (n < 0) this.json(0);
    if (n === 0) return null;
    const base = this.ptr >> 2;
    const planar = Array.from({ length: this.opened.channels }, (_, c) => this.m.HEAPF32.slice(base + c * n, base + (c + 1) * n));
    return { planar, marks: this.json(this.m._ta_player_marks_json(this.player)) };
  }

  // Everything to the end: { planar, marks (offsets from the start) }.
  renderAll() {
    const blocks = [];
    const marks = [];
    let frames = 0;
    for (let b; (b = this.render()); ) {
      blocks.push(b.planar);
      for (const mark of b.marks) marks.push({ ...mark, offset: frames + mark.offset });
      frames += b.planar[0].length;
    }
    return { planar: concatPlanar(blocks, this.opened.channels), marks };
  }

  command(kind, value, track, seconds) {
    return withCString(this.m, kind, (ptr) => this.json(this.m._ta_player_command(this.player, ptr, value, track, seconds)));
  }

  jump(track) {
    return this.json(this.m._ta_player_jump(this.player, track));
  }

  errors() {
    return this.json(this.m._ta_player_errors_json(this.player, 0));
  }

  close() {
    this.m._ta_player_close(this.player);
    for (const id of this.sourceIds) sources.delete(id);
    this.m._free(this.ptr);
  }
}

export async function controls(flavour) {
  const m = await loadModule(flavour);
  return JSON.parse(m.UTF8ToString(m._ta_controls_json()));
}

function withCString(m, text, fn) {
  const size = m.lengthBytesUTF8(text) + 1;
  const ptr = m._malloc(size);
  m.stringToUTF8(text, ptr, size);
  try { return fn(ptr); } finally { m._free(ptr); }
}

export function concatPlanar(blocks, channels) {
  const frames = blocks.reduce((n, b) => n + b[0].length, 0);
  const out = Array.from({ length: channels }, () => new Float32Array(frames));
  let at = 0;
  for (const b of blocks) {
    b.forEach((ch, c) => out[c].set(ch, at));
    at += b[0].length;
  }
  return out;
}
