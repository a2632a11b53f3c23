// Unique single-use coupons. Idempotent per journey step visit: a retry returns
// the coupon already issued instead of a second one.
import { randomInt } from 'node:crypto';
import { ApplicationFailure } from '@temporalio/activity';
import { Prisma } from '@prisma/client';
import { durationMs } from '../journeys/duration';
import type { ActivityDeps } from './deps';

// No 0/O/1/I: codes are read aloud and typed in.
const ALPHABET = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789';

export function couponCode(prefix: string): string {
  let s = '';
  for (let i = 0; i < 10; i++) s += ALPHABET[randomInt(ALPHABET.length)];
  return `${prefix}-${s.slice(0, 5)}-${s.slice(5)}`;
}

export interface IssuedCoupon {
  id: string;
  code: string;
  value: number;
  valueCents: number;
  currency: string;
  expiresAt: string | null;
}

export function createCouponActivities({ db }: ActivityDeps) {
  return {
    async issueCoupon(input: {
      contactId: string;
      key: string;
      value: number;
      prefix: string;
      reason: string;
      expiresIn?: string;
      now: string;
    }): Promise<IssuedCoupon> {
      const contact = await db.contact.findUnique({ where: { id: input.contactId } });
      if (!contact) throw ApplicationFailure.nonRetryable('contact no longer exists', 'ContactGone');
      const existing = await db.coupon.findUnique({ where: { idempotencyKey: input.key } });
      const view = (c: { id: string; code: string; valueCents: number; currency: string; expiresAt: Date | null }): IssuedCoupon => ({
        id: c.id,
        code: c.code,
        value: c.valueCents / 100,
        valueCents: c.valueCents,
        currency: c.currency,
        expiresAt: c.expiresAt?.toISOString() ?? null,
      });
      if (existing) return view(existing);
      const expiresAt = input.expiresIn ? new Date(Date.parse(input.now) + durationMs(input.expiresIn)) : null;
      for (let attempt = 0; ; attempt++) {
        try {
          const c = await db.coupon.create({
            data: {
              idempotencyKey: input.key,
              code: couponCode(input.prefix),
              contactId: contact.id,
              reason: input.reason,
              valueCents: Math.round(input.value * 100),
              currency: contact.currency,
              expiresAt,
            },
          });
          return view(c);
        } catch (err) {
          if (!(err instanceof Prisma.PrismaClientKnownRequestError) || err.code !== 'P2002') throw err;
          const raced = await db.coupon.findUnique({ where: { idempotencyKey: input.key } });
          if (raced) return view(raced); // a concurrent attempt of this very step won
          if (attempt >= 5) throw err; // code collisions five times in a row: something is wrong
        }
      }
    },
  };
}
