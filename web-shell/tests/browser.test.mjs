// Browser tests: the web shell in one engine — TONEARM_ENGINE=chromium (default), firefox or
// webkit (engines.mjs; scripts/web test runs all three) — served by web-shell/serve.mjs twice:
// with COOP/COEP (cross-origin isolated) and without. The page picks its decoder module by what
// the engine has (flavour.js): threaded on shared wasm memory where it can, else unthreaded
// with transferred ArrayBuffers. Every test runs once per module the engine can run: Chromium
// and Firefox run both, WebKitGTK only the unthreaded one (it has no SharedArrayBuffer), on the
// isolated server, where falling back is what it must do.
//
// What plays is recorded by the page's measurement hook (?tap: an AudioWorklet just before the
// destination) and compared with tonearm's native decode of the same file:
//   WAV and FLAC: every sample identical (the context runs at the file's rate: 44.1 and 48 kHz)
//   Vorbis, Opus, MP3, AAC in M4A, Opus in WebM: within LOSSY_TOLERANCE (see decode.test.mjs);
//   Ogg Vorbis and Opus through the Ogg module, the last two through the FFmpeg module, which
//   the worker loads for them and only for them
// Before the first click nothing is evaluated in the page (Puppeteer's evaluate counts as a user
// gesture): state comes from what the page logs, through instrument.js (browser.mjs).
// Every page's log is also held to the page's promise of honesty: 'playing' only while the
// AudioContext runs.
//
// Underruns (a block that arrives too late: the schedule moves on and leaves a gap) depend on
// how loaded the machine is, and no test here is about them (scripts/soak and scripts/bench
// report them). So up to MAX_UNDERRUNS are allowed, and the sample comparisons step over at
// most as many gaps as the page counted: every sample must still be there, in order, exact.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test as nodeTest } from 'node:test';

import { engineNamed, launch, serve, sleep, soundServer, tapCapture, waitFor } from './browser.mjs';
import { FIXTURES, LOSSY_TOLERANCE, compareAligned, firstNonSilent, fixtures, matchPieces, readFloatWav } from './fixtures.mjs';
import { SinkRecorder } from './sink.mjs';

// WebKitGTK's browser can die under a test (seen once in CI: MiniBrowser gone in the middle of
// the keyboard test, every later command "invalid session id"). The driver then gives the next
// page a new browser; the test that met the crash runs once more, and fails if it meets another.
function test(name, options, fn) {
  if (typeof options === 'function') [options, fn] = [{}, options];
  return nodeTest(name, options, async (t) => {
    try {
      return await fn(t);
    } catch (e) {
      if (!e.browserLost) throw e;
      t.diagnostic(`the browser died under this test, which runs once more: ${e.message}`);
      return fn(t);
    }
  });
}

const engine = engineNamed(process.env.TONEARM_ENGINE || 'chromium');
const dir = fixtures();
let browser;
const servers = {};

// The page's module on each server, and whether the whole suite runs there (once per module).
const variants = [
  { isolation: true, flavour: engine.sharedMemory ? 'threads' : 'nothreads', suite: true },
  { isolation: false, flavour: 'nothreads', suite: engine.sharedMemory },
];

before(async () => {
  browser = await launch(engine);
  const mounts = [{ prefix: '/fixtures', dir }];
  servers.isolated = await serve({ isolation: true, mounts });
  servers.plain = await serve({ isolation: false, mounts });
  servers.wholeBodies = await serve({ isolation: true, ranges: false, mounts });   // no Range requests
});

after(async () => {
  await browser?.close();
  for (const s of Object.values(servers)) await s.close();
});

// A fresh page of `server` at `query`. done() closes it and checks its log: no errors (but
// those matching allowErrors), and never 'playing' unless the context runs.
async function openPage(server, query, { allowErrors = [], on = browser } = {}) {
  const { page, log } = await server.open(on, query);
  const done = async () => {
    await sleep(50);   // the last lines are still on their way
    const errors = [...log.errors, ...page.engineErrors].filter((e) => !allowErrors.some((re) => re.test(e)));
    await page.close();
    assert.deepEqual(errors, [], 'console errors');
    const dishonest = log.states.filter((s) => s.phase === 'playing' && s.audio !== 'running');
    assert.deepEqual(dishonest, [], 'the page said "playing" while its AudioContext was not running');
  };
  return { page, log, done };
}

const MAX_UNDERRUNS = 2;
function allowUnderruns(t, s) {
  if (s.underruns) t.diagnostic(`${s.underruns} underrun(s): a block arrived late and playback moved on (machine load)`);
  assert.ok(s.underruns <= MAX_UNDERRUNS, `${s.underruns} underruns`);
}

