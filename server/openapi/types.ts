// The few OpenAPI shapes the document's modules need (kept loose: the document
// is checked by test/unit/openapi.test.ts, not by these types).
export type JsonObject = { [key: string]: unknown };

export interface OpenApiObject {
  openapi: string;
  info: JsonObject;
  servers?: JsonObject[];
  tags?: JsonObject[];
  paths: Record<string, JsonObject>;
  components?: Record<string, Record<string, JsonObject>>;
  [key: string]: unknown;
}
