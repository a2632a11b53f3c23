// Guards server/openapi.yaml: it is what `npm run openapi` generates from the
// zod schemas (server/openapi/document.ts), it parses, is OpenAPI 3.1, every $ref resolves,
// it documents exactly the routes the Express app registers, its request
// examples pass the schemas the server validates with, and its journey
// definition format matches the zod schema.
import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { z } from 'zod';
import { contactProfileSchema, contactRefSchema, contactUpsertSchema, emailSchema } from '../../contacts/schema';
import { validateTemplate } from '../../email/validate';
import { eventBatchSchema } from '../../events/schema';
import { journeyDefinitionSchema, stepSchema, triggerSchema } from '../../journeys/schema';
import { semanticIssues } from '../../journeys/validate';
import { createLogger } from '../../lib/logger';
import { createApp, OPENAPI_PATH } from '../../server/app';
import { openApiYaml } from '../../server/openapi/document';
import type { ServerDeps } from '../../server/context';
import { templateBodySchema } from '../../server/routes/templates';
import { newsletterBodySchema } from '../../server/routes/newsletters';
import { segmentBodySchema } from '../../segments/service';
import { simulateRequestSchema } from '../../simulator/schema';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

const isObject = (v: unknown): v is JsonObject => typeof v === 'object' && v !== null && !Array.isArray(v);

const HTTP_METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'] as const;

/** The operations the API has, with the statuses each must document. */
const EXPECTED: Record<string, string[]> = {
  'get /health': ['200', '503'],
  'get /health/live': ['200'],
  'get /health/ready': ['200', '503'],
  'get /openapi.yaml': ['200'],
  'get /metrics': ['200', '401'],
  'post /v1/contacts': ['200', '201', '400', '401', '409'],
  'get /v1/contacts/{ref}': ['200', '400', '401', '404'],
  'get /v1/contacts/{ref}/timeline': ['200', '400', '401', '404'],
  'post /v1/events': ['202', '207', '400', '401', '404', '429'],
  'post /webhooks/{source}': ['202', '207', '400', '401', '404', '429'],
  'post /v1/contacts/import': ['200', '202', '400', '401', '413', '415'],
  'get /v1/contacts/imports': ['200', '400', '401'],
  'get /v1/contacts/imports/{id}': ['200', '400', '401', '404'],
  'get /v1/contacts/{ref}/consents': ['200', '400', '401', '404'],
  'get /v1/contacts/{ref}/export': ['200', '400', '401', '404'],
  'get /v1/tasks': ['200', '400', '401'],
  'post /v1/tasks/{id}/done': ['200', '400', '401', '404', '409'],
  'get /a/{token}': ['200', '404'],
  'post /a/{token}': ['200', '400', '404', '409'],
  'get /u/{token}': ['200', '400'],
  'post /u/{token}': ['200', '400'],
  'delete /v1/contacts/{ref}': ['204', '400', '401', '404'],
  'get /v1/journeys': ['200', '401'],
  'post /v1/journeys/validate': ['200', '400', '401'],
  'get /v1/journeys/{key}': ['200', '400', '401', '404'],
  'put /v1/journeys/{key}': ['200', '400', '401'],
  'post /v1/journeys/{key}/publish': ['200', '201', '400', '401', '404'],
  'post /v1/journeys/{key}/pause': ['200', '400', '401', '404'],
  'post /v1/journeys/{key}/resume': ['200', '400', '401', '404'],
  'post /v1/journeys/{key}/enrol': ['202', '400', '401', '404', '409'],
  'post /v1/journeys/{key}/simulate': ['200', '400', '401', '404'],
  'get /v1/journeys/{key}/runs/{contactId}': ['200', '400', '401', '404'],
  'get /v1/approvals': ['200', '400', '401'],
  'post /v1/approvals/{id}/decision': ['200', '400', '401', '404', '409'],
  'get /v1/templates': ['200', '401'],
  'get /v1/templates/{key}': ['200', '400', '401', '404'],
  'put /v1/templates/{key}': ['200', '201', '400', '401'],
  'post /v1/templates/{key}/validate': ['200', '400', '401'],
  'post /v1/templates/{key}/preview': ['200', '400', '401', '404', '422'],
  'post /v1/templates/{key}/test-send': ['202', '400', '401', '404', '422', '503'],
  'post /v1/newsletter/subscriptions': ['200', '202', '400', '401', '503'],
  'get /preferences/{token}': ['200', '400', '404'],
  'post /preferences/{token}': ['200', '400', '404'],
  'get /confirm/{token}': ['200', '400'],
  'post /confirm/{token}': ['200', '400', '404'],
  'get /t/o/{file}': ['200', '404'],
  'get /t/c/{token}': ['302', '404'],
  'get /v1/segments': ['200', '401'],
  'get /v1/segments/{key}': ['200', '400', '401', '404'],
  'post /v1/segments/{key}': ['201', '400', '401', '409'],
  'put /v1/segments/{key}': ['200', '201', '400', '401'],
  'get /v1/segments/{key}/count': ['200', '400', '401', '404'],
  'get /v1/segments/{key}/sample': ['200', '400', '401', '404'],
  'get /v1/newsletters': ['200', '401'],
  'post /v1/newsletters': ['202', '400', '401', '503'],
  'get /v1/newsletters/{id}': ['200', '400', '401', '404'],
  'post /v1/newsletters/{id}/pause': ['202', '400', '401', '404', '409', '503'],
  'post /v1/newsletters/{id}/resume': ['202', '400', '401', '404', '409', '503'],
  'post /v1/newsletters/{id}/cancel': ['202', '400', '401', '404', '409', '503'],
};

