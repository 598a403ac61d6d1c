// The rule set in effect, rebuilt from the mutt_rules bucket on every change (KV watch: every replica within
// milliseconds). An entry that fails validation keeps that rule's last good version and is reported; a bad
// write never empties the rule set. The regex time budget (alerter_regex_budget_ms) is compiled into the set;
// a change of it recompiles the set on the next event that reads `current`, so it applies without a rule edit
// (a comparison of two numbers per event, rather than a config listener that a restarted setup would leave behind).
//   const live = await LiveRules.open(nc, log, registry, budgetMs); live.current.match(event)

import type { NatsConnection } from '@nats-io/transport-node';
import { Kvm } from '@nats-io/kv';
import type { Logger } from 'pino';
import { Counter, Gauge, type Registry } from 'prom-client';
import { RuleInput, type Rule } from '../../protocol/rules.ts';
import { Bucket } from '../../protocol/streams.ts';
import { decodeJson, KvMirror } from '../runtime/kv-mirror.ts';
import { compileRules, type CompiledRuleSet } from './rules.ts';

export interface RuleProblem {
  key: string;
  error: string;
  at: number;
}

export class LiveRules {
  private compiled: CompiledRuleSet;
  private compiledBudgetMs = Number.NaN;
  private readonly lastGood = new Map<string, Rule>();
  problems: RuleProblem[] = [];
  private readonly version: Gauge;
  private readonly loaded: Gauge;
  private readonly errors: Counter;
  private readonly disabled: Gauge;
  private readonly budgetGauge: Gauge;
  private activeBefore: number | null = null;

  private constructor(
    private readonly mirror: KvMirror,
    private readonly log: Logger,
    registry: Registry,
    private readonly budgetMs: () => number,
  ) {
    this.version = gauge(registry, 'mutt_alerter_rules_version', 'KV revision of the rule set in effect');
    this.loaded = gauge(registry, 'mutt_alerter_rules_loaded', 'Active rules in the rule set in effect');
    this.errors =
      (registry.getSingleMetric('mutt_alerter_rule_errors_total') as Counter) ??
      new Counter({
        name: 'mutt_alerter_rule_errors_total',
        help: 'Stored rules that failed validation (previous version kept)',
        registers: [registry],
      });
    this.disabled = gauge(
      registry,
      'mutt_alerter_regex_rules_disabled',
      'Regex rules disabled for exceeding the time budget repeatedly (until their pattern is edited)',
    );
    this.budgetGauge = gauge(
      registry,
      'mutt_alerter_regex_budget_seconds',
      'alerter_regex_budget_ms of the rule set in effect, in seconds',
    );
    this.compiled = this.build();
    mirror.onChange(() => (this.compiled = this.build()));
  }

  /** The rule set in effect, recompiled first when alerter_regex_budget_ms changed since it was built. */
  get current(): CompiledRuleSet {
    if (this.budgetMs() !== this.compiledBudgetMs) this.compiled = this.build();
    return this.compiled;
  }

  static async open(nc: NatsConnection, log: Logger, registry: Registry, budgetMs: () => number): Promise<LiveRules> {
    const kv = await new Kvm(nc).open(Bucket.rules);
    return new LiveRules(await KvMirror.open(kv, Bucket.rules, log), log, registry, budgetMs);
  }

  private build(): CompiledRuleSet {
    const rules: Rule[] = [];
    const problems: RuleProblem[] = [];
    const present = new Set<string>();
    for (const e of this.mirror.entries()) {
      present.add(e.key);
      let parsed;
      try {
        parsed = RuleInput.safeParse(decodeJson(e.value));
      } catch (err) {
        parsed = { success: false as const, error: { issues: [{ path: [], message: (err as Error).message }] } };
      }
      if (parsed.success && parsed.data.id === e.key) {
        this.lastGood.set(e.key, parsed.data);
        rules.push(parsed.data);
        continue;
      }
      const error = parsed.success
        ? `stored under key '${e.key}' but its id is '${parsed.data.id}'`
        : parsed.error.issues.map((i) => `${i.path.join('.') || '(rule)'}: ${i.message}`).join('; ');
      problems.push({ key: e.key, error, at: Date.now() });
      this.errors.inc();
      const previous = this.lastGood.get(e.key);
      if (previous) rules.push(previous);
      this.log.error({ rule: e.key, error, kept: previous ? 'previous version' : 'none' }, 'invalid rule in mutt_rules');
    }
    for (const key of [...this.lastGood.keys()]) if (!present.has(key)) this.lastGood.delete(key);
    this.problems = problems;
    const budgetMs = this.budgetMs();
    const compiled: CompiledRuleSet = compileRules(rules, {
      regexBudgetMs: budgetMs,
      onRegexBudgetExceeded: (ruleId: string) => {
        this.log.error({ rule: ruleId }, 'regex rule exceeded its time budget repeatedly; disabled until edited');
        this.disabled.set(compiled.disabledRules().length);
      },
      // A regex disabled for its run time stays disabled when another rule changes; editing its pattern re-enables it.
      previous: this.compiled as CompiledRuleSet | undefined,
    });
    this.compiledBudgetMs = budgetMs;
    this.budgetGauge.set(budgetMs / 1000);
    this.disabled.set(compiled.disabledRules().length);
    this.version.set(this.mirror.revision);
    const active = rules.filter((r) => r.is_active).length;
    this.loaded.set(active);
    this.log.info(
      { revision: this.mirror.revision, rules: rules.length, active, problems: problems.length, regex_budget_ms: budgetMs },
      'rule set compiled',
    );
    // Loud, and once per change into that state: with no active rule every event is unhandled and nothing is delivered.
    if (active === 0 && this.activeBefore !== 0) {
      this.log.warn(
        { revision: this.mirror.revision, rules: rules.length },
        'no active rule: every event will be audited as unhandled and no alert reaches Moogsoft (add rules: mutt rules add, the UI, or mutt rules import)',
      );
    }
    this.activeBefore = active;
    return compiled;
  }

  get revision(): number {
    return this.mirror.revision;
  }

  stop(): void {
    this.mirror.stop();
  }
}

function gauge(registry: Registry, name: string, help: string): Gauge {
  return (registry.getSingleMetric(name) as Gauge) ?? new Gauge({ name, help, registers: [registry] });
}
