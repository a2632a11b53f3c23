// /v1/contacts/import (bulk CSV / NDJSON import), its jobs, and a contact's
// consent records. The body is read as a stream: raw (text/csv,
// application/x-ndjson) or a form (multipart/form-data: a `consent` field,
// then the `file`).
import busboy from 'busboy';
import type { Request } from 'express';
import { Router } from 'express';
import type { Readable } from 'node:stream';
import { z } from 'zod';
import { DEFAULT_IMPORT_LIMITS, ImportTooLargeError, submitContactImport } from '../../contacts/import';
import { consentAttestationSchema, consentRecords, type ConsentAttestation } from '../../contacts/import-consent';
import { getImportJob, listImportJobs } from '../../contacts/import-jobs';
import type { ImportFormat } from '../../contacts/import-parse';
import type { ServerDeps } from '../context';
import { HttpError, parseOr400 } from '../errors';

const flag = z.enum(['true', 'false', '1', '0']).transform((v) => v === 'true' || v === '1');
const importQuery = z.object({
  dryRun: flag.default(false),
  atomic: flag.default(false),
  format: z.enum(['csv', 'ndjson']).optional(),
});
const listQuery = z.object({ limit: z.coerce.number().int().min(1).max(100).default(20) });
const idParam = z.uuid({ message: 'must be an import id (UUID)' });
const byQuery = z.object({ by: z.enum(['id', 'email', 'externalId']).default('id') });

const MEDIA_FORMATS: Record<string, ImportFormat> = {
  'text/csv': 'csv',
  'application/csv': 'csv',
  'application/x-ndjson': 'ndjson',
  'application/ndjson': 'ndjson',
  'application/jsonl': 'ndjson',
  'application/x-jsonlines': 'ndjson',
};
const EXTENSION_FORMATS: Record<string, ImportFormat> = { csv: 'csv', ndjson: 'ndjson', jsonl: 'ndjson' };

const mediaType = (v: string | undefined) => (v ?? '').split(';')[0]!.trim().toLowerCase();

interface DecodedBody {
  file: Readable;
  format: ImportFormat | undefined;
  consent: ConsentAttestation | null;
}

/** The file part of a form, once its earlier fields (consent) are read. */
function formBody(req: Request): Promise<DecodedBody> {
  return new Promise((resolve, reject) => {
    let bb: busboy.Busboy;
    try {
      bb = busboy({ headers: req.headers, limits: { files: 1, fields: 10, fieldSize: 64 * 1024 } });
    } catch (err) {
      reject(new HttpError(400, 'invalid_form', `malformed multipart/form-data: ${err instanceof Error ? err.message : String(err)}`));
      return;
    }
    const fields = new Map<string, string>();
    let settled = false;
    let file: Readable | null = null;
    bb.on('field', (name, value) => fields.set(name, value));
    bb.on('file', (name, stream, info) => {
      if (settled || name !== 'file') {
        stream.resume(); // only the first `file` part is imported
        return;
      }
      settled = true;
      file = stream;
      try {
        let consent: ConsentAttestation | null = null;
        const raw = fields.get('consent');
        if (raw !== undefined && raw.trim() !== '') {
          let value: unknown;
          try {
            value = JSON.parse(raw);
          } catch {
            throw new HttpError(400, 'validation_failed', 'consent: must be a JSON object', [
              { path: 'consent', message: 'must be a JSON object' },
            ]);
          }
          consent = parseOr400(consentAttestationSchema, value, 'consent');
        }
        const ext = /\.([a-z]+)$/i.exec(info.filename ?? '')?.[1]?.toLowerCase();
        resolve({ file: stream, format: MEDIA_FORMATS[mediaType(info.mimeType)] ?? (ext ? EXTENSION_FORMATS[ext] : undefined), consent });
      } catch (err) {
        stream.resume();
        reject(err);
      }
    });
    bb.on('error', (err: unknown) => {
      const e = new HttpError(400, 'invalid_form', `malformed multipart/form-data: ${err instanceof Error ? err.message : String(err)}`);
      // Once the file is being imported, a broken form ends it (the import records the failure).
      if (settled) file?.destroy(e);
      else reject(e);
    });
    bb.on('close', () => {
      if (!settled)
        reject(new HttpError(400, 'validation_failed', 'the form has no "file" part', [{ path: 'file', message: 'is required' }]));
    });
    req.pipe(bb);
  });
}

