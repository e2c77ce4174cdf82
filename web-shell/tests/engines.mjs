// The three browser engines Debian ships, what each can do (measured here, see the README's
// engine table), and one way to launch any of them. The tests and the benchmark are written
// once against the small page interface both drivers implement:
//   page.goto(url)  page.click(selector)  page.press(key)  page.evaluate(fn, arg)
//   page.upload(selector, file)  page.text(selector)  page.heapUsed()  page.close()
//   page.engineErrors (console errors the engine itself reports, where the driver sees them)
// Keys are 'Space', 'ArrowLeft', 'ArrowRight', 'ArrowUp', 'ArrowDown'.
// Chromium and Firefox run under Puppeteer (CDP and WebDriver BiDi); WebKitGTK under its own
// WebKitWebDriver (W3C WebDriver over HTTP), in a virtual X display.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

function miniBrowser() {
  const lib = '/usr/lib';
  for (const dir of fs.existsSync(lib) ? fs.readdirSync(lib) : []) {
    const candidate = path.join(lib, dir, 'webkit2gtk-4.1/MiniBrowser');
    if (fs.existsSync(candidate)) return candidate;
  }
  return '/usr/lib/x86_64-linux-gnu/webkit2gtk-4.1/MiniBrowser';
}

export const ENGINES = {
  chromium: {
    name: 'chromium', label: 'Chromium', driver: 'puppeteer', package: 'chromium',
    executable: process.env.TONEARM_CHROMIUM || '/usr/bin/chromium',
    sharedMemory: true,       // SharedArrayBuffer + shared wasm memory when cross-origin isolated
    scriptActivates: true,    // the driver's evaluate counts as a user gesture
    needsSoundServer: false,  // headless, its AudioContext runs without any audio device
    reportsHeap: true,        // JS heap size after a garbage collection (CDP)
    sinkTolerance: 0,         // what reaches the sound server is the page's samples, bit-exact
  },
  firefox: {
    name: 'firefox', label: 'Firefox ESR', driver: 'puppeteer', package: 'firefox-esr',
    executable: process.env.TONEARM_FIREFOX || '/usr/bin/firefox-esr',
    sharedMemory: true,
    scriptActivates: true,
    needsSoundServer: true,   // with none, resume() never settles and the context stays 'suspended'
    reportsHeap: false,
    sinkTolerance: 0,
  },
  webkit: {
    name: 'webkit', label: 'WebKitGTK', driver: 'webdriver', package: 'webkit2gtk-driver',
    executable: process.env.TONEARM_WEBKIT || miniBrowser(),
    sharedMemory: false,      // crossOriginIsolated is true, yet there is no SharedArrayBuffer
    scriptActivates: false,
    needsSoundServer: false,  // GStreamer falls back to another sink; the context runs
    reportsHeap: false,
    sinkTolerance: 0,
  },
};

export function engineNamed(name) {
  const engine = ENGINES[name];
  if (!engine) throw new Error(`unknown engine ${JSON.stringify(name)} (one of: ${Object.keys(ENGINES).join(', ')})`);
  return engine;
}

// Whether this process has a sound server for the browsers (scripts/web test starts a private
// PulseAudio and exports PULSE_SERVER).
export function soundServer(env = process.env) {
  const socket = env.PULSE_SERVER?.replace(/^unix:/, '');
  return Boolean(socket && fs.existsSync(socket));
}

// Launches `engine` with a scratch HOME and profile (both removed on close). `soundServer:
// false` hides the sound server from it; `chromiumArgs` are added to Chromium's command line.
// Returns { engine, version, newPage(), close() }.
export async function launch(engine, { soundServer: withSound = true, chromiumArgs = [] } = {}) {
  if (typeof engine === 'string') engine = engineNamed(engine);
  if (!fs.existsSync(engine.executable)) {
    throw new Error(`${engine.label}: ${engine.executable} is missing (scripts/deps test installs ${engine.package})`);
  }
  if (withSound && engine.needsSoundServer && !soundServer()) {
    throw new Error(`${engine.label} plays only through a sound server and PULSE_SERVER names none: ` +
      'run the tests with scripts/web test (it starts a private PulseAudio)');
  }
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), `tonearm-${engine.name}-`));
  const env = { ...process.env, HOME: scratch, XDG_CONFIG_HOME: path.join(scratch, 'config'),
    XDG_CACHE_HOME: path.join(scratch, 'cache'), XDG_DATA_HOME: path.join(scratch, 'data') };
  if (!withSound) {
    // A server that is not there: libpulse then neither finds the real one nor starts one.
    env.XDG_RUNTIME_DIR = path.join(scratch, 'runtime');
    fs.mkdirSync(env.XDG_RUNTIME_DIR, { mode: 0o700 });
    env.PULSE_SERVER = `unix:${path.join(env.XDG_RUNTIME_DIR, 'no-such-server')}`;
  }
  const driver = engine.driver === 'puppeteer' ? await import('./driver-puppeteer.mjs') : await import('./driver-webdriver.mjs');
  let browser;
  try {
    browser = await driver.launch(engine, { env, scratch, chromiumArgs });
  } catch (e) {
    fs.rmSync(scratch, { recursive: true, force: true });
    throw e;
  }
  return {
    engine,
    version: browser.version,
    newPage: () => browser.newPage(),
    async close() {
      await browser.close();
      fs.rmSync(scratch, { recursive: true, force: true });
    },
  };
}
