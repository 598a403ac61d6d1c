// Live dynamic configuration for a process: defaults from protocol/config-keys.ts overlaid with the
// mutt_config bucket (values are JSON). A stored value that fails its schema is ignored (previous value kept)
// and logged, so a bad write elsewhere can never break a running actor.
//   const cfg = await ConfigView.open(nc, log); cfg.get().moog_rate_limit

import type { NatsConnection } from '@nats-io/transport-node';
import { Kvm } from '@nats-io/kv';
import type { Logger } from 'pino';
import { configDefaults, isConfigKey, parseConfigValue, type ConfigValues } from '../../protocol/config-keys.ts';
import { Bucket } from '../../protocol/streams.ts';
import { decodeJson, KvMirror, type MirrorHealth } from './kv-mirror.ts';

export class ConfigView {
  private values: ConfigValues = configDefaults();
  private readonly listeners: ((v: ConfigValues, changed: string[]) => void)[] = [];

  private constructor(
    private readonly mirror: KvMirror,
    private readonly log: Logger,
  ) {
    this.rebuild();
    mirror.onChange((changed) => {
      this.rebuild();
      // Operators (and tests) can see when a write reached this process, not only that it was stored.
      this.log.info({ changed, revision: mirror.revision }, 'config applied');
      for (const l of this.listeners) l(this.values, changed);
    });
  }

  static async open(nc: NatsConnection, log: Logger, health?: MirrorHealth): Promise<ConfigView> {
    const kv = await new Kvm(nc).open(Bucket.config);
    return new ConfigView(await KvMirror.open(kv, Bucket.config, log, { health }), log);
  }

  private rebuild(): void {
    const next = { ...this.values } as Record<string, unknown>;
    const defaults = configDefaults() as Record<string, unknown>;
    for (const key of Object.keys(defaults)) if (!this.mirror.get(key)) next[key] = defaults[key];
    for (const e of this.mirror.entries()) {
      if (!isConfigKey(e.key)) continue;
      let raw: unknown;
      try {
        raw = decodeJson(e.value);
      } catch {
        this.log.warn({ key: e.key }, 'config value is not JSON; keeping previous');
        continue;
      }
      const parsed = parseConfigValue(e.key, raw);
      if (parsed.ok) next[e.key] = parsed.value;
      else this.log.warn({ key: e.key, error: parsed.error }, 'config value invalid; keeping previous');
    }
    this.values = next as ConfigValues;
  }

  get(): ConfigValues {
    return this.values;
  }

  /** Revision of the newest config write applied here. */
  get revision(): number {
    return this.mirror.revision;
  }

  /** Calls `listener` after every applied change; returns the function that stops it. */
  onChange(listener: (v: ConfigValues, changed: string[]) => void): () => void {
    this.listeners.push(listener);
    return () => {
      const i = this.listeners.indexOf(listener);
      if (i >= 0) this.listeners.splice(i, 1);
    };
  }

  stop(): void {
    this.mirror.stop();
  }
}
