// The domain part of mail addresses, in the two forms we meet them.

/** The domain of a bare recipient address ("ada@Example.com" → "example.com"), lower-case. */
export function addressDomain(email: string): string {
  return email
    .slice(email.lastIndexOf('@') + 1)
    .trim()
    .toLowerCase();
}

/** The domain of a From header ("Rapport <hello@rapport.example>" → "rapport.example"); ours by default. */
export function senderDomain(from: string): string {
  return /@([^>\s]+)/.exec(from)?.[1] ?? 'rapport.localhost';
}