// ---- the schemas request bodies are checked with ------------------------------

type Issue = { path: PropertyKey[]; message: string };
type BodyCheck = (value: unknown) => Issue[] | Promise<Issue[]>;
const zodCheck =
  (schema: z.ZodType): BodyCheck =>
  (value) =>
    schema.safeParse(value).error?.issues ?? [];

// Route-local zod schemas, restated (the routes do not export them).
/** server/routes/approvals.ts, decisionSchema. */
const approvalDecisionSchema = z.object({
  decision: z.enum(['approve', 'reject']),
  by: z.string().trim().min(1).max(200),
  note: z.string().max(2000).optional(),
});
/** server/routes/journeys.ts, the enrol body. */
const enrolSchema = z.object({ contact: contactRefSchema, requestId: z.string().min(1).max(200).optional() });
/** server/routes/templates.ts, renderBody and testSendBody. */
const renderSchema = z.strictObject({
  contactId: z.uuid().optional(),
  data: z.record(z.string(), z.json()).optional(),
  version: z.number().int().min(1).optional(),
});
const testSendSchema = renderSchema.extend({ to: z.email() });
/** server/routes/newsletter.ts, subscribeBody. */
const subscribeSchema = contactProfileSchema.extend({
  email: emailSchema,
  id: z.string().trim().min(1).max(200).optional(),
  source: z.string().max(200).optional(),
});

/** A journey definition as PUT /v1/journeys/:key checks it: the shape, then the meaning. */
const journeyCheck: BodyCheck = (value) => {
  const r = journeyDefinitionSchema.safeParse(value);
  return r.success ? semanticIssues(r.data) : r.error.issues;
};

/** A template as PUT /v1/templates/:key checks it: the body, then MJML, Handlebars and links. */
const templateCheck =
  (key: string): BodyCheck =>
  async (value) => {
    const r = templateBodySchema.safeParse(value);
    if (!r.success) return r.error.issues;
    const v = await validateTemplate({ key, ...r.data });
    return v.issues.map((i) => ({ path: [i.path], message: i.line === undefined ? i.message : `line ${i.line}: ${i.message}` }));
  };

/** Every operation with a JSON request body, and how the server checks it. */
const REQUEST_CHECKS: Record<string, BodyCheck> = {
  'post /v1/contacts': zodCheck(contactUpsertSchema),
  'post /v1/events': zodCheck(eventBatchSchema),
  'post /webhooks/{source}': zodCheck(eventBatchSchema),
  'post /v1/journeys/validate': journeyCheck,
  'put /v1/journeys/{key}': journeyCheck,
  'post /v1/journeys/{key}/enrol': zodCheck(enrolSchema),
  'post /v1/journeys/{key}/simulate': zodCheck(simulateRequestSchema),
  'post /v1/approvals/{id}/decision': zodCheck(approvalDecisionSchema),
  'post /v1/templates/{key}/validate': templateCheck('spring-sale'),
  'put /v1/templates/{key}': templateCheck('spring-sale'),
  'post /v1/templates/{key}/preview': zodCheck(renderSchema),
  'post /v1/templates/{key}/test-send': zodCheck(testSendSchema),
  'post /v1/newsletter/subscriptions': zodCheck(subscribeSchema),
  'post /v1/segments/{key}': zodCheck(segmentBodySchema),
  'put /v1/segments/{key}': zodCheck(segmentBodySchema),
  'post /v1/newsletters': zodCheck(newsletterBodySchema),
};

