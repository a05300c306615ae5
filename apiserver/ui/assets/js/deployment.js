// A Deployment: rollout progress, what runs where, history, events.
import { h, ago, kv, table, section, badge, words, fill } from './dom.js';
import { conditions, events, notFound, header, actionForm, actionButton, cond } from './parts.js';
import { scale, mergePatch } from './api.js';

export function deployment(ctx, ns, name) {
  const body = h('div');
  const actions = h('div', { class: 'actions' });
  const el = h('div', { class: 'page deployment' }, actions, body);
  let built = false, pause;
  const update = () => {
    const d = ctx.live.get('deployments', ns, name);
    if (!d) { fill(body, notFound('Deployment', ns, name)); return; }
    if (!built && (ctx.can('patch deployments/scale') || ctx.can('patch deployments'))) {
      built = true;
      if (ctx.can('patch deployments/scale')) {
        actions.append(actionForm({ id: 'scale', label: 'Replicas', value: d.spec.replicas ?? 1, min: 0, button: 'Scale',
          act: async (n) => { const s = await scale('deployments', ns, name, n); return 'scaled to ' + s.spec.replicas; } }).form);
      }
      if (ctx.can('patch deployments')) {
        pause = actionButton({ id: 'pause', text: '', act: async () => {
          const cur = ctx.live.get('deployments', ns, name);
          const want = !(cur && cur.spec.paused);
          await mergePatch('deployments', ns, name, { spec: { paused: want } });
          return want ? 'paused' : 'resumed';
        } });
        actions.append(pause.el);
      }
    }
    if (pause) pause.btn.textContent = d.spec.paused ? 'Resume' : 'Pause';
    const st = d.status || {}, want = d.spec.replicas ?? 1;
    const avail = cond(d, 'Available'), prog = cond(d, 'Progressing');
    fill(body,
      header('Deployment', d, [avail ? badge(words(avail.reason), avail.status === 'True' ? 'good' : 'bad') : null,
        d.spec.paused ? badge('Paused', 'warn') : null]),
      section('Rollout',
        h('div', { class: 'progress' },
          h('progress', { max: Math.max(want, 1), value: Math.min(st.updatedReplicas || 0, want), 'aria-label': 'updated replicas' }),
          h('span', { id: 'rollout-progress' }, `${st.updatedReplicas || 0} updated · ${st.readyReplicas || 0} ready · ${st.availableReplicas || 0} available of ${want} desired`)),
        prog ? h('p', { class: 'msg' }, words(prog.reason) + (prog.message ? ': ' + prog.message : '')) : null,
        kv([
          ['Image', h('code', null, d.spec.image)],
          ['Marathon app', h('code', null, '/' + d.metadata.namespace + '/' + d.metadata.name)],
          ['Marathon version', st.appVersion || 'not deployed yet'],
          ['Deployment in flight', st.deploymentId || ''],
          ['Last good version', st.lastGoodVersion || 'none yet'],
          ['Verified version', st.verifiedVersion || ''],
          ['Last progress', ago(st.lastProgressTime)],
          ['Observed generation', `${st.observedGeneration || 0} of ${d.metadata.generation}`],
        ])),
      section('Endpoints', table('endpoints', ['Task', 'Host:ports', 'Service ports', 'Healthy', 'Version'],
        (st.endpoints || []).map((e) => h('tr', null,
          h('td', null, h('code', null, e.taskId || '')),
          h('td', null, (e.ports || []).map((p) => e.host + ':' + p).join(' ') || e.host),
          h('td', null, (e.servicePorts || []).join(' ')),
          h('td', null, e.healthy ? badge('healthy', 'good') : badge('not healthy', 'bad')),
          h('td', null, e.version || ''))), 'No tasks running.')),
      conditions(d),
      section('Rollout history', table('history', ['Revision', 'Image', 'Result', 'Marathon version', 'When'],
        (st.history || []).slice().reverse().map((r) => h('tr', null,
          h('td', null, String(r.revision)), h('td', null, h('code', null, r.image)),
          h('td', null, badge(words(r.result), { Good: 'good', RolledBack: 'bad', Progressing: 'run' }[r.result] || '')),
          h('td', null, r.appVersion || ''), h('td', null, ago(r.time)))), 'No revisions yet.')),
      events(ctx.live, 'Deployment', ns, name));
  };
  return { el, update };
}
