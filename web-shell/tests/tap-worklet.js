// TEST HOOK (hooks.js installs it with ?tap; never shipped): an AudioWorkletNode running this
// processor sits just before the destination, passes its input through unchanged and posts
// what it sees to the page, so tests can compare what was actually played with tonearm's
// native decode, sample for sample, and benchmarks can time the first sound. It posts from the
// first non-silent sample on, in chunks of CHUNK frames.
const CHUNK = 8192;

class TapProcessor extends AudioWorkletProcessor {
  constructor(options) {
    super();
    this.channels = options.processorOptions?.channels || 2;
    this.chunk = null;
    this.filled = 0;
    this.heard = false;
    this.framesSeen = 0;
    this.port.onmessage = (event) => {
      if (event.data === 'flush') this.flush();
    };
  }

  flush() {
    if (this.chunk && this.filled > 0) {
      const out = this.chunk.map((channel) => channel.slice(0, this.filled));
      this.port.postMessage({ type: 'chunk', samples: out }, out.map((c) => c.buffer));
    }
    this.chunk = null;
    this.filled = 0;
    this.port.postMessage({ type: 'flushed', framesSeen: this.framesSeen });
  }

  process(inputs, outputs) {
    const input = inputs[0];
    const output = outputs[0];
    const frames = output[0] ? output[0].length : 128;
    for (let c = 0; c < output.length; c++) {
      if (input[c]) output[c].set(input[c]);
      else output[c].fill(0);
    }
    this.framesSeen += frames;
    let start = 0;
    if (!this.heard) {
      // Find the first non-silent frame of this quantum (an unconnected input has no channels).
      start = frames;
      for (let c = 0; c < input.length; c++) {
        const data = input[c];
        for (let i = 0; i < data.length && i < start; i++) if (data[i] !== 0) { start = i; break; }
      }
      if (start === frames) return true;
      this.heard = true;
      this.port.postMessage({ type: 'first', frame: currentFrame + start, time: (currentFrame + start) / sampleRate });
    }
    for (let i = start; i < frames; ) {
      if (!this.chunk) {
        this.chunk = Array.from({ length: this.channels }, () => new Float32Array(CHUNK));
        this.filled = 0;
      }
      const n = Math.min(frames - i, CHUNK - this.filled);
      for (let c = 0; c < this.channels; c++) {
        const data = input[c];
        if (data) this.chunk[c].set(data.subarray(i, i + n), this.filled);
      }
      this.filled += n;
      i += n;
      if (this.filled === CHUNK) {
        const out = this.chunk;
        this.chunk = null;
        this.port.postMessage({ type: 'chunk', samples: out }, out.map((c) => c.buffer));
      }
    }
    return true;
  }
}

registerProcessor('tonearm-tap', TapProcessor);
