// The view's shell: session and login, namespace, routing, and the live
// store that every page renders from.
import { h, fill } from './dom.js';
import * as api from './api.js';
import { Live } from './live.js';
import { overview } from './overview.js';
import { deployment } from './deployment.js';
import { slavepool } from './slavepool.js';
import { repo } from './repo.js';
import { pipeline, build } from './pipeline.js';
import { eventsPage } from './events.js';

const $ = (id) => document.getElementById(id);
const main = $('main');
const PAGES = { deployments: deployment, slavepools: slavepool, repos: repo, pipelines: pipeline, builds: build };

const state = { session: null, live: null, ns: localStorage.getItem('minka.ns') || '', page: null, pending: false };

const ctx = {
  get live() { return state.live; },
  get ns() { return state.ns; },
  can: (action) => !!(state.session && state.session.can && state.session.can[action]),
};

function banner(msg) {
  const b = $('banner');
  b.textContent = msg || '';
  b.hidden = !msg;
}

function setLive(s, msg) {
  const el = $('live');
  el.className = 'live ' + ({ live: 'on', reconnecting: 'off', unauthorized: 'off' }[s] || 'off');
  el.textContent = s === 'live' ? 'live' : s;
  el.title = msg || '';
  if (s === 'unauthorized') { showLogin('Your session ended: log in again.'); }
  else if (s === 'reconnecting') banner('Lost the live updates (' + (msg || 'connection closed') + '); reconnecting…');
  else banner('');
}

function render() {
  state.pending = false;
  if (state.page) state.page.update();
}

function schedule() {
  if (state.pending) return;
  state.pending = true;
  requestAnimationFrame(render);
}

function parseRoute() {
  const parts = location.hash.replace(/^#\/?/, '').split('/').filter(Boolean).map(decodeURIComponent);
  return parts;
}

function navigate() {
  if (!state.session || !state.live) return;
  const parts = parseRoute();
  let page;
  if (parts.length === 0) page = overview(ctx);
  else if (parts[0] === 'events') page = eventsPage(ctx);
  else if (PAGES[parts[0]] && parts.length === 3) {
    // An object page in another namespace than the one watched: watch its.
    if (state.ns && state.ns !== parts[1]) { setNamespace(parts[1]); return; }
    page = PAGES[parts[0]](ctx, parts[1], parts[2]);
  } else page = { el: h('p', null, 'No such page. ', h('a', { href: '#/' }, 'Back to the overview.')), update() {} };
  state.page = page;
  main.dataset.view = parts[0] || 'overview';
  fill(main, page.el);
  page.update();
  window.scrollTo(0, 0);
}

function startLive() {
  if (state.live) state.live.stop();
  const live = new Live(state.ns, { onChange: schedule, onState: setLive });
  state.live = live;
  live.run();
}

function setNamespace(ns) {
  state.ns = ns;
  localStorage.setItem('minka.ns', ns);
  $('ns').value = ns;
  if (!state.session) return; // the login page: start() watches it
  startLive();
  navigate();
}

async function loadNamespaces() {
  const sel = $('ns');
  let names = [];
  try {
    names = ((await api.namespaces()).items || []).map((n) => n.metadata.name);
  } catch (e) {
    banner('Namespaces: ' + e.message);
  }
  if (state.ns && !names.includes(state.ns)) names.push(state.ns);
  fill(sel, h('option', { value: '' }, 'all'), names.sort().map((n) => h('option', { value: n }, n)));
  sel.value = state.ns;
}

function showLogin(message) {
  if (state.live) { state.live.stop(); state.live = null; }
  state.session = null;
  state.page = null;
  main.dataset.view = 'login';
  $('who').textContent = '';
  $('logout').hidden = true;
  const token = h('input', { id: 'login-token', type: 'password', autocomplete: 'current-password', required: true, 'aria-label': 'token' });
  const msg = h('p', { id: 'login-error', class: 'error', 'aria-live': 'polite' }, message || '');
  const form = h('form', { id: 'login', class: 'login', onsubmit: async (ev) => {
    ev.preventDefault();
    try {
      await api.login(token.value);
      token.value = '';
      await start();
    } catch (e) {
      msg.textContent = e.message;
      token.value = '';
      token.focus();
    }
  } },
  h('h1', null, 'Log in to minka'),
  h('label', null, 'Token ', token),
  h('button', { id: 'login-submit', type: 'submit' }, 'Log in'),
  h('p', { class: 'muted' }, 'A token from the server config (auth.tokens). It is kept in a cookie scripts cannot read, and sent only to this server.'),
  msg);
  fill(main, form);
  token.focus();
}

async function start() {
  let s;
  try {
    s = await api.session();
  } catch (e) {
    if (e.code === 401) { showLogin(); return; }
    banner('Cannot reach the server: ' + e.message);
    return;
  }
  api.setCSRF(s.csrfToken);
  await loadNamespaces();
  // The session, the store and the page start together: a route
  // followed before would find no store to render from.
  state.session = s;
  startLive();
  $('who').textContent = s.authEnabled ? `${s.user} (${s.role})` : 'auth off (everyone is admin)';
  $('who').dataset.role = s.role;
  $('logout').hidden = !s.authEnabled;
  navigate();
}

$('ns').addEventListener('change', (ev) => setNamespace(ev.target.value));
$('logout').addEventListener('click', async () => {
  try { await api.logout(); } catch (e) { banner(e.message); return; }
  showLogin('Logged out.');
});
window.addEventListener('hashchange', navigate);
// Ages ("3m ago") and the chart's time axis move on without a change.
setInterval(() => { if (state.page) schedule(); }, 5000);
start();
