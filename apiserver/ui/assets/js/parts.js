// Pieces every page shows: conditions, events, problems, action forms.
import { h, ago, words, table, section, badge, route } from './dom.js';

export const KINDS = {
  deployments: 'Deployment', slavepools: 'SlavePool', repos: 'Repo', pipelines: 'Pipeline', builds: 'Build',
};
export const RESOURCE_OF = Object.fromEntries(Object.entries(KINDS).map(([r, k]) => [k, r]));

export function cond(o, type) {
  return ((o.status && o.status.conditions) || []).find((c) => c.type === type);
}

export function conditions(o) {
  const cs = (o.status && o.status.conditions) || [];
  return section('Conditions', table('conditions', ['Type', 'Status', 'Reason', 'Message', 'Since'],
    cs.map((c) => h('tr', { class: condClass(c) },
      h('td', null, c.type), h('td', null, c.status), h('td', null, words(c.reason)),
      h('td', { class: 'msg' }, c.message || ''), h('td', null, ago(c.lastTransitionTime)))),
    'No conditions reported yet.'));
}

// Conditions whose True is bad news.
const NEGATIVE = new Set(['Degraded', 'QuotaExceeded', 'Stalled']);

function condClass(c) {
  const good = NEGATIVE.has(c.type) ? c.status === 'False' : c.status === 'True';
  if (c.type === 'Progressing' || c.type === 'Scaling') return 'cond';
  return good ? 'cond good' : 'cond bad';
}

// problem says what is wrong with an object, in plain words, or null.
export function problem(resource, o) {
  const gen = o.metadata.generation, seen = o.status && o.status.observedGeneration;
  const notReady = (type) => {
    const c = cond(o, type);
    if (!c) return { reason: 'Not reconciled yet', message: 'the controller has not reported on it' };
    if (c.status !== 'True') return { reason: words(c.reason), message: c.message || '' };
    return null;
  };
  const bad = (type) => {
    const c = cond(o, type);
    return c && c.status === 'True' ? { reason: words(c.reason), message: c.message || '' } : null;
  };
  let p = null;
  switch (resource) {
    case 'deployments':
      p = bad('Degraded') || notReady('Available');
      break;
    case 'slavepools':
      p = bad('QuotaExceeded') || notReady('BackendAvailable') || notReady('Ready');
      break;
    case 'repos':
      p = notReady('Ready');
      break;
    case 'pipelines': {
      // A Pipeline's own conditions are optional; its builds say more.
      const c = cond(o, 'Ready');
      const last = lastBuild(o);
      if (c && c.status !== 'True') p = { reason: words(c.reason), message: c.message || '' };
      else if (last && ['Failed', 'Aborted'].includes(last.phase)) {
        p = { reason: 'Last build ' + last.phase.toLowerCase(), message: `#${last.number} of ${last.branch || last.tag || 'a ref'}` };
      }
      break;
    }
    case 'builds': {
      const st = o.status || {};
      if (['Failed', 'Aborted'].includes(st.phase)) p = { reason: st.phase + (st.reason ? ': ' + words(st.reason) : ''), message: st.message || '' };
      else if (st.reason === 'SealedValueUnreadable') p = { reason: words(st.reason), message: st.message || '' };
      break;
    }
  }
  if (!p && gen && seen !== undefined && seen < gen && resource !== 'builds') {
    p = { reason: 'Change not yet seen', message: `generation ${gen} is newer than the ${seen} the controller last reported on` };
  }
  return p;
}

// lastBuild is a Pipeline's newest build in status.lastBuilds, or null.
export function lastBuild(p) {
  return ((p.status && p.status.lastBuilds) || []).reduce((a, b) => (!a || b.number > a.number ? b : a), null);
}

export function eventsOf(live, kind, ns, name) {
  return live.list('events').filter((e) => e.involvedObject && e.involvedObject.kind === kind &&
    e.involvedObject.name === name && (e.involvedObject.namespace || e.metadata.namespace) === ns);
}

export function sortEvents(evs) {
  const t = (e) => Date.parse(e.lastTimestamp || e.firstTimestamp || e.metadata.creationTimestamp) || 0;
  return evs.sort((a, b) => t(b) - t(a));
}

export function eventRows(evs, withObject) {
  return sortEvents(evs).map((e) => {
    const io = e.involvedObject || {};
    const res = RESOURCE_OF[io.kind];
    const obj = res ? h('a', { href: route(res, io.namespace || e.metadata.namespace, io.name) }, io.kind + '/' + io.name) : (io.kind + '/' + io.name);
    return h('tr', { class: 'event ' + (e.type === 'Warning' ? 'warn' : ''), 'data-name': e.metadata.name },
      h('td', null, ago(e.lastTimestamp || e.firstTimestamp)),
      h('td', null, e.type === 'Warning' ? badge('Warning', 'bad') : 'Normal'),
      h('td', null, words(e.reason)),
      withObject ? h('td', null, obj) : null,
      h('td', { class: 'msg' }, e.message || ''),
      h('td', null, e.count > 1 ? '×' + e.count : ''));
  });
}

export function events(live, kind, ns, name) {
  return section('Events', table('events', ['Last seen', 'Type', 'Reason', 'Message', ''],
    eventRows(eventsOf(live, kind, ns, name), false), 'No events in the last hour.'));
}

// actionForm is a form of one number or text input and a button; submit
// runs act(value) and shows the API's answer beside it.
export function actionForm({ id, label, type = 'number', value, min, button, act, hint }) {
  const input = h('input', { id: id + '-input', name: id, type, value: value ?? '', min, required: true, 'aria-label': label });
  const msg = h('output', { id: id + '-result', class: 'result', 'aria-live': 'polite' });
  const btn = h('button', { id: id + '-button', type: 'submit' }, button);
  const form = h('form', { class: 'action', id, onsubmit: (ev) => {
    ev.preventDefault();
    perform(btn, msg, () => act(type === 'number' ? Number(input.value) : input.value));
  } }, h('label', null, label + ' ', input), btn, hint ? h('small', { class: 'muted' }, hint) : null, msg);
  return { form, input, msg };
}

// perform runs an action once at a time and shows its outcome: what it
// returns, or the API's error message.
async function perform(btn, msg, act) {
  btn.disabled = true;
  msg.className = 'result';
  msg.textContent = '…';
  try {
    msg.textContent = (await act()) || 'done';
    msg.className = 'result ok';
  } catch (e) {
    msg.textContent = e.message;
    msg.className = 'result error';
  } finally {
    btn.disabled = false;
  }
}

export function actionButton({ id, text, act }) {
  const msg = h('output', { id: id + '-result', class: 'result', 'aria-live': 'polite' });
  const btn = h('button', { id, type: 'button', onclick: () => perform(btn, msg, act) }, text);
  return { el: h('span', { class: 'action' }, btn, msg), btn, msg };
}

export function notFound(kind, ns, name) {
  return h('div', { class: 'notfound' }, h('h1', null, kind + ' ' + ns + '/' + name),
    h('p', { class: 'muted' }, 'No such ' + kind + ' in what this page watches (it may be deleted, or not created yet).'));
}

export function header(kind, o, status) {
  return h('div', { class: 'head' },
    h('h1', null, h('span', { class: 'kind' }, kind), ' ', h('span', { class: 'name' }, o.metadata.name)),
    h('span', { class: 'nsname muted' }, 'namespace ' + o.metadata.namespace),
    status);
}
