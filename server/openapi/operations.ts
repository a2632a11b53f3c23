// The operations of the HTTP API: paths, prose, parameters, examples and
// statuses. Schemas are referenced by component name; the components are
// generated from zod (request-schemas.ts, response-schemas.ts).
import type { OpenApiObject } from './types';

export const header: Pick<OpenApiObject, 'openapi' | 'info' | 'servers' | 'tags'> = {
  openapi: '3.1.0',
  info: {
    title: 'Rapport HTTP API',
    version: '0.1.0',
    summary: 'Contacts, events, journeys, approvals, templates, webhooks and email links of Rapport, the marketing-automation runner.',
    description: `Rapport stores contacts and the events that happen to them; journeys (Temporal
workflows) react to those events and send email.

* \`/v1/*\` is the marketer API: contacts, events, journeys (drafts, versions,
  pause/resume, enrolment, runs), approvals, email templates, newsletter
  sign-ups, segments and newsletters (broadcasts). Every request needs an API key sent as \`Authorization: Bearer <key>\`
  (keys come from \`RAPPORT_API_KEYS\`). Request bodies are JSON
  (\`Content-Type: application/json\`, at most 2 MB), except contact imports
  (\`POST /v1/contacts/import\`: CSV, NDJSON or a form, streamed, up to \`IMPORT_MAX_BYTES\`).
* \`/webhooks/{source}\` receives events from other systems (shop, website,
  webinar tool), authenticated by an HMAC signature instead of an API key.
* The links put in emails are public and carry a signed token instead:
  \`/u/{token}\` (unsubscribe), \`/preferences/{token}\` (preference page),
  \`/confirm/{token}\` (newsletter double opt-in), \`/t/o/{file}\` (open pixel) and
  \`/t/c/{token}\` (click-through redirect).
* \`/health\`, \`/health/live\`, \`/health/ready\` and \`/openapi.yaml\` are public; \`/metrics\`
  is too unless \`METRICS_TOKEN\` is set.
* Every response carries \`X-Request-Id\`: the request's own when it sent a sane one
  (letters, digits, \`._:=+-\`, at most 128), else a new UUID; the access log line has it.

Every error answers with the same JSON body (see the \`Error\` schema):
\`{ "error": { "code", "message", "details": [{ "path", "message" }] } }\`, where
\`details[].path\` names the offending field (dot-separated, e.g. \`events.3.type\`,
\`query.limit\`, or \`(body)\` for the body as a whole). Besides the responses listed
per operation, any request may get \`404 not_found\` (no such route),
\`405 method_not_allowed\` (a method its path does not list; \`Allow\` names those it does) or
\`500 internal\`.

Text is Unicode: a string (or a key in a JSON value) with a NUL character (U+0000)
or a lone UTF-16 surrogate is refused with \`400 validation_failed\` naming the field.

Stored events are handed to Temporal asynchronously (the events table is an
outbox), so accepting an event never depends on Temporal being reachable.
`,
  },
  servers: [
    {
      url: 'http://localhost:3000',
      description: 'Default local server (`HTTP_PORT` 3000; the public address is `PUBLIC_URL`).',
    },
  ],
  tags: [
    { name: 'System', description: 'Health and this document.' },
    { name: 'Contacts', description: 'Create, update and look up contacts, and read their timeline.' },
    { name: 'Events', description: 'Record what contacts did; events drive journeys.' },
    { name: 'Webhooks', description: 'Events from other systems, signed with a shared secret.' },
    {
      name: 'Journeys',
      description: 'Journey definitions (drafts and immutable published versions), pausing, enrolment and runs.',
    },
    { name: 'Approvals', description: 'Decisions journey runs wait for (approval steps).' },
    {
      name: 'Templates',
      description: 'Email templates (MJML and Handlebars) with immutable versions; validation, preview and test sends.',
    },
    {
      name: 'Newsletter',
      description: 'Newsletter sign-up with double opt-in, and the confirmation link.',
    },
    {
      name: 'Segments',
      description: 'Saved conditions over contact fields and behaviour, evaluated in SQL, with a count and a sample.',
    },
    {
      name: 'Newsletters',
      description: "Newsletters sent to a segment's subscribers by one broadcast workflow, with progress, pause, resume and cancel.",
    },
    {
      name: 'Unsubscribe',
      description: 'The signed unsubscribe links in emails (including RFC 8058 one-click).',
    },
    {
      name: 'Preferences',
      description: 'The signed email-preference page linked from every marketing email.',
    },
    { name: 'Tracking', description: 'Open pixel and click-through redirects in sent emails.' },
  ],
};

