// /v1/journeys: drafts, validation, publishing, pause/resume, enrolment, runs.
import { Router } from 'express';
import type { Prisma } from '@prisma/client';
import { z } from 'zod';
import { contactRefSchema } from '../../contacts/schema';
import { findContact } from '../../contacts/service';
import { recordSystemEvent } from '../../events/system';
import { journeyWorkflowId } from '../../journeys/ids';
import { SYSTEM_EVENTS } from '../../journeys/match';
import type { JourneyDefinition } from '../../journeys/schema';
import { journeyVersion, publishJourney } from '../../journeys/store';
import { reentryAllowed } from '../../events/dispatcher';
import { validateJourney, type DefinitionIssue } from '../../journeys/validate';
import { resumeSignal, statusQuery } from '../../workflows/signals';
import type { ServerDeps } from '../context';
import { HttpError, parseOr400 } from '../errors';
import { journeySimulateRouter } from './journey-simulate';

const keyParam = z.string().regex(/^[a-z][a-z0-9_-]{0,62}$/, 'must be a journey key');

function issuesToDetails(issues: DefinitionIssue[], prefix: string) {
  return issues.map((i) => ({ path: [prefix, ...i.path.map(String)].filter(Boolean).join('.') || '(body)', message: i.message }));
}

export function journeysRouter(deps: ServerDeps): Router {
  const r = Router();
  const { db } = deps;

  async function context(selfKey?: string) {
    const [templates, journeys] = await Promise.all([
      db.template.findMany({ select: { key: true } }),
      db.journeyDefinition.findMany({ select: { key: true } }),
    ]);
    return {
      templates: new Set(templates.map((t) => t.key)),
      journeys: new Set([...journeys.map((j) => j.key), ...(selfKey ? [selfKey] : [])]),
    };
  }

  async function load(key: string) {
    const j = await db.journeyDefinition.findUnique({
      where: { key: parseOr400(keyParam, key, 'key') },
      include: { versions: { orderBy: { version: 'desc' }, select: { version: true, publishedAt: true, checksum: true } } },
    });
    if (!j) throw new HttpError(404, 'journey_not_found', `no journey "${key}"`);
    return j;
  }

  r.get('/journeys', async (_req, res) => {
    const rows = await db.journeyDefinition.findMany({
      orderBy: { key: 'asc' },
      include: { versions: { orderBy: { version: 'desc' }, take: 1, select: { version: true, publishedAt: true } } },
    });
    const running = await db.journeyRun.groupBy({ by: ['journeyKey'], where: { status: 'running' }, _count: true });
    const counts = new Map(running.map((g) => [g.journeyKey, g._count]));
    res.json({
      journeys: rows.map((j) => ({
        key: j.key,
        name: j.name,
        status: j.status,
        latestVersion: j.versions[0]?.version ?? null,
        publishedAt: j.versions[0]?.publishedAt ?? null,
        running: counts.get(j.key) ?? 0,
      })),
    });
  });

  r.post('/journeys/validate', async (req, res) => {
    const key = typeof req.body?.key === 'string' ? req.body.key : undefined;
    const v = validateJourney(req.body, await context(key));
    res.json({ valid: v.ok, issues: issuesToDetails(v.issues, '') });
  });

  /** Saves the draft (validated). Publishing is a separate, explicit step. */
  r.put('/journeys/:key', async (req, res) => {
    const key = parseOr400(keyParam, req.params.key, 'key');
    const v = validateJourney(req.body, await context(key));
    if (!v.ok) {
      const details = issuesToDetails(v.issues, '');
      throw new HttpError(400, 'invalid_journey', `${details[0]?.path}: ${details[0]?.message}`, details);
    }
    if (v.definition.key !== key) {
      throw new HttpError(400, 'validation_failed', 'key in the body must match the URL', [{ path: 'key', message: `must be "${key}"` }]);
    }
    const draft = v.definition as unknown as Prisma.InputJsonObject;
    const j = await db.journeyDefinition.upsert({
      where: { key },
      create: { key, name: v.definition.name, draft },
      update: { name: v.definition.name, draft },
    });
    res.json({ key: j.key, status: j.status, draft: j.draft });
  });

  r.post('/journeys/:key/publish', async (req, res) => {
    const j = await load(req.params.key);
    const v = validateJourney(j.draft, await context(j.key));
    if (!v.ok) {
      const details = issuesToDetails(v.issues, 'draft');
      throw new HttpError(400, 'invalid_journey', `${details[0]?.path}: ${details[0]?.message}`, details);
    }
    const out = await publishJourney(db, v.definition);
    res.status(out.created ? 201 : 200).json(out);
  });

  /** The journey, its versions, and where running contacts sit (per version and step). */
  r.get('/journeys/:key', async (req, res) => {
    const j = await load(req.params.key);
    const groups = await db.journeyRun.groupBy({
      by: ['journeyVersion', 'currentStep'],
      where: { journeyKey: j.key, status: 'running' },
      _count: true,
    });
    const latest = j.versions[0]?.version ?? null;
    const draft = j.draft as unknown as JourneyDefinition;
    const draftSteps = new Set((draft.steps ?? []).map((s) => s.id));
    const running = groups.map((g) => ({
      version: g.journeyVersion,
      step: g.currentStep,
      contacts: g._count,
      // Runs stay on the version they started on; this says whether the draft still has their step.
      inDraft: g.currentStep === null ? null : draftSteps.has(g.currentStep),
    }));
    res.json({
      key: j.key,
      name: j.name,
      status: j.status,
      latestVersion: latest,
      versions: j.versions.map((v) => ({ version: v.version, publishedAt: v.publishedAt })),
      draft: j.draft,
      running,
    });
  });

  for (const [action, status] of [['pause', 'paused'], ['resume', 'active']] as const) {
    r.post(`/journeys/:key/${action}`, async (req, res) => {
      const j = await load(req.params.key);
      await db.journeyDefinition.update({ where: { id: j.id }, data: { status } });
      let signalled = 0;
      if (action === 'resume' && deps.temporal) {
        // Best effort: held runs also re-check by themselves within 15 minutes.
        const runs = await db.journeyRun.findMany({ where: { journeyKey: j.key, status: 'running' }, select: { workflowId: true } });
        for (const run of runs) {
          await deps.temporal.workflow.getHandle(run.workflowId).signal(resumeSignal).then(() => signalled++, () => undefined);
        }
      }
      res.json({ key: j.key, status, signalled });
    });
  }

  r.post('/journeys/:key/enrol', async (req, res) => {
    const j = await load(req.params.key);
    if (j.versions.length === 0) throw new HttpError(409, 'not_published', `journey "${j.key}" has no published version`);
    const body = parseOr400(z.object({ contact: contactRefSchema, requestId: z.string().min(1).max(200).optional() }), req.body);
    const contact = await findContact(db, body.contact);
    if (!contact) throw new HttpError(404, 'contact_not_found', 'no such contact', [{ path: 'contact', message: 'no such contact' }]);
    // Say now what the dispatcher would otherwise drop silently.
    if (j.status !== 'active') throw new HttpError(409, 'journey_paused', `journey "${j.key}" is ${j.status}; resume it first`);
    const previous = await db.journeyRun.findUnique({ where: { workflowId: journeyWorkflowId(j.key, contact.id) } });
    if (previous?.status === 'running') throw new HttpError(409, 'already_running', 'this contact is in this journey now');
    const latest = await journeyVersion(db, j.key, j.versions[0]!.version);
    if (previous && latest && !reentryAllowed(latest.reentry, previous.startedAt)) {
      throw new HttpError(409, 'reentry_not_allowed', `this contact was in this journey before and its re-entry policy does not allow another run`);
    }
    const requestId = body.requestId ?? `${Date.now()}:${Math.random().toString(36).slice(2)}`;
    const created = await db.$transaction((tx) =>
      recordSystemEvent(tx, {
        contactId: contact.id,
        type: SYSTEM_EVENTS.enrolRequested,
        key: `api-enrol:${j.key}:${requestId}`,
        properties: { journey: j.key },
      }),
    );
    deps.onEventsStored();
    res.status(202).json({ journey: j.key, contactId: contact.id, duplicate: !created, workflowId: journeyWorkflowId(j.key, contact.id) });
  });

  r.get('/journeys/:key/runs/:contactId', async (req, res) => {
    const contactId = parseOr400(z.uuid(), req.params.contactId, 'contactId');
    // Keyed journeys (one run per order, say) name the run with ?runKey=<key value>.
    const runKey = typeof req.query.runKey === 'string' ? req.query.runKey : null;
    const workflowId = journeyWorkflowId(parseOr400(keyParam, req.params.key, 'key'), contactId, runKey);
    const run = await db.journeyRun.findUnique({ where: { workflowId } });
    if (!run) throw new HttpError(404, 'run_not_found', 'this contact has no run of this journey');
    let live: unknown = null;
    if (run.status === 'running' && deps.temporal) {
      live = await deps.temporal.workflow.getHandle(workflowId).query(statusQuery).catch(() => null);
    }
    res.json({ run, live });
  });

  r.use(journeySimulateRouter(deps));
  return r;
}