const text = readFileSync(OPENAPI_PATH, 'utf8');
const doc: unknown = parse(text);

function obj(v: Json | undefined, where: string): JsonObject {
  if (!isObject(v)) throw new Error(`${where} is not an object`);
  return v;
}

function root(): JsonObject {
  if (!isObject(doc)) throw new Error('openapi.yaml is not a YAML mapping');
  return doc;
}

/** "method path" for every operation in the document. */
function documentedOperations(): string[] {
  const out: string[] = [];
  for (const [path, item] of Object.entries(obj(root().paths, 'paths'))) {
    for (const method of HTTP_METHODS) {
      if (obj(item, path)[method] !== undefined) out.push(`${method} ${path}`);
    }
  }
  return out.sort();
}

function operation(key: string): JsonObject {
  const [method, path] = key.split(' ') as [string, string];
  return obj(obj(obj(root().paths, 'paths')[path], path)[method], key);
}

/** Resolves a local JSON pointer ("#/a/b~1c"); undefined when it points nowhere. */
function resolvePointer(ref: string): Json | undefined {
  if (!ref.startsWith('#')) return undefined;
  if (ref === '#') return root();
  if (!ref.startsWith('#/')) return undefined;
  let node: Json | undefined = root();
  for (const raw of ref.slice(2).split('/')) {
    const key = decodeURIComponent(raw).replace(/~1/g, '/').replace(/~0/g, '~');
    if (Array.isArray(node)) node = /^\d+$/.test(key) ? node[Number(key)] : undefined;
    else if (isObject(node)) node = Object.hasOwn(node, key) ? node[key] : undefined;
    else return undefined;
    if (node === undefined) return undefined;
  }
  return node;
}

/** Every `$ref` in the document, with where it was found. */
function collectRefs(node: Json, at: string, out: { at: string; ref: string }[] = []): { at: string; ref: string }[] {
  if (Array.isArray(node)) node.forEach((v, i) => collectRefs(v, `${at}/${i}`, out));
  else if (isObject(node)) {
    for (const [k, v] of Object.entries(node)) {
      if (k === '$ref' && typeof v === 'string') out.push({ at, ref: v });
      else collectRefs(v, `${at}/${k}`, out);
    }
  }
  return out;
}

/** The [name, value] of each example of an operation's JSON request body. */
function requestExamples(key: string): [string, Json][] {
  const body = obj(deref(operation(key).requestBody), `${key} requestBody`);
  const media = obj(obj(body.content, `${key} content`)['application/json'], `${key} JSON`);
  const out: [string, Json][] = media.example !== undefined ? [['example', media.example]] : [];
  for (const [name, ex] of Object.entries(isObject(media.examples) ? media.examples : {})) {
    const value = obj(deref(ex), name).value;
    if (value !== undefined) out.push([name, value]);
  }
  return out;
}

/** A documented object schema's property names and required ones, sorted. */
function fields(schema: JsonObject): { properties: string[]; required: string[] } {
  return {
    properties: Object.keys(obj(schema.properties, 'properties')).sort(),
    required: (Array.isArray(schema.required) ? schema.required.map(String) : []).sort(),
  };
}

/** The same for a zod object shape: a field is required when `undefined` does not parse (no default, not optional). */
function zodFields(shape: Record<string, z.ZodType>): { properties: string[]; required: string[] } {
  return {
    properties: Object.keys(shape).sort(),
    required: Object.entries(shape)
      .filter(([, f]) => !f.safeParse(undefined).success)
      .map(([k]) => k)
      .sort(),
  };
}

