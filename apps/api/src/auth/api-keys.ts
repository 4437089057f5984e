import { createHash, timingSafeEqual } from 'node:crypto';

export const ROLES = ['service', 'compliance', 'auditor', 'admin'] as const;
export type Role = (typeof ROLES)[number];

export interface ApiKey {
  role: Role;
  /** A short fingerprint of the key (sha-256 prefix): what logs and events name, never the key. */
  keyId: string;
  digest: Buffer;
}

/** Keys for development and tests only; listed in the README. Refused in production. */
export const DEVELOPMENT_API_KEYS =
  'service:dev-service-key,compliance:dev-compliance-key,auditor:dev-auditor-key,admin:dev-admin-key';

const digestOf = (key: string): Buffer => createHash('sha256').update(key, 'utf8').digest();

/** Parses LEDGER_API_KEYS: comma-separated `role:key` pairs. */
export function parseApiKeys(spec: string): ApiKey[] {
  const keys = spec
    .split(',')
    .map((pair) => pair.trim())
    .filter(Boolean)
    .map((pair, index) => {
      const colon = pair.indexOf(':');
      const role = pair.slice(0, colon);
      const key = pair.slice(colon + 1);
      if (colon < 1 || !(ROLES as readonly string[]).includes(role)) {
        throw new Error(
          `LEDGER_API_KEYS entry ${index + 1}: expected role:key with role one of ${ROLES.join(', ')}`,
        );
      }
      if (key.length < 12)
        throw new Error(`LEDGER_API_KEYS entry ${index + 1}: a key needs at least 12 characters`);
      const digest = digestOf(key);
      return { role: role as Role, keyId: digest.subarray(0, 6).toString('hex'), digest };
    });
  if (keys.length === 0) throw new Error('LEDGER_API_KEYS holds no key');
  return keys;
}

/** The API keys in force: LEDGER_API_KEYS, or the development keys outside production. */
export function apiKeysFromConfig(config: {
  apiKeys: string | undefined;
  production: boolean;
}): ApiKey[] {
  if (config.apiKeys) return parseApiKeys(config.apiKeys);
  if (config.production) {
    throw new Error('LEDGER_API_KEYS is required in production (comma-separated role:key pairs)');
  }
  return parseApiKeys(DEVELOPMENT_API_KEYS);
}

/** The key presented, compared in constant time with every known key. */
export function findApiKey(keys: readonly ApiKey[], presented: string): ApiKey | undefined {
  const digest = digestOf(presented);
  let found: ApiKey | undefined;
  for (const key of keys) {
    // No early exit: the time taken does not depend on which key (if any) matched.
    if (timingSafeEqual(key.digest, digest) && !found) found = key;
  }
  return found;
}
