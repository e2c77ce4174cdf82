#!/usr/bin/env node
// The web benchmark (scripts/bench calls it; it also runs alone): prints Markdown tables.
//   - per engine (Chromium, Firefox ESR, WebKitGTK) and module it runs: click → first
//     non-silent sample at the page's tap, main-thread time spent per second of audio relayed
//     from the worker, and the page's memory where the engine reports it
//   - decode speed (Chromium): the worker (both flavours) vs the same decode loop native
//     (native_decode_speed.cpp) and the native CLI (`play --null`), vs the same wasm under
//     node, vs Chromium's own decodeAudioData, on the same files
//   - wasm and glue sizes, raw and gzipped
// Environment (from scripts/bench): TONEARM_BENCH_QUICK=1 (fewer repeats), TONEARM_BENCH_CORPUS
// (its throughput/ files; default: this suite's fixtures), TONEARM_BENCH_SUMMARY (CSV rows are
// appended), TONEARM (the native binary), TONEARM_BENCH_ENGINES (default "chromium firefox
// webkit"). Firefox needs a sound server (scripts/bench starts one). Progress goes to stderr.
// Benchmarks are not tests: nothing here fails on a number.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';

import { dist, fixtures, repo } from './fixtures.mjs';

const quick = process.env.TONEARM_BENCH_QUICK === '1';
const native = process.env.TONEARM || path.join(repo, 'build/native-release/app/tonearm');
const say = (...args) => console.error('bench.mjs:', ...args);
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? (s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2) : NaN;
};
const fmt = (x, digits = 1) => (Number.isFinite(x) ? x.toFixed(digits) : 'n/a');
// "median (min–max)" of the finite values; just the median when there is only one.
const spread = (xs, digits = 1, unit = '') => {
  xs = xs.filter((v) => Number.isFinite(v));
  if (!xs.length) return 'n/a';
  const m = `${fmt(median(xs), digits)}${unit}`;
  return xs.length < 2 ? m : `${m} (${fmt(Math.min(...xs), digits)}–${fmt(Math.max(...xs), digits)})`;
};

// Build (no-op when cached) and install puppeteer-core before importing the browser harness.
execFileSync(path.join(repo, 'scripts/web'), ['prepare'], { stdio: ['ignore', 2, 2] });
if (!fs.existsSync(native)) execFileSync(path.join(repo, 'scripts/tonearm'), ['--version'], { stdio: ['ignore', 2, 2] });
const { engineNamed, launch, serve, sleep, waitFor } = await import('./browser.mjs');
const { WasmDecoder } = await import('./wasm-decoder.mjs');

const summaryRows = [];
function row(caseName, tool, metric, unit, values) {
  values = values.filter((v) => Number.isFinite(v));
  if (!values.length) return;
  summaryRows.push(['web', caseName, tool, metric, unit, median(values).toPrecision(6), Math.min(...values).toPrecision(6),
    Math.max(...values).toPrecision(6), values.length].join(','));
}

// ---------------------------------------------------------------------------- files
const corpus = process.env.TONEARM_BENCH_CORPUS;
let files;
let latencyFile;
if (corpus && fs.existsSync(path.join(corpus, 'throughput'))) {
  const names = quick ? ['flac.flac', 'mp3.mp3', 'aac.m4a'] : ['wav16.wav', 'flac.flac', 'ogg.ogg', 'opus.opus', 'mp3.mp3',
    'aac.m4a', 'alac.m4a', 'opus.webm'];
  // (scripts/bench makes the M4A and WebM files for its decode and web sections.)
  files = names.filter((n) => fs.existsSync(path.join(corpus, 'throughput', n)))
    .map((n) => ({ label: /\.(m4a|webm)$/.test(n) ? n : n.split('.')[0], dir: path.join(corpus, 'throughput'), name: n }));
  latencyFile = { dir: path.join(corpus, 'latency'), name: 'tone.flac' };
  if (!fs.existsSync(path.join(latencyFile.dir, latencyFile.name))) latencyFile = { ...files[1] };
} else {
  const dir = fixtures();
  files = ['tone.wav', 'long.flac', 'tone.ogg', 'tone.opus', 'tone.mp3', 'tone.m4a', 'tone.webm']
    .map((n) => ({ label: n, dir, name: n }));
  latencyFile = { dir, name: 'tone.flac' };
}
const seconds = (file) => {
  const out = execFileSync(native, ['info', '--json', path.join(file.dir, file.name)]).toString();
  const info = JSON.parse(out.trim().split('\n')[0]);
  return info.duration_seconds ?? info.duration ?? (info.frames / info.sample_rate);
};

