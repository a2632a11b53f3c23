// Response (and other documentation-only) schemas of the HTTP API, in zod: the
// OpenAPI document (server/openapi/document.ts) is generated from these and from
// the request schemas the routes validate with (requestSchemas). Descriptions and
// examples are the API's documentation: keep them when changing a shape.
import { z } from 'zod';
import { requestSchemas } from './request-schemas';
import { contactExportSchema } from '../../contacts/export';
import { salesTaskSchema } from '../../contacts/sales-tasks';

export const consentAttestationSchema = z
  .strictObject({
    source: z.string().min(1).max(200).meta({ description: 'Where the consent was obtained, e.g. "2024 webinar sign-up form".' }),
    obtainedAt: z
      .union([z.iso.datetime({ offset: true }), z.iso.date()])
      .meta({ description: 'When it was obtained (RFC 3339 date-time or a date); not in the future.' }),
    categories: z.array(z.enum(['newsletter', 'journeys'])).min(1),
    attestedBy: z.string().min(1).max(200).meta({ description: 'Who attests that the consent exists (a person or team).' }),
  })
  .meta({
    description: 'Consent obtained outside Rapport, attested once for a whole import.',
    example: {
      source: 'Webinar sign-up form, 2025',
      obtainedAt: '2025-03-01T10:00:00Z',
      categories: ['newsletter'],
      attestedBy: 'Marketing (Jane Doe)',
    },
  });

export const importRowErrorSchema = z.object({
  line: z.int().meta({
    description: 'Line of the file (1-based; the CSV header is line 1; a CSV row spanning lines: its first line).',
  }),
  field: z.string().meta({
    description: 'The field (e.g. `email`, `attributes.plan`), or `(row)` / `(line)` / `(file)` for the row, line or file as a whole.',
  }),
  reason: z.string(),
});

export const importRowNoteSchema = z.object({
  line: z.int(),
  field: z.string().meta({ description: '`consent` or `marketingConsent`.' }),
  note: z.string().meta({ example: 'not subscribed to newsletter: the contact unsubscribed' }),
});

export const contactImportSchema = z
  .object({
    id: z.uuid(),
    status: z.enum(['queued', 'running', 'completed', 'rejected', 'failed', 'interrupted']).meta({
      description:
        '`rejected`: atomic import with bad rows, nothing kept; `failed`: stopped by a file error or an internal error (see `error`).',
    }),
    format: z.enum(['csv', 'ndjson']),
    dryRun: z.boolean(),
    atomic: z.boolean(),
    written: z.boolean().meta({
      description:
        'Whether the changes counted are kept (never for a dry run; for an atomic import only once completed; otherwise chunk by chunk).',
    }),
    consent: z.union([consentAttestationSchema, z.null()]),
    progress: z.object({
      rowsProcessed: z.int(),
      bytesRead: z.int(),
      totalBytes: z.int().nullable().meta({ description: 'Size of the file when known.' }),
      percent: z
        .int()
        .min(0)
        .max(100)
        .nullable()
        .meta({ description: 'From the bytes read; 100 once finished; null when the size is unknown.' }),
    }),
    summary: z.object({
      rows: z.int().meta({ description: 'Rows read (header and blank lines excluded).' }),
      created: z.int(),
      updated: z.int(),
      unchanged: z.int().meta({ description: 'Valid rows that changed nothing (nothing written for them).' }),
      failed: z.int().meta({ description: 'Rows not imported (one or more errors each).' }),
      subscribed: z.int().meta({ description: 'Contacts newly subscribed by the consent attestation.' }),
      durationMs: z.int().nullable(),
    }),
    errors: z.array(importRowErrorSchema).max(100).meta({ description: 'The first 100 errors, in line order.' }),
    errorsOmitted: z.int().meta({ description: 'Errors beyond the first 100.' }),
    notes: z.array(importRowNoteSchema).max(100),
    notesOmitted: z.int(),
    error: z.string().nullable().meta({ description: 'Why the import as a whole stopped or was rejected.' }),
    createdAt: z.iso.datetime({ offset: true }),
    startedAt: z.iso.datetime({ offset: true }).nullable(),
    finishedAt: z.iso.datetime({ offset: true }).nullable(),
  })
  .meta({ description: "An import's options, progress and report." });

export const contactImportResultSchema = z.object({
  import: contactImportSchema,
});

export const contactConsentsSchema = z.object({
  contactId: z.uuid(),
  subscriptions: z.record(z.string(), z.string()).meta({ description: 'Per category: subscribed, pending, unsubscribed or sunset.' }),
  marketingConsent: z.boolean(),
  consentUpdatedAt: z.iso.datetime({ offset: true }).nullable(),
  records: z.array(
    z.object({
      id: z.uuid(),
      categories: z.array(z.string()),
      source: z.string(),
      obtainedAt: z.iso.datetime({ offset: true }),
      attestedBy: z.string(),
      importId: z.uuid().nullable(),
      recordedAt: z.iso.datetime({ offset: true }),
    }),
  ),
});

