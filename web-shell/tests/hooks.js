// TEST HOOKS: a module the browser tests' server (browser.mjs) adds to index.html after the
// page's own script. The page a user loads has none of this. It gives tests, the benchmark
// (and a curious console) `window.tonearm`:
//   state, playback, client, open, flavour   the page's own objects (app.js exports them)
//   playback.stats   blocks scheduled, frames relayed, main-thread ms in Playback.receive,
//                    contexts made, how far ahead the schedule ran, the first source's start
//   client.stats     block messages, main-thread ms handling them, wasm memory objects received
//   client.bench(url), probe(), grow(bytes)   asked of the worker (see worker-hooks.js)
//   tap              with ?tap: what an AudioWorklet just before the destination heard
import { page } from '/app.js';

const { playback, client } = page;
const params = new URLSearchParams(location.search);

// ------------------------------------------------------------------------------- the tap
// With ?tap every AudioContext the page makes gets the tap worklet between what the page
// connects to (`destination`, here a gain node) and the real destination. The context stays
// suspended until the worklet is in place, so the tap hears everything from the first sample.
const tap = {
  chunks: [],
  first: null,
  flushed: null,
  node: null,
  clickPerfMs: null,
  receive(message, sampleRate) {
    if (message.type === 'first') {
      this.first = { ...message, perfMs: performance.now(), clickPerfMs: this.clickPerfMs, sampleRate };
      console.debug(`tonearm:first-sound ${JSON.stringify(this.first)}`);
    } else if (message.type === 'chunk') {
      this.chunks.push(message.samples);
    } else if (message.type === 'flushed') {
      this.flushed?.(message);
    }
  },
  // Every captured sample so far, per channel, as base64 of little-endian float32.
  async collect() {
    if (this.node) {
      await new Promise((resolve) => {
        this.flushed = resolve;
        this.node.port.postMessage('flush');
      });
    }
    const channels = this.chunks[0]?.length || 0;
    const frames = this.chunks.reduce((n, c) => n + c[0].length, 0);
    const out = [];
    for (let c = 0; c < channels; c++) {
      const all = new Float32Array(frames);
      let at = 0;
      for (const chunk of this.chunks) { all.set(chunk[c], at); at += chunk[c].length; }
      let text = '';
      const bytes = new Uint8Array(all.buffer);
      for (let i = 0; i < bytes.length; i += 0x8000) text += String.fromCharCode.apply(null, bytes.subarray(i, i + 0x8000));
      out.push(btoa(text));
    }
    return { channels, frames, samples: out, first: this.first };
  },
  reset() {
    this.chunks = [];
    this.first = null;
  },
};

// The first click or key of the page: where "click → sound" starts.
for (const type of ['click', 'keydown']) {
  document.addEventListener(type, () => { tap.clickPerfMs ??= performance.now(); }, { capture: true });
}

// ------------------------------------------------------------------------------- stats
const stats = {
  blocks: 0, relayMs: 0, relayedFrames: 0, contexts: 0, maxScheduledAhead: 0,
  firstStart: undefined, firstStartRelayedFrames: undefined,
  get underruns() { return playback.underruns; },
};
playback.stats = stats;

const Context = globalThis.AudioContext;
globalThis.AudioContext = class extends Context {
  constructor(...args) {
    super(...args);
    stats.contexts++;
    if (!params.has('tap')) return;
    this.tapInput = new GainNode(this);
    this.tapReady = this.connectTap();
    super.suspend();
  }

  get destination() {
    return this.tapInput ?? super.destination;
  }

  async connectTap() {
    const destination = super.destination;
    await this.audioWorklet.addModule('/__tonearm/tap-worklet.js');
    const channels = destination.channelCount;
    const node = new AudioWorkletNode(this, 'tonearm-tap', {
      numberOfInputs: 1, numberOfOutputs: 1, outputChannelCount: [channels],
      channelCount: channels, channelCountMode: 'explicit', channelInterpretation: 'discrete',
      processorOptions: { channels },
    });
    node.port.onmessage = (event) => tap.receive(event.data, this.sampleRate);
    this.tapInput.connect(node).connect(destination);
    tap.node = node;
  }

  resume() {
    return this.tapReady ? this.tapReady.then(() => super.resume()) : super.resume();
  }
};

// When the first block was scheduled, and for when (the benchmark's click → scheduled sound).
const start = AudioBufferSourceNode.prototype.start;
AudioBufferSourceNode.prototype.start = function (when = 0, ...rest) {
  if (!stats.firstStart) {
    const ctx = this.context;
    stats.firstStart = { perfMs: performance.now(), contextTime: ctx.currentTime, startTime: when,
      baseLatency: ctx.baseLatency || 0, outputLatency: ctx.outputLatency || 0 };
  }
  return start.call(this, when, ...rest);
};

const receive = playback.receive.bind(playback);
playback.receive = (block) => {
  const t0 = performance.now();
  const before = playback.scheduledFrames;
  receive(block);
  if (playback.scheduledFrames !== before + block.frames) return;   // dropped, or waiting
  stats.blocks++;
  stats.relayedFrames += block.frames;
  stats.relayMs += performance.now() - t0;
  stats.maxScheduledAhead = Math.max(stats.maxScheduledAhead, playback.aheadSeconds());
  if (stats.firstStart && stats.firstStartRelayedFrames === undefined) stats.firstStartRelayedFrames = stats.relayedFrames;
};

// ------------------------------------------------------------------------------- the worker
const clientStats = { blockMessages: 0, relayMs: 0, memoryBuffers: 0 };
client.stats = clientStats;
Object.defineProperty(client, 'workersStarted', { get: () => globalThis.__tonearmWorkers || 0 });

const replies = new Map();   // request id → resolve
let lastRequestId = 0;
const request = (type, fields) => new Promise((resolve) => {
  const id = ++lastRequestId;
  replies.set(id, resolve);
  client.worker.postMessage({ type, id, ...fields });
});
// The worker decodes `url` as fast as it can: { ms, frames, sampleRate, channels, module }.
client.bench = (url) => request('bench', { url: new URL(url, location.href).href });
// What the worker sees: { memoryBytes (its wasm memory), sharedMemory, webAudio, modules }.
client.probe = () => request('probe', {});
// The worker's wasm memory grows by an allocation of `bytes` (made and freed).
client.grow = (bytes) => request('grow', { bytes });

const clientReceive = client.receive.bind(client);
client.receive = (message) => {
  if (message.type in { bench: 1, probe: 1, grow: 1 } && replies.has(message.id)) {
    replies.get(message.id)(message);
    replies.delete(message.id);
    return;
  }
  if (message.type !== 'block') return clientReceive(message);
  const t0 = performance.now();
  clientReceive(message);
  if (message.memory) clientStats.memoryBuffers++;
  clientStats.blockMessages++;
  clientStats.relayMs += performance.now() - t0;
};

window.tonearm = { ...page, tap, stats };
