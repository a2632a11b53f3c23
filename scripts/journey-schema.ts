// Writes journeys/journey.schema.json from the zod schema (npm run journeys:schema).
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { journeyJsonSchema } from '../journeys/json-schema';

const out = resolve(import.meta.dirname, '..', 'journeys', 'journey.schema.json');
writeFileSync(out, `${JSON.stringify(journeyJsonSchema(), null, 2)}\n`);
process.stdout.write(`wrote ${out}\n`);
