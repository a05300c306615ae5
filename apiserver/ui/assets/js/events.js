// Every event, live, newest first, filtered by type, kind and text.
import { h, table, fill } from './dom.js';
import { eventRows, KINDS } from './parts.js';

const MAX = 300;
const filter = { type: '', kind: '', text: '' };

export function eventsPage(ctx) {
  const list = h('div');
  const opt = (v, label) => h('option', { value: v }, label);
  const type = h('select', { id: 'filter-type', 'aria-label': 'type', onchange: () => { filter.type = type.value; update(); } },
    opt('', 'All types'), opt('Warning', 'Warning'), opt('Normal', 'Normal'));
  const kind = h('select', { id: 'filter-kind', 'aria-label': 'kind', onchange: () => { filter.kind = kind.value; update(); } },
    opt('', 'All kinds'), Object.values(KINDS).map((k) => opt(k, k)), opt('Alert', 'Alert'));
  const text = h('input', { id: 'filter-text', type: 'search', placeholder: 'filter: name, reason, message', 'aria-label': 'filter',
    oninput: () => { filter.text = text.value; update(); } });
  type.value = filter.type; kind.value = filter.kind; text.value = filter.text;
  const el = h('div', { class: 'page events' }, h('h1', null, 'Events'), h('div', { class: 'filters' }, type, kind, text), list);
  function update() {
    const q = filter.text.toLowerCase();
    const evs = ctx.live.list('events').filter((e) => (!filter.type || e.type === filter.type) &&
      (!filter.kind || (e.involvedObject && e.involvedObject.kind === filter.kind)) &&
      (!q || [e.involvedObject && e.involvedObject.name, e.reason, e.message, e.metadata.namespace].some((s) => (s || '').toLowerCase().includes(q))));
    const rows = eventRows(evs, true);
    fill(list, h('p', { class: 'muted' }, `${evs.length} events` + (evs.length > MAX ? `, the newest ${MAX} shown` : '')),
      table('events', ['Last seen', 'Type', 'Reason', 'Object', 'Message', ''], rows.slice(0, MAX), 'No events match.'));
  }
  return { el, update, tick: true };
}
