import './style.css';
import { h, table } from './dom.js';
import { ApiError, call, get, mergePatch, onSessionLost, signIn, stream, user, watchSocket } from './api.js';
import { applyEvent, fromList } from './store.js';
import { podProblem, podReady, podsOf, verdict } from './health.js';
import { agoText, changeLines, isLive, sliderStart } from './timeline.js';
import { parseAllDocuments } from 'yaml';

// ---- the cluster, live (lists + watches) and at the slider's instant (?at=) ----

const RESOURCES = {
  nodes: { path: '/api/v1/nodes', kind: 'Node' },
  pods: { path: '/api/v1/pods', kind: 'Pod' },
  deployments: { path: '/apis/apps/v1/deployments', kind: 'Deployment' },
  statefulsets: { path: '/apis/apps/v1/statefulsets', kind: 'StatefulSet' },
  daemonsets: { path: '/apis/apps/v1/daemonsets', kind: 'DaemonSet' },
  jobs: { path: '/apis/batch/v1/jobs', kind: 'Job' },
  cronjobs: { path: '/apis/batch/v1/cronjobs', kind: 'CronJob' },
  services: { path: '/api/v1/services', kind: 'Service' },
  endpoints: { path: '/api/v1/endpoints', kind: 'Endpoints' },
  events: { path: '/api/v1/events', kind: 'Event', live: true },
  replicasets: { path: '/apis/apps/v1/replicasets', kind: 'ReplicaSet', derived: true },
};
const WORKLOADS = ['deployments', 'statefulsets', 'daemonsets', 'jobs', 'cronjobs'];
const PLURAL = { Deployment: 'deployments', StatefulSet: 'statefulsets', DaemonSet: 'daemonsets', Job: 'jobs', CronJob: 'cronjobs' };
const GROUP = { Deployment: '/apis/apps/v1', StatefulSet: '/apis/apps/v1', DaemonSet: '/apis/apps/v1', Job: '/apis/batch/v1', CronJob: '/apis/batch/v1' };

const live = Object.fromEntries(Object.keys(RESOURCES).map((r) => [r, new Map()]));
let past = null; // {at: epoch seconds, maps: {resource: Map}, changes: [...], missing: [...]}
const view = (r) => [...((past ? past.maps[r] : live[r]) || new Map()).values()];

/** Lists a resource, then watches it from the list's resourceVersion; lists again (after a pause) when the watch ends. */
async function follow(resource) {
  const { path, kind } = RESOURCES[resource];
  for (let backoff = 500; ; backoff = Math.min(backoff * 2, 8000)) {
    try {
      const list = fromList(await get(path));
      live[resource] = list.items;
      changed();
      const started = Date.now();
      await watchSocket(`${path}?watch=true&resourceVersion=${encodeURIComponent(list.resourceVersion)}`, (event) => {
        const r = applyEvent(live[resource], event, kind);
        if (r.changed) {
          changed();
          if (resource === 'deployments' || resource === 'pods') refreshDerived();
        }
      });
      if (Date.now() - started > 30_000) backoff = 500; // a watch that ran a while: list again at once
    } catch (e) {
      if (e instanceof ApiError && e.status === 401) return;
    }
    await new Promise((r) => setTimeout(r, backoff));
  }
}

// ReplicaSets are derived by the gateway from deployments and pods, without a watch: listed again after their changes
let derivedTimer = null;
function refreshDerived() {
  if (derivedTimer) return;
  derivedTimer = setTimeout(async () => {
    derivedTimer = null;
    try {
      live.replicasets = fromList(await get(RESOURCES.replicasets.path)).items;
      changed();
    } catch { /* the next change lists them again */ }
  }, 300);
}

async function travelTo(atSeconds) {
  const at = new Date(atSeconds * 1000).toISOString();
  const maps = {};
  const missing = [];
  await Promise.all(Object.entries(RESOURCES).map(async ([r, { path, live: onlyLive }]) => {
    if (onlyLive) { missing.push(r); return; }
    try {
      maps[r] = fromList(await get(`${path}?at=${encodeURIComponent(at)}`)).items;
    } catch {
      missing.push(r);
    }
  }));
  let changes = [];
  try {
    changes = changeLines(await get(`/apis/berth.io/v1/diff?from=${encodeURIComponent(at)}&to=now`));
  } catch (e) {
    changes = [{ sign: '!', title: `the changes could not be read: ${e.message}`, fields: [] }];
  }
  if (slider.wanted !== atSeconds) return; // the slider moved on meanwhile
  past = { at: atSeconds, maps, changes, missing };
  changed();
}

function goLive() {
  past = null;
  slider.wanted = null;
  changed();
}

// ---- rendering: everything is drawn again from the store on a change (at most once a frame) ----

let scheduled = false;
function changed() {
  if (scheduled) return;
  scheduled = true;
  requestAnimationFrame(() => {
    scheduled = false;
    draw();
  });
}

