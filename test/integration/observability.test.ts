// What an operator scrapes and reads, after real traffic: the server's /metrics
// (behind METRICS_TOKEN) and the worker's own metrics port (Rapport's metrics
// and the Temporal SDK's), request ids echoed and in the access log, and logs
// that are JSON lines without addresses, tokens or query strings. Server and
// worker run as processes (cli/rapport.ts), as in production.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { startMailSink, type MailSink } from '../../stack/smtp-sink';
import { startRole, type RoleProcess } from '../../stack/role-process';
import { ROOT } from '../../stack/tools';
import { createEmptyDatabase } from '../support/db';
import { TEST_API_KEY, testEnv } from '../support/env';

const N = 6;
const METRICS_TOKEN = 'metrics-token-0123456789abcdef';
let sink: MailSink;
const procs: RoleProcess[] = [];
const serverLines: string[] = [];
const workerLines: string[] = [];
let serverUrl: string;
let workerMetricsUrl: string;

interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

function parse(text: string): Sample[] {
  const out: Sample[] = [];
  for (const line of text.split('\n')) {
    const m = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})?\s+(\S+)/.exec(line);
    if (!m || line.startsWith('#')) continue;
    const labels: Record<string, string> = {};
    for (const l of (m[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)) labels[l[1]!] = l[2]!;
    out.push({ name: m[1]!, labels, value: Number(m[3]) });
  }
  return out;
}
/** The sum of a metric's samples whose labels include `labels`. */
const total = (samples: Sample[], name: string, labels: Record<string, string> = {}) =>
  samples.filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v)).reduce((a, s) => a + s.value, 0);

