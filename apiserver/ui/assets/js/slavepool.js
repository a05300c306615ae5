// A SlavePool: its agents, and autoscaling at work.
import { h, ago, kv, table, section, badge, words, seconds, fill } from './dom.js';
import { conditions, events, notFound, header, actionForm, cond } from './parts.js';
import { scale, mergePatch } from './api.js';
import { scaleChart } from './chart.js';

// span is the chart's time range, kept across pages.
let span = 3600e3;
const SPANS = [['5m', 300e3], ['15m', 900e3], ['1h', 3600e3]];

const PHASE = { Online: 'good', Provisioning: 'run', Booting: 'run', Draining: 'warn', Deleting: 'muted' };

export function slavepool(ctx, ns, name) {
  const body = h('div');
  const actions = h('div', { class: 'actions' });
  const el = h('div', { class: 'page slavepool' }, actions, body);
  let built = false;
  // The range buttons are made once and moved into each render, so that
  // a re-render between a press and its release does not lose the click.
  const buttons = SPANS.map(([label, ms]) => h('button', { type: 'button', id: 'chart-' + label,
    onclick: () => { span = ms; update(); } }, label));
  const range = h('div', { class: 'range', role: 'group', 'aria-label': 'chart range' }, buttons);
  const update = () => {
    SPANS.forEach(([, ms], i) => {
      buttons[i].className = ms === span ? 'on' : '';
      buttons[i].setAttribute('aria-pressed', String(ms === span));
    });
    const p = ctx.live.get('slavepools', ns, name);
    if (!p) { fill(body, notFound('SlavePool', ns, name)); return; }
    const auto = p.spec.autoscale && p.spec.autoscale.enabled;
    if (!built) {
      built = true;
      // An autoscaled pool is sized by the queue within [min, max]:
      // what a person sets there is the floor; otherwise the size.
      if (auto && ctx.can('patch slavepools')) {
        actions.append(actionForm({ id: 'scale', label: 'Keep at least', value: p.spec.minReplicas || 0, min: 0, button: 'Set minimum',
          hint: `agents (spec.minReplicas; the queue sizes the pool up to ${p.spec.maxReplicas})`,
          act: async (n) => { const o = await mergePatch('slavepools', ns, name, { spec: { minReplicas: n } }); return 'minimum ' + o.spec.minReplicas; } }).form);
      } else if (!auto && ctx.can('patch slavepools/scale')) {
        actions.append(actionForm({ id: 'scale', label: 'Agents', value: p.spec.replicas ?? 0, min: 0, button: 'Scale',
          act: async (n) => { const s = await scale('slavepools', ns, name, n); return 'scaled to ' + s.spec.replicas; } }).form);
      }
    }
    const st = p.status || {}, ready = cond(p, 'Ready'), scaling = cond(p, 'Scaling');
    const now = Date.now();
    fill(body,
      header('SlavePool', p, ready ? badge(words(ready.reason), ready.status === 'True' ? 'good' : 'bad') : null),
      section('Size',
        h('p', { id: 'pool-size', class: 'big' }, `${st.ready || 0} online of ${st.desiredReplicas || 0} desired · ${st.busy || 0} busy · ${st.idle || 0} idle · ${st.queued || 0} queued`),
        scaling ? h('p', { class: 'msg' }, words(scaling.reason) + (scaling.message ? ': ' + scaling.message : '')) : null,
        range,
        scaleChart(st.scaleHistory, now, span),
        kv([
          ['Labels', (p.spec.labels || []).join(' ')],
          ['Sizing', auto ? `autoscaled from the Jenkins queue, ${p.spec.minReplicas}–${p.spec.maxReplicas} agents, ${p.spec.autoscale.minIdle || 0} kept idle`
            : `spec.replicas ${p.spec.replicas}, within ${p.spec.minReplicas}–${p.spec.maxReplicas}`],
          ['Executors per agent', String(p.spec.executors || 1)],
          ['Jenkins / cloud', (p.spec.jenkins || 'default') + ' / ' + (p.spec.cloud || 'default')],
          ['Server', `${p.spec.template.image} on ${p.spec.template.flavor}`],
          ['Last scaled', ago(st.lastScaleTime)],
        ])),
      section('Agents', table('agents', ['Jenkins node', 'Phase', 'For', 'Executors', 'Server', 'IP'],
        (st.nodes || []).map((n) => h('tr', { 'data-name': n.name, 'data-phase': n.phase },
          h('td', null, h('code', null, n.name)),
          h('td', null, badge(n.phase, PHASE[n.phase] || '')),
          h('td', null, n.since ? seconds(now - Date.parse(n.since)) : ''),
          h('td', null, n.phase !== 'Online' ? '' : n.busy ? badge(n.busy + ' busy', 'run') : 'idle' + (n.idleSince ? ' ' + seconds(now - Date.parse(n.idleSince)) : '')),
          h('td', null, h('code', null, n.serverID || '')),
          h('td', null, n.ip || ''))), 'No agents.')),
      conditions(p),
      events(ctx.live, 'SlavePool', ns, name));
  };
  return { el, update, tick: true };
}
