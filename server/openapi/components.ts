// Shared parts of the operations: security schemes, parameters, request bodies
// and responses (with their examples). Parameter schemas are replaced by the
// zod schemas the routes parse them with (document.ts).
import type { OpenApiObject } from './types';

export const components: Omit<NonNullable<OpenApiObject['components']>, 'schemas'> = {
  securitySchemes: {
    bearerApiKey: {
      type: 'http',
      scheme: 'bearer',
      description: `An API key from \`RAPPORT_API_KEYS\`, sent as \`Authorization: Bearer <key>\`.
A missing or unknown key answers 401 \`unauthorized\`.
`,
    },
    webhookSignature: {
      type: 'apiKey',
      in: 'header',
      name: 'Rapport-Signature',
      description: `Not a static key: an HMAC-SHA256 signature of the request, in the form
\`Rapport-Signature: t=<unix seconds>,v1=<hex>\`, where \`<hex>\` is the
lower-case hex HMAC-SHA256, keyed with the source's secret from
\`WEBHOOK_SECRETS\`, of the string \`"<t>.<raw body>"\` (the timestamp, a dot,
then the exact body bytes sent). \`t\` must be within
\`WEBHOOK_TOLERANCE_SECONDS\` (default 300) of the server's clock, which refuses
replays of old requests; a replay inside the window is harmless because event
ids are idempotent. Example (Node.js):
\`createHmac('sha256', secret).update(t + '.').update(body).digest('hex')\`.
A missing, malformed or wrong signature answers 401 \`bad_signature\`.
`,
    },
  },
  parameters: {
    ContactRef: {
      name: 'ref',
      in: 'path',
      required: true,
      description: `The contact's id (UUID) by default; its email with \`by=email\` (trimmed and
lower-cased before lookup); its external id with \`by=externalId\`. With \`by=id\`
a value that is not a UUID answers 400 (\`details[0].path\` = \`ref\`).
`,
      schema: { type: 'string', minLength: 1 },
      example: '3f0c2b9e-6a41-4c8e-9d1a-2b7f5e8c4a10',
    },
    ContactRefBy: {
      name: 'by',
      in: 'query',
      required: false,
      description: 'What `ref` is. An unknown value answers 400 (`details[0].path` = `query.by`).',
      schema: { type: 'string', enum: ['id', 'email', 'externalId'], default: 'id' },
    },
    UnsubscribeToken: {
      name: 'token',
      in: 'path',
      required: true,
      description: `The signed token from the email's unsubscribe link,
\`<base64url payload>.<base64url HMAC>\`. A malformed, altered or foreign token
answers 400 \`invalid_token\`.
`,
      schema: { type: 'string', pattern: '^[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+$' },
      example:
        'eyJwIjoidW5zdWJzY3JpYmUiLCJjIjoiM2YwYzJiOWUtNmE0MS00YzhlLTlkMWEtMmI3ZjVlOGM0YTEwIiwiY2F0IjoibmV3c2xldHRlciJ9.DKh4Nf-PcaVQGwESahwBRD6MSKpdEBDCrtjlWRnMiY4',
    },
    JourneyKey: {
      name: 'key',
      in: 'path',
      required: true,
      description: `The journey's key: lower-case letters, digits, \`_\` or \`-\`, starting with a
letter, at most 63 characters. Anything else answers 400
(\`details[0].path\` = \`key\`).
`,
      schema: { type: 'string', pattern: '^[a-z][a-z0-9_-]{0,62}$' },
      example: 'trial_conversion',
    },
    TemplateKey: {
      name: 'key',
      in: 'path',
      required: true,
      description: `The template's key: lower-case letters, digits, \`_\` or \`-\`, starting with a
letter or digit, at most 100 characters. Anything else answers 400
(\`details[0].path\` = \`key\`).
`,
      schema: { type: 'string', pattern: '^[a-z0-9][a-z0-9_-]{0,99}$' },
      example: 'spring-sale',
    },
    SegmentKey: {
      name: 'key',
      in: 'path',
      required: true,
      description: `The segment's key: lower-case letters, digits, \`_\` or \`-\`, starting with a
letter, at most 63 characters. Anything else answers 400 (\`details[0].path\` = \`key\`).
`,
      schema: { type: 'string', pattern: '^[a-z][a-z0-9_-]{0,62}$' },
      example: 'big_spenders',
    },
    NewsletterId: {
      name: 'id',
      in: 'path',
      required: true,
      description: "The newsletter's id (a UUID); anything else answers 400 (`details[0].path` = `id`).",
      schema: { type: 'string', format: 'uuid' },
      example: '0b6f4a52-8f0e-4a53-9d5c-2f1e8a7b6c3d',
    },
    PreferencesToken: {
      name: 'token',
      in: 'path',
      required: true,
      description: `The signed token from the email's preferences link (\`{{preferencesUrl}}\`),
\`<base64url payload>.<base64url HMAC>\`. A malformed, altered or foreign token
answers 400 \`invalid_token\`. It does not expire.
`,
      schema: { type: 'string', pattern: '^[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+$' },
      example:
        'eyJwIjoicHJlZmVyZW5jZXMiLCJjIjoiM2YwYzJiOWUtNmE0MS00YzhlLTlkMWEtMmI3ZjVlOGM0YTEwIn0.2qDD9BK0CpOz7UgIBLDL3AP9HncQBHFgfyIMd6x-GMc',
    },
    ConfirmToken: {
      name: 'token',
      in: 'path',
      required: true,
      description: `The signed token from the newsletter confirmation email,
\`<base64url payload>.<base64url HMAC>\`. It expires 7 days after the email was
sent; an expired, malformed, altered or foreign token answers 400
\`invalid_token\`.
`,
      schema: { type: 'string', pattern: '^[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+$' },
      example:
        'eyJwIjoiY29uZmlybSIsImMiOiIzZjBjMmI5ZS02YTQxLTRjOGUtOWQxYS0yYjdmNWU4YzRhMTAiLCJjYXQiOiJuZXdzbGV0dGVyIiwiZXhwIjoxNzQ3OTAwODAwfQ.DeilBJfQyEszLAbUecKg3aH-dSN1rXaD1_-vn0EWYJM',
    },
  },
  requestBodies: {
    Events: {
      required: true,
      description: 'One event, or `{ "events": [...] }` with 1 to 500 events.',
      content: {
        'application/json': {
          schema: {
            oneOf: [{ $ref: '#/components/schemas/EventInput' }, { $ref: '#/components/schemas/EventBatch' }],
          },
          examples: {
            single: {
              summary: 'One event',
              value: {
                id: 'order-100234-paid',
                type: 'purchase',
                contact: { email: 'ada.lovelace@example.com', externalId: 'crm-10042', firstName: 'Ada' },
                properties: { orderId: '100234', amount: 129.5, currency: 'GBP', items: [{ sku: 'AE-1', quantity: 1 }] },
                occurredAt: '2025-05-14T09:28:41+01:00',
              },
            },
            batch: {
              summary: 'A batch',
              value: {
                events: [
                  {
                    id: 'signup-5c1e9a',
                    type: 'signed_up',
                    contact: { email: 'grace.hopper@example.com', firstName: 'Grace', marketingConsent: true },
                    properties: { plan: 'free', referrer: 'newsletter' },
                  },
                  {
                    id: 'webinar-2025-05-attended-crm-10042',
                    type: 'webinar.attended',
                    contact: { externalId: 'crm-10042' },
                    properties: { webinar: 'Automating onboarding', minutes: 47 },
                    occurredAt: '2025-05-13T16:00:00Z',
                  },
                ],
              },
            },
          },
        },
      },
    },
    JourneyDefinition: {
      required: true,
      description: 'A journey definition (see the `JourneyDefinition` schema).',
      content: {
        'application/json': {
          schema: { $ref: '#/components/schemas/JourneyDefinition' },
          examples: {
            trialConversion: {
              summary: 'A journey using several step types',
              value: {
                key: 'trial_conversion',
                name: 'Trial conversion',
                description: 'Helps trial users get going; ends when they buy.',
                trigger: { type: 'event', event: 'trial_started' },
                reentry: { cooldown: '90d' },
                goals: [{ event: 'purchase', outcome: 'converted' }],
                steps: [
                  { id: 'welcome_email', type: 'send_email', template: 'welcome' },
                  {
                    id: 'wait_for_project',
                    type: 'wait_for_event',
                    event: 'project_created',
                    timeout: '3d',
                    onEvent: 'tips_email',
                    onTimeout: 'nudge_email',
                  },
                  {
                    id: 'nudge_email',
                    type: 'send_email',
                    template: 'getting-started',
                    subject: 'Need a hand, {{firstNameOr "friend"}}?',
                    next: 'office_hours',
                  },
                  { id: 'tips_email', type: 'send_email', template: 'getting-started' },
                  {
                    id: 'office_hours',
                    type: 'wait_until_window',
                    days: ['mon', 'tue', 'wed', 'thu', 'fri'],
                    start: '09:00',
                    end: '17:00',
                  },
                  {
                    id: 'check_value',
                    type: 'branch',
                    cases: [
                      {
                        when: { field: 'attributes.seats', op: 'gte', value: 10 },
                        next: 'sales_task',
                        label: 'Large team',
                      },
                    ],
                    otherwise: 'done',
                  },
                  {
                    id: 'sales_task',
                    type: 'create_task',
                    owner: 'contact.owner',
                    fallbackOwner: 'sales@example.com',
                    due: '2d',
                    reason: 'Trial with {{contact.attributes.seats}} seats: call {{contact.email}}',
                  },
                  { id: 'done', type: 'exit', outcome: 'completed' },
                ],
              },
            },
          },
        },
      },
    },
    SegmentBody: {
      required: true,
      description: 'A segment (see the `SegmentBody` schema).',
      content: {
        'application/json': {
          schema: { $ref: '#/components/schemas/SegmentBody' },
          examples: {
            bigSpenders: {
              summary: 'Spent more than 500 in 90 days',
              value: {
                name: 'Big spenders',
                condition: { event: 'purchase', within: '90d', sum: { property: 'amount', gt: 500 } },
              },
            },
            pricingTwice: {
              summary: 'Visited the pricing page twice in 7 days',
              value: {
                name: 'Pricing visitors',
                condition: { event: 'page_viewed', where: { path: '/pricing' }, within: '7d', count: { gte: 2 } },
              },
            },
            neverClickedNewsletter: {
              summary: 'Never clicked a newsletter',
              value: {
                name: 'Never clicked a newsletter',
                description: 'No click on an email sent with a newsletter template',
                condition: {
                  not: {
                    event: 'email_clicked',
                    where: { template: ['newsletter', 'newsletter-reengage', 'newsletter-last-chance'] },
                  },
                },
              },
            },
            webinar: {
              summary: 'Attended the webinar, gold tier',
              value: {
                name: 'Webinar attendees',
                condition: {
                  all: [
                    { event: 'webinar_attended', where: { webinar: 'spring-launch' } },
                    { field: 'tier', op: 'eq', value: 'gold' },
                  ],
                },
              },
            },
          },
        },
      },
    },
    TemplateBody: {
      required: true,
      description: 'A template (see the `TemplateBody` schema).',
      content: {
        'application/json': {
          schema: { $ref: '#/components/schemas/TemplateBody' },
          examples: {
            withLayout: {
              summary: 'Content for the default layout',
              value: {
                name: 'Spring sale',
                category: 'newsletter',
                subject: 'Spring sale: 20% off for you, {{firstNameOr "friend"}}',
                preheader: 'Three days only.',
                layout: 'default',
                mjml: `<mj-section background-color="#ffffff" padding="32px 24px">
  <mj-column>
    <mj-text font-size="24px" font-weight="bold">Spring sale</mj-text>
    <mj-text>Hi {{firstNameOr "friend"}}, everything is 20% off until Sunday.</mj-text>
    <mj-button href="https://shop.example/sale">Shop the sale</mj-button>
  </mj-column>
</mj-section>
`,
                from: 'Rapport <news@rapport.example>',
                replyTo: 'hello@rapport.example',
              },
            },
          },
        },
      },
    },
  },
  responses: {
    SegmentInvalid: {
      description:
        '`segment_invalid`: the stored condition no longer passes validation (saved under older rules); `details` names the field. Save the segment again with PUT.',
      content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
    },
    EventsAccepted: {
      description: `Every event was stored (or was a duplicate). A single event answers its
\`IngestResult\`; a batch answers \`{ "results": [...] }\` in request order.
`,
      content: {
        'application/json': {
          schema: {
            oneOf: [{ $ref: '#/components/schemas/IngestResult' }, { $ref: '#/components/schemas/BatchIngestResult' }],
          },
          examples: {
            single: {
              summary: 'One event',
              value: {
                id: 'order-100234-paid',
                eventId: '9b2d6f3a-1c4e-4f7b-8a5d-0e6c3b1f2a94',
                contactId: '3f0c2b9e-6a41-4c8e-9d1a-2b7f5e8c4a10',
                duplicate: false,
              },
            },
            batch: {
              summary: 'A batch',
              value: {
                results: [
                  {
                    id: 'signup-5c1e9a',
                    eventId: '0d8a4e61-7b2c-4f9e-a3d5-6c1b8e2f7a03',
                    contactId: 'c7e1f2a4-5b3d-4e6f-8a9b-1c2d3e4f5a6b',
                    duplicate: false,
                  },
                  {
                    id: 'webinar-2025-05-attended-crm-10042',
                    eventId: '4e5f6a7b-8c9d-4e0f-9a1b-2c3d4e5f6a7b',
                    contactId: '3f0c2b9e-6a41-4c8e-9d1a-2b7f5e8c4a10',
                    duplicate: true,
                  },
                ],
              },
            },
          },
        },
      },
    },
    EventsPartlyFailed: {
      description: `Batch only: some events were stored and some were not. One result per event,
in request order; a failed one carries its \`error\` (\`contact_not_found\` or
\`contact_conflict\`). Storing is idempotent, so the whole batch may be resent.
`,
      content: {
        'application/json': {
          schema: { $ref: '#/components/schemas/BatchIngestResult' },
          example: {
            results: [
              {
                id: 'signup-5c1e9a',
                eventId: '0d8a4e61-7b2c-4f9e-a3d5-6c1b8e2f7a03',
                contactId: 'c7e1f2a4-5b3d-4e6f-8a9b-1c2d3e4f5a6b',
                duplicate: false,
              },
              {
                id: 'webinar-2025-05-attended-crm-99999',
                error: {
                  code: 'contact_not_found',
                  message: 'no contact with that id or externalId; include an email to create one',
                  details: [
                    {
                      path: 'events.1.contact',
                      message: 'no contact with that id or externalId; include an email to create one',
                    },
                  ],
                },
              },
            ],
          },
        },
      },
    },
    BadRequest: {
      description: `\`validation_failed\`: a field is invalid (each one named in \`details\`);
\`invalid_json\`: the body is not valid JSON;
\`bad_path\`: the path has a malformed percent-escape (such as \`%ZZ\`).
`,
      content: {
        'application/json': {
          schema: { $ref: '#/components/schemas/Error' },
          examples: {
            validationFailed: {
              summary: 'Invalid fields',
              value: {
                error: {
                  code: 'validation_failed',
                  message: 'email: must be a valid email address',
                  details: [
                    { path: 'email', message: 'must be a valid email address' },
                    { path: 'timeZone', message: 'must be an IANA time zone such as "Europe/Paris"' },
                  ],
                },
              },
            },
            invalidJson: {
              summary: 'Malformed JSON',
              value: { error: { code: 'invalid_json', message: 'request body is not valid JSON', details: [] } },
            },
          },
        },
      },
    },
    Unauthorized: {
      description: '`unauthorized`: no `Authorization: Bearer <key>` header, or an unknown key.',
      content: {
        'application/json': {
          schema: { $ref: '#/components/schemas/Error' },
          example: {
            error: { code: 'unauthorized', message: 'send the API key as "Authorization: Bearer <key>"', details: [] },
          },
        },
      },
    },
    ContactNotFound: {
      description: '`contact_not_found`: no (non-deleted) contact matches.',
      content: {
        'application/json': {
          schema: { $ref: '#/components/schemas/Error' },
          example: { error: { code: 'contact_not_found', message: 'no contact with email given', details: [] } },
        },
      },
    },
    ContactConflict: {
      description: `\`contact_conflict\`: the email and the externalId given belong to two different
contacts, or the email's contact already has another externalId. Rapport never
merges contacts silently; \`details[0].path\` names the field.
`,
      content: {
        'application/json': {
          schema: { $ref: '#/components/schemas/Error' },
          example: {
            error: {
              code: 'contact_conflict',
              message: 'email belongs to a different contact than externalId; merge them or change one',
              details: [
                {
                  path: 'email',
                  message: 'email belongs to a different contact than externalId; merge them or change one',
                },
              ],
            },
          },
        },
      },
    },
    InvalidToken: {
      description: `\`invalid_token\`: the link's token is malformed, altered, signed with another
secret, made for another purpose (an unsubscribe token on \`/preferences\`,
say) or expired (confirmation links, after 7 days). The message names the
kind of link.
`,
      content: {
        'application/json': {
          schema: { $ref: '#/components/schemas/Error' },
          examples: {
            unsubscribe: {
              summary: 'Unsubscribe link',
              value: {
                error: {
                  code: 'invalid_token',
                  message: 'this unsubscribe link is not valid (or has expired)',
                  details: [],
                },
              },
            },
            preferences: {
              summary: 'Preferences link',
              value: {
                error: {
                  code: 'invalid_token',
                  message: 'this preferences link is not valid (or has expired)',
                  details: [],
                },
              },
            },
            confirmation: {
              summary: 'Confirmation link',
              value: {
                error: {
                  code: 'invalid_token',
                  message: 'this confirmation link is not valid (or has expired)',
                  details: [],
                },
              },
            },
          },
        },
      },
    },
    TooLarge: {
      description:
        '`too_large`: the request body exceeds the size limit (2 MB for `/v1` JSON, 1 MB for webhooks, 10 kB for the unsubscribe, preferences and confirmation forms).',
      content: {
        'application/json': {
          schema: { $ref: '#/components/schemas/Error' },
          example: { error: { code: 'too_large', message: 'request body is too large', details: [] } },
        },
      },
    },
    Overloaded: {
      description: `\`overloaded\`: more requests are storing events than the database can take
right now (\`INGEST_CONCURRENCY\`, \`INGEST_QUEUE_LIMIT\`, \`INGEST_MAX_WAIT_MS\`).
Nothing was stored; retry after the \`Retry-After\` seconds.
`,
      headers: {
        'Retry-After': { description: 'Seconds to wait before retrying.', schema: { type: 'integer', minimum: 1 } },
      },
      content: {
        'application/json': {
          schema: { $ref: '#/components/schemas/Error' },
          example: {
            error: {
              code: 'overloaded',
              message: 'no database connection was free within 2000 ms; retry after 1 s',
              details: [],
            },
          },
        },
      },
    },
    DatabaseBusy: {
      description:
        '`database_busy`: the database had no connection or transaction slot in time. Nothing was stored; retry after `Retry-After` seconds.',
      headers: {
        'Retry-After': { description: 'Seconds to wait before retrying.', schema: { type: 'integer', minimum: 1 } },
      },
      content: {
        'application/json': {
          schema: { $ref: '#/components/schemas/Error' },
          example: { error: { code: 'database_busy', message: 'the database is busy; retry after 1 s', details: [] } },
        },
      },
    },
    InternalError: {
      description: '`internal`: an unexpected error (logged by the server).',
      content: {
        'application/json': {
          schema: { $ref: '#/components/schemas/Error' },
          example: { error: { code: 'internal', message: 'internal error', details: [] } },
        },
      },
    },
    JourneyNotFound: {
      description: '`journey_not_found`: no journey has this key.',
      content: {
        'application/json': {
          schema: { $ref: '#/components/schemas/Error' },
          example: { error: { code: 'journey_not_found', message: 'no journey "trial_conversion"', details: [] } },
        },
      },
    },
    SegmentNotFound: {
      description: '`segment_not_found`: no segment has this key.',
      content: {
        'application/json': {
          schema: { $ref: '#/components/schemas/Error' },
          example: { error: { code: 'segment_not_found', message: 'no segment "big_spenders"', details: [] } },
        },
      },
    },
    SegmentExists: {
      description: '`segment_exists`: a segment has this key already; `PUT` replaces it.',
      content: {
        'application/json': {
          schema: { $ref: '#/components/schemas/Error' },
          example: {
            error: { code: 'segment_exists', message: 'segment "big_spenders" exists; PUT replaces it', details: [] },
          },
        },
      },
    },
    NewsletterNotFound: {
      description: '`newsletter_not_found`: no newsletter has this id.',
      content: {
        'application/json': {
          schema: { $ref: '#/components/schemas/Error' },
          example: { error: { code: 'newsletter_not_found', message: 'no such newsletter', details: [] } },
        },
      },
    },
    NewsletterFinished: {
      description: '`newsletter_finished`: the newsletter is completed, cancelled or failed.',
      content: {
        'application/json': {
          schema: { $ref: '#/components/schemas/Error' },
          example: { error: { code: 'newsletter_finished', message: 'the newsletter is completed', details: [] } },
        },
      },
    },
    TemporalUnavailable: {
      description:
        '`temporal_unavailable`: the workflow could not be started or signalled (Temporal unreachable, or no client configured).',
      content: {
        'application/json': {
          schema: { $ref: '#/components/schemas/Error' },
          example: {
            error: {
              code: 'temporal_unavailable',
              message: 'the broadcast could not be started; try again',
              details: [],
            },
          },
        },
      },
    },
    InvalidJourney: {
      description: `\`invalid_journey\`: the definition is invalid, one detail per issue, each
\`path\` the location inside the definition (\`steps.2.template\`; when
publishing, inside the draft: \`draft.steps.2.template\`); the message is the
first detail as \`<path>: <message>\`. \`validation_failed\`: \`{key}\` is not a
journey key, or the body's \`key\` differs from it (\`details[0].path\` =
\`key\`). \`invalid_json\`: the body is not valid JSON.
`,
      content: {
        'application/json': {
          schema: { $ref: '#/components/schemas/Error' },
          examples: {
            invalidJourney: {
              summary: 'Invalid definition',
              value: {
                error: {
                  code: 'invalid_journey',
                  message: 'steps.2.template: unknown template "getting-startd"',
                  details: [
                    { path: 'steps.2.template', message: 'unknown template "getting-startd"' },
                    { path: 'steps.4.duration', message: 'must be a duration such as "90s", "30m", "12h", "3d", "2w"' },
                  ],
                },
              },
            },
            keyMismatch: {
              summary: "The body's key differs from the URL's",
              value: {
                error: {
                  code: 'validation_failed',
                  message: 'key in the body must match the URL',
                  details: [{ path: 'key', message: 'must be "trial_conversion"' }],
                },
              },
            },
            invalidJson: {
              summary: 'Malformed JSON',
              value: { error: { code: 'invalid_json', message: 'request body is not valid JSON', details: [] } },
            },
          },
        },
      },
    },
    TemplateNotFound: {
      description: '`template_not_found`: no template has this key (or it has no such version).',
      content: {
        'application/json': {
          schema: { $ref: '#/components/schemas/Error' },
          example: {
            error: { code: 'template_not_found', message: 'template "spring-sale" has no version 7', details: [] },
          },
        },
      },
    },
    TemplateOrContactNotFound: {
      description:
        '`template_not_found`: no template has this key (or it has no such version); `contact_not_found`: no (non-deleted) contact has `contactId`.',
      content: {
        'application/json': {
          schema: { $ref: '#/components/schemas/Error' },
          examples: {
            templateNotFound: {
              summary: 'Unknown template or version',
              value: { error: { code: 'template_not_found', message: 'no template "spring-sale"', details: [] } },
            },
            contactNotFound: {
              summary: 'Unknown contact',
              value: {
                error: {
                  code: 'contact_not_found',
                  message: 'no contact with that id',
                  details: [{ path: 'contactId', message: 'no contact with that id' }],
                },
              },
            },
          },
        },
      },
    },
    InvalidTemplate: {
      description: `\`invalid_template\`: the template does not validate; one detail per problem,
with \`path\` (\`mjml\`, \`subject\`, \`preheader\`, \`from\`, \`replyTo\`, \`layout\`, or a
\`partials/<name>.mjml\` file) and, when it has one, \`line\` (1-based, also
prefixed to the message). \`validation_failed\`: the body or \`{key}\` is
malformed (unknown body fields included). \`invalid_json\`: the body is not
valid JSON.
`,
      content: {
        'application/json': {
          schema: { $ref: '#/components/schemas/Error' },
          examples: {
            invalidTemplate: {
              summary: 'Template problems',
              value: {
                error: {
                  code: 'invalid_template',
                  message: '2 problems; first: mjml line 4: unknown variable "contact.nmae"',
                  details: [
                    { path: 'mjml', line: 4, message: 'line 4: unknown variable "contact.nmae"' },
                    { path: 'from', message: 'must be an address like "Name <name@example.com>"' },
                  ],
                },
              },
            },
            validationFailed: {
              summary: 'Malformed body',
              value: {
                error: {
                  code: 'validation_failed',
                  message: 'subject: Too small: expected string to have >=1 characters',
                  details: [{ path: 'subject', message: 'Too small: expected string to have >=1 characters' }],
                },
              },
            },
          },
        },
      },
    },
    RenderFailed: {
      description: `\`render_failed\`: the stored version did not render: MJML errors in it (each
in \`details\`, with its \`line\` in the stored, assembled MJML), or a Handlebars
error on this contact's data (\`details\` empty).
`,
      content: {
        'application/json': {
          schema: { $ref: '#/components/schemas/Error' },
          example: {
            error: {
              code: 'render_failed',
              message: 'template "spring-sale" v2 has MJML errors',
              details: [
                {
                  path: 'mjml',
                  line: 14,
                  message: 'mj-column cannot be used inside mj-body, only inside: mj-attributes, mj-section',
                },
              ],
            },
          },
        },
      },
    },
    NoMailer: {
      description: '`no_mailer`: this server has no SMTP configured (`SMTP_URL`), so it cannot send email.',
      content: {
        'application/json': {
          schema: { $ref: '#/components/schemas/Error' },
          example: {
            error: { code: 'no_mailer', message: 'this server has no SMTP configured (SMTP_URL)', details: [] },
          },
        },
      },
    },
    UnknownLink: {
      description: '`not_found`: the tracking token is malformed, altered, foreign or for an unknown send.',
      content: {
        'application/json': {
          schema: { $ref: '#/components/schemas/Error' },
          example: { error: { code: 'not_found', message: 'unknown link', details: [] } },
        },
      },
    },
    NoSuchContactForLink: {
      description:
        '`not_found`: the contact the link was made for no longer exists (the preference page also treats a deleted contact so).',
      content: {
        'application/json': {
          schema: { $ref: '#/components/schemas/Error' },
          example: { error: { code: 'not_found', message: 'we have no email preferences for you', details: [] } },
        },
      },
    },
  },
};