export const paths: OpenApiObject['paths'] = {
  '/health': {
    get: {
      tags: ['System'],
      operationId: 'getHealth',
      summary: 'Report whether the database and Temporal answer.',
      description: `Runs \`SELECT 1\` against PostgreSQL and asks Temporal for its system info, in
parallel. Each check fails after 2 seconds. Answers 200 when both succeed,
503 otherwise; the body has the same shape in both cases.
`,
      security: [],
      responses: {
        '200': {
          description: 'Both the database and Temporal answered.',
          content: {
            'application/json': {
              schema: { $ref: '#/components/schemas/Health' },
              example: { status: 'ok', database: { ok: true, latencyMs: 2 }, temporal: { ok: true, latencyMs: 7 } },
            },
          },
        },
        '503': {
          description: 'The database or Temporal did not answer (status `degraded`).',
          content: {
            'application/json': {
              schema: { $ref: '#/components/schemas/Health' },
              example: {
                status: 'degraded',
                database: { ok: true, latencyMs: 3 },
                temporal: { ok: false, latencyMs: 2001, error: 'timed out after 2 s' },
              },
            },
          },
        },
      },
    },
  },
  '/health/live': {
    get: {
      tags: ['System'],
      operationId: 'getLiveness',
      summary: 'Liveness probe: the process answers.',
      description: 'Always 200 while the process runs; it checks neither PostgreSQL nor Temporal.',
      security: [],
      responses: {
        '200': {
          description: 'The process is alive.',
          content: {
            'application/json': {
              schema: { type: 'object', required: ['status'], properties: { status: { type: 'string', enum: ['ok'] } } },
              example: { status: 'ok' },
            },
          },
        },
      },
    },
  },
  '/health/ready': {
    get: {
      tags: ['System'],
      operationId: 'getReadiness',
      summary: 'Readiness probe: the server can accept events.',
      description: `Runs \`SELECT 1\` against PostgreSQL (2 s limit). Temporal is not needed to
accept events (they wait in the outbox), so it is not checked here.
`,
      security: [],
      responses: {
        '200': {
          description: 'The database answered; events are accepted.',
          content: {
            'application/json': {
              schema: { $ref: '#/components/schemas/Readiness' },
              example: { status: 'ok', database: { ok: true, latencyMs: 2 } },
            },
          },
        },
        '503': {
          description: 'The database did not answer.',
          content: {
            'application/json': {
              schema: { $ref: '#/components/schemas/Readiness' },
              example: { status: 'degraded', database: { ok: false, latencyMs: 2001, error: 'timed out after 2 s' } },
            },
          },
        },
      },
    },
  },
  '/openapi.yaml': {
    get: {
      tags: ['System'],
      operationId: 'getOpenApi',
      summary: 'This OpenAPI document.',
      security: [],
      responses: {
        '200': {
          description: 'The OpenAPI 3.1 description of this API, as YAML.',
          content: { 'application/yaml': { schema: { type: 'string' } } },
        },
      },
    },
  },
  '/metrics': {
    get: {
      tags: ['System'],
      operationId: 'getMetrics',
      summary: 'Prometheus metrics of this server process.',
      description: `Prometheus' text format (names prefixed \`rapport_\`): events accepted and
refused, the dispatch backlog and lag, HTTP latency by route pattern,
broadcast progress and the process' own figures. Open unless
\`METRICS_TOKEN\` is set; then it needs \`Authorization: Bearer <METRICS_TOKEN>\`.
The worker serves the same format on its own port (\`WORKER_METRICS_PORT\`),
with the Temporal SDK's worker metrics. See docs/operations.md.
`,
      security: [],
      responses: {
        '200': {
          description: 'The metrics.',
          content: {
            'text/plain': {
              schema: { type: 'string' },
              example: `# HELP rapport_events_accepted_total Events stored (committed) by POST /v1/events and webhooks
# TYPE rapport_events_accepted_total counter
rapport_events_accepted_total{endpoint="api"} 1200
`,
            },
          },
        },
        '401': {
          description: '`METRICS_TOKEN` is set and the request did not carry it.',
          content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
        },
      },
    },
  },
  '/v1/contacts': {
    post: {
      tags: ['Contacts'],
      operationId: 'upsertContact',
      summary: 'Create or update a contact.',
      description: `The contact is matched by \`externalId\` when one is given, else by \`email\`.
A match is updated (its email is set to the one given, and a deleted contact
is restored); otherwise a new contact is created. Fields left out are left
unchanged; a field cannot be cleared by sending \`null\`. \`attributes\` are merged
into the stored ones (a \`null\` value removes the key); \`tags\` replace the
stored tags.

Answers 201 when the contact was created, 200 when an existing one was
updated. 409 \`contact_conflict\` when \`email\` and \`externalId\` name two
different contacts, or the email's contact already has another externalId;
\`details[0].path\` is \`email\` or \`externalId\` accordingly.
`,
      security: [{ bearerApiKey: [] }],
      requestBody: {
        required: true,
        content: {
          'application/json': {
            schema: { $ref: '#/components/schemas/ContactUpsert' },
            example: {
              email: 'ada.lovelace@example.com',
              externalId: 'crm-10042',
              firstName: 'Ada',
              lastName: 'Lovelace',
              company: 'Analytical Engines Ltd',
              phone: '+44 20 7946 0958',
              timeZone: 'Europe/London',
              locale: 'en-GB',
              currency: 'GBP',
              ownerEmail: 'sales.rep@example.com',
              attributes: { plan: 'pro', favouriteDrink: 'tea', trialEndsAt: '2025-07-01' },
              tags: ['webinar-2025-05', 'vip'],
              marketingConsent: true,
            },
          },
        },
      },
      responses: {
        '200': {
          description: 'An existing contact was updated.',
          content: { 'application/json': { schema: { $ref: '#/components/schemas/ContactUpsertResult' } } },
        },
        '201': {
          description: 'A new contact was created.',
          content: {
            'application/json': {
              schema: { $ref: '#/components/schemas/ContactUpsertResult' },
              example: {
                created: true,
                contact: {
                  id: '3f0c2b9e-6a41-4c8e-9d1a-2b7f5e8c4a10',
                  email: 'ada.lovelace@example.com',
                  externalId: 'crm-10042',
                  firstName: 'Ada',
                  lastName: 'Lovelace',
                  company: 'Analytical Engines Ltd',
                  phone: '+44 20 7946 0958',
                  timeZone: 'Europe/London',
                  locale: 'en-GB',
                  currency: 'GBP',
                  ownerEmail: 'sales.rep@example.com',
                  attributes: { plan: 'pro', favouriteDrink: 'tea', trialEndsAt: '2025-07-01' },
                  tags: ['webinar-2025-05', 'vip'],
                  subscriptions: {},
                  marketingConsent: true,
                  lifetimeSpendCents: 0,
                  tier: null,
                  loyaltyPoints: 0,
                  purchaseCount: 0,
                  lastPurchaseAt: null,
                  nextPurchaseDueAt: null,
                  newslettersSinceLastClick: 0,
                  newsletterSunsetAt: null,
                  lastClickAt: null,
                  createdAt: '2025-05-14T09:30:12.345Z',
                  updatedAt: '2025-05-14T09:30:12.345Z',
                },
              },
            },
          },
        },
        '400': { $ref: '#/components/responses/BadRequest' },
        '401': { $ref: '#/components/responses/Unauthorized' },
        '409': { $ref: '#/components/responses/ContactConflict' },
        '413': { $ref: '#/components/responses/TooLarge' },
        '500': { $ref: '#/components/responses/InternalError' },
      },
    },
  },
  '/v1/contacts/import': {
    post: {
      tags: ['Contacts'],
      operationId: 'importContacts',
      summary: 'Import many contacts at once (CSV or NDJSON), optionally with an attestation of existing consent.',
      description: `The body is streamed (never held in memory whole) and is one of:

* \`text/csv\`: a header row, then one contact per row. Columns (header names
  are case-insensitive, each at most once, \`email\` required): \`email\`,
  \`externalId\`, \`firstName\`, \`lastName\`, \`company\`, \`phone\`, \`timeZone\`,
  \`locale\`, \`currency\`, \`ownerEmail\`, \`tags\` (separated by \`|\`, e.g.
  \`vip|webinar-2025\`), \`marketingConsent\` (\`true\`/\`false\`, \`yes\`/\`no\`,
  \`1\`/\`0\`) and \`attributes.<name>\` (stored as strings). An empty cell leaves
  the field as it is. Quoting follows RFC 4180; a UTF-8 BOM is ignored. An
  unknown column refuses the whole file (400 \`invalid_file\`, naming the column).
* \`application/x-ndjson\` (also \`application/jsonl\`): one JSON object per line,
  the same shape as the body of \`POST /v1/contacts\` (typed attribute values;
  \`null\` removes an attribute). Blank lines are skipped.
* \`multipart/form-data\`: an optional \`consent\` field (a JSON
  \`ConsentAttestation\`), then a \`file\` part holding the CSV or NDJSON (its
  Content-Type, a \`.csv\`/\`.ndjson\`/\`.jsonl\` file name or \`?format=\` says which).
  The \`consent\` field must come before the file (FormData keeps the order of
  \`append\`).

Each row is validated with the same schema as \`POST /v1/contacts\` and matched
the same way: by \`externalId\` when given, else by normalised email. Rows
apply in file order, as successive \`POST /v1/contacts\` calls would, so a
later row for the same contact updates what an earlier one wrote (the last
value of each field wins; attributes merge). A row whose email and externalId
name two different contacts, or whose email's contact has another
externalId, is a row error. Bad rows never stop good ones, unless
\`atomic=true\`. Valid rows are written in chunks of 2,000 (a few multi-row
statements each).

**Consent.** Without an attestation an import never changes subscriptions
(\`marketingConsent\` in a row is only that flag). With one, every imported
contact is subscribed to the attested categories without double opt-in,
\`marketingConsent\` becomes true, \`consentUpdatedAt\` is set, and a consent
record (who attested, source, date, categories, import id) is kept, shown by
\`GET /v1/contacts/{ref}/consents\`. A contact who unsubscribed (from the
category or all marketing email), was sunset from it, whose address is
suppressed (unsubscribe, hard bounce, complaint, manual), or whose row says
\`marketingConsent: false\`, is not subscribed: each is a note in the report.

**Journeys.** Imports record no events: they start no journeys, trigger no
\`attribute_changed\` journeys and do not wake date triggers until another
event about the contact arrives. Enrol imported contacts explicitly
(\`POST /v1/journeys/{key}/enrol\`) where that is wanted.

**Synchronous or background.** A body whose \`Content-Length\` is at most
\`IMPORT_SYNC_MAX_BYTES\` (default 1 MiB, about 10,000 rows) is imported during
the request and answered 200 with the full report, unless the request says
\`Prefer: respond-async\`. Any other body (larger, or sent without a length) is
first received in full to a temporary file, then answered 202 with the job
and a \`Location\` to poll (\`GET /v1/contacts/imports/{id}\`). Bodies over
\`IMPORT_MAX_BYTES\` (default 256 MiB) are refused with 413 and import nothing.
Every import, dry runs included, is recorded as a \`ContactImport\`.
`,
      security: [{ bearerApiKey: [] }],
      parameters: [
        {
          name: 'dryRun',
          in: 'query',
          required: false,
          description:
            "Validate and match every row and answer the same report, but keep no contact change (only the import's own record).",
          schema: { type: 'string', enum: ['true', 'false', '1', '0'], default: 'false' },
        },
        {
          name: 'atomic',
          in: 'query',
          required: false,
          description: 'Keep nothing unless every row is good (the import runs in one transaction; status `rejected` otherwise).',
          schema: { type: 'string', enum: ['true', 'false', '1', '0'], default: 'false' },
        },
        {
          name: 'format',
          in: 'query',
          required: false,
          description: "The file's format, when the Content-Type (or the form part's) does not say.",
          schema: { type: 'string', enum: ['csv', 'ndjson'] },
        },
        {
          name: 'Prefer',
          in: 'header',
          required: false,
          description: '`respond-async` runs even a small import in the background (202).',
          schema: { type: 'string' },
          example: 'respond-async',
        },
      ],
      requestBody: {
        required: true,
        content: {
          'text/csv': {
            schema: { type: 'string' },
            example: `email,externalId,firstName,lastName,tags,attributes.plan
ada@example.com,crm-1,Ada,Lovelace,vip|webinar,pro
grace@example.com,,Grace,Hopper,,free
`,
          },
          'application/x-ndjson': {
            schema: { type: 'string' },
            example: `{"email":"ada@example.com","externalId":"crm-1","firstName":"Ada","attributes":{"plan":"pro","seats":5}}
{"email":"grace@example.com","tags":["webinar"]}
`,
          },
          'multipart/form-data': {
            schema: {
              type: 'object',
              required: ['file'],
              properties: {
                consent: {
                  type: 'string',
                  contentMediaType: 'application/json',
                  description: 'A JSON `ConsentAttestation`; must come before `file`.',
                },
                file: { type: 'string', description: 'The CSV or NDJSON file.' },
              },
            },
            encoding: {
              consent: { contentType: 'application/json' },
              file: { contentType: 'text/csv, application/x-ndjson' },
            },
          },
        },
      },
      responses: {
        '200': {
          description:
            'The import ran during the request; the report (check `status`: `completed`, `rejected` for an atomic import with bad rows, `failed`).',
          content: {
            'application/json': {
              schema: { $ref: '#/components/schemas/ContactImportResult' },
              example: {
                import: {
                  id: '5b0f8c2e-3d4a-4e6b-9f1c-2a7d8e9b0c13',
                  status: 'completed',
                  format: 'csv',
                  dryRun: false,
                  atomic: false,
                  written: true,
                  consent: null,
                  progress: { rowsProcessed: 3, bytesRead: 131, totalBytes: 131, percent: 100 },
                  summary: { rows: 3, created: 1, updated: 1, unchanged: 0, failed: 1, subscribed: 0, durationMs: 42 },
                  errors: [{ line: 4, field: 'email', reason: 'must be a valid email address' }],
                  errorsOmitted: 0,
                  notes: [],
                  notesOmitted: 0,
                  error: null,
                  createdAt: '2025-05-14T09:30:12.345Z',
                  startedAt: '2025-05-14T09:30:12.345Z',
                  finishedAt: '2025-05-14T09:30:12.387Z',
                },
              },
            },
          },
        },
        '202': {
          description: 'The file was received and runs as a background job; poll the `Location`.',
          headers: { Location: { description: '`/v1/contacts/imports/{id}`', schema: { type: 'string' } } },
          content: { 'application/json': { schema: { $ref: '#/components/schemas/ContactImportResult' } } },
        },
        '400': {
          description: `\`validation_failed\`: a query parameter or the consent attestation is invalid
(\`details[].path\` e.g. \`query.dryRun\`, \`consent.obtainedAt\`), or a form has no
\`file\` part, or the format cannot be told (\`format\`); \`invalid_file\`: the CSV
header names an unknown column, lacks \`email\`, or the file is not CSV
(\`details[0].path\` is the column, \`email\` or \`(file)\`; the message gives the line);
\`invalid_form\`: malformed multipart.
`,
          content: {
            'application/json': {
              schema: { $ref: '#/components/schemas/Error' },
              example: {
                error: {
                  code: 'invalid_file',
                  message:
                    'line 1: unknown column "favouriteDrink": use email, externalId, firstName, lastName, company, phone, timeZone, locale, currency, ownerEmail, tags, marketingConsent or attributes.<name>',
                  details: [
                    {
                      path: 'favouriteDrink',
                      message:
                        'line 1: unknown column "favouriteDrink": use email, externalId, firstName, lastName, company, phone, timeZone, locale, currency, ownerEmail, tags, marketingConsent or attributes.<name>',
                    },
                  ],
                },
              },
            },
          },
        },
        '401': { $ref: '#/components/responses/Unauthorized' },
        '413': {
          description: '`too_large`: the body is larger than `IMPORT_MAX_BYTES` (default 256 MiB); nothing was imported.',
          content: {
            'application/json': {
              schema: { $ref: '#/components/schemas/Error' },
              example: {
                error: {
                  code: 'too_large',
                  message: 'the import is larger than 268435456 bytes (IMPORT_MAX_BYTES)',
                  details: [{ path: '(body)', message: 'at most 268435456 bytes' }],
                },
              },
            },
          },
        },
        '415': {
          description: '`unsupported_media_type`: the body is not text/csv, application/x-ndjson or multipart/form-data.',
          content: {
            'application/json': {
              schema: { $ref: '#/components/schemas/Error' },
              example: {
                error: {
                  code: 'unsupported_media_type',
                  message: 'send text/csv, application/x-ndjson or multipart/form-data (consent, then file)',
                  details: [{ path: 'content-type', message: '"application/json" is not an import format' }],
                },
              },
            },
          },
        },
        '500': { $ref: '#/components/responses/InternalError' },
      },
    },
  },
  '/v1/contacts/imports': {
    get: {
      tags: ['Contacts'],
      operationId: 'listContactImports',
      summary: 'The most recent imports, newest first.',
      security: [{ bearerApiKey: [] }],
      parameters: [
        {
          name: 'limit',
          in: 'query',
          required: false,
          schema: { type: 'integer', minimum: 1, maximum: 100, default: 20 },
        },
      ],
      responses: {
        '200': {
          description: 'Recent imports (dry runs included).',
          content: {
            'application/json': {
              schema: {
                type: 'object',
                required: ['imports'],
                properties: { imports: { type: 'array', items: { $ref: '#/components/schemas/ContactImport' } } },
              },
            },
          },
        },
        '400': { $ref: '#/components/responses/BadRequest' },
        '401': { $ref: '#/components/responses/Unauthorized' },
        '500': { $ref: '#/components/responses/InternalError' },
      },
    },
  },
  '/v1/contacts/imports/{id}': {
    get: {
      tags: ['Contacts'],
      operationId: 'getContactImport',
      summary: "One import's progress and report (poll it for a progress bar).",
      description: `While \`status\` is \`queued\` or \`running\`, \`progress\` moves after each chunk of
2,000 rows (\`percent\` is from the bytes read; \`summary\` counts so far). Once
\`completed\`, \`rejected\` or \`failed\`, the report is final. An import whose
record has not moved for 5 minutes while queued or running shows \`interrupted\`
(its server stopped): rows of its finished chunks stay written, and importing
the same file again is safe (rows upsert).
`,
      security: [{ bearerApiKey: [] }],
      parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string', format: 'uuid' } }],
      responses: {
        '200': {
          description: 'The import.',
          content: { 'application/json': { schema: { $ref: '#/components/schemas/ContactImportResult' } } },
        },
        '400': { $ref: '#/components/responses/BadRequest' },
        '401': { $ref: '#/components/responses/Unauthorized' },
        '404': {
          description: '`import_not_found`: no import has this id.',
          content: {
            'application/json': {
              schema: { $ref: '#/components/schemas/Error' },
              example: { error: { code: 'import_not_found', message: 'no import with this id', details: [] } },
            },
          },
        },
        '500': { $ref: '#/components/responses/InternalError' },
      },
    },
  },
  '/v1/contacts/{ref}/consents': {
    get: {
      tags: ['Contacts'],
      operationId: 'getContactConsents',
      summary: "A contact's subscriptions and the consent records attested for them (newest first).",
      security: [{ bearerApiKey: [] }],
      parameters: [{ $ref: '#/components/parameters/ContactRef' }, { $ref: '#/components/parameters/ContactRefBy' }],
      responses: {
        '200': {
          description: "The contact's consent state and records.",
          content: { 'application/json': { schema: { $ref: '#/components/schemas/ContactConsents' } } },
        },
        '400': { $ref: '#/components/responses/BadRequest' },
        '401': { $ref: '#/components/responses/Unauthorized' },
        '404': { $ref: '#/components/responses/ContactNotFound' },
        '500': { $ref: '#/components/responses/InternalError' },
      },
    },
  },
  '/v1/contacts/{ref}': {
    get: {
      tags: ['Contacts'],
      operationId: 'getContact',
      summary: 'Get one contact by id, email or external id.',
      security: [{ bearerApiKey: [] }],
      parameters: [{ $ref: '#/components/parameters/ContactRef' }, { $ref: '#/components/parameters/ContactRefBy' }],
      responses: {
        '200': {
          description: 'The contact.',
          content: {
            'application/json': {
              schema: {
                type: 'object',
                required: ['contact'],
                properties: { contact: { $ref: '#/components/schemas/Contact' } },
              },
            },
          },
        },
        '400': { $ref: '#/components/responses/BadRequest' },
        '401': { $ref: '#/components/responses/Unauthorized' },
        '404': { $ref: '#/components/responses/ContactNotFound' },
        '500': { $ref: '#/components/responses/InternalError' },
      },
    },
    delete: {
      tags: ['Contacts'],
      operationId: 'deleteContact',
      summary: 'Delete a contact (erase their personal data).',
      description: `Erases the contact's personal data at once: \`email\` becomes
\`deleted+<id>@invalid\`; \`externalId\`, \`firstName\`, \`lastName\`, \`company\`,
\`phone\` and \`ownerEmail\` become \`null\`; \`attributes\` and \`tags\` are emptied;
the recipient address of their recorded email sends is scrubbed the same way.
The row itself stays (marked deleted) so history and counts remain consistent.

In the same transaction a \`contact_deleted\` event is recorded (source
\`system\`); through the outbox it reaches every journey run of the contact,
which ends (status \`exited\`, reason "contact deleted") at its next wake-up,
and no new run starts for them.

Afterwards the contact answers 404 everywhere (a second DELETE too). Its
email and externalId are erased, so a later upsert with them creates a new
contact.
`,
      security: [{ bearerApiKey: [] }],
      parameters: [{ $ref: '#/components/parameters/ContactRef' }, { $ref: '#/components/parameters/ContactRefBy' }],
      responses: {
        '204': { description: 'The contact was deleted. No body.' },
        '400': { $ref: '#/components/responses/BadRequest' },
        '401': { $ref: '#/components/responses/Unauthorized' },
        '404': { $ref: '#/components/responses/ContactNotFound' },
        '500': { $ref: '#/components/responses/InternalError' },
      },
    },
  },
  '/v1/contacts/{ref}/timeline': {
    get: {
      tags: ['Contacts'],
      operationId: 'getContactTimeline',
      summary: "A contact's timeline, newest first.",
      description: `Events, email sends and journey steps of one contact, merged and sorted newest
first, at most \`limit\` entries. To page back, pass the \`at\` of the last entry
received as \`before\` (entries strictly older than \`before\` are returned).
`,
      security: [{ bearerApiKey: [] }],
      parameters: [
        { $ref: '#/components/parameters/ContactRef' },
        { $ref: '#/components/parameters/ContactRefBy' },
        {
          name: 'limit',
          in: 'query',
          required: false,
          description: 'The most entries to return.',
          schema: { type: 'integer', minimum: 1, maximum: 500, default: 100 },
        },
        {
          name: 'before',
          in: 'query',
          required: false,
          description: 'Only entries strictly older than this instant (RFC 3339 with `Z` or an offset).',
          schema: { type: 'string', format: 'date-time' },
          example: '2025-05-14T09:30:12.345Z',
        },
      ],
      responses: {
        '200': {
          description: 'The timeline entries, newest first.',
          content: { 'application/json': { schema: { $ref: '#/components/schemas/Timeline' } } },
        },
        '400': { $ref: '#/components/responses/BadRequest' },
        '401': { $ref: '#/components/responses/Unauthorized' },
        '404': { $ref: '#/components/responses/ContactNotFound' },
        '500': { $ref: '#/components/responses/InternalError' },
      },
    },
  },
  '/v1/events': {
    post: {
      tags: ['Events'],
      operationId: 'ingestEvents',
      summary: 'Record one event, or a batch of up to 500.',
      description: `The body is one event, or \`{ "events": [...] }\` with 1 to 500 events. The whole
body is validated first: any invalid event fails the request with 400 and
nothing is stored. Then each event is stored, in order, in its own transaction
(a batch is not atomic as a whole).

Each event carries an idempotency \`id\` chosen by the sender, scoped to the
source (\`api\` here; webhooks have their own scope). Sending an id again is
acknowledged with \`duplicate: true\` and the original \`eventId\`, without any
effect, so retrying a request is always safe.

* Single event: 202 with its \`IngestResult\`; 404 \`contact_not_found\` when the
  contact is named without \`email\` and does not exist; 409 \`contact_conflict\`.
* Batch: 202 with \`{ "results": [...] }\` when every event was stored; 207 with
  a result per event, in request order, when some failed (those carry an
  \`error\` whose \`details[].path\` starts with \`events.<index>.\`).
`,
      security: [{ bearerApiKey: [] }],
      requestBody: { $ref: '#/components/requestBodies/Events' },
      responses: {
        '202': { $ref: '#/components/responses/EventsAccepted' },
        '207': { $ref: '#/components/responses/EventsPartlyFailed' },
        '400': { $ref: '#/components/responses/BadRequest' },
        '401': { $ref: '#/components/responses/Unauthorized' },
        '404': { $ref: '#/components/responses/ContactNotFound' },
        '409': { $ref: '#/components/responses/ContactConflict' },
        '413': { $ref: '#/components/responses/TooLarge' },
        '429': { $ref: '#/components/responses/Overloaded' },
        '503': { $ref: '#/components/responses/DatabaseBusy' },
        '500': { $ref: '#/components/responses/InternalError' },
      },
    },
  },
  '/v1/contacts/{ref}/export': {
    get: {
      tags: ['Contacts'],
      operationId: 'exportContact',
      summary: 'Everything held about a contact, as one JSON document (a GDPR access request).',
      description:
        "The contact record and every row that names them: consent records, suppressions of\ntheir address, events, emails sent (with opens and clicks), journey runs and steps,\nsales tasks, approvals, coupons and newsletters. `?download=1` adds a\n`Content-Disposition: attachment` header. The body's zod schema is\n`contactExportSchema` (contacts/export.ts).\n",
      security: [
        {
          bearerApiKey: [],
        },
      ],
      parameters: [
        {
          $ref: '#/components/parameters/ContactRef',
        },
        {
          $ref: '#/components/parameters/ContactRefBy',
        },
        {
          name: 'download',
          in: 'query',
          required: false,
          description: '`1`: answer as a file download.',
          schema: {
            type: 'string',
            enum: ['1'],
          },
        },
      ],
      responses: {
        '200': {
          description: 'The export.',
          content: {
            'application/json': {
              schema: {
                $ref: '#/components/schemas/ContactExport',
              },
            },
          },
        },
        '400': {
          $ref: '#/components/responses/BadRequest',
        },
        '401': {
          $ref: '#/components/responses/Unauthorized',
        },
        '404': {
          $ref: '#/components/responses/ContactNotFound',
        },
        '500': {
          $ref: '#/components/responses/InternalError',
        },
      },
    },
  },
  '/v1/journeys': {
    get: {
      tags: ['Journeys'],
      operationId: 'listJourneys',
      summary: 'List journeys, with their latest version and running contacts.',
      description: 'Every journey (published or draft only), sorted by key.',
      security: [{ bearerApiKey: [] }],
      responses: {
        '200': {
          description: 'The journeys.',
          content: {
            'application/json': {
              schema: {
                type: 'object',
                required: ['journeys'],
                properties: { journeys: { type: 'array', items: { $ref: '#/components/schemas/JourneySummary' } } },
              },
              example: {
                journeys: [
                  {
                    key: 'trial_conversion',
                    name: 'Trial conversion',
                    status: 'active',
                    latestVersion: 3,
                    publishedAt: '2025-05-12T08:00:00.000Z',
                    running: 42,
                  },
                  {
                    key: 'welcome',
                    name: 'Welcome series',
                    status: 'paused',
                    latestVersion: 1,
                    publishedAt: '2025-04-01T10:15:00.000Z',
                    running: 7,
                  },
                ],
              },
            },
          },
        },
        '401': { $ref: '#/components/responses/Unauthorized' },
        '500': { $ref: '#/components/responses/InternalError' },
      },
    },
  },
  '/v1/journeys/validate': {
    post: {
      tags: ['Journeys'],
      operationId: 'validateJourney',
      summary: 'Check a journey definition without saving it.',
      description: `Runs every check \`PUT /v1/journeys/{key}\` runs (the shape, then the meaning:
see \`JourneyDefinition\`), against the templates and journeys that exist now
(the body's own \`key\` counts as an existing journey). Always 200 for a JSON
body: the outcome is in the response. Each issue's \`path\` is the
dot-separated location inside the definition (\`steps.2.template\`), or \`""\`
for the definition as a whole (e.g. an unknown top-level field).
`,
      security: [{ bearerApiKey: [] }],
      requestBody: { $ref: '#/components/requestBodies/JourneyDefinition' },
      responses: {
        '200': {
          description: 'Whether the definition is valid, and its issues.',
          content: {
            'application/json': {
              schema: { $ref: '#/components/schemas/JourneyValidation' },
              examples: {
                valid: { summary: 'A valid definition', value: { valid: true, issues: [] } },
                invalid: {
                  summary: 'An unknown template and an unreachable step',
                  value: {
                    valid: false,
                    issues: [
                      { path: 'steps.2.template', message: 'unknown template "getting-startd"' },
                      { path: 'steps.5', message: 'step "sales_task" can never be reached' },
                    ],
                  },
                },
              },
            },
          },
        },
        '400': {
          description:
            '`invalid_json`: the body is not valid JSON; `validation_failed`: there is no body (an invalid definition is a 200 with `valid: false`).',
          content: {
            'application/json': {
              schema: { $ref: '#/components/schemas/Error' },
              example: { error: { code: 'invalid_json', message: 'request body is not valid JSON', details: [] } },
            },
          },
        },
        '401': { $ref: '#/components/responses/Unauthorized' },
        '413': { $ref: '#/components/responses/TooLarge' },
        '500': { $ref: '#/components/responses/InternalError' },
      },
    },
  },
  '/v1/journeys/{key}': {
    get: {
      tags: ['Journeys'],
      operationId: 'getJourney',
      summary: 'A journey, its versions, its draft and where its running contacts are.',
      description: `\`running\` counts the journey's running runs grouped by the version they run
(a run stays on the version it started on) and the step they are at (the
waiting step they entered, else the last step they finished; \`null\` before
their first step, e.g. while waiting for a date trigger). \`inDraft\` says
whether the draft still has that step,
so a marketer can see who would be affected by removing it; it is \`null\`
when \`step\` is.
`,
      security: [{ bearerApiKey: [] }],
      parameters: [{ $ref: '#/components/parameters/JourneyKey' }],
      responses: {
        '200': {
          description: 'The journey.',
          content: { 'application/json': { schema: { $ref: '#/components/schemas/Journey' } } },
        },
        '400': { $ref: '#/components/responses/BadRequest' },
        '401': { $ref: '#/components/responses/Unauthorized' },
        '404': { $ref: '#/components/responses/JourneyNotFound' },
        '500': { $ref: '#/components/responses/InternalError' },
      },
    },
    put: {
      tags: ['Journeys'],
      operationId: 'saveJourneyDraft',
      summary: 'Create a journey or save its draft.',
      description: `Validates the definition like \`POST /v1/journeys/validate\` and stores it as
the journey's draft, creating the journey (status \`active\`) if it does not
exist. Nothing runs until the draft is published
(\`POST /v1/journeys/{key}/publish\`); running contacts are not affected.
Answers 200 whether the journey was created or updated. The stored draft is
the definition with defaults filled in (e.g. \`category\`, \`reentry\`, \`goals\`).

400 \`invalid_journey\` when the definition is invalid, with one detail per
issue (\`details[].path\` as in the validation response, e.g.
\`steps.2.template\`); 400 \`validation_failed\` when \`{key}\` is not a journey key
(\`details[0].path\` = \`key\`) or the body's \`key\` differs from it
(\`details[0].path\` = \`key\`).
`,
      security: [{ bearerApiKey: [] }],
      parameters: [{ $ref: '#/components/parameters/JourneyKey' }],
      requestBody: { $ref: '#/components/requestBodies/JourneyDefinition' },
      responses: {
        '200': {
          description: 'The draft was saved.',
          content: { 'application/json': { schema: { $ref: '#/components/schemas/JourneyDraftSaved' } } },
        },
        '400': { $ref: '#/components/responses/InvalidJourney' },
        '401': { $ref: '#/components/responses/Unauthorized' },
        '413': { $ref: '#/components/responses/TooLarge' },
        '500': { $ref: '#/components/responses/InternalError' },
      },
    },
  },
  '/v1/journeys/{key}/publish': {
    post: {
      tags: ['Journeys'],
      operationId: 'publishJourney',
      summary: 'Publish the draft as a new version.',
      description: `Validates the draft again (templates or journeys it names may have been
removed since it was saved) and publishes it as an immutable version. New
runs start on the latest version; running contacts stay on the version they
started on. No request body.

201 with the new version number; 200 with the latest version when the draft
is identical to it (nothing is published). 400 \`invalid_journey\` when the
draft is invalid, with \`details[].path\` starting with \`draft.\` (e.g.
\`draft.steps.2.template\`).
`,
      security: [{ bearerApiKey: [] }],
      parameters: [{ $ref: '#/components/parameters/JourneyKey' }],
      responses: {
        '200': {
          description: 'The draft equals the latest version; nothing was published.',
          content: {
            'application/json': {
              schema: { $ref: '#/components/schemas/JourneyPublishResult' },
              example: { version: 3, created: false },
            },
          },
        },
        '201': {
          description: 'A new version was published.',
          content: {
            'application/json': {
              schema: { $ref: '#/components/schemas/JourneyPublishResult' },
              example: { version: 4, created: true },
            },
          },
        },
        '400': { $ref: '#/components/responses/InvalidJourney' },
        '401': { $ref: '#/components/responses/Unauthorized' },
        '404': { $ref: '#/components/responses/JourneyNotFound' },
        '500': { $ref: '#/components/responses/InternalError' },
      },
    },
  },
  '/v1/journeys/{key}/pause': {
    post: {
      tags: ['Journeys'],
      operationId: 'pauseJourney',
      summary: 'Pause a journey.',
      description: `Sets the journey's status to \`paused\`: it starts no new runs (events that
would have triggered it, and enrolments, are not kept for later), and each
running run holds before its next step (a wait in progress continues) until
the journey is resumed. Idempotent. No request body. \`signalled\` is always 0.
`,
      security: [{ bearerApiKey: [] }],
      parameters: [{ $ref: '#/components/parameters/JourneyKey' }],
      responses: {
        '200': {
          description: 'The journey is paused.',
          content: {
            'application/json': {
              schema: { $ref: '#/components/schemas/JourneyStatusChange' },
              example: { key: 'trial_conversion', status: 'paused', signalled: 0 },
            },
          },
        },
        '400': { $ref: '#/components/responses/BadRequest' },
        '401': { $ref: '#/components/responses/Unauthorized' },
        '404': { $ref: '#/components/responses/JourneyNotFound' },
        '500': { $ref: '#/components/responses/InternalError' },
      },
    },
  },
  '/v1/journeys/{key}/resume': {
    post: {
      tags: ['Journeys'],
      operationId: 'resumeJourney',
      summary: 'Resume a paused journey.',
      description: `Sets the journey's status to \`active\` (it starts runs again) and, best
effort, signals each of its running runs to continue at once; \`signalled\`
counts the runs signalled. A held run that was not signalled continues by
itself within 15 minutes. Idempotent. No request body.
`,
      security: [{ bearerApiKey: [] }],
      parameters: [{ $ref: '#/components/parameters/JourneyKey' }],
      responses: {
        '200': {
          description: 'The journey is active.',
          content: {
            'application/json': {
              schema: { $ref: '#/components/schemas/JourneyStatusChange' },
              example: { key: 'trial_conversion', status: 'active', signalled: 42 },
            },
          },
        },
        '400': { $ref: '#/components/responses/BadRequest' },
        '401': { $ref: '#/components/responses/Unauthorized' },
        '404': { $ref: '#/components/responses/JourneyNotFound' },
        '500': { $ref: '#/components/responses/InternalError' },
      },
    },
  },
  '/v1/journeys/{key}/enrol': {
    post: {
      tags: ['Journeys'],
      operationId: 'enrolContact',
      summary: 'Enrol a contact in a journey.',
      description: `Records a \`journey_enrol_requested\` event for the contact (source \`system\`),
which starts a run of the latest published version through the outbox,
whatever the journey's trigger (this is how \`trigger: { type: api }\`
journeys start). The run starts asynchronously, and only if the journey is
\`active\`, the contact has no running run of it, and its \`reentry\` rule
allows another run.

\`requestId\` makes the request idempotent: the same \`requestId\` for the same
journey records nothing new and answers \`duplicate: true\`. Without it every
request is a new enrolment request.

Checks, in order: \`{key}\` (400, 404 \`journey_not_found\`), a published version
exists (409 \`not_published\`), the body (400 \`validation_failed\`), the
contact exists and is not deleted (404 \`contact_not_found\`,
\`details[0].path\` = \`contact\`).
`,
      security: [{ bearerApiKey: [] }],
      parameters: [{ $ref: '#/components/parameters/JourneyKey' }],
      requestBody: {
        required: true,
        content: {
          'application/json': {
            schema: { $ref: '#/components/schemas/EnrolRequest' },
            example: { contact: { email: 'ada.lovelace@example.com' }, requestId: 'spring-campaign:crm-10042' },
          },
        },
      },
      responses: {
        '202': {
          description: 'The enrolment was requested (or had been, with `duplicate`).',
          content: {
            'application/json': {
              schema: { $ref: '#/components/schemas/EnrolResult' },
              example: {
                journey: 'trial_conversion',
                contactId: '3f0c2b9e-6a41-4c8e-9d1a-2b7f5e8c4a10',
                duplicate: false,
                workflowId: 'journey/trial_conversion/3f0c2b9e-6a41-4c8e-9d1a-2b7f5e8c4a10',
              },
            },
          },
        },
        '400': { $ref: '#/components/responses/BadRequest' },
        '401': { $ref: '#/components/responses/Unauthorized' },
        '404': {
          description: '`journey_not_found`: no journey has this key; or `contact_not_found`: the contact does not exist or is deleted.',
          content: {
            'application/json': {
              schema: { $ref: '#/components/schemas/Error' },
              examples: {
                journeyNotFound: {
                  summary: 'Unknown journey',
                  value: { error: { code: 'journey_not_found', message: 'no journey "trial_conversion"', details: [] } },
                },
                contactNotFound: {
                  summary: 'Unknown contact',
                  value: {
                    error: {
                      code: 'contact_not_found',
                      message: 'no such contact',
                      details: [{ path: 'contact', message: 'no such contact' }],
                    },
                  },
                },
              },
            },
          },
        },
        '409': {
          description: '`not_published`: the journey has a draft but no published version.',
          content: {
            'application/json': {
              schema: { $ref: '#/components/schemas/Error' },
              example: {
                error: {
                  code: 'not_published',
                  message: 'journey "trial_conversion" has no published version',
                  details: [],
                },
              },
            },
          },
        },
        '413': { $ref: '#/components/responses/TooLarge' },
        '500': { $ref: '#/components/responses/InternalError' },
      },
    },
  },
  '/v1/tasks': {
    get: {
      tags: ['Contacts'],
      operationId: 'listSalesTasks',
      summary: 'Sales tasks that journeys created (create_task steps).',
      description:
        'Open tasks soonest due first (`overdue` when due), or done/cancelled ones latest first. Tasks of erased contacts are left out.',
      security: [
        {
          bearerApiKey: [],
        },
      ],
      parameters: [
        {
          name: 'status',
          in: 'query',
          required: false,
          schema: {
            type: 'string',
            enum: ['open', 'done', 'cancelled'],
            default: 'open',
          },
        },
        {
          name: 'owner',
          in: 'query',
          required: false,
          description: "Only this owner's tasks (an email).",
          schema: {
            type: 'string',
          },
        },
        {
          name: 'limit',
          in: 'query',
          required: false,
          schema: {
            type: 'integer',
            minimum: 1,
            maximum: 500,
            default: 100,
          },
        },
      ],
      responses: {
        '200': {
          description: 'The tasks.',
          content: {
            'application/json': {
              schema: {
                type: 'object',
                required: ['tasks'],
                properties: {
                  tasks: {
                    type: 'array',
                    items: {
                      $ref: '#/components/schemas/SalesTask',
                    },
                  },
                },
              },
            },
          },
        },
        '400': {
          $ref: '#/components/responses/BadRequest',
        },
        '401': {
          $ref: '#/components/responses/Unauthorized',
        },
        '500': {
          $ref: '#/components/responses/InternalError',
        },
      },
    },
  },
  '/v1/tasks/{id}/done': {
    post: {
      tags: ['Contacts'],
      operationId: 'completeSalesTask',
      summary: 'Mark an open sales task done.',
      security: [
        {
          bearerApiKey: [],
        },
      ],
      parameters: [
        {
          name: 'id',
          in: 'path',
          required: true,
          schema: {
            type: 'string',
            format: 'uuid',
          },
        },
      ],
      responses: {
        '200': {
          description: 'The task, now done.',
          content: {
            'application/json': {
              schema: {
                type: 'object',
                required: ['task'],
                properties: {
                  task: {
                    $ref: '#/components/schemas/SalesTask',
                  },
                },
              },
            },
          },
        },
        '400': {
          $ref: '#/components/responses/BadRequest',
        },
        '401': {
          $ref: '#/components/responses/Unauthorized',
        },
        '404': {
          description: '`task_not_found`: no task has this id.',
          content: {
            'application/json': {
              schema: {
                $ref: '#/components/schemas/Error',
              },
            },
          },
        },
        '409': {
          description: '`task_not_open`: the task is already done or cancelled.',
          content: {
            'application/json': {
              schema: {
                $ref: '#/components/schemas/Error',
              },
            },
          },
        },
        '500': {
          $ref: '#/components/responses/InternalError',
        },
      },
    },
  },
  '/v1/journeys/{key}/simulate': {
    post: {
      tags: ['Journeys'],
      operationId: 'simulateJourney',
      summary: "Predict one contact's path through a journey, given future events.",
      description:
        'Runs the journey interpreter itself (`workflows/interpreter.ts` and the\nstep handlers in `workflows/steps/`) on a virtual clock: timers advance\nthe clock, the given events are delivered as signals at their offsets\n(only those the journey reacts to, as the dispatcher does; every event\ncounts in event conditions), and activities are replaced by simulations\nthat read and change only the contact in memory. Nothing is sent, stored\nor called: the same request always answers the same (for the same start).\n\nSimulates the saved draft, or a published `version`, or a `definition`\nin the body (unsaved edits; validated like a draft). The contact is a\nstored one (`id` or `email`; its stored events before the start count in\nevent conditions) or one `describe`d (profile fields and the computed\nfields conditions read; marketing consent defaults to `true`).\n\nNot simulated: the send policy (frequency cap, quiet hours), the\nsuppression list, derived fields that events change in production\n(a simulated `purchase` does not raise `lifetimeSpend`). Webhook steps\nanswer what `webhooks.<stepId>` says (default `200 {}`).\n\nThe request schema is `simulateRequestSchema` in `simulator/schema.ts`\n(zod); the answer is `SimulationResult` in `simulator/simulate.ts`.\nViewers may call it from the workspace (it changes nothing).\n',
      security: [
        {
          bearerApiKey: [],
        },
      ],
      parameters: [
        {
          $ref: '#/components/parameters/JourneyKey',
        },
      ],
      requestBody: {
        required: true,
        content: {
          'application/json': {
            schema: {
              $ref: '#/components/schemas/SimulateRequest',
            },
            example: {
              contact: {
                describe: {
                  tier: 'gold',
                  timeZone: 'Europe/Paris',
                  attributes: {
                    plan: 'pro',
                  },
                },
              },
              events: [
                {
                  type: 'page_viewed',
                  properties: {
                    path: '/pricing',
                  },
                  at: '1d',
                },
                {
                  type: 'purchase',
                  properties: {
                    amount: 49,
                  },
                  at: '4d2h',
                },
              ],
              start: '2026-03-02T09:00:00Z',
            },
          },
        },
      },
      responses: {
        '200': {
          description: 'The predicted path.',
          content: {
            'application/json': {
              schema: {
                $ref: '#/components/schemas/SimulationResult',
              },
              example: {
                journey: {
                  key: 'welcome',
                  version: null,
                },
                contact: {
                  id: null,
                  described: true,
                },
                startedAt: '2026-03-02T09:00:00.000Z',
                steps: [
                  {
                    step: 'hello',
                    type: 'send_email',
                    enteredAt: '2026-03-02T09:00:00.000Z',
                    leftAt: '2026-03-02T09:00:00.000Z',
                    outcome: 'sent',
                    why: null,
                    detail: {
                      template: 'welcome',
                    },
                  },
                  {
                    step: 'wait_3_days',
                    type: 'wait',
                    enteredAt: '2026-03-02T09:00:00.000Z',
                    leftAt: '2026-03-05T09:00:00.000Z',
                    outcome: 'waited',
                    why: null,
                    detail: {
                      duration: '3d',
                    },
                  },
                ],
                emails: [
                  {
                    step: 'hello',
                    template: 'welcome',
                    at: '2026-03-02T09:00:00.000Z',
                    outcome: 'sent',
                    reason: null,
                  },
                ],
                decisions: [],
                events: [],
                end: {
                  status: 'completed',
                  at: '2026-03-05T09:00:00.000Z',
                  reason: 'no next step',
                },
              },
            },
          },
        },
        '400': {
          description:
            '`validation_failed` (the body; `details[].path` names the field, e.g.\n`events.0.at`, `contact`), or `invalid_journey` (the definition\nsimulated; paths start with `draft.` or `definition.`).\n',
          content: {
            'application/json': {
              schema: {
                $ref: '#/components/schemas/Error',
              },
              example: {
                error: {
                  code: 'validation_failed',
                  message: 'events.0.at: must be an offset such as "0s", "30m", "2d" or "1d12h"',
                  details: [
                    {
                      path: 'events.0.at',
                      message: 'must be an offset such as "0s", "30m", "2d" or "1d12h"',
                    },
                  ],
                },
              },
            },
          },
        },
        '401': {
          $ref: '#/components/responses/Unauthorized',
        },
        '404': {
          description: '`journey_not_found`, `version_not_found` or `contact_not_found`.',
          content: {
            'application/json': {
              schema: {
                $ref: '#/components/schemas/Error',
              },
              example: {
                error: {
                  code: 'contact_not_found',
                  message: 'no such contact',
                  details: [
                    {
                      path: 'contact.email',
                      message: 'no contact with this value',
                    },
                  ],
                },
              },
            },
          },
        },
        '413': {
          $ref: '#/components/responses/TooLarge',
        },
        '500': {
          $ref: '#/components/responses/InternalError',
        },
      },
    },
  },
  '/v1/journeys/{key}/runs/{contactId}': {
    get: {
      tags: ['Journeys'],
      operationId: 'getJourneyRun',
      summary: "A contact's run of a journey.",
      description: `The stored run (\`journey/<key>/<contactId>\`) and, while it is running, its
live state queried from Temporal (\`live\`; \`null\` when the run has ended, or
Temporal or a worker does not answer within 2 s). Runs of journeys whose trigger has a \`key\` (one
run per order, say) have other workflow ids and are not found here.
`,
      security: [{ bearerApiKey: [] }],
      parameters: [
        { $ref: '#/components/parameters/JourneyKey' },
        {
          name: 'contactId',
          in: 'path',
          required: true,
          description: "The contact's id. Not a UUID answers 400 (`details[0].path` = `contactId`).",
          schema: { type: 'string', format: 'uuid' },
          example: '3f0c2b9e-6a41-4c8e-9d1a-2b7f5e8c4a10',
        },
      ],
      responses: {
        '200': {
          description: 'The run.',
          content: { 'application/json': { schema: { $ref: '#/components/schemas/JourneyRunView' } } },
        },
        '400': { $ref: '#/components/responses/BadRequest' },
        '401': { $ref: '#/components/responses/Unauthorized' },
        '404': {
          description: '`run_not_found`: the contact has no run of this journey (or the journey does not exist).',
          content: {
            'application/json': {
              schema: { $ref: '#/components/schemas/Error' },
              example: {
                error: { code: 'run_not_found', message: 'this contact has no run of this journey', details: [] },
              },
            },
          },
        },
        '500': { $ref: '#/components/responses/InternalError' },
      },
    },
  },
  '/v1/approvals': {
    get: {
      tags: ['Approvals'],
      operationId: 'listApprovals',
      summary: 'List approvals by status, soonest deadline first.',
      description: 'At most 500 approvals with the given status, ordered by deadline (soonest first).',
      security: [{ bearerApiKey: [] }],
      parameters: [
        {
          name: 'status',
          in: 'query',
          required: false,
          description: 'Which approvals. An unknown value answers 400 (`details[0].path` = `query.status`).',
          schema: { type: 'string', enum: ['pending', 'approved', 'rejected', 'expired'], default: 'pending' },
        },
      ],
      responses: {
        '200': {
          description: 'The approvals.',
          content: {
            'application/json': {
              schema: {
                type: 'object',
                required: ['approvals'],
                properties: { approvals: { type: 'array', maxItems: 500, items: { $ref: '#/components/schemas/Approval' } } },
              },
            },
          },
        },
        '400': { $ref: '#/components/responses/BadRequest' },
        '401': { $ref: '#/components/responses/Unauthorized' },
        '500': { $ref: '#/components/responses/InternalError' },
      },
    },
  },
  '/v1/approvals/{id}/decision': {
    post: {
      tags: ['Approvals'],
      operationId: 'decideApproval',
      summary: 'Approve or reject a pending approval.',
      description: `Records the decision on a \`pending\` approval (\`decidedBy\` = \`by\`) and, in the
same transaction, an \`approval_decided\` event that carries it to the waiting
journey run, which continues at the approval step's \`onApprove\` or
\`onReject\`. Of two racing decisions (or a decision and the deadline) exactly
one wins; the other gets 409 \`already_decided\`. Unknown body fields are
ignored.

400 when \`{id}\` is not a UUID (\`details[0].path\` = \`id\`) or the body is
invalid; 404 \`approval_not_found\` and 409 \`already_decided\` name \`id\` in
\`details[0].path\`.
`,
      security: [{ bearerApiKey: [] }],
      parameters: [
        {
          name: 'id',
          in: 'path',
          required: true,
          description: "The approval's id.",
          schema: { type: 'string', format: 'uuid' },
          example: '6d1f0a2b-3c4d-4e5f-8a9b-0c1d2e3f4a5b',
        },
      ],
      requestBody: {
        required: true,
        content: {
          'application/json': {
            schema: { $ref: '#/components/schemas/ApprovalDecision' },
            example: { decision: 'approve', by: 'maria.garcia@example.com', note: 'Discount within policy.' },
          },
        },
      },
      responses: {
        '200': {
          description: 'The decision was recorded.',
          content: {
            'application/json': {
              schema: { $ref: '#/components/schemas/ApprovalDecisionResult' },
              example: { id: '6d1f0a2b-3c4d-4e5f-8a9b-0c1d2e3f4a5b', status: 'approved' },
            },
          },
        },
        '400': { $ref: '#/components/responses/BadRequest' },
        '401': { $ref: '#/components/responses/Unauthorized' },
        '404': {
          description: '`approval_not_found`: no approval has this id.',
          content: {
            'application/json': {
              schema: { $ref: '#/components/schemas/Error' },
              example: {
                error: {
                  code: 'approval_not_found',
                  message: 'no such approval',
                  details: [{ path: 'id', message: 'no such approval' }],
                },
              },
            },
          },
        },
        '409': {
          description: '`already_decided`: the approval is no longer pending (approved, rejected, or expired at its deadline).',
          content: {
            'application/json': {
              schema: { $ref: '#/components/schemas/Error' },
              example: {
                error: {
                  code: 'already_decided',
                  message: 'this approval is already expired',
                  details: [{ path: 'id', message: 'this approval is already expired' }],
                },
              },
            },
          },
        },
        '413': { $ref: '#/components/responses/TooLarge' },
        '500': { $ref: '#/components/responses/InternalError' },
      },
    },
  },
  '/v1/templates': {
    get: {
      tags: ['Templates'],
      operationId: 'listTemplates',
      summary: 'List email templates.',
      description: 'Every template, sorted by key, with its latest version.',
      security: [{ bearerApiKey: [] }],
      responses: {
        '200': {
          description: 'The templates.',
          content: {
            'application/json': {
              schema: {
                type: 'object',
                required: ['templates'],
                properties: { templates: { type: 'array', items: { $ref: '#/components/schemas/TemplateSummary' } } },
              },
              example: {
                templates: [
                  {
                    key: 'spring-sale',
                    name: 'Spring sale',
                    category: 'newsletter',
                    latestVersion: 2,
                    updatedAt: '2025-05-14T08:12:00.000Z',
                  },
                  {
                    key: 'welcome',
                    name: 'Welcome',
                    category: 'journeys',
                    latestVersion: 3,
                    updatedAt: '2025-04-30T16:45:10.000Z',
                  },
                ],
              },
            },
          },
        },
        '401': { $ref: '#/components/responses/Unauthorized' },
        '500': { $ref: '#/components/responses/InternalError' },
      },
    },
  },
  '/v1/templates/{key}': {
    get: {
      tags: ['Templates'],
      operationId: 'getTemplate',
      summary: "A template's latest version, or a given one.",
      security: [{ bearerApiKey: [] }],
      parameters: [
        { $ref: '#/components/parameters/TemplateKey' },
        {
          name: 'version',
          in: 'query',
          required: false,
          description:
            'The version to return; the latest by default. Not a positive integer answers 400 (`details[0].path` = `query.version`).',
          schema: { type: 'integer', minimum: 1, maximum: 2147483647 },
        },
      ],
      responses: {
        '200': {
          description: 'The template version.',
          content: {
            'application/json': {
              schema: {
                type: 'object',
                required: ['template'],
                properties: { template: { $ref: '#/components/schemas/Template' } },
              },
            },
          },
        },
        '400': { $ref: '#/components/responses/BadRequest' },
        '401': { $ref: '#/components/responses/Unauthorized' },
        '404': { $ref: '#/components/responses/TemplateNotFound' },
        '500': { $ref: '#/components/responses/InternalError' },
      },
    },
    put: {
      tags: ['Templates'],
      operationId: 'saveTemplate',
      summary: 'Create or update a template (a new version when the content changes).',
      description: `Validates the template (see \`POST /v1/templates/{key}/validate\`) and saves it.
Versions are immutable: a new version is created when the subject,
preheader, assembled MJML, \`from\` or \`replyTo\` differ from the latest
version's (reverting to older content also makes a new version); \`name\` and
\`category\` belong to the template and are updated in place. Sends record the
version they rendered; journeys send the latest version.

201 with \`created: true\` when a version was created; 200 with
\`created: false\` when the content equals the latest version. 400
\`validation_failed\` for a malformed body (unknown fields included) or \`{key}\`
(\`details[0].path\` = \`key\`); 400 \`invalid_template\` when the template does
not validate, with one detail per issue (\`path\`, \`line\`).
`,
      security: [{ bearerApiKey: [] }],
      parameters: [{ $ref: '#/components/parameters/TemplateKey' }],
      requestBody: { $ref: '#/components/requestBodies/TemplateBody' },
      responses: {
        '200': {
          description: 'The content equals the latest version; nothing was created.',
          content: { 'application/json': { schema: { $ref: '#/components/schemas/TemplateSaveResult' } } },
        },
        '201': {
          description: 'A new version was created.',
          content: { 'application/json': { schema: { $ref: '#/components/schemas/TemplateSaveResult' } } },
        },
        '400': { $ref: '#/components/responses/InvalidTemplate' },
        '401': { $ref: '#/components/responses/Unauthorized' },
        '413': { $ref: '#/components/responses/TooLarge' },
        '500': { $ref: '#/components/responses/InternalError' },
      },
    },
  },
  '/v1/templates/{key}/validate': {
    post: {
      tags: ['Templates'],
      operationId: 'validateTemplate',
      summary: 'Check a template without saving it.',
      description: `Runs the checks \`PUT /v1/templates/{key}\` runs and reports every problem with
where it is: the layout and partials exist; Handlebars syntax in \`subject\`,
\`preheader\` and \`mjml\`; every variable and helper is known (against a
sample render context, so \`{{contact.nmae}}\` is reported with its line);
MJML errors (unknown tags, bad nesting, invalid attributes); Handlebars
expressions MJML would drop (outside \`mj-text\`, \`mj-button\`, \`mj-raw\`...);
a non-\`transactional\` template links to \`{{unsubscribeUrl}}\` or
\`{{preferencesUrl}}\`; \`from\` and \`replyTo\` are addresses. Lines are those the
author wrote, in \`mjml\` or in the partial or layout (\`path\`
\`partials/<name>.mjml\`).

200 with the outcome for any well-formed body; 400 \`validation_failed\` for a
malformed body or \`{key}\`.
`,
      security: [{ bearerApiKey: [] }],
      parameters: [{ $ref: '#/components/parameters/TemplateKey' }],
      requestBody: { $ref: '#/components/requestBodies/TemplateBody' },
      responses: {
        '200': {
          description: 'Whether the template is valid, and its issues.',
          content: {
            'application/json': {
              schema: { $ref: '#/components/schemas/TemplateValidation' },
              examples: {
                valid: { summary: 'A valid template', value: { ok: true, issues: [] } },
                invalid: {
                  summary: 'A misspelt variable and no unsubscribe link',
                  value: {
                    ok: false,
                    issues: [
                      { path: 'mjml', line: 4, message: 'unknown variable "contact.nmae"' },
                      {
                        path: 'mjml',
                        line: 9,
                        message:
                          'a marketing email must link to {{unsubscribeUrl}} (or {{preferencesUrl}}); category "transactional" is exempt',
                      },
                    ],
                  },
                },
              },
            },
          },
        },
        '400': { $ref: '#/components/responses/BadRequest' },
        '401': { $ref: '#/components/responses/Unauthorized' },
        '413': { $ref: '#/components/responses/TooLarge' },
        '500': { $ref: '#/components/responses/InternalError' },
      },
    },
  },
  '/v1/templates/{key}/preview': {
    post: {
      tags: ['Templates'],
      operationId: 'previewTemplate',
      summary: 'Render a stored template version.',
      description: `Renders the latest version (or \`version\`) for a contact (\`contactId\`, with
their real consent links) or, without one, for a made-up sample contact.
Sends nothing and records nothing. The body may be omitted.

Checks, in order: the body (400), \`{key}\` (400), the template version (404
\`template_not_found\`), the contact (404 \`contact_not_found\`,
\`details[0].path\` = \`contactId\`), rendering (422 \`render_failed\`).
`,
      security: [{ bearerApiKey: [] }],
      parameters: [{ $ref: '#/components/parameters/TemplateKey' }],
      requestBody: {
        required: false,
        content: {
          'application/json': {
            schema: { $ref: '#/components/schemas/TemplateRenderRequest' },
            example: { contactId: '3f0c2b9e-6a41-4c8e-9d1a-2b7f5e8c4a10', data: { couponCode: 'SPRING20' } },
          },
        },
      },
      responses: {
        '200': {
          description: 'The rendered email.',
          content: { 'application/json': { schema: { $ref: '#/components/schemas/TemplatePreview' } } },
        },
        '400': { $ref: '#/components/responses/BadRequest' },
        '401': { $ref: '#/components/responses/Unauthorized' },
        '404': { $ref: '#/components/responses/TemplateOrContactNotFound' },
        '413': { $ref: '#/components/responses/TooLarge' },
        '422': { $ref: '#/components/responses/RenderFailed' },
        '500': { $ref: '#/components/responses/InternalError' },
      },
    },
  },
  '/v1/templates/{key}/test-send': {
    post: {
      tags: ['Templates'],
      operationId: 'testSendTemplate',
      summary: 'Send a test email of a template to an address.',
      description: `Renders like the preview and sends the result to \`to\` over SMTP, with the
subject prefixed \`[Test] \` and the header \`X-Rapport-Test: <key> v<version>\`.
The consent links in it point at the sample contact, so clicking
"unsubscribe" in a test email never unsubscribes a real contact. Not
recorded as a send, and no consent or sending policy applies.

Checks, in order: the body (400), SMTP is configured (503 \`no_mailer\`),
\`{key}\` (400), the template version (404 \`template_not_found\`), the contact
(404 \`contact_not_found\`), rendering (422 \`render_failed\`). An SMTP failure
answers 500.
`,
      security: [{ bearerApiKey: [] }],
      parameters: [{ $ref: '#/components/parameters/TemplateKey' }],
      requestBody: {
        required: true,
        content: {
          'application/json': {
            schema: { $ref: '#/components/schemas/TemplateTestSendRequest' },
            example: {
              to: 'marketer@example.com',
              contactId: '3f0c2b9e-6a41-4c8e-9d1a-2b7f5e8c4a10',
              data: { couponCode: 'SPRING20' },
            },
          },
        },
      },
      responses: {
        '202': {
          description: 'The SMTP server accepted the test email.',
          content: {
            'application/json': {
              schema: { $ref: '#/components/schemas/TemplateTestSendResult' },
              example: {
                sent: true,
                key: 'spring-sale',
                version: 2,
                subject: '[Test] Spring sale: 20% off for you, Ada',
                messageId: '<1b2c3d4e-5f60-4718-9a2b-3c4d5e6f7a80@rapport.example>',
              },
            },
          },
        },
        '400': { $ref: '#/components/responses/BadRequest' },
        '401': { $ref: '#/components/responses/Unauthorized' },
        '404': { $ref: '#/components/responses/TemplateOrContactNotFound' },
        '413': { $ref: '#/components/responses/TooLarge' },
        '422': { $ref: '#/components/responses/RenderFailed' },
        '500': { $ref: '#/components/responses/InternalError' },
        '503': { $ref: '#/components/responses/NoMailer' },
      },
    },
  },
  '/v1/newsletter/subscriptions': {
    post: {
      tags: ['Newsletter'],
      operationId: 'subscribeNewsletter',
      summary: 'Sign a contact up for the newsletter (double opt-in).',
      description: `For sign-up forms. When the contact's newsletter subscription is already
\`subscribed\`, answers 200 and changes nothing. Otherwise records a
\`newsletter_subscribe_requested\` event (source \`api\`, id
\`newsletter-signup:<id>\`) that creates or updates the contact exactly as
\`POST /v1/contacts\` does and sets their \`subscriptions.newsletter\` to
\`pending\`, then sends the transactional confirmation email (template
\`newsletter-confirm\`) whose link, valid for 7 days, leads to
\`/confirm/{token}\`. No newsletter is sent before the contact confirms.

Idempotent by \`id\`: a repeat records nothing new (\`duplicate: true\`) and sends
no second email (\`confirmation\` reports the first one). Without \`id\`, the
SHA-256 (hex) of the email address and the current UTC date stand in for it
(\`newsletter-signup:<sha256>:<YYYY-MM-DD>\`; the key never holds the address),
so repeats on the same day are duplicates.

The body is validated before SMTP is checked: 400, then 503 \`no_mailer\`.
`,
      security: [{ bearerApiKey: [] }],
      requestBody: {
        required: true,
        content: {
          'application/json': {
            schema: { $ref: '#/components/schemas/NewsletterSubscriptionRequest' },
            example: {
              email: 'grace.hopper@example.com',
              firstName: 'Grace',
              locale: 'en-US',
              id: 'footer-form-7f3a91',
              source: 'blog footer',
            },
          },
        },
      },
      responses: {
        '200': {
          description: 'Already subscribed; nothing was changed or sent.',
          content: {
            'application/json': {
              schema: { $ref: '#/components/schemas/NewsletterSubscriptionResult' },
              example: { status: 'subscribed', contactId: 'c7e1f2a4-5b3d-4e6f-8a9b-1c2d3e4f5a6b' },
            },
          },
        },
        '202': {
          description: 'The subscription is pending; the confirmation email was handled (see `confirmation`).',
          content: {
            'application/json': {
              schema: { $ref: '#/components/schemas/NewsletterSubscriptionResult' },
              example: {
                status: 'pending',
                contactId: 'c7e1f2a4-5b3d-4e6f-8a9b-1c2d3e4f5a6b',
                confirmation: 'sent',
                duplicate: false,
              },
            },
          },
        },
        '400': { $ref: '#/components/responses/BadRequest' },
        '401': { $ref: '#/components/responses/Unauthorized' },
        '413': { $ref: '#/components/responses/TooLarge' },
        '500': { $ref: '#/components/responses/InternalError' },
        '503': { $ref: '#/components/responses/NoMailer' },
      },
    },
  },
  '/v1/segments': {
    get: {
      tags: ['Segments'],
      operationId: 'listSegments',
      summary: 'List saved segments.',
      security: [{ bearerApiKey: [] }],
      responses: {
        '200': {
          description: 'Every segment, by key.',
          content: {
            'application/json': {
              schema: {
                type: 'object',
                required: ['segments'],
                properties: { segments: { type: 'array', items: { $ref: '#/components/schemas/Segment' } } },
              },
            },
          },
        },
        '401': { $ref: '#/components/responses/Unauthorized' },
        '500': { $ref: '#/components/responses/InternalError' },
      },
    },
  },
  '/v1/segments/{key}': {
    get: {
      tags: ['Segments'],
      operationId: 'getSegment',
      summary: 'One segment.',
      security: [{ bearerApiKey: [] }],
      parameters: [{ $ref: '#/components/parameters/SegmentKey' }],
      responses: {
        '200': {
          description: 'The segment.',
          content: { 'application/json': { schema: { $ref: '#/components/schemas/SegmentResult' } } },
        },
        '400': { $ref: '#/components/responses/BadRequest' },
        '401': { $ref: '#/components/responses/Unauthorized' },
        '404': { $ref: '#/components/responses/SegmentNotFound' },
        '500': { $ref: '#/components/responses/InternalError' },
      },
    },
    post: {
      tags: ['Segments'],
      operationId: 'createSegment',
      summary: 'Create a segment.',
      description: `Saves a condition in the journey condition format (\`JourneyCondition\`, with
the \`sum\` aggregate for event conditions) under this key. Conditions on
webhook step results (\`steps.*\`) exist only inside journey runs and are
refused. A taken key answers 409; \`PUT\` replaces.
`,
      security: [{ bearerApiKey: [] }],
      parameters: [{ $ref: '#/components/parameters/SegmentKey' }],
      requestBody: { $ref: '#/components/requestBodies/SegmentBody' },
      responses: {
        '413': { $ref: '#/components/responses/TooLarge' },
        '201': {
          description: 'Created.',
          content: { 'application/json': { schema: { $ref: '#/components/schemas/SegmentResult' } } },
        },
        '400': { $ref: '#/components/responses/BadRequest' },
        '401': { $ref: '#/components/responses/Unauthorized' },
        '409': { $ref: '#/components/responses/SegmentExists' },
        '500': { $ref: '#/components/responses/InternalError' },
      },
    },
    put: {
      tags: ['Segments'],
      operationId: 'putSegment',
      summary: 'Create or replace a segment.',
      description: 'Same body and validation as `POST`; 201 when it was created, 200 when replaced.',
      security: [{ bearerApiKey: [] }],
      parameters: [{ $ref: '#/components/parameters/SegmentKey' }],
      requestBody: { $ref: '#/components/requestBodies/SegmentBody' },
      responses: {
        '413': { $ref: '#/components/responses/TooLarge' },
        '200': {
          description: 'Replaced.',
          content: { 'application/json': { schema: { $ref: '#/components/schemas/SegmentResult' } } },
        },
        '201': {
          description: 'Created.',
          content: { 'application/json': { schema: { $ref: '#/components/schemas/SegmentResult' } } },
        },
        '400': { $ref: '#/components/responses/BadRequest' },
        '401': { $ref: '#/components/responses/Unauthorized' },
        '500': { $ref: '#/components/responses/InternalError' },
      },
    },
  },
  '/v1/segments/{key}/count': {
    get: {
      tags: ['Segments'],
      operationId: 'countSegment',
      summary: 'How many contacts are in the segment now.',
      description:
        'Evaluated in SQL at request time; deleted contacts never count. Subscription states are not considered (a newsletter then sends only to subscribers).',
      security: [{ bearerApiKey: [] }],
      parameters: [{ $ref: '#/components/parameters/SegmentKey' }],
      responses: {
        '409': { $ref: '#/components/responses/SegmentInvalid' },
        '200': {
          description: 'The count.',
          content: {
            'application/json': {
              schema: {
                type: 'object',
                required: ['key', 'count'],
                properties: { key: { type: 'string' }, count: { type: 'integer', minimum: 0 } },
              },
              example: { key: 'big_spenders', count: 1342 },
            },
          },
        },
        '400': { $ref: '#/components/responses/BadRequest' },
        '401': { $ref: '#/components/responses/Unauthorized' },
        '404': { $ref: '#/components/responses/SegmentNotFound' },
        '500': { $ref: '#/components/responses/InternalError' },
      },
    },
  },
  '/v1/segments/{key}/sample': {
    get: {
      tags: ['Segments'],
      operationId: 'sampleSegment',
      summary: 'A few members of the segment (the most recently created), and the count.',
      security: [{ bearerApiKey: [] }],
      parameters: [
        { $ref: '#/components/parameters/SegmentKey' },
        {
          name: 'limit',
          in: 'query',
          required: false,
          description: 'How many contacts (1-100, default 10).',
          schema: { type: 'integer', minimum: 1, maximum: 100, default: 10 },
        },
      ],
      responses: {
        '409': { $ref: '#/components/responses/SegmentInvalid' },
        '200': {
          description: 'The sample.',
          content: {
            'application/json': {
              schema: {
                type: 'object',
                required: ['key', 'count', 'contacts'],
                properties: {
                  key: { type: 'string' },
                  count: { type: 'integer', minimum: 0 },
                  contacts: { type: 'array', items: { $ref: '#/components/schemas/SegmentMember' } },
                },
              },
            },
          },
        },
        '400': { $ref: '#/components/responses/BadRequest' },
        '401': { $ref: '#/components/responses/Unauthorized' },
        '404': { $ref: '#/components/responses/SegmentNotFound' },
        '500': { $ref: '#/components/responses/InternalError' },
      },
    },
  },
  '/v1/newsletters': {
    get: {
      tags: ['Newsletters'],
      operationId: 'listNewsletters',
      summary: 'The last 100 newsletters, newest first (counts from the recipient table).',
      security: [{ bearerApiKey: [] }],
      responses: {
        '200': {
          description: 'The newsletters.',
          content: {
            'application/json': {
              schema: {
                type: 'object',
                required: ['newsletters'],
                properties: { newsletters: { type: 'array', items: { $ref: '#/components/schemas/Newsletter' } } },
              },
            },
          },
        },
        '401': { $ref: '#/components/responses/Unauthorized' },
        '500': { $ref: '#/components/responses/InternalError' },
      },
    },
    post: {
      tags: ['Newsletters'],
      operationId: 'sendNewsletter',
      summary: 'Send a newsletter to a segment.',
      description: `Starts one workflow, \`broadcast/<id>\`, that snapshots the audience (members of
the segment whose \`subscriptions.newsletter\` is \`subscribed\`: pending,
unsubscribed and sunset contacts, contacts unsubscribed from all marketing
email and deleted contacts are left out), then sends in chunks, several at
once, at most \`ratePerMinute\` a minute (and \`domainRatePerMinute\` per
domain), each recipient exactly once. Never-clickers for
whom this would be the fifth unclicked newsletter in a row get
\`reengagementTemplate\` instead. Both templates must have category
\`newsletter\`. Progress: \`GET /v1/newsletters/{id}\`.

With \`sendAt\` (ISO-8601 with a time zone, in the future, at most a year
ahead) the workflow is started with that start delay: the newsletter is
\`scheduled\` until then (the audience is snapshotted at \`sendAt\`, not now), and
can only be cancelled before it starts.
`,
      security: [{ bearerApiKey: [] }],
      requestBody: {
        required: true,
        content: {
          'application/json': {
            schema: { $ref: '#/components/schemas/NewsletterRequest' },
            examples: {
              now: {
                summary: 'Send now',
                value: { name: 'November issue', template: 'newsletter', segment: 'big_spenders', ratePerMinute: 600 },
              },
              scheduled: {
                summary: 'Send at a time',
                value: { name: 'December issue', template: 'newsletter', segment: 'big_spenders', sendAt: '2026-12-24T09:00:00+01:00' },
              },
            },
          },
        },
      },
      responses: {
        '413': { $ref: '#/components/responses/TooLarge' },
        '202': {
          description: 'Started.',
          content: { 'application/json': { schema: { $ref: '#/components/schemas/NewsletterResult' } } },
        },
        '400': { $ref: '#/components/responses/BadRequest' },
        '401': { $ref: '#/components/responses/Unauthorized' },
        '500': { $ref: '#/components/responses/InternalError' },
        '503': { $ref: '#/components/responses/TemporalUnavailable' },
      },
    },
  },
  '/v1/newsletters/{id}': {
    get: {
      tags: ['Newsletters'],
      operationId: 'getNewsletter',
      summary: 'A newsletter and its progress.',
      description: `While it runs, the counts are answered by the workflow (\`live: true\`);
otherwise, or when no worker answers within 3 s, they are read from the
recipient table (\`live: false\`).
`,
      security: [{ bearerApiKey: [] }],
      parameters: [{ $ref: '#/components/parameters/NewsletterId' }],
      responses: {
        '200': {
          description: 'The newsletter.',
          content: { 'application/json': { schema: { $ref: '#/components/schemas/NewsletterResult' } } },
        },
        '400': { $ref: '#/components/responses/BadRequest' },
        '401': { $ref: '#/components/responses/Unauthorized' },
        '404': { $ref: '#/components/responses/NewsletterNotFound' },
        '500': { $ref: '#/components/responses/InternalError' },
      },
    },
  },
  '/v1/newsletters/{id}/pause': {
    post: {
      tags: ['Newsletters'],
      operationId: 'pauseNewsletter',
      summary: 'Pause a newsletter: no more batches until it is resumed (the batch in flight finishes).',
      description:
        'Asks the running workflow (a signal); the status changes within a moment. A `scheduled` newsletter cannot be paused before its start (409 `newsletter_scheduled`): cancel it instead. No request body.',
      security: [{ bearerApiKey: [] }],
      parameters: [{ $ref: '#/components/parameters/NewsletterId' }],
      responses: {
        '202': {
          description: 'Requested.',
          content: {
            'application/json': {
              schema: { $ref: '#/components/schemas/NewsletterAction' },
              example: { id: '0b6f4a52-8f0e-4a53-9d5c-2f1e8a7b6c3d', requested: 'pause' },
            },
          },
        },
        '400': { $ref: '#/components/responses/BadRequest' },
        '401': { $ref: '#/components/responses/Unauthorized' },
        '404': { $ref: '#/components/responses/NewsletterNotFound' },
        '409': { $ref: '#/components/responses/NewsletterFinished' },
        '500': { $ref: '#/components/responses/InternalError' },
        '503': { $ref: '#/components/responses/TemporalUnavailable' },
      },
    },
  },
  '/v1/newsletters/{id}/resume': {
    post: {
      tags: ['Newsletters'],
      operationId: 'resumeNewsletter',
      summary: 'Resume a paused newsletter.',
      description: 'Asks the running workflow (a signal); the status changes within a moment. No request body.',
      security: [{ bearerApiKey: [] }],
      parameters: [{ $ref: '#/components/parameters/NewsletterId' }],
      responses: {
        '202': {
          description: 'Requested.',
          content: {
            'application/json': {
              schema: { $ref: '#/components/schemas/NewsletterAction' },
              example: { id: '0b6f4a52-8f0e-4a53-9d5c-2f1e8a7b6c3d', requested: 'resume' },
            },
          },
        },
        '400': { $ref: '#/components/responses/BadRequest' },
        '401': { $ref: '#/components/responses/Unauthorized' },
        '404': { $ref: '#/components/responses/NewsletterNotFound' },
        '409': { $ref: '#/components/responses/NewsletterFinished' },
        '500': { $ref: '#/components/responses/InternalError' },
        '503': { $ref: '#/components/responses/TemporalUnavailable' },
      },
    },
  },
  '/v1/newsletters/{id}/cancel': {
    post: {
      tags: ['Newsletters'],
      operationId: 'cancelNewsletter',
      summary: 'Cancel a newsletter: recipients not sent to yet are marked skipped.',
      description:
        'Asks the running workflow (a signal); the status changes within a moment. A `scheduled` newsletter cancelled before its start is `cancelled` at once: its run is terminated before it snapshotted or sent anything. No request body.',
      security: [{ bearerApiKey: [] }],
      parameters: [{ $ref: '#/components/parameters/NewsletterId' }],
      responses: {
        '202': {
          description: 'Requested.',
          content: {
            'application/json': {
              schema: { $ref: '#/components/schemas/NewsletterAction' },
              example: { id: '0b6f4a52-8f0e-4a53-9d5c-2f1e8a7b6c3d', requested: 'cancel' },
            },
          },
        },
        '400': { $ref: '#/components/responses/BadRequest' },
        '401': { $ref: '#/components/responses/Unauthorized' },
        '404': { $ref: '#/components/responses/NewsletterNotFound' },
        '409': { $ref: '#/components/responses/NewsletterFinished' },
        '500': { $ref: '#/components/responses/InternalError' },
        '503': { $ref: '#/components/responses/TemporalUnavailable' },
      },
    },
  },
  '/webhooks/{source}': {
    post: {
      tags: ['Webhooks'],
      operationId: 'receiveWebhook',
      summary: 'Receive events from another system.',
      description: `Same body and responses as \`POST /v1/events\`, but authenticated by the
\`Rapport-Signature\` header (see the \`webhookSignature\` security scheme) with
the secret configured for \`{source}\` in \`WEBHOOK_SECRETS\`, not by an API key.
Event ids are scoped to the source (stored as source \`webhook:<source>\`), so the
same id from two sources, or from a webhook and the API, names two events.

The body is read raw (any \`Content-Type\`, at most 1 MB) so the signature covers
the exact bytes sent; it must then be JSON. Checks, in order: the source is
configured (else 404 \`unknown_source\`), the signature is valid and its
timestamp within \`WEBHOOK_TOLERANCE_SECONDS\` (default 300) of the server's
clock (else 401 \`bad_signature\`, \`details[0].path\` = \`header.rapport-signature\`),
the body is JSON (else 400 \`invalid_json\`), then validation as for
\`/v1/events\`.
`,
      security: [{ webhookSignature: [] }],
      parameters: [
        {
          name: 'source',
          in: 'path',
          required: true,
          description: 'The sending system, as named in `WEBHOOK_SECRETS` (e.g. `shop`).',
          schema: { type: 'string' },
          example: 'shop',
        },
      ],
      requestBody: { $ref: '#/components/requestBodies/Events' },
      responses: {
        '202': { $ref: '#/components/responses/EventsAccepted' },
        '207': { $ref: '#/components/responses/EventsPartlyFailed' },
        '400': { $ref: '#/components/responses/BadRequest' },
        '401': {
          description:
            '`bad_signature`: the signature header is missing or malformed, does not match the body, or its timestamp is outside the tolerance window.',
          content: {
            'application/json': {
              schema: { $ref: '#/components/schemas/Error' },
              example: {
                error: {
                  code: 'bad_signature',
                  message: 'timestamp outside the tolerance window',
                  details: [{ path: 'header.rapport-signature', message: 'timestamp outside the tolerance window' }],
                },
              },
            },
          },
        },
        '404': {
          description:
            '`unknown_source`: no secret is configured for `{source}`; or `contact_not_found` for a single event whose contact does not exist.',
          content: {
            'application/json': {
              schema: { $ref: '#/components/schemas/Error' },
              examples: {
                unknownSource: {
                  summary: 'No such webhook source',
                  value: {
                    error: { code: 'unknown_source', message: 'no webhook source "shop" is configured', details: [] },
                  },
                },
                contactNotFound: {
                  summary: 'Unknown contact (single event)',
                  value: {
                    error: {
                      code: 'contact_not_found',
                      message: 'no contact with that id or externalId; include an email to create one',
                      details: [
                        {
                          path: 'contact',
                          message: 'no contact with that id or externalId; include an email to create one',
                        },
                      ],
                    },
                  },
                },
              },
            },
          },
        },
        '409': { $ref: '#/components/responses/ContactConflict' },
        '413': { $ref: '#/components/responses/TooLarge' },
        '429': { $ref: '#/components/responses/Overloaded' },
        '503': { $ref: '#/components/responses/DatabaseBusy' },
        '500': { $ref: '#/components/responses/InternalError' },
      },
    },
  },
  '/a/{token}': {
    get: {
      tags: ['Approvals'],
      operationId: 'showApprovalPage',
      summary: "The approver's page (linked from the approval email).",
      description: `An HTML page naming what is to be approved, with Approve and Reject buttons
that POST back to the same URL. The token is signed, names the approval, and
expires a day after the approval's deadline. Changes nothing.
`,
      security: [],
      parameters: [
        {
          name: 'token',
          in: 'path',
          required: true,
          description: 'Signed approval token from the approval email.',
          schema: { type: 'string' },
        },
      ],
      responses: {
        '200': {
          description: 'The approval page (or, when already decided, who decided what).',
          content: { 'text/html': { schema: { type: 'string' } } },
        },
        '404': {
          description: '`invalid_token`: the link is malformed, tampered with, expired, or names no approval.',
          content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
        },
      },
    },
    post: {
      tags: ['Approvals'],
      operationId: 'decideFromApprovalPage',
      summary: "Record the approver's decision from the approval page.",
      description: `Records the decision as the approver the journey named; it becomes an
\`approval_decided\` event that reaches the waiting run.
`,
      security: [],
      parameters: [
        {
          name: 'token',
          in: 'path',
          required: true,
          description: 'Signed approval token from the approval email.',
          schema: { type: 'string' },
        },
      ],
      requestBody: {
        required: true,
        content: {
          'application/x-www-form-urlencoded': {
            schema: {
              type: 'object',
              required: ['decision'],
              properties: {
                decision: { type: 'string', enum: ['approve', 'reject'] },
                note: { type: 'string', maxLength: 2000 },
              },
            },
            example: { decision: 'approve' },
          },
        },
      },
      responses: {
        '413': { $ref: '#/components/responses/TooLarge' },
        '200': {
          description: 'A page confirming the decision.',
          content: { 'text/html': { schema: { type: 'string' } } },
        },
        '400': { $ref: '#/components/responses/BadRequest' },
        '404': {
          description: '`invalid_token`: the link is malformed, tampered with, expired, or names no approval.',
          content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
        },
        '409': {
          description: '`already_decided`: decided before (or the deadline passed first).',
          content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
        },
      },
    },
  },
  '/u/{token}': {
    get: {
      tags: ['Unsubscribe'],
      operationId: 'showUnsubscribePage',
      summary: 'Unsubscribe confirmation page.',
      description: `A small HTML page asking the recipient to confirm, with a form that POSTs back
to the same URL. Changes nothing.
`,
      security: [],
      parameters: [{ $ref: '#/components/parameters/UnsubscribeToken' }],
      responses: {
        '200': { description: 'The confirmation page.', content: { 'text/html': { schema: { type: 'string' } } } },
        '400': { $ref: '#/components/responses/InvalidToken' },
      },
    },
    post: {
      tags: ['Unsubscribe'],
      operationId: 'unsubscribe',
      summary: 'Unsubscribe (also RFC 8058 one-click).',
      description: `Unsubscribes the contact named in the token from the token's subscription
category (from everything, \`*\`, when the token names none), effective at once:
the contact's \`subscriptions[category]\` becomes \`unsubscribed\` and the address
is added to the suppression list. Idempotent; a token for a contact that no
longer exists also succeeds.

Mail clients call this per RFC 8058 (emails carry \`List-Unsubscribe: <…/u/{token}>\`
and \`List-Unsubscribe-Post: List-Unsubscribe=One-Click\`) with the form body
\`List-Unsubscribe=One-Click\`; the confirmation page's form posts an empty body.
The body is not otherwise inspected.
`,
      security: [],
      parameters: [{ $ref: '#/components/parameters/UnsubscribeToken' }],
      requestBody: {
        required: false,
        content: {
          'application/x-www-form-urlencoded': {
            schema: {
              type: 'object',
              properties: {
                'List-Unsubscribe': {
                  type: 'string',
                  description:
                    'Sent as `One-Click` by mail clients doing RFC 8058 one-click unsubscribe. Not checked: any POST to the link unsubscribes, whatever its body.',
                },
              },
            },
            example: { 'List-Unsubscribe': 'One-Click' },
          },
        },
      },
      responses: {
        '200': {
          description: 'An HTML page confirming the unsubscription.',
          content: { 'text/html': { schema: { type: 'string' } } },
        },
        '400': { $ref: '#/components/responses/InvalidToken' },
        '413': { $ref: '#/components/responses/TooLarge' },
        '500': { $ref: '#/components/responses/InternalError' },
      },
    },
  },
  '/preferences/{token}': {
    get: {
      tags: ['Preferences'],
      operationId: 'showPreferences',
      summary: 'Email preference page.',
      description: `An HTML page with a checkbox per marketing category (\`newsletter\`,
\`journeys\`): \`newsletter\` is ticked only when the contact is \`subscribed\`
(confirmed double opt-in); \`journeys\` is ticked unless the contact is
unsubscribed from it (or \`sunset\`, or \`pending\`). Nothing is ticked when the
contact is unsubscribed from everything. A "No marketing email at
all" box; and transactional email shown as always sent. The form POSTs back
to the same URL. Changes nothing. Every marketing email links here
(\`{{preferencesUrl}}\`).
`,
      security: [],
      parameters: [{ $ref: '#/components/parameters/PreferencesToken' }],
      responses: {
        '200': { description: 'The preference page.', content: { 'text/html': { schema: { type: 'string' } } } },
        '400': { $ref: '#/components/responses/InvalidToken' },
        '404': { $ref: '#/components/responses/NoSuchContactForLink' },
        '500': { $ref: '#/components/responses/InternalError' },
      },
    },
    post: {
      tags: ['Preferences'],
      operationId: 'savePreferences',
      summary: 'Save email preferences.',
      description: `Sets every marketing category to \`subscribed\` if its box was ticked (sent as
\`<category>=on\`) and to \`unsubscribed\` otherwise, and the \`*\` (everything)
state to \`unsubscribed\` with \`none=on\`, else to \`subscribed\`; \`none=on\` also
unsubscribes every category. The newsletter is the exception to ticking: only
the double opt-in confirmation subscribes anyone to it, so a ticked
\`newsletter\` keeps a \`subscribed\` contact subscribed and leaves any other
state (none, \`pending\`, \`unsubscribed\`) as it is; the page then says how to
sign up. Effective at once. Each \`unsubscribed\` is added
to the suppression list; choosing a category again lifts an earlier
unsubscribe for it (never a bounce or complaint). Answers an HTML page
listing what the contact will get.
`,
      security: [],
      parameters: [{ $ref: '#/components/parameters/PreferencesToken' }],
      requestBody: {
        required: false,
        content: {
          'application/x-www-form-urlencoded': {
            schema: {
              type: 'object',
              properties: {
                // A box counts as ticked only when sent as `on` (what the page's checkboxes send); any other value is unticked.
                newsletter: {
                  type: 'string',
                  description:
                    '`on`: ticked, to keep getting the newsletter (never subscribes a contact who has not confirmed a sign-up). Any other value, or none, is unticked.',
                },
                journeys: {
                  type: 'string',
                  description: '`on`: ticked, to get tips, offers and follow-ups. Any other value, or none, is unticked.',
                },
                none: {
                  type: 'string',
                  description: '`on`: ticked, for no marketing email at all (overrides the others). Any other value, or none, is unticked.',
                },
              },
            },
            example: { newsletter: 'on' },
          },
        },
      },
      responses: {
        '200': {
          description: 'An HTML page confirming the saved preferences.',
          content: { 'text/html': { schema: { type: 'string' } } },
        },
        '400': { $ref: '#/components/responses/InvalidToken' },
        '404': { $ref: '#/components/responses/NoSuchContactForLink' },
        '413': { $ref: '#/components/responses/TooLarge' },
        '500': { $ref: '#/components/responses/InternalError' },
      },
    },
  },
  '/confirm/{token}': {
    get: {
      tags: ['Newsletter'],
      operationId: 'showConfirmation',
      summary: 'Newsletter confirmation page (double opt-in).',
      description: `The link in the confirmation email sent by \`POST /v1/newsletter/subscriptions\`.
A small HTML page with a button that POSTs back to the same URL. Changes
nothing, so mail scanners that open links subscribe no one.
`,
      security: [],
      parameters: [{ $ref: '#/components/parameters/ConfirmToken' }],
      responses: {
        '200': { description: 'The confirmation page.', content: { 'text/html': { schema: { type: 'string' } } } },
        '400': { $ref: '#/components/responses/InvalidToken' },
      },
    },
    post: {
      tags: ['Newsletter'],
      operationId: 'confirmSubscription',
      summary: 'Confirm a newsletter subscription.',
      description: `Sets the contact's subscription to the token's category (\`newsletter\`) to
\`subscribed\` (lifting an earlier unsubscribe from it) and records a
\`<category>_subscribed\` event (\`newsletter_subscribed\`, source \`consent\`) so
journeys can greet new subscribers; the event is recorded once per
confirmation link, so confirming twice is harmless. The body is not
inspected. Answers an HTML page.
`,
      security: [],
      parameters: [{ $ref: '#/components/parameters/ConfirmToken' }],
      responses: {
        '200': {
          description: 'An HTML page confirming the subscription.',
          content: { 'text/html': { schema: { type: 'string' } } },
        },
        '400': { $ref: '#/components/responses/InvalidToken' },
        '404': { $ref: '#/components/responses/NoSuchContactForLink' },
        '413': { $ref: '#/components/responses/TooLarge' },
        '500': { $ref: '#/components/responses/InternalError' },
      },
    },
  },
  '/t/o/{file}': {
    get: {
      tags: ['Tracking'],
      operationId: 'trackOpen',
      summary: 'Open-tracking pixel.',
      description: `The 1x1 transparent GIF embedded in sent emails. Counts an open on the send
(\`opens\`, and \`firstOpenedAt\` the first time) and records an \`email_opened\`
event on the contact (source \`tracking\`, properties \`sendId\`, \`template\`,
\`journey\`; it updates the contact's \`lastOpenAt\`), which reaches waiting
journeys. Each request counts, repeats included. Sent with
\`Cache-Control: no-store\` so every open reaches the server. A malformed,
altered or foreign token, or one for an unknown send, answers 404
\`not_found\`.
`,
      security: [],
      parameters: [
        {
          name: 'file',
          in: 'path',
          required: true,
          description: 'The signed open token (purpose `open`, naming the send and contact), optionally followed by `.gif`.',
          schema: { type: 'string', pattern: '^[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+(\\.gif)?$' },
          example:
            'eyJwIjoib3BlbiIsImMiOiIzZjBjMmI5ZS02YTQxLTRjOGUtOWQxYS0yYjdmNWU4YzRhMTAiLCJzIjoiNWY2ZTdkOGMtOWIwYS00YzFkLThlMmYtM2E0YjVjNmQ3ZThmIn0.U2EKK4u5gmzbM6sDr6g3Vtb8bw01dsbUxm9e_4AgQro.gif',
        },
      ],
      responses: {
        '200': {
          description: 'A 1x1 transparent GIF.',
          headers: {
            'Cache-Control': { description: '`no-store, no-cache, must-revalidate, private`', schema: { type: 'string' } },
          },
          content: { 'image/gif': { schema: { type: 'string', contentMediaType: 'image/gif' } } },
        },
        '404': { $ref: '#/components/responses/UnknownLink' },
        '500': { $ref: '#/components/responses/InternalError' },
      },
    },
  },
  '/t/c/{token}': {
    get: {
      tags: ['Tracking'],
      operationId: 'trackClick',
      summary: 'Click-through redirect.',
      description: `Every \`http(s)\` link of a sent email is rewritten to this URL. Counts a click
on the send (\`clicks\`, and \`firstClickedAt\` the first time), records an
\`email_clicked\` event on the contact (source \`tracking\`, properties \`sendId\`,
\`template\`, \`journey\`, \`url\`; it updates the contact's \`lastClickAt\` and
resets \`newslettersSinceLastClick\`), then redirects to the URL the token
carries. The token is the only source of the target, so there is no open
redirect: a malformed, altered or foreign token, a target that is not
\`http\`/\`https\`, or an unknown send answers 404 \`not_found\` and redirects
nowhere.
`,
      security: [],
      parameters: [
        {
          name: 'token',
          in: 'path',
          required: true,
          description: 'The signed click token (purpose `click`, naming the send, the contact and the target URL).',
          schema: { type: 'string', pattern: '^[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+$' },
          example:
            'eyJwIjoiY2xpY2siLCJjIjoiM2YwYzJiOWUtNmE0MS00YzhlLTlkMWEtMmI3ZjVlOGM0YTEwIiwicyI6IjVmNmU3ZDhjLTliMGEtNGMxZC04ZTJmLTNhNGI1YzZkN2U4ZiIsInUiOiJodHRwczovL3Nob3AuZXhhbXBsZS9zYWxlIn0.kT1SX4UYmESarodlR7C6_u4SYhHSm0xx2zWwa7JmvPI',
        },
      ],
      responses: {
        '302': {
          description: "Redirect to the link's target.",
          headers: {
            Location: { description: 'The target URL carried by the token.', schema: { type: 'string', format: 'uri' } },
            'Cache-Control': { description: '`no-store, no-cache, must-revalidate, private`', schema: { type: 'string' } },
          },
        },
        '404': { $ref: '#/components/responses/UnknownLink' },
        '500': { $ref: '#/components/responses/InternalError' },
      },
    },
  },
};
