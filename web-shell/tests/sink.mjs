// What the sound server played: its null sink's monitor, recorded by parec — what a listener
// would hear from the browser. The server is the private PulseAudio of scripts/lib/pulse.sh
// (scripts/web test starts it and exports PULSE_SERVER); its sink runs at 44.1 kHz, float32.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

export class SinkRecorder {
  // Starts recording; resolves once parec has had time to connect (audio before that is lost).
  static async start({ rate = 44100 } = {}) {
    const recorder = new SinkRecorder(rate);
    await sleep(400);
    if (recorder.child.exitCode !== null) throw new Error(`parec exited: ${recorder.stderr()}`);
    return recorder;
  }

  constructor(rate) {
    this.rate = rate;
    this.dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tonearm-sink-'));
    this.file = path.join(this.dir, 'capture.raw');
    const out = fs.openSync(this.file, 'w');
    const err = fs.openSync(path.join(this.dir, 'parec.log'), 'w');
    // 50 ms: with shorter latencies the monitor drops the start of a stream joining the sink.
    this.child = spawn('parec', ['-d', 'capture.monitor', '--format=float32le', `--rate=${rate}`, '--channels=2',
      '--latency-msec=50', '--raw'], { stdio: ['ignore', out, err] });
    fs.closeSync(out);
    fs.closeSync(err);
    this.exited = new Promise((resolve) => this.child.once('exit', resolve));
  }

  stderr() {
    return fs.readFileSync(path.join(this.dir, 'parec.log'), 'utf8').trim();
  }

  // Stops cleanly (SIGINT flushes what parec holds) and returns the recording, planar.
  async stop() {
    await sleep(300);   // the sink's last buffer reaches the monitor
    this.child.kill('SIGINT');
    await this.exited;
    const bytes = fs.readFileSync(this.file);
    fs.rmSync(this.dir, { recursive: true, force: true });
    const frames = Math.floor(bytes.length / 8);
    const planar = [new Float32Array(frames), new Float32Array(frames)];
    for (let i = 0; i < frames; i++) {
      planar[0][i] = bytes.readFloatLE(i * 8);
      planar[1][i] = bytes.readFloatLE(i * 8 + 4);
    }
    return planar;
  }
}