const route = () => location.pathname.replace(/^\/ui\/?/, '').split('/').filter(Boolean).map(decodeURIComponent);
function go(path) {
  history.pushState(null, '', '/ui/' + path);
  stopLogs();
  changed();
}
window.addEventListener('popstate', () => { stopLogs(); changed(); });
const link = (path, text, attrs = {}) => h('a', { href: '/ui/' + path, onclick: (e) => { e.preventDefault(); go(path); }, ...attrs }, text);

function draw() {
  drawHeader();
  drawPast();
  const [section, ...rest] = route();
  const page = document.getElementById('page');
  if (section === 'apply') {
    if (!page.querySelector('[data-page=apply]')) page.replaceChildren(applyPage());
    return;
  }
  const content = section === 'workloads' && rest.length === 3 ? workloadPage(...rest)
    : section === 'workloads' ? workloadsPage()
      : section === 'pods' && rest.length === 2 ? podPage(...rest)
        : section === 'services' ? servicesPage()
          : overviewPage();
  page.replaceChildren(content);
}

// ---- header: navigation and the time slider ----

const slider = { el: null, label: null, wanted: null, start: 0 };
function drawHeader() {
  const top = document.getElementById('top');
  const now = Math.floor(Date.now() / 1000);
  slider.start = sliderStart(live.nodes.size ? [...live.nodes.values()] : [], now);
  if (!slider.el) {
    slider.el = h('input', {
      type: 'range', id: 'time-slider', 'aria-label': 'time', step: '1',
      oninput: () => { slider.label.textContent = label(Number(slider.el.value)); },
      onchange: () => {
        const v = Number(slider.el.value);
        if (isLive(v, Number(slider.el.max))) goLive();
        else {
          slider.wanted = v;
          slider.label.textContent = label(v) + ' (loading…)';
          travelTo(v);
        }
      },
    });
    slider.label = h('span', { id: 'time-label' });
    top.replaceChildren(
      h('nav', {}, h('strong', { class: 'brand' }, 'Berth'), link('', 'Overview'), link('workloads', 'Workloads'),
        link('services', 'Services'), link('apply', 'Apply')),
      h('div', { class: 'time' }, slider.el, slider.label,
        h('button', { id: 'live-button', onclick: () => { goLive(); } }, 'Live')),
      h('span', { class: 'user', id: 'user' }));
    setInterval(() => { if (!past && slider.wanted === null) changed(); }, 1000);
  }
  slider.el.min = String(slider.start);
  slider.el.max = String(now);
  if (!past && slider.wanted === null) slider.el.value = String(now);
  slider.label.textContent = past ? label(past.at) : slider.wanted !== null ? label(slider.wanted) + ' (loading…)' : '● live';
  document.getElementById('user').textContent = user() ? `signed in as ${user()}` : '';
  document.body.classList.toggle('in-past', !!past);
}

function label(seconds) {
  const now = Math.floor(Date.now() / 1000);
  return isLive(seconds, now) ? '● live' : `${new Date(seconds * 1000).toISOString().replace('.000Z', 'Z')} (${agoText(seconds, now)})`;
}

function drawPast() {
  const el = document.getElementById('past');
  if (!past) {
    el.replaceChildren();
    return;
  }
  el.replaceChildren(h('section', { class: 'past', 'data-testid': 'past-panel' },
    h('p', {}, h('strong', {}, 'The cluster as it was at ' + label(past.at) + '. '), 'Actions are off. ',
      h('button', { onclick: goLive }, 'Back to live'),
      past.missing.length ? h('span', { class: 'muted' }, ` (not in the history: ${past.missing.join(', ')})`) : null),
    h('details', { open: true }, h('summary', {}, `${past.changes.length} change${past.changes.length === 1 ? '' : 's'} between then and now`),
      h('ul', { class: 'changes', 'data-testid': 'changes' }, past.changes.map((c) => h('li', {}, h('code', {}, c.sign), ' ', c.title,
        c.fields.length ? h('ul', {}, c.fields.map((f) => h('li', {}, h('code', {}, f)))) : null))))));
}

// ---- pages ----

function badge(v) {
  return h('span', { class: `badge ${v.level}`, 'data-testid': 'verdict' }, v.text);
}

const quantity = (q) => {
  if (q === undefined || q === null) return 0;
  const s = String(q);
  const units = { m: 1e-3, Ki: 1024, Mi: 1024 ** 2, Gi: 1024 ** 3, Ti: 1024 ** 4, k: 1e3, M: 1e6, G: 1e9 };
  const m = /^([0-9.]+)([a-zA-Z]*)$/.exec(s);
  return m ? Number(m[1]) * (units[m[2]] || 1) : Number(s) || 0;
};
const requests = (pod, res) => (pod.spec?.containers || []).reduce((n, c) => n + quantity(c.resources?.requests?.[res]), 0);
const bytes = (b) => (b >= 1024 ** 3 ? (b / 1024 ** 3).toFixed(1) + ' GiB' : Math.round(b / 1024 ** 2) + ' MiB');
const running = (p) => !['Succeeded', 'Failed'].includes(p.status?.phase);

/** A bar of used against total; `usage` bars turn red past 90 %, progress bars never. */
function meter(used, total, text, usage = false) {
  const pct = total > 0 ? Math.min(100, Math.round((used / total) * 100)) : 0;
  return h('div', { class: 'meter', title: text }, h('div', { class: usage && pct > 90 ? 'fill hot' : 'fill', style: { width: pct + '%' } }), h('span', {}, text));
}