/** Follows `$ref`s until a concrete node. */
function deref(node: Json | undefined): Json | undefined {
  let n = node;
  for (let i = 0; i < 20 && isObject(n) && typeof n.$ref === 'string'; i++) n = resolvePointer(n.$ref);
  return n;
}

// ---- the Express app's routes ----------------------------------------------

const deps: ServerDeps = {
  db: {} as never,
  log: createLogger('t', 'silent'),
  apiKeys: ['k'.repeat(20)],
  webhookSecrets: {},
  webhookToleranceSeconds: 300,
  linkSecret: 'x'.repeat(20),
  publicUrl: 'http://x',
  temporalHealthy: async () => true,
  onEventsStored() {},
};

/** The parts of an Express 5 (router 2.x) layer this test reads. */
interface RouterLayer {
  name: string;
  /** The path the layer was registered with (mount path for app.use). */
  rawPath?: unknown;
  route?: { path: unknown; methods: Record<string, boolean | undefined> };
  handle: unknown;
}

function nestedStack(layer: RouterLayer): RouterLayer[] | undefined {
  const h = layer.handle as { stack?: unknown };
  return typeof layer.handle === 'function' && Array.isArray(h.stack) ? (h.stack as RouterLayer[]) : undefined;
}

/** Express "/a/:b" to OpenAPI "/a/{b}"; refuses patterns OpenAPI cannot express. */
function toOpenApiPath(path: string): string {
  if (/[*?(){}]/.test(path)) throw new Error(`route path ${path} has a pattern this test does not convert`);
  return path.replace(/:(\w+)/g, '{$1}');
}

function joinPath(prefix: string, path: string): string {
  const p = `${prefix.replace(/\/$/, '')}/${path.replace(/^\//, '')}`;
  return p === '' ? '/' : p;
}

/** "method path" for every route registered in the app, mount prefixes included. */
function registeredRoutes(stack: RouterLayer[], prefix = ''): string[] {
  const out: string[] = [];
  for (const layer of stack) {
    if (layer.route) {
      if (typeof layer.route.path !== 'string') throw new Error(`route ${String(layer.route.path)} is not a string path`);
      const path = toOpenApiPath(joinPath(prefix, layer.route.path));
      const methods = Object.entries(layer.route.methods)
        .filter(([, on]) => on)
        .map(([m]) => m);
      if (methods.includes('_all')) throw new Error(`route ${path} answers every method (.all); document it explicitly`);
      for (const m of methods) out.push(`${m.toLowerCase()} ${path}`);
      continue;
    }
    const nested = nestedStack(layer);
    if (!nested) continue; // plain middleware
    if (typeof layer.rawPath !== 'string') throw new Error(`router mounted at ${String(layer.rawPath)}: mount path not recoverable`);
    out.push(...registeredRoutes(nested, joinPath(prefix, layer.rawPath)));
  }
  return out;
}

// ---- tests -------------------------------------------------------------------

