// /api/v2/rules: list (filters active, team, match_type, q), get, create, replace (PUT), update (PATCH),
// delete, enable/disable, and POST /api/v2/rules/test (which rule would handle a sample event, with the
// current or a proposed rule set). Writes need scope admin; the revision comes back as ETag and If-Match makes
// a write conditional (412 when someone else changed the rule). v1 aliases: GET/POST /api/v1/rules,
// GET/PUT/DELETE /api/v1/rules/:id (v2.5's PUT was a partial update: it maps to PATCH).
//   ruleRoutes(api, services)

import { z } from 'zod';
import { Decision, Environment, Handling } from '../../protocol/messages.ts';
import { RuleId, RuleInput, type Rule } from '../../protocol/rules.ts';
import { httpError } from '../http-error.ts';
import type { ManagementServices } from '../services/index.ts';
import { RULE_TEST_LIMITS, RuleTestLimitError } from '../services/rule-test-limits.ts';
import type { RuleRecord, RuleWriteResult } from '../services/rules.ts';
import { boolParam, etag, IfMatchHeader, iso, nullableIsoTime, ReasonHeader, Revision } from './common.ts';
import type { ApiRouter, RouteInput } from './route.ts';
import { v1Deprecation } from './version.ts';

export const RuleView = z
  .object({
    id: z.string(),
    match_type: z.enum(['contains', 'regex', 'oid_prefix']),
    match_string: z.string().nullable(),
    trap_oid: z.string().nullable(),
    syslog_severity: z.number().int().nullable(),
    priority: z.number().int(),
    prod_handling: Handling,
    dev_handling: Handling,
    team_assignment: z.string(),
    is_active: z.boolean(),
    description: z.string(),
    created_at: nullableIsoTime,
    created_by: z.string().nullable(),
    updated_at: nullableIsoTime,
    updated_by: z.string().nullable(),
    revision: Revision.nullable(),
  })
  .meta({ id: 'Rule', description: 'An alert rule as stored (canonical form).' });

const { created_at: _ca, created_by: _cb, updated_at: _ua, updated_by: _ub, ...writable } = RuleInput.shape;

/** The writable fields of a rule (documentation; RuleInput plus regex safety validate it). */
export const RuleWrite = z
  .object({
    ...writable,
    id: RuleId.optional().describe('Rule id; generated when omitted on create.'),
    reason: z.string().optional().describe('Why (kept in the config audit; X-Change-Reason does the same).'),
  })
  .meta({
    id: 'RuleWrite',
    description:
      'A rule to store. match_string is required for contains/regex, trap_oid for oid_prefix; regexes use the Python dialect and are refused when they can backtrack catastrophically.',
  });

const RulePatch = RuleWrite.partial().meta({ id: 'RulePatch', description: 'Only the fields to change.' });

export function ruleView(rule: Rule, revision: number | null): z.output<typeof RuleView> {
  return {
    id: rule.id,
    match_type: rule.match_type,
    match_string: rule.match_string,
    trap_oid: rule.trap_oid,
    syslog_severity: rule.syslog_severity,
    priority: rule.priority,
    prod_handling: rule.prod_handling,
    dev_handling: rule.dev_handling,
    team_assignment: rule.team_assignment,
    is_active: rule.is_active,
    description: rule.description,
    created_at: iso(rule.created_at),
    created_by: rule.created_by ?? null,
    updated_at: iso(rule.updated_at),
    updated_by: rule.updated_by ?? null,
    revision,
  };
}

const RuleList = z.object({
  rules: z.array(RuleView),
  total: z.number().int(),
  invalid: z
    .array(z.object({ id: z.string(), revision: z.number().int(), error: z.string() }))
    .describe('Stored values that fail validation (written around the API); the alerter keeps their last good version.'),
});

const RuleWritten = z.object({
  id: z.string(),
  message: z.string(),
  rule: RuleView,
  revision: Revision,
  warnings: z.array(z.string()).describe('Accepted with a caveat (e.g. polynomial backtracking bounded at run time).'),
});

const RuleDeleted = z.object({ id: z.string(), message: z.string(), revision: Revision.describe('The revision that was deleted.') });