function overviewPage() {
  const nodes = view('nodes').sort((a, b) => a.metadata.name.localeCompare(b.metadata.name));
  const pods = view('pods');
  const workloads = WORKLOADS.flatMap(view);
  const unhealthy = workloads.filter((w) => ['bad', 'warn'].includes(verdict(w, podsOf(w, pods)).level)).length;
  const rows = nodes.map((n) => {
    const mine = pods.filter((p) => p.spec?.nodeName === n.metadata.name && running(p));
    const ready = (n.status?.conditions || []).find((c) => c.type === 'Ready');
    const alloc = n.status?.allocatable || n.status?.capacity || {};
    const cpu = mine.reduce((s, p) => s + requests(p, 'cpu'), 0);
    const mem = mine.reduce((s, p) => s + requests(p, 'memory'), 0);
    const troubles = (n.status?.conditions || []).filter((c) => c.type !== 'Ready' && c.status === 'True');
    const cordoned = !!n.spec?.unschedulable;
    return h('tr', { 'data-testid': 'node-row', 'data-name': n.metadata.name },
      h('td', {}, n.metadata.name),
      h('td', {}, badge(ready?.status === 'True' ? { level: 'ok', text: 'Ready' } : { level: 'bad', text: `NotReady${ready?.message ? ': ' + ready.message : ''}` }),
        cordoned ? badge({ level: 'warn', text: 'SchedulingDisabled' }) : null),
      h('td', {}, meter(cpu, quantity(alloc.cpu), `${cpu.toFixed(2).replace(/\.?0+$/, '')} / ${quantity(alloc.cpu)} CPU requested`, true)),
      h('td', {}, meter(mem, quantity(alloc.memory), `${bytes(mem)} / ${bytes(quantity(alloc.memory))}`, true)),
      h('td', {}, meter(mine.length, quantity(alloc.pods), `${mine.length} / ${alloc.pods ?? '?'} pods`, true)),
      h('td', {}, troubles.length ? troubles.map((c) => badge({ level: 'warn', text: `${c.type}${c.message ? ': ' + c.message : ''}` })) : h('span', { class: 'muted' }, 'none')),
      h('td', { class: 'pods' }, mine.map((p) => link(`pods/${p.metadata.namespace}/${p.metadata.name}`, p.metadata.name, { class: 'chip' }))),
      h('td', {}, actionButton(cordoned ? 'Uncordon' : 'Cordon', `${cordoned ? 'Uncordon' : 'Cordon'} node ${n.metadata.name}?`,
        cordoned ? 'New pods may be placed on it again.' : 'No new pod will be placed on it; its pods keep running.',
        () => mergePatch(`/api/v1/nodes/${n.metadata.name}`, { spec: { unschedulable: !cordoned } })),
      actionButton('Drain', `Drain node ${n.metadata.name}?`, 'It is cordoned and its pods are evicted, to be placed on other nodes.',
        () => call('POST', `/apis/berth.io/v1/nodes/${n.metadata.name}/drain`, {}))));
  });
  return h('div', { 'data-page': 'overview' },
    h('h1', {}, 'Cluster'),
    h('div', { class: 'cards' },
      card('Nodes', `${nodes.filter((n) => (n.status?.conditions || []).some((c) => c.type === 'Ready' && c.status === 'True')).length} of ${nodes.length} ready`, 'nodes-card'),
      card('Pods', `${pods.filter(podReady).length} of ${pods.filter(running).length} ready`),
      card('Workloads', `${workloads.length}${unhealthy ? `, ${unhealthy} need attention` : ', all healthy'}`)),
    h('h2', {}, 'Nodes'),
    table(['Node', 'Status', 'CPU', 'Memory', 'Pods', 'Conditions', 'Pods on it', ''], rows, { 'data-testid': 'nodes' }));
}

function card(title, text, testid) {
  return h('div', { class: 'card', 'data-testid': testid }, h('div', { class: 'muted' }, title), h('div', { class: 'big' }, text));
}

function workloadsPage() {
  const pods = view('pods');
  const rows = WORKLOADS.flatMap(view).sort((a, b) => (a.metadata.namespace + a.kind + a.metadata.name).localeCompare(b.metadata.namespace + b.kind + b.metadata.name))
    .map((w) => {
      const mine = podsOf(w, pods);
      const v = verdict(w, mine);
      return h('tr', { 'data-testid': 'workload-row', 'data-name': w.metadata.name, 'data-kind': w.kind },
        h('td', {}, w.kind), h('td', {}, w.metadata.namespace),
        h('td', {}, link(`workloads/${w.metadata.namespace}/${w.kind}/${w.metadata.name}`, w.metadata.name)),
        h('td', {}, badge(v)), h('td', {}, String(mine.filter(running).length)));
    });
  return h('div', { 'data-page': 'workloads' }, h('h1', {}, 'Workloads'),
    h('p', {}, link('apply', 'Apply a manifest…')),
    rows.length ? table(['Kind', 'Namespace', 'Name', 'Health', 'Pods'], rows, { 'data-testid': 'workloads' }) : h('p', { class: 'muted' }, 'No workloads.'));
}

