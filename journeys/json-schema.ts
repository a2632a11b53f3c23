// The JSON Schema of the journey definition format, generated from the zod schema.
import { z } from 'zod';
import { journeyDefinitionSchema } from './schema';

export function journeyJsonSchema(): Record<string, unknown> {
  const schema = z.toJSONSchema(journeyDefinitionSchema, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
  return {
    ...schema,
    $id: 'https://rapport.dev/schemas/journey.schema.json',
    title: 'Rapport journey definition',
    description: 'A customer journey: trigger, settings and steps. See README, "Journey definitions".',
  };
}
