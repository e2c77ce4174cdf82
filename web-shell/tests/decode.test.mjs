// Node tests: the wasm decoder (both flavours, the very .js/.wasm the page loads) decodes every
// fixture format to what tonearm's native decoder produces for the same file.
//   lossless (WAV, FLAC, ALAC):          every sample identical
//   lossy (Vorbis, Opus, MP3, AAC, WMA): |wasm - native| <= LOSSY_TOLERANCE (1e-5) for every sample
//     (see fixtures.mjs)
// The formats only FFmpeg reads go through each flavour's FFmpeg module (tonearm-<flavour>-ffmpeg),
// which the page loads only for them: the default module must call them `unsupported`.
// Run by scripts/web test: node --test web-shell/tests/decode.test.mjs
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';

import { FIXTURES, LOSSY_TOLERANCE, NODE_FIXTURES, fixtures, readFloatWav } from './fixtures.mjs';
import { WasmDecoder } from './wasm-decoder.mjs';

const dir = fixtures();

function maxDifference(actual, expected) {
  let max = 0;
  let at = -1;
  for (let c = 0; c < expected.length; c++) {
    for (let i = 0; i < expected[c].length; i++) {
      const d = Math.abs(actual[c][i] - expected[c][i]);
      if (d > max || Number.isNaN(d)) { max = Number.isNaN(d) ? Infinity : d; at = i; }
    }
  }
  return { max, at };
}

function firstDifference(actual, expected) {
  for (let c = 0; c < expected.length; c++) {
    for (let i = 0; i < expected[c].length; i++) {
      if (!Object.is(actual[c][i], expected[c][i])) return `channel ${c} frame ${i}: ${actual[c][i]} != ${expected[c][i]}`;
    }
  }
  return null;
}

for (const flavour of ['threads', 'nothreads']) {
  describe(`wasm decode (${flavour}) = native decode`, () => {
    for (const f of [...FIXTURES, ...NODE_FIXTURES]) {
      const module = f.module ? `${flavour}-${f.module}` : flavour;
      test(`${f.name} (${module}): ${f.lossless ? 'identical samples' : `within ${LOSSY_TOLERANCE}`}`, async () => {
        const ref = readFloatWav(path.join(dir, `${f.name}.ref.wav`));
        const decoder = await WasmDecoder.open(module, fs.readFileSync(path.join(dir, f.name)), f.name);
        try {
          assert.equal(decoder.info.sample_rate, ref.rate);
          assert.equal(decoder.info.channels, ref.channels);
          assert.equal(decoder.info.lossless, f.lossless);
          const got = decoder.readAll();
          assert.equal(got[0].length, ref.frames, 'frame count');
          if (f.lossless) {
            assert.equal(firstDifference(got, ref.planar), null);
          } else {
            const { max, at } = maxDifference(got, ref.planar);
            assert.ok(max <= LOSSY_TOLERANCE, `max difference ${max} at frame ${at}`);
          }
        } finally {
          decoder.close();
        }
      });
    }

    for (const name of ['tone.wav', 'tone.flac', 'tone.mp3', 'alac.m4a', 'tone.webm', 'vorbis.webm']) {
      test(`${name}: seek lands on the same samples as native`, async () => {
        const ref = readFloatWav(path.join(dir, `${name}.ref.wav`));
        const decoder = await WasmDecoder.openAny(flavour, fs.readFileSync(path.join(dir, name)), name, 4096);
        const lossless = /\.(wav|flac)$|alac/.test(name);
        try {
          for (const target of [ref.frames - 5000, 12345, 0, 70000]) {
            decoder.seek(target);
            const block = decoder.readBlock();
            const expected = ref.planar.map((ch) => ch.subarray(target, target + block[0].length));
            const { max } = maxDifference(block, expected);
            assert.ok(lossless ? max === 0 : max <= LOSSY_TOLERANCE, `seek to ${target}: max difference ${max}`);
          }
        } finally {
          decoder.close();
        }
      });
    }

    const broken = [
      ['corrupt.flac', ['malformed']],
      ['empty.wav', ['malformed']],
      ['notes.mp3', ['unsupported', 'malformed']],
    ];
    for (const [name, kinds] of broken) {
      test(`${name}: an error (${kinds.join(' or ')}) with a message, never silence`, async () => {
        let error = null;
        try {
          const decoder = await WasmDecoder.open(flavour, fs.readFileSync(path.join(dir, name)), name);
          try {
            decoder.readAll();
          } finally {
            decoder.close();
          }
        } catch (e) {
          error = e;
        }
        assert.ok(error, 'no error');
        assert.ok(kinds.includes(error.kind), `kind ${error.kind}: ${error.message}`);
        assert.match(error.message, new RegExp(`^${name.replace('.', '\\.')}: .+`));
      });
    }

    test('each file goes to one module: the default one calls the FFmpeg formats unsupported, and the other way round', async () => {
      for (const f of [...FIXTURES, ...NODE_FIXTURES]) {
        const other = f.module === 'ffmpeg' ? flavour : `${flavour}-ffmpeg`;
        await assert.rejects(WasmDecoder.open(other, fs.readFileSync(path.join(dir, f.name)), f.name),
          (e) => e.kind === 'unsupported', `${f.name} in ${other}`);
      }
      // Neither reads it: the default module's reason stands.
      await assert.rejects(WasmDecoder.openAny(flavour, fs.readFileSync(path.join(dir, 'notes.mp3')), 'notes.mp3'),
        (e) => ['unsupported', 'malformed'].includes(e.kind) && !/FFmpeg/.test(e.message));
    });

    test('the module keeps working after errors (no leaked state)', async () => {
      for (let i = 0; i < 20; i++) {
        await assert.rejects(WasmDecoder.open(flavour, new Uint8Array(0), 'empty'));
      }
      const decoder = await WasmDecoder.open(flavour, fs.readFileSync(path.join(dir, 'tone.wav')), 'tone.wav');
      assert.equal(decoder.readAll()[0].length, 132300);
      decoder.close();
    });
  });
}
