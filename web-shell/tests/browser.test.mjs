// Browser tests: the web shell in Debian's Chromium (headless, no autoplay flags), served by
// web-shell/serve.mjs twice — with COOP/COEP (crossOriginIsolated: the threaded decoder on
// shared wasm memory) and without (the unthreaded decoder, transferred ArrayBuffers) — and
// every test runs against both.
//
// What plays is recorded by the page's measurement hook (?tap: an AudioWorklet just before the
// destination) and compared with tonearm's native decode of the same file:
//   WAV and FLAC: every sample identical (the context runs at the file's rate: 44.1 and 48 kHz)
//   Vorbis, Opus, MP3: within LOSSY_TOLERANCE (see decode.test.mjs)
// Before the click nothing is evaluated in the page (page.evaluate counts as a user gesture):
// state comes from console lines and Chrome's WebAudio domain.
//
// Underruns (a block that arrives too late: the schedule moves on and leaves a gap) depend on
// how loaded the machine is, and no test here is about them (scripts/soak and scripts/bench
// report them). So up to MAX_UNDERRUNS are allowed, and the sample comparisons step over at
// most as many gaps as the page counted: every sample must still be there, in order, exact.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';

import { INSTRUMENT_COPY_TO_CHANNEL, launch, serve, tapCapture, watch } from './browser.mjs';
import { FIXTURES, LOSSY_TOLERANCE, compareAligned, fixtures, readFloatWav } from './fixtures.mjs';

const dir = fixtures();
let browser;
const servers = {};

before(async () => {
  browser = await launch();
  const mounts = [{ prefix: '/fixtures', dir }];
  servers.threads = await serve({ isolation: true, mounts });
  servers.nothreads = await serve({ isolation: false, mounts });
});

after(async () => {
  await browser?.close();
  for (const s of Object.values(servers)) await s.close();
});

// A fresh page with copyToChannel instrumented, a console watcher and the WebAudio domain on.
async function openPage(flavour, query, { allowErrors = [] } = {}) {
  const page = await browser.context.newPage();
  await page.addInitScript(INSTRUMENT_COPY_TO_CHANNEL);
  const log = watch(page);
  const cdp = await browser.context.newCDPSession(page);
  const contexts = [];
  cdp.on('WebAudio.contextCreated', (event) => contexts.push(event.context));
  await cdp.send('WebAudio.enable');
  await page.goto(`${servers[flavour].url}index.html${query}`);
  const done = async () => {
    const errors = log.errors.filter((e) => !allowErrors.some((re) => re.test(e)));
    await page.close();
    assert.deepEqual(errors, [], 'console errors');
  };
  return { page, log, cdp, contexts, done };
}

async function heapUsed(cdp) {
  await cdp.send('HeapProfiler.collectGarbage');
  const { usedSize } = await cdp.send('Runtime.getHeapUsage');
  return usedSize;
}

const MAX_UNDERRUNS = 2;
function allowUnderruns(t, s) {
  if (s.underruns) t.diagnostic(`${s.underruns} underrun(s): a block arrived late and playback moved on (machine load)`);
  assert.ok(s.underruns <= MAX_UNDERRUNS, `${s.underruns} underruns`);
}

const stats = (page) => page.evaluate(() => ({ ...window.tonearm.playback.stats, copy: globalThis.__copyToChannel }));