// Spearman's rank correlation (ties get their mean rank).
function spearman(xs, ys) {
  const ranks = (v) => {
    const order = v.map((x, i) => [x, i]).sort((a, b) => a[0] - b[0]);
    const r = new Array(v.length);
    for (let i = 0; i < order.length;) {
      let j = i;
      while (j + 1 < order.length && order[j + 1][0] === order[i][0]) j++;
      for (let k = i; k <= j; k++) r[order[k][1]] = (i + j) / 2;
      i = j + 1;
    }
    return r;
  };
  const a = ranks(xs);
  const b = ranks(ys);
  const mean = (v) => v.reduce((x, y) => x + y, 0) / v.length;
  const ma = mean(a);
  const mb = mean(b);
  let num = 0;
  let da = 0;
  let db = 0;
  for (let i = 0; i < a.length; i++) {
    num += (a[i] - ma) * (b[i] - mb);
    da += (a[i] - ma) ** 2;
    db += (b[i] - mb) ** 2;
  }
  return num / Math.sqrt(da * db);
}

const stats = (page) => page.evaluate(() => ({ ...window.tonearm.playback.stats, copy: globalThis.__copyToChannel }));
const probe = (page) => page.evaluate(() => window.tonearm.client.probe());

describe(`${engine.label}: the driver`, () => {
  test(`script evaluation ${engine.scriptActivates ? 'counts' : 'does not count'} as a user gesture (why the tests read logs before the click)`, async () => {
    const { page, log, done } = await openPage(servers.isolated, '?src=/fixtures/tone.wav');
    await log.untilPhase('ready');
    assert.equal(await page.evaluate(() => navigator.userActivation.isActive), engine.scriptActivates);
    await done();
  });
});

