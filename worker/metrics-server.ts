// The worker's Prometheus endpoint, on a port of its own (WORKER_METRICS_PORT):
// Rapport's metrics of this process (sends by outcome, broadcast chunks, the
// process) followed by the Temporal SDK's worker metrics, which the SDK's core
// serves on an internal loopback port that only this process reads.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { timingSafeEqual } from 'node:crypto';
import { ConfigError } from '../config/env';
import { metricsText } from '../lib/metrics';

export interface MetricsServer {
  url: string;
  close(): Promise<void>;
}

/** The SDK's own metrics text, or '' while its exporter is not up (or not ours: tests install their own runtime). */
async function sdkMetrics(coreAddress: string | null): Promise<string> {
  if (!coreAddress) return '';
  const r = await fetch(`http://${coreAddress}/metrics`, { signal: AbortSignal.timeout(2000) });
  return r.ok ? r.text() : '';
}

export async function startMetricsServer(opts: {
  host: string;
  port: number;
  token?: string;
  coreAddress: string | null;
}): Promise<MetricsServer> {
  const expected = opts.token ? Buffer.from(`Bearer ${opts.token}`) : null;
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method !== 'GET' || (path !== '/metrics' && path !== '/health/live')) {
      res
        .writeHead(404, { 'content-type': 'application/json' })
        .end(JSON.stringify({ error: { code: 'not_found', message: 'GET /metrics or /health/live', details: [] } }));
      return;
    }
    if (path === '/health/live') {
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"ok"}');
      return;
    }
    if (expected) {
      const got = Buffer.from(req.headers.authorization ?? '');
      if (got.length !== expected.length || !timingSafeEqual(got, expected)) {
        res.writeHead(401, { 'content-type': 'application/json', 'www-authenticate': 'Bearer' }).end(
          JSON.stringify({
            error: {
              code: 'unauthorized',
              message: 'needs Authorization: Bearer <METRICS_TOKEN>',
              details: [{ path: 'header.authorization', message: 'missing or wrong' }],
            },
          }),
        );
        return;
      }
    }
    metricsText(() => sdkMetrics(opts.coreAddress)).then(
      (text) => res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4; charset=utf-8', 'cache-control': 'no-store' }).end(text),
      (err: Error) => res.writeHead(500, { 'content-type': 'text/plain' }).end(`metrics failed: ${err.message}`),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) => {
      const at = `${opts.host}:${opts.port}`;
      reject(
        err.code === 'EADDRINUSE'
          ? new ConfigError(
              `The worker's metrics cannot listen on ${at}: port ${opts.port} is already in use (another worker on this machine?).\nSet WORKER_METRICS_PORT to a free port (0 picks any, "off" turns it off).`,
            )
          : new ConfigError(
              `The worker's metrics cannot listen on ${at} (WORKER_METRICS_HOST, WORKER_METRICS_PORT): ${err.code ?? 'error'}: ${err.message}`,
            ),
      );
    });
    server.listen(opts.port, opts.host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://${opts.host === '0.0.0.0' ? '127.0.0.1' : opts.host}:${port}/metrics`,
    close: () =>
      new Promise<void>((r) => {
        server.close(() => r());
        server.closeAllConnections();
      }),
  };
}
