// The rule tester's worker thread: runs diagnoseEvent() (actors/alerter/rule-diagnosis.ts) for one job at a time
// and answers with rule ids instead of whole rules (the caller has them), so a big rule set is copied across
// threads once, on the way in. A regex that runs long blocks only this thread; the caller can terminate it.
//   parentPort: { id, rules, event, budget } -> { id, ok: true, diagnosis } | { id, ok: false, error }

import { parentPort } from 'node:worker_threads';
import type { Rule } from '../../protocol/rules.ts';
import type { EvaluationBudget, MatchInput } from '../../actors/alerter/rules.ts';
import { diagnoseEvent, type Diagnosis, type NearMissReason } from '../../actors/alerter/rule-diagnosis.ts';

export interface TesterJob {
  id: number;
  rules: Rule[];
  event: MatchInput;
  budget: EvaluationBudget;
}

/** A Diagnosis with rules named by id. */
export interface WireDiagnosis extends Omit<Diagnosis, 'winner' | 'matches' | 'nearMisses'> {
  winner: { id: string; why: string } | null;
  matches: { id: string; why: string }[];
  nearMisses: { id: string; reasons: NearMissReason[]; why: string }[];
}

export type TesterAnswer = { id: number; ok: true; diagnosis: WireDiagnosis } | { id: number; ok: false; error: string };

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
  port.on('message', (job: TesterJob) => {
    let answer: TesterAnswer;
    try {
      answer = { id: job.id, ok: true, diagnosis: toWire(diagnoseEvent(job.rules, job.event, job.budget)) };
    } catch (err) {
      answer = { id: job.id, ok: false, error: err instanceof Error ? err.message : String(err) };
    }
    port.postMessage(answer);
  });
  port.postMessage({ ready: true });
}