function podRow(p) {
  const cs = p.status?.containerStatuses || [];
  return h('tr', { 'data-testid': 'pod-row', 'data-name': p.metadata.name },
    h('td', {}, link(`pods/${p.metadata.namespace}/${p.metadata.name}`, p.metadata.name)),
    h('td', {}, p.metadata.deletionTimestamp ? 'Terminating' : p.status?.phase || ''),
    h('td', {}, `${cs.filter((c) => c.ready).length}/${(p.spec?.containers || []).length}`),
    h('td', {}, String(cs.reduce((n, c) => n + (c.restartCount || 0), 0))),
    h('td', {}, p.spec?.nodeName || '—'),
    h('td', {}, podProblem(p) ? badge({ level: 'bad', text: podProblem(p) }) : ''));
}

const revisionOf = (o) => Number(o.metadata?.annotations?.['deployment.kubernetes.io/revision'] || 0);

function workloadPage(ns, kind, name) {
  const resource = PLURAL[kind];
  const w = resource && view(resource).find((x) => x.metadata.namespace === ns && x.metadata.name === name);
  if (!w) return h('div', {}, h('h1', {}, `${kind} ${ns}/${name}`), h('p', { class: 'muted' }, past ? 'It did not exist then.' : 'Not found (deleted?).'));
  const pods = podsOf(w, view('pods')).sort((a, b) => a.metadata.name.localeCompare(b.metadata.name));
  const v = verdict(w, pods);
  const path = `${GROUP[kind]}/namespaces/${ns}/${resource}/${name}`;
  const actions = [];
  if (kind === 'Deployment' || kind === 'StatefulSet') {
    actions.push(actionButton('Scale', `Scale ${kind} ${name}`, 'Replicas:', (n) => mergePatch(`${path}/scale`, { spec: { replicas: Number(n) } }),
      { value: String(w.spec?.replicas ?? 1), type: 'number', min: '0' }));
  }
  if (kind === 'Deployment') {
    actions.push(w.spec?.paused
      ? actionButton('Resume', `Resume the rollout of ${name}?`, '', () => mergePatch(path, { spec: { paused: false } }))
      : actionButton('Pause', `Pause the rollout of ${name}?`, 'The rollout stops where it is until resumed.', () => mergePatch(path, { spec: { paused: true } })));
    actions.push(actionButton('Undo', `Roll ${name} back to its previous revision?`, 'The previous revision\'s template becomes a new revision.',
      () => rollback(ns, name, 0), {}, 'undo'));
    if (w.status?.berth?.canaryStep !== undefined) {
      actions.push(actionButton('Promote', `Promote the canary of ${name} to its next step?`, '', () => call('POST', `${path}/promote`, {})));
      actions.push(actionButton('Abort', `Abort the canary of ${name}?`, 'All pods go back to the stable revision.', () => call('POST', `${path}/abort`, {})));
    }
  }
  if (kind === 'CronJob' || kind === 'Job') {
    const s = !!w.spec?.suspend;
    actions.push(actionButton(s ? 'Resume' : 'Suspend', `${s ? 'Resume' : 'Suspend'} ${kind} ${name}?`, '', () => mergePatch(path, { spec: { suspend: !s } })));
  }
  actions.push(actionButton('Delete', `Delete ${kind} ${ns}/${name}?`, 'Its pods are deleted with it.', () => call('DELETE', path).then(() => go('workloads')), {}, 'danger'));

  const st = w.status || {};
  const desired = w.spec?.replicas ?? st.desiredNumberScheduled ?? 0;
  const progress = kind === 'Deployment' || kind === 'StatefulSet' || kind === 'DaemonSet' ? h('div', { class: 'progress', 'data-testid': 'rollout' },
    h('h2', {}, 'Rollout'),
    meter(st.updatedReplicas ?? st.updatedNumberScheduled ?? 0, desired, `${st.updatedReplicas ?? st.updatedNumberScheduled ?? 0} of ${desired} updated`),
    meter(st.readyReplicas ?? st.numberReady ?? 0, desired, `${st.readyReplicas ?? st.numberReady ?? 0} of ${desired} ready`),
    meter(st.availableReplicas ?? st.numberAvailable ?? 0, desired, `${st.availableReplicas ?? st.numberAvailable ?? 0} of ${desired} available`),
    st.berth ? h('p', {}, `phase ${st.berth.phase || '—'}${st.berth.message ? ': ' + st.berth.message : ''}`,
      st.berth.canaryStep !== undefined ? ` — canary step ${st.berth.canaryStep + 1} of ${st.berth.canarySteps}` : '') : null,
    (st.conditions || []).map((c) => h('div', { class: 'muted' }, `${c.type}=${c.status}${c.reason ? ' ' + c.reason : ''}${c.message ? ': ' + c.message : ''}`))) : null;

  const revisions = kind === 'Deployment' ? view('replicasets')
    .filter((rs) => rs.metadata.namespace === ns && (rs.metadata.ownerReferences || []).some((o) => o.kind === 'Deployment' && o.name === name))
    .sort((a, b) => revisionOf(b) - revisionOf(a)) : [];
  const current = revisionOf(w);
  const revisionTable = kind === 'Deployment' ? h('section', {}, h('h2', {}, 'Revisions'),
    past && !past.maps.replicasets ? h('p', { class: 'muted' }, 'Revisions are not in the history: back to live to see them.')
      : table(['Revision', 'ReplicaSet', 'Images', 'Pods', 'Change cause', ''], revisions.map((rs) => h('tr', { 'data-testid': 'revision-row', 'data-revision': String(revisionOf(rs)) },
        h('td', {}, String(revisionOf(rs)), revisionOf(rs) === current ? badge({ level: 'ok', text: 'current' }) : ''),
        h('td', {}, rs.metadata.name),
        h('td', {}, (rs.spec?.template?.spec?.containers || []).map((c) => c.image).join(', ')),
        h('td', {}, `${rs.status?.readyReplicas || 0}/${rs.status?.replicas || 0}`),
        h('td', {}, rs.metadata.annotations?.['kubernetes.io/change-cause'] || ''),
        h('td', {}, revisionOf(rs) === current ? '' : actionButton('Roll back to this', `Roll ${name} back to revision ${revisionOf(rs)}?`,
          'Its template becomes a new revision.', () => rollback(ns, name, revisionOf(rs)))))))) : null;

  const names = new Set([name, ...pods.map((p) => p.metadata.name), ...revisions.map((r) => r.metadata.name)]);
  const events = view('events').filter((e) => e.metadata.namespace === ns && names.has(e.involvedObject?.name));
  return h('div', { 'data-page': 'workload' },
    h('h1', {}, `${kind} ${ns}/${name}`), h('p', {}, badge(v)),
    h('div', { class: 'actions' }, actions),
    progress,
    h('h2', {}, 'Pods'),
    pods.length ? table(['Pod', 'Phase', 'Ready', 'Restarts', 'Node', 'Problem'], pods.map(podRow), { 'data-testid': 'pods' }) : h('p', { class: 'muted' }, 'No pods.'),
    revisionTable,
    eventsTable(events),
    auditTimeline(kind.toLowerCase(), ns, name, w.metadata.resourceVersion));
}

