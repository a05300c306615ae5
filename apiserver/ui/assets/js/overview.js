// The overview: problems first, then every kind at a glance.
import { h, ago, short, table, section, objLink, badge, between, words, fill } from './dom.js';
import { KINDS, problem, cond, lastBuild } from './parts.js';

const byName = (a, b) => (a.metadata.namespace + '/' + a.metadata.name).localeCompare(b.metadata.namespace + '/' + b.metadata.name);
const created = (o) => Date.parse(o.metadata.creationTimestamp) || 0;

export function overview(ctx) {
  const el = h('div', { class: 'overview' });
  const update = () => {
    const { live } = ctx;
    const problems = [];
    for (const r of Object.keys(KINDS)) {
      let objs = live.list(r);
      if (r === 'builds') objs = recentBuilds(objs);
      for (const o of objs) {
        const p = problem(r, o);
        if (p) problems.push(h('tr', { 'data-kind': KINDS[r], 'data-name': o.metadata.name },
          h('td', null, KINDS[r]), h('td', null, objLink(r, o, o.metadata.namespace + '/' + o.metadata.name)),
          h('td', null, badge(p.reason, 'bad')), h('td', { class: 'msg' }, p.message)));
      }
    }
    fill(el,
      h('h1', null, 'Overview', h('span', { class: 'muted' }, ctx.ns ? ' · ' + ctx.ns : ' · all namespaces')),
      section('Problems', problems.length
        ? table('problems', ['Kind', 'Object', 'What', 'Why'], problems)
        : h('p', { class: 'allgood' }, 'Nothing is wrong: every object is ready.')),
      section('Deployments', deployments(live.list('deployments').sort(byName))),
      section('SlavePools', slavepools(live.list('slavepools').sort(byName))),
      section('Repos', repos(live.list('repos').sort(byName))),
      section('Pipelines', pipelines(live.list('pipelines').sort(byName))),
      section('Recent builds', builds(recentBuilds(live.list('builds')))));
  };
  return { el, update };
}

function recentBuilds(bs) {
  return bs.sort((a, b) => created(b) - created(a)).slice(0, 15);
}

function row(kind, o, ...cells) {
  const p = problem(Object.keys(KINDS).find((r) => KINDS[r] === kind), o);
  return h('tr', { 'data-kind': kind, 'data-name': o.metadata.name, class: p ? 'bad' : '' }, cells.map((c) => h('td', null, c)));
}

function state(o, type) {
  const c = cond(o, type);
  if (!c) return badge('Unknown', '');
  return badge(words(c.reason) || c.status, c.status === 'True' ? 'good' : 'bad');
}

function deployments(ds) {
  return table('deployments', ['Name', 'Ready', 'Image', 'Marathon version', 'State'], ds.map((d) => {
    const st = d.status || {}, want = d.spec.replicas ?? 1;
    return row('Deployment', d, objLink('deployments', d, d.metadata.namespace + '/' + d.metadata.name),
      `${st.readyReplicas || 0}/${want}`, d.spec.image, st.appVersion || '',
      [state(d, 'Available'), d.spec.paused ? badge('Paused', 'warn') : null]);
  }), 'No Deployments.');
}

function slavepools(ps) {
  return table('slavepools', ['Name', 'Online', 'Busy', 'Queued', 'Labels', 'State'], ps.map((p) => {
    const st = p.status || {};
    return row('SlavePool', p, objLink('slavepools', p, p.metadata.namespace + '/' + p.metadata.name),
      `${st.ready || 0}/${st.desiredReplicas || 0}`, String(st.busy || 0), String(st.queued || 0),
      (p.spec.labels || []).join(' '), state(p, 'Ready'));
  }), 'No SlavePools.');
}

function repos(rs) {
  return table('repos', ['Name', 'Project / ref', 'sha1', 'Distros ready', 'Node', 'State'], rs.map((r) => {
    const ds = (r.status && r.status.distros) || [];
    return row('Repo', r, objLink('repos', r, r.metadata.namespace + '/' + r.metadata.name),
      r.spec.project + ' / ' + r.spec.ref, h('code', null, short(r.spec.sha1)),
      `${ds.filter((d) => d.state === 'Ready').length}/${(r.spec.distros || []).length}`,
      (r.status && r.status.node) || '', state(r, 'Ready'));
  }), 'No Repos.');
}

function pipelines(ps) {
  return table('pipelines', ['Name', 'Job', 'Runs on', 'Last build'], ps.map((p) => {
    const last = lastBuild(p);
    return row('Pipeline', p, objLink('pipelines', p, p.metadata.namespace + '/' + p.metadata.name), p.spec.job,
      p.spec.label || 'any agent', last ? ['#' + last.number + ' ', phase(last.phase)] : 'none yet');
  }), 'No Pipelines.');
}

export function phase(ph) {
  const cls = { Succeeded: 'good', Failed: 'bad', Aborted: 'bad', Cancelled: 'muted', Running: 'run', Queued: 'warn', Pending: 'warn' }[ph] || '';
  return badge(ph || 'New', cls);
}

function builds(bs) {
  return table('builds', ['Build', 'Branch', 'sha1', 'Phase', 'Duration', 'Created'], bs.map((b) => {
    const st = b.status || {};
    return row('Build', b, objLink('builds', b, b.metadata.namespace + '/' + b.metadata.name),
      b.spec.branch || b.spec.gitTag || '', h('code', null, short(st.sha1 || b.spec.sha1)),
      [phase(st.phase), st.reason && !['Succeeded'].includes(st.phase) ? h('small', { class: 'muted' }, ' ' + words(st.reason)) : null],
      between(st.startTime, st.completionTime || st.builtTime), ago(b.metadata.creationTimestamp));
  }), 'No Builds.');
}
