// Connection options for a local dev server, a self-hosted cluster (mTLS) or
// Temporal Cloud (API key), built from validated settings.
import { readFileSync } from 'node:fs';
import type { ConnectionOptions } from '@temporalio/client';
import type { TemporalSettings } from '../config/env';

export function connectionOptions(s: TemporalSettings): ConnectionOptions {
  const tls = s.tls
    ? {
        serverNameOverride: s.serverName,
        serverRootCACertificate: s.caPath ? readFileSync(s.caPath) : undefined,
        clientCertPair: s.certPath && s.keyPath ? { crt: readFileSync(s.certPath), key: readFileSync(s.keyPath) } : undefined,
      }
    : undefined;
  return {
    address: s.address,
    tls,
    apiKey: s.apiKey,
    metadata: s.apiKey ? { 'temporal-namespace': s.namespace } : undefined,
  };
}
