// Errors of the domain, with a kind that says what went wrong in terms any
// entry point can map (the server maps kinds to HTTP statuses in one place,
// server/errors.ts). Use cases throw these; they never know about HTTP.

/** What kind of refusal: the caller's input, a missing thing, a state clash, or a missing service. */
export type DomainErrorKind = 'invalid' | 'not_found' | 'conflict' | 'unprocessable' | 'unavailable';

export interface ErrorDetail {
  /** The offending field, dotted ("contact.email"), or "(body)". */
  path: string;
  message: string;
  line?: number;
}

export class DomainError extends Error {
  constructor(
    readonly kind: DomainErrorKind,
    /** Stable machine-readable code, e.g. "journey_not_found". */
    readonly code: string,
    message: string,
    readonly details: ErrorDetail[] = [],
  ) {
    super(message);
    this.name = new.target.name;
  }
}

export class NotFoundError extends DomainError {
  constructor(code: string, message: string, details: ErrorDetail[] = []) {
    super('not_found', code, message, details);
  }
}

export class ConflictError extends DomainError {
  constructor(code: string, message: string, details: ErrorDetail[] = []) {
    super('conflict', code, message, details);
  }
}

export class InvalidInputError extends DomainError {
  constructor(code: string, message: string, details: ErrorDetail[] = []) {
    super('invalid', code, message, details);
  }
}

export class UnavailableError extends DomainError {
  constructor(code: string, message: string, details: ErrorDetail[] = []) {
    super('unavailable', code, message, details);
  }
}

/** Details named after each issue's path under `prefix`, "(body)" when it names none. */
export function issueDetails(issues: { path: readonly PropertyKey[]; message: string }[], prefix = ''): ErrorDetail[] {
  return issues.map((i) => ({ path: [prefix, ...i.path.map(String)].filter(Boolean).join('.') || '(body)', message: i.message }));
}
