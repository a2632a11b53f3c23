// Who a newsletter reaches: the segment's members (contacts aliased `c`) who are
// subscribed to the newsletter and have not unsubscribed from all marketing.
// One rule for the snapshot a broadcast sends to (activities/broadcast.ts) and
// for the audience shown before sending (results.ts).
import { Prisma } from '@prisma/client';
import type { Condition } from '../journeys/schema';
import { segmentWhere } from '../segments/compile';

/** The consent half of the rule, on contacts aliased `c`. */
export const SUBSCRIBED_TO_NEWSLETTER = Prisma.sql`c."subscriptions" ->> 'newsletter' = 'subscribed'
  AND COALESCE(c."subscriptions" ->> '*', '') <> 'unsubscribed'`;

/** The whole rule: members of the segment now, subscribed (contacts aliased `c`). */
export function newsletterAudienceWhere(condition: Condition, now: Date): Prisma.Sql {
  return Prisma.sql`(${segmentWhere(condition, now)}) AND ${SUBSCRIBED_TO_NEWSLETTER}`;
}
