// The Express application: health, the marketer API (/v1), webhooks, links.
import express from 'express';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { requireApiKey } from './auth';
import type { ServerDeps } from './context';
import { errorHandler } from './errors';
import { notFound, refuseUnsupportedMethods } from './methods';
import { noStore, securityHeaders } from './security-headers';
import { metricsHandler, requestObservability } from './observability';
import { approvalLinksRouter } from './routes/approval-links';
import { approvalsRouter } from './routes/approvals';
import { contactImportsRouter } from './routes/contact-imports';
import { contactExportRouter } from './routes/contact-export';
import { contactsRouter } from './routes/contacts';
import { tasksRouter } from './routes/tasks';
import { eventsRouter } from './routes/events';
import { healthRouter } from './routes/health';
import { journeysRouter } from './routes/journeys';
import { newsletterRouter } from './routes/newsletter';
import { newslettersRouter } from './routes/newsletters';
import { segmentsRouter } from './routes/segments';
import { templatesRouter } from './routes/templates';
import { trackingRouter } from './routes/tracking';
import { unsubscribeRouter } from './routes/unsubscribe';
import { webhooksRouter } from './routes/webhooks';
import { workspace } from './dashboard';

export const OPENAPI_PATH = resolve(import.meta.dirname, 'openapi.yaml');

export function createApp(deps: ServerDeps): express.Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', true);
  // First: every response gets its request id, access log line and latency observation.
  app.use(requestObservability(deps.log));
  app.use(securityHeaders());
  app.use(refuseUnsupportedMethods);
  // Pages and links with tokens, and the API (personal data): never cached.
  app.use(['/u', '/preferences', '/confirm', '/a', '/t', '/webhooks', '/v1'], noStore);

  app.use(healthRouter(deps));
  app.get('/metrics', noStore, metricsHandler(deps.metricsToken));
  app.get('/openapi.yaml', (_req, res) => res.type('application/yaml').send(readFileSync(OPENAPI_PATH, 'utf8')));
  // Webhooks read the raw body (for the signature), so they come before express.json().
  app.use(webhooksRouter(deps));
  app.use(unsubscribeRouter(deps));
  app.use(trackingRouter(deps));
  app.use(approvalLinksRouter(deps));
  // One JSON body limit for the whole API (templates are the largest bodies).
  app.use(
    '/v1',
    requireApiKey(deps.apiKeys),
    express.json({ limit: '2mb' }),
    // Before contactsRouter: /contacts/imports is not a contact ref. Import bodies stream (not JSON).
    contactImportsRouter(deps),
    contactExportRouter(deps),
    contactsRouter(deps),
    tasksRouter(deps),
    eventsRouter(deps),
    journeysRouter(deps),
    approvalsRouter(deps),
    templatesRouter(deps),
    newsletterRouter(deps),
    segmentsRouter(deps),
    newslettersRouter(deps),
  );

  // The marketer's workspace (its own API and the web app), after every route above.
  app.use(workspace(deps));

  app.use(notFound);
  app.use(errorHandler(deps.log));
  return app;
}
