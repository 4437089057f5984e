import { createCipheriv, createDecipheriv, randomBytes, randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { ErasedLearner } from '../operational/erased-learner.entity';
import { LearnerKey } from '../operational/learner-key.entity';

/**
 * Personal data never enters an event in clear: it is encrypted (AES-256-GCM) with a key per
 * learner, kept in the `learner_keys` table outside the log and itself encrypted with the
 * master key. Erasing a learner deletes the key (crypto-shredding): the events, their totals
 * and their hash chain stay as they were while the person can no longer be read from them.
 *
 * Ciphertext: `pd1.<key id>.<iv>.<tag>.<data>` (base64url parts).
 */
/** A cached key: the learner id, key id, 32-byte Buffer and the map's entry (approximate). */
const KEY_ENTRY_BYTES = 256;

export class PersonalDataCipher {
  /** Unwrapped keys, least recently used first; bounded by approximate bytes. */
  private readonly keys = new Map<string, { keyId: string; key: Buffer }>();
  private readonly maxKeys: number;

  constructor(
    private readonly dataSource: DataSource,
    private readonly masterKey: Buffer,
    /** The key cache's bound: about KEY_ENTRY_BYTES per learner (default 4 MiB). */
    private readonly cacheBytes = 4 * 1024 * 1024,
  ) {
    if (masterKey.length !== 32) throw new Error('the master key must be 32 bytes');
    this.maxKeys = Math.max(1, Math.floor(cacheBytes / KEY_ENTRY_BYTES));
  }

  /** What the key cache holds, for /metrics. */
  figures(): { entries: number; bytes: number; limitBytes: number } {
    return {
      entries: this.keys.size,
      bytes: this.keys.size * KEY_ENTRY_BYTES,
      limitBytes: this.cacheBytes,
    };
  }

  async encrypt(learnerId: string, value: unknown): Promise<string> {
    const { keyId, key } = await this.keyFor(learnerId, true);
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', key, iv);
    cipher.setAAD(Buffer.from(learnerId, 'utf8'));
    const data = Buffer.concat([cipher.update(JSON.stringify(value), 'utf8'), cipher.final()]);
    return ['pd1', keyId, iv, cipher.getAuthTag(), data]
      .map((p) => (typeof p === 'string' ? p : p.toString('base64url')))
      .join('.');
  }

  /** The clear value, or undefined when the learner's key was destroyed (erased). */
  async decrypt(learnerId: string, ciphertext: string): Promise<unknown> {
    const [version, keyId, iv, tag, data] = ciphertext.split('.');
    if (version !== 'pd1' || !keyId || !iv || !tag || data === undefined) {
      throw new Error('not a personal-data ciphertext');
    }
    const found = await this.keyFor(learnerId, false);
    if (!found || found.keyId !== keyId) return undefined;
    const decipher = createDecipheriv('aes-256-gcm', found.key, Buffer.from(iv, 'base64url'));
    decipher.setAAD(Buffer.from(learnerId, 'utf8'));
    decipher.setAuthTag(Buffer.from(tag, 'base64url'));
    const clear = Buffer.concat([
      decipher.update(Buffer.from(data, 'base64url')),
      decipher.final(),
    ]);
    return JSON.parse(clear.toString('utf8'));
  }

  /** Destroys the learner's key: everything encrypted with it becomes unreadable. */
  async erase(learnerId: string): Promise<void> {
    await this.dataSource.transaction(async (manager) => {
      await manager.delete(LearnerKey, { learnerId });
      await manager
        .createQueryBuilder()
        .insert()
        .into(ErasedLearner)
        .values({ learnerId })
        .orIgnore()
        .updateEntity(false)
        .execute();
    });
    this.keys.delete(learnerId);
  }

  private async keyFor(learnerId: string, create: true): Promise<{ keyId: string; key: Buffer }>;
  private async keyFor(
    learnerId: string,
    create: false,
  ): Promise<{ keyId: string; key: Buffer } | undefined>;
  private async keyFor(
    learnerId: string,
    create: boolean,
  ): Promise<{ keyId: string; key: Buffer } | undefined> {
    const cached = this.keys.get(learnerId);
    if (cached) {
      this.keys.delete(learnerId);
      this.keys.set(learnerId, cached);
      return cached;
    }
    const keys = this.dataSource.getRepository(LearnerKey);
    if (create) {
      // A concurrent first encryption for the same learner may insert first: its key stands.
      await keys
        .createQueryBuilder()
        .insert()
        .values({ learnerId, keyId: randomUUID(), wrappedKey: this.wrap(randomBytes(32)) })
        .orIgnore()
        .updateEntity(false)
        .execute();
    }
    const row = await keys.findOne({
      select: { keyId: true, wrappedKey: true },
      where: { learnerId },
    });
    if (!row) return undefined;
    const found = { keyId: row.keyId, key: this.unwrap(row.wrappedKey) };
    this.keys.set(learnerId, found);
    while (this.keys.size > this.maxKeys) {
      const oldest = this.keys.keys().next().value;
      if (oldest === undefined) break;
      this.keys.delete(oldest);
    }
    return found;
  }

  private wrap(key: Buffer): Buffer {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.masterKey, iv);
    const data = Buffer.concat([cipher.update(key), cipher.final()]);
    return Buffer.concat([iv, cipher.getAuthTag(), data]);
  }

  private unwrap(wrapped: Buffer): Buffer {
    const decipher = createDecipheriv('aes-256-gcm', this.masterKey, wrapped.subarray(0, 12));
    decipher.setAuthTag(wrapped.subarray(12, 28));
    return Buffer.concat([decipher.update(wrapped.subarray(28)), decipher.final()]);
  }
}
