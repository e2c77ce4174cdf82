// WebKitGTK (Safari's engine) through WebKitWebDriver: plain W3C WebDriver over HTTP (node's
// fetch), behind the page interface of engines.mjs. MiniBrowser needs an X display, so the
// driver runs under xvfb-run. Pages take turns in the session's one window (see newPage).
//
// Unlike Puppeteer's, WebKit's script execution is not a user gesture (measured: resume() from
// it leaves an AudioContext 'suspended'), and there is no console access at all.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';

const ELEMENT = 'element-6066-11e4-a52e-4f735466cecf';
// The WebDriver key codes (the spec's "normalised key values") of the keys the tests press.
const KEYS = { Space: '\uE00D', ArrowLeft: '\uE012', ArrowUp: '\uE013', ArrowRight: '\uE014', ArrowDown: '\uE015' };

function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

export async function launch(engine, { env, scratch }) {
  const port = await freePort();
  const log = fs.openSync(path.join(scratch, 'webdriver.log'), 'a');
  // Its own process group: closing kills Xvfb, the driver and MiniBrowser together.
  const child = spawn('xvfb-run', ['-a', '-s', '-screen 0 1280x1024x24', 'WebKitWebDriver', `--port=${port}`],
    { env, detached: true, stdio: ['ignore', log, log] });
  fs.closeSync(log);
  const exited = new Promise((resolve) => child.once('exit', resolve));
  const kill = async () => {
    try { process.kill(-child.pid, 'SIGTERM'); } catch { /* already gone */ }
    await Promise.race([exited, sleep(3000)]);
  };
  const base = `http://127.0.0.1:${port}`;
  const logFile = path.join(scratch, 'webdriver.log');
  try {
    await waitForDriver(base, child, logFile);
    let session = await Session.create(base, engine, logFile);
    return {
      version: `WebKitGTK ${session.capabilities.browserVersion}`,
      // MiniBrowser can die under a test (its web process crashed, once in many CI runs): the
      // test that saw it fails with the driver's log, and the next page gets a new browser.
      async newPage() {
        if (session.lost) session = await Session.create(base, engine, logFile);
        return session.newPage();
      },
      async close() {
        await session.end().catch(() => {});
        await kill();
      },
    };
  } catch (e) {
    await kill();
    throw e;
  }
}

async function waitForDriver(base, child, logFile) {
  const deadline = Date.now() + 30000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) break;
    try {
      const status = await (await fetch(`${base}/status`)).json();
      if (status.value?.ready) return;
    } catch { /* not listening yet */ }
    await sleep(100);
  }
  const tail = logSince(logFile, 0).split('\n').slice(-5).join('\n');
  throw new Error(`WebKitWebDriver did not start${tail ? `:\n${tail}` : ''}`);
}

function logSize(logFile) {
  return fs.existsSync(logFile) ? fs.statSync(logFile).size : 0;
}

// What the driver and MiniBrowser wrote to the log from byte `offset` on.
function logSince(logFile, offset) {
  if (!fs.existsSync(logFile)) return '';
  return fs.readFileSync(logFile).subarray(offset).toString('utf8').trim();
}

