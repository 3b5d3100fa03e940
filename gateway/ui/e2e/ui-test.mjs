// The dashboard's acceptance in a real browser: Debian's Chromium driven by playwright-core (no downloaded
// browser) against a running Berth. Run by ops' DashboardE2ETest:
//   node ui-test.mjs <login URL from `berth dashboard`> <admin token> <screenshots dir>
// Prints one "ok <step>" line per step passed and exits 0; on a failure prints "FAILED <step>: why", takes a
// screenshot failure.png and exits 1. Every wait has a deadline.
import { chromium } from 'playwright-core';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const [loginUrl, adminToken, shots] = process.argv.slice(2);
if (!loginUrl || !adminToken || !shots) {
  console.error('usage: node ui-test.mjs <login URL> <admin token> <screenshots dir>');
  process.exit(2);
}
const base = new URL(loginUrl).origin;
mkdirSync(shots, { recursive: true });
const WAIT = 90_000;

async function api(method, path, body, type = 'application/json') {
  const res = await fetch(base + path, {
    method, headers: { Authorization: `Bearer ${adminToken}`, ...(body ? { 'Content-Type': type } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${text}`);
  return text ? JSON.parse(text) : null;
}

const deployment = (command) => ({
  apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web', namespace: 'default' },
  spec: {
    replicas: 2, selector: { matchLabels: { app: 'web' } },
    template: {
      metadata: { labels: { app: 'web' } },
      spec: { terminationGracePeriodSeconds: 1, containers: [{ name: 'web', image: 'berth/busybox:latest', command: ['sh', '-c', command] }] },
    },
  },
});
const HEALTHY = 'echo hello from web; exec sleep 3600';

const userDir = mkdtempSync(join(tmpdir(), 'berth-ui-chromium-'));
// a fresh profile (playwright passes it as --user-data-dir)
const browser = await chromium.launchPersistentContext(userDir, {
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
    '--disable-component-update', '--disable-sync'],
  viewport: { width: 1400, height: 900 },
});
let step = 'start';
const page = browser.pages()[0] || await browser.newPage();
const consoleErrors = [];
page.on('console', (m) => { if (m.type() === 'error') consoleErrors.push(m.text()); });
page.on('pageerror', (e) => consoleErrors.push(e.message));
const verdictOf = (name) => page.locator(`[data-testid=workload-row][data-name=${name}] [data-testid=verdict]`);
const pageVerdict = () => page.locator('[data-page=workload] > p [data-testid=verdict]');
const confirm = async (input) => {
  if (input !== undefined) await page.fill('#confirm-input', String(input));
  await page.click('#confirm');
};
const ok = (what) => console.log(`ok ${what}`);

try {
  step = 'sign in from the login URL';
  await page.goto(loginUrl);
  await page.waitForSelector('#user:has-text("signed in as admin")', { timeout: WAIT });
  if (page.url().includes('token=')) throw new Error(`the token stayed in the address bar: ${page.url()}`);
  await page.evaluate(() => { window.__sameDocument = true; });
  ok(step);

  step = 'the overview lists 3 nodes';
  await page.waitForFunction(() => document.querySelectorAll('[data-testid=node-row]').length === 3, null, { timeout: WAIT });
  await page.waitForSelector('[data-testid=nodes-card]:has-text("3 of 3 ready")', { timeout: WAIT });
  await page.screenshot({ path: join(shots, 'overview.png'), fullPage: true });
  ok(step);

  step = 'a Deployment applied elsewhere appears without reload';
  await page.click('nav a:has-text("Workloads")');
  await page.waitForSelector('[data-page=workloads]', { timeout: WAIT });
  await api('POST', '/apis/apps/v1/namespaces/default/deployments', deployment(HEALTHY));
  await verdictOf('web').filter({ hasText: '2 of 2 ready' }).waitFor({ timeout: WAIT });
  await page.screenshot({ path: join(shots, 'workloads.png'), fullPage: true });
  ok(step);

  step = 'scale from the UI';
  // the slider moves by whole seconds: the first whole second after the page saw 2 ready shows them, so the
  // scale waits until the clock has passed it
  const beforeScale = Math.ceil(Date.now() / 1000);
  await page.waitForFunction((s) => Date.now() > s * 1000 + 250, beforeScale, { timeout: WAIT });
  await page.click('[data-testid=workload-row][data-name=web] a');
  await page.waitForSelector('[data-page=workload]', { timeout: WAIT });
  await page.click('[data-action=scale]');
  await confirm(3);
  await pageVerdict().filter({ hasText: '3 of 3 ready' }).waitFor({ timeout: WAIT });
  await page.screenshot({ path: join(shots, 'workload.png'), fullPage: true });
  ok(step);

  step = 'the time slider before the scale shows the old replica count';
  await page.locator('#time-slider').evaluate((el, v) => {
    el.value = String(v);
    el.dispatchEvent(new Event('input', { bubbles: true }));
    el.dispatchEvent(new Event('change', { bubbles: true }));
  }, beforeScale);
  await page.waitForSelector('[data-testid=past-panel]', { timeout: WAIT });
  await pageVerdict().filter({ hasText: '2 of 2 ready' }).waitFor({ timeout: WAIT });
  await page.waitForSelector('[data-testid=changes] :text("spec.replicas: 2 → 3")', { timeout: WAIT });
  if (!(await page.locator('[data-action=scale]').isDisabled())) throw new Error('actions stay on in the past');
  await page.screenshot({ path: join(shots, 'time-slider.png'), fullPage: true });
  await page.click('#live-button');
  await page.waitForSelector('[data-testid=past-panel]', { state: 'detached', timeout: WAIT });
  await pageVerdict().filter({ hasText: '3 of 3 ready' }).waitFor({ timeout: WAIT });
  ok(step);

  step = 'a crashing revision shows its reason on the workload page';
  await api('PATCH', '/apis/apps/v1/namespaces/default/deployments/web', { spec: { template: { spec: { containers: [
    { name: 'web', image: 'berth/busybox:latest', command: ['sh', '-c', 'echo crashing; exit 3'] }] } } } }, 'application/merge-patch+json');
  await pageVerdict().filter({ hasText: /CrashLoopBackOff|crash-looping/ }).waitFor({ timeout: WAIT });
  await page.locator('[data-testid=pods] [data-testid=verdict]').filter({ hasText: 'CrashLoopBackOff' }).first().waitFor({ timeout: WAIT });
  await page.waitForFunction(() => document.querySelectorAll('[data-testid=revision-row]').length >= 2, null, { timeout: WAIT });
  await page.screenshot({ path: join(shots, 'workload-crashing.png'), fullPage: true });
  console.log(`verdict: ${await pageVerdict().textContent()}`);
  ok(step);

  step = 'undo from the UI rolls back';
  await page.click('[data-action=undo]');
  await confirm();
  await pageVerdict().filter({ hasText: '3 of 3 ready' }).waitFor({ timeout: WAIT });
  const after = await api('GET', '/apis/apps/v1/namespaces/default/deployments/web');
  const command = after.spec.template.spec.containers[0].command.join(' ');
  if (!command.includes('hello from web')) throw new Error(`after undo the template runs: ${command}`);
  ok(step);

  step = 'the audit timeline and events of the workload';
  await page.waitForSelector('[data-testid=audit] li', { timeout: WAIT });
  ok(step);

  step = 'a pod page with containers and logs that follow';
  // "3 of 3 ready" holds while the crashing revision's pods are still being removed: open a pod of the rolled-back
  // template, once only its 3 ready pods are listed (the first row was once a crashing pod that printed "crashing")
  await page.waitForFunction(() => {
    const rows = [...document.querySelectorAll('[data-testid=pod-row]')];
    return rows.length === 3 && rows.every((r) => r.textContent.includes('1/1') && !/CrashLoopBackOff/.test(r.textContent));
  }, null, { timeout: WAIT });
  await page.locator('[data-testid=pod-row] a').first().click();
  await page.waitForSelector('[data-page=pod]', { timeout: WAIT });
  await page.waitForSelector('[data-testid=logs]:has-text("hello from web")', { timeout: WAIT });
  await page.screenshot({ path: join(shots, 'pod.png'), fullPage: true });
  ok(step);

  step = 'services with their endpoints';
  await api('POST', '/api/v1/namespaces/default/services', { apiVersion: 'v1', kind: 'Service', metadata: { name: 'web', namespace: 'default' },
    spec: { selector: { app: 'web' }, ports: [{ port: 80, targetPort: 8080 }] } });
  await page.click('nav a:has-text("Services")');
  await page.waitForFunction(() => document.querySelectorAll('[data-testid=service-row][data-name=web] .badge.ok').length === 3, null, { timeout: WAIT });
  await page.screenshot({ path: join(shots, 'services.png'), fullPage: true });
  ok(step);

  step = 'a pasted manifest is validated first, its error shown at the field';
  await page.click('nav a:has-text("Apply")');
  await page.fill('#manifest', 'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: bad\nspec:\n  replicas: -1\n  selector:\n    matchLabels: {app: bad}\n'
    + '  template:\n    metadata:\n      labels: {app: bad}\n    spec:\n      containers:\n      - name: bad\n        image: berth/busybox:latest\n');
  await page.click('#validate');
  await page.waitForSelector('[data-testid=apply-result] li[data-field="spec.replicas"]', { timeout: WAIT });
  if (!(await page.locator('#apply').isDisabled())) throw new Error('an invalid manifest can be applied');
  await page.screenshot({ path: join(shots, 'apply.png'), fullPage: true });
  ok(step);

  step = 'no reload, no error in the console';
  if (!(await page.evaluate(() => window.__sameDocument === true))) throw new Error('the page was reloaded');
  const errors = consoleErrors.filter((e) => !/Failed to load resource|net::ERR_ABORTED/.test(e));
  if (errors.length) throw new Error(errors.join('\n'));
  ok(step);
  console.log('dashboard acceptance: all steps passed');
} catch (e) {
  console.log(`FAILED ${step}: ${e.message}`);
  await page.screenshot({ path: join(shots, 'failure.png'), fullPage: true }).catch(() => {});
  process.exitCode = 1;
} finally {
  await browser.close();
  rmSync(userDir, { recursive: true, force: true });
}
