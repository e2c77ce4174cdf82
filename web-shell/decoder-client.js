// The page's side of the decoder worker: one Worker for the page's lifetime (replaced only if
// it dies), a small message protocol, and the one place where decoded audio changes hands.
//
// Ownership. AudioBuffer.copyToChannel rejects views of a SharedArrayBuffer, and an
// AudioBuffer must own its samples anyway, so every block is copied exactly once, with a
// typed-array set(), into storage the page owns:
//   threads:   the block is a view into the worker's shared wasm memory; it is copied straight
//              into the AudioBuffer's own channel arrays (getChannelData(c).set(view)), then the
//              slot goes back to the worker for reuse. Nothing shared is kept or passed on.
//   nothreads: the worker transferred an ArrayBuffer the page now owns; copyToChannel()
//              copies each planar channel out of it.

export class DecoderClient {
  constructor({ flavour, blockFrames, onReady, onOpened, onBlock, onEnd, onError, onTrackError, onJumped, onCommanded,
    onOverview, onFailure }) {
    this.flavour = flavour;
    this.blockFrames = blockFrames;
    this.handlers = { onReady, onOpened, onBlock, onEnd, onError, onTrackError, onJumped, onCommanded, onOverview, onFailure };
    this.worker = null;
    this.memory = null;     // threads: the worker's wasm memory (a SharedArrayBuffer)
    this.openId = 0;
    this.spawn();
  }

  spawn() {
    if (this.worker) this.worker.terminate();
    const url = new URL('decode-worker.js', import.meta.url);
    url.searchParams.set('flavour', this.flavour);
    if (this.blockFrames) url.searchParams.set('block', String(this.blockFrames));
    const worker = new Worker(url);
    this.worker = worker;
    this.memory = null;
    worker.onmessage = (event) => this.receive(event.data);
    const failed = (message) => {
      if (this.worker !== worker) return;   // already reported (a 'fatal' message) or replaced
      worker.terminate();
      this.worker = null;
      this.handlers.onFailure?.(message);
    };
    worker.onerror = (event) => {
      event.preventDefault();   // reported on the page (onFailure), not as an uncaught error
      failed(event.message || 'the decoder worker failed to start');
    };
    worker.onmessageerror = () => failed('a message from the decoder worker could not be read');
  }

  // Opens a URL, or Files (a playlist, played in order): the worker reads them in slices as it
  // decodes (a File crosses to the worker as a handle, not as its bytes).
  async open(source) {
    if (!this.worker) this.spawn();
    const id = ++this.openId;
    if (typeof source === 'string') {
      this.worker.postMessage({ type: 'open', id, url: new URL(source, location.href).href });
    } else {
      this.worker.postMessage({ type: 'open', id, files: source });
    }
    return id;
  }

  // Asks for the next block of up to `frames` frames (at most the worker's block size) of
  // `generation` (the worker's count of jumps).
  read(generation, frames) {
    this.worker?.postMessage({ type: 'read', id: this.openId, generation, frames });
  }

  // A player command (player_controls.hpp: { kind, value }) while `heard` ({ track, seconds })
  // is heard. The worker answers with onCommanded (and onJumped before it, if the audio moved).
  command(kind, value, heard) {
    this.worker?.postMessage({ type: 'command', id: this.openId, kind, value, track: heard.track, seconds: heard.seconds });
  }

  // Plays `track` from its start (answered with onJumped).
  jump(track) {
    this.worker?.postMessage({ type: 'jump', id: this.openId, track });
  }

  // Asks for the waveform of `track` (onOverview messages follow as it is scanned).
  overview(track) {
    this.worker?.postMessage({ type: 'overview', id: this.openId, track });
  }

  close() {
    this.openId++;
    this.worker?.postMessage({ type: 'close' });
  }

  receive(message) {
    const h = this.handlers;
    switch (message.type) {
      case 'ready':
        h.onReady?.(message);
        break;
      case 'fatal':
        this.worker?.terminate();
        this.worker = null;
        h.onFailure?.(message.message);
        break;
      case 'opened':
        if (message.id === this.openId) h.onOpened?.(message);
        break;
      case 'overview':
        if (message.id === this.openId) h.onOverview?.(message);
        break;
      case 'block':
        if (message.memory) this.memory = message.memory;   // the worker's memory grew: a new SharedArrayBuffer
        this.deliver(message);
        break;
      case 'end':
        if (message.id === this.openId) h.onEnd?.(message);
        break;
      case 'error':
        if (message.id === this.openId) h.onError?.(message);
        break;
      case 'trackError':
        if (message.id === this.openId) h.onTrackError?.(message);
        break;
      case 'jumped':
        if (message.id === this.openId) h.onJumped?.(message);
        break;
      case 'commanded':
        if (message.id === this.openId) h.onCommanded?.(message);
        break;
    }
  }

  deliver(message) {
    const { frames, channels } = message;
    let released = false;
    const release = () => {
      if (released) return;
      released = true;
      if (message.slot !== undefined) this.worker?.postMessage({ type: 'release', id: message.id, slot: message.slot });
    };
    const block = {
      id: message.id,
      generation: message.generation,
      marks: message.marks,   // where segments begin: [{ offset, track, frame, ratio, info }]
      frames,
      channels,
      release,
      // The single copy: into `audioBuffer`, which owns its storage. Releases the block.
      copyInto: (audioBuffer) => {
        if (message.slot !== undefined) {
          for (let c = 0; c < channels; c++) {
            const shared = new Float32Array(this.memory, message.byteOffset + c * frames * 4, frames);
            audioBuffer.getChannelData(c).set(shared);
          }
        } else {
          const owned = new Float32Array(message.buffer);
          for (let c = 0; c < channels; c++) audioBuffer.copyToChannel(owned.subarray(c * frames, (c + 1) * frames), c);
        }
        release();
      },
    };
    if (message.id !== this.openId) return release();
    this.handlers.onBlock?.(block);
  }
}