export const errorDetailSchema = z.object({
  path: z.string().meta({
    description: `Dot-separated location of the problem: a body field (\`email\`,
\`events.2.contact.externalId\`, \`steps.2.template\`), a query parameter
(\`query.limit\`), a path parameter (\`ref\`, \`key\`, \`id\`, \`contactId\`), a
header (\`header.rapport-signature\`), or \`(body)\` for the body as a whole.
For \`invalid_template\`, a template field or partial file (\`mjml\`,
\`partials/footer.mjml\`).
`,
    examples: ['events.2.type'],
  }),
  line: z
    .int()
    .min(1)
    .meta({
      description: '`invalid_template` and `render_failed` only: the line in that field or file (1-based), when known.',
    })
    .optional(),
  message: z.string().meta({ description: 'What is wrong with it.' }),
});

export const errorObjectSchema = z
  .object({
    code: z.string().meta({
      description: `Machine-readable reason: \`validation_failed\`, \`invalid_json\`,
\`unauthorized\`, \`bad_signature\`, \`invalid_token\`, \`not_found\`,
\`contact_not_found\`, \`unknown_source\`, \`contact_conflict\`, \`too_large\`,
\`invalid_journey\`, \`journey_not_found\`, \`not_published\`, \`run_not_found\`,
\`approval_not_found\`, \`already_decided\`, \`template_not_found\`,
\`invalid_template\`, \`render_failed\`, \`no_mailer\`, \`internal\`.
`,
      examples: ['validation_failed'],
    }),
    message: z.string().meta({
      description: 'Human-readable explanation; for `validation_failed`, the first detail as `<path>: <message>`.',
    }),
    details: z.array(errorDetailSchema).meta({ description: 'The offending fields, one entry each; may be empty.' }),
  })
  .meta({ description: 'What went wrong. Also used per event in a 207 batch result.' });

export const errorSchema = z
  .object({
    error: errorObjectSchema,
  })
  .meta({ description: 'The body of every error response.' });

export const healthCheckSchema = z
  .object({
    ok: z.boolean().meta({ description: 'Whether the dependency answered within 2 seconds.' }),
    latencyMs: z.int().min(0).meta({ description: 'How long the check took, in milliseconds.' }),
    error: z.string().meta({ description: 'First line of the error, when the check failed with one.' }).optional(),
  })
  .meta({ description: "One dependency's check." });

export const healthSchema = z
  .object({
    status: z.enum(['ok', 'degraded']).meta({ description: '`ok` when both checks passed (HTTP 200), `degraded` otherwise (HTTP 503).' }),
    database: healthCheckSchema,
    temporal: healthCheckSchema,
  })
  .meta({ description: 'Result of the health checks.' });

export const readinessSchema = z
  .object({
    status: z.enum(['ok', 'degraded']),
    database: healthCheckSchema,
  })
  .meta({ description: 'Whether the server can accept events.' });

export const contactSchema = z
  .object({
    id: z.uuid().meta({ description: "Rapport's id for the contact." }),
    email: z.email().meta({ description: 'Email address, normalised (trimmed, lower-case).' }),
    externalId: z.string().nullable().meta({ description: "The contact's id in the caller's system." }),
    firstName: z.string().nullable().meta({ description: 'Given name.' }),
    lastName: z.string().nullable().meta({ description: 'Family name.' }),
    company: z.string().nullable().meta({ description: 'Company or organisation.' }),
    phone: z.string().nullable().meta({ description: 'Phone number.' }),
    timeZone: z.string().meta({ description: 'IANA time zone (default `UTC`).' }),
    locale: z.string().meta({ description: 'Language tag (default `en`).' }),
    currency: z.string().regex(new RegExp('^[A-Z]{3}$')).meta({ description: 'ISO 4217 currency code (default `USD`).' }),
    ownerEmail: z.email().nullable().meta({ description: 'Email of the account owner (sales rep).' }),
    attributes: z.record(z.string(), z.unknown()).meta({ description: 'Free attributes; values are any JSON.' }),
    tags: z.array(z.string()).meta({ description: 'Tags.' }),
    subscriptions: z.record(z.string(), z.enum(['subscribed', 'pending', 'unsubscribed'])).meta({
      description: `Subscription state per category (e.g. \`newsletter\`, \`journeys\`); the key \`*\`
stands for all categories. A category not listed has no recorded state.
`,
    }),
    marketingConsent: z.boolean().meta({ description: 'Whether the contact agreed to marketing email.' }),
    lifetimeSpendCents: z.int().meta({ description: "Total of `purchase` event amounts, in cents of the contact's currency." }),
    tier: z.string().nullable().meta({ description: 'Customer tier, when one is set (not settable through this API).' }),
    loyaltyPoints: z.int().meta({ description: 'Loyalty points balance.' }),
    purchaseCount: z.int().min(0).meta({ description: 'Number of `purchase` events.' }),
    lastPurchaseAt: z.iso.datetime({ offset: true }).nullable().meta({ description: 'When the latest `purchase` event occurred.' }),
    nextPurchaseDueAt: z.iso
      .datetime({ offset: true })
      .nullable()
      .meta({
        description:
          'When the next purchase is overdue (from the second purchase on) - the latest purchase plus twice the average interval between purchases, the average counting as at least one day.',
      })
      .optional(),
    newslettersSinceLastClick: z.int().min(0).meta({
      description: 'Newsletters sent since the contact last clicked a link (reset to 0 by an `email_clicked` event).',
    }),
    newsletterSunsetAt: z.iso
      .datetime({ offset: true })
      .nullable()
      .meta({ description: 'When newsletters stop (or stopped) for lack of engagement, if set.' }),
    lastClickAt: z.iso.datetime({ offset: true }).nullable().meta({ description: 'When the contact last clicked a link in an email.' }),
    createdAt: z.iso.datetime({ offset: true }).meta({ description: 'When the contact was created.' }),
    updatedAt: z.iso.datetime({ offset: true }).meta({ description: 'When the contact was last changed.' }),
  })
  .meta({
    description: 'A contact as the API returns it. Every field is always present; unknown values are `null`.',
  });

