// /v1/newsletters: send one template to a segment's newsletter subscribers as
// one broadcast workflow; watch its progress; pause, resume or cancel it.
// The logic is in newsletters/broadcasts.ts; this maps HTTP to it.
import { Router, type Request, type Response } from 'express';
import { z } from 'zod';
import {
  controlNewsletter,
  listNewsletters,
  newsletterBodySchema,
  NewsletterError,
  newsletterProgress,
  startNewsletter,
  type NewsletterDeps,
} from '../../newsletters/broadcasts';
import type { ServerDeps } from '../context';
import { HttpError, parseOr400 } from '../errors';

export { newsletterBodySchema };

/** Runs a use case; its NewsletterError becomes the HTTP answer it names. */
async function answer(res: Response, f: () => Promise<unknown>, status = 200): Promise<void> {
  try {
    res.status(status).json(await f());
  } catch (err) {
    if (err instanceof NewsletterError) throw new HttpError(err.status, err.code, err.message, err.details);
    throw err;
  }
}

export function newslettersRouter(deps: ServerDeps): Router {
  const r = Router();
  const uc: NewsletterDeps = { db: deps.db, log: deps.log, temporal: deps.temporal, taskQueue: deps.taskQueue };
  const id = (req: Request) => parseOr400(z.uuid(), req.params.id, 'id');

  r.post('/newsletters', async (req, res) => {
    const body = parseOr400(newsletterBodySchema, req.body);
    await answer(res, async () => ({ newsletter: await startNewsletter(uc, body) }), 202);
  });

  r.get('/newsletters', async (_req, res) => {
    await answer(res, async () => ({ newsletters: await listNewsletters(uc) }));
  });

  r.get('/newsletters/:id', async (req, res) => {
    await answer(res, async () => ({ newsletter: await newsletterProgress(uc, id(req)) }));
  });

  for (const action of ['pause', 'resume', 'cancel'] as const) {
    r.post(`/newsletters/:id/${action}`, async (req, res) => {
      const newsletterId = id(req);
      await answer(
        res,
        async () => {
          await controlNewsletter(uc, newsletterId, action);
          return { id: newsletterId, requested: action };
        },
        202,
      );
    });
  }

  return r;
}