// ---------------------------------------------------------------------------- sizes
function sizes() {
  // The default modules, and the Ogg and FFmpeg ones the page loads only for a file that needs them.
  const lines = ['| module | .wasm raw | .wasm gzip -9 | .js glue raw | .js glue gzip -9 |', '|---|---:|---:|---:|---:|'];
  for (const flavour of ['threads', 'nothreads', 'threads-ogg', 'nothreads-ogg', 'threads-ffmpeg', 'nothreads-ffmpeg']) {
    const wasm = fs.readFileSync(path.join(dist, `tonearm-${flavour}.wasm`));
    let js = fs.readFileSync(path.join(dist, `tonearm-${flavour}.js`));
    const worker = path.join(dist, `tonearm-${flavour}.worker.js`);
    if (fs.existsSync(worker)) js = Buffer.concat([js, fs.readFileSync(worker)]);
    const gz = (b) => zlib.gzipSync(b, { level: 9 }).length;
    const kb = (n) => `${(n / 1024).toFixed(0)} KiB`;
    lines.push(`| ${flavour} | ${kb(wasm.length)} | ${kb(gz(wasm))} | ${kb(js.length)} | ${kb(gz(js))} |`);
    row('wasm size', flavour, 'raw', 'bytes', [wasm.length]);
    row('wasm size', flavour, 'gzip', 'bytes', [gz(wasm)]);
  }
  return lines.join('\n');
}

// ---------------------------------------------------------------------------- decode speed
// The native twin of the worker's decode loop (tests/bench/native_decode_speed.cpp): a target
// of the bench preset, which scripts/bench has built already (built here when run alone).
function nativeLoopTool() {
  const bin = path.join(repo, 'build/bench/tools/native_decode_speed');
  if (!fs.existsSync(bin)) {
    execFileSync('bash', ['-c', 'source scripts/lib/common.sh && build_preset bench'], { cwd: repo, stdio: ['ignore', 2, 2] });
  }
  return bin;
}

function nativeLoopTimes(file, runs) {
  const out = execFileSync(nativeLoopTool(), [path.join(file.dir, file.name), String(runs)]).toString();
  return JSON.parse(out).ms;
}

// mpg123's own CLI (Debian's libmpg123, the version the module is built from) decoding to float,
// with the decoder it picks for this CPU (SIMD: AVX or SSE synth) and with its generic C one,
// the only one wasm has: how much of MP3's gap is SIMD. Whole processes, writing to /dev/null.
function mpg123Times(file, runs) {
  try {
    execFileSync('mpg123', ['--version'], { stdio: 'ignore' });
  } catch {
    return null;
  }
  const times = (cpu) => Array.from({ length: runs }, () => {
    const t0 = process.hrtime.bigint();
    execFileSync('mpg123', ['-q', ...cpu, '-e', 'f32', '-s', path.join(file.dir, file.name)], { stdio: 'ignore' });
    return Number(process.hrtime.bigint() - t0) / 1e6;
  });
  return { simd: times([]), generic: times(['--cpu', 'generic']) };
}

