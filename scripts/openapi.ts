// Writes server/openapi.yaml from the zod schemas (npm run openapi). The server
// serves that file at GET /openapi.yaml; test/unit/openapi.test.ts fails when
// it differs from what this writes.
import { writeFileSync } from 'node:fs';
import { openApiYaml } from '../server/openapi/document';
import { OPENAPI_PATH } from '../server/openapi/path';

writeFileSync(OPENAPI_PATH, openApiYaml());
process.stdout.write(`wrote ${OPENAPI_PATH}\n`);