const ListQuery = z.object({
  active: boolParam('Only active (true) or inactive (false) rules.'),
  team: z.string().trim().min(1).max(100).optional().describe('Only rules of this team (case-insensitive).'),
  match_type: z.enum(['contains', 'regex', 'oid_prefix']).optional(),
  q: z.string().trim().min(1).max(200).optional().describe('Text searched in id, description, match_string, trap_oid and team.'),
});

const IdParam = z.object({ id: z.string().min(1).max(64).describe('Rule id.') });

const DeleteBody = z.object({ reason: z.string().max(1000).optional() });

const RuleTestBody = z.object({
  message: z.string().max(65536).describe('The event text.'),
  host: z.string().trim().min(1).max(255).describe('Sending host (decides dev/prod and the device team).'),
  severity: z.union([z.number().int(), z.string()]).nullable().optional().describe('0–7 or a name (error, warning, …).'),
  trap_oid: z.string().max(500).nullable().optional().describe('Trap OID, dotted decimal.'),
  rules: z
    .array(z.unknown())
    .max(RULE_TEST_LIMITS.maxProposedRules)
    .optional()
    .describe(
      `A proposed rule set (RuleWrite objects, ids required), at most ${RULE_TEST_LIMITS.maxProposedRules} rules. Without it the current rules are used.`,
    ),
  mode: z
    .enum(['overlay', 'replace'])
    .default('overlay')
    .describe('overlay: proposed rules replace same-id current ones and add the rest; replace: only the proposal.'),
});

const NearMiss = z
  .object({
    id: z.string(),
    priority: z.number().int(),
    is_active: z.boolean(),
    source: z.enum(['current', 'proposed']),
    reasons: z
      .array(z.enum(['severity', 'trap_oid', 'inactive', 'priority', 'regex_budget']))
      .min(1)
      .describe(
        "severity / trap_oid: the rule's condition does not hold for this event; inactive: the rule is disabled; priority: it matches too but the winner comes first; regex_budget: it matches and comes first, but the alerter's per-event regex time budget ran out before it was tried.",
      ),
    why: z.string(),
  })
  .meta({ id: 'RuleNearMiss' });

const RuleTestResult = z
  .object({
    ruleset: z.enum(['current', 'proposed']),
    rules_evaluated: z.number().int().describe('Active rules evaluated.'),
    version: z.string().describe("The engine's hash of the evaluated rule set."),
    environment: Environment,
    matched: z.boolean(),
    rule: RuleView.nullable(),
    rule_source: z.enum(['current', 'proposed']).nullable(),
    why: z.string().nullable(),
    decision: Decision,
    forwarded: z.boolean().describe('Whether the alerter would send an alert to Moogsoft.'),
    team: z.string().nullable(),
    matches: z
      .array(z.object({ id: z.string(), priority: z.number().int(), why: z.string(), source: z.enum(['current', 'proposed']) }))
      .describe('Every matching rule, best first.'),
    near_misses: z.array(NearMiss).describe('Rules whose text (oid_prefix: OID) matched but that did not win, in evaluation order.'),
    complete: z
      .boolean()
      .describe(
        "False when the test's regex time budget ran out: rules after that point were not evaluated for near misses (the winner is still the alerter's; a warning says so).",
      ),
    skipped_rules: z.number().int().describe('Rules left out of the near-miss evaluation by the budget.'),
    invalid_rules: z.array(z.object({ ruleId: z.string(), reason: z.string() })),
    warnings: z.array(z.string()),
  })
  .meta({ id: 'RuleTestResult' });

const exampleRule = {
  id: 'link-down',
  match_type: 'contains',
  match_string: 'LINK-3-UPDOWN',
  trap_oid: null,
  syslog_severity: null,
  priority: 10,
  prod_handling: 'page_and_ticket',
  dev_handling: 'ticket_only',
  team_assignment: 'NETO',
  is_active: true,
  description: 'Interface went down',
  created_at: '2026-01-05T09:30:00.000Z',
  created_by: 'ops',
  updated_at: '2026-01-05T09:30:00.000Z',
  updated_by: 'ops',
  revision: 7,
};
const exampleWrite = {
  id: 'link-down',
  match_type: 'contains',
  match_string: 'LINK-3-UPDOWN',
  priority: 10,
  prod_handling: 'page_and_ticket',
  dev_handling: 'ticket_only',
  team_assignment: 'NETO',
  description: 'Interface went down',
};