export const contactUpsertResultSchema = z
  .object({
    contact: contactSchema,
    created: z.boolean().meta({
      description: '`true` when a new contact was created (HTTP 201), `false` when one was updated (HTTP 200).',
    }),
  })
  .meta({ description: 'The contact after the upsert, and whether it was created.' });

export const ingestResultSchema = z
  .object({
    id: z.string().meta({ description: "The sender's idempotency id, as sent." }),
    eventId: z.uuid().meta({ description: "Rapport's id for the stored event (the original one for a duplicate)." }),
    contactId: z.uuid().meta({ description: 'The contact the event was recorded for.' }),
    duplicate: z.boolean().meta({
      description: '`true` when an event with this id had already been received from this source; nothing was changed.',
    }),
  })
  .meta({ description: 'The outcome of storing one event.' });

export const eventFailureSchema = z
  .object({
    id: z.string().meta({ description: "The sender's idempotency id, as sent." }),
    error: errorObjectSchema,
  })
  .meta({ description: 'An event of a batch that was not stored.' });

export const batchIngestResultSchema = z
  .object({
    results: z.array(z.union([ingestResultSchema, eventFailureSchema])),
  })
  .meta({ description: 'The outcome of a batch, one result per event in request order.' });

export const timelineEmailSchema = z
  .object({
    kind: z.literal('email'),
    at: z.iso.datetime({ offset: true }).meta({ description: 'When it was sent, or when it was queued if it was not (yet) sent.' }),
    id: z.uuid().meta({ description: "Rapport's id for the send." }),
    template: z.string().meta({ description: 'Template key.' }),
    templateVersion: z.int().meta({ description: 'The template version that was rendered.' }),
    status: z.enum(['pending', 'sending', 'sent', 'failed', 'indeterminate', 'suppressed', 'deferred']).meta({
      description: `Delivery state. \`indeterminate\`: the SMTP conversation was interrupted and
the message may or may not have gone out (it is not resent);
\`suppressed\`: not sent because the address is unsubscribed or suppressed.
`,
    }),
    subject: z.string().nullable().meta({ description: 'The rendered subject line, once rendered.' }),
    journey: z.string().nullable().meta({ description: 'Key of the journey that sent it; `null` for sends outside journeys.' }),
    step: z.string().nullable().meta({ description: 'Id of the journey step that sent it.' }),
    opens: z.int().min(0).meta({ description: 'Number of recorded opens.' }),
    clicks: z.int().min(0).meta({ description: 'Number of recorded link clicks.' }),
    error: z.string().nullable().meta({ description: 'Why the send failed, if it did.' }),
  })
  .meta({ description: 'An email send (queued, sent, failed or suppressed).' });

export const timelineEventSchema = z
  .object({
    kind: z.literal('event'),
    at: z.iso.datetime({ offset: true }).meta({ description: 'When the event occurred (`occurredAt`).' }),
    id: z.uuid().meta({ description: "Rapport's id for the event (`eventId`)." }),
    type: z.string().meta({ description: 'The event type, e.g. `signed_up`.' }),
    source: z.string().meta({ description: 'Where it came from, `api` or `webhook:<source>`.', examples: ['webhook:shop'] }),
    properties: z.unknown().meta({ description: "The event's properties (any JSON; an object as sent)." }),
  })
  .meta({ description: 'An event the contact did or that happened to them.' });

