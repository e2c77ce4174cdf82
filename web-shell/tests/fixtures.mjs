// Fixtures made by the native CLI, a reader for its float WAV output, and sample comparisons.
// Shared by the node tests, the browser tests and the benchmark (no browser code here).
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const dist = process.env.TONEARM_WEB_DIST || path.join(repo, 'build/web/dist');
export const native = process.env.TONEARM_NATIVE || path.join(repo, 'build/native-release/app/tonearm');
const cacheRoot = process.env.TONEARM_CACHE ||
  path.join(process.env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache'), 'tonearm');

// Lossy formats (Vorbis, Opus, MP3, AAC) may differ from the native decode by this much per
// sample. Measured: Vorbis and Opus by at most 1.5e-7, MP3 by 1.0e-6 (Debian's native codec
// builds use SIMD code paths, the wasm builds portable C: the last bits of float rounding
// differ), so 1e-5 (-100 dBFS) is a wide margin that still catches any real decoding difference.
export const LOSSY_TOLERANCE = 1e-5;

// ---------------------------------------------------------------------------- fixtures
// Synthesized with sox (a stereo chirp with a different sweep per channel, so swapped or
// shifted channels show), encoded by tonearm's own CLI (or ffmpeg), and decoded by tonearm's
// CLI to float WAV as the reference. Cached by recipe and native binary (a new native build
// makes new references).
// The formats only FFmpeg reads are encoded by Debian's ffmpeg (`ffmpeg`: its codec options).
// `module`: the page's module that decodes it, when not the default one — the Ogg module (Ogg
// Vorbis and Opus) or the FFmpeg one — which the worker loads when a file needs it.
export const FIXTURES = [
  // name, rate, seconds, encoding for `tonearm decode`
  { name: 'tone.wav', rate: 44100, seconds: 3, encoding: '16', lossless: true },
  { name: 'tone.flac', rate: 48000, seconds: 3, encoding: '24', lossless: true },
  { name: 'tone.ogg', rate: 44100, seconds: 3, encoding: null, lossless: false, module: 'ogg' },
  { name: 'tone.mp3', rate: 44100, seconds: 3, encoding: null, lossless: false },
  { name: 'tone.opus', rate: 48000, seconds: 3, encoding: null, lossless: false, module: 'ogg' },
  { name: 'long.flac', rate: 44100, seconds: 40, encoding: '16', lossless: true },
  { name: 'tone.m4a', rate: 44100, seconds: 3, lossless: false, module: 'ffmpeg', ffmpeg: ['-c:a', 'aac', '-b:a', '192k'] },
  { name: 'tone.webm', rate: 48000, seconds: 3, lossless: false, module: 'ffmpeg', ffmpeg: ['-c:a', 'libopus', '-b:a', '128k'] },
];
// Decoded under node only (the page plays an M4A and a WebM above).
export const NODE_FIXTURES = [
  { name: 'alac.m4a', rate: 44100, seconds: 3, lossless: true, module: 'ffmpeg', ffmpeg: ['-c:a', 'alac', '-sample_fmt', 's16p'] },
  { name: 'vorbis.webm', rate: 44100, seconds: 3, lossless: false, module: 'ffmpeg', ffmpeg: ['-c:a', 'libvorbis'] },
  { name: 'adts.aac', rate: 44100, seconds: 3, lossless: false, module: 'ffmpeg', ffmpeg: ['-c:a', 'aac', '-f', 'adts'] },
  { name: 'tone.wma', rate: 44100, seconds: 3, lossless: false, module: 'ffmpeg', ffmpeg: ['-c:a', 'wmav2', '-b:a', '160k'] },
];

function run(cmd, args) {
  try {
    return execFileSync(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (e) {
    throw new Error(`${cmd} ${args.join(' ')} failed: ${String(e.stderr || e.message).trim()}`);
  }
}

export function fixtures() {
  if (!fs.existsSync(native)) throw new Error(`${native} is missing (scripts/web test builds it)`);
  // Keyed by this file (the recipe), the native binary that encodes and decodes, and the demo.
  const demo = path.join(repo, 'assets/demo.flac');
  const key = createHash('sha256').update(fs.readFileSync(fileURLToPath(import.meta.url)))
    .update(fs.readFileSync(native)).update(fs.readFileSync(demo)).digest('hex').slice(0, 12);
  const dir = path.join(cacheRoot, 'web-fixtures', key);
  if (fs.existsSync(path.join(dir, '.complete'))) {
    const now = new Date();
    fs.utimesSync(dir, now, now);  // in use: see the clean-up below
    return dir;
  }
  const tmp = `${dir}.tmp${process.pid}`;
  fs.rmSync(tmp, { recursive: true, force: true });
  fs.mkdirSync(tmp, { recursive: true });
  for (const f of [...FIXTURES, ...NODE_FIXTURES]) {
    const src = path.join(tmp, `${f.name}.src.wav`);
    // Starts loud at frame 0 (so alignment is unambiguous) and fades out at the end.
    run('sox', ['-n', '-r', String(f.rate), '-c', '2', '-b', '32', '-e', 'floating-point', src,
      'synth', String(f.seconds), 'sine', '220-1760', 'sine', '330-2640',
      'vol', '0.4', 'fade', 'h', '0', String(f.seconds), '0.2']);
    const out = path.join(tmp, f.name);
    if (f.ffmpeg) run('ffmpeg', ['-nostdin', '-v', 'error', '-i', src, ...f.ffmpeg, out]);
    else run(native, ['-q', 'decode', src, '-o', out, ...(f.encoding ? ['--encoding', f.encoding] : [])]);
    run(native, ['-q', 'decode', out, '-o', path.join(tmp, `${f.name}.ref.wav`), '--encoding', 'float']);
    fs.rmSync(src);
  }
  // An album cut into three tracks at odd frames, a FLAC between two WAVs: played as one
  // playlist they must sound like tone.wav, with nothing lost or added at the joins.
  const whole = path.join(tmp, 'tone.wav');
  run('sox', [whole, path.join(tmp, 'album-1.wav'), 'trim', '0', '50021s']);
  run('sox', [whole, path.join(tmp, 'album-2.wav'), 'trim', '50021s', '40000s']);
  run(native, ['-q', 'decode', path.join(tmp, 'album-2.wav'), '-o', path.join(tmp, 'album-2.flac')]);
  fs.rmSync(path.join(tmp, 'album-2.wav'));
  run('sox', [whole, path.join(tmp, 'album-3.wav'), 'trim', '90021s']);
  // The page's default demo (assets/demo.flac), decoded natively: what the demo must sound like.
  run(native, ['-q', 'decode', demo, '-o', path.join(tmp, 'demo.flac.ref.wav'), '--encoding', 'float']);
  // Two hours (115 MB of 8 kHz mono WAV): the page must play it without holding it.
  run('sox', ['-n', '-r', '8000', '-c', '1', '-b', '16', path.join(tmp, 'hours.wav'), 'synth', '7200', 'sine', '440', 'vol', '0.2']);
  // Broken inputs: a FLAC whose frames are garbage, an empty file, text named like audio.
  // The FLAC is 44.1 kHz like long.flac: whether or not the page gets to open it before the
  // next file, it never needs another AudioContext (the 50-clicks test counts contexts).
  const flacSource = path.join(tmp, 'corrupt.src.flac');
  run(native, ['-q', 'decode', path.join(tmp, 'tone.wav'), '-o', flacSource]);
  const corrupt = fs.readFileSync(flacSource);
  fs.rmSync(flacSource);
  // Damaged in its first half only: with the end garbled too, the final frame cannot be found
  // and the one truncation rule (stream_length.hpp) calls the file cut, not damaged.
  for (let i = 8192; i < corrupt.length / 2; i += 7) corrupt[i] ^= 0x5a;
  fs.writeFileSync(path.join(tmp, 'corrupt.flac'), corrupt);
  fs.writeFileSync(path.join(tmp, 'empty.wav'), Buffer.alloc(0));
  fs.writeFileSync(path.join(tmp, 'notes.mp3'), 'these are not the droids you are looking for\n'.repeat(50));
  fs.writeFileSync(path.join(tmp, '.complete'), '');
  fs.rmSync(dir, { recursive: true, force: true });
  fs.renameSync(tmp, dir);
  // Other sets (another recipe or native build) are large; those unused for a day go. Not
  // sooner: other checkouts on this machine (a clean clone for CI, a worktree) share the cache
  // and may be reading theirs right now.
  for (const old of fs.readdirSync(path.dirname(dir))) {
    const other = path.join(path.dirname(dir), old);
    if (old === path.basename(dir) || old.includes('.tmp')) continue;
    if (Date.now() - fs.statSync(other).mtimeMs > 24 * 3600 * 1000) fs.rmSync(other, { recursive: true, force: true });
  }
  return dir;
}

// Reads a WAV of 32-bit floats (what `tonearm decode --encoding float` writes) as planar channels.
export function readFloatWav(file) {
  const b = fs.readFileSync(file);
  if (b.toString('latin1', 0, 4) !== 'RIFF' || b.toString('latin1', 8, 12) !== 'WAVE') throw new Error(`${file}: not a WAV`);
  let at = 12;
  let channels = 0;
  let rate = 0;
  let bits = 0;
  let format = 0;
  while (at + 8 <= b.length) {
    const id = b.toString('latin1', at, at + 4);
    const size = b.readUInt32LE(at + 4);
    const body = at + 8;
    if (id === 'fmt ') {
      format = b.readUInt16LE(body);
      channels = b.readUInt16LE(body + 2);
      rate = b.readUInt32LE(body + 4);
      bits = b.readUInt16LE(body + 14);
      if (format === 0xfffe) format = b.readUInt16LE(body + 24);
    } else if (id === 'data') {
      if (format !== 3 || bits !== 32) throw new Error(`${file}: not float32 (format ${format}, ${bits} bits)`);
      const frames = Math.floor(Math.min(size, b.length - body) / (4 * channels));
      const planar = Array.from({ length: channels }, () => new Float32Array(frames));
      for (let i = 0; i < frames; i++) {
        for (let c = 0; c < channels; c++) planar[c][i] = b.readFloatLE(body + (i * channels + c) * 4);
      }
      return { rate, channels, frames, planar };
    }
    at = body + size + (size & 1);
  }
  throw new Error(`${file}: no data chunk`);
}

export function firstNonSilent(planar, threshold = 0) {
  const frames = planar[0]?.length || 0;
  for (let i = 0; i < frames; i++) for (const ch of planar) if (Math.abs(ch[i]) > threshold) return i;
  return -1;
}

// Compares `actual` (planar, what the page played) with `expected` (planar, the native decode)
// from their first non-silent frames on, frame by frame, in order.
//   tolerance: a frame matches when every channel is within it (0: bit-exact)
//   maxGaps:   how many runs of inserted silence in `actual` to step over (a late block is
//              scheduled later, leaving a gap; the page counts those as underruns). A gap is
//              only stepped over when the very next expected frame follows it, so a lost,
//              repeated or altered sample still shows as a difference.
//   gains:     volumes the page may have applied (a frame matches at gain g when it equals
//              float32(expected * float32(g)), as a GainNode computes it); `runs` lists them
//              in order of playing.
// Returns the frames compared, the largest difference (at the best-fitting gain), the first
// differing frame, the SNR, the gaps stepped over and the gain runs.
export function compareAligned(actual, expected, { tolerance = 0, maxGaps = 0, gains = [1] } = {}) {
  const a0 = firstNonSilent(actual);
  const e0 = firstNonSilent(expected);
  const frames = expected[0].length - e0;
  const length = actual[0].length;
  const channels = expected.length;
  const g32 = gains.map((g) => Math.fround(g));
  const silent = (j) => actual.every((ch) => ch[j] === 0);
  // The best gain index for actual frame j against expected frame i, trying `prefer` first.
  let fitGain = -1;
  let fitDiff = 0;
  let fitNoise = 0;
  const fit = (j, i, prefer) => {
    fitGain = -1;
    fitDiff = Infinity;
    for (let n = -1; n < g32.length; n++) {
      const k = n < 0 ? prefer : n;
      if (k < 0 || (n >= 0 && k === prefer)) continue;
      let d = 0;
      let noise = 0;
      for (let c = 0; c < channels; c++) {
        const e = expected[c][e0 + i];
        const diff = Math.abs(actual[c][j] - (g32[k] === 1 ? e : Math.fround(e * g32[k])));
        if (diff > d) d = diff;
        noise += diff * diff;
      }
      if (d < fitDiff) { fitDiff = d; fitGain = k; fitNoise = noise; }
      if (d === 0) break;
    }
    return fitDiff;
  };
  let maxDiff = 0;
  let firstDiff = -1;
  let signal = 0;
  let noise = 0;
  const gaps = [];
  const runs = [];
  let i = 0;
  let j = a0;
  let gain = 0;
  while (a0 >= 0 && i < frames && j < length) {
    if (fit(j, i, gain) > tolerance && gaps.length < maxGaps && silent(j)) {
      let k = j + 1;
      while (k < length && fit(k, i, gain) > tolerance && silent(k)) k++;
      if (k < length && fitDiff <= tolerance) {
        gaps.push({ atFrame: i, frames: k - j });
        j = k;
      }
      fit(j, i, gain);
    }
    gain = fitGain;
    if (fitDiff > 0 && firstDiff < 0) firstDiff = i;
    if (fitDiff > maxDiff) maxDiff = fitDiff;
    for (let c = 0; c < channels; c++) signal += expected[c][e0 + i] ** 2;
    noise += fitNoise;
    if (runs.at(-1)?.gain === gains[gain]) runs.at(-1).frames++;
    else runs.push({ gain: gains[gain], frames: 1 });
    i++;
    j++;
  }
  const snrDb = noise === 0 ? Infinity : 10 * Math.log10(signal / noise);
  return { frames, compared: i, maxDiff, firstDiff, snrDb, actualStart: a0, expectedStart: e0, gaps, runs };
}

// Splits `actual` (planar, recorded from a sound server's sink) into pieces of `expected`:
// a device that misses its deadline drops audio (Chromium skipped 136-476 frames with 512-1536
// frames of silence in their place on this 2-core machine under load), so the recording is the
// file with holes, not the file. Every non-silent frame must belong to a piece of at least
// MIN_PIECE frames that equals `expected` (within tolerance) at some position, and the pieces
// must follow each other in the file's order. Returns { pieces: [{ at, from, frames }],
// heard (frames of the file heard), skipped (frames of the file not heard between pieces),
// firstForeign (index of a frame that is not the file, or -1) }.
export function matchPieces(actual, expected, { tolerance = 0 } = {}) {
  const MIN_PIECE = 32;
  const channels = expected.length;
  const length = actual[0].length;
  const total = expected[0].length;
  const near = (j, k) => {
    for (let c = 0; c < channels; c++) if (!(Math.abs(actual[c][j] - expected[c][k]) <= tolerance)) return false;
    return true;
  };
  const silent = (j) => actual.every((ch) => ch[j] === 0);
  const pieces = [];
  let from = 0;      // expected frames before this are used up
  let j = 0;
  while (j < length) {
    if (silent(j)) { j++; continue; }
    // The earliest position at or after `from` where MIN_PIECE frames (or the rest) match.
    const want = Math.min(MIN_PIECE, length - j);
    const matchesAt = (k) => {
      for (let m = 0; m < want; m++) if (!near(j + m, k + m)) return false;
      return true;
    };
    let k = from;
    while (k + want <= total && !matchesAt(k)) k++;
    if (k + want > total) return { pieces, heard: 0, skipped: 0, firstForeign: j };
    let n = 0;
    while (j + n < length && k + n < total && near(j + n, k + n)) n++;
    pieces.push({ at: j, from: k, frames: n });
    from = k + n;
    j += n;
  }
  const heard = pieces.reduce((sum, p) => sum + p.frames, 0);
  const skipped = pieces.slice(1).reduce((sum, p, i) => sum + (p.from - (pieces[i].from + pieces[i].frames)), 0);
  return { pieces, heard, skipped, firstForeign: -1 };
}
