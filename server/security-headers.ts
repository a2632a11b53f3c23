// Browser-facing safety headers for every response (helmet), and no caching of
// pages and API answers that carry tokens or personal data.
import type { RequestHandler } from 'express';
import helmet from 'helmet';

/**
 * Scripts only from our own origin (the web app under / is built into
 * self-hosted files; no inline scripts). Inline styles stay allowed: the
 * consent pages carry a small <style> and UI libraries set style attributes.
 * Never framed (clickjacking the unsubscribe and approval buttons).
 */
export const CONTENT_SECURITY_POLICY = {
  defaultSrc: ["'self'"],
  scriptSrc: ["'self'"],
  styleSrc: ["'self'", "'unsafe-inline'"],
  imgSrc: ["'self'", 'data:'],
  objectSrc: ["'none'"],
  baseUri: ["'self'"],
  formAction: ["'self'"],
  frameAncestors: ["'none'"],
};

export function securityHeaders(): RequestHandler {
  return helmet({
    contentSecurityPolicy: { useDefaults: false, directives: CONTENT_SECURITY_POLICY },
    // The open pixel (/t/o/...) is loaded by webmail pages on other origins.
    crossOriginResourcePolicy: { policy: 'cross-origin' },
    // Tokens live in our URLs: never send them on as a referrer.
    referrerPolicy: { policy: 'no-referrer' },
  });
}

/** For token pages and the API: neither browsers nor proxies keep a copy. */
export const noStore: RequestHandler = (_req, res, next) => {
  res.set('Cache-Control', 'no-store');
  next();
};