export const timelineJourneyStepSchema = z
  .object({
    kind: z.literal('journey_step'),
    at: z.iso.datetime({ offset: true }).meta({ description: 'When the step finished.' }),
    id: z.uuid().meta({ description: "Rapport's id for the step log entry." }),
    journey: z.string().meta({ description: 'Journey key, e.g. `welcome`.' }),
    step: z.string().meta({ description: 'Step id within the journey.' }),
    stepType: z.string().meta({ description: "The step's type, e.g. `send_email`, `wait`, `exit`.", examples: ['send_email'] }),
    outcome: z.string().meta({
      description: 'Short machine-readable outcome, e.g. `sent`, `suppressed`, `waited`, `exited`.',
      examples: ['sent'],
    }),
    why: z
      .string()
      .nullable()
      .meta({
        description: `Why the step did what it did, the one field to read for it: a branch's
condition that held (or each that did not, for \`otherwise\`), a split's bucket,
a wait for an event's event or timeout, an approval's decision and who made it,
a send's suppression, a task skipped for want of an owner, an exit's or a run's
end's reason. \`null\` when the step has none (a wait, a contact update, a send
that went out).
`,
        examples: ['lifetimeSpend is 1200, gte 1000 and tier is "gold", neq "platinum"'],
      }),
    detail: z.unknown().meta({
      description: `Step-specific detail (any JSON; usually an object). Deprecated alias: the
\`reason\` in the detail of \`send_email\` and \`exit\` steps and of a run's end
(\`step: "(end)"\`) says what \`why\` says; read \`why\`.
`,
    }),
  })
  .meta({ description: 'A step a journey ran for the contact, and its outcome.' });

export const timelineEntrySchema = z
  .discriminatedUnion('kind', [timelineEventSchema, timelineEmailSchema, timelineJourneyStepSchema])
  .meta({ description: 'One timeline entry; `kind` says which.' });

export const timelineSchema = z
  .object({
    contactId: z.uuid().meta({ description: "The contact's id." }),
    entries: z.array(timelineEntrySchema).meta({ description: 'Newest first.' }),
  })
  .meta({
    description: "A page of a contact's timeline.",
    example: {
      contactId: '3f0c2b9e-6a41-4c8e-9d1a-2b7f5e8c4a10',
      entries: [
        {
          kind: 'journey_step',
          at: '2025-05-14T09:30:14.120Z',
          id: '7a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d',
          journey: 'welcome',
          step: 'welcome_email',
          stepType: 'send_email',
          outcome: 'sent',
          why: null,
          detail: { template: 'welcome', sendId: '5f6e7d8c-9b0a-4c1d-8e2f-3a4b5c6d7e8f', reason: null },
        },
        {
          kind: 'email',
          at: '2025-05-14T09:30:13.870Z',
          id: '5f6e7d8c-9b0a-4c1d-8e2f-3a4b5c6d7e8f',
          template: 'welcome',
          templateVersion: 3,
          status: 'sent',
          subject: 'Welcome to Rapport, Ada!',
          journey: 'welcome',
          step: 'welcome_email',
          opens: 1,
          clicks: 0,
          error: null,
        },
        {
          kind: 'event',
          at: '2025-05-14T09:30:12.000Z',
          id: '9b2d6f3a-1c4e-4f7b-8a5d-0e6c3b1f2a94',
          type: 'signed_up',
          source: 'api',
          properties: { plan: 'free' },
        },
      ],
    },
  });

export const journeyStepTargetSchema = z
  .union([requestSchemas.JourneyStepId, z.null()])
  .meta({ description: 'A step id of this journey, or `null` to end the run.' });

export const jsonScalarSchema = z.union([z.string(), z.number(), z.boolean()]).nullable();

export const journeyStatusSchema = z.enum(['active', 'paused', 'archived']).meta({
  description:
    '`active`: runs start and proceed; `paused`: no run starts, running runs hold before their next step; `archived`: no run starts (not settable through this API).',
});

export const journeySummarySchema = z
  .object({
    key: z.string().meta({ description: "The journey's key." }),
    name: z.string(),
    status: journeyStatusSchema,
    latestVersion: z.int().min(1).nullable().meta({ description: 'The latest published version; `null` when only a draft exists.' }),
    publishedAt: z.iso.datetime({ offset: true }).nullable().meta({ description: 'When the latest version was published.' }),
    running: z.int().min(0).meta({ description: 'Number of running runs, all versions together.' }),
  })
  .meta({ description: 'A journey in the list.' });

export const journeyRunningCountSchema = z.object({
  version: z.int().min(1).meta({ description: 'The version these runs run (the one they started on).' }),
  step: z.string().nullable().meta({
    description: 'The step they are at (the waiting step entered, else the last step finished); `null` before the first step.',
  }),
  contacts: z.int().min(1).meta({ description: 'How many running runs are there.' }),
  inDraft: z.boolean().nullable().meta({ description: 'Whether the current draft still has this step; `null` when `step` is.' }),
});

