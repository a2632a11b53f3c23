// The OpenAPI document of the HTTP API, generated: component schemas from zod
// (the request schemas the routes validate with, and the response schemas of
// response-schemas.ts), laid into the operations' prose (operations.ts,
// components.ts). `npm run openapi` writes it to server/openapi.yaml, which the
// server serves at GET /openapi.yaml; a test holds that copy to this output.
import { stringify } from 'yaml';
import { z } from 'zod';
import { journeyKeyParamSchema } from '../../journeys/use-cases/load';
import { segmentKeySchema } from '../../segments/service';
import { lookupSchema } from '../routes/contacts';
import { templateKeySchema } from '../../email/template-schema';
import { components } from './components';
import { header, paths } from './operations';
import { requestDocs, type SchemaDoc } from './request-docs';
import { requestSchemas, unionOptionSchemas } from './request-schemas';
import { responseSchemas } from './response-schemas';
import type { JsonObject, OpenApiObject } from './types';

const REF = (name: string) => `#/components/schemas/${name}`;

/** Path and query parameters whose schema is the zod schema the route parses them with. */
const PARAMETER_SCHEMAS: Record<string, z.ZodType> = {
  JourneyKey: journeyKeyParamSchema,
  TemplateKey: templateKeySchema,
  SegmentKey: segmentKeySchema,
  NewsletterId: z.uuid(),
  ContactRefBy: lookupSchema.shape.by,
};

const isObject = (v: unknown): v is JsonObject => typeof v === 'object' && v !== null && !Array.isArray(v);

/** JSON Schema of one zod schema, as OpenAPI 3.1 embeds it. */
function jsonSchema(schema: z.ZodType): JsonObject {
  const { $schema: _drop, ...rest } = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as JsonObject;
  return rest;
}

/** Lays the documented prose (request-docs.ts) over a generated schema: the longer prose wins over zod's short describe(). */
function withDoc(schema: JsonObject, doc: SchemaDoc | undefined): JsonObject {
  if (!doc) return schema;
  const { properties: propDocs, ...top } = doc;
  const out: JsonObject = { ...schema };
  for (const [k, v] of Object.entries(top)) out[k] = v;
  if (propDocs && isObject(out.properties)) {
    const props: JsonObject = { ...out.properties };
    for (const [name, d] of Object.entries(propDocs)) {
      const p = props[name];
      if (!isObject(p)) continue;
      const merged: JsonObject = { ...p };
      for (const [k, v] of Object.entries(d)) merged[k] = v;
      props[name] = merged;
    }
    out.properties = props;
  }
  return out;
}

/** A discriminated union names its property and maps each value to its option's component. */
function discriminator(schema: z.ZodType, names: Map<z.ZodType, string>): JsonObject | undefined {
  const def = schema._zod.def as { type: string; discriminator?: string; options?: z.ZodType[] };
  if (def.type !== 'union' || !def.discriminator || !def.options) return undefined;
  const mapping: JsonObject = {};
  for (const o of def.options) {
    const name = names.get(o);
    const value = (o as z.ZodObject).shape?.[def.discriminator] as z.ZodLiteral<string> | undefined;
    if (!name || !value) return undefined; // an inline option: no mapping to give
    mapping[String(value.value)] = REF(name);
  }
  return { propertyName: def.discriminator, mapping };
}

const SHARED = `${REF('__shared')}#/$defs/`;
const SAFE_INT = 9007199254740991;
/** z.json() as zod writes it, its self-references as "SELF". */
const JSON_VALUE = JSON.stringify({
  anyOf: [
    { type: 'string' },
    { type: 'number' },
    { type: 'boolean' },
    { type: 'null' },
    { type: 'array', items: { $ref: 'SELF' } },
    { type: 'object', propertyNames: { type: 'string' }, additionalProperties: { $ref: 'SELF' } },
  ],
});
/**
 * zod spells these formats out as patterns too; the format is the documentation.
 * Not email: what "email" admits varies between validators, and zod's pattern is what the server accepts.
 */
const FORMATS_WITH_PATTERN = new Set(['uuid', 'date-time', 'date']);

/** Rewrites $refs by `rename`, and trims what zod adds that says nothing to a reader. */
function tidy(node: unknown, rename: (ref: string) => string): unknown {
  if (Array.isArray(node)) return node.map((n) => tidy(n, rename));
  if (!isObject(node)) return node;
  const out: JsonObject = {};
  for (const [k, v] of Object.entries(node)) out[k] = k === '$ref' && typeof v === 'string' ? rename(v) : tidy(v, rename);
  if (out.minimum === -SAFE_INT) delete out.minimum;
  if (out.maximum === SAFE_INT) delete out.maximum;
  if (typeof out.format === 'string' && FORMATS_WITH_PATTERN.has(out.format)) delete out.pattern;
  // `X | null` reads best as type [X, "null"] when X is a plain typed schema.
  const any = out.anyOf;
  if (
    Array.isArray(any) &&
    any.length === 2 &&
    isObject(any[1]) &&
    any[1].type === 'null' &&
    Object.keys(any[1]).length === 1 &&
    isObject(any[0]) &&
    typeof any[0].type === 'string'
  ) {
    const { anyOf: _a, ...rest } = out;
    return { ...any[0], type: [any[0].type, 'null'], ...rest };
  }
  return out;
}

