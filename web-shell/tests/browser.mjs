// Shared by the browser tests and the benchmark: the shell's own server (serve.mjs) wrapped in a
// test server, and readers for what a page reports — the same in every engine (engines.mjs).
//
// The test server serves index.html with instrument.js injected as its first script and
// hooks.js (window.tonearm, the ?tap worklet, stats) after the page's own, the decoder worker
// with worker-hooks.js appended, and takes what the page says back on POST /__tonearm/log. A
// page opened with open() is tagged with an id (in its URL's fragment, which the page itself
// ignores) so its lines reach its own log. None of these files is part of the page a user loads.
import fs from 'node:fs';
import path from 'node:path';

import { createHandler, responseHeaders, startServer } from '../serve.mjs';
import { dist, repo } from './fixtures.mjs';

export { ENGINES, engineNamed, launch, soundServer } from './engines.mjs';

const INSTRUMENT = fs.readFileSync(new URL('./instrument.js', import.meta.url), 'utf8');
const HOOKS = new Set(['hooks.js', 'tap-worklet.js', 'worker-hooks.js']);   // served at /__tonearm/

export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

export async function serve({ isolation, ranges = true, mounts = [] }) {
  const options = { port: 0, isolation, ranges, root: dist, quiet: true,
    mounts: [...mounts, { prefix: '/assets', dir: path.join(repo, 'assets') }] };
  const statics = createHandler(options);
  const headers = responseHeaders(options);
  const logs = new Map();   // page id → its log

  const page = (res) => {
    const html = fs.readFileSync(path.join(dist, 'index.html'), 'utf8')
      .replace('<head>', () => `<head>\n<script>${INSTRUMENT}</script>`)
      .replace('</head>', '<script type="module" src="/__tonearm/hooks.js"></script>\n</head>');
    res.writeHead(200, { ...headers, 'Content-Type': 'text/html; charset=utf-8' });
    res.end(html);
  };
  const script = (res, text) => {
    res.writeHead(200, { ...headers, 'Content-Type': 'text/javascript; charset=utf-8', 'Cache-Control': 'no-store' });
    res.end(text);
  };
  const receive = (req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk) => { body += chunk; });
    req.on('end', () => {
      res.writeHead(204, headers);
      res.end();
      try {
        const line = JSON.parse(body);
        logs.get(line.page)?.receive(line);
      } catch { /* not ours */ }
    });
  };
  const { server, url } = await startServer(options, (req, res) => {
    const { pathname } = new URL(req.url, 'http://127.0.0.1');
    if (pathname === '/__tonearm/log' && req.method === 'POST') return receive(req, res);
    if ((pathname === '/' || pathname === '/index.html') && req.method === 'GET') return page(res);
    const hook = /^\/__tonearm\/([\w-]+\.js)$/.exec(pathname)?.[1];
    if (HOOKS.has(hook)) return script(res, fs.readFileSync(new URL(`./${hook}`, import.meta.url), 'utf8'));
    if (pathname === '/decode-worker.js' && req.method === 'GET') {
      return script(res, `${fs.readFileSync(path.join(dist, 'decode-worker.js'), 'utf8')}\nimportScripts('/__tonearm/worker-hooks.js');\n`);
    }
    return statics(req, res);
  });
  let pages = 0;
  return {
    url,
    // A new page of `browser` at `query` (appended to index.html): { page, log }.
    async open(browser, query = '') {
      const id = `p${++pages}`;
      const log = new PageLog();
      logs.set(id, log);
      const page = await browser.newPage();
      // Closing a tab closes its AudioContexts first (see instrument.js).
      const close = page.close.bind(page);
      page.close = async () => {
        await page.evaluate(() => globalThis.__tonearmReleaseAudio?.()).catch(() => {});
        await close();
      };
      await page.goto(`${url}index.html${query}#tonearm-page=${id}`);
      return { page, log };
    },
    close: () => new Promise((resolve) => {
      server.close(resolve);
      server.closeAllConnections?.();
    }),
  };
}

// What one page said, in order: console lines, uncaught errors, its state lines
// ("tonearm:state {...}"), the tap's first sound, and how many AudioContexts it made.
export class PageLog {
  constructor() {
    this.lines = [];
    this.errors = [];
    this.states = [];
    this.firstSound = null;
    this.contexts = 0;
    this.next = 0;
    this.early = new Map();   // lines that overtook an earlier one, by sequence number
    this.waiters = [];
  }

  receive(line) {
    this.early.set(line.seq, line);
    while (this.early.has(this.next)) {
      const next = this.early.get(this.next);
      this.early.delete(this.next++);
      this.take(next);
    }
  }

  take({ kind, text }) {
    this.lines.push({ kind, text });
    if (kind === 'console.error' || kind === 'uncaught') this.errors.push(text);
    if (kind === 'context') this.contexts++;
    if (text.startsWith('tonearm:state ')) this.states.push(JSON.parse(text.slice(14)));
    if (text.startsWith('tonearm:first-sound ')) this.firstSound = JSON.parse(text.slice(20));
    for (const w of [...this.waiters]) if (w.test()) { this.waiters.splice(this.waiters.indexOf(w), 1); w.resolve(); }
  }

  state() {
    return this.states.at(-1) || {};
  }

  // Waits until `predicate(log)` holds (checked on every line).
  until(predicate, what, timeout = 20000) {
    return new Promise((resolve, reject) => {
      if (predicate(this)) return resolve();
      const waiter = { test: () => predicate(this), resolve: () => { clearTimeout(timer); resolve(); } };
      const timer = setTimeout(() => {
        this.waiters.splice(this.waiters.indexOf(waiter), 1);
        reject(new Error(`timed out after ${timeout} ms waiting for ${what}; last state ${JSON.stringify(this.state())}`));
      }, timeout);
      this.waiters.push(waiter);
    });
  }

  untilPhase(phases, timeout) {
    const want = [].concat(phases);
    return this.until((l) => want.includes(l.state().phase), `phase ${want.join('|')}`, timeout);
  }
}

// Polls `fn(arg)` in the page until it returns something truthy (after the first click only:
// evaluating may count as a user gesture).
export async function waitFor(page, fn, arg, what = String(fn), timeout = 20000) {
  const deadline = Date.now() + timeout;
  for (;;) {
    const value = await page.evaluate(fn, arg);
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeout} ms waiting for ${what}`);
    await sleep(50);
  }
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