export const journeySchema = z
  .object({
    key: z.string(),
    name: z.string(),
    status: journeyStatusSchema,
    latestVersion: z.int().min(1).nullable().meta({ description: 'The latest published version; `null` when only a draft exists.' }),
    versions: z
      .array(
        z.object({
          version: z.int().min(1),
          publishedAt: z.iso.datetime({ offset: true }),
        }),
      )
      .meta({ description: 'The published versions, newest first (immutable).' }),
    draft: requestSchemas.JourneyDefinition.meta({ description: 'The draft as last saved or published, defaults filled in.' }),
    running: z.array(journeyRunningCountSchema).meta({ description: 'Running runs, counted per version and step.' }),
  })
  .meta({
    description: 'A journey in detail.',
    example: {
      key: 'trial_conversion',
      name: 'Trial conversion',
      status: 'active',
      latestVersion: 2,
      versions: [
        { version: 2, publishedAt: '2025-05-12T08:00:00.000Z' },
        { version: 1, publishedAt: '2025-05-02T14:30:00.000Z' },
      ],
      draft: {
        key: 'trial_conversion',
        name: 'Trial conversion',
        category: 'journeys',
        trigger: { type: 'event', event: 'trial_started' },
        reentry: 'once',
        goals: [],
        steps: [
          { id: 'welcome_email', type: 'send_email', template: 'welcome' },
          { id: 'wait_3_days', type: 'wait', duration: '3d' },
          { id: 'tips_email', type: 'send_email', template: 'getting-started' },
        ],
      },
      running: [
        { version: 2, step: 'wait_3_days', contacts: 31, inDraft: true },
        { version: 1, step: 'wait_for_project', contacts: 4, inDraft: false },
        { version: 2, step: null, contacts: 1, inDraft: null },
      ],
    },
  });

export const journeyValidationSchema = z
  .object({
    valid: z.boolean(),
    issues: z.array(errorDetailSchema).meta({ description: 'Empty when valid.' }),
  })
  .meta({ description: 'The outcome of validating a definition.' });

export const journeyDraftSavedSchema = z.object({
  key: z.string(),
  status: journeyStatusSchema,
  draft: requestSchemas.JourneyDefinition.meta({ description: 'The stored draft, defaults filled in.' }),
});

export const journeyPublishResultSchema = z.object({
  version: z.int().min(1).meta({ description: 'The published version (the new one, or the latest when nothing changed).' }),
  created: z.boolean().meta({
    description: '`true` when a new version was published (HTTP 201), `false` when the draft equals the latest version (HTTP 200).',
  }),
});

export const journeyStatusChangeSchema = z.object({
  key: z.string(),
  status: z.enum(['active', 'paused']),
  signalled: z.int().min(0).meta({ description: 'Running runs signalled to continue at once (resume only; 0 for pause).' }),
});

export const enrolResultSchema = z.object({
  journey: z.string().meta({ description: "The journey's key." }),
  contactId: z.uuid(),
  duplicate: z.boolean().meta({
    description: '`true` when this `requestId` had already been used for this journey; nothing new was recorded.',
  }),
  workflowId: z.string().meta({
    description: 'The Temporal workflow id the run has (or will have), `journey/<key>/<contactId>`.',
  }),
});

export const journeyRunSchema = z
  .object({
    id: z.uuid(),
    workflowId: z.string().meta({ description: 'The Temporal workflow id.' }),
    contactId: z.uuid(),
    journeyKey: z.string(),
    journeyVersion: z.int().min(1).meta({ description: 'The version it runs.' }),
    status: z.enum(['running', 'completed', 'converted', 'exited', 'failed']),
    currentStep: z.string().nullable().meta({
      description: 'The waiting step entered, else the last step finished; `null` before the first step and once ended.',
    }),
    startedAt: z.iso.datetime({ offset: true }),
    endedAt: z.iso.datetime({ offset: true }).nullable(),
  })
  .meta({ description: "One contact's run through one journey, as stored." });

export const journeyRunLiveSchema = z
  .object({
    journeyKey: z.string(),
    version: z.int(),
    currentStep: z.string().nullable().meta({ description: 'The step it is executing or waiting in.' }),
    nextWakeAt: z.iso.datetime({ offset: true }).nullable().meta({ description: 'When it next wakes up by itself, if it is waiting.' }),
    stepsTaken: z.int().min(0),
    paused: z.boolean().meta({ description: 'Held because the journey is paused.' }),
  })
  .meta({ description: "The run's own view of itself (Temporal query `status`)." });

