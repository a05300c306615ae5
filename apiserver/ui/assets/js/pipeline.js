// A Pipeline (its builds, webhook deliveries, a manual trigger) and a
// Build (its stages, why it waits, its log's tail).
import { h, ago, kv, table, section, badge, words, short, extLink, objLink, between, route, fill } from './dom.js';
import { conditions, events, notFound, header, actionForm } from './parts.js';
import { create, text, path } from './api.js';
import { phase } from './overview.js';
import { matches } from './labels.js';

const num = (b) => b.spec.number || 0;
const buildsOf = (live, ns, name) => live.list('builds').filter((b) => b.metadata.namespace === ns && b.spec.pipeline === name)
  .sort((a, b) => num(b) - num(a));

function stages(b) {
  return ((b.status && b.status.stages) || []).map((s) => s.name + ': ' + s.phase).join(', ');
}

export function buildRows(bs) {
  return bs.map((b) => {
    const st = b.status || {};
    return h('tr', { 'data-name': b.metadata.name },
      h('td', null, objLink('builds', b, '#' + num(b))),
      h('td', null, b.spec.branch || (b.spec.gitTag ? 'tag ' + b.spec.gitTag : '')),
      h('td', null, h('code', null, short(st.sha1 || b.spec.sha1))),
      h('td', null, st.tag || ''),
      h('td', null, phase(st.phase), st.reason && st.phase !== 'Succeeded' ? h('small', { class: 'muted' }, ' ' + words(st.reason)) : null),
      h('td', null, between(st.startTime || st.queuedTime, st.completionTime)),
      h('td', null, stages(b)));
  });
}

