// One dashboard computation shared by every open dashboard of this gateway: `current()` answers the view built
// at most `maxAgeMs` ago, or builds a new one (concurrent callers share the same promise), so ten browsers
// cost one metrics snapshot per interval, not ten. The SLO report is refreshed less often (it samples
// counters). A part that fails (NATS down) is reported in `errors` and the rest is still shown. The active rule
// count comes from the rules the gateway already watches (no NATS round trip).
//   const feed = new DashboardFeed(services); const view = await feed.current()

import type { ManagementServices } from '../../services/index.ts';
import type { MetricsSnapshot } from '../../services/metrics.ts';
import type { SloReport } from '../../services/slo.ts';
import { dashboardView, type DashboardView } from './view.ts';

export interface FeedOptions {
  maxAgeMs?: number;
  sloEveryMs?: number;
  now?: () => number;
}

const message = (err: unknown) => (err instanceof Error ? err.message : String(err));

export class DashboardFeed {
  private last?: { at: number; view: DashboardView };
  private pending?: Promise<DashboardView>;
  private slo?: { at: number; report: SloReport };
  private readonly maxAgeMs: number;
  private readonly sloEveryMs: number;
  private readonly now: () => number;

  constructor(
    private readonly services: Pick<ManagementServices, 'metrics' | 'slo' | 'rules'>,
    opts: FeedOptions = {},
  ) {
    this.maxAgeMs = opts.maxAgeMs ?? 1500;
    this.sloEveryMs = opts.sloEveryMs ?? 10_000;
    this.now = opts.now ?? Date.now;
  }

  current(): Promise<DashboardView> {
    if (this.last && this.now() - this.last.at < this.maxAgeMs) return Promise.resolve(this.last.view);
    return (this.pending ??= this.build().finally(() => (this.pending = undefined)));
  }

  private async build(): Promise<DashboardView> {
    const errors: string[] = [];
    const now = this.now();
    let snapshot: MetricsSnapshot | null = null;
    try {
      snapshot = await this.services.metrics.snapshot();
    } catch (err) {
      errors.push(`metrics unavailable: ${message(err)}`);
    }
    let report = this.slo?.report ?? null;
    if (!this.slo || now - this.slo.at >= this.sloEveryMs) {
      try {
        report = await this.services.slo.report();
        this.slo = { at: now, report };
      } catch (err) {
        errors.push(`SLOs unavailable: ${message(err)}`);
      }
    }
    let activeRules: number | null = null;
    try {
      activeRules = this.services.rules.list({ active: true }).length;
    } catch (err) {
      errors.push(`rules unavailable: ${message(err)}`);
    }
    const view = dashboardView(snapshot, report, errors, now, activeRules);
    this.last = { at: now, view };
    return view;
  }
}