export const journeyRunViewSchema = z
  .object({
    run: journeyRunSchema,
    live: z.union([journeyRunLiveSchema, z.null()]).meta({
      description: "The run's state from Temporal while it is running; `null` otherwise or when Temporal does not answer.",
    }),
  })
  .meta({
    example: {
      run: {
        id: '2b3c4d5e-6f70-4812-9a3b-4c5d6e7f8091',
        workflowId: 'journey/trial_conversion/3f0c2b9e-6a41-4c8e-9d1a-2b7f5e8c4a10',
        contactId: '3f0c2b9e-6a41-4c8e-9d1a-2b7f5e8c4a10',
        journeyKey: 'trial_conversion',
        journeyVersion: 2,
        status: 'running',
        currentStep: 'wait_3_days',
        startedAt: '2025-05-14T09:30:13.000Z',
        endedAt: null,
      },
      live: {
        journeyKey: 'trial_conversion',
        version: 2,
        currentStep: 'wait_3_days',
        nextWakeAt: '2025-05-17T09:30:14.000Z',
        stepsTaken: 1,
        paused: false,
      },
    },
  });

export const approvalSchema = z
  .object({
    id: z.uuid(),
    idempotencyKey: z.string().meta({ description: '`<workflowId>:<stepId>:<step count>`: makes the approval step create it once.' }),
    contactId: z.uuid().meta({ description: 'The contact the run is for.' }),
    workflowId: z.string().meta({ description: "The waiting run's workflow id." }),
    approver: z.email().meta({ description: 'Who decides (emailed about it).' }),
    subject: z.string().meta({ description: 'What is to be approved.' }),
    detail: z.unknown().meta({ description: 'Step-specific detail (any JSON; usually an object).' }),
    deadline: z.iso.datetime({ offset: true }).meta({ description: "When the step's `onTimeout` applies (status `expired`)." }),
    status: z.enum(['pending', 'approved', 'rejected', 'expired']),
    decidedBy: z.string().nullable().meta({ description: 'The `by` of the decision; `deadline` when it expired.' }),
    decidedAt: z.iso.datetime({ offset: true }).nullable(),
    notifiedAt: z.iso.datetime({ offset: true }).nullable().meta({ description: 'When the approver was emailed.' }),
    createdAt: z.iso.datetime({ offset: true }),
    contact: z
      .object({ email: z.string(), firstName: z.string().nullable(), lastName: z.string().nullable() })
      .meta({ description: 'Whom the decision is about.' }),
  })
  .meta({
    description: 'A decision a journey run waits for (an `approval` step).',
    example: {
      id: '6d1f0a2b-3c4d-4e5f-8a9b-0c1d2e3f4a5b',
      idempotencyKey: 'journey/big_discount/3f0c2b9e-6a41-4c8e-9d1a-2b7f5e8c4a10:approve_discount:3',
      contactId: '3f0c2b9e-6a41-4c8e-9d1a-2b7f5e8c4a10',
      workflowId: 'journey/big_discount/3f0c2b9e-6a41-4c8e-9d1a-2b7f5e8c4a10',
      approver: 'maria.garcia@example.com',
      subject: '30% discount for Analytical Engines Ltd',
      detail: {},
      deadline: '2025-05-16T09:30:00.000Z',
      status: 'pending',
      decidedBy: null,
      decidedAt: null,
      notifiedAt: '2025-05-14T09:30:02.000Z',
      createdAt: '2025-05-14T09:30:00.000Z',
      contact: { email: 'ada@example.com', firstName: 'Ada', lastName: 'Lovelace' },
    },
  });

export const approvalDecisionResultSchema = z.object({
  id: z.uuid(),
  status: z.enum(['approved', 'rejected']),
});

export const templateSummarySchema = z.object({
  key: z.string(),
  name: z.string(),
  category: z.string().meta({ description: 'Subscription category, e.g. `newsletter`, `journeys`, `transactional`.' }),
  latestVersion: z.int().min(1).nullable(),
  updatedAt: z.iso.datetime({ offset: true }).nullable().meta({ description: 'When the latest version was created.' }),
});

export const templateSchema = z
  .object({
    key: z.string(),
    name: z.string(),
    category: z.string().meta({ description: 'Subscription category; `transactional` email ignores marketing preferences.' }),
    version: z.int().min(1),
    subject: z.string().meta({ description: 'Handlebars.' }),
    preheader: z.string().nullable().meta({ description: 'Handlebars; shown by mail clients after the subject.' }),
    mjml: z.string().meta({
      description: 'The whole MJML document as stored (layout and partials assembled), with Handlebars.',
    }),
    from: z.string().nullable().meta({ description: "From header; `null` uses the server's `MAIL_FROM`." }),
    replyTo: z.string().nullable(),
    createdAt: z.iso.datetime({ offset: true }).meta({ description: 'When this version was created.' }),
  })
  .meta({ description: 'One version of a template.' });

export const templateIssueSchema = z
  .object({
    path: z.string().meta({
      description: 'Which field (`mjml`, `subject`, `preheader`, `from`, `replyTo`, `layout`) or partial file (`partials/<name>.mjml`).',
    }),
    line: z.int().min(1).meta({ description: 'The line in that field or file, when the problem has one.' }).optional(),
    message: z.string(),
  })
  .meta({ description: 'A problem found in a template.' });

