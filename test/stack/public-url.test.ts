// PUBLIC_URL follows HTTP_PORT unless set, and npm start can tell when a set one
// cannot reach the server it runs.
import { describe, expect, it } from 'vitest';
import { loadEnv, publicUrlMismatch } from '../../config/env';

const base = {
  DATABASE_URL: 'postgresql://u:p@localhost/db',
  SMTP_URL: 'smtp://localhost:25',
  RAPPORT_API_KEYS: 'k'.repeat(20),
  WEBHOOK_SECRETS: `shop=${'s'.repeat(20)}`,
  LINK_SIGNING_SECRET: 'l'.repeat(20),
};

describe('PUBLIC_URL', () => {
  it('defaults to this machine at HTTP_PORT, for the server and the worker alike', () => {
    expect(loadEnv('server', base).PUBLIC_URL).toBe('http://localhost:3000');
    expect(loadEnv('server', { ...base, HTTP_PORT: '4100' }).PUBLIC_URL).toBe('http://localhost:4100');
    expect(loadEnv('worker', { ...base, HTTP_PORT: '4100' }).PUBLIC_URL).toBe('http://localhost:4100');
    expect(loadEnv('server', { ...base, HTTP_PORT: '0' }).PUBLIC_URL).toBe('http://localhost:3000');
  });

  it('is taken as set when set', () => {
    expect(loadEnv('worker', { ...base, HTTP_PORT: '4100', PUBLIC_URL: 'https://mail.example.com' }).PUBLIC_URL).toBe(
      'https://mail.example.com',
    );
  });

  it('is reported when it names this machine but not this server', () => {
    expect(publicUrlMismatch('http://localhost:4100', 4100)).toBeNull();
    expect(publicUrlMismatch('http://127.0.0.1:4100/', 4100)).toBeNull();
    expect(publicUrlMismatch('http://localhost:3000', 4100)).toBe('it names port 3000, but this server listens on port 4100');
    expect(publicUrlMismatch('http://[::1]', 4100)).toBe('it names port 80, but this server listens on port 4100');
    expect(publicUrlMismatch('https://localhost:4100', 4100)).toBe('it uses https, but this server speaks plain http');
    // Another host may be a tunnel or proxy to this server: nothing to tell.
    expect(publicUrlMismatch('https://abc.ngrok.example', 4100)).toBeNull();
  });
});
