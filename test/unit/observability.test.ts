// The helpers behind logs and metrics: error summaries, the SDK's log entries
// flattened, request ids, route patterns, and the worker settings added for
// operations (metrics port, task queues, email rate).
import { EventEmitter } from 'node:events';
import type { IncomingMessage, ServerResponse } from 'node:http';
import express from 'express';
import { describe, expect, it } from 'vitest';
import { loadEnv } from '../../config/env';
import { errorFields, sdkLogFields, summarizeError } from '../../lib/logger';
import { pino } from 'pino';
import { accessFields, requestIdOf, requestObservability, routePattern } from '../../server/observability';

const base = {
  DATABASE_URL: 'postgresql://u:p@localhost/db',
  SMTP_URL: 'smtp://localhost:25',
  LINK_SIGNING_SECRET: 'l'.repeat(20),
};

describe('log helpers', () => {
  it('an error keeps its type, message, code and causes, with addresses redacted', () => {
    const cause = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:7233'), { code: 'ECONNREFUSED' });
    const err = new Error('signalWithStart failed for ann@example.com', { cause });
    err.name = 'ServiceError';
    expect(errorFields(err)).toEqual({
      err: {
        type: 'ServiceError',
        message: 'signalWithStart failed for [address]',
        cause: { type: 'Error', message: 'connect ECONNREFUSED 127.0.0.1:7233', code: 'ECONNREFUSED' },
      },
    });
    expect(summarizeError('plain text')).toEqual({ type: 'string', message: 'plain text' });
  });

  it('an SDK "Activity failed" entry shows the message and type at the top, not an empty object under sdk', () => {
    const error = new Error('SMTP 451 try later');
    error.name = 'ApplicationFailure';
    const fields = sdkLogFields({ error, durationMs: 12, activityType: 'sendEmail', attempt: 2n });
    expect(fields).toEqual({
      err: { type: 'ApplicationFailure', message: 'SMTP 451 try later' },
      durationMs: 12,
      activityType: 'sendEmail',
      attempt: '2',
    });
    expect(JSON.parse(JSON.stringify(fields)).err.message).toBe('SMTP 451 try later');
    expect(sdkLogFields(undefined)).toEqual({});
  });
});

describe('request ids', () => {
  it('keeps a sane incoming id and replaces anything else', () => {
    expect(requestIdOf('abc-123_DEF.4:5=')).toBe('abc-123_DEF.4:5=');
    expect(requestIdOf(['first-id', 'second'])).toBe('first-id');
    for (const bad of [undefined, '', 'has space', 'ann@example.com', 'x'.repeat(129), 'new\nline'])
      expect(requestIdOf(bad)).toMatch(/^[0-9a-f-]{36}$/);
  });
});

describe('route patterns', () => {
  it('labels by the matched pattern with its mount, even when the handler failed, and never by the raw path', async () => {
    const seen: Record<string, unknown>[] = [];
    const app = express();
    const log = pino({ level: 'silent' });
    app.use(requestObservability(log));
    app.use((req, res, next) => {
      res.once('finish', () => seen.push(accessFields(req, res, 0)));
      next();
    });
    const r = express.Router();
    r.get('/contacts/:ref', (req, res) => {
      if (req.params.ref === 'boom') throw new Error('boom');
      res.json({});
    });
    app.use('/v1', r);
    app.use((_err: unknown, _req: express.Request, res: express.Response, _next: express.NextFunction) => void res.status(500).json({}));
    const server = app.listen(0);
    await new Promise((resolve) => server.once('listening', resolve));
    const port = (server.address() as { port: number }).port;
    for (const path of ['/v1/contacts/ann%40example.com?by=email', '/v1/contacts/boom', '/nothing/here'])
      await (await fetch(`http://127.0.0.1:${port}${path}`)).arrayBuffer();
    server.close();
    expect(seen).toEqual([
      { method: 'GET', route: '/v1/contacts/:ref', status: 200, ms: 0 },
      { method: 'GET', route: '/v1/contacts/:ref', status: 500, ms: 0 },
      { method: 'GET', route: '(unmatched)', status: 404, ms: 0 },
    ]);
  });

  it('a response no route took is (static) when it succeeded', () => {
    const req = new EventEmitter() as unknown as IncomingMessage;
    expect(routePattern(req, { statusCode: 200 } as ServerResponse)).toBe('(static)');
  });
});

describe('worker settings for operations', () => {
  it('has documented defaults', () => {
    const env = loadEnv('worker', base);
    expect(env.WORKER_METRICS_PORT).toBe(9464);
    expect(env.WORKER_METRICS_HOST).toBe('127.0.0.1');
    expect(env.WORKER_TASK_QUEUES).toEqual(['journeys', 'email']);
    expect(env.EMAIL_RATE_PER_SECOND).toBeUndefined();
  });

  it('takes off, 0, an email-only worker and a rate', () => {
    expect(loadEnv('worker', { ...base, WORKER_METRICS_PORT: 'off' }).WORKER_METRICS_PORT).toBe('off');
    expect(loadEnv('worker', { ...base, WORKER_METRICS_PORT: '0' }).WORKER_METRICS_PORT).toBe(0);
    const email = loadEnv('worker', { ...base, WORKER_TASK_QUEUES: ' email ', EMAIL_RATE_PER_SECOND: '2.5' });
    expect(email.WORKER_TASK_QUEUES).toEqual(['email']);
    expect(email.EMAIL_RATE_PER_SECOND).toBe(2.5);
  });

  it('refuses what cannot work, naming the variable', () => {
    expect(() => loadEnv('worker', { ...base, WORKER_TASK_QUEUES: 'journeys,sms' })).toThrowError(
      /WORKER_TASK_QUEUES: must list journeys and\/or email/,
    );
    expect(() => loadEnv('worker', { ...base, WORKER_TASK_QUEUES: ',' })).toThrowError(/WORKER_TASK_QUEUES/);
    expect(() => loadEnv('worker', { ...base, EMAIL_RATE_PER_SECOND: '0' })).toThrowError(/EMAIL_RATE_PER_SECOND/);
    expect(() => loadEnv('worker', { ...base, WORKER_METRICS_PORT: '70000' })).toThrowError(/WORKER_METRICS_PORT/);
    expect(() => loadEnv('worker', { ...base, TEMPORAL_EMAIL_TASK_QUEUE: 'rapport-journeys', EMAIL_RATE_PER_SECOND: '5' })).toThrowError(
      /EMAIL_RATE_PER_SECOND: needs TEMPORAL_EMAIL_TASK_QUEUE to differ/,
    );
    expect(() => loadEnv('worker', { ...base, TEMPORAL_EMAIL_TASK_QUEUE: 'rapport-journeys', WORKER_TASK_QUEUES: 'email' })).toThrowError(
      /WORKER_TASK_QUEUES: "email" alone needs/,
    );
    expect(() => loadEnv('worker', { ...base, WORKER_TASK_QUEUES: 'journeys', EMAIL_RATE_PER_SECOND: '5' })).toThrowError(
      /this worker does not poll the email task queue/,
    );
    expect(() =>
      loadEnv('server', { ...base, RAPPORT_API_KEYS: 'k'.repeat(20), WEBHOOK_SECRETS: `a=${'s'.repeat(20)}`, METRICS_TOKEN: 'short' }),
    ).toThrowError(/METRICS_TOKEN: must be at least 16/);
  });
});