export const templateValidationSchema = z.object({
  ok: z.boolean(),
  issues: z.array(templateIssueSchema).meta({ description: 'Empty when the template is valid.' }),
});

export const templateSaveResultSchema = z.object({
  template: templateSchema,
  created: z.boolean().meta({
    description: '`true` when a new version was created (HTTP 201), `false` when the content equals the latest version (HTTP 200).',
  }),
});

export const templatePreviewSchema = z
  .object({
    key: z.string(),
    version: z.int().min(1),
    category: z.string(),
    from: z.string().nullable().meta({ description: "The template's From, else the server's `MAIL_FROM`." }),
    replyTo: z.string().nullable(),
    subject: z.string().meta({ description: 'The rendered subject.' }),
    html: z.string().meta({ description: 'The rendered HTML.' }),
    text: z.string().meta({ description: 'The plain-text part derived from the HTML.' }),
  })
  .meta({
    example: {
      key: 'spring-sale',
      version: 2,
      category: 'newsletter',
      from: 'Rapport <news@rapport.example>',
      replyTo: 'hello@rapport.example',
      subject: 'Spring sale: 20% off for you, Ada',
      html: '<!doctype html><html>…</html>',
      text: `SPRING SALE

Hi Ada, everything is 20% off until Sunday.

Shop the sale [https://shop.example/sale]`,
    },
  });

export const templateTestSendResultSchema = z.object({
  sent: z.literal(true),
  key: z.string(),
  version: z.int().min(1),
  subject: z.string().meta({ description: 'The subject sent, with the `[Test] ` prefix.' }),
  messageId: z.string().meta({ description: 'The Message-ID of the email sent.' }),
});

export const newsletterSubscriptionResultSchema = z.object({
  status: z.enum(['subscribed', 'pending']).meta({
    description: '`subscribed` (HTTP 200): already subscribed; `pending` (HTTP 202): waiting for the contact to confirm.',
  }),
  contactId: z.uuid(),
  confirmation: z
    .enum(['sent', 'suppressed', 'failed', 'indeterminate', 'skipped', 'deferred', 'pending', 'sending'])
    .meta({
      description: `Pending only: what happened to the confirmation email (\`sent\`; \`suppressed\`
when the address is suppressed, e.g. after a hard bounce; \`deferred\` by
the sending policy; ...). For a duplicate, the state of the email sent
the first time.
`,
    })
    .optional(),
  duplicate: z.boolean().meta({ description: 'Pending only; `true` when this sign-up `id` had already been received.' }).optional(),
});

export const segmentSchema = z.object({
  key: z.string(),
  name: z.string(),
  description: z.string().nullable(),
  condition: requestSchemas.JourneyCondition,
  createdAt: z.iso.datetime({ offset: true }),
  updatedAt: z.iso.datetime({ offset: true }),
});

export const segmentResultSchema = z.object({
  segment: segmentSchema,
});

export const segmentMemberSchema = z.object({
  id: z.uuid(),
  email: z.string(),
  firstName: z.string().nullable().optional(),
  lastName: z.string().nullable().optional(),
  tier: z.string().nullable().optional(),
  tags: z.array(z.string()).optional(),
  createdAt: z.iso.datetime({ offset: true }).optional(),
});

export const newsletterSchema = z.object({
  id: z.uuid(),
  name: z.string(),
  template: z.string(),
  reengagementTemplate: z.string(),
  segment: z.string(),
  ratePerMinute: z.int(),
  domainRatePerMinute: z.record(z.string(), z.int()).optional(),
  workflowId: z.string().meta({ description: '`broadcast/<id>`' }),
  status: z.enum(['starting', 'scheduled', 'snapshotting', 'sending', 'paused', 'completed', 'cancelled', 'failed']).meta({
    description: '`scheduled`: waits for `sendAt`; it can only be cancelled until then.',
  }),
  sendAt: z.iso.datetime({ offset: true }).nullable().meta({ description: 'When a scheduled newsletter starts (null: sent at once).' }),
  progress: z.object({
    audience: z.int().nullable().meta({ description: 'Recipients snapshotted (null before the snapshot).' }),
    sent: z.int(),
    failed: z.int(),
    suppressed: z.int().meta({ description: 'Blocked at send time (unsubscribed or suppressed since the snapshot).' }),
    skipped: z.int().meta({ description: 'Not sent because the newsletter was cancelled or the contact deleted.' }),
    remaining: z.int(),
  }),
  live: z.boolean().meta({
    description: 'true: counts answered by the running workflow; false: read from the recipient table.',
  }),
  createdAt: z.iso.datetime({ offset: true }),
  finishedAt: z.iso.datetime({ offset: true }).nullable(),
});