async function request(base, method, url, body) {
  const response = await fetch(base + url, {
    method,
    headers: { 'Content-Type': 'application/json; charset=utf-8' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const reply = await response.json();
  if (reply.value?.error) throw new Error(`WebDriver ${method} ${url}: ${reply.value.error}: ${reply.value.message}`);
  return reply.value;
}

class Session {
  static async create(base, engine, logFile) {
    const logOffset = logSize(logFile);
    const value = await request(base, 'POST', '/session', {
      capabilities: {
        alwaysMatch: {
          browserName: 'MiniBrowser',
          'webkitgtk:browserOptions': { binary: engine.executable, args: ['--automation'] },
          timeouts: { script: 120000, pageLoad: 60000, implicit: 0 },
        },
      },
    });
    const session = new Session(base, value.sessionId, value.capabilities, logFile, logOffset);
    session.home = await session.command('GET', '/window');
    session.current = session.home;
    return session;
  }

  constructor(base, id, capabilities, logFile, logOffset) {
    this.base = base;
    this.id = id;
    this.capabilities = capabilities;
    this.logFile = logFile;
    this.logOffset = logOffset;   // where this session's part of the log begins
    this.lost = false;            // the browser is gone: every further command would fail
    this.queue = Promise.resolve();   // one command at a time: a window switch and its command stay together
  }

  async command(method, url, body) {
    try {
      return await request(this.base, method, `/session/${this.id}${url}`, body);
    } catch (e) {
      // The failure that finds the browser gone says what it said last (its log).
      if (!this.lost && /invalid session id|Could not parse script result/.test(e.message)) {
        this.lost = /invalid session id/.test(e.message) || !(await this.alive());
        const said = logSince(this.logFile, this.logOffset).split('\n').slice(-20).join('\n');
        if (this.lost && said) e.message += `\nWebKitWebDriver and MiniBrowser said:\n${said}`;
      }
      e.browserLost = this.lost;
      throw e;
    }
  }

  async alive() {
    try {
      await request(this.base, 'GET', `/session/${this.id}/url`);
      return true;
    } catch {
      return false;
    }
  }

  // Runs `fn` with `handle` as the current window, after every command queued before it.
  inWindow(handle, fn) {
    const run = this.queue.then(async () => {
      if (this.current !== handle) {
        await this.command('POST', '/window', { handle });
        this.current = handle;
      }
      return fn();
    });
    this.queue = run.catch(() => {});
    return run;
  }

  // The pages take turns in the session's one window: MiniBrowser under Xvfb gives a new tab or
  // window no animation frames (the page's clock and waveform stood still there). A new page
  // replaces one left open (a failed test's).
  async newPage() {
    await this.inWindow(this.home, () => this.command('POST', '/window/rect', { width: 1100, height: 760 }).catch(() => {}));
    return new WebDriverPage(this, this.home);
  }

  end() {
    return request(this.base, 'DELETE', `/session/${this.id}`);
  }
}

class WebDriverPage {
  constructor(session, handle) {
    this.session = session;
    this.handle = handle;
    this.engineErrors = [];   // WebDriver has no console: only what instrument.js reports
  }

  run(method, url, body) {
    return this.session.inWindow(this.handle, () => this.session.command(method, url, body));
  }

  goto(url) {
    return this.run('POST', '/url', { url });
  }

  async element(selector) {
    const found = await this.run('POST', '/element', { using: 'css selector', value: selector });
    return found[ELEMENT];
  }

  async click(selector) {
    await this.run('POST', `/element/${await this.element(selector)}/click`, {});
  }

  async press(key) {
    const value = KEYS[key] ?? key;
    await this.run('POST', '/actions', {
      actions: [{ type: 'key', id: 'keyboard', actions: [{ type: 'keyDown', value }, { type: 'keyUp', value }] }],
    });
  }

  // fn(arg) in the page, awaited; its value must survive JSON.
  async evaluate(fn, arg) {
    const script = `const done = arguments[arguments.length - 1];
      Promise.resolve().then(() => (${fn})(arguments[0])).then(
        (value) => done({ value: value === undefined ? null : value }),
        (error) => done({ error: String(error && error.stack || error) }));`;
    const result = await this.run('POST', '/execute/async', { script, args: [arg ?? null] });
    if (result?.error) throw new Error(`evaluate in WebKit failed: ${result.error}`);
    return result?.value;
  }

  // Several files: one path per line (WebDriver's rule for a multiple file input).
  async upload(selector, ...files) {
    await this.run('POST', `/element/${await this.element(selector)}/value`, { text: files.join('\n') });
  }

  text(selector) {
    return this.evaluate((s) => document.querySelector(s).textContent, selector);
  }

  async heapUsed() {
    return null;
  }

  // Leaves the page (its document, workers and audio go with it).
  async close() {
    await this.run('POST', '/url', { url: 'about:blank' });
  }
}
