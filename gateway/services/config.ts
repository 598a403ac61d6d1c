// Dynamic configuration (KV mutt_config, JSON values) as operators see it: every key of
// protocol/config-keys.ts with its description, reading actor, default, current value, revision and value
// schema; set (validated by parseConfigValue: an unknown key or a bad value is refused naming the constraint),
// reset to the default (delete), and the key's stored history. Writes are audited (kind 'config'). Actors
// follow the bucket by KV watch (actors/runtime/config-view.ts): a change applies everywhere within a second.
//   await config.set('moog_rate_limit', 100, { actor: 'ops', correlationId })   // { key, old_value: 50, new_value: 100, ... }

import { z } from 'zod';
import { ConfigKeys, isConfigKey, parseConfigValue, type ConfigKey } from '../../protocol/config-keys.ts';
import type { ConfigAuditService } from './audit-config.ts';
import type { Change } from './change.ts';
import { ServiceError } from './errors.ts';
import type { JsonBucket, JsonHistoryEntry } from './json-bucket.ts';

export interface ConfigEntry {
  key: ConfigKey;
  description: string;
  actor: string;
  default: unknown;
  /** The value in effect: the stored one when valid, else the default. */
  value: unknown;
  is_default: boolean;
  /** KV revision of the stored value; null when the key was never set (or was reset). */
  revision: number | null;
  updated_at: number | null;
  /** Set when a stored value fails its schema (written around the API): actors ignore it. */
  stored_error?: string;
  /** JSON Schema of accepted values. */
  schema: Record<string, unknown>;
}

export interface ConfigWriteResult {
  key: ConfigKey;
  old_value: unknown;
  new_value: unknown;
  revision: number | null;
}

function jsonSchema(schema: z.ZodType): Record<string, unknown> {
  const { $schema: _drop, ...rest } = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
  return rest;
}

const SCHEMAS: Record<string, Record<string, unknown>> = Object.fromEntries(
  Object.entries(ConfigKeys).map(([k, spec]) => [k, jsonSchema(spec.schema)]),
);

export class ConfigService {
  constructor(
    private readonly bucket: JsonBucket,
    private readonly audit: ConfigAuditService,
  ) {}

  keys(): ConfigKey[] {
    return Object.keys(ConfigKeys) as ConfigKey[];
  }

  private known(key: string, forWrite: boolean): ConfigKey {
    if (isConfigKey(key)) return key;
    if (forWrite)
      throw new ServiceError('invalid', `unknown config key '${key}'`, [
        { path: 'key', message: `unknown config key '${key}' (known: ${this.keys().join(', ')})` },
      ]);
    throw new ServiceError('not_found', `unknown config key '${key}'`);
  }

  async get(key: string): Promise<ConfigEntry> {
    const k = this.known(key, false);
    const spec = ConfigKeys[k];
    const stored = await this.bucket.get(k);
    const entry: ConfigEntry = {
      key: k,
      description: spec.description,
      actor: spec.actor,
      default: spec.default,
      value: spec.default,
      is_default: true,
      revision: stored?.revision ?? null,
      updated_at: stored?.at ?? null,
      schema: SCHEMAS[k],
    };
    if (stored) {
      const parsed = parseConfigValue(k, stored.value);
      if (parsed.ok) {
        entry.value = parsed.value;
        entry.is_default = false;
      } else entry.stored_error = parsed.error;
    }
    return entry;
  }

  list(): Promise<ConfigEntry[]> {
    return Promise.all(this.keys().map((k) => this.get(k)));
  }

  async set(key: string, value: unknown, change: Change): Promise<ConfigWriteResult> {
    const k = this.known(key, true);
    const parsed = parseConfigValue(k, value);
    if (!parsed.ok) throw new ServiceError('invalid', parsed.error, [{ path: 'value', message: parsed.error }]);
    for (let attempt = 1; ; attempt++) {
      const current = await this.bucket.get(k);
      if (change.ifMatch !== undefined && change.ifMatch !== (current?.revision ?? 0)) {
        throw new ServiceError(
          'revision_mismatch',
          `config '${k}' changed: expected revision ${change.ifMatch}, current is ${current?.revision ?? 0}`,
          undefined,
          { expected: change.ifMatch, current: current?.revision ?? null },
        );
      }
      let revision: number;
      try {
        revision = current ? await this.bucket.update(k, parsed.value, current.revision) : await this.bucket.create(k, parsed.value);
      } catch (err) {
        // Without If-Match a concurrent writer only means: read again and write over it.
        if (err instanceof ServiceError && change.ifMatch === undefined && attempt < 3) continue;
        throw err;
      }
      const old = current ? current.value : null;
      await this.audit.write({
        kind: 'config',
        id: k,
        operation: current ? 'update' : 'create',
        actor: change.actor,
        oldValue: current ? { key: k, value: old } : undefined,
        newValue: { key: k, value: parsed.value },
        reason: change.reason,
        correlationId: change.correlationId,
      });
      return { key: k, old_value: old, new_value: parsed.value, revision };
    }
  }

  /** Back to the default: the stored value is deleted (history keeps it). */
  async reset(key: string, change: Change): Promise<ConfigWriteResult> {
    const k = this.known(key, false);
    const current = await this.bucket.get(k);
    if (current) {
      await this.bucket.remove(k, change.ifMatch ?? current.revision);
      await this.audit.write({
        kind: 'config',
        id: k,
        operation: 'reset',
        actor: change.actor,
        oldValue: { key: k, value: current.value },
        newValue: { key: k, value: ConfigKeys[k].default },
        reason: change.reason,
        correlationId: change.correlationId,
      });
    }
    return { key: k, old_value: current ? current.value : null, new_value: ConfigKeys[k].default, revision: null };
  }

  async history(key: string): Promise<JsonHistoryEntry[]> {
    return this.bucket.history(this.known(key, false));
  }
}
