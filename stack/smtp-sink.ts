// A local SMTP server that accepts every message and keeps it on disk, with a
// small web page to read them ("where sent mail can be seen"). Used by
// `npm start` when SMTP_URL is not set, and by the tests as a real SMTP peer.
import { EventEmitter } from 'node:events';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import { escapeHtml as escape } from '../lib/html';

export interface SinkMessage {
  id: string;
  envelopeTo: string[];
  parsed: ParsedMail;
  raw: Buffer;
}

export interface MailSink {
  smtpPort: number;
  httpPort: number | null;
  smtpUrl: string;
  /** Messages received by this process, in arrival order. */
  messages: SinkMessage[];
  /** Resolves with the first message (already received or future) that matches. */
  waitFor(match: (m: SinkMessage) => boolean, timeoutMs?: number): Promise<SinkMessage>;
  close(): Promise<void>;
}

export async function startMailSink(opts: { smtpPort: number; httpPort?: number; dir?: string; host?: string }): Promise<MailSink> {
  const host = opts.host ?? '127.0.0.1';
  const emitter = new EventEmitter();
  const messages: SinkMessage[] = [];
  if (opts.dir) mkdirSync(opts.dir, { recursive: true });
  let seq = 0;

  const smtp = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    size: 25 * 1024 * 1024,
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        const raw = Buffer.concat(chunks);
        const id = `${Date.now()}-${String(++seq).padStart(6, '0')}`;
        if (opts.dir) writeFileSync(join(opts.dir, `${id}.eml`), raw);
        simpleParser(raw)
          .then((parsed) => {
            const m: SinkMessage = {
              id,
              envelopeTo: session.envelope.rcptTo.map((r) => r.address),
              parsed,
              raw,
            };
            messages.push(m);
            emitter.emit('message', m);
            callback(null, `Queued as ${id}`);
          })
          .catch((err: Error) => callback(err));
      });
    },
  });
  await new Promise<void>((resolve, reject) => {
    smtp.once('error', (err: NodeJS.ErrnoException) => reject(listenFailure('SMTP', host, opts.smtpPort, err)));
    smtp.listen(opts.smtpPort, host, () => resolve());
  });
  const smtpPort = (smtp.server.address() as AddressInfo).port;
  // A client that vanishes mid-conversation (a killed worker) resets its
  // connection; smtp-server reports that as an 'error', which is no fault of ours.
  smtp.on('error', () => undefined);

  // The list page runs nothing; a mail's HTML keeps its inline styles and remote images, never scripts or forms.
  const page = {
    'content-type': 'text/html; charset=utf-8',
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'no-referrer',
    'cache-control': 'no-store',
  };
  const LIST_CSP = "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";
  const MAIL_CSP =
    "default-src 'none'; style-src 'unsafe-inline'; img-src * data:; frame-ancestors 'none'; base-uri 'none'; form-action 'none'; sandbox allow-popups";
  let http: Server | null = null;
  if (opts.httpPort !== undefined && opts.dir) {
    const dir = opts.dir;
    http = createServer((req, res) => {
      void (async () => {
        const files = readdirSync(dir)
          .filter((f) => f.endsWith('.eml'))
          .sort()
          .reverse();
        const url = new URL(req.url ?? '/', 'http://x');
        // One message as JSON, for the workspace's Mail page (the server reads it; MAIL_SINK_URL).
        const api = /^\/api\/messages\/([\w-]+)$/.exec(url.pathname);
        if (api) {
          const file = files.find((f) => f === `${api[1]}.eml`);
          if (!file) return void res.writeHead(404, { 'content-type': 'application/json' }).end('{"error":"not found"}');
          const mail = await simpleParser(readFileSync(join(dir, file)));
          const addr = (a: typeof mail.to) => (Array.isArray(a) ? a.map((t) => t.text).join(', ') : (a?.text ?? ''));
          res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-store' });
          return void res.end(
            JSON.stringify({
              id: api[1],
              date: mail.date?.toISOString() ?? '',
              from: addr(mail.from),
              to: addr(mail.to),
              subject: mail.subject ?? '',
              html: typeof mail.html === 'string' ? mail.html : null,
              text: mail.text ?? '',
              headers: Object.fromEntries(
                ['message-id', 'x-rapport-test'].flatMap((h) => (mail.headers.has(h) ? [[h, String(mail.headers.get(h))]] : [])),
              ),
            }),
          );
        }
        const one = /^\/messages\/([\w-]+)$/.exec(url.pathname);
        if (one) {
          const file = files.find((f) => f === `${one[1]}.eml`);
          if (!file) return void res.writeHead(404).end('not found');
          const mail = await simpleParser(readFileSync(join(dir, file)));
          res.writeHead(200, { ...page, 'content-security-policy': MAIL_CSP });
          return void res.end(typeof mail.html === 'string' ? mail.html : `<pre>${escape(mail.text ?? '')}</pre>`);
        }
        const rows = await Promise.all(
          files.slice(0, 200).map(async (f) => {
            const mail = await simpleParser(readFileSync(join(dir, f)), { skipHtmlToText: true, skipTextToHtml: true });
            const to = Array.isArray(mail.to) ? mail.to.map((t) => t.text).join(', ') : (mail.to?.text ?? '');
            return { id: f.replace(/\.eml$/, ''), date: mail.date?.toISOString() ?? '', to, subject: mail.subject ?? '' };
          }),
        );
        if (url.pathname === '/api/messages') {
          res.writeHead(200, { 'content-type': 'application/json' });
          return void res.end(JSON.stringify(rows));
        }
        res.writeHead(200, { ...page, 'content-security-policy': LIST_CSP });
        res.end(
          `<!doctype html><meta charset="utf-8"><title>Rapport mail sink</title>` +
            `<style>body{font-family:system-ui,sans-serif;margin:2rem}td,th{padding:.3rem .8rem;text-align:left}</style>` +
            `<h1>Sent mail (${files.length})</h1><table><tr><th>Date</th><th>To</th><th>Subject</th></tr>` +
            rows
              .map(
                (r) =>
                  `<tr><td>${escape(r.date)}</td><td>${escape(r.to)}</td><td><a href="/messages/${r.id}">${escape(r.subject)}</a></td></tr>`,
              )
              .join('') +
            `</table>`,
        );
      })().catch((err: Error) => res.writeHead(500).end(err.message));
    });
    await new Promise<void>((resolve, reject) => {
      http!.once('error', (err: NodeJS.ErrnoException) => {
        smtp.close(() => reject(listenFailure('web page', host, opts.httpPort ?? 0, err)));
      });
      http!.listen(opts.httpPort, host, () => resolve());
    });
  }

  return {
    smtpPort,
    httpPort: http ? (http.address() as AddressInfo).port : null,
    smtpUrl: `smtp://${host}:${smtpPort}?tls=off`,
    messages,
    waitFor(match, timeoutMs = 30_000) {
      const found = messages.find(match);
      if (found) return Promise.resolve(found);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          emitter.off('message', on);
          reject(new Error(`no matching email arrived within ${timeoutMs} ms`));
        }, timeoutMs);
        const on = (m: SinkMessage) => {
          if (!match(m)) return;
          clearTimeout(timer);
          emitter.off('message', on);
          resolve(m);
        };
        emitter.on('message', on);
      });
    },
    async close() {
      await new Promise<void>((r) => smtp.close(() => r()));
      if (http) await new Promise<void>((r) => http!.close(() => r()));
    },
  };
}

/** A port the sink cannot take, as one paragraph (the caller adds which setting chooses it). */
function listenFailure(what: string, host: string, port: number, err: NodeJS.ErrnoException): Error {
  const why =
    err.code === 'EADDRINUSE'
      ? 'the port is already in use (a mail sink left from an earlier run, or another program)'
      : err.code === 'EACCES'
        ? 'permission denied (ports below 1024 need privileges)'
        : `${err.code ?? 'error'}: ${err.message}`;
  const e = new Error(
    `The mail sink could not listen on ${host}:${port} (${what}): ${why}. Stop the other program or choose another port.`,
  );
  e.cause = err;
  return e;
}