export function ruleRoutes(api: ApiRouter, s: ManagementServices): void {
  api.openapi.describeTag('rules', 'Alert rules (KV mutt_rules): which events become alerts, for which team, with which handling.');
  const tag = 'rules';

  const list = ({ query }: RouteInput<undefined, typeof ListQuery, undefined>) => {
    const { problems } = s.rules.all();
    const rules = s.rules.list({ active: query.active, team: query.team, match_type: query.match_type, q: query.q });
    return {
      status: 200 as const,
      body: { rules: rules.map((r) => ruleView(r.rule, r.revision)), total: rules.length, invalid: problems },
    };
  };
  const listSpec = {
    method: 'get',
    tag,
    scope: 'read',
    query: ListQuery,
    responses: {
      200: { description: 'Rules by priority, then id.', schema: RuleList, example: { rules: [exampleRule], total: 1, invalid: [] } },
    },
  } as const;
  api.route({ ...listSpec, path: '/api/v2/rules', operationId: 'listRules', summary: 'List rules' }, list);
  api.route(
    {
      ...listSpec,
      path: '/api/v1/rules',
      operationId: 'listRulesV1',
      summary: 'List rules (v1 alias)',
      deprecated: v1Deprecation('/api/v2/rules'),
    },
    list,
  );

  const written = (r: RuleWriteResult, message: string, status: 200 | 201) => ({
    status,
    headers: { ETag: etag(r.revision), ...(status === 201 ? { Location: `/api/v2/rules/${r.rule.id}` } : {}) },
    body: { id: r.rule.id, message, rule: ruleView(r.rule, r.revision), revision: r.revision, warnings: r.warnings },
  });
  const writtenExample = { id: 'link-down', message: 'Rule created successfully', rule: exampleRule, revision: 7, warnings: [] };

  const create = async ({ json, change }: RouteInput<undefined, undefined, typeof RuleWrite>) =>
    written(await s.rules.create(json, change(reasonOf(json))), 'Rule created successfully', 201);
  const createSpec = {
    method: 'post',
    tag,
    scope: 'admin',
    headers: [ReasonHeader],
    validateBody: false,
    body: { schema: RuleWrite, example: exampleWrite },
    responses: {
      201: {
        description: 'Created; ETag = revision, Location = the rule.',
        schema: RuleWritten,
        example: writtenExample,
        headers: { ETag: 'Revision.', Location: 'The new rule.' },
      },
      409: { description: 'A rule with this id exists.', schema: undefined },
    },
  } as const;
  api.route(
    {
      ...createSpec,
      path: '/api/v2/rules',
      operationId: 'createRule',
      summary: 'Create a rule',
      description:
        'Validated like every write: the schema, plus regex safety for regex rules (a pattern that can backtrack catastrophically is a 400 naming match_string).',
    },
    create,
  );
  api.route(
    {
      ...createSpec,
      path: '/api/v1/rules',
      operationId: 'createRuleV1',
      summary: 'Create a rule (v1 alias)',
      deprecated: v1Deprecation('/api/v2/rules'),
    },
    create,
  );

  const limits = RULE_TEST_LIMITS;
  api.route(
    {
      method: 'post',
      path: '/api/v2/rules/test',
      operationId: 'testRules',
      tag,
      scope: 'read',
      summary: 'Which rule would handle a sample event, why, and which rules nearly did',
      description:
        "Runs the event through the current rules (or a proposal in `rules`) with the alerter's engine; answers environment, winning rule, why, decision, team, every other matching rule, and the near misses: rules whose text matched but that failed on severity, trap OID, active state or priority order. Nothing is stored. Proposed rules pass the same validation as a write. " +
        `Bounded, because a read key may call it: at most ${limits.maxProposedRules} proposed rules; at most ${limits.maxEvaluations} rules evaluated (stored + proposed, active and inactive, every copy counted); the regex safety analysis runs only for patterns the stored rules do not already have, at most ${limits.maxNewPatterns} such patterns and ${limits.maxAnalysisMs} ms of analysis per request (a 400 names the first rule over). ` +
        `The evaluation runs in a worker thread, never on the event loop: ${limits.regexBudgetMs} ms of regex time per test, after which the answer is partial (complete: false, a warning names the budget); a test still running after ${limits.timeoutMs} ms is stopped (422); at most ${limits.maxQueued} tests wait for the worker (429 beyond).`,
      body: {
        schema: RuleTestBody,
        example: { message: '%LINK-3-UPDOWN: Interface Gi0/1, changed state to down', host: 'core-sw1.example.com', severity: 'error' },
      },
      responses: {
        200: {
          description: 'The decision the alerter would make.',
          schema: RuleTestResult,
          example: {
            ruleset: 'current',
            rules_evaluated: 12,
            version: '3f2a…',
            environment: 'prod',
            matched: true,
            rule: exampleRule,
            rule_source: 'current',
            why: "contains 'LINK-3-UPDOWN' (case-insensitive)",
            decision: 'page_and_ticket',
            forwarded: true,
            team: 'NETO',
            matches: [
              { id: 'link-down', priority: 10, why: "contains 'LINK-3-UPDOWN' (case-insensitive)", source: 'current' },
              { id: 'generic-down', priority: 100, why: "contains 'down' (case-insensitive)", source: 'current' },
            ],
            near_misses: [
              {
                id: 'link-down-crit',
                priority: 5,
                is_active: true,
                source: 'current',
                reasons: ['severity'],
                why: "contains 'LINK-3-UPDOWN' (case-insensitive), but severity 3 is not the rule's 2",
              },
              {
                id: 'generic-down',
                priority: 100,
                is_active: true,
                source: 'current',
                reasons: ['priority'],
                why: "contains 'down' (case-insensitive), but 'link-down' comes first (priority 10 before 100)",
              },
            ],
            complete: true,
            skipped_rules: 0,
            invalid_rules: [],
            warnings: [],
          },
        },
        422: { description: `The test ran out of a limit of the tester (time: ${limits.timeoutMs} ms, memory); the body names it.` },
        429: {
          description: `The tester is busy (${limits.maxQueued} tests waiting); Retry-After says when to retry.`,
          headers: { 'Retry-After': 'Seconds.' },
        },
      },
    },
    async ({ body }) => {
      let r;
      try {
        r = await s.ruleTester.test(body, body.rules ? { rules: body.rules, mode: body.mode } : undefined);
      } catch (err) {
        if (err instanceof RuleTestLimitError)
          throw httpError(err.status, {
            message: err.message,
            body: { limit: err.limit },
            headers: err.status === 429 ? { 'Retry-After': '1' } : {},
            cause: err,
          });
        throw err;
      }
      const revision =
        r.rule && r.rule_source === 'current' ? (s.rules.list().find((x) => x.rule.id === r.rule!.id)?.revision ?? null) : null;
      return { status: 200, body: { ...r, rule: r.rule ? ruleView(r.rule, revision) : null } };
    },
  );

  const getOne = async ({ params }: RouteInput<typeof IdParam, undefined, undefined>) => {
    const r: RuleRecord = await s.rules.get(params.id);
    return { status: 200 as const, headers: { ETag: etag(r.revision) }, body: ruleView(r.rule, r.revision) };
  };
  const getSpec = {
    method: 'get',
    tag,
    scope: 'read',
    params: IdParam,
    responses: {
      200: { description: 'The rule; ETag = revision.', schema: RuleView, example: exampleRule, headers: { ETag: 'Revision.' } },
      404: { description: 'No such rule.' },
    },
  } as const;
  api.route({ ...getSpec, path: '/api/v2/rules/:id', operationId: 'getRule', summary: 'Get a rule' }, getOne);
  api.route(
    {
      ...getSpec,
      path: '/api/v1/rules/:id',
      operationId: 'getRuleV1',
      summary: 'Get a rule (v1 alias)',
      deprecated: v1Deprecation('/api/v2/rules/{id}'),
    },
    getOne,
  );

  const updateResponses = {
    200: {
      description: 'Updated; ETag = new revision.',
      schema: RuleWritten,
      example: { ...writtenExample, message: 'Rule updated successfully', revision: 8 },
      headers: { ETag: 'Revision.' },
    },
    404: { description: 'No such rule.' },
    412: { description: "If-Match is not the current revision (the answer's ETag is)." },
  } as const;
  api.route(
    {
      method: 'put',
      path: '/api/v2/rules/:id',
      operationId: 'replaceRule',
      tag,
      scope: 'admin',
      params: IdParam,
      headers: [IfMatchHeader, ReasonHeader],
      validateBody: false,
      summary: 'Replace a rule',
      description: 'The body is the whole rule: omitted fields take their defaults. created_at/created_by are kept.',
      body: { schema: RuleWrite, example: exampleWrite },
      responses: updateResponses,
    },
    async ({ params, json, change }) =>
      written(await s.rules.replace(params.id, json, change(reasonOf(json))), 'Rule updated successfully', 200),
  );

  const patch = async ({ params, json, change }: RouteInput<typeof IdParam, undefined, typeof RulePatch>) =>
    written(await s.rules.patch(params.id, json, change(reasonOf(json))), 'Rule updated successfully', 200);
  const patchSpec = {
    method: 'patch',
    tag,
    scope: 'admin',
    params: IdParam,
    headers: [IfMatchHeader, ReasonHeader],
    validateBody: false,
    body: { schema: RulePatch, example: { priority: 5, reason: 'more specific than generic-down' } },
    responses: updateResponses,
  } as const;
  api.route({ ...patchSpec, path: '/api/v2/rules/:id', operationId: 'updateRule', summary: 'Change some fields of a rule' }, patch);
  api.route(
    {
      ...patchSpec,
      method: 'put',
      path: '/api/v1/rules/:id',
      operationId: 'updateRuleV1',
      summary: "Change some fields of a rule (v1 alias: v2.5's PUT was partial)",
      deprecated: v1Deprecation('/api/v2/rules/{id}'),
    },
    patch,
  );

  const remove = async ({ params, body, change }: RouteInput<typeof IdParam, undefined, typeof DeleteBody>) => {
    const r = await s.rules.remove(params.id, change(body?.reason));
    return { status: 200 as const, body: { id: r.id, message: 'Rule deleted successfully', revision: r.revision } };
  };
  const deleteSpec = {
    method: 'delete',
    tag,
    scope: 'admin',
    params: IdParam,
    headers: [IfMatchHeader, ReasonHeader],
    body: { schema: DeleteBody, required: false, example: { reason: 'replaced by link-state' } },
    responses: {
      200: {
        description: 'Deleted (its audit history stays).',
        schema: RuleDeleted,
        example: { id: 'link-down', message: 'Rule deleted successfully', revision: 8 },
      },
      404: { description: 'No such rule.' },
      412: { description: 'If-Match is not the current revision.' },
    },
  } as const;
  api.route(
    {
      ...deleteSpec,
      path: '/api/v2/rules/:id',
      operationId: 'deleteRule',
      summary: 'Delete a rule',
      description: 'Never refused because of audit history (v2.5 was).',
    },
    remove,
  );
  api.route(
    {
      ...deleteSpec,
      path: '/api/v1/rules/:id',
      operationId: 'deleteRuleV1',
      summary: 'Delete a rule (v1 alias)',
      deprecated: v1Deprecation('/api/v2/rules/{id}'),
    },
    remove,
  );

  for (const active of [true, false]) {
    const verb = active ? 'enable' : 'disable';
    api.route(
      {
        method: 'post',
        path: `/api/v2/rules/:id/${verb}`,
        operationId: `${verb}Rule`,
        tag,
        scope: 'admin',
        params: IdParam,
        headers: [IfMatchHeader, ReasonHeader],
        summary: `${active ? 'Enable' : 'Disable'} a rule`,
        description: `Sets is_active to ${active}.`,
        responses: {
          ...updateResponses,
          200: { ...updateResponses[200], example: { ...writtenExample, message: `Rule ${verb}d`, revision: 8 } },
        },
      },
      async ({ params, change }) => written(await s.rules.setActive(params.id, active, change()), `Rule ${verb}d`, 200),
    );
  }
}

function reasonOf(json: unknown): unknown {
  return json !== null && typeof json === 'object' ? (json as { reason?: unknown }).reason : undefined;
}
