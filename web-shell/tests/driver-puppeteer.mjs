// Chromium (Chrome DevTools Protocol) and Firefox (WebDriver BiDi) through puppeteer-core, behind
// the page interface of engines.mjs. Debian's own browsers; nothing is downloaded.
//
// PITFALL: in both, page.evaluate counts as a user gesture (Puppeteer asks for one), so it
// would unlock audio: before the first click the tests read only what the page logs.
import path from 'node:path';
import puppeteer from 'puppeteer-core';

const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync'];
// Puppeteer's names for the keys the tests press (BiDi knows the space bar only as ' ').
const KEYS = { Space: ' ' };

export async function launch(engine, { env, scratch, chromiumArgs = [] }) {
  const firefox = engine.name === 'firefox';
  const browser = await puppeteer.launch({
    browser: firefox ? 'firefox' : 'chrome',
    executablePath: engine.executable,
    headless: true,
    env,
    userDataDir: path.join(scratch, 'profile'),
    args: firefox ? [] : [...CHROMIUM_ARGS, ...chromiumArgs],
    // Chromium: play into the sound server like the other engines do (Puppeteer mutes it).
    ignoreDefaultArgs: firefox ? [] : ['--mute-audio'],
    defaultViewport: { width: 1100, height: 760 },
    protocolTimeout: 120000,
  });
  const version = await browser.version();
  return {
    version,
    async newPage() {
      return new PuppeteerPage(await browser.newPage(), engine);
    },
    close: () => browser.close(),
  };
}

class PuppeteerPage {
  constructor(page, engine) {
    this.page = page;
    this.engine = engine;
    this.engineErrors = [];
    page.on('console', (message) => {
      if (message.type() === 'error') this.engineErrors.push(message.text());
    });
  }

  goto(url) {
    return this.page.goto(url, { waitUntil: 'load' });
  }

  click(selector) {
    return this.page.click(selector);
  }

  press(key) {
    return this.page.keyboard.press(KEYS[key] ?? key);
  }

  evaluate(fn, arg) {
    return this.page.evaluate(fn, arg);
  }

  async upload(selector, ...files) {
    const input = await this.page.$(selector);
    await input.uploadFile(...files);
  }

  text(selector) {
    return this.page.$eval(selector, (element) => element.textContent);
  }

  // Bytes of JS heap in use after a garbage collection (Chromium only; null elsewhere).
  async heapUsed() {
    if (this.engine.name !== 'chromium') return null;
    const cdp = await this.page.createCDPSession();
    try {
      await cdp.send('HeapProfiler.collectGarbage');
      return (await cdp.send('Runtime.getHeapUsage')).usedSize;
    } finally {
      await cdp.detach();
    }
  }

  close() {
    return this.page.close();
  }
}