describe('openapi.yaml', () => {
  it('is the document generated from the zod schemas (run `npm run openapi` after changing them)', () => {
    expect(text).toBe(openApiYaml());
  });

  it('is OpenAPI 3.1 with info and paths', () => {
    const r = root();
    expect(typeof r.openapi).toBe('string');
    expect(String(r.openapi).startsWith('3.1')).toBe(true);
    expect(obj(r.info, 'info').title).toBeTruthy();
    expect(obj(r.info, 'info').version).toBeTruthy();
    expect(Object.keys(obj(r.paths, 'paths')).length).toBeGreaterThan(0);
  });

  it('documents every operation of the API with its statuses', () => {
    const documented = documentedOperations();
    for (const [key, statuses] of Object.entries(EXPECTED)) {
      expect(documented, `${key} is documented`).toContain(key);
      const responses = obj(operation(key).responses, `${key} responses`);
      for (const s of statuses) expect(Object.keys(responses), `${key} documents ${s}`).toContain(s);
    }
  });

  it('resolves every $ref', () => {
    const refs = collectRefs(root(), '#');
    expect(refs.length).toBeGreaterThan(0);
    const dangling = refs.filter(({ ref }) => resolvePointer(ref) === undefined).map(({ at, ref }) => `${at}: ${ref}`);
    expect(dangling).toEqual([]);
  });

  it('defines the components the API is described with', () => {
    const schemas = obj(obj(root().components, 'components').schemas, 'components.schemas');
    for (const name of [
      'Contact',
      'ContactUpsert',
      'EventInput',
      'EventBatch',
      'IngestResult',
      'TimelineEntry',
      'Health',
      'Error',
      'JourneyDefinition',
      'JourneyStep',
      'JourneyTrigger',
      'Journey',
      'JourneySummary',
      'JourneyRun',
      'Approval',
      'ApprovalDecision',
      'Template',
      'TemplateBody',
    ]) {
      expect(Object.keys(schemas), name).toContain(name);
    }
    const timeline = obj(schemas.TimelineEntry, 'TimelineEntry');
    expect(Array.isArray(timeline.oneOf)).toBe(true);
    expect(obj(timeline.discriminator, 'TimelineEntry.discriminator').propertyName).toBe('kind');
    const kinds = (timeline.oneOf as Json[]).map((s) => obj(obj(deref(s), 'entry').properties, 'entry.properties').kind);
    expect(kinds.map((k) => obj(k, 'kind').const).sort()).toEqual(['email', 'event', 'journey_step']);

    // Constraints mirror the zod schemas.
    const event = obj(obj(schemas.EventInput, 'EventInput').properties, 'EventInput.properties');
    expect(obj(event.type, 'EventInput.type').pattern).toBe('^[a-z][a-z0-9_.:-]*$');
    const batch = obj(obj(obj(schemas.EventBatch, 'EventBatch').properties, 'EventBatch.properties').events, 'events');
    expect([batch.minItems, batch.maxItems]).toEqual([1, 500]);
  });

  it('secures /v1 with the bearer key and webhooks with the signature scheme', () => {
    const schemes = obj(obj(root().components, 'components').securitySchemes, 'securitySchemes');
    expect(obj(schemes.bearerApiKey, 'bearerApiKey')).toMatchObject({ type: 'http', scheme: 'bearer' });
    expect(obj(schemes.webhookSignature, 'webhookSignature')).toMatchObject({ type: 'apiKey', in: 'header', name: 'Rapport-Signature' });
    for (const key of documentedOperations()) {
      const security = operation(key).security;
      if (key.split(' ')[1]!.startsWith('/v1/')) expect(security, key).toEqual([{ bearerApiKey: [] }]);
      else if (key.startsWith('post /webhooks/')) expect(security, key).toEqual([{ webhookSignature: [] }]);
      else expect(security, key).toEqual([]);
    }
  });

  it('gives every error response the shared Error body, and error examples that fit it', () => {
    const errorSchema = '#/components/schemas/Error';
    for (const key of documentedOperations()) {
      for (const [status, ref] of Object.entries(obj(operation(key).responses, `${key} responses`))) {
        if (Number(status) < 400 || ((key === 'get /health' || key === 'get /health/ready') && status === '503')) continue; // 503 is the probe's own body
        const response = obj(deref(ref), `${key} ${status}`);
        const media = obj(obj(response.content, `${key} ${status} content`)['application/json'], `${key} ${status} JSON`);
        expect(obj(media.schema, `${key} ${status} schema`).$ref, `${key} ${status}`).toBe(errorSchema);
        const examples = [
          media.example,
          ...Object.values(isObject(media.examples) ? media.examples : {}).map((e) => obj(e, 'example').value),
        ];
        for (const ex of examples.filter((e) => e !== undefined)) {
          const error = obj(obj(ex, `${key} ${status} example`).error, `${key} ${status} example.error`);
          expect(typeof error.code, `${key} ${status}`).toBe('string');
          expect(typeof error.message, `${key} ${status}`).toBe('string');
          expect(Array.isArray(error.details), `${key} ${status}`).toBe(true);
        }
      }
    }
  });

  it('has request examples the server accepts', async () => {
    // Every JSON request body has a check, and at least one example that passes it.
    const withJsonBody = documentedOperations().filter((key) => {
      const body = deref(operation(key).requestBody);
      return isObject(body) && isObject(body.content) && body.content['application/json'] !== undefined;
    });
    expect(withJsonBody.sort()).toEqual(Object.keys(REQUEST_CHECKS).sort());
    for (const [key, check] of Object.entries(REQUEST_CHECKS)) {
      const examples = requestExamples(key);
      expect(examples.length, `${key} has request examples`).toBeGreaterThan(0);
      for (const [name, value] of examples) expect(await check(value), `${key} ${name}`).toEqual([]);
    }

    const events = obj(deref(operation('post /v1/events').requestBody), 'events requestBody');
    expect(deref(operation('post /webhooks/{source}').requestBody)).toBe(events);
    // PUT /v1/journeys/{key} wants the body's key to be the URL's.
    const keyParam = obj(resolvePointer('#/components/parameters/JourneyKey'), 'JourneyKey');
    for (const [name, value] of requestExamples('put /v1/journeys/{key}')) expect(obj(value, name).key, name).toBe(keyParam.example);
  });

  it('describes the journey definition format as journeys/schema.ts defines it', () => {
    const schemas = obj(obj(root().components, 'components').schemas, 'components.schemas');
    const definition = obj(schemas.JourneyDefinition, 'JourneyDefinition');
    expect(fields(definition)).toEqual(zodFields(journeyDefinitionSchema.shape));

    // It points at the JSON Schema generated from the zod schema.
    const generated = obj(
      JSON.parse(readFileSync(resolve(import.meta.dirname, '../../journeys/journey.schema.json'), 'utf8')) as Json,
      'journey.schema.json',
    );
    expect(obj(definition.externalDocs, 'JourneyDefinition.externalDocs').url).toBe(generated.$id);
    expect(String(obj(definition.externalDocs, 'externalDocs').description)).toContain('journeys/journey.schema.json');

    // Every step type and trigger type, each with exactly the zod fields.
    const union = (name: string, options: readonly { shape: Record<string, z.ZodType> & { type: z.ZodLiteral<string> } }[]) => {
      const documented = obj(schemas[name], name);
      expect(obj(documented.discriminator, `${name}.discriminator`).propertyName).toBe('type');
      const byType = new Map<string, JsonObject>();
      for (const s of documented.oneOf as Json[]) {
        const schema = obj(deref(s), `${name} option`);
        byType.set(String(obj(obj(schema.properties, 'properties').type, 'type').const), schema);
      }
      const types = options.map((o) => o.shape.type.value);
      expect([...byType.keys()].sort(), name).toEqual([...types].sort());
      expect(Object.keys(obj(obj(documented.discriminator, 'discriminator').mapping, 'mapping')).sort(), name).toEqual([...types].sort());
      for (const o of options) expect(fields(byType.get(o.shape.type.value)!), `${name} ${o.shape.type.value}`).toEqual(zodFields(o.shape));
    };
    union('JourneyStep', stepSchema.options);
    union('JourneyTrigger', triggerSchema.options);
  });

  it('documents every route the Express app registers, and no other', () => {
    const app = createApp(deps);
    const routes = registeredRoutes(app.router.stack as unknown as RouterLayer[]);
    // The mount prefix must have been recovered for the /v1 routers.
    expect(routes).toContain('post /v1/events');
    expect([...new Set(routes)].sort()).toEqual(documentedOperations());
  });
});