function rollback(ns, name, revision) {
  return call('POST', `/apis/apps/v1/namespaces/${ns}/deployments/${name}/rollback`,
    { apiVersion: 'extensions/v1beta1', kind: 'DeploymentRollback', name, rollbackTo: { revision } });
}

function eventsTable(events) {
  const sorted = events.sort((a, b) => (b.lastTimestamp || b.eventTime || '').localeCompare(a.lastTimestamp || a.eventTime || '')).slice(0, 30);
  return h('section', {}, h('h2', {}, 'Events'), past ? h('p', { class: 'muted' }, 'Events are not in the history (live only).')
    : sorted.length ? table(['Last seen', 'Type', 'Reason', 'Object', 'Message'], sorted.map((e) => h('tr', {},
      h('td', {}, e.lastTimestamp || e.eventTime || ''), h('td', {}, e.type || ''), h('td', {}, e.reason || ''),
      h('td', {}, `${e.involvedObject?.kind || ''}/${e.involvedObject?.name || ''}`), h('td', {}, e.message || '')))) : h('p', { class: 'muted' }, 'No events.'));
}

// the audit of one object: read again when the object changed (at most every 2 s)
const audits = new Map(); // key → {version, at, items, loading}
function auditTimeline(kind, ns, name, version) {
  const key = `${kind}/${ns}/${name}`;
  const a = audits.get(key) || { items: null };
  const stale = a.version !== version || a.untilPast !== (past?.at ?? null);
  if (!a.loading && stale && (!a.at || Date.now() - a.at > 2000)) {
    a.loading = true;
    a.version = version;
    a.untilPast = past?.at ?? null;
    a.at = Date.now();
    audits.set(key, a);
    const until = past ? `&until=${encodeURIComponent(new Date(past.at * 1000).toISOString())}` : '';
    get(`/apis/berth.io/v1/audit?resource=${kind}/${encodeURIComponent(name)}&namespace=${encodeURIComponent(ns)}&limit=500${until}`)
      .then((l) => { a.items = l.items || []; }).catch((e) => { a.items = []; a.error = e.message; })
      .finally(() => { a.loading = false; changed(); });
  } else if (!a.loading && stale) {
    setTimeout(changed, 2100);
  }
  const items = (a.items || []).slice(-30).reverse();
  return h('section', {}, h('h2', {}, 'Audit timeline'),
    a.error ? h('p', { class: 'muted' }, a.error) : null,
    items.length ? h('ol', { class: 'timeline', 'data-testid': 'audit' }, items.map((i) => h('li', {},
      h('code', {}, i.time), ' ', h('strong', {}, i.change), ' by ', i.actor || '?', i.message ? ' — ' + i.message : '',
      i.cause?.text ? h('span', { class: 'muted' }, ` (${i.cause.text})`) : ''))) : h('p', { class: 'muted' }, a.items ? 'No audit records.' : 'Loading…'));
}