export function pipeline(ctx, ns, name) {
  const body = h('div');
  const actions = h('div', { class: 'actions' });
  const el = h('div', { class: 'page pipeline' }, actions, body);
  let built = false;
  const update = () => {
    const p = ctx.live.get('pipelines', ns, name);
    if (!p) { fill(body, notFound('Pipeline', ns, name)); return; }
    const manual = !(p.spec.trigger && p.spec.trigger.manual === false);
    if (!built && manual && ctx.can('create builds')) {
      built = true;
      const branch = (p.spec.source.branches || []).find((b) => !/[*?[]/.test(b)) || 'main';
      actions.append(actionForm({ id: 'trigger', label: 'Branch', type: 'text', value: branch, button: 'Trigger build',
        act: async (br) => {
          const b = await create('builds', ns, { apiVersion: 'minka.dev/v1alpha1', kind: 'Build', metadata: { namespace: ns },
            spec: { pipeline: name, branch: br, trigger: { kind: 'manual' } } });
          return 'created ' + b.metadata.name;
        } }).form);
    }
    const st = p.status || {};
    fill(body,
      header('Pipeline', p, null),
      kv([
        ['Jenkins job', (p.spec.jenkins || 'default') + ' / ' + p.spec.job],
        ['Runs on', p.spec.label || 'any agent'],
        ['Source', [h('code', null, p.spec.source.git), ' branches ', (p.spec.source.branches || ['*']).join(' '),
          p.spec.source.tags ? ' tags ' + p.spec.source.tags.join(' ') : '']],
        ['Triggers', [p.spec.trigger && p.spec.trigger.webhook ? 'webhook' : null, manual ? 'manual' : null].filter(Boolean).join(', ')],
        ['Concurrency', p.spec.concurrency ? `${p.spec.concurrency.policy || 'Allow'} per ${p.spec.concurrency.key || 'branch'}` : 'Allow per branch'],
        ['Deploys to', p.spec.deploy ? ((p.spec.deploy.stages || []).map((s) => s.deployment).join(' → ') || p.spec.deploy.deployment || '') : ''],
      ]),
      section('Builds', table('builds', ['Build', 'Branch', 'sha1', 'Tag', 'Phase', 'Duration', 'Stages'],
        buildRows(buildsOf(ctx.live, ns, name)), 'No builds yet.')),
      section('Webhook deliveries', table('deliveries', ['When', 'Event', 'Sender', 'Ref', 'sha1', 'Outcome', 'Build'],
        (st.deliveries || []).slice().reverse().map((d) => h('tr', { 'data-id': d.id },
          h('td', null, ago(d.time)), h('td', null, d.event), h('td', null, d.style), h('td', null, d.ref || ''),
          h('td', null, h('code', null, short(d.sha1))),
          h('td', null, badge(d.outcome, d.outcome === 'Built' ? 'good' : ''), d.reason ? h('small', { class: 'muted' }, ' ' + d.reason) : null),
          h('td', null, d.build ? h('a', { href: route('builds', ns, d.build) }, d.build) : ''))),
        'No webhook delivery in the last 24 hours.')),
      conditions(p),
      events(ctx.live, 'Pipeline', ns, name));
  };
  return { el, update };
}

const LOG_LINES = 60;

export function build(ctx, ns, name) {
  const body = h('div');
  const log = h('pre', { id: 'build-log', class: 'log' }, '');
  const logNote = h('p', { class: 'muted' });
  const el = h('div', { class: 'page build' }, body,
    section('Log (last ' + LOG_LINES + ' lines)', logNote, log));
  let lastLog = 0, fetching = false, seenRV = '';
  const fetchLog = async (b) => {
    const st = b.status || {};
    if (!st.jenkinsBuild) { logNote.textContent = 'No log: the build has not started in Jenkins yet.'; return; }
    const running = !['Succeeded', 'Failed', 'Aborted', 'Cancelled'].includes(st.phase) || !st.builtTime;
    if (fetching || (b.metadata.resourceVersion === seenRV && !running) || Date.now() - lastLog < 2000) return;
    fetching = true;
    lastLog = Date.now();
    seenRV = b.metadata.resourceVersion;
    try {
      const t = await text(path('builds', ns, name, 'log'));
      const lines = t.replace(/\n$/, '').split('\n');
      log.textContent = lines.slice(-LOG_LINES).join('\n');
      logNote.textContent = `${lines.length} lines` + (st.url ? '' : '');
    } catch (e) {
      logNote.textContent = e.message;
    } finally {
      fetching = false;
    }
  };
  const update = () => {
    const b = ctx.live.get('builds', ns, name);
    if (!b) { fill(body, notFound('Build', ns, name)); return; }
    const st = b.status || {};
    const p = ctx.live.get('pipelines', ns, b.spec.pipeline);
    const waiting = ['', 'Pending', 'Queued', undefined].includes(st.phase);
    fill(body,
      header('Build', b, phase(st.phase)),
      kv([
        ['Pipeline', h('a', { href: route('pipelines', ns, b.spec.pipeline) }, b.spec.pipeline), ],
        ['Number', '#' + num(b)],
        ['Branch', b.spec.branch || ''],
        ['Git tag', b.spec.gitTag || ''],
        ['sha1', h('code', null, st.sha1 || b.spec.sha1 || '')],
        ['Tag', st.tag ? [h('code', null, st.tag), st.stable ? ' (stable)' : ''] : ''],
        ['Phase', [st.phase || 'New', st.reason ? ' · ' + words(st.reason) : '']],
        ['Message', st.message || ''],
        ['Triggered by', b.spec.trigger ? b.spec.trigger.kind + (b.spec.trigger.sender ? ' by ' + b.spec.trigger.sender : '') : ''],
        ['Jenkins', st.url ? extLink(st.url, 'build ' + st.jenkinsBuild) : st.queueURL ? extLink(st.queueURL, 'queue item ' + st.queueItem) : ''],
        ['Repo', st.repo ? h('a', { href: route('repos', ns, st.repo) }, st.repo) : ''],
        ['Queued', ago(st.queuedTime)],
        ['Started', ago(st.startTime)],
        ['Duration', between(st.startTime, st.builtTime)],
        ['Completed', ago(st.completionTime)],
      ]),
      waiting ? whyWaiting(ctx, b, p) : null,
      section('Stages', table('stages', ['Stage', 'Deployment', 'Image', 'Phase', 'Message', 'Took'],
        (st.stages || []).map((s) => h('tr', null, h('td', null, s.name),
          h('td', null, h('a', { href: route('deployments', ns, s.deployment) }, s.deployment)),
          h('td', null, h('code', null, s.image || '')), h('td', null, badge(s.phase, s.phase === 'Available' ? 'good' : s.phase === 'RolledBack' ? 'bad' : '')),
          h('td', { class: 'msg' }, s.message || ''), h('td', null, between(s.startTime, s.completionTime)))),
        'No deploy stages.')),
      conditions(b),
      events(ctx.live, 'Build', ns, name));
    fetchLog(b);
  };
  return { el, update, tick: true };
}

// whyWaiting answers "why is my build waiting?": the Build's own reason,
// and the pools that can run it, with their room.
function whyWaiting(ctx, b, p) {
  const st = b.status || {};
  const label = p && p.spec.label;
  const pools = ctx.live.list('slavepools').filter((sp) => matches(label, sp.spec.labels) !== false);
  return section('Why it waits',
    h('p', { class: 'msg' }, st.message || words(st.reason) || 'The controller has not picked it up yet.'),
    h('p', null, label ? ['Its job runs on agents labelled ', h('code', null, label), ':'] : 'Its job runs on any agent:'),
    table('pools', ['SlavePool', 'Online', 'Busy', 'Queued', 'Room to grow'], pools.map((sp) => {
      const s = sp.status || {};
      return h('tr', null, h('td', null, objLink('slavepools', sp)), h('td', null, `${s.ready || 0}/${s.desiredReplicas || 0}`),
        h('td', null, String(s.busy || 0)), h('td', null, String(s.queued || 0)),
        h('td', null, String(Math.max(0, (sp.spec.maxReplicas || 0) - (s.replicas || 0))) + ' agents'));
    }), 'No SlavePool has those labels: no agent will come for it.'));
}
