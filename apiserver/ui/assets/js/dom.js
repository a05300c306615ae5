// DOM helpers. Every string goes into the page as a text node or an
// attribute value, never as HTML: a name, label or message holding
// markup shows as the text it is.

export function h(tag, props, ...children) {
  const el = document.createElement(tag);
  setProps(el, props);
  add(el, children);
  return el;
}

const SVG = 'http://www.w3.org/2000/svg';

export function s(tag, props, ...children) {
  const el = document.createElementNS(SVG, tag);
  setProps(el, props);
  add(el, children);
  return el;
}

function setProps(el, props) {
  if (!props) return;
  for (const [k, v] of Object.entries(props)) {
    if (v == null || v === false) continue;
    if (k === 'class') el.setAttribute('class', v);
    else if (k.startsWith('on')) el.addEventListener(k.slice(2), v);
    else if (k === 'value') el.value = v;
    else if (k === 'checked') el.checked = v;
    else el.setAttribute(k, v === true ? '' : String(v));
  }
}

export function add(el, children) {
  for (const c of children.flat(Infinity)) {
    if (c == null || c === false) continue;
    el.append(c instanceof Node ? c : String(c));
  }
  return el;
}

// link to a page of the view: the hash is built from encoded parts, so
// no name can make it another scheme.
export function route(...parts) {
  return '#/' + parts.map(encodeURIComponent).join('/');
}

export function objLink(resource, o, text) {
  return h('a', { href: route(resource, o.metadata.namespace, o.metadata.name) }, text ?? o.metadata.name);
}

// external links only for http(s) URLs; anything else is shown as text.
export function extLink(url, text) {
  if (!url) return '';
  if (!/^https?:\/\//i.test(url)) return text ?? url;
  return h('a', { href: url, rel: 'noopener noreferrer', target: '_blank' }, text ?? url);
}

// words turns a CamelCase reason into words: AgentsNotReady -> Agents not ready.
export function words(reason) {
  if (!reason) return '';
  const w = reason.replace(/([a-z0-9])([A-Z])/g, '$1 $2').replace(/([A-Z]+)([A-Z][a-z])/g, '$1 $2');
  return w.charAt(0) + w.slice(1).toLowerCase().replace(/\b(jenkins|marathon|mesos|openstack|chacra|git)\b/g,
    (m) => ({ jenkins: 'Jenkins', marathon: 'Marathon', mesos: 'Mesos', openstack: 'OpenStack', chacra: 'chacra', git: 'git' })[m]);
}

export function seconds(ms) {
  let s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return s + 's';
  let m = Math.floor(s / 60); s %= 60;
  if (m < 60) return m + 'm' + (s ? s + 's' : '');
  const hr = Math.floor(m / 60); m %= 60;
  if (hr < 48) return hr + 'h' + (m ? m + 'm' : '');
  return Math.floor(hr / 24) + 'd';
}

export function ago(ts) {
  if (!ts) return '';
  const t = Date.parse(ts);
  if (isNaN(t)) return '';
  return h('time', { datetime: ts, title: ts }, seconds(Date.now() - t) + ' ago');
}

export function between(from, to) {
  if (!from) return '';
  const a = Date.parse(from), b = to ? Date.parse(to) : Date.now();
  if (isNaN(a) || isNaN(b)) return '';
  return seconds(b - a) + (to ? '' : ' so far');
}

export function short(sha1) { return sha1 ? sha1.slice(0, 8) : ''; }

export function kv(rows) {
  return h('dl', { class: 'kv' }, rows.filter((r) => r && r[1] !== '' && r[1] != null).map(([k, v]) => [h('dt', null, k), h('dd', null, v)]));
}

export function table(cls, head, rows, empty) {
  if (!rows.length) return h('p', { class: 'muted ' + (cls || '') }, empty || 'None.');
  return h('div', { class: 'scroll' }, h('table', { class: cls },
    h('thead', null, h('tr', null, head.map((c) => h('th', null, c)))),
    h('tbody', null, rows)));
}

export function section(title, ...body) {
  return h('section', null, h('h2', null, title), body);
}

export function badge(text, kind) {
  return h('span', { class: 'badge ' + (kind || '') }, text);
}

// fill replaces el's children with these (nested arrays, strings as text,
// null and false left out).
export function fill(el, ...children) {
  el.replaceChildren();
  return add(el, children);
}
