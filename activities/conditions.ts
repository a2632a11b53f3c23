// Branch decisions, made on fresh data and explained.
import { ApplicationFailure } from '@temporalio/activity';
import { evaluateCondition } from '../journeys/conditions';
import type { Condition } from '../journeys/schema';
import type { ActivityDeps } from './deps';

export function createConditionActivities({ db }: ActivityDeps) {
  return {
    /** Index of the first condition that holds (or null), with a reason for each evaluated one. */
    async evaluateBranch(input: {
      contactId: string;
      conditions: Condition[];
      vars: Record<string, { status: number; body: unknown; error?: string }>;
      now: string;
    }): Promise<{ matched: number | null; explanations: string[] }> {
      const contact = await db.contact.findUnique({ where: { id: input.contactId } });
      if (!contact) throw ApplicationFailure.nonRetryable('contact no longer exists', 'ContactGone');
      const explanations: string[] = [];
      for (const [i, c] of input.conditions.entries()) {
        const e = await evaluateCondition(db, contact, c, input.vars, new Date(input.now));
        explanations.push(e.why);
        if (e.result) return { matched: i, explanations };
      }
      return { matched: null, explanations };
    },
  };
}