// ---- pod page: containers, placement, probes, logs that follow ----

let logs = null; // {key, text, abort}
function stopLogs() {
  if (logs) logs.abort.abort();
  logs = null;
}

function probeText(p) {
  if (!p) return '—';
  const how = p.httpGet ? `HTTP GET :${p.httpGet.port}${p.httpGet.path || '/'}` : p.tcpSocket ? `TCP :${p.tcpSocket.port}` : p.exec ? `exec ${(p.exec.command || []).join(' ')}` : '?';
  return `${how} every ${p.periodSeconds ?? 10}s, ${p.failureThreshold ?? 3} failures`;
}

function podPage(ns, name) {
  const p = view('pods').find((x) => x.metadata.namespace === ns && x.metadata.name === name);
  if (!p) return h('div', {}, h('h1', {}, `Pod ${ns}/${name}`), h('p', { class: 'muted' }, past ? 'It did not exist then.' : 'Not found (deleted?).'));
  const statuses = new Map((p.status?.containerStatuses || []).map((c) => [c.name, c]));
  const containers = (p.spec?.containers || []).map((c) => {
    const s = statuses.get(c.name) || {};
    const state = Object.entries(s.state || {})[0];
    const last = s.lastState?.terminated;
    return h('tr', {}, h('td', {}, c.name), h('td', {}, c.image),
      h('td', {}, state ? `${state[0]}${state[1].reason ? ' (' + state[1].reason + ')' : ''}${state[1].exitCode !== undefined ? ' exit ' + state[1].exitCode : ''}` : '—'),
      h('td', {}, s.ready ? 'yes' : 'no'), h('td', {}, String(s.restartCount || 0)),
      h('td', {}, last ? `${last.reason} exit ${last.exitCode}` : '—'),
      h('td', {}, h('div', {}, 'readiness: ', probeText(c.readinessProbe)), h('div', {}, 'liveness: ', probeText(c.livenessProbe)),
        c.startupProbe ? h('div', {}, 'startup: ', probeText(c.startupProbe)) : null));
  });
  const placement = auditPlacement(ns, name);
  const key = `${ns}/${name}`;
  if (!past && (!logs || logs.key !== key)) startLogs(ns, name, key);
  return h('div', { 'data-page': 'pod' },
    h('h1', {}, `Pod ${ns}/${name}`),
    h('p', {}, podProblem(p) ? badge({ level: 'bad', text: podProblem(p) }) : badge({ level: podReady(p) ? 'ok' : 'progress', text: p.status?.phase || '' }),
      ` on node ${p.spec?.nodeName || '—'}, IP ${p.status?.podIP || '—'}`),
    h('div', { class: 'actions' }, actionButton('Delete', `Delete pod ${ns}/${name}?`, 'Its controller replaces it.', () => call('DELETE', `/api/v1/namespaces/${ns}/pods/${name}`), {}, 'danger')),
    h('h2', {}, 'Containers'),
    table(['Container', 'Image', 'State', 'Ready', 'Restarts', 'Last state', 'Probes'], containers),
    h('h2', {}, 'Placement'), placement,
    h('h2', {}, 'Conditions'),
    h('ul', {}, (p.status?.conditions || []).map((c) => h('li', {}, `${c.type}=${c.status}${c.reason ? ' ' + c.reason : ''}${c.message ? ': ' + c.message : ''}`))),
    h('h2', {}, 'Logs', logs && !past ? h('span', { class: 'muted' }, ' (following)') : ''),
    past ? h('p', { class: 'muted' }, 'Logs follow in live mode.') : h('pre', { class: 'logs', 'data-testid': 'logs' }, logs?.text || ''));
}

function startLogs(ns, name, key) {
  stopLogs();
  const abort = new AbortController();
  logs = { key, text: '', abort };
  const mine = logs;
  stream(`/api/v1/namespaces/${ns}/pods/${name}/log?follow=true&tailLines=500`, (chunk) => {
    mine.text = (mine.text + chunk).slice(-200_000);
    const pre = document.querySelector('[data-testid=logs]');
    if (pre && logs === mine) {
      pre.textContent = mine.text;
      pre.scrollTop = pre.scrollHeight;
    }
  }, abort.signal, false).catch((e) => {
    if (!abort.signal.aborted) mine.text += `\n[logs: ${e.message}]`;
  });
}

const placements = new Map();
function auditPlacement(ns, name) {
  const key = `${ns}/${name}`;
  if (!placements.has(key)) {
    placements.set(key, null);
    get(`/apis/berth.io/v1/audit?resource=pod/${encodeURIComponent(name)}&namespace=${encodeURIComponent(ns)}&change=TaskPlaced&limit=50`)
      .then((l) => { placements.set(key, (l.items || []).filter((i) => i.placement).pop() || false); changed(); })
      .catch(() => { placements.set(key, false); changed(); });
  }
  const p = placements.get(key);
  if (p === null) return h('p', { class: 'muted' }, 'Loading…');
  if (!p) return h('p', { class: 'muted' }, 'No placement decision recorded.');
  return h('pre', { class: 'placement' }, JSON.stringify(p.placement, null, 2));
}

