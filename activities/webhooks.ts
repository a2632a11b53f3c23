// Outgoing webhooks from journeys: signed like incoming ones, with an
// Idempotency-Key so the receiver can drop repeats; retried by Temporal.
import { ApplicationFailure } from '@temporalio/activity';
import { signWebhook } from '../lib/webhook-signature';
import type { ActivityDeps } from './deps';

const MAX_BODY = 16 * 1024;

export function createWebhookActivities(deps: ActivityDeps) {
  return {
    async callWebhook(input: {
      url: string;
      body: Record<string, unknown>;
      contactId: string;
      journeyKey: string;
      idempotencyKey: string;
    }): Promise<{ status: number; body: unknown }> {
      const payload = JSON.stringify({ ...input.body, contactId: input.contactId, journey: input.journeyKey });
      const headers: Record<string, string> = { 'content-type': 'application/json', 'idempotency-key': input.idempotencyKey };
      if (deps.outgoingWebhookSecret) headers['rapport-signature'] = signWebhook(deps.outgoingWebhookSecret, payload);
      const res = await fetch(input.url, { method: 'POST', headers, body: payload, redirect: 'manual' });
      const text = (await res.text()).slice(0, MAX_BODY);
      let body: unknown = text;
      try {
        body = JSON.parse(text);
      } catch {
        // not JSON: keep the text
      }
      if (res.status >= 500 || res.status === 429) throw new Error(`webhook answered ${res.status}`); // retried
      if (res.status >= 400) {
        // A client error will not get better by retrying; the step records it.
        throw ApplicationFailure.nonRetryable(`webhook answered ${res.status}`, 'WebhookRejected');
      }
      return { status: res.status, body };
    },
  };
}