export function contactImportsRouter(deps: ServerDeps): Router {
  const r = Router();
  const limits = deps.imports ?? DEFAULT_IMPORT_LIMITS;

  r.post('/contacts/import', async (req, res) => {
    const q = parseOr400(importQuery, req.query, 'query');
    const type = mediaType(req.get('content-type'));
    const length = req.get('content-length');
    const contentLength = length !== undefined && /^\d+$/.test(length) ? Number(length) : null;
    if (contentLength !== null && contentLength > limits.maxBytes) {
      res.set('Connection', 'close'); // do not wait for a body we refuse
      throw new HttpError(413, 'too_large', new ImportTooLargeError(limits.maxBytes).message, [
        { path: '(body)', message: `at most ${limits.maxBytes} bytes` },
      ]);
    }
    let body: DecodedBody;
    if (type === 'multipart/form-data') body = await formBody(req);
    else if (MEDIA_FORMATS[type]) body = { file: req, format: MEDIA_FORMATS[type], consent: null };
    else {
      throw new HttpError(
        415,
        'unsupported_media_type',
        'send text/csv, application/x-ndjson or multipart/form-data (consent, then file)',
        [{ path: 'content-type', message: `"${type || '(none)'}" is not an import format` }],
      );
    }
    const format = q.format ?? body.format;
    if (!format) {
      body.file.resume();
      throw new HttpError(
        400,
        'validation_failed',
        "format: name it with ?format=csv|ndjson, the part's Content-Type or a .csv/.ndjson file name",
        [{ path: 'format', message: 'is required when the file part does not say' }],
      );
    }
    try {
      const out = await submitContactImport({ db: deps.db, log: deps.log }, limits, {
        file: body.file,
        settings: { format, dryRun: q.dryRun, atomic: q.atomic, consent: body.consent },
        contentLength,
        preferAsync: /\brespond-async\b/i.test(req.get('prefer') ?? ''),
      });
      if (out.mode === 'background') {
        res.status(202).location(`/v1/contacts/imports/${out.view.id}`).json({ import: out.view });
        return;
      }
      if (out.fileError) {
        const e = out.fileError;
        throw new HttpError(400, 'invalid_file', `line ${e.line}: ${e.message}`, [
          { path: e.field, message: `line ${e.line}: ${e.message}` },
        ]);
      }
      res.status(200).json({ import: out.view });
    } catch (err) {
      if (err instanceof ImportTooLargeError) {
        res.set('Connection', 'close');
        throw new HttpError(413, 'too_large', err.message, [{ path: '(body)', message: `at most ${err.maxBytes} bytes` }]);
      }
      throw err;
    }
  });

  r.get('/contacts/imports', async (req, res) => {
    const q = parseOr400(listQuery, req.query, 'query');
    res.json({ imports: await listImportJobs(deps.db, q.limit) });
  });

  r.get('/contacts/imports/:id', async (req, res) => {
    const id = parseOr400(idParam, req.params.id, 'id');
    const view = await getImportJob(deps.db, id);
    if (!view) throw new HttpError(404, 'import_not_found', 'no import with this id');
    res.json({ import: view });
  });

  r.get('/contacts/:ref/consents', async (req, res) => {
    const { by } = parseOr400(byQuery, req.query, 'query');
    const ref = req.params.ref;
    if (by === 'id') parseOr400(z.uuid({ message: 'must be a contact id (UUID); use ?by=email or ?by=externalId otherwise' }), ref, 'ref');
    const found = await consentRecords(deps.db, { [by]: by === 'email' ? ref.trim().toLowerCase() : ref });
    if (!found) throw new HttpError(404, 'contact_not_found', `no contact with ${by} given`);
    res.json(found);
  });

  return r;
}
