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
  // `flavour` names the module: threads, nothreads, threads-ffmpeg or nothreads-ffmpeg.
  static async open(flavour, bytes, name = 'file', blockFrames = 16384) {
    const m = await loadModule(flavour);
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

  // As the page's worker does: the default module, or the FFmpeg one for what it does not read.
  static async openAny(flavour, bytes, name = 'file', blockFrames = 16384) {
    try {
      return await WasmDecoder.open(flavour, bytes, name, blockFrames);
    } catch (e) {
      if (e.kind !== 'unsupported') throw e;
      try {
        return await WasmDecoder.open(`${flavour}-ffmpeg`, bytes, name, blockFrames);
      } catch (f) {
        throw f.kind === 'unsupported' ? e : f;
      }
    }
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