for (const flavour of ['threads', 'nothreads']) {
  describe(`web shell, ${flavour} flavour (${flavour === 'threads' ? 'with' : 'without'} COOP/COEP)`, () => {
    test('nothing sounds before the click; clicking the canvas starts playback', async () => {
      const { page, log, contexts, done } = await openPage(flavour, '?tap&src=/fixtures/tone.wav');
      await log.untilPhase('ready');
      await page.waitForTimeout(700);   // time for anything that would start on its own
      assert.ok(log.states.every((s) => s.audio === 'none'), `audio state before the click: ${JSON.stringify(log.states)}`);
      assert.equal(contexts.length, 0, 'an AudioContext exists before the click');
      assert.equal(log.firstSound, null, 'sound before the click');

      await page.click('canvas');
      await log.until((l) => l.state().audio === 'running', 'a running AudioContext', 5000);
      await log.until((l) => l.firstSound, 'the first non-silent sample at the tap', 5000);
      assert.equal(contexts.length, 1);
      const info = await page.evaluate(() => ({
        isolated: crossOriginIsolated, flavour: window.tonearm.flavour, state: window.tonearm.playback.ctx.state,
        rate: window.tonearm.playback.ctx.sampleRate,
      }));
      assert.deepEqual(info, { isolated: flavour === 'threads', flavour, state: 'running', rate: 44100 });
      await done();
    });

    test('the worker runs without Web Audio; the threaded one on shared memory', async () => {
      const { page, log, done } = await openPage(flavour, '?src=/fixtures/tone.wav');
      await log.untilPhase('ready');
      const workers = page.workers();
      assert.equal(workers.length, 1);
      const inWorker = await workers[0].evaluate(() => [typeof AudioContext, typeof webkitAudioContext,
        typeof OfflineAudioContext, typeof AudioBuffer]);
      assert.deepEqual(inWorker, ['undefined', 'undefined', 'undefined', 'undefined']);
      const memory = await workers[0].evaluate(() => Object.prototype.toString.call(tonearm.HEAPU8.buffer));
      assert.equal(memory, flavour === 'threads' ? '[object SharedArrayBuffer]' : '[object ArrayBuffer]');
      await page.click('canvas');
      await log.untilPhase('playing');
      assert.equal(await page.evaluate(() => window.tonearm.state.workerHasWebAudio), false);
      await done();
    });

    for (const f of FIXTURES.filter((x) => x.seconds <= 5)) {
      const block = f.name === 'tone.flac' ? 1000 : f.name === 'tone.wav' ? 16384 : 4410;
      test(`${f.name} plays ${f.lossless ? 'bit-exactly' : `within ${LOSSY_TOLERANCE}`} (native decode = what the tap heard; ${block}-frame blocks)`, async (t) => {
        const { page, log, done } = await openPage(flavour, `?tap&block=${block}&src=/fixtures/${f.name}`);
        await log.untilPhase('ready');
        await page.click('canvas');
        await log.untilPhase('ended', (f.seconds + 10) * 1000);
        const captured = await tapCapture(page);
        const ref = readFloatWav(path.join(dir, `${f.name}.ref.wav`));
        const s = await stats(page);
        allowUnderruns(t, s);
        assert.equal(captured.first.sampleRate, f.rate, 'context rate = file rate');
        const cmp = compareAligned(captured.planar, ref.planar,
          { tolerance: f.lossless ? 0 : LOSSY_TOLERANCE, maxGaps: s.underruns });
        assert.equal(cmp.compared, cmp.frames, `captured ${cmp.compared} of ${cmp.frames} frames`);
        if (f.lossless) assert.equal(cmp.maxDiff, 0, `first difference at frame ${cmp.firstDiff} (max ${cmp.maxDiff})`);
        else assert.ok(cmp.maxDiff <= LOSSY_TOLERANCE, `max difference ${cmp.maxDiff} (SNR ${cmp.snrDb.toFixed(1)} dB)`);
        assert.equal(s.relayedFrames, ref.frames);
        assert.equal(s.copy.shared, 0, `copyToChannel got shared views: ${s.copy.sharedSeen.join('; ')}`);
        // threads: one set() per channel out of shared memory into the AudioBuffer's own arrays;
        // nothreads: copyToChannel from the transferred (owned) buffer.
        assert.equal(s.copy.calls, flavour === 'threads' ? 0 : s.blocks * ref.channels);
        await done();
      });
    }

    test('copyToChannel instrumentation sees a shared view (the check above is live)', async (t) => {
      if (flavour !== 'threads') return t.skip('SharedArrayBuffer needs cross-origin isolation');
      const { page, log, done } = await openPage(flavour, '?src=/fixtures/tone.wav');
      await log.untilPhase('ready');
      const result = await page.evaluate(() => {
        const buffer = new AudioBuffer({ length: 4, numberOfChannels: 1, sampleRate: 44100 });
        let error = null;
        try {
          buffer.copyToChannel(new Float32Array(new SharedArrayBuffer(16)), 0);
        } catch (e) {
          error = e.name;
        }
        return { error, shared: globalThis.__copyToChannel.shared };
      });
      assert.deepEqual(result, { error: 'TypeError', shared: 1 });
      await done();
    });

    test('long file: playback starts after the first block and only a few seconds are decoded ahead', async (t) => {
      const { page, log, done } = await openPage(flavour, '?tap&src=/fixtures/long.flac');
      await log.untilPhase('ready');
      await page.click('canvas');
      await log.until((l) => l.firstSound, 'first sound');
      const atFirst = await stats(page);
      await page.waitForTimeout(1500);
      const later = await stats(page);
      const rate = 44100;
      const block = 16384 / rate;
      assert.ok(atFirst.firstStartRelayedFrames <= 16384, `the first block waited for ${atFirst.firstStartRelayedFrames} frames`);
      assert.ok(atFirst.relayedFrames / rate <= 3 + 3 * block, `relayed ${atFirst.relayedFrames / rate} s by the first sound`);
      assert.ok(later.relayedFrames / rate < 3 + 1.5 + 2 * block, `relayed ${later.relayedFrames / rate} s of a 40 s file after 1.5 s`);
      assert.ok(later.maxScheduledAhead < 3 + block + 0.1, `scheduled ${later.maxScheduledAhead} s ahead`);
      allowUnderruns(t, later);
      await done();
    });

    test('wasm memory growing while playing (threads: a new SharedArrayBuffer) keeps the output bit-exact', async (t) => {
      const { page, log, done } = await openPage(flavour, '?tap&src=/fixtures/long.flac');
      await log.untilPhase('ready');
      await page.click('canvas');
      await log.until((l) => l.firstSound, 'first sound');
      const worker = page.workers()[0];
      const before = await worker.evaluate(() => tonearm.HEAPU8.length);
      // A second, large decoder in the same module (the benchmark hook) forces memory growth.
      const bench = await page.evaluate(() => window.tonearm.client.bench('/fixtures/big.wav'));
      assert.equal(bench.error, undefined);
      assert.ok((await worker.evaluate(() => tonearm.HEAPU8.length)) > before, 'the memory did not grow');
      // Blocks decoded after the growth are scheduled 3 s ahead: play past them.
      await page.waitForTimeout(5000);
      await page.keyboard.press('Space');
      await log.untilPhase('paused');
      const s = await page.evaluate(() => window.tonearm.client.stats);
      if (flavour === 'threads') assert.ok(s.memoryBuffers >= 2, `memory objects received: ${s.memoryBuffers}`);
      const captured = await tapCapture(page);
      const ref = readFloatWav(path.join(dir, 'long.flac.ref.wav'));
      const after = await stats(page);
      allowUnderruns(t, after);
      const heard = captured.planar[0].length;   // everything the tap saw until the pause
      const cmp = compareAligned(captured.planar, ref.planar.map((c) => c.subarray(0, heard + 1)), { maxGaps: after.underruns });
      assert.ok(cmp.compared > 4.5 * 44100, `compared only ${cmp.compared} frames`);
      assert.equal(cmp.maxDiff, 0, `first difference at frame ${cmp.firstDiff}`);
      await done();
    });

    test('keyboard, seek slider, file picker and drag-and-drop', async () => {
      const { page, log, done } = await openPage(flavour, '?src=/fixtures/long.flac');
      await log.untilPhase('ready');
      await page.click('canvas');
      await log.untilPhase('playing');
      const position = () => page.evaluate(() => window.tonearm.playback.position());

      await page.keyboard.press('Space');
      await log.until((l) => l.state().phase === 'paused' && l.state().audio === 'suspended', 'paused');
      await page.keyboard.press('Space');
      await log.until((l) => l.state().phase === 'playing' && l.state().audio === 'running', 'playing again');
      const before = await position();
      await page.keyboard.press('ArrowRight');
      await page.waitForTimeout(300);
      assert.ok((await position()) >= before + 5, 'ArrowRight seeks 5 s');

      await page.locator('#seek').fill('500');   // half of 40 s
      await page.waitForTimeout(300);
      const p = await position();
      assert.ok(p >= 20 && p < 21.5, `seek slider to the middle: ${p}`);

      await page.setInputFiles('#file', path.join(dir, 'tone.flac'));
      await log.until((l) => l.states.some((s) => s.phase === 'loading'), 'loading the picked file');
      await log.untilPhase('playing');
      await page.waitForFunction(() => window.tonearm.playback.ctx?.sampleRate === 48000 && window.tonearm.playback.position() > 0.2);
      assert.match(await page.locator('#meta').textContent(), /FLAC · 48 kHz · 24-bit · stereo/);

      // Drop a file on the page.
      await page.evaluate(async () => {
        const bytes = await (await fetch('/fixtures/tone.wav')).arrayBuffer();
        const data = new DataTransfer();
        data.items.add(new File([bytes], 'dropped.wav', { type: 'audio/wav' }));
        document.body.dispatchEvent(new DragEvent('drop', { dataTransfer: data, bubbles: true, cancelable: true }));
      });
      await page.waitForFunction(() => window.tonearm.state.name === 'dropped.wav' && window.tonearm.playback.ctx?.sampleRate === 44100
        && window.tonearm.playback.position() > 0.2);
      const s = await stats(page);
      assert.equal(s.contexts, 3, 'a new context per sample rate change (44.1 → 48 → 44.1 kHz)');
      // Underruns are not this test's subject (and seeks restart the schedule): not checked.
      await done();
    });

    const broken = [
      { src: '/fixtures/empty.wav', shows: /Cannot play empty\.wav: the file is damaged.*empty file/ },
      { src: '/fixtures/notes.mp3', shows: /Cannot play notes\.mp3: (this is not an audio format|the file is damaged)/ },
      { src: '/fixtures/missing.flac', shows: /Cannot play missing\.flac: the file was not found .*HTTP 404/, allow: [/404/] },
    ];
    for (const b of broken) {
      test(`?src=${b.src} shows an error, then the page still plays a good file`, async () => {
        const { page, log, done } = await openPage(flavour, `?tap&src=${b.src}`, { allowErrors: b.allow || [] });
        await log.untilPhase('error');
        assert.match(await page.locator('#status').textContent(), b.shows);
        assert.ok(await page.locator('#status.error').isVisible());
        await page.setInputFiles('#file', path.join(dir, 'tone.wav'));
        await log.untilPhase('ready');
        await page.click('canvas');
        await log.until((l) => l.firstSound, 'sound from the good file');
        await done();
      });
    }

    test('a corrupt FLAC shows a decode error while playing, and the page recovers', async () => {
      const { page, log, done } = await openPage(flavour, '?tap&src=/fixtures/corrupt.flac');
      await log.untilPhase('ready');
      await page.click('canvas');
      await log.untilPhase('error', 10000);
      assert.match(await page.locator('#status').textContent(), /Playback of corrupt\.flac stopped: the file is damaged/);
      await page.setInputFiles('#file', path.join(dir, 'tone.wav'));
      await log.untilPhase('playing');
      await done();
    });

    test('a decoder module that fails to load shows an error on the page', async () => {
      // A server whose .wasm files are missing: the worker starts, its module cannot.
      const empty = fs.mkdtempSync(path.join(os.tmpdir(), 'tonearm-empty-'));
      const broken = await serve({ isolation: flavour === 'threads', mounts: [
        { prefix: '/fixtures', dir }, { prefix: '/tonearm-threads.wasm', dir: empty }, { prefix: '/tonearm-nothreads.wasm', dir: empty }] });
      try {
        const page = await browser.context.newPage();
        const log = watch(page);
        await page.goto(`${broken.url}index.html?src=/fixtures/tone.wav`);
        await log.untilPhase('error');
        assert.match(await page.locator('#status').textContent(), /The decoder stopped working: the \w+ decoder module failed to load/);
        assert.ok(log.errors.every((e) => /404|wasm/i.test(e)), log.errors.join('\n'));
        await page.close();
      } finally {
        await broken.close();
        fs.rmSync(empty, { recursive: true, force: true });
      }
    });

    test('50 start/stop clicks and 40 failed opens: errors shown, no new workers or contexts, no memory growth', async () => {
      const { page, log, cdp, done } = await openPage(flavour, '?src=/fixtures/long.flac', { allowErrors: [/404/] });
      const broken = ['/fixtures/corrupt.flac', '/fixtures/empty.wav', '/fixtures/missing.flac', '/fixtures/notes.mp3'];
      const failedOpens = async (rounds) => {
        for (let round = 0; round < rounds; round++) {
          for (const src of broken) {
            await page.evaluate((s) => window.tonearm.open(s), src);
            if (!src.includes('corrupt')) await log.untilPhase('error');   // corrupt.flac fails while playing
          }
        }
      };
      // Back to the long file, playing, its waveform scan done: the state memory is compared in.
      const settle = async () => {
        await page.evaluate(() => window.tonearm.open('/fixtures/long.flac'));
        await log.untilPhase('playing');
        await page.waitForFunction(() => window.tonearm.state.overviewProgress === 1 && window.tonearm.playback.position() > 0.5);
      };
      await log.untilPhase('ready');
      await page.click('canvas');
      await log.untilPhase('playing');
      await failedOpens(1);   // warm-up: the allocator's steady state, not the first-use peaks
      await settle();
      const worker = page.workers()[0];
      const wasmBefore = await worker.evaluate(() => tonearm.HEAPU8.length);
      const heapBefore = await heapUsed(cdp);

      for (let i = 0; i < 50; i++) {
        await page.click('canvas', { delay: 0 });
        await page.waitForTimeout(20);
      }
      await log.until((l) => l.state().phase === 'playing' && l.state().audio === 'running', 'playing after an even number of clicks');
      await failedOpens(10);
      await settle();

      const heapAfter = await heapUsed(cdp);
      const wasmAfter = await worker.evaluate(() => tonearm.HEAPU8.length);
      const s = await page.evaluate(() => ({ workers: window.tonearm.client.workersStarted, contexts: window.tonearm.playback.stats.contexts }));
      assert.equal(page.workers().length, 1, 'workers alive');
      assert.deepEqual(s, { workers: 1, contexts: 1 });
      assert.ok(heapAfter - heapBefore < 2 << 20, `JS heap grew by ${((heapAfter - heapBefore) / 1048576).toFixed(2)} MB`);
      assert.equal(wasmAfter, wasmBefore, 'wasm memory grew');
      await done();
    });
  });
}
