import { describe, expect, it } from 'vitest';
import { ConfigError, loadEnv } from '../../config/env';

const base = {
  DATABASE_URL: 'postgresql://u:p@localhost/db',
  SMTP_URL: 'smtp://localhost:25',
  RAPPORT_API_KEYS: 'k'.repeat(20),
  WEBHOOK_SECRETS: `shop=${'s'.repeat(20)}`,
  LINK_SIGNING_SECRET: 'l'.repeat(20),
};

describe('loadEnv', () => {
  it('applies defaults for a valid server configuration', () => {
    const env = loadEnv('server', base);
    expect(env.HTTP_PORT).toBe(3000);
    expect(env.TEMPORAL_NAMESPACE).toBe('default');
    expect(env.WEBHOOK_SECRETS).toEqual({ shop: 's'.repeat(20) });
    expect(env.RAPPORT_API_KEYS).toEqual(['k'.repeat(20)]);
  });

  it('names a missing variable', () => {
    const { DATABASE_URL: _, ...rest } = base;
    expect(() => loadEnv('server', rest)).toThrowError(/DATABASE_URL: is required but not set/);
  });

  it('names a malformed variable and says why', () => {
    expect(() => loadEnv('worker', { ...base, SMTP_URL: 'http://x' })).toThrowError(/SMTP_URL: must be an smtp:\/\/ or smtps:\/\/ URL/);
    expect(() => loadEnv('server', { ...base, HTTP_PORT: 'eighty' })).toThrowError(ConfigError);
    expect(() => loadEnv('worker', { ...base, TEMPORAL_ADDRESS: 'http://temporal:7233' })).toThrowError(
      /TEMPORAL_ADDRESS: must be host:port/,
    );
    expect(loadEnv('worker', { ...base, TEMPORAL_ADDRESS: 'ns.acct.tmprl.cloud:7233' }).TEMPORAL_ADDRESS).toBe('ns.acct.tmprl.cloud:7233');
    expect(loadEnv('worker', { ...base, TEMPORAL_ADDRESS: '[::1]:7233' }).TEMPORAL_ADDRESS).toBe('[::1]:7233');
    expect(() => loadEnv('server', { ...base, WEBHOOK_SECRETS: 'shop' })).toThrowError(/WEBHOOK_SECRETS/);
    expect(() => loadEnv('server', { ...base, LINK_SIGNING_SECRET: 'short' })).toThrowError(
      /LINK_SIGNING_SECRET: must be at least 16 characters/,
    );
  });

  it('reads the workflow task pollers as a number or "auto", and names the variable otherwise', () => {
    expect(loadEnv('worker', base).WORKER_WORKFLOW_TASK_POLLERS).toBe(10);
    expect(loadEnv('worker', { ...base, WORKER_WORKFLOW_TASK_POLLERS: 'auto' }).WORKER_WORKFLOW_TASK_POLLERS).toBe('auto');
    expect(loadEnv('worker', { ...base, WORKER_WORKFLOW_TASK_POLLERS: '24' }).WORKER_WORKFLOW_TASK_POLLERS).toBe(24);
    expect(() => loadEnv('worker', { ...base, WORKER_WORKFLOW_TASK_POLLERS: 'many' })).toThrowError(
      /WORKER_WORKFLOW_TASK_POLLERS: must be "auto" or a whole number from 2 to 1000/,
    );
    expect(() => loadEnv('worker', { ...base, WORKER_WORKFLOW_TASK_POLLERS: '1' })).toThrowError(/WORKER_WORKFLOW_TASK_POLLERS/);
  });

  it('only requires what the role uses', () => {
    expect(loadEnv('migrate', { DATABASE_URL: base.DATABASE_URL }).DATABASE_URL).toBe(base.DATABASE_URL);
  });
});