// ---- services ----

function servicesPage() {
  const eps = new Map(view('endpoints').map((e) => [`${e.metadata.namespace}/${e.metadata.name}`, e]));
  const rows = view('services').sort((a, b) => (a.metadata.namespace + a.metadata.name).localeCompare(b.metadata.namespace + b.metadata.name)).map((s) => {
    const ep = eps.get(`${s.metadata.namespace}/${s.metadata.name}`);
    const addresses = (ep?.subsets || []).flatMap((ss) => [
      ...(ss.addresses || []).map((a) => ({ a, ready: true, ports: ss.ports })), ...(ss.notReadyAddresses || []).map((a) => ({ a, ready: false, ports: ss.ports }))]);
    return h('tr', { 'data-testid': 'service-row', 'data-name': s.metadata.name },
      h('td', {}, s.metadata.namespace), h('td', {}, s.metadata.name), h('td', {}, s.spec?.type || 'ClusterIP'), h('td', {}, s.spec?.clusterIP || ''),
      h('td', {}, (s.spec?.ports || []).map((p) => `${p.port}${p.nodePort ? ':' + p.nodePort : ''}/${p.protocol || 'TCP'}`).join(', ')),
      h('td', {}, Object.entries(s.spec?.selector || {}).map(([k, v]) => `${k}=${v}`).join(', ')),
      h('td', {}, addresses.length ? addresses.map(({ a, ready, ports }) => h('div', {}, badge({ level: ready ? 'ok' : 'warn', text: ready ? 'ready' : 'not ready' }), ' ',
        `${a.ip}:${(ports || []).map((p) => p.port).join(',')}`, a.targetRef ? [' → ', link(`pods/${s.metadata.namespace}/${a.targetRef.name}`, a.targetRef.name)] : ''))
        : h('span', { class: 'muted' }, 'no endpoints')));
  });
  return h('div', { 'data-page': 'services' }, h('h1', {}, 'Services'),
    rows.length ? table(['Namespace', 'Name', 'Type', 'Cluster IP', 'Ports', 'Selector', 'Endpoints'], rows) : h('p', { class: 'muted' }, 'No services.'));
}

// ---- apply a pasted manifest: each document validated first (dryRun=All), errors shown at their field ----

const RESOURCE_PATHS = {
  Deployment: 'deployments', StatefulSet: 'statefulsets', DaemonSet: 'daemonsets', Job: 'jobs', CronJob: 'cronjobs',
  Service: 'services', Pod: 'pods', ConfigMap: 'configmaps', Secret: 'secrets', HorizontalPodAutoscaler: 'horizontalpodautoscalers',
};

function applyPage() {
  const text = h('textarea', { id: 'manifest', rows: 22, spellcheck: false, placeholder: 'apiVersion: apps/v1\nkind: Deployment\n…' });
  const ns = h('input', { id: 'apply-namespace', value: 'default', size: 12 });
  const out = h('div', { id: 'apply-result', 'data-testid': 'apply-result' });
  const applyButton = h('button', { id: 'apply', disabled: true, class: 'primary' }, 'Apply');
  text.addEventListener('input', () => { applyButton.disabled = true; });
  const validate = h('button', { id: 'validate', onclick: async () => {
    applyButton.disabled = true;
    const problems = await validateManifest(text.value, ns.value);
    out.replaceChildren(problems.length ? h('ul', { class: 'errors' }, problems.map((p) => h('li', { 'data-field': p.field || '' },
      h('strong', {}, `${p.where}${p.field ? ' — ' + p.field : ''}: `), p.message))) : h('p', { class: 'ok' }, 'Valid: the gateway accepts every object (dry run).'));
    markLines(text, problems);
    applyButton.disabled = problems.length > 0 || !!past;
  } }, 'Validate');
  applyButton.addEventListener('click', async () => {
    if (!(await confirmDialog('Apply this manifest?', `Namespace ${ns.value}.`))) return;
    try {
      const r = await call('POST', `/apis/berth.io/v1/apply?namespace=${encodeURIComponent(ns.value)}`, text.value, 'application/yaml');
      out.replaceChildren(h('p', { class: 'ok' }, `Applied: ${(r.items || []).map((i) => `${i.kind || ''} ${i.metadata?.name || i.message || ''}`).join(', ')}`));
      toast('Applied');
    } catch (e) {
      out.replaceChildren(h('p', { class: 'errors' }, e.message));
    }
  });
  return h('div', { 'data-page': 'apply' }, h('h1', {}, 'Apply a manifest'),
    h('p', {}, 'Paste YAML or JSON (several documents separated by ---). It is validated by the gateway first, nothing written, and applied on confirmation.'),
    h('label', {}, 'Namespace ', ns), text, h('div', { class: 'actions' }, validate, applyButton), out);
}

