// The autoscaling chart: queued demand, desired and ready agents over the
// last hour (or the last minutes of it), drawn as steps from the pool's
// status.scaleHistory.
import { h, s } from './dom.js';

const W = 600, H = 180, L = 34, R = 8, T = 10, B = 24;
const SERIES = [['queued', 'Queued builds'], ['desired', 'Desired agents'], ['ready', 'Ready agents']];

export function scaleChart(samples, now = Date.now(), span = 3600e3) {
  const from = now - span;
  const pts = (samples || []).map((p) => ({ t: Date.parse(p.time), queued: p.queued || 0, desired: p.desired || 0, ready: p.ready || 0 }))
    .filter((p) => !isNaN(p.t)).sort((a, b) => a.t - b.t);
  const max = Math.max(1, ...pts.map((p) => Math.max(p.queued, p.desired, p.ready)));
  const x = (t) => L + (Math.min(Math.max(t, from), now) - from) / span * (W - L - R);
  const y = (v) => T + (1 - v / max) * (H - T - B);
  const svg = s('svg', { viewBox: `0 0 ${W} ${H}`, class: 'chart', role: 'img',
    'aria-label': `queued builds, desired and ready agents over the last ${span / 60e3} minutes` });
  for (const v of ticks(max)) {
    svg.append(s('line', { x1: L, x2: W - R, y1: y(v), y2: y(v), class: 'grid' }),
      s('text', { x: L - 4, y: y(v) + 4, class: 'axis', 'text-anchor': 'end' }, String(v)));
  }
  for (const f of [1, 0.75, 0.5, 0.25, 0]) {
    const label = f === 0 ? 'now' : '-' + (span * f / 60e3 >= 1 ? span * f / 60e3 + 'm' : span * f / 1e3 + 's');
    svg.append(s('text', { x: x(now - f * span), y: H - 6, class: 'axis', 'text-anchor': f === 1 ? 'start' : f === 0 ? 'end' : 'middle' }, label));
  }
  if (pts.length) {
    for (const [k] of SERIES) {
      let d = '';
      pts.forEach((p, i) => {
        d += i === 0 ? `M${x(p.t)},${y(p[k])}` : `H${x(p.t)}V${y(p[k])}`;
      });
      d += `H${x(now)}`;
      svg.append(s('path', { d, class: 'series s-' + k, 'data-series': k }));
    }
  }
  const last = pts[pts.length - 1];
  return h('figure', { class: 'scalechart' }, svg,
    h('figcaption', null, SERIES.map(([k, label]) => h('span', { class: 'legend l-' + k },
      h('span', { class: 'swatch' }), label + (last ? ': ' + last[k] : ''))),
    pts.length ? null : h('span', { class: 'muted' }, ' No samples yet.')));
}

function ticks(max) {
  const step = max <= 5 ? 1 : max <= 10 ? 2 : Math.ceil(max / 5);
  const out = [];
  for (let v = 0; v <= max; v += step) out.push(v);
  return out;
}