for (const { isolation, flavour, suite } of variants) {
  const server = () => (isolation ? servers.isolated : servers.plain);
  const open = (query, options) => openPage(server(), query, options);
  describe(`${engine.label}, ${isolation ? 'with' : 'without'} COOP/COEP: the ${flavour} module`, () => {
    // A browser of its own for each module.
    before(async () => {
      await browser?.close();
      browser = await launch(engine);
    });
    test(`the page picks the ${flavour} module by what the engine has, and says so in its footer`, async () => {
      const { page, log, done } = await open('?src=/fixtures/tone.wav');
      await log.untilPhase('ready');
      assert.equal(log.state().flavour, flavour);
      await log.until((l) => l.state().module, 'the module loaded');
      const footer = await page.text('#engine');
      if (flavour === 'threads') assert.match(footer, /^threaded wasm decoder \(shared memory\)$/);
      else assert.match(footer, /^single-threaded wasm decoder · no (.*, )?(SharedArrayBuffer|cross-origin isolation)/);
      if (isolation && flavour === 'nothreads') assert.match(footer, /no SharedArrayBuffer/, 'isolated, and still no threads: why');
      // The worker has no Web Audio (AudioContext and AudioBuffer are not for workers); the
      // threaded module's memory is shared.
      const worker = await probe(page);
      assert.deepEqual(worker.webAudio, ['undefined', 'undefined', 'undefined', 'undefined']);
      assert.equal(worker.sharedMemory, flavour === 'threads');
      await done();
    });

    if (!suite) return;

    test('nothing sounds before the click; clicking the canvas starts playback', async () => {
      const { page, log, done } = await open('?tap&src=/fixtures/tone.wav');
      await log.untilPhase('ready');
      await sleep(700);   // time for anything that would start on its own
      // The context is made ahead (a click then only resumes it), but nothing plays in it.
      assert.ok(log.states.every((s) => s.phase !== 'playing' && s.phase !== 'starting'), `phases before the click: ${JSON.stringify(log.states)}`);
      assert.ok(log.contexts <= 1, `${log.contexts} AudioContexts before the click`);
      assert.equal(log.firstSound, null, 'sound before the click');

      await page.click('canvas');
      await log.until((l) => l.state().audio === 'running', 'a running AudioContext', 5000);
      await log.until((l) => l.firstSound, 'the first non-silent sample at the tap', 5000);
      await log.untilPhase('playing', 5000);
      assert.equal(log.contexts, 1);
      // Honest: never 'playing' before the context ran (done() checks every line).
      const phases = log.states.map((s) => s.phase);
      assert.ok(phases.includes('starting') && phases.indexOf('starting') < phases.indexOf('playing'), `phases: ${phases.join(' ')}`);
      const info = await page.evaluate(() => ({
        isolated: crossOriginIsolated, flavour: window.tonearm.flavour, state: window.tonearm.playback.ctx.state,
        rate: window.tonearm.playback.ctx.sampleRate,
      }));
      assert.deepEqual(info, { isolated: isolation, flavour, state: 'running', rate: 44100 });
      await done();
    });

    // What a listener hears: the sound server's sink, silent until the click, then the file
    // (once per engine: the module makes no difference past the page).
    if (isolation) test('the sound server hears nothing before the click, then tone.wav', { skip: !soundServer() && 'no sound server (PULSE_SERVER)' }, async (t) => {
      const { page, log, done } = await open('?src=/fixtures/tone.wav');
      const before = await SinkRecorder.start();
      await log.untilPhase('ready');
      await sleep(700);
      const after = await SinkRecorder.start();   // overlaps: nothing between the two is missed
      const silence = await before.stop();
      assert.ok(silence[0].length > 0.5 * 44100, `recorded only ${silence[0].length} frames before the click`);
      assert.equal(firstNonSilent(silence), -1, 'the sink played sound before the click');
      await page.click('canvas');
      await log.untilPhase('ended', 15000);
      const heard = await after.stop();
      const ref = readFloatWav(path.join(dir, 'tone.wav.ref.wav'));
      // Dropouts at the device are load, and a listener's problem, not this test's: every
      // piece heard must be the file, in order, and most of it must be heard.
      const m = matchPieces(heard, ref.planar, { tolerance: engine.sinkTolerance });
      assert.equal(m.firstForeign, -1, `the sink played something else at recorded frame ${m.firstForeign}`);
      if (m.pieces.length > 1) t.diagnostic(`${m.pieces.length - 1} dropout(s) at the sink: ${m.skipped} frames not heard (machine load)`);
      // (A stream joining an idle sink may lose its first milliseconds at the monitor.)
      assert.ok(m.heard > 0.75 * ref.frames, `the sink played ${m.heard} of ${ref.frames} frames (first piece from frame ${m.pieces[0]?.from})`);
      await done();
    });

    test('without ?src= the demo plays after a click; time and progress advance; ↓/↑ set the volume', async (t) => {
      const { page, log, done } = await open('?tap');
      await log.untilPhase('ready');
      assert.ok(log.states.every((s) => s.phase !== 'playing' && s.phase !== 'starting'), `phases before the click: ${JSON.stringify(log.states)}`);
      assert.equal(log.firstSound, null, 'sound before the click');
      await page.click('canvas');
      await log.until((l) => l.firstSound, 'the first non-silent sample at the tap', 5000);
      assert.deepEqual(await page.evaluate(() => ({ name: window.tonearm.state.name, rate: window.tonearm.playback.ctx.sampleRate })),
        { name: 'demo.flac', rate: 44100 });
      assert.equal(await page.text('#title'), 'Tonearm Demo');
      assert.match(await page.text('#meta'), /^tonearm · FLAC · 44\.1 kHz · 16-bit · stereo · 0:20$/);

      // The time text and the seek slider follow what is heard.
      const duration = 897318 / 44100;
      const progress = async () => {
        const p = await page.evaluate(() => ({ time: document.getElementById('time').textContent,
          seek: Number(document.getElementById('seek').value), position: window.tonearm.playback.position() }));
        const m = /^(\d+):(\d\d) \/ 0:20$/.exec(p.time);
        assert.ok(m, `time text ${JSON.stringify(p.time)}`);
        p.seconds = Number(m[1]) * 60 + Number(m[2]);
        // Both drawn on the last animation frame, just before the position was read: never
        // ahead of it, and behind by what a late frame on a loaded machine allows.
        const lag = 1.3;
        assert.ok(p.seconds <= p.position + 0.01 && p.position - p.seconds < lag, `time text ${p.time} at ${p.position} s`);
        const heard = (p.position / duration) * 1000;
        assert.ok(p.seek <= heard + 1 && heard - p.seek < (lag / duration) * 1000, `seek slider at ${p.seek}‰ at ${p.position} s`);
        return p;
      };
      await sleep(1200);
      const p1 = await progress();
      await sleep(1100);
      const p2 = await progress();
      assert.ok(p1.seconds >= 1, `after 1.2 s of sound the time says ${p1.time}`);
      assert.ok(p2.seconds > p1.seconds && p2.seek > p1.seek + 30, `no progress: ${JSON.stringify([p1, p2])}`);

      // ↓ ten times: volume 50 % (the terminal's 5 % steps, from the module); ↑ ten times: 100 %.
      const volume = (want) => waitFor(page, (w) => {
        const v = [Number(document.getElementById('volume').value), window.tonearm.playback.gain.gain.value];
        return v[0] === w[0] && v[1] === w[1] && v;
      }, want, `volume ${want}`, 3000);
      for (let i = 0; i < 10; i++) await page.press('ArrowDown');
      assert.deepEqual(await volume([50, 0.5]), [50, 0.5]);
      await sleep(700);
      for (let i = 0; i < 10; i++) await page.press('ArrowUp');
      assert.deepEqual(await volume([100, 1]), [100, 1]);
      await sleep(500);
      await page.press('Space');
      await log.untilPhase('paused');

      // What the tap heard: the demo, bit-exact, at full volume, then at 50 % (each ↓ on the
      // way may show for a render quantum or more), then at full volume again.
      const captured = await tapCapture(page);
      const s = await stats(page);
      allowUnderruns(t, s);
      const ref = readFloatWav(path.join(dir, 'demo.flac.ref.wav'));
      const cmp = compareAligned(captured.planar, ref.planar, { gains: Array.from({ length: 11 }, (_, i) => 1 - i / 20), maxGaps: s.underruns });
      assert.equal(cmp.maxDiff, 0, `first difference at frame ${cmp.firstDiff} (max ${cmp.maxDiff})`);
      assert.ok(cmp.compared > 3 * 44100, `compared only ${cmp.compared} frames`);
      const runs = cmp.runs.map((r) => `${r.gain}×${r.frames}`).join(' ');
      const gains = cmp.runs.map((r) => r.gain);
      const half = gains.indexOf(0.5);
      assert.ok(cmp.runs[0].gain === 1 && cmp.runs[0].frames > 2 * 44100, `gain runs ${runs}`);
      assert.ok(half > 0 && cmp.runs[half].frames > 0.4 * 44100, `gain runs ${runs}`);
      assert.ok(cmp.runs.at(-1).gain === 1 && cmp.runs.at(-1).frames > 0.2 * 44100, `gain runs ${runs}`);
      assert.ok(gains.every((g, i) => i === 0 || (i <= half ? g < gains[i - 1] : g > gains[i - 1])), `gain runs ${runs}`);
      await done();
    });

    test('the waveform on the canvas follows the file, the played part in the accent colour', async () => {
      const { page, log, done } = await open('');
      await log.untilPhase('ready');
      await page.click('canvas');
      await log.untilPhase('playing');
      await page.press('ArrowRight');
      await page.press('ArrowRight');   // to 10 s: about half of the bars played
      await waitFor(page, () => window.tonearm.state.overviewProgress === 1 && window.tonearm.playback.position() > 10.1,
        undefined, 'the waveform scanned and 10 s played');
      await page.press('Space');   // paused: the level meter is empty, the playhead still
      await log.untilPhase('paused');
      await sleep(100);            // a few frames drawn in this state
      const { W, H, cols, fraction } = await page.evaluate(() => {
        const canvas = document.getElementById('view');
        const { width, height } = canvas;
        const px = canvas.getContext('2d').getImageData(0, 0, width, height).data;
        const is = (o, rgb) => Math.abs(px[o] - rgb[0]) <= 2 && Math.abs(px[o + 1] - rgb[1]) <= 2 && Math.abs(px[o + 2] - rgb[2]) <= 2;
        const out = [];
        for (let x = 0; x < width; x++) {
          let top = -1;
          let bottom = -1;
          let played = 0;
          let wave = 0;
          for (let y = 0; y < height; y++) {
            const o = (y * width + x) * 4;
            const p = is(o, [0x5e, 0xea, 0xd4]);   // played
            if (p || is(o, [0x3a, 0x44, 0x59])) {   // not yet played
              if (top < 0) top = y;
              bottom = y;
              if (p) played++;
              else wave++;
            }
          }
          out.push({ top, bottom, played, wave });
        }
        const { state, playback } = window.tonearm;
        return { W: width, H: height, cols: out, fraction: playback.position() / (state.info.frames / state.info.sample_rate) };
      });
      // Bars: runs of columns holding waveform pixels.
      const bars = [];
      for (let x = 0; x < W; x++) {
        if (cols[x].top < 0) continue;
        const last = bars.at(-1);
        if (last && last.x1 === x - 1) last.x1 = x;
        else bars.push({ x0: x, x1: x });
      }
      assert.ok(bars.length >= 100, `${bars.length} waveform bars drawn`);
      const left = bars[0].x0;
      const right = bars.at(-1).x1 + 1;
      assert.ok(right - left > 0.7 * W, `the waveform spans ${left}..${right} of ${W} px`);
      const playheadX = left + fraction * (right - left);
      const ref = readFloatWav(path.join(dir, 'demo.flac.ref.wav'));
      const heights = [];
      const peaks = [];
      bars.forEach((bar, i) => {
        if (Math.abs((bar.x0 + bar.x1) / 2 - playheadX) < 10) return;   // under the playhead's glow
        const c = cols.slice(bar.x0, bar.x1 + 1);
        const top = Math.min(...c.map((k) => k.top));
        const bottom = Math.max(...c.map((k) => k.bottom));
        assert.ok(Math.abs(top + bottom - (H - 1)) <= 3, `bar at x=${bar.x0} not mirrored around the middle: ${top}..${bottom}`);
        const played = c.reduce((n, k) => n + k.played, 0);
        const wave = c.reduce((n, k) => n + k.wave, 0);
        if (bar.x1 < playheadX) assert.ok(played > 0 && wave === 0, `bar at x=${bar.x0}, left of the playhead (${playheadX.toFixed(0)}), is not in the played colour`);
        else assert.ok(wave > 0 && played === 0, `bar at x=${bar.x0}, right of the playhead (${playheadX.toFixed(0)}), is in the played colour`);
        // The file's peak over the stretch this bar stands for (up to the next bar).
        const from = Math.floor(((bar.x0 - left) / (right - left)) * ref.frames);
        const to = Math.ceil((((bars[i + 1]?.x0 ?? right) - left) / (right - left)) * ref.frames);
        let peak = 0;
        for (const ch of ref.planar) for (let f = from; f < to && f < ref.frames; f++) peak = Math.max(peak, Math.abs(ch[f]));
        heights.push(bottom - top + 1);
        peaks.push(peak);
      });
      // Taller bars where the file is louder, whatever the scale: rank correlation.
      const rho = spearman(heights, peaks);
      assert.ok(rho > 0.85, `bar heights vs the file's peaks: Spearman ρ = ${rho.toFixed(3)}`);
      await done();
    });

    for (const f of FIXTURES.filter((x) => x.seconds <= 5)) {
      const block = f.name === 'tone.flac' ? 1000 : f.name === 'tone.wav' ? 16384 : 4410;
      test(`${f.name} plays ${f.lossless ? 'bit-exactly' : `within ${LOSSY_TOLERANCE}`} (native decode = what the tap heard; ${block}-frame blocks)`, async (t) => {
        const { page, log, done } = await open(`?tap&block=${block}&src=/fixtures/${f.name}`);
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
        // The Ogg and FFmpeg modules are fetched for a file that needs them and only then (the
        // default module's files in the list show that the engine reports a worker's fetches).
        const { modules } = await probe(page);
        assert.ok(modules.includes(`tonearm-${flavour}.wasm`), `the worker fetched ${modules.join(', ')}`);
        for (const extra of ['ogg', 'ffmpeg']) {
          const fetched = modules.filter((name) => name === `tonearm-${flavour}-${extra}.js` || name === `tonearm-${flavour}-${extra}.wasm`);
          assert.equal(fetched.length, f.module === extra ? 2 : 0, `the worker fetched ${modules.join(', ')}`);
        }
        assert.equal(s.copy.shared, 0, `copyToChannel got shared views: ${s.copy.sharedSeen.join('; ')}`);
        // threads: one set() per channel out of shared memory into the AudioBuffer's own arrays;
        // nothreads: copyToChannel from the transferred (owned) buffer.
        assert.equal(s.copy.calls, flavour === 'threads' ? 0 : s.blocks * ref.channels);
        await done();
      });
    }

    if (flavour === 'threads') {
      test('copyToChannel instrumentation sees a shared view, which the engine refuses (the check above is live)', async () => {
        const { page, log, done } = await open('?src=/fixtures/tone.wav');
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
    }

    test('long file: playback starts after the first block and only a few seconds are decoded ahead', async (t) => {
      const { page, log, done } = await open('?tap&src=/fixtures/long.flac');
      await log.untilPhase('ready');
      await page.click('canvas');
      await log.until((l) => l.firstSound, 'first sound');
      const atFirst = await stats(page);
      await sleep(1500);
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

    test('a 2.5 s stall of the main thread while playing leaves no gap: the tap hears the file whole', async () => {
      const { page, log, done } = await open('?tap&src=/fixtures/long.flac');
      await log.untilPhase('ready');
      await page.click('canvas');
      await log.until((l) => l.firstSound, 'first sound');
      await sleep(1500);   // the schedule is full: 3 s ahead
      await page.evaluate(() => {
        const until = performance.now() + 2500;
        while (performance.now() < until) { /* a page busy with something else */ }
      });
      await sleep(1500);
      await page.press('Space');
      await log.untilPhase('paused');
      const captured = await tapCapture(page);
      const ref = readFloatWav(path.join(dir, 'long.flac.ref.wav'));
      // No allowance for late blocks here: 3 s were scheduled ahead, so a 2.5 s stall must not
      // make one.
      assert.equal((await stats(page)).underruns, 0, 'underruns');
      const heard = captured.planar[0].length;
      const cmp = compareAligned(captured.planar, ref.planar.map((c) => c.subarray(0, heard + 1)));
      assert.ok(cmp.compared > 5 * 44100, `compared only ${cmp.compared} frames`);
      assert.equal(cmp.maxDiff, 0, `first difference at frame ${cmp.firstDiff}`);
      await done();
    });

    test('wasm memory growing while playing (threads: a new SharedArrayBuffer) keeps the output bit-exact', async (t) => {
      const { page, log, done } = await open('?tap&src=/fixtures/long.flac');
      await log.untilPhase('ready');
      await page.click('canvas');
      await log.until((l) => l.firstSound, 'first sound');
      const before = (await probe(page)).memoryBytes;
      // A large allocation in the same module forces memory growth.
      const { grew } = await page.evaluate(() => window.tonearm.client.grow(96 << 20));
      assert.ok(grew, 'the allocation failed');
      assert.ok((await probe(page)).memoryBytes > before, 'the memory did not grow');
      // Blocks decoded after the growth are scheduled 3 s ahead: play past them.
      await sleep(5000);
      await page.press('Space');
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
      const { page, log, done } = await open('?src=/fixtures/long.flac');
      await log.untilPhase('ready');
      await page.click('canvas');
      await log.untilPhase('playing');
      const position = () => page.evaluate(() => window.tonearm.playback.position());

      await page.press('Space');
      await log.until((l) => l.state().phase === 'paused' && l.state().audio === 'suspended', 'paused');
      await page.press('Space');
      await log.until((l) => l.state().phase === 'playing' && l.state().audio === 'running', 'playing again');
      // A seek is heard once the worker's player has moved (a message each way): wait for it.
      const seekedTo = (lo, hi, what) => waitFor(page, ([l, h]) => {
        const p = window.tonearm.playback.position();
        return p >= l && p < h && p;
      }, [lo, hi], what, 3000);
      const before = await position();
      await page.press('ArrowRight');
      const right = await seekedTo(before + 5, before + 6.5, `ArrowRight: 5 s on from ${before}`);
      await page.press('ArrowLeft');
      // The new schedule starts at exactly right - 5 s and has played for a moment since.
      await seekedTo(right - 5, right - 5 + 1.2, `ArrowLeft: 5 s back from ${right}`);
      await page.press('ArrowLeft');
      await page.press('ArrowLeft');
      await seekedTo(0, 1.2, 'ArrowLeft stopping at the start');

      // The slider to its middle (half of 40 s), as dragging it ends: input, then change.
      await page.evaluate(() => {
        const seek = document.getElementById('seek');
        seek.value = '500';
        seek.dispatchEvent(new Event('input', { bubbles: true }));
        seek.dispatchEvent(new Event('change', { bubbles: true }));
      });
      await seekedTo(20, 21.5, 'the slider at its middle');

      await page.upload('#file', path.join(dir, 'tone.flac'));
      await log.until((l) => l.states.some((s) => s.phase === 'loading'), 'loading the picked file');
      await log.untilPhase('playing');
      await waitFor(page, () => window.tonearm.playback.ctx?.sampleRate === 48000 && window.tonearm.playback.position() > 0.2,
        undefined, 'the picked 48 kHz file playing');
      assert.match(await page.text('#meta'), /FLAC · 48 kHz · 24-bit · stereo/);

      // Drop a file on the page.
      await page.evaluate(async () => {
        const bytes = await (await fetch('/fixtures/tone.wav')).arrayBuffer();
        const data = new DataTransfer();
        data.items.add(new File([bytes], 'dropped.wav', { type: 'audio/wav' }));
        document.body.dispatchEvent(new DragEvent('drop', { dataTransfer: data, bubbles: true, cancelable: true }));
      });
      await waitFor(page, () => window.tonearm.state.name === 'dropped.wav' && window.tonearm.playback.ctx?.sampleRate === 44100
        && window.tonearm.playback.position() > 0.2, undefined, 'the dropped 44.1 kHz file playing');
      const s = await stats(page);
      assert.equal(s.contexts, 3, 'a new context per sample rate change (44.1 → 48 → 44.1 kHz)');
      // Underruns are not this test's subject (and seeks restart the schedule): not checked.
      await done();
    });

    test('a 2-hour file picked through the file input is read in slices: wasm memory as for a short file; its last minute plays at once', async () => {
      const { page, log, done } = await open('?src=/fixtures/tone.wav');
      await log.untilPhase('ready');
      await page.click('canvas');
      await log.untilPhase('playing');
      const short = (await probe(page)).memoryBytes;
      await page.upload('#file', path.join(dir, 'hours.wav'));
      await waitFor(page, () => window.tonearm.state.name === 'hours.wav' && window.tonearm.playback.position() > 0.2,
        undefined, 'the 2-hour file playing');
      const long = (await probe(page)).memoryBytes;
      const mib = (bytes) => `${(bytes / 1048576).toFixed(1)} MiB`;
      assert.ok(long <= 1.5 * short, `wasm memory: ${mib(long)} playing the 115 MB file, ${mib(short)} playing a 4-second one`);
      // The slider to 7142.4 s of 7200, as dragging it ends.
      await page.evaluate(() => {
        const seek = document.getElementById('seek');
        seek.value = '992';
        seek.dispatchEvent(new Event('input', { bubbles: true }));
        seek.dispatchEvent(new Event('change', { bubbles: true }));
      });
      await waitFor(page, () => window.tonearm.playback.position() > 7142.5, undefined, 'playing in the last minute', 5000);
      assert.ok((await probe(page)).memoryBytes <= 1.5 * short, 'wasm memory after the seek');
      await done();
    });

    if (isolation) test('?src= on a server that ignores Range requests: the whole body is read (from a Blob), bit-exactly', async (t) => {
      const { page, log, done } = await openPage(servers.wholeBodies, '?tap&src=/fixtures/tone.flac');
      await log.untilPhase('ready');
      await page.click('canvas');
      await log.untilPhase('ended', 15000);
      const captured = await tapCapture(page);
      const ref = readFloatWav(path.join(dir, 'tone.flac.ref.wav'));
      const s = await stats(page);
      allowUnderruns(t, s);
      const cmp = compareAligned(captured.planar, ref.planar, { tolerance: 0, maxGaps: s.underruns });
      assert.equal(cmp.compared, cmp.frames, `captured ${cmp.compared} of ${cmp.frames} frames`);
      assert.equal(cmp.maxDiff, 0, `first difference at frame ${cmp.firstDiff}`);
      await done();
    });

    test('three files picked together play gaplessly as one playlist: the tap hears the album whole, bit for bit', async (t) => {
      const { page, log, done } = await open('?tap&src=/fixtures/tone.wav');
      await log.untilPhase('ready');
      const album = ['album-1.wav', 'album-2.flac', 'album-3.wav'];
      await page.upload('#file', ...album.map((name) => path.join(dir, name)));
      await log.until((l) => l.states.some((s) => s.phase === 'loading'), 'loading the picked files');
      await log.untilPhase('ready');
      await page.click('canvas');
      await log.untilPhase('ended', 15000);
      const captured = await tapCapture(page);
      const ref = readFloatWav(path.join(dir, 'tone.wav.ref.wav'));
      const s = await stats(page);
      allowUnderruns(t, s);
      const cmp = compareAligned(captured.planar, ref.planar, { tolerance: 0, maxGaps: s.underruns });
      assert.equal(cmp.compared, cmp.frames, `captured ${cmp.compared} of ${cmp.frames} frames`);
      assert.equal(cmp.maxDiff, 0, `first difference at frame ${cmp.firstDiff}`);
      const list = await page.evaluate(() => [...document.querySelectorAll('#playlist li')]
        .map((li) => `${li.textContent}${li.getAttribute('aria-current') ? ' *' : ''}`));
      assert.deepEqual(list, ['album-1.wav', 'album-2.flac', 'album-3.wav *']);
      assert.equal(await page.evaluate(() => window.tonearm.state.name), 'album-3.wav');
      await done();
    });

    test('n and p (the terminal\'s keys) and a click in the list move between the picked files', async () => {
      const { page, log, done } = await open('?src=/fixtures/tone.wav');
      await log.untilPhase('ready');
      await page.upload('#file', path.join(dir, 'long.flac'), path.join(dir, 'tone.wav'), path.join(dir, 'long.flac'));
      await log.until((l) => l.states.some((s) => s.phase === 'loading'), 'loading the picked files');
      await log.untilPhase('ready');
      await page.click('canvas');
      await log.untilPhase('playing');
      const at = (track, name) => waitFor(page, ([k, n]) => {
        const { state, playback } = window.tonearm;
        return state.track === k && state.name === n && playback.position() > 0.05 && playback.position() < 1.5;
      }, [track, name], `track ${track} (${name}) playing from its start`, 5000);
      await page.press('n');
      await at(1, 'tone.wav');
      assert.match(await page.text('#meta'), /WAV · 44\.1 kHz · 16-bit · stereo · 0:03$/);
      await page.press('n');
      await at(2, 'long.flac');
      await page.press('p');
      await at(1, 'tone.wav');
      await page.evaluate(() => document.querySelectorAll('#playlist li')[0].click());
      await at(0, 'long.flac');
      await done();
    });

    const broken = [
      { src: '/fixtures/empty.wav', shows: /Cannot play empty\.wav: the file is damaged.*empty file/ },
      { src: '/fixtures/notes.mp3', shows: /Cannot play notes\.mp3: (this is not an audio format|the file is damaged)/ },
      { src: '/fixtures/missing.flac', shows: /Cannot play missing\.flac: the file was not found .*HTTP 404/, allow: [/404/] },
    ];
    for (const b of broken) {
      test(`?src=${b.src} shows an error, then the page still plays a good file`, async () => {
        const { page, log, done } = await open(`?tap&src=${b.src}`, { allowErrors: b.allow || [] });
        await log.untilPhase('error');
        assert.match(log.state().error, b.shows);
        assert.deepEqual(await page.evaluate(() => {
          const status = document.getElementById('status');
          return [status.textContent, status.classList.contains('error'), getComputedStyle(status).display !== 'none'];
        }), [log.state().error, true, true]);
        await page.upload('#file', path.join(dir, 'tone.wav'));
        await log.untilPhase('ready');
        await page.click('canvas');
        await log.until((l) => l.firstSound, 'sound from the good file');
        await done();
      });
    }

    test('a corrupt FLAC shows a decode error while playing, and the page recovers', async () => {
      const { page, log, done } = await open('?tap&src=/fixtures/corrupt.flac');
      await log.untilPhase('ready');
      await page.click('canvas');
      await log.untilPhase('error', 10000);
      assert.match(log.state().error, /Playback of corrupt\.flac stopped: the file is damaged/);
      await page.upload('#file', path.join(dir, 'tone.wav'));
      await log.untilPhase('playing');
      await done();
    });

    test('a decoder module that fails to load shows an error on the page', async () => {
      // A server whose .wasm files are missing: the worker starts, its module cannot.
      const empty = fs.mkdtempSync(path.join(os.tmpdir(), 'tonearm-empty-'));
      const brokenServer = await serve({ isolation, mounts: [
        { prefix: '/fixtures', dir }, { prefix: '/tonearm-threads.wasm', dir: empty }, { prefix: '/tonearm-nothreads.wasm', dir: empty }] });
      try {
        const { log, done } = await openPage(brokenServer, '?src=/fixtures/tone.wav', { allowErrors: [/404|wasm/i] });
        await log.untilPhase('error');
        assert.match(log.state().error, /The decoder stopped working: the \w+ decoder module failed to load/);
        await done();
      } finally {
        await brokenServer.close();
        fs.rmSync(empty, { recursive: true, force: true });
      }
    });

    test('50 start/stop clicks and 40 failed opens: errors shown, no new workers or contexts, no memory growth', async (t) => {
      const { page, log, done } = await open('?src=/fixtures/long.flac', { allowErrors: [/404/] });
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
        await waitFor(page, () => window.tonearm.state.overviewProgress === 1 && window.tonearm.playback.position() > 0.5,
          undefined, 'the long file playing, its waveform scanned');
      };
      await log.untilPhase('ready');
      await page.click('canvas');
      await log.untilPhase('playing');
      await failedOpens(1);   // warm-up: the allocator's steady state, not the first-use peaks
      await settle();
      const wasmBefore = (await probe(page)).memoryBytes;
      const heapBefore = await page.heapUsed();

      for (let i = 0; i < 50; i++) {
        await page.click('canvas');
        await sleep(20);
      }
      await log.until((l) => l.state().phase === 'playing' && l.state().audio === 'running', 'playing after an even number of clicks');
      await failedOpens(10);
      await settle();

      const heapAfter = await page.heapUsed();
      const wasmAfter = (await probe(page)).memoryBytes;
      const s = await page.evaluate(() => ({ workers: window.tonearm.client.workersStarted, contexts: window.tonearm.playback.stats.contexts }));
      assert.deepEqual(s, { workers: 1, contexts: 1 });
      assert.equal(log.contexts, 1, 'AudioContexts made');
      if (heapBefore === null) t.diagnostic(`${engine.label} does not report its JS heap: only wasm memory is compared`);
      else assert.ok(heapAfter - heapBefore < 2 << 20, `JS heap grew by ${((heapAfter - heapBefore) / 1048576).toFixed(2)} MB`);
      assert.equal(wasmAfter, wasmBefore, 'wasm memory grew');
      await done();
    });
  });
}

// Honest state where the AudioContext cannot start: the engine launched with no sound server.
describe(`${engine.label} without a sound server`, () => {
  let silent;
  before(async () => {
    silent = await launch(engine, { soundServer: false });
  });
  after(async () => {
    await silent?.close();
  });

  test(engine.needsSoundServer
    ? 'the context does not start: the page says so in one line, never "Playing", and a click retries'
    : 'the context starts anyway (no device needed): the page plays', async () => {
    const { page, log, done } = await openPage(servers.isolated, '?tap&src=/fixtures/tone.wav', { on: silent });
    await log.untilPhase('ready');
    await page.click('canvas');
    if (!engine.needsSoundServer) {
      await log.untilPhase('playing', 5000);
      await log.until((l) => l.firstSound, 'the first non-silent sample at the tap', 5000);
      return done();
    }
    await log.untilPhase('starting', 5000);
    await log.untilPhase('no-output', 10000);
    const says = /^No sound: the browser has not started audio output \(is there a sound device or server\?\)\. Click to try again\.$/;
    assert.match(await page.text('#status'), says);
    assert.deepEqual(await page.evaluate(() => [document.getElementById('play').disabled, document.getElementById('play').textContent]),
      [false, '▶']);
    assert.equal(log.firstSound, null, 'sound at the tap');
    // Not stuck: a click tries again (starting), and ends in the same one line.
    const lines = log.states.length;
    await page.click('#play');
    await log.until((l) => l.states.slice(lines).some((s) => s.phase === 'starting'), 'starting again');
    await log.untilPhase('no-output', 10000);
    assert.ok(log.states.every((s) => s.phase !== 'playing'), `phases: ${log.states.map((s) => s.phase).join(' ')}`);
    assert.equal(log.contexts, 1, 'AudioContexts made');
    await done();
  });
});