function nativeTimes(file, runs) {
  const out = [];
  for (let i = 0; i < runs; i++) {
    const t0 = process.hrtime.bigint();
    execFileSync(native, ['-q', 'play', '--null', path.join(file.dir, file.name)], { stdio: 'ignore' });
    out.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  return out;
}

async function nodeTimes(file, runs) {
  const bytes = fs.readFileSync(path.join(file.dir, file.name));
  const out = [];
  for (let i = 0; i < runs; i++) {
    const d = await WasmDecoder.openAny('nothreads', bytes, file.name);
    const t0 = performance.now();
    while (d.readBlock());
    out.push(performance.now() - t0);
    d.close();
  }
  return out;
}

// The worker's decode speed, both flavours, and Chromium's own decodeAudioData (Chromium only).
async function browserDecodeTimes(browser, servers, file, runs) {
  const result = {};
  for (const flavour of ['threads', 'nothreads']) {
    const { page, log } = await servers[flavour].open(browser, `?src=/bench/${encodeURIComponent(file.name)}`);
    await log.untilPhase(['ready', 'error'], 60000);
    await sleep(300);   // let the waveform scan finish its first slices
    const worker = [];
    const reading = [];
    for (let i = 0; i < runs; i++) {
      const r = await page.evaluate((u) => window.tonearm.client.bench(u), `/bench/${file.name}`);
      if (r.error) throw new Error(r.error);
      worker.push(r.ms);
      reading.push(r.readMs / r.ms);
    }
    result[flavour] = worker;
    result[`${flavour}Reading`] = reading;
    if (flavour === 'nothreads') {
      // Chromium's decodeAudioData at the file's rate (no resampling), in an OfflineAudioContext;
      // no times where it does not decode the format (Debian's Chromium has no ALAC).
      result.decodeAudioData = await page.evaluate(async ({ url, runs: n }) => {
        const bytes = await (await fetch(url)).arrayBuffer();
        const info = window.tonearm.state.info;
        const times = [];
        try {
          for (let i = 0; i < n; i++) {
            const ctx = new OfflineAudioContext(info.channels, 1, info.sample_rate);
            const t0 = performance.now();
            await ctx.decodeAudioData(bytes.slice(0));
            times.push(performance.now() - t0);
          }
        } catch {
          return [];
        }
        return times;
      }, { url: `/bench/${file.name}`, runs });
    }
    await page.close();
  }
  return result;
}

// A 1-minute and a 2-hour WAV (CD format: the 2-hour one is 1.27 GB), made once and cached:
// the page's memory must not follow the file's length.
const longDir = path.join(process.env.XDG_CACHE_HOME || path.join(process.env.HOME, '.cache'), 'tonearm', 'web-bench-long');
function longFiles() {
  const list = [{ name: 'minute.wav', label: '1-minute WAV', seconds: 60 }, { name: 'hours.wav', label: '2-hour WAV', seconds: 7200 }];
  fs.mkdirSync(longDir, { recursive: true });
  for (const f of list) {
    const file = path.join(longDir, f.name);
    if (fs.existsSync(file)) continue;
    execFileSync('sox', ['-n', '-r', '44100', '-c', '2', '-b', '16', `${file}.tmp.wav`, 'synth', String(f.seconds), 'sine', '440', 'vol', '0.2']);
    fs.renameSync(`${file}.tmp.wav`, file);
  }
  return list.map((f) => ({ ...f, dir: longDir }));
}

// ---------------------------------------------------------------------------- per engine
// The modules an engine runs, and the server each is measured on: the threaded one on the
// isolated server where the engine has shared memory; the unthreaded one on the plain server,
// or (WebKit) the isolated one, where it is what the page falls back to.
function variants(engine, servers) {
  return engine.sharedMemory
    ? [{ flavour: 'threads', server: servers.threads }, { flavour: 'nothreads', server: servers.nothreads }]
    : [{ flavour: 'nothreads', server: servers.threads }];
}

async function clickToSound(browser, server, runs) {
  const tap = [];
  const scheduled = [];
  const outputLatency = [];
  for (let i = 0; i < runs; i++) {
    for (const withTap of [true, false]) {
      const { page, log } = await server.open(browser, `?${withTap ? 'tap&' : ''}src=/latency/${latencyFile.name}`);
      await log.untilPhase('ready', 60000);
      await sleep(200);
      await page.click('canvas');
      if (withTap) {
        await log.until((l) => l.firstSound, 'first sound', 10000);
        tap.push(log.firstSound.perfMs - log.firstSound.clickPerfMs);
      } else {
        await log.untilPhase('playing', 10000);
        const s = await waitFor(page, () => window.tonearm.playback.stats.firstStart
          && { click: window.tonearm.tap.clickPerfMs, ...window.tonearm.playback.stats.firstStart });
        // When the first block starts on the context clock (rendering, like the tap sees it).
        scheduled.push(s.perfMs - s.click + (s.startTime - s.contextTime) * 1000);
        outputLatency.push(s.outputLatency * 1000);
      }
      await page.close();
    }
  }
  return { tap, scheduled, outputLatency };
}

// Seeks in a long file while it plays, each to a new place in its last minutes, timed from the
// slider's change event to the moment the page's audio clock reaches the new place (what the
// context renders; output latency not included). Returns ms per seek.
async function seekLatency(browser, server, file, runs) {
  const { page, log } = await server.open(browser, `?src=/bench/${encodeURIComponent(file.name)}`);
  await log.untilPhase('ready', 60000);
  await page.click('canvas');
  await log.untilPhase('playing');
  await sleep(1000);
  const times = [];
  for (let i = 0; i < runs; i++) {
    const target = file.seconds - 60 + i * 5;
    times.push(await page.evaluate((to) => new Promise((resolve) => {
      const { playback, state } = window.tonearm;
      const seek = document.getElementById('seek');
      seek.value = String(Math.round((to / (state.info.frames / state.info.sample_rate)) * 1000));
      const wanted = Number(seek.value) / 1000 * (state.info.frames / state.info.sample_rate);
      const t0 = performance.now();
      seek.dispatchEvent(new Event('change', { bubbles: true }));
      const poll = () => {
        const p = playback.position();
        if (p >= wanted && p < wanted + 1) resolve(performance.now() - t0);
        else if (performance.now() - t0 > 10000) resolve(NaN);
        else setTimeout(poll, 1);
      };
      poll();
    }), target));
    await sleep(500);
  }
  await page.close();
  return times;
}

// One playback, sampled every second: the whole run's ms per second of audio, and the spread
// over the one-second windows (the first holds the initial 3 s read-ahead). Where the engine
// reports it (Chromium: performance.measureUserAgentSpecificMemory, cross-origin isolated
// pages only), the page's memory — page, worker and wasm — at the end.
async function relayCost(browser, server, file, playSeconds) {
  const { page, log } = await server.open(browser, `?src=/bench/${encodeURIComponent(file.name)}`);
  await log.untilPhase('ready', 60000);
  await page.click('canvas');
  await log.untilPhase('playing');
  const sample = () => page.evaluate(() => ({ client: { ...window.tonearm.client.stats },
    playback: { ...window.tonearm.playback.stats }, rate: window.tonearm.state.info.sample_rate }));
  const samples = [await sample()];
  for (let i = 0; i < playSeconds; i++) {
    await sleep(1000);
    samples.push(await sample());
  }
  const windows = [];
  for (let i = 1; i < samples.length; i++) {
    const frames = samples[i].playback.relayedFrames - samples[i - 1].playback.relayedFrames;
    if (frames > 0) windows.push((samples[i].client.relayMs - samples[i - 1].client.relayMs) / (frames / samples[i].rate));
  }
  const memory = await page.evaluate(async () => {
    if (!self.crossOriginIsolated || typeof performance.measureUserAgentSpecificMemory !== 'function') return null;
    return (await performance.measureUserAgentSpecificMemory()).bytes;
  });
  await page.close();
  const s = samples.at(-1);
  const audioSeconds = s.playback.relayedFrames / s.rate;
  return { msPerSecond: s.client.relayMs / audioSeconds, windows, blocks: s.client.blockMessages, audioSeconds,
    underruns: s.playback.underruns, memory };
}

// ---------------------------------------------------------------------------- run
const runs = quick ? 3 : 7;
const latencyRuns = quick ? 3 : 7;
const relaySeconds = quick ? 4 : 8;
const relayFile = files.find((f) => /flac/.test(f.name)) || files[0];
const mounts = [{ prefix: '/bench', dir: files[0].dir }, { prefix: '/latency', dir: latencyFile.dir }];
const servers = { threads: await serve({ isolation: true, mounts }), nothreads: await serve({ isolation: false, mounts }),
  long: await serve({ isolation: true, mounts: [{ prefix: '/bench', dir: longDir }] }) };
let pageMemory = null;
const engineNames = (process.env.TONEARM_BENCH_ENGINES || 'chromium firefox webkit').split(/[\s,]+/).filter(Boolean);
const sections = [];
try {
  const perEngine = [];
  let chromium = null;
  for (const name of engineNames) {
    const engine = engineNamed(name);
    let browser;
    try {
      // Chromium answers measureUserAgentSpecificMemory at once with this, not at its next GC.
      browser = await launch(engine, { chromiumArgs: ['--enable-blink-features=ForceEagerMeasureMemory'] });
    } catch (e) {
      say(`${engine.label}: not measured: ${e.message}`);
      perEngine.push({ engine, error: e.message.split('\n')[0] });
      continue;
    }
    try {
      for (const { flavour, server } of variants(engine, servers)) {
        say(`${engine.label}, ${flavour}: click → first sound`);
        const latency = await clickToSound(browser, server, latencyRuns);
        say(`${engine.label}, ${flavour}: main-thread relay cost`);
        const relay = await relayCost(browser, server, relayFile, relaySeconds);
        perEngine.push({ engine, version: browser.version, flavour, isolated: server === servers.threads, latency, relay });
        const tool = `${engine.name} ${flavour}`;
        row('click to first sound (tap)', tool, 'latency', 'ms', latency.tap);
        row('click to first block scheduled start (no tap)', tool, 'latency', 'ms', latency.scheduled);
        row('main-thread relay', tool, 'ms per s of audio', 'ms', relay.windows.length ? relay.windows : [relay.msPerSecond]);
        if (relay.memory !== null) row('page memory while playing', tool, 'bytes', 'bytes', [relay.memory]);
      }
      if (engine.name === 'chromium' && engine.sharedMemory) {
        say('page memory: a 1-minute and a 2-hour WAV');
        const long = longFiles();
        for (const file of long) {
          const relay = await relayCost(browser, servers.long, file, 3);
          file.memory = relay.memory;
          row(`page memory while playing ${file.label}`, 'chromium threads', 'bytes', 'bytes', [relay.memory]);
        }
        say('seek latency: the 2-hour WAV');
        const seeks = await seekLatency(browser, servers.long, long[1], runs);
        row('seek heard, 2-hour WAV', 'chromium threads', 'latency', 'ms', seeks);
        pageMemory = { version: browser.version, files: long, seeks };
      }
      if (engine.name === 'chromium') {
        say('decode speed');
        chromium = { version: browser.version, speed: [] };
        for (const file of files) {
          const audio = seconds(file);
          const nat = nativeTimes(file, runs);
          const loop = nativeLoopTimes(file, runs);
          const node = await nodeTimes(file, runs);
          const web = await browserDecodeTimes(browser, servers, file, runs);
          const x = (times) => audio / (median(times) / 1000);
          const xs = (times) => times.map((t) => audio / (t / 1000));   // per run, × real time
          const mpg123 = file.name.endsWith('.mp3') && mpg123Times(file, runs);
          if (mpg123) chromium.mpg123 = { label: file.label, simd: xs(mpg123.simd), generic: xs(mpg123.generic) };
          chromium.speed.push({ label: file.label, audio, native: x(nat), loop: x(loop), node: x(node), threads: x(web.threads),
            nothreads: x(web.nothreads), dad: x(web.decodeAudioData),
            reading: [median(web.threadsReading), median(web.nothreadsReading)],
            runs: { native: xs(nat), loop: xs(loop), node: xs(node), threads: xs(web.threads), nothreads: xs(web.nothreads),
              dad: xs(web.decodeAudioData) } });
          for (const [tool, times] of [['native play --null', nat], ['native decode loop', loop], ['wasm node', node], ['worker threads', web.threads],
            ['worker nothreads', web.nothreads], ['decodeAudioData', web.decodeAudioData]]) {
            row(`decode ${file.label}`, tool, 'x real time', 'x', times.map((t) => audio / (t / 1000)));
          }
        }
      }
    } finally {
      await browser.close();
    }
  }

  sections.push('## Web\n');
  sections.push(`Page served by web-shell/serve.mjs on 127.0.0.1, each engine headless (WebKitGTK under Xvfb) and playing into the private PulseAudio; ` +
    `threads = the threaded module (shared wasm memory, needs COOP/COEP), nothreads = the unthreaded one. ${quick ? 'Quick run: ' : ''}median (min–max) of ${runs} runs (latency: ${latencyRuns}).\n`);
  sections.push('### Per engine: click → first sound, main-thread cost, page memory\n');
  sections.push('| engine | module (COOP/COEP) | click → first non-silent sample at the tap | without the tap: click → first block\'s scheduled start | + output latency | main-thread ms per second of audio (per 1 s window) | underruns | page memory while playing |\n|---|---|---:|---:|---:|---:|---:|---:|');
  for (const r of perEngine) {
    if (r.error) {
      sections.push(`| ${r.engine.label} | not measured: ${r.error} | | | | | | |`);
      continue;
    }
    const mib = r.relay.memory === null ? 'not reported' : `${(r.relay.memory / 1048576).toFixed(1)} MiB`;
    sections.push(`| ${r.version} | ${r.flavour} (${r.isolated ? 'yes' : 'no'}) | ${spread(r.latency.tap, 1, ' ms')} | ${spread(r.latency.scheduled, 1, ' ms')} | ` +
      `${fmt(median(r.latency.outputLatency))} ms | ${fmt(r.relay.msPerSecond, 3)} (${spread(r.relay.windows, 3)}) ms | ${r.relay.underruns} | ${mib} |`);
  }
  sections.push('\nThe tap sees a sample when the audio thread renders it (output latency not included). The page makes its AudioContext (suspended; with the tap\'s AudioWorklet) when the file opens and prefetches the first block, so a click resumes the context and schedules that block. ' +
    'The next column is a page without the measurement hook: the context\'s resume and the 20 ms scheduling lead; then the context\'s own outputLatency (0 where the engine does not report it). ' +
    `Main-thread cost per block: the message handler, one typed-array copy per channel into a new AudioBuffer (threads: \`getChannelData(c).set(sharedView)\`; nothreads: \`copyToChannel(ownedView, c)\`), and scheduling an AudioBufferSourceNode, over ${relaySeconds} s of ${relayFile.label}. ` +
    'Page memory is `performance.measureUserAgentSpecificMemory()` (page, worker and wasm memory): only Chromium has it, and only cross-origin isolated.\n');
  if (pageMemory) {
    const [minute, hours] = pageMemory.files;
    const mib = (bytes) => (bytes === null ? 'not reported' : `${(bytes / 1048576).toFixed(1)} MiB`);
    sections.push('### Page memory and file length (Chromium, threads)\n');
    sections.push(`${pageMemory.version}. The file picked by \`?src=\` and read by Range requests, 3 s into playing.\n`);
    sections.push('| 1-minute WAV (10 MB) | 2-hour WAV (1.27 GB) | ratio |\n|---:|---:|---:|');
    sections.push(`| ${mib(minute.memory)} | ${mib(hours.memory)} | ${minute.memory && hours.memory ? fmt(hours.memory / minute.memory, 2) : 'n/a'} |\n`);
    sections.push(`Seeking in the 2-hour WAV while it plays (the slider, to its last minute): ${spread(pageMemory.seeks, 1, ' ms')} from the change event until the page's audio clock plays the new place.\n`);
  }
  if (chromium) {
    sections.push('### Decode speed in Chromium (× real time, higher is faster)\n');
    sections.push(`${chromium.version}.\n`);
    sections.push('| file | seconds | native decode loop | native `tonearm play --null` | worker, threads | worker, nothreads | worker ÷ native loop (threads / nothreads) | worker\'s time reading the Blob (threads / nothreads) | same wasm under node | Chromium `decodeAudioData` | worker ÷ decodeAudioData (threads / nothreads) |\n|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
    for (const sp of chromium.speed) {
      const r = sp.runs;
      const ratios = (base) => `${fmt(sp.threads / base, 2)} / ${fmt(sp.nothreads / base, 2)}`;
      sections.push(`| ${sp.label} | ${fmt(sp.audio)} | ${spread(r.loop, 0, '×')} | ${spread(r.native, 0, '×')} | ${spread(r.threads, 0, '×')} | ${spread(r.nothreads, 0, '×')} | ${ratios(sp.loop)} | ${sp.reading.map((f) => `${fmt(100 * f, 0)} %`).join(' / ')} | ${spread(r.node, 0, '×')} | ${spread(r.dad, 0, '×')} | ${ratios(sp.dad)} |`);
    }
    sections.push('\n"Native decode loop" and the wasm columns time the same loop (16384-frame blocks; native over bytes in memory, the worker over the file as a Blob read slice by slice, as it reads a picked file, with `FileReaderSync` in 2 MiB slices: the next column is that part of its time; each block checked for non-finite samples and split into planar channels on both sides); `play --null` is the whole native process (start-up, the player, its null sink). ' +
      'decodeAudioData decodes with Chromium\'s FFmpeg off the main thread into one AudioBuffer (n/a: a format this Chromium does not decode). The ratios are of medians.\n');
    const mp3 = chromium.mpg123;
    if (mp3) {
      sections.push(`MP3's native side has SIMD the wasm build cannot use: Debian's \`mpg123\` CLI decoding ${mp3.label} to float, whole process, ` +
        `${spread(mp3.simd, 0, '×')} with the decoder it picks for this CPU, ` +
        `${spread(mp3.generic, 0, '×')} with \`--cpu generic\` (the C code the module runs): ${fmt(median(mp3.generic) / median(mp3.simd), 2)}×.\n`);
    }
  }
  sections.push('### Size\n');
  sections.push(sizes());
  sections.push('');
} finally {
  for (const s of Object.values(servers)) await s.close();
}

console.log(sections.join('\n'));
if (process.env.TONEARM_BENCH_SUMMARY && summaryRows.length) {
  fs.appendFileSync(process.env.TONEARM_BENCH_SUMMARY, summaryRows.join('\n') + '\n');
}
