// The prose of the request schemas' components (descriptions, examples), laid
// over what zod generates where zod has none. The shapes come from the zod
// schemas themselves (request-schemas.ts).
export interface SchemaDoc {
  /** For constraints zod checks with a refinement, which JSON Schema cannot show by itself. */
  pattern?: string;
  description?: string;
  title?: string;
  example?: unknown;
  examples?: unknown[];
  externalDocs?: { url: string; description?: string };
  properties?: Record<string, { description?: string; example?: unknown; examples?: unknown[] }>;
}

export const requestDocs: Record<string, SchemaDoc> = {
  ContactProfile: {
    description: `Profile fields a caller may set on a contact. Strings are trimmed. Fields left
out are left unchanged; unknown fields are ignored.
`,
    properties: {
      externalId: { description: "The contact's id in the caller's system (CRM, shop). Unique across contacts." },
      firstName: { description: 'Given name.' },
      lastName: { description: 'Family name.' },
      company: { description: 'Company or organisation.' },
      phone: { description: 'Phone number; digits, spaces and `+ ( ) . -` only.' },
      timeZone: {
        description: 'IANA time zone, e.g. `Europe/Paris`; used to schedule sends. Stored default `UTC`.',
        examples: ['Europe/Paris'],
      },
      locale: { description: 'Language tag for email content, e.g. `fr-FR`. Stored default `en`.' },
      currency: { description: 'ISO 4217 currency code, e.g. `EUR`. Stored default `USD`.' },
      ownerEmail: { description: 'Email of the account owner (sales rep); trimmed and lower-cased.' },
      attributes: {
        description: `Free attributes (plan, favourite drink, ...), merged into the stored ones:
each key is set to its value, and a \`null\` value removes the key. Values may
be any JSON.
`,
      },
      tags: { description: 'Replaces the stored tags.' },
      marketingConsent: {
        description: 'Whether the contact agreed to marketing email; setting it records when consent changed.',
      },
    },
  },
  ContactUpsert: {
    description: 'A contact to create or update (`POST /v1/contacts`). Matched by `externalId` when given, else by `email`.',
  },
  ContactRef: {
    description: `Names an existing contact by \`id\`, \`email\` or \`externalId\` (at least one);
looked up by \`id\` when given, else by \`externalId\`, else by \`email\`.
`,
    properties: { email: { description: 'Trimmed and lower-cased before lookup.' } },
  },
  EventContact: {
    description: `The contact an event is about; name it by \`id\`, \`email\` or \`externalId\` (at
least one). With \`email\`, the contact is created or updated exactly as by
\`POST /v1/contacts\` (matched by \`externalId\` when given, else by \`email\`, with
the profile fields given here; \`id\` is then ignored). Without \`email\`, the
contact is looked up by \`id\`, else by \`externalId\`, and must exist (else
\`contact_not_found\`); the profile fields are then ignored.
`,
  },
  EventInput: {
    description: 'One event. Unknown fields are ignored.',
    properties: {
      id: {
        description: `Idempotency id chosen by the sender (trimmed), unique per source. A repeat is
acknowledged (\`duplicate: true\`) without effect.
`,
      },
      type: {
        description: `What happened: lower-case letters, digits and \`_ . : -\`, starting with a
letter (e.g. \`signed_up\`). Journeys trigger and branch on it. Some types
also update the contact: \`purchase\` adds \`properties.amount\` (a number, in
currency units) to \`lifetimeSpendCents\` and counts a purchase;
\`email_clicked\` records the click.
`,
        examples: ['signed_up'],
      },
      properties: { description: 'Details of the event; values are any JSON.' },
      occurredAt: {
        description: 'When it happened (RFC 3339 with `Z` or an offset); defaults to when it was received.',
      },
    },
  },
  EventBatch: { description: 'Several events, stored one by one in order.' },
  JourneyDefinition: {
    description: `A customer journey: its trigger, settings and steps. The same format as the
YAML files in \`journeys/definitions/\`. The zod schema \`journeyDefinitionSchema\`
(\`journeys/schema.ts\`) is the source of truth; the complete JSON Schema is
generated from it into \`journeys/journey.schema.json\` (\`npm run
journeys:schema\`, \`$id\` in \`externalDocs\` below). This description lists
every field and step type; conditions and some nested fields are
summarised (see the JSON Schema for every detail).

A run starts at the first step. A step without \`next\` goes on to the
following step in the list; \`null\` as a target ends the run. The run also
ends, at any step, when one of the \`goals\` occurs, or when the contact is
deleted.

Besides the shape, a definition must make sense (checked on save, validate
and publish; each issue names its path): step ids are unique; every step
named (\`next\`, \`onEvent\`, \`cases[].next\`, ...) exists; \`send_email\`
templates and \`enrol\` journeys exist (a journey cannot enrol into itself);
a condition field \`steps.<id>.…\` names a \`webhook\` step of this journey;
every step can be reached from the first; and no loop runs without a
waiting step (\`wait\`, \`wait_until_window\`, \`wait_for_event\`, \`approval\`).
`,
    title: 'Rapport journey definition',
    externalDocs: {
      description: 'JSON Schema of this format, generated from the zod schema: `journeys/journey.schema.json` in the repository.',
      url: 'https://rapport.dev/schemas/journey.schema.json',
    },
    properties: {
      $schema: { description: 'Ignored; lets YAML and JSON files name the JSON Schema for editors.' },
      key: {
        description: "The journey's key (same rules as a step id). Workflow ids are `journey/<key>/<contactId>`.",
      },
      category: { description: 'Subscription category of its emails (consent is checked against it).' },
      reentry: {
        description: `Whether a contact may run the journey again: \`once\` never again; \`always\`
whenever triggered again after the previous run ended; \`{ cooldown }\` once
this long has passed since the previous run started. A contact never has
two concurrent runs of a journey (per run key).
`,
      },
      goals: { description: 'Events that end a run at any step (e.g. a purchase, `converted`).' },
    },
  },
  JourneyTrigger: { description: 'What starts a run; `type` says which.' },
  JourneyStep: {
    description: `One step; \`type\` says which. Every step has an \`id\` (unique in the journey)
and may have a \`description\`. Steps that do not choose their successor take
\`next\` (default: the following step); the others (\`wait_for_event\`,
\`branch\`, \`split\`, \`approval\`, \`exit\`) name their targets instead.
`,
  },
  JourneyCondition: {
    description: `A condition (summarised; recursive). One of:
\`{ field, op, value? }\` compares a contact field (\`email\`, \`firstName\`,
\`lastName\`, \`company\`, \`timeZone\`, \`locale\`, \`currency\`, \`tier\`, \`tags\`,
\`lifetimeSpend\`, \`loyaltyPoints\`, \`purchaseCount\`, \`lastPurchaseAt\`,
\`newslettersSinceLastClick\`, \`lastClickAt\`, \`lastOpenAt\`, \`createdAt\`,
\`marketingConsent\`, \`ownerEmail\`), \`attributes.<name>\`, or a webhook step's
response \`steps.<stepId>.status\` / \`steps.<stepId>.body.<path>\`;
\`{ event, where?, within?, count?, sum? }\` asks whether the contact had such events
(within a duration; \`count\` \`gte\`/\`lte\`/\`eq\`, default at least one; \`sum\` of a
numeric property, e.g. \`{ property: amount, gt: 500 }\`);
\`{ all: [...] }\`, \`{ any: [...] }\`, \`{ not: ... }\` combine conditions.
`,
  },
  JourneyStepId: {
    description: 'Lower-case letters, digits, `_` or `-`, starting with a letter; at most 63 characters.',
  },
  JourneyDuration: {
    description: 'A positive duration: `90s`, `30m`, `12h`, `3d`, `2w`, or combined like `1d12h`.',
    // journeys/duration.ts WHOLE: zod checks it in a refinement.
    pattern: '^(\\s*\\d+\\s*[smhdw])+\\s*$',
    examples: ['3d'],
  },
  JourneyEventType: { description: 'An event type, as in `EventInput.type`.' },
  EventPropertyFilter: {
    description: `Event property filter: every listed property (a dot-separated path into the
event's \`properties\`) must equal the value, or one of the values of a list:
\`{ "path": "/pricing" }\`, \`{ "sku": ["a", "b"] }\`.
`,
  },
  EnrolRequest: {
    description: 'Whom to enrol. Unknown fields are ignored.',
    properties: {
      requestId: {
        description: 'Idempotency id for this enrolment, per journey; a repeat records nothing (`duplicate: true`).',
      },
    },
  },
  ApprovalDecision: {
    description: 'A decision. Unknown fields are ignored.',
    properties: {
      by: { description: 'Who decided (name or email); trimmed.' },
      note: { description: 'Why; passed to the run with the decision.' },
    },
  },
  TemplateBody: {
    description: `A template to save or validate. Unknown fields are refused (400). Subject,
preheader and MJML are Handlebars templates over the render context:
\`contact\` (\`firstName\`, \`lastName\`, \`company\`, \`email\`, \`tier\`, \`currency\`,
\`locale\`, \`timeZone\`, \`attributes\`, \`tags\`, \`lifetimeSpendCents\`,
\`loyaltyPoints\`, \`purchaseCount\`, \`lastPurchaseAt\`, \`createdAt\`),
\`purchasedSkus\`, \`catalog\`, \`unsubscribeUrl\` (\`null\` in transactional email),
\`preferencesUrl\`, \`confirmUrl\`, \`data\` (per-send data) and \`now\`, with the
helpers \`firstNameOr\`, \`money\`, \`date\` and \`recommend\`.
`,
    properties: {
      name: { description: 'Display name (trimmed).' },
      category: {
        description:
          'Subscription category, e.g. `newsletter`, `journeys` or `transactional` (exempt from the unsubscribe-link requirement and from marketing preferences).',
      },
      mjml: {
        description: `A whole MJML document, or with \`layout\` the content that goes in the
layout's \`{{> body}}\`. \`{{> name}}\` includes \`templates/partials/<name>.mjml\`.
`,
      },
      layout: { description: 'A layout, `templates/layouts/<name>.mjml` (e.g. `default`).' },
      from: { description: 'From header, like `Name <name@example.com>`; `null` or absent uses `MAIL_FROM`.' },
      replyTo: { description: 'Reply-To address.' },
    },
  },
  TemplateRenderRequest: {
    description: 'What to render. Unknown fields are refused (400).',
    properties: {
      contactId: { description: 'Render for this contact; without it, for a sample contact.' },
      data: { description: 'Per-send data (`{{data.x}}`), as a journey step would pass it; any JSON values.' },
      version: { description: 'The version to render; the latest by default.' },
    },
  },
  TemplateTestSendRequest: {
    description: 'What to render (as for the preview), and where to send it. Unknown fields are refused (400).',
    properties: {
      to: { description: 'The address to send the test email to.' },
      contactId: {
        description:
          'Render for this contact (their data; consent links still point at the sample contact); without it, for a sample contact.',
      },
      data: { description: 'Per-send data (`{{data.x}}`); any JSON values.' },
      version: { description: 'The version to send; the latest by default.' },
    },
  },
  NewsletterSubscriptionRequest: { description: 'A sign-up. Profile fields as in `POST /v1/contacts`; unknown fields are ignored.' },
  SegmentBody: { properties: { key: { description: 'If given, must match the URL.' } } },
  NewsletterRequest: {
    properties: {
      template: { description: 'Template key; its category must be `newsletter`.' },
      segment: { description: 'Key of a saved segment.' },
      ratePerMinute: {
        description: 'Most messages sent per minute (a token bucket over the SMTP sends; bursts of at most about 5 s of the rate).',
      },
      domainRatePerMinute: {
        description: `Per recipient domain (lower case), at most this many messages a minute, counted per UTC minute
across every broadcast sending then; recipients beyond it wait for the next minute.
`,
        example: { 'gmail.com': 600, 'yahoo.com': 300 },
      },
      reengagementTemplate: {
        description: 'Sent instead to never-clickers for whom this is the fifth unclicked newsletter in a row.',
      },
    },
  },
  JourneyTriggerEvent: {
    description: 'An event of this type (matching `where`) about the contact.',
    properties: {
      event: { description: 'An event type, or a list of them (any of them starts a run).' },
      key: {
        description:
          'Event property that keys runs, e.g. `properties.orderId`: one run per contact per key value (events without it start nothing).',
      },
    },
  },
  JourneyTriggerCondition: {
    description: 'Evaluated as each event about the contact is recorded; the run starts when it holds.',
  },
  JourneyTriggerAttributeChanged: {
    description: 'A contact attribute changed (through the API or an `update_contact` step).',
    properties: { to: { description: 'Only when it changes to this value.' } },
  },
  JourneyTriggerDate: {
    description: 'A date of the contact, shifted by `offset`; the run waits until then.',
    properties: {
      field: {
        description: '`lastPurchaseAt`, `createdAt`, `lastClickAt`, `lastOpenAt`, or `attributes.<name>` (a date attribute).',
      },
      offset: { description: 'After the date (`30d`), or before it with a minus (`-1d`).' },
      annual: { description: 'Every year on the date (birthdays).' },
    },
  },
  JourneyTriggerApi: { description: 'Only `POST /v1/journeys/{key}/enrol` (or an `enrol` step) starts it.' },
  StepSendEmail: {
    description: 'Sends a template to the contact (consent, suppression and sending policy permitting).',
    properties: {
      template: { description: 'Template key: `templates/<key>.mjml` or a template created through the API.' },
      subject: { description: 'Overrides the template subject (Handlebars).' },
      data: {
        description:
          'Extra template data as `{{data.<name>}}`; results of earlier steps are `{{data.steps.<stepId>.body.<field>}}` (coupons, webhook responses).',
      },
    },
  },
  StepWait: { description: 'Waits a fixed time.' },
  StepWaitUntilWindow: {
    description: "Waits until the contact's local time is within the window (on one of `days`).",
    properties: {
      start: { description: 'Window start, `HH:MM` (24 h), contact local time.' },
      end: { description: 'Window end, `HH:MM` (24 h), contact local time.' },
    },
  },
  StepWaitForEvent: {
    description: 'Waits for an event about the contact, at most `timeout`.',
    properties: {
      onEvent: { description: 'Step after the event arrives (`null` ends the run).' },
      onTimeout: { description: 'Step after the timeout (`null` ends the run).' },
    },
  },
  StepBranch: { description: 'Goes to the `next` of the first case whose condition holds, else to `otherwise`.' },
  StepSplit: {
    description: 'A/B split; the same contact always lands in the same variant.',
    properties: { variants: { description: 'Their `percent`s must add up to 100.' } },
  },
  StepUpdateContact: {
    description: 'Changes the contact (attribute changes are recorded as `attribute_changed` events).',
    properties: {
      set: { description: 'Attributes to set (any JSON values).' },
      unset: { description: 'Attributes to remove.' },
      addPoints: { description: 'Loyalty points to add (negative to take away).' },
      subscriptions: {
        description: 'Subscription states to set, e.g. `{ "newsletter": "sunset" }` (kept, never mailed that category again).',
      },
    },
  },
  StepIssueCoupon: {
    description: 'Issues a unique single-use coupon (idempotent per visit); later emails show it as `{{data.steps.<id>.body.code}}`.',
    properties: { value: { description: "Value in the contact's currency units (25 for $25)." } },
  },
  StepCreateTask: {
    description: 'Creates a sales task for a person (and by default emails them about it).',
    properties: {
      owner: {
        description: "Email of the owner, or `contact.owner` for the contact's owning rep (`ownerEmail`).",
      },
      fallbackOwner: { description: 'Used when the contact has no owner.' },
      due: { description: 'Due this long after the step runs.' },
      reason: { description: 'Why (Handlebars over the contact, e.g. `Visited {{event.properties.path}}`).' },
      notify: { description: 'Email the owner about the task.' },
    },
  },
  StepApproval: {
    description: `Asks a person to approve (an \`Approval\`, decided through
\`POST /v1/approvals/{id}/decision\`), and waits for the decision or the
deadline.
`,
    properties: {
      approver: { description: 'Who decides.' },
      subject: { description: 'What is to be approved.' },
      onTimeout: { description: 'What the deadline passing means.' },
    },
  },
  StepWebhook: {
    description: `Calls a URL with POST and a JSON body (the contact id, the run, and \`body\`),
signed with \`OUTGOING_WEBHOOK_SECRET\`. Later \`branch\` conditions can read the
response as \`steps.<id>.status\` and \`steps.<id>.body.<path>\`.
`,
    properties: { body: { description: 'Extra JSON fields sent with the contact id and run.' } },
  },
  StepEnrol: {
    description: 'Enrols the contact in another journey (like `POST /v1/journeys/{key}/enrol`) and goes on.',
    properties: { journey: { description: 'Key of the journey to enrol the contact in (not this one).' } },
  },
  StepExit: { description: 'Ends the run with `outcome`.' },
};
