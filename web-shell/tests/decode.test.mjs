// Node tests: the wasm decoder (both flavours, the very .js/.wasm the page loads) decodes every
// fixture format to what tonearm's native decoder produces for the same file.
//   lossless (WAV, FLAC, ALAC):          every sample identical
//   lossy (Vorbis, Opus, MP3, AAC, WMA): |wasm - native| <= LOSSY_TOLERANCE (1e-5) for every sample
//     (see fixtures.mjs)
// Ogg Vorbis and Opus go through each flavour's Ogg module (tonearm-<flavour>-ogg), the formats
// only FFmpeg reads through its FFmpeg module (-ffmpeg); the page loads each only for them, so
// the default module must call them `unsupported`.
// The module's player (the library's PlayerCore, which the page's worker drives) joins a
// playlist gaplessly, seeks and steps as the terminal player does, and skips what it cannot play.
// Run by scripts/web test: node --test web-shell/tests/decode.test.mjs
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';

import { FIXTURES, LOSSY_TOLERANCE, NODE_FIXTURES, fixtures, readFloatWav } from './fixtures.mjs';
import { WasmDecoder, WasmPlayer, concatPlanar, controls } from './wasm-decoder.mjs';

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

    test('each file goes to its module: the default one calls Ogg Vorbis/Opus and the FFmpeg formats unsupported, the Ogg one reads all but FFmpeg\'s, FFmpeg\'s only its own', async () => {
      const reads = { '': (f) => !f.module, '-ogg': (f) => f.module !== 'ffmpeg', '-ffmpeg': (f) => f.module === 'ffmpeg' };
      for (const f of [...FIXTURES, ...NODE_FIXTURES]) {
        const bytes = fs.readFileSync(path.join(dir, f.name));
        for (const [suffix, read] of Object.entries(reads)) {
          const module = `${flavour}${suffix}`;
          if (read(f)) (await WasmDecoder.open(module, bytes, f.name)).close();
          else await assert.rejects(WasmDecoder.open(module, bytes, f.name), (e) => e.kind === 'unsupported', `${f.name} in ${module}`);
        }
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

  describe(`the module's player (${flavour})`, () => {
    const file = (name) => ({ name, bytes: fs.readFileSync(path.join(dir, name)) });
    const ref = (name) => readFloatWav(path.join(dir, `${name}.ref.wav`));

    test('two and three files play gaplessly: the output is their decodes joined, bit for bit', async () => {
      for (const names of [['tone.wav', 'long.flac'], ['long.flac', 'tone.wav', 'long.flac']]) {
        // A block size that does not divide any track: joins fall inside blocks.
        const player = await WasmPlayer.open(flavour, names.map(file), 10007);
        try {
          const { planar, marks } = player.renderAll();
          const refs = names.map(ref);
          const expected = concatPlanar(refs.map((r) => r.planar), 2);
          assert.equal(planar[0].length, expected[0].length, 'frames');
          assert.equal(firstDifference(planar, expected), null);
          let at = 0;
          assert.deepEqual(marks.map((m) => [m.offset, m.track, m.frame]), refs.map((r, i) => {
            const mark = [at, i, 0];
            at += r.frames;
            return mark;
          }));
          assert.equal(marks[1].info.sample_rate, 44100);
          assert.equal(marks[1].info.title, names[1]);
        } finally {
          player.close();
        }
      }
    });

    test('the Ogg module plays a playlist mixing Ogg Vorbis with the default module\'s formats, joined gaplessly', async () => {
      const names = ['tone.wav', 'tone.ogg', 'long.flac'];
      const player = await WasmPlayer.open(`${flavour}-ogg`, names.map(file), 10007);
      try {
        const { planar } = player.renderAll();
        const refs = names.map(ref);
        assert.equal(planar[0].length, refs.reduce((n, r) => n + r.frames, 0), 'frames');
        let at = 0;
        for (const [i, r] of refs.entries()) {
          const got = planar.map((ch) => ch.subarray(at, at + r.frames));
          if (names[i] === 'tone.ogg') assert.ok(maxDifference(got, r.planar).max <= LOSSY_TOLERANCE, names[i]);
          else assert.equal(firstDifference(got, r.planar), null, names[i]);
          at += r.frames;
        }
      } finally {
        player.close();
      }
    });

    test('commands: seek, next, previous, volume steps from the library (the terminal keys)', async () => {
      const names = ['tone.wav', 'long.flac'];
      const player = await WasmPlayer.open(flavour, names.map(file), 4096);
      const long = ref('long.flac');
      try {
        const keys = await controls(flavour);
        const key = (k) => keys.keys.find((b) => b.key === k);
        assert.deepEqual(key('ArrowRight'), { key: 'ArrowRight', command: 'seek_by', value: 5 });
        assert.deepEqual(key('ArrowUp'), { key: 'ArrowUp', command: 'volume_by', value: 0.05 });
        assert.equal(key('n').command, 'next');
        assert.equal(keys.max_volume, 4);

        // → while hearing 10 s into long.flac (a track the player has opened: one being heard): 15 s.
        assert.deepEqual(pick(player.jump(1), 'track', 'seconds'), [1, 0]);
        const jump = player.command('seek_by', 5, 1, 10);
        assert.equal(jump.jumped, true);
        assert.deepEqual([jump.track, jump.seconds], [1, 15]);
        const block = player.render();
        assert.deepEqual(block.marks.map((m) => [m.offset, m.track, m.frame]), [[0, 1, 15 * 44100]]);
        assert.equal(firstDifference(block.planar, long.planar.map((ch) => ch.subarray(15 * 44100, 15 * 44100 + 4096))), null);

        // previous from the first track: its start; next: the second's.
        assert.deepEqual(pick(player.command('previous', 0, 0, 2), 'track', 'seconds', 'jumped'), [0, 0, true]);
        assert.deepEqual(pick(player.command('next', 0, 0, 2), 'track', 'seconds', 'jumped'), [1, 0, true]);
        // next from the last: the end.
        player.command('next', 0, 1, 3);
        assert.equal(player.render(), null);
        assert.deepEqual(pick(player.jump(0), 'track', 'seconds'), [0, 0]);
        assert.ok(player.render());

        // Volume: 5 % steps, whole percents, clamped to [0, 4]; no jump.
        let v = player.command('volume_by', -0.05, 0, 1);
        assert.deepEqual([v.volume, v.jumped], [0.95, false]);
        for (let i = 0; i < 30; i++) v = player.command('volume_by', -0.05, 0, 1);
        assert.equal(v.volume, 0);
        v = player.command('set_volume', 9, 0, 1);
        assert.equal(v.volume, 4);
        assert.throws(() => player.command('dance', 0, 0, 0), /no command dance/);
      } finally {
        player.close();
      }
    });

    test('another sample rate is converted to the first track\'s; a track that cannot play is skipped and reported', async () => {
      const player = await WasmPlayer.open(flavour, [file('notes.mp3'), file('tone.wav'), file('corrupt.flac'), file('tone.flac')]);
      try {
        assert.deepEqual([player.opened.sample_rate, player.opened.channels, player.opened.track], [44100, 2, 1]);
        const { planar, marks } = player.renderAll();
        // corrupt.flac may play some frames before its damage shows.
        assert.deepEqual(marks.map((m) => m.track).filter((t) => t !== 2), [1, 3]);
        assert.equal(marks[0].offset, 0);
        assert.equal(firstDifference(planar.map((ch) => ch.subarray(0, 132300)), ref('tone.wav').planar), null);
        // tone.flac's 3 s at 48 kHz, resampled to 44.1 kHz, comes last.
        const last = planar[0].length - marks.at(-1).offset;
        assert.ok(Math.abs(last - 132300) <= 64, `tone.flac: ${last} frames at 44.1 kHz`);
        const errors = player.errors();
        assert.deepEqual(errors.map((e) => e.file), ['notes.mp3', 'corrupt.flac']);
        assert.ok(errors.every((e) => e.kind && e.message), JSON.stringify(errors));
      } finally {
        player.close();
      }
    });

    test('a playlist where nothing plays is an error with each file\'s reason', async () => {
      await assert.rejects(WasmPlayer.open(flavour, [file('notes.mp3')]), (e) => ['unsupported', 'malformed'].includes(e.kind));
      await assert.rejects(WasmPlayer.open(flavour, [file('notes.mp3'), file('empty.wav')]), (e) => e.kind === 'invalid_argument');
    });
  });
}

function pick(object, ...keys) {
  return keys.map((k) => object[k]);
}