export const newsletterResultSchema = z.object({
  newsletter: newsletterSchema,
});

export const newsletterActionSchema = z.object({
  id: z.uuid(),
  requested: z.enum(['pause', 'resume', 'cancel']),
});

/** Every documentation schema, by its component name. */
const simTime = z.iso.datetime({ offset: true });
/** The answer of POST /v1/journeys/{key}/simulate (simulator/simulate.ts). */
export const simulationResultSchema = z.object({
  journey: z.object({ key: z.string(), version: z.number().int().nullable().describe('null for a draft or a definition in the body') }),
  contact: z.object({ id: z.string().nullable(), described: z.boolean() }),
  startedAt: simTime,
  steps: z
    .array(
      z.object({
        step: z.string(),
        type: z.string(),
        enteredAt: simTime,
        leftAt: simTime,
        outcome: z.string().describe('As on the timeline (`sent`, `waited`, a branch label, `interrupted`...).'),
        why: z.string().nullable().describe("Why the step did what it did, as `why` on a timeline's journey_step entries."),
        detail: z.record(z.string(), z.unknown()),
      }),
    )
    .describe('Every step visited, in order, with the simulated times it was entered and left.'),
  emails: z.array(
    z.object({
      step: z.string(),
      template: z.string(),
      at: simTime,
      outcome: z.enum(['sent', 'suppressed']),
      reason: z.string().nullable(),
    }),
  ),
  decisions: z
    .array(z.object({ step: z.string(), type: z.string(), at: simTime, outcome: z.string(), why: z.string() }))
    .describe('Branches, splits, waits for events and approvals, with their reason.'),
  events: z.array(
    z.object({
      type: z.string(),
      at: simTime,
      heard: z.boolean().describe('Delivered to the run (the journey reacts to this type); false also for events after the end.'),
    }),
  ),
  end: z.object({
    status: z.enum(['completed', 'converted', 'exited', 'failed', 'waiting', 'stopped']),
    at: simTime,
    reason: z.string().nullable().optional(),
    step: z.string().nullable().optional().describe('For `waiting` and `stopped`: where.'),
    until: z.string().nullable().optional().describe('For `waiting`: when the wait would end (null: never by itself).'),
  }),
});

export const responseSchemas = {
  SimulationResult: simulationResultSchema,
  ContactExport: contactExportSchema,
  SalesTask: salesTaskSchema,
  ConsentAttestation: consentAttestationSchema,
  ImportRowError: importRowErrorSchema,
  ImportRowNote: importRowNoteSchema,
  ContactImport: contactImportSchema,
  ContactImportResult: contactImportResultSchema,
  ContactConsents: contactConsentsSchema,
  Error: errorSchema,
  ErrorObject: errorObjectSchema,
  ErrorDetail: errorDetailSchema,
  Health: healthSchema,
  Readiness: readinessSchema,
  HealthCheck: healthCheckSchema,
  ContactUpsertResult: contactUpsertResultSchema,
  Contact: contactSchema,
  IngestResult: ingestResultSchema,
  EventFailure: eventFailureSchema,
  BatchIngestResult: batchIngestResultSchema,
  Timeline: timelineSchema,
  TimelineEntry: timelineEntrySchema,
  TimelineEvent: timelineEventSchema,
  TimelineEmail: timelineEmailSchema,
  TimelineJourneyStep: timelineJourneyStepSchema,
  JourneyStepTarget: journeyStepTargetSchema,
  JsonScalar: jsonScalarSchema,
  JourneySummary: journeySummarySchema,
  JourneyStatus: journeyStatusSchema,
  Journey: journeySchema,
  JourneyRunningCount: journeyRunningCountSchema,
  JourneyValidation: journeyValidationSchema,
  JourneyDraftSaved: journeyDraftSavedSchema,
  JourneyPublishResult: journeyPublishResultSchema,
  JourneyStatusChange: journeyStatusChangeSchema,
  EnrolResult: enrolResultSchema,
  JourneyRunView: journeyRunViewSchema,
  JourneyRun: journeyRunSchema,
  JourneyRunLive: journeyRunLiveSchema,
  Approval: approvalSchema,
  ApprovalDecisionResult: approvalDecisionResultSchema,
  TemplateSummary: templateSummarySchema,
  Template: templateSchema,
  TemplateIssue: templateIssueSchema,
  TemplateValidation: templateValidationSchema,
  TemplateSaveResult: templateSaveResultSchema,
  TemplatePreview: templatePreviewSchema,
  TemplateTestSendResult: templateTestSendResultSchema,
  NewsletterSubscriptionResult: newsletterSubscriptionResultSchema,
  Segment: segmentSchema,
  SegmentResult: segmentResultSchema,
  SegmentMember: segmentMemberSchema,
  Newsletter: newsletterSchema,
  NewsletterResult: newsletterResultSchema,
  NewsletterAction: newsletterActionSchema,
};
