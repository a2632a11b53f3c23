// One pino logger for the process. Redacts fields that may carry PII or secrets.
import { pino, type Logger } from 'pino';

export type { Logger };

export function createLogger(name: string, level = process.env.LOG_LEVEL ?? 'info'): Logger {
  return pino({
    name,
    level,
    redact: {
      paths: [
        'email', '*.email', 'to', '*.to', 'toAddress', '*.toAddress', 'phone', '*.phone',
        'authorization', '*.authorization', 'headers.authorization', 'req.headers.authorization',
        'apiKey', '*.apiKey', 'password', '*.password',
      ],
      censor: '[redacted]',
    },
  });
}
