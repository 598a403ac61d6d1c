// The rule tester's worker thread, one job at a time: validates a proposal (rule-test-proposal.ts: the regex
// safety analysis, whose analyser alone takes half a second to load) and runs diagnoseEvent()
// (actors/alerter/rule-diagnosis.ts) over the resulting set. It answers with rule ids instead of whole rules
// (the caller has the stored ones; proposed ones come back validated), so a big rule set crosses threads once.
// A regex or an analysis that runs long blocks only this thread; the caller can terminate it.
//   parentPort: { id, current, proposal, event, budget, limits } -> { id, ok: true, diagnosis, proposed, warnings }
//     | { id, ok: false, invalid: { message, issues } } | { id, ok: false, error }

import { parentPort } from 'node:worker_threads';
import type { Rule } from '../../protocol/rules.ts';
import type { EvaluationBudget, MatchInput } from '../../actors/alerter/rules.ts';
import { diagnoseEvent, type Diagnosis, type NearMissReason } from '../../actors/alerter/rule-diagnosis.ts';
import { ServiceError, type ServiceIssue } from './errors.ts';
import type { RuleTestLimits } from './rule-test-limits.ts';
import { resolveRuleSet, type ProposalInput } from './rule-test-proposal.ts';

export interface TesterJob {
  id: number;
  /** The stored rules. */
  current: Rule[];
  proposal?: ProposalInput;
  event: MatchInput;
  budget: EvaluationBudget;
  limits: RuleTestLimits;
  regexTimeoutMs?: number;
}

/** A Diagnosis with rules named by id. */
export interface WireDiagnosis extends Omit<Diagnosis, 'winner' | 'matches' | 'nearMisses'> {
  winner: { id: string; why: string } | null;
  matches: { id: string; why: string }[];
  nearMisses: { id: string; reasons: NearMissReason[]; why: string }[];
}

export type TesterAnswer =
  | { id: number; ok: true; diagnosis: WireDiagnosis; proposed: Rule[]; warnings: string[] }
  | { id: number; ok: false; invalid: { message: string; issues: ServiceIssue[] } }
  | { id: number; ok: false; error: string };

async function answer(job: TesterJob): Promise<TesterAnswer> {
  try {
    const r = await resolveRuleSet(job.current, job.proposal, job.limits, job.regexTimeoutMs);
    const ids = new Set(r.proposedIds);
    const diagnosis = toWire(diagnoseEvent(r.set, job.event, job.budget));
    return { id: job.id, ok: true, diagnosis, proposed: r.set.filter((x) => ids.has(x.id)), warnings: r.warnings };
  } catch (err) {
    if (err instanceof ServiceError && err.reason === 'invalid')
      return { id: job.id, ok: false, invalid: { message: err.message, issues: err.issues ?? [] } };
    return { id: job.id, ok: false, error: err instanceof Error ? err.message : String(err) };
  }
}

export function toWire(d: Diagnosis): WireDiagnosis {
  return {
    ...d,
    winner: d.winner && { id: d.winner.rule.id, why: d.winner.why },
    matches: d.matches.map((m) => ({ id: m.rule.id, why: m.why })),
    nearMisses: d.nearMisses.map((m) => ({ id: m.rule.id, reasons: m.reasons, why: m.why })),
  };
}

const port = parentPort;
if (port) {
  // The thread sends one job at a time and waits for its answer.
  port.on('message', (job: TesterJob) => void answer(job).then((a) => port.postMessage(a)));
  port.postMessage({ ready: true });
}
