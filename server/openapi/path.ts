import { resolve } from 'node:path';

/** The committed, generated copy of the OpenAPI document (served at GET /openapi.yaml). */
export const OPENAPI_PATH = resolve(import.meta.dirname, '..', 'openapi.yaml');
