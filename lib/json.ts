// Reading JSON columns: Prisma types them as any JSON value; what we store there
// is an object. Parsed, not cast: anything else reads as an empty object.
import { z } from 'zod';

const storedObject = z.record(z.string(), z.unknown()).catch({});

/** A JSON column's object (attributes, subscriptions, event properties); {} when it holds anything else. */
export function jsonObject(value: unknown): Record<string, unknown> {
  return storedObject.parse(value ?? {});
}
