// Shared by the browser tests and the benchmark: Debian's Chromium through playwright-core,
// the shell's own server (with and without cross-origin isolation), and readers for what the
// page reports.
import { chromium } from 'playwright-core';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { startServer } from '../serve.mjs';
import { dist, repo } from './fixtures.mjs';

export async function serve({ isolation, mounts = [] }) {
  const options = { port: 0, isolation, root: dist, quiet: true,
    mounts: [...mounts, { prefix: '/assets', dir: path.join(repo, 'assets') }] };
  const { server, url } = await startServer(options);
  return { url, close: () => new Promise((resolve) => server.close(resolve)) };
}

export async function launch() {
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'tonearm-chromium-'));
  const env = { ...process.env, HOME: scratch, XDG_CONFIG_HOME: path.join(scratch, 'config'),
    XDG_CACHE_HOME: path.join(scratch, 'cache'), XDG_DATA_HOME: path.join(scratch, 'data'),
    XDG_RUNTIME_DIR: scratch };
  const context = await chromium.launchPersistentContext(path.join(scratch, 'profile'), {
    executablePath: process.env.TONEARM_CHROMIUM || '/usr/bin/chromium',
    headless: true,
    env,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    viewport: { width: 1100, height: 760 },
  });
  return {
    context,
    async close() {
      await context.close();
      fs.rmSync(scratch, { recursive: true, force: true });
    },
  };
}

// Records what a page says, without evaluating anything in it (page.evaluate would count as a
// user gesture and unlock audio): console lines, page errors, and the page's state lines.
export function watch(page) {
  const log = { console: [], errors: [], states: [], firstSound: null, waiters: [] };
  page.on('console', (msg) => {
    const text = msg.text();
    log.console.push({ type: msg.type(), text });
    if (msg.type() === 'error') log.errors.push(text);
    if (text.startsWith('tonearm:state ')) log.states.push(JSON.parse(text.slice(14)));
    if (text.startsWith('tonearm:first-sound ')) log.firstSound = JSON.parse(text.slice(20));
    for (const w of [...log.waiters]) if (w.test()) { log.waiters.splice(log.waiters.indexOf(w), 1); w.resolve(); }
  });
  page.on('pageerror', (error) => log.errors.push(`pageerror: ${error.message}`));
  // Waits until `predicate(log)` holds (checked on every console line).
  log.until = (predicate, what, timeout = 20000) => new Promise((resolve, reject) => {
    if (predicate(log)) return resolve();
    const timer = setTimeout(() => {
      log.waiters.splice(log.waiters.indexOf(waiter), 1);
      reject(new Error(`timed out after ${timeout} ms waiting for ${what}; last state ${JSON.stringify(log.states.at(-1))}`));
    }, timeout);
    const waiter = { test: () => predicate(log), resolve: () => { clearTimeout(timer); resolve(); } };
    log.waiters.push(waiter);
  });
  log.state = () => log.states.at(-1) || {};
  log.untilPhase = (phases, timeout) => {
    const want = [].concat(phases);
    return log.until((l) => want.includes(l.state().phase), `phase ${want.join('|')}`, timeout);
  };
  return log;
}

// What the tap recorded, as planar Float32Arrays (after the click, so evaluate is fine).
export async function tapCapture(page) {
  const data = await page.evaluate(() => window.tonearm.tap.collect());
  const planar = data.samples.map((b64) => {
    const bytes = Buffer.from(b64, 'base64');
    return new Float32Array(bytes.buffer, bytes.byteOffset, bytes.length / 4).slice();
  });
  return { ...data, planar };
}

// Wraps AudioBuffer.prototype.copyToChannel before any page script runs, counting calls and
// every argument backed by a SharedArrayBuffer. (An init script is not a user gesture.)
export const INSTRUMENT_COPY_TO_CHANNEL = `(() => {
  const record = { calls: 0, shared: 0, sharedSeen: [] };
  globalThis.__copyToChannel = record;
  const original = AudioBuffer.prototype.copyToChannel;
  AudioBuffer.prototype.copyToChannel = function (source, ...rest) {
    record.calls++;
    if (typeof SharedArrayBuffer !== 'undefined' && source && source.buffer instanceof SharedArrayBuffer) {
      record.shared++;
      record.sharedSeen.push(String(new Error().stack).split('\\n').slice(1, 4).join(' | '));
    }
    return original.call(this, source, ...rest);
  };
})();`;
