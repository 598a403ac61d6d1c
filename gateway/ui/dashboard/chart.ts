// Geometry of the dashboard's 24 h ingest chart (one bar per UTC hour, events per minute): plain numbers the
// server renders as inline SVG and sends over SSE, so the browser script only moves rectangles and never
// computes a layout. Pure.
//   chartGeometry({ labels: ['00:00', …], data: [1.5, …] }) -> { width, height, bars: [{ x, y, w, h, title }], … }

export const CHART = { width: 1200, height: 240, left: 48, right: 8, top: 12, bottom: 24 } as const;

export interface ChartBar {
  x: number;
  y: number;
  w: number;
  h: number;
  /** Tooltip: 'HH:00 UTC: N events/min'. */
  title: string;
}

export interface ChartGeometry {
  width: number;
  height: number;
  /** Top of the y axis (a round number ≥ the largest value) and its label. */
  max: number;
  maxLabel: string;
  midLabel: string;
  bars: ChartBar[];
  /** x-axis labels, one per bar ('' where none is drawn). */
  labels: { x: number; text: string }[];
}

/** 1, 2, 2.5, 5 × 10^n: the smallest such number ≥ v (and ≥ 1). */
export function niceCeiling(v: number): number {
  if (!(v > 1)) return 1;
  const p = 10 ** Math.floor(Math.log10(v));
  for (const m of [1, 2, 2.5, 5, 10]) if (m * p >= v) return m * p;
  return 10 * p;
}

const round1 = (n: number) => Math.round(n * 10) / 10;

export function formatRate(n: number): string {
  if (n >= 100) return Math.round(n).toLocaleString('en-US');
  return String(Math.round(n * 100) / 100);
}

export function chartGeometry(series: { labels: string[]; data: number[] }): ChartGeometry {
  const { width, height, left, right, top, bottom } = CHART;
  const n = Math.max(series.data.length, 1);
  const data = series.data.map((v) => (Number.isFinite(v) && v > 0 ? v : 0));
  const max = niceCeiling(Math.max(0, ...data));
  const plotW = width - left - right;
  const plotH = height - top - bottom;
  const slot = plotW / n;
  const barW = Math.max(1, slot - 3);
  const bars = data.map((v, i) => {
    const h = round1((v / max) * plotH);
    return {
      x: round1(left + i * slot + 1.5),
      y: round1(top + plotH - h),
      w: round1(barW),
      h,
      title: `${series.labels[i] ?? ''} UTC: ${formatRate(v)} events/min`,
    };
  });
  const labels = data.map((_, i) => ({
    x: round1(left + i * slot + slot / 2),
    text: i % 3 === 0 || i === n - 1 ? (series.labels[i] ?? '') : '',
  }));
  return { width, height, max, maxLabel: formatRate(max), midLabel: formatRate(max / 2), bars, labels };
}
