// A Repo and its siblings: every sha1 of the project's ref against every
// distro, and the newest sha1 ready on the distros a person picks.
import { h, ago, kv, table, section, badge, words, short, extLink, objLink, fill } from './dom.js';
import { conditions, events, notFound, header, cond } from './parts.js';

const STATE = { Ready: 'good', Failed: 'bad', Building: 'run', Queued: 'run', Requested: 'run', WaitingForBinaries: 'warn' };
const distroKey = (d) => `${d.distro}/${d.version}/${d.arch || 'x86_64'}`;
const created = (o) => Date.parse(o.metadata.creationTimestamp) || 0;

// picked remembers the distros chosen for "latest ready" and those seen, per
// project/ref.
const picked = new Map();

export function repo(ctx, ns, name) {
  const body = h('div');
  const el = h('div', { class: 'page repo' }, body);
  // The distro picker is made again only when the columns change, and
  // moved into each render otherwise, so that a re-render does not lose
  // a click on it.
  const answer = h('p', { id: 'latest-ready', class: 'big' });
  let pick = null, pickCols = '';
  const pickFor = (cols, want) => {
    if (pick && pickCols === cols.join(',')) return pick;
    pickCols = cols.join(',');
    pick = h('fieldset', { class: 'pick' }, h('legend', null, 'Latest sha1 ready on'),
      cols.map((c) => h('label', null, h('input', { type: 'checkbox', value: c, checked: want.has(c), onchange: (ev) => {
        if (ev.target.checked) want.add(c); else want.delete(c);
        update();
      } }), ' ' + c.replace(/\//g, ' '))), answer);
    return pick;
  };
  const update = () => {
    const r = ctx.live.get('repos', ns, name);
    if (!r) { fill(body, notFound('Repo', ns, name)); return; }
    const st = r.status || {}, ready = cond(r, 'Ready');
    const siblings = ctx.live.list('repos').filter((o) => o.metadata.namespace === ns &&
      o.spec.project === r.spec.project && o.spec.ref === r.spec.ref).sort((a, b) => created(b) - created(a));
    const cols = [...new Set(siblings.flatMap((o) => (o.spec.distros || []).map(distroKey)))].sort();
    const group = ns + '/' + r.spec.project + '/' + r.spec.ref;
    // A distro is picked when first seen; unticking it is remembered.
    if (!picked.has(group)) picked.set(group, { want: new Set(), seen: new Set() });
    const { want, seen } = picked.get(group);
    for (const c of cols) if (!seen.has(c)) { seen.add(c); want.add(c); }
    const stateOf = (o, col) => ((o.status && o.status.distros) || []).find((d) => distroKey(d) === col);
    const latest = siblings.find((o) => want.size > 0 && [...want].every((c) => (stateOf(o, c) || {}).state === 'Ready'));
    fill(answer, want.size === 0 ? 'Pick a distro.'
      : latest ? [h('code', null, latest.spec.sha1), ' (', objLink('repos', latest), ')'] : 'None of these sha1s is ready on all of them yet.');
    fill(body,
      header('Repo', r, ready ? badge(words(ready.reason), ready.status === 'True' ? 'good' : 'bad') : null),
      kv([
        ['Project / ref', r.spec.project + ' / ' + r.spec.ref],
        ['sha1', h('code', null, r.spec.sha1)],
        ['Flavor', r.spec.flavor || 'default'],
        ['Node', [st.node || 'not placed yet', st.nodeURL ? [' ', extLink(st.nodeURL)] : null]],
        ['URL', extLink(st.url)],
      ]),
      section(`${r.spec.project} ${r.spec.ref}: sha1 × distro`,
        h('div', { class: 'scroll' }, h('table', { class: 'matrix' },
          h('thead', null, h('tr', null, h('th', null, 'sha1'), cols.map((c) => h('th', null, c.replace(/\//g, ' '))), h('th', null, 'Node'), h('th', null, 'Created'))),
          h('tbody', null, siblings.map((o) => h('tr', { 'data-name': o.metadata.name, class: o.metadata.name === name ? 'current' : '' },
            h('td', null, objLink('repos', o, h('code', null, short(o.spec.sha1)))),
            cols.map((c) => {
              const d = stateOf(o, c);
              if (!(o.spec.distros || []).some((x) => distroKey(x) === c)) return h('td', { class: 'na' }, '—');
              if (!d) return h('td', null, badge('Pending', ''));
              return h('td', { title: d.message || d.reason || '', 'data-distro': c, 'data-state': d.state },
                d.state === 'Ready' && d.url ? extLink(d.url, badge('Ready', 'good')) : badge(words(d.state), STATE[d.state] || ''),
                d.reason && d.state !== 'Ready' ? h('small', { class: 'muted' }, ' ' + words(d.reason)) : null);
            }),
            h('td', null, (o.status && o.status.node) || ''), h('td', null, ago(o.metadata.creationTimestamp))))))),
        pickFor(cols, want)),
      section('Distros of this sha1', table('distros', ['Distro', 'State', 'Why', 'Archs', 'Binaries', 'Builds', 'Since'],
        (st.distros || []).map((d) => h('tr', null, h('td', null, distroKey(d)), h('td', null, badge(words(d.state), STATE[d.state] || '')),
          h('td', { class: 'msg' }, [words(d.reason), d.message ? ': ' + d.message : '']), h('td', null, (d.archs || []).join(' ')),
          h('td', null, String(d.binaries || 0)), h('td', null, `${d.builds || 0}${d.retries ? ` (${d.retries} retries)` : ''}`),
          h('td', null, ago(d.lastTransitionTime)))), 'Not reported yet.')),
      section('CI builds', table('cibuilds', ['Status', 'Distro', 'Build', 'Modified'],
        (st.ciBuilds || []).slice().reverse().map((b) => h('tr', null, h('td', null, b.status),
          h('td', null, b.distro ? `${b.distro} ${b.distroVersion} ${b.distroArch}` : ''), h('td', null, extLink(b.url)), h('td', null, ago(b.modified)))),
        'No CI build reported to shaman for this sha1.')),
      conditions(r),
      events(ctx.live, 'Repo', ns, name));
  };
  return { el, update };
}
