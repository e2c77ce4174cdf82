// The canvas: the file's waveform (peaks from the worker's scan), what has played, the
// playhead, a level meter, and the "click to play" prompt. Pure drawing; no audio here.

const COLORS = {
  background: '#12151c',
  grid: 'rgba(255,255,255,0.05)',
  wave: '#3a4459',
  played: '#5eead4',
  playedGlow: 'rgba(94,234,212,0.25)',
  playhead: '#f8fafc',
  text: '#e2e8f0',
  muted: '#8b95a7',
  error: '#fca5a5',
  meter: ['#5eead4', '#fde68a', '#fb7185'],
};

export class WaveformView {
  constructor(canvas) {
    this.canvas = canvas;
    this.g = canvas.getContext('2d');
    this.peaks = null;
    this.scanProgress = 0;
    this.level = 0;
    this.resize();
    new ResizeObserver(() => this.resize()).observe(canvas);
  }

  resize() {
    const dpr = window.devicePixelRatio || 1;
    const { width, height } = this.canvas.getBoundingClientRect();
    const w = Math.max(1, Math.round(width * dpr));
    const h = Math.max(1, Math.round(height * dpr));
    if (this.canvas.width !== w || this.canvas.height !== h) {
      this.canvas.width = w;
      this.canvas.height = h;
    }
    this.dpr = dpr;
  }

  setPeaks(peaks, progress) {
    this.peaks = peaks;
    this.scanProgress = progress;
  }

  clear() {
    this.peaks = null;
    this.scanProgress = 0;
  }

  // view: { fraction (0..1 played), level (0..1), prompt (string|null), message, error }
  draw(view) {
    const { g, canvas, dpr } = this;
    const W = canvas.width;
    const H = canvas.height;
    const meterW = Math.round(14 * dpr);
    const pad = Math.round(16 * dpr);
    const waveW = W - meterW - pad * 3;
    const mid = H / 2;
    g.fillStyle = COLORS.background;
    g.fillRect(0, 0, W, H);
    g.fillStyle = COLORS.grid;
    g.fillRect(pad, Math.round(mid), waveW, Math.max(1, dpr));

    // The waveform: one bar per column, mirrored; played columns in the accent colour.
    const playedX = pad + waveW * Math.max(0, Math.min(1, view.fraction || 0));
    if (this.peaks) {
      const bins = this.peaks.length;
      const barW = Math.max(1, 2 * dpr);
      const step = barW + Math.max(1, dpr);
      const amp = (H / 2 - pad) * 0.98;
      for (let x = 0; x < waveW; x += step) {
        const from = Math.floor((x / waveW) * bins);
        const to = Math.max(from + 1, Math.floor(((x + step) / waveW) * bins));
        let peak = 0;
        for (let i = from; i < to && i < bins; i++) peak = Math.max(peak, this.peaks[i]);
        // Loudness-like scale so quiet passages stay visible.
        const h = Math.max(dpr, Math.sqrt(Math.min(1, peak)) * amp);
        g.fillStyle = pad + x < playedX ? COLORS.played : COLORS.wave;
        g.fillRect(pad + x, mid - h, barW, h * 2);
      }
    }

    // Playhead.
    if (view.fraction > 0) {
      g.fillStyle = COLORS.playedGlow;
      g.fillRect(playedX - 3 * dpr, pad / 2, 6 * dpr, H - pad);
      g.fillStyle = COLORS.playhead;
      g.fillRect(playedX - dpr / 2, pad / 2, Math.max(1, dpr), H - pad);
    }

    // Level meter at the right.
    const mx = W - pad - meterW;
    const mh = H - pad * 2;
    g.fillStyle = 'rgba(255,255,255,0.06)';
    g.fillRect(mx, pad, meterW, mh);
    const db = view.level > 0 ? 20 * Math.log10(view.level) : -Infinity;
    const fill = Math.max(0, Math.min(1, (db + 60) / 60));
    const grad = g.createLinearGradient(0, pad + mh, 0, pad);
    grad.addColorStop(0, COLORS.meter[0]);
    grad.addColorStop(0.75, COLORS.meter[1]);
    grad.addColorStop(1, COLORS.meter[2]);
    g.fillStyle = grad;
    g.fillRect(mx, pad + mh * (1 - fill), meterW, mh * fill);

    // Prompt or message in the middle.
    const text = view.error || view.prompt || (!this.peaks ? view.message : null);
    if (text) {
      g.font = `600 ${Math.round(18 * dpr)}px system-ui, -apple-system, "Segoe UI", sans-serif`;
      const tw = g.measureText(text).width;
      const bw = tw + 40 * dpr;
      const bh = 44 * dpr;
      const bx = pad + (waveW - bw) / 2;
      const by = mid - bh / 2;
      g.fillStyle = 'rgba(18,21,28,0.82)';
      roundRect(g, bx, by, bw, bh, 22 * dpr);
      g.fill();
      g.strokeStyle = view.error ? COLORS.error : 'rgba(94,234,212,0.6)';
      g.lineWidth = Math.max(1, dpr);
      g.stroke();
      g.fillStyle = view.error ? COLORS.error : COLORS.text;
      g.textAlign = 'center';
      g.textBaseline = 'middle';
      g.fillText(text, bx + bw / 2, mid + dpr);
    } else if (this.peaks && this.scanProgress < 1) {
      g.fillStyle = COLORS.muted;
      g.fillRect(pad, H - pad / 2 - dpr, waveW * this.scanProgress, Math.max(1, dpr));
    }
  }
}

function roundRect(g, x, y, w, h, r) {
  g.beginPath();
  g.moveTo(x + r, y);
  g.arcTo(x + w, y, x + w, y + h, r);
  g.arcTo(x + w, y + h, x, y + h, r);
  g.arcTo(x, y + h, x, y, r);
  g.arcTo(x, y, x + w, y, r);
  g.closePath();
}
