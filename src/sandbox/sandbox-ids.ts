import { randomBytes } from 'node:crypto';

/** The app id on the echoes of what the Page sends through the simulated Send API. */
export const SANDBOX_APP_ID = '100000000000002';

/** A message id shaped like Meta's (`m_` and a long URL-safe string). */
export function newMid(): string {
  return `m_${randomBytes(30).toString('base64url')}`;
}

/** Customer ids (PSIDs) the sandbox routes take: what Meta's are, and a little more for tests. */
export const PSID_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;
