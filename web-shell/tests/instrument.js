// TEST INSTRUMENTATION, injected by the browser tests' server (browser.mjs) into index.html as
// the first script, so it runs before the page's own. It never ships with the page.
//
// The page talks to the tests through it, the same way in every engine: what the page logs,
// its uncaught errors, and each AudioContext it makes are POSTed to the test server, in order
// (a sequence number: requests may overtake each other). Nothing is evaluated in the page to
// learn them, so reading them is never a user gesture (Puppeteer's evaluate is one in Chromium
// and Firefox), and it works in WebKit, whose WebDriver has no console access at all.
// It also counts AudioBuffer.copyToChannel calls and those given a view of shared memory.
(() => {
  const page = /[#&]tonearm-page=([\w-]+)/.exec(location.hash)?.[1];
  if (!page) return;
  const post = fetch.bind(globalThis);
  let seq = 0;
  const send = (kind, text) => {
    post('/__tonearm/log', { method: 'POST', body: JSON.stringify({ page, seq: seq++, kind, text }) }).catch(() => {});
  };

  for (const level of ['log', 'debug', 'info', 'warn', 'error']) {
    const original = console[level].bind(console);
    console[level] = (...args) => {
      original(...args);
      send(`console.${level}`, args.map((a) => (a instanceof Error ? `${a.name}: ${a.message}` : String(a))).join(' '));
    };
  }
  addEventListener('error', (event) => send('uncaught', event.message || String(event.error)));
  addEventListener('unhandledrejection', (event) => send('uncaught', `unhandled rejection: ${event.reason?.message || event.reason}`));

  // Every AudioContext made is reported, and closed by the tests before they close the tab:
  // Firefox ESR 153 does not let a closed tab's context go, and the sixth one hangs it.
  const contexts = [];
  for (const name of ['AudioContext', 'webkitAudioContext']) {
    const Original = globalThis[name];
    if (typeof Original !== 'function') continue;
    globalThis[name] = class extends Original {
      constructor(...args) {
        super(...args);
        contexts.push(this);
        send('context', name);
      }
    };
  }
  globalThis.__tonearmReleaseAudio = () => Promise.all(contexts.map((c) => c.state !== 'closed' && c.close().catch(() => {})));

  // Workers started (the page replaces its decoder worker only when it dies).
  globalThis.__tonearmWorkers = 0;
  const Worker = globalThis.Worker;
  globalThis.Worker = class extends Worker {
    constructor(...args) {
      super(...args);
      globalThis.__tonearmWorkers++;
    }
  };

  const record = { calls: 0, shared: 0, sharedSeen: [] };
  globalThis.__copyToChannel = record;
  const copyToChannel = AudioBuffer.prototype.copyToChannel;
  AudioBuffer.prototype.copyToChannel = function (source, ...rest) {
    record.calls++;
    if (typeof SharedArrayBuffer !== 'undefined' && source && source.buffer instanceof SharedArrayBuffer) {
      record.shared++;
      record.sharedSeen.push(String(new Error().stack).split('\n').slice(1, 4).join(' | '));
    }
    return copyToChannel.call(this, source, ...rest);
  };
})();
