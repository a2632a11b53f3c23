// Numbers bounded by what the database stores: PostgreSQL `integer` columns and
// comparisons against them fail (a 500) beyond 32 bits.
import { z } from 'zod';

export const INT32_MAX = 2_147_483_647;

/** A whole number that fits an `integer` column. */
export const dbInt = () =>
  z
    .number()
    .int()
    .min(-INT32_MAX - 1)
    .max(INT32_MAX);

/** Amount bounds (sums of money): beyond 10^15, doubles lose cents. */
export const AMOUNT_LIMIT = 1e15;
export const boundedAmount = () => z.number().min(-AMOUNT_LIMIT).max(AMOUNT_LIMIT);