describe('the running app', () => {
  let base = '';
  let close: () => Promise<void> = async () => {};
  beforeAll(async () => {
    const server = createApp(deps).listen(0, '127.0.0.1');
    await new Promise<void>((resolve, reject) => server.once('listening', resolve).once('error', reject));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    close = () => new Promise<void>((resolve) => server.close(() => resolve()));
  });
  afterAll(() => close());

  it('serves this document at GET /openapi.yaml', async () => {
    const r = await fetch(`${base}/openapi.yaml`);
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toMatch(/^application\/yaml/);
    expect(await r.text()).toBe(text);
  });

  it('answers errors in the documented shape', async () => {
    const cases: [string, RequestInit, number, string][] = [
      ['/v1/contacts/x', {}, 401, 'unauthorized'],
      ['/webhooks/nowhere', { method: 'POST', body: '{}' }, 404, 'unknown_source'],
      ['/u/not-a-token', {}, 400, 'invalid_token'],
      ['/nowhere', {}, 404, 'not_found'],
    ];
    for (const [path, init, status, code] of cases) {
      const r = await fetch(`${base}${path}`, init);
      expect(r.status, path).toBe(status);
      const body: unknown = await r.json();
      expect(body, path).toEqual({ error: { code, message: expect.any(String), details: expect.any(Array) } });
    }
  });

  it('answers the documented status and code where it refuses before the database', async () => {
    const auth = { authorization: `Bearer ${deps.apiKeys[0]}`, 'content-type': 'application/json' };
    const post = (body: unknown): RequestInit => ({ method: 'POST', headers: auth, body: JSON.stringify(body) });
    const cases: [string, string, RequestInit, number, string][] = [
      ['delete /v1/contacts/{ref}', '/v1/contacts/not-a-uuid', { method: 'DELETE', headers: auth }, 400, 'validation_failed'],
      ['post /v1/contacts/import', '/v1/contacts/import', post({ email: 'ada@example.com' }), 415, 'unsupported_media_type'],
      [
        'post /v1/contacts/import',
        '/v1/contacts/import?dryRun=maybe',
        { method: 'POST', headers: { ...auth, 'content-type': 'text/csv' }, body: 'email' },
        400,
        'validation_failed',
      ],
      ['get /v1/contacts/imports/{id}', '/v1/contacts/imports/not-a-uuid', { headers: auth }, 400, 'validation_failed'],
      ['get /v1/contacts/{ref}/consents', '/v1/contacts/not-a-uuid/consents', { headers: auth }, 400, 'validation_failed'],
      ['put /v1/journeys/{key}', '/v1/journeys/Not-A-Key', { method: 'PUT', headers: auth, body: '{}' }, 400, 'validation_failed'],
      ['get /v1/journeys/{key}/runs/{contactId}', '/v1/journeys/welcome/runs/nobody', { headers: auth }, 400, 'validation_failed'],
      ['get /v1/approvals', '/v1/approvals?status=maybe', { headers: auth }, 400, 'validation_failed'],
      [
        'post /v1/approvals/{id}/decision',
        '/v1/approvals/not-a-uuid/decision',
        post({ decision: 'approve', by: 'me' }),
        400,
        'validation_failed',
      ],
      ['get /v1/templates/{key}', '/v1/templates/Bad%20Key', { headers: auth }, 400, 'validation_failed'],
      ['post /v1/templates/{key}/test-send', '/v1/templates/welcome/test-send', post({ to: 'marketer@example.com' }), 503, 'no_mailer'],
      ['post /v1/newsletter/subscriptions', '/v1/newsletter/subscriptions', post({ email: 'grace@example.com' }), 503, 'no_mailer'],
      ['get /preferences/{token}', '/preferences/not-a-token', {}, 400, 'invalid_token'],
      ['post /confirm/{token}', '/confirm/not-a-token', { method: 'POST' }, 400, 'invalid_token'],
      ['get /t/o/{file}', '/t/o/not-a-token.gif', {}, 404, 'not_found'],
      ['get /t/c/{token}', '/t/c/not-a-token', { redirect: 'manual' }, 404, 'not_found'],
      ['get /v1/segments/{key}', '/v1/segments/Not-A-Key', { headers: auth }, 400, 'validation_failed'],
      [
        'put /v1/segments/{key}',
        '/v1/segments/big',
        { method: 'PUT', headers: auth, body: JSON.stringify({ name: 'x', condition: { field: 'steps.a.status', op: 'eq', value: 1 } }) },
        400,
        'validation_failed',
      ],
      ['post /v1/newsletters', '/v1/newsletters', post({ name: 'x', template: 'newsletter' }), 400, 'validation_failed'],
      ['post /v1/newsletters', '/v1/newsletters', post({ name: 'x', template: 'newsletter', segment: 'big' }), 503, 'temporal_unavailable'],
      ['get /v1/newsletters/{id}', '/v1/newsletters/not-a-uuid', { headers: auth }, 400, 'validation_failed'],
      ['post /v1/newsletters/{id}/cancel', '/v1/newsletters/not-a-uuid/cancel', post({}), 400, 'validation_failed'],
    ];
    for (const [key, path, init, status, code] of cases) {
      expect(Object.keys(obj(operation(key).responses, `${key} responses`)), key).toContain(String(status));
      const r = await fetch(`${base}${path}`, init);
      expect(r.status, path).toBe(status);
      const body: unknown = await r.json();
      expect(body, path).toEqual({ error: { code, message: expect.any(String), details: expect.any(Array) } });
    }
  });
});