/**
 * Schemas zod could not name (the body of a z.lazy, z.json()'s recursive
 * value) land in "__shared"; they become components of their own: a lazy's
 * body takes the name of the registered lazy, JSON values are "JsonValue".
 */
function hoistShared(schemas: Record<string, JsonObject>): Record<string, JsonObject> {
  const shared = (schemas.__shared?.$defs ?? {}) as Record<string, JsonObject>;
  delete schemas.__shared;
  const names = new Map<string, string>();
  for (const [name, schema] of Object.entries(schemas)) {
    const ref = schema.$ref;
    if (typeof ref === 'string' && ref.startsWith(SHARED) && Object.keys(schema).length === 1) names.set(ref.slice(SHARED.length), name);
  }
  let n = 0;
  const json = (def: string) => JSON.stringify(shared[def]).replaceAll(`"${SHARED}${def}"`, '"SELF"');
  for (const def of Object.keys(shared)) {
    if (names.has(def)) continue;
    // Every z.json() is the same recursive value: one component for all of them.
    const isJson = json(def) === JSON_VALUE;
    names.set(def, isJson ? 'JsonValue' : `Shared${++n}`);
  }
  const rename = (ref: string) => (ref.startsWith(SHARED) ? REF(names.get(ref.slice(SHARED.length)) ?? ref) : ref);
  const out: Record<string, JsonObject> = {};
  for (const [name, schema] of Object.entries(schemas)) {
    const ref = schema.$ref;
    const body =
      typeof ref === 'string' && ref.startsWith(SHARED) && Object.keys(schema).length === 1 ? shared[ref.slice(SHARED.length)]! : schema;
    out[name] = tidy(body, rename) as JsonObject;
  }
  for (const [def, name] of names) if (out[name] === undefined) out[name] = tidy(shared[def], rename) as JsonObject;
  return out;
}

/** components.schemas: every named zod schema, with references between them. */
function componentSchemas(): Record<string, JsonObject> {
  const named: [string, z.ZodType][] = [
    ...Object.entries(requestSchemas),
    ...Object.entries(unionOptionSchemas),
    ...Object.entries(responseSchemas),
  ];
  const registry = z.registry<{ id: string }>();
  const names = new Map<z.ZodType, string>();
  for (const [name, schema] of named) {
    if (names.has(schema)) throw new Error(`${name} and ${names.get(schema)} are one schema`);
    registry.add(schema, { id: name });
    names.set(schema, name);
  }
  const out = z.toJSONSchema(registry, { io: 'input', unrepresentable: 'any', uri: REF }) as { schemas: Record<string, JsonObject> };
  const generated: Record<string, JsonObject> = {};
  for (const [name, schema] of Object.entries(out.schemas)) {
    const { $schema: _s, $id: _i, ...rest } = schema;
    generated[name] = rest;
  }
  const schemas = hoistShared(generated);
  for (const [name, schema] of named) {
    const disc = discriminator(schema, names);
    schemas[name] = withDoc(disc ? { ...schemas[name]!, discriminator: disc } : schemas[name]!, requestDocs[name]);
  }
  return schemas;
}

export function openApiDocument(): OpenApiObject {
  const parameters: Record<string, JsonObject> = {};
  for (const [name, p] of Object.entries(components.parameters ?? {})) {
    const zod = PARAMETER_SCHEMAS[name];
    parameters[name] = zod
      ? { ...p, schema: { ...(tidy(jsonSchema(zod), (r) => r) as JsonObject), ...pick(p.schema, ['example', 'examples']) } }
      : p;
  }
  return {
    ...header,
    paths,
    components: { ...components, parameters, schemas: componentSchemas() },
  };
}

function pick(v: unknown, keys: string[]): JsonObject {
  return isObject(v) ? Object.fromEntries(keys.filter((k) => v[k] !== undefined).map((k) => [k, v[k]])) : {};
}

/** The document as served at GET /openapi.yaml. */
export function openApiYaml(): string {
  return `# Generated from the zod schemas by \`npm run openapi\` (server/openapi/document.ts); do not edit.\n${stringify(openApiDocument(), { lineWidth: 0 })}`;
}
