// Live keeps the objects of a namespace (or all) as the API has them:
// one list per resource, then one joined watch (/ui/watch) from the
// lists' resourceVersions. A watch that ends is taken up again from the
// versions seen; only a resource whose version expired (410) is listed
// again.
import { call, path } from './api.js';

export const RESOURCES = ['deployments', 'slavepools', 'repos', 'pipelines', 'builds', 'events'];

const key = (o) => (o.metadata.namespace || '') + '/' + o.metadata.name;
const sleep = (ms, signal) => new Promise((resolve) => {
  const t = setTimeout(resolve, ms);
  signal.addEventListener('abort', () => { clearTimeout(t); resolve(); }, { once: true });
});

export class Live {
  constructor(ns, { onChange, onState }) {
    this.ns = ns;
    this.onChange = onChange;
    this.onState = onState;
    this.items = Object.fromEntries(RESOURCES.map((r) => [r, new Map()]));
    this.rv = {};
    this.stale = new Set(RESOURCES);
    this.abort = new AbortController();
  }

  stop() { this.abort.abort(); }

  list(resource) { return [...this.items[resource].values()]; }

  get(resource, ns, name) { return this.items[resource].get(ns + '/' + name); }

  async run() {
    const signal = this.abort.signal;
    let backoff = 500;
    while (!signal.aborted) {
      try {
        await Promise.all([...this.stale].map((r) => this.relist(r)));
        await this.follow(signal);
        backoff = 500;
      } catch (e) {
        if (signal.aborted) return;
        if (e.code === 401) { this.onState('unauthorized', e.message); return; }
        this.onState('reconnecting', e.message);
        await sleep(backoff, signal);
        backoff = Math.min(backoff * 2, 10000);
      }
    }
  }

  async relist(resource) {
    const l = await call('GET', path(resource, this.ns));
    const m = new Map();
    for (const o of l.items || []) m.set(key(o), o);
    this.items[resource] = m;
    this.rv[resource] = l.metadata.resourceVersion;
    this.stale.delete(resource);
    this.onChange(resource);
  }

  async follow(signal) {
    const q = new URLSearchParams();
    if (this.ns) q.set('namespace', this.ns);
    for (const r of RESOURCES) q.append('watch', r + ':' + this.rv[r]);
    const res = await fetch('/ui/watch?' + q, { signal, credentials: 'same-origin' });
    if (!res.ok) {
      const st = await res.json().catch(() => null);
      throw Object.assign(new Error((st && st.message) || 'watch: HTTP ' + res.status), { code: res.status });
    }
    this.onState('live');
    const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
    let buf = '';
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      buf += value;
      let i;
      while ((i = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, i);
        buf = buf.slice(i + 1);
        if (line) this.apply(JSON.parse(line));
      }
    }
  }

  apply(ev) {
    const r = ev.resource, o = ev.object;
    switch (ev.type) {
      case 'ADDED':
      case 'MODIFIED':
        this.items[r].set(key(o), o);
        this.rv[r] = o.metadata.resourceVersion;
        this.onChange(r);
        break;
      case 'DELETED':
        this.items[r].delete(key(o));
        this.rv[r] = o.metadata.resourceVersion;
        this.onChange(r);
        break;
      case 'BOOKMARK':
        this.rv[r] = o.metadata.resourceVersion;
        break;
      case 'ERROR':
        if (o && o.code === 410) this.stale.add(r);
        break;
      case 'END':
        if (ev.code === 410 || (o && o.code === 410)) this.stale.add(r);
        else if (ev.code === 401) throw Object.assign(new Error((o && o.message) || 'unauthorized'), { code: 401 });
        else if (ev.code && ev.code !== 200) throw new Error((o && o.message) || r + ': watch answered ' + ev.code);
        break;
    }
  }
}