async function validateManifest(source, namespace) {
  let docs;
  try {
    docs = parseAllDocuments(source).filter((d) => d.contents !== null);
  } catch (e) {
    return [{ where: 'YAML', message: e.message }];
  }
  const problems = [];
  if (docs.length === 0) problems.push({ where: 'manifest', field: '', message: 'Required value: nothing to apply' });
  for (const [n, doc] of docs.entries()) {
    if (doc.errors.length) {
      problems.push(...doc.errors.map((e) => ({ where: `document ${n + 1}`, message: e.message })));
      continue;
    }
    const o = doc.toJS();
    const where = `document ${n + 1} (${o?.kind || '?'} ${o?.metadata?.name || '?'})`;
    const plural = RESOURCE_PATHS[o?.kind];
    if (!o?.kind) { problems.push({ where, field: 'kind', message: 'Required value' }); continue; }
    if (!plural) { problems.push({ where, field: 'kind', message: `Unsupported value: "${o.kind}" cannot be applied from the dashboard` }); continue; }
    const group = o.apiVersion && o.apiVersion.includes('/') ? `/apis/${o.apiVersion}` : '/api/v1';
    const base = `${group}/namespaces/${encodeURIComponent(o.metadata?.namespace || namespace)}/${plural}`;
    try {
      await call('POST', `${base}?dryRun=All`, o);
    } catch (e) {
      if (e.status === 409 && o.metadata?.name) { // exists: validate as the update it will be
        try {
          await call('PATCH', `${base}/${encodeURIComponent(o.metadata.name)}?dryRun=All`, o, 'application/merge-patch+json');
        } catch (e2) {
          problems.push(...statusProblems(where, e2));
        }
      } else problems.push(...statusProblems(where, e));
    }
  }
  return problems;
}

/** Kubernetes' Status causes as field problems ("spec.replicas: Invalid value: -1: …"). */
function statusProblems(where, e) {
  const causes = e.body?.details?.causes || [];
  if (causes.length === 0) return [{ where, field: '', message: e.message }];
  return causes.map((c) => ({ where, field: c.field || '', message: c.message || c.reason || '' }));
}

/** Marks in the text area the first line naming each problem's field's last part. */
function markLines(textarea, problems) {
  const lines = textarea.value.split('\n');
  for (const p of problems) {
    const last = (p.field || '').split('.').pop().replace(/\[\d+\]$/, '');
    const at = last ? lines.findIndex((l) => l.trimStart().startsWith(last + ':') || l.trimStart().startsWith('- ' + last + ':')) : -1;
    if (at >= 0) {
      p.line = at + 1;
      const start = lines.slice(0, at).join('\n').length + (at ? 1 : 0);
      textarea.focus();
      textarea.setSelectionRange(start, start + lines[at].length);
      break;
    }
  }
}

// ---- actions: always confirmed; off in the past ----

function actionButton(text, title, body, act, input = null, kind = '') {
  return h('button', {
    class: `action ${kind}`, 'data-action': text.toLowerCase().replace(/\s+/g, '-'), disabled: !!past,
    onclick: async () => {
      const value = await confirmDialog(title, body, input);
      if (value === null || value === false) return;
      try {
        await act(value);
        toast(`${text}: done`);
      } catch (e) {
        toast(`${text} failed: ${e.message}`, true);
      }
    },
  }, text);
}

/** A modal: resolves to the input's value (or true) on Confirm, null on Cancel. */
function confirmDialog(title, body, input = null) {
  return new Promise((resolve) => {
    const modal = document.getElementById('modal');
    const field = input ? h('input', { id: 'confirm-input', ...input }) : null;
    const close = (v) => { modal.replaceChildren(); resolve(v); };
    modal.replaceChildren(h('div', { class: 'backdrop' }, h('div', { class: 'dialog', role: 'dialog', 'aria-label': title },
      h('h3', {}, title), body ? h('p', {}, body) : null, field,
      h('div', { class: 'actions' }, h('button', { id: 'confirm', class: 'primary', onclick: () => close(input ? field.value : true) }, 'Confirm'),
        h('button', { id: 'cancel', onclick: () => close(null) }, 'Cancel')))));
    (field || modal.querySelector('#confirm')).focus();
  });
}

function toast(text, error = false) {
  const t = h('div', { class: error ? 'toast error' : 'toast', role: 'status' }, text);
  document.body.append(t);
  setTimeout(() => t.remove(), error ? 8000 : 3000);
}

// ---- start ----

async function start() {
  const page = document.getElementById('page');
  onSessionLost(() => {
    page.replaceChildren(h('div', { class: 'login' }, h('h1', {}, 'Signed out'),
      h('p', {}, 'The session ended (it lasts 8 hours, and a gateway restart ends it). Run ', h('code', {}, 'berth dashboard'), ' for a new login link.')));
  });
  try {
    if (!(await signIn())) {
      page.replaceChildren(h('div', { class: 'login' }, h('h1', {}, 'Berth'),
        h('p', {}, 'Open the link that ', h('code', {}, 'berth dashboard'), ' prints: it signs you in (the link works once, for 5 minutes).')));
      return;
    }
  } catch (e) {
    page.replaceChildren(h('div', { class: 'login' }, h('h1', {}, 'Not signed in'), h('p', { class: 'errors' }, e.message)));
    return;
  }
  Object.keys(RESOURCES).filter((r) => !RESOURCES[r].derived).forEach(follow);
  refreshDerived();
  changed();
}

start();