async function until<T>(what: string, probe: () => Promise<T | null | false>, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

beforeAll(async () => {
  const url = await createEmptyDatabase('it_observability');
  sink = await startMailSink({ smtpPort: 0 });
  const env = {
    ...(process.env as Record<string, string>),
    ...testEnv({
      databaseUrl: url,
      temporalAddress: inject('temporalAddress'),
      smtpUrl: sink.smtpUrl,
      overrides: { LOG_LEVEL: 'info', FREQUENCY_CAP_PER_7D: '0', METRICS_TOKEN, WORKER_METRICS_PORT: '0', HTTP_PORT: '0' },
    }).raw,
  };
  const migrated = spawnSync(process.execPath, ['--import', 'tsx', join(ROOT, 'cli', 'rapport.ts'), 'migrate'], { env, encoding: 'utf8' });
  expect(migrated.status, migrated.stderr).toBe(0);
  const [server, worker] = await Promise.all([
    startRole('server', env, { out: (l) => serverLines.push(l) }),
    startRole('worker', env, { out: (l) => workerLines.push(l) }),
  ]);
  procs.push(server, worker);
  serverUrl = String(server.ready.url); // it chose a free port itself
  workerMetricsUrl = String(worker.ready.metricsUrl);
}, 180_000);

afterAll(async () => {
  await Promise.all(procs.map((p) => p.stop(10_000)));
  await sink?.close();
});

const auth = { authorization: `Bearer ${TEST_API_KEY}`, 'content-type': 'application/json' };
const scrape = async (url: string, token = METRICS_TOKEN) => {
  const r = await fetch(url, { headers: { authorization: `Bearer ${token}` } });
  expect(r.status).toBe(200);
  return parse(await r.text());
};

describe('metrics, request ids and logs after real traffic', () => {
  it('counts events, dispatches, sends and latency by route pattern; the worker adds the Temporal SDK metrics', async () => {
    expect(workerMetricsUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/metrics$/);
    const before = await scrape(`${serverUrl}/metrics`);
    const statuses: number[] = [];
    for (let i = 0; i < N; i++) {
      const r = await fetch(`${serverUrl}/v1/events`, {
        method: 'POST',
        headers: { ...auth, 'x-request-id': `obs-req-${i}` },
        body: JSON.stringify({ id: `obs-${i}`, type: 'signed_up', contact: { email: `obs${i}@example.com`, firstName: 'Obs' } }),
      });
      expect(r.headers.get('x-request-id')).toBe(`obs-req-${i}`);
      statuses.push(r.status);
      await r.arrayBuffer();
    }
    expect(statuses).toEqual(Array(N).fill(202));
    const invalid = await fetch(`${serverUrl}/v1/events`, {
      method: 'POST',
      headers: { ...auth, 'x-request-id': 'has spaces and @' },
      body: JSON.stringify({ type: 'signed_up' }),
    });
    expect(invalid.status).toBe(400);
    // Not a sane id: a fresh one is made and echoed.
    expect(invalid.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    const lookup = await fetch(`${serverUrl}/v1/contacts/${encodeURIComponent('obs0@example.com')}?by=email`, { headers: auth });
    expect(lookup.status).toBe(200);

    await until(
      'every welcome email',
      async () => sink.messages.filter((m) => m.parsed.subject?.startsWith('Welcome to Rapport')).length >= N,
    );

    // Open /metrics is refused when a token is set.
    expect((await fetch(`${serverUrl}/metrics`)).status).toBe(401);
    expect((await fetch(workerMetricsUrl)).status).toBe(401);

    const server = await until('the dispatcher counts', async () => {
      const s = await scrape(`${serverUrl}/metrics`);
      return total(s, 'rapport_dispatch_events_total', { outcome: 'delivered' }) -
        total(before, 'rapport_dispatch_events_total', { outcome: 'delivered' }) >=
        N
        ? s
        : null;
    });
    expect(
      total(server, 'rapport_events_accepted_total', { endpoint: 'api' }) -
        total(before, 'rapport_events_accepted_total', { endpoint: 'api' }),
    ).toBe(N);
    expect(total(server, 'rapport_events_refused_total', { endpoint: 'api', reason: 'invalid' })).toBe(1);
    expect(total(server, 'rapport_http_request_duration_seconds_count', { method: 'POST', route: '/v1/events', status: '202' })).toBe(N);
    expect(total(server, 'rapport_http_request_duration_seconds_count', { method: 'GET', route: '/v1/contacts/:ref', status: '200' })).toBe(
      1,
    );
    expect(total(server, 'rapport_dispatch_lag_seconds_count')).toBeGreaterThanOrEqual(N);
    expect(server.some((s) => s.name === 'rapport_dispatch_backlog_events')).toBe(true);
    expect(server.some((s) => s.name === 'rapport_dispatch_oldest_undispatched_age_seconds')).toBe(true);
    // Route patterns only: no address, no query string in any label.
    for (const s of server.filter((x) => x.labels.route)) expect(s.labels.route).not.toMatch(/@|%40|\?/);

    const worker = await until('the worker counts every send', async () => {
      const s = await scrape(workerMetricsUrl);
      return total(s, 'rapport_email_sends_total', { kind: 'journey', outcome: 'sent' }) >= N ? s : null;
    });
    expect(total(worker, 'rapport_email_sends_total', { kind: 'journey', outcome: 'sent' })).toBe(N);
    // The Temporal SDK's own worker metrics, merged into the same page.
    expect(worker.some((s) => s.name.startsWith('temporal_') && /activity|workflow|worker/.test(s.name))).toBe(true);
    expect(total(worker, 'temporal_activity_execution_latency_count', { activity_type: 'sendEmail' })).toBeGreaterThanOrEqual(N);
    expect(worker.some((s) => s.name === 'temporal_worker_task_slots_available')).toBe(true);
  }, 120_000);

  it('writes one JSON access line per request with its id, route pattern, status and duration, and nothing personal', async () => {
    const json = serverLines.map((l) => JSON.parse(l) as Record<string, unknown>);
    const posts = json.filter((l) => l.msg === 'request' && l.route === '/v1/events' && l.status === 202);
    expect(posts.map((l) => l.reqId).sort()).toEqual(Array.from({ length: N }, (_, i) => `obs-req-${i}`).sort());
    for (const l of posts) {
      expect(l.method).toBe('POST');
      expect(typeof l.ms).toBe('number');
    }
    expect(json.some((l) => l.msg === 'request' && l.route === '/v1/contacts/:ref' && l.status === 200)).toBe(true);
    const all = [...serverLines, ...workerLines].join('\n');
    expect(all).not.toMatch(/example\.com|by=email|test-api-key|metrics-token/);
    // Every worker line is JSON: the SDK's core logs are forwarded, not printed as coloured text.
    for (const l of workerLines) expect(() => JSON.parse(l), l).not.toThrow();
  });
});
